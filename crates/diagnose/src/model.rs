//! The two inputs of a diagnosis: what a client offers and how a server is configured.

use serde::{Deserialize, Serialize};
use tlsfloor_wire::Version;

/// What a client offers in its ClientHello, in the client's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientOffer {
    /// Short identifier, e.g. `java-8` (built-in profiles) or `ja3`, `hello`.
    pub id: String,
    /// Human-readable name, e.g. `Java 8 default (8u161)`.
    pub name: String,
    /// Versions the client accepts, oldest first.
    pub versions: Vec<Version>,
    /// Cipher suite codes in client preference order (TLS 1.3 suites included; SCSVs and
    /// GREASE values are ignored by the simulator).
    pub suites: Vec<u16>,
    /// supported_groups in client order; empty when the client sent no such extension.
    pub groups: Vec<u16>,
    /// Groups the client sent TLS 1.3 key shares for; `None` when unknown (then the first
    /// group of `groups` is assumed, as most clients do).
    pub key_shares: Option<Vec<u16>>,
    /// signature_algorithms; `Some(empty)` when the client sent no such extension, `None`
    /// when unknown (e.g. from a JA3 string; then any certificate is assumed signable).
    pub sig_algs: Option<Vec<u16>>,
    /// Whether the client sends SNI.
    pub sni: bool,
    /// Where the description comes from (capture, documentation, derivation, …).
    pub source: String,
    /// True when the offer shows the client's oldest version: supported_versions lists it, or
    /// the profile documents it. A hello without supported_versions shows only the maximum.
    pub min_version_known: bool,
    /// The OpenSSL security level of an OpenSSL 3 client (1 by default): at level 1 it
    /// refuses SHA-1 and MD5-SHA1 signatures, so a signed (EC)DHE key exchange fails at TLS
    /// 1.0/1.1 while RSA key transport works. `None` for other clients.
    pub openssl_security_level: Option<u8>,
}

impl ClientOffer {
    /// The newest version the client offers.
    pub fn max_version(&self) -> Option<Version> {
        self.versions.iter().copied().max()
    }

    /// The oldest version the client accepts.
    pub fn min_version(&self) -> Option<Version> {
        self.versions.iter().copied().min()
    }

    /// True when the client offers `version`.
    pub fn offers_version(&self, version: Version) -> bool {
        self.versions.contains(&version)
    }
}

/// The kind of key in a server certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum CertKey {
    /// An RSA key (any size).
    Rsa,
    /// An ECDSA key on the named curve (a TLS group code, e.g. 23 for secp256r1).
    Ecdsa {
        /// The curve as a TLS named-group code.
        curve: u16,
    },
}

impl CertKey {
    /// ECDSA on P-256, the usual ECDSA certificate.
    pub const ECDSA_P256: CertKey = CertKey::Ecdsa { curve: 23 };

    /// `RSA` or `ECDSA secp256r1`.
    pub fn label(&self) -> String {
        match self {
            CertKey::Rsa => "RSA".to_string(),
            CertKey::Ecdsa { curve } => {
                format!("ECDSA {}", tlsfloor_wire::groups::group_name(*curve))
            }
        }
    }
}

/// How a server is configured: allowed versions, suites in its order, groups, certificates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerConfig {
    /// Short identifier, e.g. a policy id or `host:port`.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// Policy family when the server is a named policy (e.g. `aws-elb`), for fix suggestions.
    pub family: Option<String>,
    /// Allowed versions, oldest first.
    pub versions: Vec<Version>,
    /// TLS 1.0–1.2 suites in server order.
    pub suites: Vec<u16>,
    /// TLS 1.3 suites in server order.
    pub tls13_suites: Vec<u16>,
    /// True when the server picks by its own order (OpenSSL `-serverpref`, all AWS listeners).
    pub server_preference: bool,
    /// Groups the server accepts, in server order (EC and finite-field groups).
    pub groups: Vec<u16>,
    /// Certificates the server can present.
    pub cert_keys: Vec<CertKey>,
    /// Whether the server has DH parameters (needed for DHE suites).
    pub dh_params: bool,
    /// Where the description comes from.
    pub source: String,
}

impl ServerConfig {
    /// The suite list that governs `version`.
    pub fn suites_for(&self, version: Version) -> &[u16] {
        if version == Version::Tls13 {
            &self.tls13_suites
        } else {
            &self.suites
        }
    }

    /// Oldest allowed version.
    pub fn min_version(&self) -> Option<Version> {
        self.versions.iter().copied().min()
    }
}

/// OpenSSL 3.0's default group list (`x25519:secp256r1:x448:secp521r1:secp384r1` then the
/// RFC 7919 groups), used when a policy does not restrict groups.
pub const OPENSSL_DEFAULT_GROUPS: &[u16] = &[29, 23, 30, 25, 24, 256, 257, 258, 259, 260];

/// A version list written for people: `TLS 1.2, 1.3` or `SSL 3.0, TLS 1.0`.
pub fn versions_label(versions: &[Version]) -> String {
    let mut sorted = versions.to_vec();
    sorted.sort();
    let mut out = String::new();
    let mut tls_started = false;
    for v in sorted {
        if !out.is_empty() {
            out.push_str(", ");
        }
        match v {
            Version::Ssl30 => out.push_str("SSL 3.0"),
            other => {
                let n = &other.name()[4..]; // "1.2"
                if tls_started {
                    out.push_str(n);
                } else {
                    out.push_str("TLS ");
                    out.push_str(n);
                    tls_started = true;
                }
            }
        }
    }
    if out.is_empty() {
        "none".to_string()
    } else {
        out
    }
}

/// `TLS 1.2` / `SSL 3.0`.
pub fn version_label(v: Version) -> String {
    match v {
        Version::Ssl30 => "SSL 3.0".to_string(),
        other => format!("TLS {}", &other.name()[4..]),
    }
}

/// The OpenSSL name of a suite when it has one, else its IANA name, else `0x1234`.
pub fn suite_label(code: u16) -> String {
    tlsfloor_wire::suites::by_code(code)
        .map(|s| s.display_name().to_string())
        .unwrap_or_else(|| tlsfloor_wire::suites::name(code))
}

/// A group's name (`x25519`, `secp256r1`, …).
pub fn group_label(code: u16) -> String {
    tlsfloor_wire::groups::group_name(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(
            versions_label(&[Version::Tls13, Version::Tls12]),
            "TLS 1.2, 1.3"
        );
        assert_eq!(
            versions_label(&[Version::Ssl30, Version::Tls10]),
            "SSL 3.0, TLS 1.0"
        );
        assert_eq!(versions_label(&[]), "none");
        assert_eq!(version_label(Version::Tls10), "TLS 1.0");
    }
}
