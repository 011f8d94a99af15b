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

/// Formats Unix seconds as RFC 3339 UTC, e.g. `2024-05-01T12:00:00Z` (tested with
/// [`utc_timestamp`]).
pub fn rfc3339(secs: i64) -> String {
    utc_timestamp(secs)
}
