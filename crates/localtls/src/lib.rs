//! In-process OpenSSL TLS servers with a throwaway CA, for the trap, the demo and tests.
//!
//! - [`pki`]: generate a throwaway CA and a leaf for `localhost`, `127.0.0.1` and `::1`.
//! - [`acceptor`]: an `SslAcceptor` restricted to a version range and a cipher string, at
//!   OpenSSL security level 0 so TLS 1.0/1.1 work on OpenSSL 3; and a probe telling whether
//!   this OpenSSL build can speak a version at all.
//! - [`server`]: an async (tokio) accept loop on 127.0.0.1 that hands each connection to a
//!   blocking handler, and [`server::LocalServer`], a ready-made TLS server for demos/tests.

pub mod acceptor;
pub mod deadline;
pub mod pki;
pub mod server;

pub use acceptor::{build_acceptor, version_supported, ServerConfig, TRAP_CIPHERS};
pub use deadline::DeadlineStream;
pub use pki::{BadLeaf, Pki};
pub use server::{accept_loop, accept_next, LocalServer};

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum LocalTlsError {
    /// OpenSSL refused an operation (key generation, certificate building, configuration).
    #[error("OpenSSL: {0}")]
    OpenSsl(#[from] openssl::error::ErrorStack),
    /// Reading or writing a file or socket failed.
    /// (The cause is the error's source, printed after it by the caller: not repeated.)
    #[error("{context}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A configuration that cannot work (e.g. min version above max version).
    #[error("invalid configuration: {0}")]
    Config(String),
}
