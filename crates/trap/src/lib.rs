//! Legacy-TLS trap server: records ClientHellos, completes a handshake restricted to chosen
//! versions, logs outcomes.
//!
//! For each connection the trap reads the client's ClientHello from the socket itself (so it
//! sees exactly what the client offered, parsed by `tlsfloor_wire::fingerprint`), then hands
//! OpenSSL a stream that replays those bytes before the socket and lets it complete a real
//! handshake restricted to the configured versions. The outcome (completed at version X with
//! suite Y, the client's alert, closed without alert, timeout…) becomes one
//! [`ConnectionRecord`], documented in docs/trap.md.
//!
//! - [`config`]: what a trap allows and its timeouts.
//! - [`record`]: the per-connection record (the JSON line schema) and its parts.
//! - [`hello`]: read a ClientHello off a socket, with a deadline.
//! - [`replay`]: the replaying stream handed to OpenSSL.
//! - [`alert`]: finding the client's alert in raw bytes (framing and names from the wire crate).
//! - [`conn`]: handle one connection.
//! - [`server`]: start a trap on a listener and collect its records.

pub mod alert;
pub mod config;
pub mod conn;
pub mod hello;
pub mod record;
pub mod replay;
pub mod server;

pub use config::TrapConfig;
pub use record::{ConnectionRecord, Offer, Outcome};
pub use server::Trap;

/// Errors starting a trap.
#[derive(Debug, thiserror::Error)]
pub enum TrapError {
    /// Building the TLS configuration failed.
    #[error(transparent)]
    Tls(#[from] tlsfloor_localtls::LocalTlsError),
    /// Binding or inspecting the listening socket failed.
    /// (The cause is the error's source, printed after it by the caller: not repeated.)
    #[error("{context}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
}
