//! Protocol versions tlsfloor knows, with their wire codes and names.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A TLS protocol version (SSLv3 through TLS 1.3), ordered oldest to newest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Version {
    /// SSL 3.0 (0x0300).
    #[serde(rename = "SSLv3")]
    Ssl30,
    /// TLS 1.0 (0x0301).
    #[serde(rename = "TLSv1.0")]
    Tls10,
    /// TLS 1.1 (0x0302).
    #[serde(rename = "TLSv1.1")]
    Tls11,
    /// TLS 1.2 (0x0303).
    #[serde(rename = "TLSv1.2")]
    Tls12,
    /// TLS 1.3 (0x0304).
    #[serde(rename = "TLSv1.3")]
    Tls13,
}

impl Version {
    /// Every version, oldest first.
    pub const ALL: [Version; 5] = [
        Version::Ssl30,
        Version::Tls10,
        Version::Tls11,
        Version::Tls12,
        Version::Tls13,
    ];

    /// The 16-bit code this version has on the wire.
    pub const fn wire(self) -> u16 {
        match self {
            Version::Ssl30 => 0x0300,
            Version::Tls10 => 0x0301,
            Version::Tls11 => 0x0302,
            Version::Tls12 => 0x0303,
            Version::Tls13 => 0x0304,
        }
    }

    /// The version for a wire code, if it is one tlsfloor knows.
    pub const fn from_wire(code: u16) -> Option<Version> {
        match code {
            0x0300 => Some(Version::Ssl30),
            0x0301 => Some(Version::Tls10),
            0x0302 => Some(Version::Tls11),
            0x0303 => Some(Version::Tls12),
            0x0304 => Some(Version::Tls13),
            _ => None,
        }
    }

    /// The conventional name, as used in JSON output: `SSLv3`, `TLSv1.0` … `TLSv1.3`.
    pub const fn name(self) -> &'static str {
        match self {
            Version::Ssl30 => "SSLv3",
            Version::Tls10 => "TLSv1.0",
            Version::Tls11 => "TLSv1.1",
            Version::Tls12 => "TLSv1.2",
            Version::Tls13 => "TLSv1.3",
        }
    }

    /// True for the versions a TLS 1.2 floor forbids (SSLv3, TLS 1.0, TLS 1.1).
    pub const fn is_legacy(self) -> bool {
        matches!(self, Version::Ssl30 | Version::Tls10 | Version::Tls11)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Error for a version string that names no known version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown TLS version {0:?} (expected one of: ssl3, 1.0, 1.1, 1.2, 1.3, TLSv1.2, tls1.2, …)"
)]
pub struct UnknownVersion(pub String);

impl FromStr for Version {
    type Err = UnknownVersion;

    /// Accepts the spellings people use: `1.2`, `tls1.2`, `tls12`, `TLSv1.2`, `tls1_2`,
    /// `TLS 1.2`, `ssl3`, `SSLv3`, `3.0` (case-insensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm: String = s
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| !matches!(c, ' ' | '_' | '.' | 'v'))
            .collect();
        let v = match norm.as_str() {
            "ssl3" | "ssl30" | "30" | "3" => Version::Ssl30,
            "10" | "tls1" | "tls10" => Version::Tls10,
            "11" | "tls11" => Version::Tls11,
            "12" | "tls12" => Version::Tls12,
            "13" | "tls13" => Version::Tls13,
            _ => return Err(UnknownVersion(s.to_string())),
        };
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_codes_round_trip() {
        for v in Version::ALL {
            assert_eq!(Version::from_wire(v.wire()), Some(v));
        }
        assert_eq!(Version::from_wire(0x0305), None);
        assert_eq!(Version::Tls12.wire(), 0x0303);
    }

    #[test]
    fn parses_common_spellings() {
        for s in ["1.2", "tls1.2", "TLSv1.2", "tls12", "TLS 1.2", "tls1_2"] {
            assert_eq!(s.parse::<Version>(), Ok(Version::Tls12), "{s}");
        }
        assert_eq!("SSLv3".parse::<Version>(), Ok(Version::Ssl30));
        assert_eq!("tls1".parse::<Version>(), Ok(Version::Tls10));
        assert!("1.4".parse::<Version>().is_err());
    }

    #[test]
    fn ordering_and_legacy() {
        assert!(Version::Tls11 < Version::Tls12);
        assert!(Version::Tls11.is_legacy());
        assert!(!Version::Tls12.is_legacy());
        assert_eq!(
            serde_json::to_string(&Version::Tls10).unwrap(),
            "\"TLSv1.0\""
        );
    }
}
