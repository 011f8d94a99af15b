//! What a trap allows and its per-connection timeouts.

use std::net::SocketAddr;
use std::time::Duration;
use tlsfloor_localtls::TRAP_CIPHERS;
use tlsfloor_wire::Version;

/// A trap's configuration.
#[derive(Debug, Clone)]
pub struct TrapConfig {
    /// Address to listen on (127.0.0.1 by default).
    pub listen: SocketAddr,
    /// Lowest version the trap completes a handshake at.
    pub min_version: Version,
    /// Highest version the trap completes a handshake at.
    pub max_version: Version,
    /// OpenSSL cipher string for TLS 1.2 and below (server preference).
    pub ciphers: String,
    /// Answer HTTP requests after the handshake with a JSON page of the connection details.
    pub http: bool,
    /// How long a client may take to send its complete ClientHello.
    pub hello_timeout: Duration,
    /// Socket read/write timeout during the handshake and the HTTP exchange.
    pub io_timeout: Duration,
}

impl Default for TrapConfig {
    fn default() -> Self {
        TrapConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 4433)),
            min_version: Version::Tls10,
            max_version: Version::Tls11,
            ciphers: TRAP_CIPHERS.to_string(),
            http: false,
            hello_timeout: Duration::from_secs(10),
            io_timeout: Duration::from_secs(10),
        }
    }
}

impl TrapConfig {
    /// The versions the trap allows, oldest first.
    pub fn versions(&self) -> Vec<Version> {
        Version::ALL
            .into_iter()
            .filter(|v| *v >= self.min_version && *v <= self.max_version)
            .collect()
    }
}
