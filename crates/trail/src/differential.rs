//! The two log-object readers compared on one input (the fuzz target `trail_readers` and a
//! bounded test run call this): both must count the same records, the same invalid ones and
//! end the same way.

use crate::parse::{parse_buffer_with, Parsed, Reader};
use crate::record::{Record, RecordSink};
use std::fmt;

/// What a reader made of an input.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Seen {
    /// Each record, as its debug text.
    pub records: Vec<String>,
    /// Invalid values.
    pub invalid: usize,
    /// Values that are not events.
    pub not_events: usize,
    /// How parsing ended: `complete`, `stopped` or `not_cloudtrail`.
    pub end: &'static str,
}

impl<'a> RecordSink<'a> for Seen {
    fn record(&mut self, r: &Record<'a>) {
        self.records.push(format!("{r:?}"));
    }
    fn invalid(&mut self, _: &dyn fmt::Display) {
        self.invalid += 1;
    }
    fn not_event(&mut self, _: &dyn fmt::Display) {
        self.not_events += 1;
    }
}

/// Parses `data` with `reader`.
pub fn read_with(data: &[u8], reader: Reader) -> Seen {
    let mut seen = Seen::default();
    seen.end = match parse_buffer_with(data, &mut seen, reader) {
        Parsed::Complete => "complete",
        Parsed::Stopped(_) => "stopped",
        Parsed::NotCloudTrail(_) => "not_cloudtrail",
    };
    seen
}

/// Both readers on `data`: `Err` describes the first difference.
pub fn compare(data: &[u8]) -> Result<Seen, String> {
    let fast = read_with(data, Reader::Fast);
    let serde = read_with(data, Reader::Serde);
    if fast == serde {
        Ok(fast)
    } else {
        Err(format!("fast reader: {fast:#?}\nserde reader: {serde:#?}"))
    }
}
