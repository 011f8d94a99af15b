//! UTC calendar arithmetic: day numbers from 1970-01-01 to proleptic Gregorian dates and back
//! (Howard Hinnant's algorithms). Shared by every place that prints or reads a UTC date, so
//! there is one copy to trust (certificate and report clocks, log timestamps).

/// Days from 1970-01-01 to the civil date `y-m-d` (`m` 1..=12, `d` 1..=31; not checked).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month 1..=12, day 1..=31) of a day number from 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Formats Unix seconds as RFC 3339 UTC, as CloudTrail writes `eventTime`:
/// `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_timestamp(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400) as u32;
    let Ok(year @ 0..=9999) = u32::try_from(y) else {
        // Years of more than four digits or before year 0.
        return utc_timestamp_general(secs);
    };
    // Reports print tens of thousands of these: digits written directly, no format machinery.
    let mut out = *b"0000-00-00T00:00:00Z";
    let mut put = |at: usize, width: usize, mut v: u32| {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, 4, year);
    put(5, 2, m);
    put(8, 2, d);
    put(11, 2, rem / 3600);
    put(14, 2, rem / 60 % 60);
    put(17, 2, rem % 60);
    out.iter().map(|&b| char::from(b)).collect()
}

/// [`utc_timestamp`] through `format!`, for any year.
fn utc_timestamp_general(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        // `date -u -d 2024-02-29 +%s` / 86400 = 19782 (a leap day).
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
        assert_eq!(days_from_civil(2100, 1, 1), 47_482);
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(utc_timestamp(0), "1970-01-01T00:00:00Z");
        // `date -u -d @1709210096` -> 2024-02-29 12:34:56 UTC (leap day).
        assert_eq!(utc_timestamp(1_709_210_096), "2024-02-29T12:34:56Z");
        assert_eq!(utc_timestamp(-1), "1969-12-31T23:59:59Z");
        assert_eq!(utc_timestamp(4_102_444_800), "2100-01-01T00:00:00Z");
    }

    #[test]
    fn digits_match_the_general_formatter() {
        // Year 0 to past year 10000 (where the general formatter takes over), both sides.
        let year_0 = days_from_civil(0, 1, 1) * 86_400;
        let year_10000 = days_from_civil(10_000, 1, 1) * 86_400;
        let mut cases: Vec<i64> = (year_0 - 90_000..year_10000 + 90_000)
            .step_by(86_400 * 37 + 3_607)
            .collect();
        cases.extend([
            year_0 - 1,
            year_0,
            year_10000 - 1,
            year_10000,
            i64::from(i32::MIN),
        ]);
        for secs in cases {
            assert_eq!(utc_timestamp(secs), utc_timestamp_general(secs), "{secs}");
        }
    }

    #[test]
    fn round_trips_over_centuries() {
        for z in (-800_000..800_000).step_by(7) {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(
                days_from_civil(y, i64::from(m), i64::from(d)),
                z,
                "{y}-{m}-{d}"
            );
        }
    }
}
