//! Async TLS probing engine for tlsfloor.
//!
//! - [`report`]: the scan result model (the JSON contract).
//! - [`target`]: parsing `HOST[:PORT]`, `[v6]:port`, IP literals and target list files.
//! - [`engine`]: scanning targets ([`scan_all`], [`scan_target`]) with bounded concurrency.
//! - [`enumerate`]: per-version suite enumeration, preference order and groups.
//! - [`probe`]: one hello, one answer, and what it means.
//! - [`net`]: sockets: resolve, connect, send a hello, read the first flight.
//! - [`hello`]: probe ClientHellos with real TLS 1.3 key shares.
//! - [`fallback`]: TLS_FALLBACK_SCSV check.
//! - [`handshake`]: one real OpenSSL handshake to read a TLS 1.3 certificate chain.
//! - [`cert`]: certificate summaries and host name matching.
//! - [`error`]: turning I/O and codec failures into report errors.
//! - [`clock`]: RFC 3339 time formatting.

pub mod cert;
pub mod clock;
pub mod engine;
pub mod enumerate;
pub mod error;
pub mod fallback;
pub mod handshake;
pub mod hello;
pub mod net;
pub mod probe;
pub mod report;
pub mod target;

pub use engine::{
    scan_all, scan_target, scan_target_addresses, ResolveOverride, ScanOptions, TargetInput,
};
pub use target::{parse_target, parse_target_list, Target, TargetError};
