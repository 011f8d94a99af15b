//! Builders for scan-report values used by the evaluation tests.
#![allow(dead_code)]

use tlsfloor_scan::report::*;
use tlsfloor_wire::Version;

/// An accepted suite by code, with names taken from the wire registry.
pub fn suite(code: u16) -> AcceptedSuite {
    let cs = tlsfloor_wire::suites::by_code(code).expect("test uses a registered suite");
    AcceptedSuite {
        code,
        iana: cs.iana.to_string(),
        openssl: cs.openssl.map(str::to_string),
        kx: cs.kx.to_string(),
        bits: cs.bits,
        group: None,
    }
}

/// A protocol entry.
pub fn proto(version: Version, codes: &[u16]) -> ProtocolReport {
    ProtocolReport {
        version,
        accepted: !codes.is_empty(),
        preference: if codes.len() > 1 {
            Preference::Server
        } else {
            Preference::NotApplicable
        },
        suites: codes.iter().map(|c| suite(*c)).collect(),
        groups: Vec::new(),
        error: None,
        status: None,
        refused_with: None,
    }
}

/// A certificate summary with the given key.
pub fn cert(key_type: &str, key_bits: u32) -> CertificateSummary {
    CertificateSummary {
        subject: "CN=localhost".into(),
        issuer: "CN=test CA".into(),
        sans: vec!["localhost".into()],
        key_type: key_type.into(),
        key_bits,
        signature_algorithm: "sha256WithRSAEncryption".into(),
        not_before: "2026-01-01T00:00:00Z".into(),
        not_after: "2027-01-01T00:00:00Z".into(),
        days_left: 100,
        sha256: "00".repeat(32),
    }
}

/// A reachable target accepting `accepted` (version, suites) with an RSA-2048 leaf.
pub fn target(name: &str, accepted: &[(Version, &[u16])]) -> TargetReport {
    let protocols = Version::ALL
        .iter()
        .map(|v| {
            let codes = accepted
                .iter()
                .find(|(av, _)| av == v)
                .map(|(_, c)| *c)
                .unwrap_or(&[]);
            proto(*v, codes)
        })
        .collect();
    TargetReport {
        address: Some(format!("127.0.0.1:{}", 443)),
        duration_ms: 1,
        protocols,
        certificates: vec![cert("RSA", 2048)],
        hostname_match: Some(true),
        ..TargetReport::new(name, "127.0.0.1", 443, None)
    }
}

/// A target that could not be scanned.
pub fn unreachable(name: &str) -> TargetReport {
    let mut t = target(name, &[]);
    t.protocols.clear();
    t.certificates.clear();
    t.error = Some(ProbeError {
        code: ErrorCode::Refused,
        message: "connection refused".into(),
    });
    t
}
