//! Server descriptions from a policy or a saved scan.

use crate::error::DiagnoseError;
use crate::model::{CertKey, ServerConfig, OPENSSL_DEFAULT_GROUPS};
use tlsfloor_policy::Policy;
use tlsfloor_scan::report::{Preference, TargetReport};
use tlsfloor_wire::suites;
use tlsfloor_wire::Version;

/// OpenSSL 3's default TLS 1.3 suite order, used when a policy does not restrict them.
pub const OPENSSL_DEFAULT_TLS13: &[u16] = &[0x1302, 0x1303, 0x1301];

/// A server enforcing `policy` with certificates of the given key types.
///
/// Unrestricted parts of the policy get OpenSSL 3 defaults: every registry suite with an
/// ECDHE/DHE/RSA key exchange and RSA/ECDSA authentication (AEAD first), OpenSSL's TLS 1.3
/// suites and default groups. DHE is possible only when the policy lists a DHE suite.
pub fn from_policy(policy: &Policy, cert_keys: &[CertKey]) -> ServerConfig {
    let suites: Vec<u16> = match &policy.ciphers {
        Some(list) => list.iter().map(|s| s.code).collect(),
        None => default_suites(),
    };
    let tls13_suites: Vec<u16> = match &policy.tls13_ciphers {
        Some(list) => list.iter().map(|s| s.code).collect(),
        None => OPENSSL_DEFAULT_TLS13.to_vec(),
    };
    let groups: Vec<u16> = match &policy.groups {
        Some(names) => names
            .iter()
            .filter_map(|n| tlsfloor_wire::groups::group_by_name(n))
            .collect(),
        None => OPENSSL_DEFAULT_GROUPS.to_vec(),
    };
    let dh_params = suites
        .iter()
        .any(|c| suites::by_code(*c).is_some_and(|s| s.kx == "DHE"));
    let family = if policy.family.is_empty() {
        None
    } else {
        Some(policy.family.clone())
    };
    ServerConfig {
        id: policy.id.clone(),
        name: policy.name.clone(),
        family,
        versions: policy.protocols.clone(),
        suites,
        tls13_suites,
        server_preference: policy.server_order,
        groups,
        cert_keys: cert_keys.to_vec(),
        dh_params,
        source: match &policy.source_url {
            Some(u) => format!("policy {} ({}; {})", policy.id, policy.source_status, u),
            None => format!("policy {} ({})", policy.id, policy.source_status),
        },
    }
}

fn default_suites() -> Vec<u16> {
    let mut out: Vec<&suites::CipherSuite> = suites::all()
        .iter()
        .filter(|s| {
            matches!(s.kx, "ECDHE" | "DHE" | "RSA")
                && matches!(s.auth, "RSA" | "ECDSA")
                && !s.export
                && s.enc != "NULL"
                && s.max_version < Version::Tls13
        })
        .collect();
    out.sort_by_key(|s| (!s.is_aead(), s.kx == "RSA", s.code));
    out.into_iter().map(|s| s.code).collect()
}

/// A server as a saved scan saw it: accepted versions and suites (in the server's order when
/// the scan found one), accepted groups, certificate key types (from the accepted suites' and
/// the leaf certificate's key).
pub fn from_scan(target: &TargetReport) -> Result<ServerConfig, DiagnoseError> {
    if let Some(e) = &target.error {
        return Err(DiagnoseError::BadScan(format!(
            "{} was not scanned: {}",
            target.target, e.message
        )));
    }
    let accepted: Vec<_> = target.protocols.iter().filter(|p| p.accepted).collect();
    if accepted.is_empty() {
        return Err(DiagnoseError::BadScan(format!(
            "{} accepted no protocol version",
            target.target
        )));
    }
    let mut versions: Vec<Version> = accepted.iter().map(|p| p.version).collect();
    versions.sort();
    let mut suites_12: Vec<u16> = Vec::new();
    let mut suites_13: Vec<u16> = Vec::new();
    let mut groups: Vec<u16> = Vec::new();
    // Newest version first: its order is the one modern clients meet.
    for p in accepted.iter().rev() {
        let list = if p.version == Version::Tls13 {
            &mut suites_13
        } else {
            &mut suites_12
        };
        for s in &p.suites {
            if !list.contains(&s.code) {
                list.push(s.code);
            }
        }
        let named = p
            .groups
            .iter()
            .map(String::as_str)
            .chain(p.suites.iter().filter_map(|s| s.group.as_deref()));
        for g in named.filter_map(tlsfloor_wire::groups::group_by_name) {
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
    }
    let groups_note = if groups.is_empty() {
        groups = OPENSSL_DEFAULT_GROUPS.to_vec();
        "; groups not in the scan, OpenSSL defaults assumed"
    } else {
        ""
    };
    let server_preference = !accepted.iter().any(|p| p.preference == Preference::Client);
    let cert_keys = scan_cert_keys(target, &suites_12);
    let dh_params = suites_12
        .iter()
        .any(|c| suites::by_code(*c).is_some_and(|s| s.kx == "DHE"));
    Ok(ServerConfig {
        id: target.target.clone(),
        name: target.target.clone(),
        family: None,
        versions,
        suites: suites_12,
        tls13_suites: suites_13,
        server_preference,
        groups,
        cert_keys,
        dh_params,
        source: format!("scan of {}{groups_note}", target.target),
    })
}

fn scan_cert_keys(target: &TargetReport, suites_12: &[u16]) -> Vec<CertKey> {
    let mut keys = Vec::new();
    if let Some(leaf) = target.certificates.first() {
        let kt = leaf.key_type.to_ascii_uppercase();
        if kt.contains("RSA") {
            keys.push(CertKey::Rsa);
        } else if kt.starts_with("EC") {
            let curve = match leaf.key_bits {
                384 => 24,
                521 => 25,
                _ => 23,
            };
            keys.push(CertKey::Ecdsa { curve });
        }
    }
    for c in suites_12 {
        if let Some(s) = suites::by_code(*c) {
            let k = match s.auth {
                "RSA" => Some(CertKey::Rsa),
                "ECDSA" => Some(CertKey::ECDSA_P256),
                _ => None,
            };
            if let Some(k) = k {
                let have = keys
                    .iter()
                    .any(|h| std::mem::discriminant(h) == std::mem::discriminant(&k));
                if !have {
                    keys.push(k);
                }
            }
        }
    }
    if keys.is_empty() {
        keys.push(CertKey::Rsa);
    }
    keys
}
