//! The policy model: what a policy allows, where it came from.

use serde::Serialize;
use tlsfloor_wire::Version;

/// One cipher suite as a policy refers to it (resolved through the wire registry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suite {
    /// IANA code point.
    pub code: u16,
    /// IANA name.
    pub iana: String,
    /// OpenSSL name, when OpenSSL has one.
    pub openssl: Option<String>,
    /// Authentication (`RSA`, `ECDSA`, `TLS13`, …) as the registry names it.
    #[serde(skip)]
    pub auth: String,
    /// Oldest protocol version the suite can be negotiated at.
    #[serde(skip)]
    pub min_version: Version,
    /// Newest protocol version the suite can be negotiated at.
    #[serde(skip)]
    pub max_version: Version,
}

impl Suite {
    /// True for TLS 1.3 suites.
    pub fn is_tls13(&self) -> bool {
        self.min_version == Version::Tls13
    }

    /// True when a server could negotiate this suite at `version`.
    pub fn usable_at(&self, version: Version) -> bool {
        self.min_version <= version && version <= self.max_version
    }

    /// `0xc02f`.
    pub fn hex(&self) -> String {
        format!("0x{:04x}", self.code)
    }

    /// The OpenSSL name when there is one, else the IANA name.
    pub fn short_name(&self) -> &str {
        self.openssl.as_deref().unwrap_or(&self.iana)
    }
}

/// Where a policy was defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Shipped with tlsfloor (`data/builtin.toml`).
    Builtin,
    /// Read from a user's TOML file.
    File,
    /// Made from `--min-version`.
    MinVersion,
}

/// A TLS security policy: allowed versions, suites (in the vendor's order) and limits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    /// Unique id (`ELBSecurityPolicy-2016-08`, `apigw-regional/TLS_1_2`, `mozilla/modern`).
    pub id: String,
    /// The name as the vendor spells it.
    pub name: String,
    /// Family, e.g. `aws-elb`, `aws-apigateway-regional`, `aws-cloudfront`, `mozilla`, `file`.
    pub family: String,
    /// One-line description.
    pub description: String,
    /// The documentation page the data was taken from.
    pub source_url: Option<String>,
    /// How sure the data is: `documented`, `documented (secondary)`, `from memory, unverified`, `user`.
    pub source_status: String,
    /// Details on the source.
    pub source_note: String,
    /// Whether the vendor's server picks by its own order (the list order).
    pub server_order: bool,
    /// Allowed protocol versions, oldest first.
    pub protocols: Vec<Version>,
    /// Allowed TLS 1.0–1.2 suites in vendor order; `None` means suites are not restricted.
    pub ciphers: Option<Vec<Suite>>,
    /// Allowed TLS 1.3 suites in vendor order; `None` means suites are not restricted.
    pub tls13_ciphers: Option<Vec<Suite>>,
    /// Allowed named groups (normalized, e.g. `x25519`, `secp256r1`); `None` means not restricted.
    pub groups: Option<Vec<String>>,
    /// Minimum RSA certificate key size in bits.
    pub min_rsa_bits: Option<u32>,
    /// Minimum finite-field DH group size in bits.
    pub min_dh_bits: Option<u32>,
    /// Minimum ECDSA certificate key size in bits.
    pub min_ecdsa_bits: Option<u32>,
    /// The chain must be trusted (scan `trust`: a trusted root, the host name, no weak
    /// signature or key).
    pub require_trusted_chain: bool,
    /// Where the policy was defined.
    pub origin: Origin,
    /// How s2n-tls (the library behind ALB/NLB and CloudFront) serves this policy, for the
    /// live check of the data (`crates/cli/tests/s2n_policies.rs`,
    /// `scripts/policy-data/s2n-policies.py`); internal, not in the JSON.
    #[serde(skip)]
    pub s2n: S2nName,
}

/// The s2n-tls security policy a built-in policy is checked against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum S2nName {
    /// s2n-tls registers the policy under its id (or it is not an AWS policy).
    #[default]
    SameAsId,
    /// s2n-tls registers it under this other name.
    Named(String),
    /// s2n-tls keeps its suite lists only under this other name: the suites (and their
    /// order) are compared, not the groups.
    SuitesOf(String),
}

impl S2nName {
    /// The s2n-tls name for the policy with this id.
    pub fn for_id<'a>(&'a self, id: &'a str) -> &'a str {
        match self {
            S2nName::SameAsId => id,
            S2nName::Named(n) | S2nName::SuitesOf(n) => n,
        }
    }
}

impl Policy {
    /// A policy that only sets a minimum protocol version (from `--min-version`).
    pub fn min_version(min: Version) -> Policy {
        Policy {
            id: format!("min-version-{}", min.name()),
            name: format!("min-version {}", min.name()),
            family: "min-version".into(),
            description: format!("Protocol versions {} and newer.", min.name()),
            source_url: None,
            source_status: "user".into(),
            source_note: String::new(),
            server_order: false,
            protocols: Version::ALL.into_iter().filter(|v| *v >= min).collect(),
            ciphers: None,
            tls13_ciphers: None,
            groups: None,
            min_rsa_bits: None,
            min_dh_bits: None,
            min_ecdsa_bits: None,
            require_trusted_chain: false,
            s2n: S2nName::SameAsId,
            origin: Origin::MinVersion,
        }
    }

    /// True when `version` is allowed.
    pub fn allows_version(&self, version: Version) -> bool {
        self.protocols.contains(&version)
    }

    /// The suite list that governs `version` (TLS 1.3 list at 1.3, the other list below).
    pub fn suites_for(&self, version: Version) -> Option<&[Suite]> {
        if version == Version::Tls13 {
            self.tls13_ciphers.as_deref()
        } else {
            self.ciphers.as_deref()
        }
    }

    /// True when `code` is allowed at `version` (always true when suites are unrestricted).
    pub fn allows_suite(&self, version: Version, code: u16) -> bool {
        match self.suites_for(version) {
            None => true,
            Some(list) => list.iter().any(|s| s.code == code),
        }
    }

    /// Every suite of the policy (TLS 1.3 first), without duplicates.
    pub fn all_suites(&self) -> Vec<&Suite> {
        let mut out: Vec<&Suite> = Vec::new();
        let lists = [self.tls13_ciphers.as_deref(), self.ciphers.as_deref()];
        for s in lists.into_iter().flatten().flatten() {
            if !out.iter().any(|o| o.code == s.code) {
                out.push(s);
            }
        }
        out
    }
}

/// Normalizes a named-group spelling to the IANA name of the wire registry (`prime256v1`,
/// `P-256` → `secp256r1`; `x25519mlkem768` → `X25519MLKEM768`), lower case for names the
/// registry does not know (e.g. `dh2048` for a DHE prime size).
pub fn normalize_group(name: &str) -> String {
    tlsfloor_wire::groups::group_by_name(name)
        .and_then(tlsfloor_wire::groups::known_group_name)
        .map(str::to_string)
        .unwrap_or_else(|| name.trim().to_ascii_lowercase().replace('_', ""))
}

/// The size of a finite-field DH group named like `ffdhe2048`, `dh2048` or `DH 1024`, if it is one.
pub fn dh_group_bits(name: &str) -> Option<u32> {
    let n = name
        .trim()
        .to_ascii_lowercase()
        .replace([' ', '_', '-'], "");
    let digits = n.strip_prefix("ffdhe").or_else(|| n.strip_prefix("dh"))?;
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names() {
        assert_eq!(normalize_group("prime256v1"), "secp256r1");
        assert_eq!(normalize_group("P-384"), "secp384r1");
        assert_eq!(normalize_group("X25519"), "x25519");
        assert_eq!(normalize_group("x25519mlkem768"), "X25519MLKEM768");
        assert_eq!(normalize_group("prime256v1"), "secp256r1");
        assert_eq!(normalize_group("DH2048"), "dh2048");
        assert_eq!(dh_group_bits("ffdhe2048"), Some(2048));
        assert_eq!(dh_group_bits("DH 1024"), Some(1024));
        assert_eq!(dh_group_bits("x25519"), None);
    }

    #[test]
    fn min_version_policy() {
        let p = Policy::min_version(Version::Tls12);
        assert_eq!(p.protocols, vec![Version::Tls12, Version::Tls13]);
        assert!(!p.allows_version(Version::Tls11));
        assert!(p.allows_suite(Version::Tls12, 0x002f));
    }
}
