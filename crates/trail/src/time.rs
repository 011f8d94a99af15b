//! CloudTrail timestamps: parsing `eventTime` and user-given bounds to UTC seconds, and back.
//!
//! CloudTrail writes `eventTime` as `YYYY-MM-DDTHH:MM:SSZ`. Exports from other tools may use a
//! space instead of `T`, fractional seconds, or a numeric offset; all of those are accepted.

/// Seconds since 1970-01-01T00:00:00Z.
pub type Epoch = i64;

use tlsfloor_wire::civil::{civil_from_days, days_from_civil, utc_timestamp};

fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() {
        return None;
    }
    let mut v = 0i64;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

fn date_part(b: &[u8]) -> Option<i64> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Parses a CloudTrail `eventTime` (or any `YYYY-MM-DD[T ]HH:MM:SS[.fff][Z|±HH:MM]`) to UTC
/// seconds. Returns `None` when the text is not such a timestamp.
pub fn parse_event_time(s: &str) -> Option<Epoch> {
    parse_with(s, date_part)
}

/// [`parse_event_time`] for a run of timestamps that mostly share their date (those of one
/// log file): the day number of the last date read is kept, so a repeated date is compared,
/// not parsed again.
#[derive(Debug, Default)]
pub struct EventTimes {
    last: Option<([u8; 10], i64)>,
}

impl EventTimes {
    /// As [`parse_event_time`].
    pub fn parse(&mut self, s: &str) -> Option<Epoch> {
        parse_with(s, |date| match self.last {
            Some((seen, days)) if seen == date => Some(days),
            _ => {
                let days = date_part(date)?;
                self.last = Some((date.try_into().ok()?, days));
                Some(days)
            }
        })
    }
}

/// [`parse_event_time`] with `date` reading the `YYYY-MM-DD` part (10 bytes) to a day number.
#[inline(always)]
fn parse_with(s: &str, date: impl FnOnce(&[u8]) -> Option<i64>) -> Option<Epoch> {
    let b = s.as_bytes();
    if b.len() < 19 || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ') {
        return None;
    }
    let days = date(&b[..10])?;
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (hh, mm, ss) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    if hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let mut rest = &b[19..];
    if let Some((&b'.', frac)) = rest.split_first() {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..];
    }
    let offset = match rest {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let h = digits(&[*h1, *h2])?;
            let m = digits(&[*m1, *m2])?;
            let off = h * 3600 + m * 60;
            if *sign == b'+' {
                off
            } else {
                -off
            }
        }
        _ => return None,
    };
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss - offset)
}

/// Parses a user-given bound: a date `YYYY-MM-DD` (midnight UTC) or a full timestamp as
/// accepted by [`parse_event_time`].
pub fn parse_bound(s: &str) -> Option<Epoch> {
    let t = s.trim();
    if t.len() == 10 {
        return date_part(t.as_bytes()).map(|d| d * 86_400);
    }
    parse_event_time(t)
}

/// Formats UTC seconds as CloudTrail does: `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_time(t: Epoch) -> String {
    utc_timestamp(t)
}

/// The UTC day number (days since 1970-01-01) of a time.
pub fn day_of(t: Epoch) -> i64 {
    t.div_euclid(86_400)
}

/// Formats a day number as `YYYY-MM-DD`.
pub fn format_day(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloudtrail_format_round_trips() {
        for s in [
            "2014-12-11T18:32:57Z",
            "1970-01-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "2000-03-01T00:00:00Z",
        ] {
            let t = parse_event_time(s).expect(s);
            assert_eq!(format_time(t), s);
        }
        // 2014-12-11T18:32:57Z as computed by `date -u -d ... +%s`.
        assert_eq!(
            parse_event_time("2014-12-11T18:32:57Z"),
            Some(1_418_322_777)
        );
    }

    #[test]
    fn variants_and_offsets() {
        let base = parse_event_time("2023-01-05T13:51:00Z");
        assert_eq!(parse_event_time("2023-01-05 13:51:00"), base);
        assert_eq!(parse_event_time("2023-01-05T13:51:00.123Z"), base);
        assert_eq!(parse_event_time("2023-01-05T15:51:00+02:00"), base);
        assert_eq!(
            parse_bound("2023-01-05"),
            parse_event_time("2023-01-05T00:00:00Z")
        );
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "yesterday",
            "2023-13-01T00:00:00Z",
            "2023-02-30T00:00:00Z",
            "2023-01-01T25:00:00Z",
            "2023-01-01T00:00:00Zjunk",
            "2023-01-01T00:00:00.Z",
        ] {
            assert_eq!(parse_event_time(s), None, "{s}");
        }
    }

    #[test]
    fn kept_dates_read_as_the_plain_parser_reads_them() {
        let mut times = EventTimes::default();
        for s in [
            "2024-03-01T10:00:00Z",
            "2024-03-01T23:59:59Z",
            "2024-03-01T25:00:00Z",
            "2024-03-02T00:00:00Z",
            "2024-02-30T00:00:00Z",
            "2024-02-30T00:00:00Z",
            "2024-03-02 00:00:01+02:00",
            "2024-03-01T10:00:00Z",
            "2024-03-0",
            "not a time at all",
            "2024-03-01T10:00:00Z",
        ] {
            assert_eq!(times.parse(s), parse_event_time(s), "{s}");
        }
    }

    #[test]
    fn days() {
        let t = parse_event_time("2024-03-01T00:00:00Z").unwrap();
        assert_eq!(format_day(day_of(t)), "2024-03-01");
        assert_eq!(format_day(day_of(t - 1)), "2024-02-29");
    }
}
