//! `identify` against a real in-process OpenSSL server (the vendored OpenSSL, 3.5+, offers the
//! hybrid group X25519MLKEM768 by default) configured with the suites of
//! ELBSecurityPolicy-TLS13-1-2-2021-06.

use std::time::Duration;
use tlsfloor_localtls::{LocalServer, Pki, ServerConfig};
use tlsfloor_policy::identify::is_hybrid_mlkem;
use tlsfloor_policy::{find_builtin, identify};
use tlsfloor_scan::{parse_target, scan_target, ScanOptions};
use tlsfloor_wire::Version;

/// OpenSSL 3.5.0 (`0xMNN00PP0L`): the first release whose default groups include
/// X25519MLKEM768.
const OPENSSL_3_5: i64 = 0x3050_0000;

/// A TLS 1.2-1.3 server whose TLS 1.2 cipher list is the policy `id`'s own (OpenSSL names).
fn like(id: &str) -> ServerConfig {
    let ciphers: Vec<&str> = find_builtin(id)
        .unwrap()
        .ciphers
        .iter()
        .flatten()
        .filter_map(|s| s.openssl.as_deref())
        .collect();
    ServerConfig {
        min_version: Version::Tls12,
        max_version: Version::Tls13,
        ciphers: ciphers.join(":"),
        alpn: Vec::new(),
    }
}

/// Scans an in-process OpenSSL server configured with `cfg` (TLS 1.0 to 1.3 probed).
async fn scan_local(cfg: &ServerConfig) -> tlsfloor_scan::report::TargetReport {
    let pki = Pki::generate().unwrap();
    let server = LocalServer::start(&pki, cfg, false).await.unwrap();
    let target = parse_target(&server.addr.to_string(), Some("localhost")).unwrap();
    let opts = ScanOptions {
        timeout: Duration::from_secs(5),
        versions: vec![
            Version::Tls10,
            Version::Tls11,
            Version::Tls12,
            Version::Tls13,
        ],
        ..ScanOptions::default()
    };
    let report = scan_target(&target, &opts).await;
    drop(server);
    assert!(report.error.is_none(), "{:?}", report.error);
    report
}

#[tokio::test]
async fn mozilla_6_intermediate_is_told_from_5_7() {
    let report = scan_local(&like("mozilla-6.0/intermediate")).await;
    let all = tlsfloor_policy::builtin().unwrap();
    let id = identify(&report, all, 3);
    let exact: Vec<&str> = id.exact.iter().map(|m| m.policy.as_str()).collect();
    // 5.7 Intermediate also allows three DHE suites this server refuses.
    assert!(!exact.contains(&"mozilla/intermediate"), "{id:#?}");
    if openssl::version::number() >= OPENSSL_3_5 {
        assert_eq!(exact.first(), Some(&"mozilla-6.0/intermediate"), "{id:#?}");
    } else {
        assert!(exact.contains(&"mozilla-6.0/intermediate"), "{id:#?}");
    }
}

#[tokio::test]
async fn openssl_default_groups_identify_the_pq_policy() {
    let report = scan_local(&like("ELBSecurityPolicy-TLS13-1-2-2021-06")).await;
    let hybrid_by_default = openssl::version::number() >= OPENSSL_3_5;
    let tls13_groups: Vec<&String> = report
        .protocols
        .iter()
        .filter(|p| p.version == Version::Tls13)
        .flat_map(|p| &p.groups)
        .collect();
    assert_eq!(
        tls13_groups.iter().any(|g| is_hybrid_mlkem(g)),
        hybrid_by_default,
        "OpenSSL {} default groups vs scan {tls13_groups:?}",
        openssl::version::version()
    );

    let all = tlsfloor_policy::builtin().unwrap();
    let id = identify(&report, all, 3);
    let exact: Vec<&str> = id.exact.iter().map(|m| m.policy.as_str()).collect();
    let expected: &[&str] = if hybrid_by_default {
        &[
            "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
        ]
    } else {
        &["ELBSecurityPolicy-TLS13-1-2-2021-06"]
    };
    eprintln!(
        "OpenSSL {}: identify {exact:?}",
        openssl::version::version()
    );
    assert_eq!(exact, expected, "{id:#?}");
}
