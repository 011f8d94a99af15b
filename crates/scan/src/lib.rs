//! Async TLS probing engine for tlsfloor.
//!
//! - [`report`]: the scan result model (the JSON contract).
//! - [`target`]: parsing `HOST[:PORT]`, `[v6]:port`, IP literals and target list files.
//! - [`engine`]: scanning targets ([`scan_all`], [`scan_target`]) with bounded concurrency.
//! - [`target_scan`]: one target at one address, within its deadline, and its verdict.
//! - [`enumerate`]: per-version suite enumeration (splitting unanswered offers).
//! - [`tolerance`]: the smaller-hello ladder for middleboxes that drop large hellos.
//! - [`preference`]: server, client or mixed suite preference.
//! - [`group_enum`]: accepted key-exchange groups.
//! - [`probe`]: one hello, one answer, what it proves, and retries.
//! - [`pacing`]: adaptive per-target connection limit and spacing.
//! - [`net`]: sockets: resolve, connect, send a hello, read the first flight.
//! - [`hello`]: probe ClientHellos with real TLS 1.3 key shares.
//! - [`fallback`]: TLS_FALLBACK_SCSV check.
//! - [`handshake`]: one real OpenSSL handshake to read a TLS 1.3 certificate chain.
//! - [`cert`]: certificate summaries and host name matching.
//! - [`chains`]: every chain of a multi-certificate server, one per authentication family.
//! - [`trust`]: whether a chain is trusted (OpenSSL's X509 store), weak signatures and keys.
//! - [`error`]: turning I/O and codec failures into report errors.
//! - [`clock`]: RFC 3339 time formatting.

pub mod cert;
pub mod chains;
pub mod clock;
pub mod diff;
pub mod engine;
pub mod enumerate;
pub mod error;
pub mod fallback;
pub mod group_enum;
pub mod handshake;
pub mod hello;
pub mod net;
pub mod pacing;
pub mod preference;
pub mod probe;
pub mod report;
pub mod sslv2_probe;
pub mod target;
pub mod target_scan;
pub mod tolerance;
pub mod trust;

pub use engine::{
    scan_all, scan_all_until, scan_target, scan_target_addresses, ResolveOverride, ScanOptions,
    StartTls, TargetInput,
};
pub use target::{parse_target, parse_target_bytes, parse_target_list, Target, TargetError};
