//! `tlsfloor demo`: starts its own servers on 127.0.0.1, scans them and explains the result.
//! The expected versions are the demo's documented configuration (legacy: TLS 1.0-1.1,
//! modern: TLS 1.2-1.3); the suite sets are checked against OpenSSL's own cipher listing.

mod common;

use common::{accepted_versions, tlsfloor};
use std::collections::BTreeSet;
use std::process::Command;
use tlsfloor_scan::report::ScanReport;
use tlsfloor_wire::Version;

/// `openssl ciphers -V -s -tls1_2 STRING`, RSA-authenticated suites only.
fn openssl_tls12(cipher: &str) -> BTreeSet<u16> {
    let out = Command::new("openssl")
        .args(["ciphers", "-V", "-s", "-tls1_2", cipher])
        .output()
        .expect("openssl ciphers");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("Au=RSA"))
        .filter_map(|l| {
            let code = l.split_whitespace().next()?;
            u16::from_str_radix(&code.replace("0x", "").replace(',', ""), 16).ok()
        })
        .collect()
}

/// Runs `tlsfloor demo --json`.
fn demo_json() -> std::process::Output {
    tlsfloor()
        .args(["demo", "--json"])
        .output()
        .expect("run tlsfloor demo")
}

#[test]
fn demo_json_matches_the_configured_servers() {
    let out = demo_json();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: ScanReport = serde_json::from_slice(&out.stdout).expect("scan JSON");
    assert_eq!(report.targets.len(), 2);
    let (legacy, modern) = (&report.targets[0], &report.targets[1]);
    assert_eq!(
        accepted_versions(legacy),
        vec![Version::Tls10, Version::Tls11]
    );
    assert_eq!(
        accepted_versions(modern),
        vec![Version::Tls12, Version::Tls13]
    );
    let tls12: BTreeSet<u16> = modern.protocols[3].suites.iter().map(|s| s.code).collect();
    assert_eq!(tls12, openssl_tls12("ECDHE+AESGCM:ECDHE+CHACHA20"));
    assert_eq!(modern.hostname_match, Some(true));
    let explanation = String::from_utf8_lossy(&out.stderr);
    assert!(
        explanation.contains("would fail a TLS 1.2 floor"),
        "{explanation}"
    );
}

#[test]
fn demo_table_explains_itself() {
    let out = tlsfloor().arg("demo").output().expect("run tlsfloor demo");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("What this demo shows"), "{text}");
    assert_eq!(
        text.matches("[scan matches the configuration]").count(),
        2,
        "{text}"
    );
    assert!(text.contains("TLSv1.0  accepted  LEGACY"), "{text}");
}

#[test]
fn every_json_field_is_documented() {
    let out = demo_json();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("scan JSON");
    let mut fields = BTreeSet::new();
    common::field_names(&report, &mut fields);
    for added in [
        "certificate_errors",
        "other_addresses",
        "complete",
        "pacing",
        "status",
    ] {
        assert!(fields.contains(added), "{added} missing from {fields:?}");
    }
    common::assert_documented(
        &report,
        "scan-json.md",
        common::Documented::TableRows,
        "tlsfloor demo --json",
    );
}
