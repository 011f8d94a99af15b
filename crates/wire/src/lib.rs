//! Pure TLS codec for tlsfloor: bytes in, typed values or typed errors out. No sockets.
//!
//! - [`version`]: protocol versions and their wire codes.
//! - [`suites`]: the cipher-suite registry (IANA code, IANA and OpenSSL names, kx, auth, enc, bits, mac, versions).
//! - [`record`]: TLS record framing (split a byte stream into records, incomplete vs malformed).
//! - [`client_hello`]: build probe ClientHellos for SSLv3..TLS 1.3 with any suites and extensions.
//! - [`groups`]: named groups (names, lookup, the lists a probe offers).
//! - [`server`]: parse what a server answers: ServerHello (incl. HelloRetryRequest), Certificate, ServerKeyExchange group, alerts.
//! - [`handshake`]: reassemble handshake messages that span records or share one.
//! - [`alert`]: alert parsing and names.
//! - [`civil`]: UTC calendar arithmetic (day numbers to dates and back).
//! - [`code_point`]: code points in JSON (integers; `0x…` strings read too).
//! - [`error`]: [`WireError`], the one error type.
//! - [`fingerprint`]: parse a client's ClientHello and compute JA3 / JA4.
//! - [`sslv2`]: the SSL 2.0 probe CLIENT-HELLO and the server's answer (SERVER-HELLO, ERROR, or TLS).
//! - [`starttls`]: in-band upgrades to TLS (SMTP, IMAP, POP3, FTP, LDAP, XMPP, PostgreSQL, MySQL) as pure state machines.

pub mod alert;
pub mod civil;
pub mod client_hello;
pub mod code_point;
pub mod error;
pub mod fingerprint;
pub mod groups;
pub mod handshake;
mod reader;
pub mod record;
pub mod server;
pub mod sslv2;
pub mod starttls;
pub mod suites;
mod suites_data;
pub mod version;

pub use version::{UnknownVersion, Version};

pub use alert::{parse_alert, Alert};
pub use client_hello::{ClientHelloSpec, KeyShare};
pub use error::WireError;
pub use fingerprint::{
    assemble_client_hello, parse_client_hello, ClientHelloInfo, FingerprintError,
};
pub use groups::{group_by_name, group_name, ALL_GROUPS};
pub use handshake::HandshakeReader;
pub use record::{looks_like_plaintext, parse_record, Record};
pub use server::{ServerHello, ServerKeyExchange, ServerMessage};
pub use suites::{CipherSuite, TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV};
