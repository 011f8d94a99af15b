//! Pure TLS codec for tlsfloor: bytes in, typed values or typed errors out. No sockets.
//!
//! - [`version`]: protocol versions and their wire codes.
//! - [`suites`]: the cipher-suite registry (IANA code, IANA and OpenSSL names, kx, auth, enc, bits, mac, versions).
//! - [`record`]: TLS record framing (split a byte stream into records, incomplete vs malformed).
//! - [`client_hello`]: build probe ClientHellos for SSLv3..TLS 1.3 with any suites and extensions.
//! - [`server`]: parse what a server answers: ServerHello (incl. HelloRetryRequest), Certificate, ServerKeyExchange group, alerts.
//! - [`fingerprint`]: parse a client's ClientHello and compute JA3 / JA4.

pub mod version;

pub use version::{UnknownVersion, Version};
