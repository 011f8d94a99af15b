//! Async TLS probing engine for tlsfloor.
//!
//! - [`report`]: the scan result model (the JSON contract).

pub mod report;
