//! Streaming CloudTrail audit of TLS versions used by API callers, plus equivalent
//! Athena/CloudTrail Lake SQL.
//!
//! Reads CloudTrail logs (S3 delivery trees of `*.json.gz`, plain `{"Records":[...]}` JSON,
//! JSON Lines exports; gzip detected by magic bytes), counts calls per `tlsDetails.tlsVersion`,
//! and groups the calls made below a TLS floor by service, action, principal, user agent, ….
//! Files are read in parallel, each into one reused buffer, and records are deserialized one at a
//! time with borrowed strings. Damaged input is counted and reported per file, never fatal.
//!
//! ```no_run
//! use tlsfloor_trail::{audit, Plan, Query};
//! let plan = Plan::new(&["AWSLogs".into()]).unwrap();
//! let report = audit::run(&plan, &Query::default(), None, &audit::NoProgress).unwrap();
//! println!("{}", serde_json::to_string_pretty(&report).unwrap());
//! ```

pub mod agg;
pub mod audit;
pub mod differential;
mod envelope;
pub mod error;
mod fast;
mod inflate;
pub mod input;
mod key_memo;
mod lake;
pub mod other_aws;
pub mod parse;
pub mod query;
pub mod record;
pub mod render;
pub mod report;
pub mod sql;
pub mod time;
pub mod tls;
pub mod window;

pub use audit::{run, Plan};

/// Stage 1 of the fast reader alone, for the `parse_split` benchmark example: the number of
/// unescaped quotes in `buf`.
#[doc(hidden)]
pub fn bench_stage1(buf: &[u8]) -> usize {
    let (mut quotes, mut backslashes) = (Vec::new(), Vec::new());
    fast::find_quotes(buf, &mut quotes, &mut backslashes);
    quotes.iter().map(|q| q.count_ones() as usize).sum()
}
pub use error::TrailError;
pub use query::{By, Query};
pub use report::{TrailReport, TRAIL_SCHEMA};
