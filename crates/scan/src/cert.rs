//! Certificate summaries (subject, issuer, SANs, key, validity, fingerprint) from DER, and
//! host name matching (RFC 6125 style: SAN dNSName with left-most wildcard, iPAddress SANs;
//! the subject CN only when the certificate has no SAN extension).

use crate::clock::rfc3339;
use crate::report::CertificateSummary;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use x509_parser::prelude::*;

/// Why a certificate could not be summarised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("certificate {index} of the chain could not be parsed: {reason}")]
pub struct CertError {
    /// Position in the chain (0 = leaf).
    pub index: usize,
    /// What the parser said.
    pub reason: String,
}

/// Names a certificate is valid for, extracted once for matching.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertNames {
    /// dNSName SANs (lowercase).
    pub dns: Vec<String>,
    /// iPAddress SANs.
    pub ips: Vec<IpAddr>,
    /// Subject common names (used only when there is no SAN extension).
    pub common_names: Vec<String>,
    /// Whether the certificate has a subjectAltName extension at all.
    pub has_san: bool,
}

fn ip_from_bytes(b: &[u8]) -> Option<IpAddr> {
    match b.len() {
        4 => <[u8; 4]>::try_from(b).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(b).ok().map(IpAddr::from),
        _ => None,
    }
}

fn rsa_bits(modulus: &[u8]) -> u32 {
    let m: &[u8] = {
        let first = modulus
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(modulus.len());
        &modulus[first..]
    };
    match m.first() {
        Some(&top) => (m.len() as u32 - 1) * 8 + (8 - top.leading_zeros()),
        None => 0,
    }
}

fn ec_bits(point: &[u8]) -> u32 {
    match point.len() {
        // uncompressed (0x04 || X || Y) and compressed (0x02/0x03 || X) encodings
        65 | 33 => 256,
        97 | 49 => 384,
        133 | 67 => 521,
        57 | 29 => 224,
        49..=200 => ((point.len() as u32 - 1) / 2) * 8,
        _ => 0,
    }
}

/// The key size OpenSSL itself reports (the size of p for DSA, the modulus for RSA-PSS).
fn openssl_key_bits(der: &[u8]) -> Option<u32> {
    let cert = openssl::x509::X509::from_der(der).ok()?;
    Some(cert.public_key().ok()?.bits())
}

fn key_info(spki: &SubjectPublicKeyInfo<'_>, der: &[u8]) -> (String, u32) {
    let oid = spki.algorithm.algorithm.to_id_string();
    let (name, bits) = match spki.parsed() {
        Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => ("RSA".into(), rsa_bits(rsa.modulus)),
        Ok(x509_parser::public_key::PublicKey::EC(ec)) => ("EC".into(), ec_bits(ec.data())),
        // DSA's size is that of p (in the parameters), not of the public value y.
        Ok(x509_parser::public_key::PublicKey::DSA(_)) => ("DSA".into(), 0),
        _ => match oid.as_str() {
            "1.3.101.112" => return ("Ed25519".into(), 256),
            "1.3.101.113" => return ("Ed448".into(), 456),
            "1.2.840.113549.1.1.10" => ("RSA-PSS".into(), 0),
            _ => (format!("unknown ({oid})"), 0),
        },
    };
    if bits == 0 {
        return (name, openssl_key_bits(der).unwrap_or(0));
    }
    (name, bits)
}

/// The signature algorithm's short name: x509-parser's registry, else OpenSSL's (which
/// names e.g. `dsa_with_SHA256`), else the dotted OID.
fn sig_alg_name(oid: &x509_parser::der_parser::oid::Oid<'_>) -> String {
    if let Ok(sn) = x509_parser::objects::oid2sn(oid, x509_parser::objects::oid_registry()) {
        return sn.to_string();
    }
    let dotted = oid.to_id_string();
    openssl::asn1::Asn1Object::from_str(&dotted)
        .ok()
        .and_then(|o| o.nid().short_name().ok().map(str::to_string))
        .filter(|n| !n.is_empty() && *n != "UNDEF")
        .unwrap_or(dotted)
}

/// Summarises one DER certificate; `now` (Unix seconds) is used for `days_left`.
/// Returns the summary and the names used for host name matching.
pub fn summarize(der: &[u8], now: i64) -> Result<(CertificateSummary, CertNames), String> {
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| e.to_string())?;
    let mut names = CertNames::default();
    let mut sans = Vec::new();
    if let Ok(Some(ext)) = cert.subject_alternative_name() {
        names.has_san = true;
        for gn in &ext.value.general_names {
            match gn {
                GeneralName::DNSName(d) => {
                    names.dns.push(d.to_ascii_lowercase());
                    sans.push(format!("DNS:{d}"));
                }
                GeneralName::IPAddress(b) => {
                    if let Some(ip) = ip_from_bytes(b) {
                        names.ips.push(ip);
                        sans.push(format!("IP:{ip}"));
                    }
                }
                _ => {}
            }
        }
    }
    for cn in cert.subject().iter_common_name() {
        if let Ok(s) = cn.as_str() {
            names.common_names.push(s.to_ascii_lowercase());
        }
    }
    let (key_type, key_bits) = key_info(cert.public_key(), der);
    let not_before = cert.validity().not_before.timestamp();
    let not_after = cert.validity().not_after.timestamp();
    let summary = CertificateSummary {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        sans,
        key_type,
        key_bits,
        signature_algorithm: sig_alg_name(&cert.signature_algorithm.algorithm),
        not_before: rfc3339(not_before),
        not_after: rfc3339(not_after),
        days_left: (not_after - now).div_euclid(86_400),
        sha256: hex::encode(Sha256::digest(der)),
    };
    Ok((summary, names))
}

/// Summarises a chain (leaf first). Certificates that fail to parse are reported as errors
/// and skipped; the returned names are the leaf's (if the leaf parsed).
pub fn summarize_chain(
    chain: &[Vec<u8>],
    now: i64,
) -> (Vec<CertificateSummary>, Option<CertNames>, Vec<CertError>) {
    let mut out = Vec::new();
    let mut leaf = None;
    let mut errors = Vec::new();
    for (index, der) in chain.iter().enumerate() {
        match summarize(der, now) {
            Ok((s, names)) => {
                if index == 0 {
                    leaf = Some(names);
                }
                out.push(s);
            }
            Err(reason) => errors.push(CertError { index, reason }),
        }
    }
    (out, leaf, errors)
}

fn dns_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.');
    let host = host.trim_end_matches('.');
    if pattern.eq_ignore_ascii_case(host) {
        return true;
    }
    // Wildcard only as the whole left-most label, matching exactly one label.
    let Some(suffix) = pattern.strip_prefix("*.") else {
        return false;
    };
    if suffix.split('.').count() < 2 {
        return false; // never `*.com`
    }
    match host.split_once('.') {
        Some((first, rest)) => !first.is_empty() && rest.eq_ignore_ascii_case(suffix),
        None => false,
    }
}

/// Whether a certificate with `names` is valid for `host` (a DNS name or an IP literal).
pub fn hostname_matches(names: &CertNames, host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return names.ips.contains(&ip);
    }
    if names.has_san {
        names.dns.iter().any(|p| dns_matches(p, host))
    } else {
        names.common_names.iter().any(|p| dns_matches(p, host))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A self-signed certificate for `key`, signed with SHA-256, as DER.
    fn self_signed(key: &openssl::pkey::PKey<openssl::pkey::Private>) -> Vec<u8> {
        use openssl::x509::{X509NameBuilder, X509};
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", "key.test").unwrap();
        let name = name.build();
        let mut b = X509::builder().unwrap();
        b.set_version(2).unwrap();
        b.set_subject_name(&name).unwrap();
        b.set_issuer_name(&name).unwrap();
        b.set_pubkey(key).unwrap();
        let t = openssl::asn1::Asn1Time::days_from_now(1).unwrap();
        b.set_not_before(&openssl::asn1::Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        b.set_not_after(&t).unwrap();
        b.sign(key, openssl::hash::MessageDigest::sha256()).unwrap();
        b.build().to_der().unwrap()
    }

    #[test]
    fn dsa_keys_are_the_size_of_p_and_their_signatures_are_named() {
        let dsa = openssl::dsa::Dsa::generate(2048).unwrap();
        let key = openssl::pkey::PKey::from_dsa(dsa).unwrap();
        let (s, _) = summarize(&self_signed(&key), 0).unwrap();
        assert_eq!((s.key_type.as_str(), s.key_bits), ("DSA", 2048));
        assert_eq!(s.signature_algorithm, "dsa_with_SHA256");
    }

    #[test]
    fn rsa_pss_keys_report_their_modulus() {
        let dir = tempfile_dir();
        let key = dir.join("pss.key");
        let ok = std::process::Command::new("openssl")
            .args([
                "genpkey",
                "-algorithm",
                "RSA-PSS",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
            ])
            .arg(&key)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(
            ok,
            "openssl genpkey RSA-PSS (the openssl CLI is needed for this test)"
        );
        let pem = std::fs::read(&key).unwrap();
        let key = openssl::pkey::PKey::private_key_from_pem(&pem).unwrap();
        let (s, _) = summarize(&self_signed(&key), 0).unwrap();
        assert_eq!((s.key_type.as_str(), s.key_bits), ("RSA-PSS", 2048));
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!(
            "tlsfloor-cert-test-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn names(dns: &[&str], ips: &[&str]) -> CertNames {
        CertNames {
            dns: dns.iter().map(|s| s.to_string()).collect(),
            ips: ips.iter().map(|s| s.parse().unwrap()).collect(),
            common_names: vec!["cn.example".into()],
            has_san: true,
        }
    }

    #[test]
    fn wildcards_match_one_label() {
        let n = names(&["*.example.com", "example.org"], &[]);
        assert!(hostname_matches(&n, "www.example.com"));
        assert!(hostname_matches(&n, "WWW.Example.Com"));
        assert!(!hostname_matches(&n, "a.b.example.com"));
        assert!(!hostname_matches(&n, "example.com"));
        assert!(hostname_matches(&n, "example.org"));
        assert!(!hostname_matches(&n, "cn.example"), "CN ignored with SANs");
        let bad = names(&["*.com"], &[]);
        assert!(!hostname_matches(&bad, "example.com"));
    }

    #[test]
    fn ip_sans_match_only_ips() {
        let n = names(&["127.0.0.1"], &["127.0.0.1", "::1"]);
        assert!(hostname_matches(&n, "127.0.0.1"));
        assert!(hostname_matches(&n, "::1"));
        assert!(!hostname_matches(&n, "127.0.0.2"));
        let dns_only = names(&["127.0.0.1"], &[]);
        assert!(!hostname_matches(&dns_only, "127.0.0.1"));
    }

    #[test]
    fn cn_used_without_san() {
        let n = CertNames {
            common_names: vec!["legacy.example".into()],
            ..CertNames::default()
        };
        assert!(hostname_matches(&n, "legacy.example"));
        assert!(!hostname_matches(&n, "other.example"));
    }

    #[test]
    fn key_sizes() {
        let mut m = vec![0u8];
        m.extend(std::iter::repeat_n(0xff, 256));
        assert_eq!(rsa_bits(&m), 2048);
        assert_eq!(rsa_bits(&[0x01, 0, 0]), 17);
        assert_eq!(ec_bits(&[4; 65]), 256);
        assert_eq!(ec_bits(&[4; 133]), 521);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(summarize(b"not a certificate", 0).is_err());
        let (certs, leaf, errors) = summarize_chain(&[vec![0x30, 0x03, 0x02]], 0);
        assert!(certs.is_empty() && leaf.is_none());
        assert_eq!(errors.len(), 1);
    }
}
