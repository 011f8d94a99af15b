//! Wall-clock helpers: the current Unix time and RFC 3339 UTC formatting (no time-zone data).

use std::time::{SystemTime, UNIX_EPOCH};
use tlsfloor_wire::civil::utc_timestamp;

/// Seconds since the Unix epoch now (0 if the clock is before 1970).
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Formats Unix seconds as RFC 3339 UTC, e.g. `2024-05-01T12:00:00Z`.
pub fn rfc3339(secs: i64) -> String {
    utc_timestamp(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        // `date -u -d @1709210096` -> 2024-02-29 12:34:56 UTC (leap day).
        assert_eq!(rfc3339(1_709_210_096), "2024-02-29T12:34:56Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
        assert_eq!(rfc3339(4_102_444_800), "2100-01-01T00:00:00Z");
    }
}
