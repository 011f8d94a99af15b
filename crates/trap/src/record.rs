//! The per-connection record: one JSON line per connection (schema `tlsfloor.trap/v1`,
//! documented in docs/trap.md).

use serde::{Deserialize, Serialize};
use tlsfloor_wire::fingerprint::{group_name, is_grease, signature_scheme_name, ClientHelloInfo};
use tlsfloor_wire::Version;

/// The schema identifier carried by every record.
pub const SCHEMA: &str = "tlsfloor.trap/v1";

/// What happened on one connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionRecord {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The tlsfloor version that wrote the record (empty in records of earlier builds).
    #[serde(default)]
    pub tool_version: String,
    /// When the connection was accepted (seconds since the Unix epoch).
    pub unix_time: f64,
    /// The client's address.
    pub peer: String,
    /// The trap's listening address.
    pub listen: String,
    /// The versions the trap completes handshakes at.
    pub trap_versions: Vec<Version>,
    /// The outcome, flattened: `outcome` names the kind, other fields depend on it.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// First line of the HTTP request served after the handshake (`--http` only).
    pub http_request: Option<String>,
    /// Time from accept to the end of the connection, in milliseconds.
    pub duration_ms: u64,
    /// What the client offered, when a ClientHello could be read.
    pub offer: Option<Offer>,
}

/// How a connection ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The handshake completed: the client accepted this version and suite.
    HandshakeCompleted {
        /// Negotiated version.
        version: Version,
        /// Negotiated suite, OpenSSL name.
        cipher: String,
        /// Negotiated suite, IANA/RFC name.
        cipher_iana: Option<String>,
        /// ALPN protocol selected, if any.
        alpn: Option<String>,
    },
    /// The client sent a fatal alert during the handshake (it refused).
    ClientAlert {
        /// Alert description code, e.g. 70.
        alert: u8,
        /// Its name, e.g. `protocol_version`.
        alert_name: Option<String>,
        /// Where it was read: `record` (raw bytes) or `openssl` (OpenSSL's error queue).
        source: String,
    },
    /// The trap's OpenSSL ended the handshake itself, e.g. `unsupported protocol` when the
    /// client offered none of the trap's versions, or `no shared cipher`.
    ServerRefused {
        /// OpenSSL's reason.
        reason: String,
    },
    /// The client closed the connection during the handshake without sending an alert.
    ClosedWithoutAlert {
        /// `client_hello` (before a complete ClientHello) or `handshake`.
        stage: String,
    },
    /// The client stopped sending.
    Timeout {
        /// `client_hello` or `handshake`.
        stage: String,
    },
    /// The client did not speak TLS (e.g. plain HTTP) or sent an undecodable ClientHello.
    NotTls {
        /// What was wrong.
        detail: String,
    },
    /// A local failure (socket error, OpenSSL setup).
    Error {
        /// What went wrong.
        detail: String,
    },
}

impl Outcome {
    /// The outcome's kind as it appears in JSON (`handshake_completed`, `client_alert`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Outcome::HandshakeCompleted { .. } => "handshake_completed",
            Outcome::ClientAlert { .. } => "client_alert",
            Outcome::ServerRefused { .. } => "server_refused",
            Outcome::ClosedWithoutAlert { .. } => "closed_without_alert",
            Outcome::Timeout { .. } => "timeout",
            Outcome::NotTls { .. } => "not_tls",
            Outcome::Error { .. } => "error",
        }
    }

    /// A one-line human description.
    pub fn describe(&self) -> String {
        match self {
            Outcome::HandshakeCompleted {
                version, cipher, ..
            } => format!("handshake completed at {version} with {cipher}"),
            Outcome::ClientAlert {
                alert, alert_name, ..
            } => format!(
                "client sent alert {} ({alert})",
                alert_name.as_deref().unwrap_or("unknown")
            ),
            Outcome::ServerRefused { reason } => format!("trap refused: {reason}"),
            Outcome::ClosedWithoutAlert { stage } => {
                format!("client closed without alert during {stage}")
            }
            Outcome::Timeout { stage } => format!("timeout during {stage}"),
            Outcome::NotTls { detail } => format!("not TLS: {detail}"),
            Outcome::Error { detail } => format!("error: {detail}"),
        }
    }
}

/// A code with its registered name, if known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    /// The code point (an integer, as everywhere in tlsfloor's JSON).
    #[serde(deserialize_with = "tlsfloor_wire::code_point::deserialize")]
    pub code: u16,
    /// The same code as `0x` + 4 hex digits.
    #[serde(default)]
    pub hex: String,
    /// The registered name (`grease` for GREASE values), if known.
    pub name: Option<String>,
}

/// An offered cipher suite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferedSuite {
    /// The IANA code point (an integer, as everywhere in tlsfloor's JSON).
    #[serde(deserialize_with = "tlsfloor_wire::code_point::deserialize")]
    pub code: u16,
    /// The same code as `0x` + 4 hex digits.
    #[serde(default)]
    pub hex: String,
    /// IANA name, if known (`grease` for GREASE values).
    pub iana: Option<String>,
    /// OpenSSL name, if it has one.
    pub openssl: Option<String>,
}

/// What a client offered in its ClientHello, with its fingerprints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// Version in the first record header, e.g. `0x0301`.
    pub record_version: String,
    /// ClientHello `legacy_version`, e.g. `TLSv1.2`.
    pub legacy_version: String,
    /// supported_versions extension contents, if sent (GREASE shown as `grease(0x…)`).
    pub supported_versions: Option<Vec<String>>,
    /// Highest version offered (supported_versions without GREASE, else legacy_version).
    pub max_version: String,
    /// Cipher suites in the client's order.
    pub cipher_suites: Vec<OfferedSuite>,
    /// Extensions in the client's order.
    pub extensions: Vec<Named>,
    /// supported_groups in order.
    pub groups: Vec<Named>,
    /// ec_point_formats.
    pub ec_point_formats: Vec<u8>,
    /// signature_algorithms in order.
    pub signature_algorithms: Vec<Named>,
    /// ALPN protocols in order.
    pub alpn: Vec<String>,
    /// Server name indication host name.
    pub sni: Option<String>,
    /// JA3 fingerprint (MD5, hex).
    pub ja3: String,
    /// JA3 string before hashing.
    pub ja3_string: String,
    /// JA4 fingerprint.
    pub ja4: String,
    /// JA4 raw (sorted, unhashed) form.
    pub ja4_r: String,
    /// JA4_o: JA4 over the original cipher and extension order.
    #[serde(default)]
    pub ja4_o: String,
    /// JA4_ro: the raw original-order form.
    #[serde(default)]
    pub ja4_ro: String,
}

/// `TLSv1.2`, `grease(0x0a0a)` or `0x7f1c`.
pub fn version_label(code: u16) -> String {
    if is_grease(code) {
        format!("grease(0x{code:04x})")
    } else {
        Version::from_wire(code)
            .map(|v| v.name().to_string())
            .unwrap_or_else(|| format!("0x{code:04x}"))
    }
}

/// `0x` + 4 hex digits.
pub fn hex_code(code: u16) -> String {
    tlsfloor_wire::code_point::hex(code.into(), 4)
}

fn named(code: u16, name: Option<&'static str>) -> Named {
    Named {
        code,
        hex: hex_code(code),
        name: name.map(str::to_string),
    }
}

/// IANA and OpenSSL names of a cipher suite, from the wire crate's registry.
pub fn suite_names(code: u16) -> (Option<String>, Option<String>) {
    if is_grease(code) {
        return (Some("grease".into()), None);
    }
    match tlsfloor_wire::suites::by_code(code) {
        Some(s) => (Some(s.iana.to_string()), s.openssl.map(str::to_string)),
        None => (None, None),
    }
}

impl Offer {
    /// Builds the offer from a parsed ClientHello.
    pub fn from_hello(h: &ClientHelloInfo) -> Offer {
        Offer {
            record_version: format!("0x{:04x}", h.record_version),
            legacy_version: version_label(h.legacy_version),
            supported_versions: h
                .supported_versions
                .as_ref()
                .map(|v| v.iter().map(|c| version_label(*c)).collect()),
            max_version: version_label(h.max_offered_version()),
            cipher_suites: h
                .cipher_suites
                .iter()
                .map(|c| {
                    let (iana, openssl) = suite_names(*c);
                    OfferedSuite {
                        code: *c,
                        hex: hex_code(*c),
                        iana,
                        openssl,
                    }
                })
                .collect(),
            extensions: h.extensions.iter().map(|e| named(e.code, e.name)).collect(),
            groups: h.groups.iter().map(|g| named(*g, group_name(*g))).collect(),
            ec_point_formats: h.ec_point_formats.clone(),
            signature_algorithms: h
                .signature_algorithms
                .iter()
                .map(|s| named(*s, signature_scheme_name(*s)))
                .collect(),
            alpn: h.alpn.clone(),
            sni: h.sni.clone(),
            ja3: h.ja3(),
            ja3_string: h.ja3_string(),
            ja4: h.ja4(),
            ja4_r: h.ja4_r(),
            ja4_o: h.ja4_o(),
            ja4_ro: h.ja4_ro(),
        }
    }

    /// True when the client offered `v`: listed in supported_versions, or (without that
    /// extension) `v` is at most legacy_version (the minimum is not visible on the wire).
    pub fn offers(&self, v: Version) -> bool {
        match &self.supported_versions {
            Some(list) => list.iter().any(|s| s == v.name()),
            None => Version::ALL
                .iter()
                .find(|x| x.name() == self.legacy_version)
                .is_some_and(|max| v <= *max),
        }
    }
}
