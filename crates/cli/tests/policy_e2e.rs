//! End to end: real `openssl s_server` peers on 127.0.0.1, scanned by `tlsfloor scan`, judged by
//! `--policy`, `--min-version`, `--identify` and by `tlsfloor check` on the saved JSON.

mod common;

use common::run;
use std::process::Command;
use tlsfloor_testkit::Peer;

/// ELBSecurityPolicy-TLS13-1-2-2021-06 as AWS lists it (OpenSSL names, server order).
const ELB_TLS13_1_2_2021_06: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:\
ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:\
ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384";
const ELB_TLS13_SUITES: &str =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

/// True when `openssl s_client` completes a handshake at `flag` (e.g. `-tls1`) with `addr`.
fn s_client_accepts(addr: &str, flag: &str) -> bool {
    let out = Command::new("timeout")
        .args([
            "10",
            "openssl",
            "s_client",
            "-connect",
            addr,
            flag,
            "-cipher",
            "DEFAULT:@SECLEVEL=0",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run openssl s_client");
    let text = String::from_utf8_lossy(&out.stdout);
    text.contains("Cipher is") && !text.contains("Cipher is (NONE)")
}

#[test]
fn server_with_the_elb_tls13_cipher_list_is_identified() {
    let peer = Peer::openssl_s_server(
        &[
            "-min_protocol",
            "TLSv1.2",
            "-cipher",
            ELB_TLS13_1_2_2021_06,
            "-ciphersuites",
            ELB_TLS13_SUITES,
            "-serverpref",
        ],
        false,
    );
    let (code, scan_json, err) = run(&["scan", "--json", &peer.addr]);
    assert_eq!(code, 0, "scan failed: {err}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scan.json");
    std::fs::write(&file, &scan_json).unwrap();
    let f = file.to_str().unwrap();

    let (code, out, err) = run(&["check", f, "--identify", "--json"]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let exact: Vec<&str> = doc["targets"][0]["identify"]["exact"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["policy"].as_str().unwrap())
        .collect();
    assert!(
        exact.contains(&"ELBSecurityPolicy-TLS13-1-2-2021-06"),
        "{out}"
    );
    assert!(!exact.contains(&"ELBSecurityPolicy-2016-08"), "{out}");

    // The policy itself passes, strictly; 2016-08 does not (TLS 1.3 is not in it).
    let (code, out, _) = run(&[
        "check",
        f,
        "--policy",
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "--strict",
    ]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = run(&["check", f, "--policy", "ELBSecurityPolicy-2016-08"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("TLSv1.3 accepted"), "{out}");

    // Same judgement straight from a live scan.
    let (code, out, err) = run(&[
        "scan",
        &peer.addr,
        "--policy",
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "--identify",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("matches ELBSecurityPolicy-TLS13-1-2-2021-06"),
        "{out}"
    );
}

#[test]
fn tls10_and_tls11_server_fails_min_version_1_2() {
    let peer = Peer::openssl_s_server(
        &[
            "-cipher",
            "DEFAULT:@SECLEVEL=0",
            "-min_protocol",
            "TLSv1",
            "-max_protocol",
            "TLSv1.1",
        ],
        false,
    );
    // What the peer accepts, according to the peer tooling itself.
    assert!(
        s_client_accepts(&peer.addr, "-tls1"),
        "s_server accepts TLS 1.0"
    );
    assert!(
        s_client_accepts(&peer.addr, "-tls1_1"),
        "s_server accepts TLS 1.1"
    );
    assert!(
        !s_client_accepts(&peer.addr, "-tls1_2"),
        "s_server refuses TLS 1.2"
    );

    let (code, out, err) = run(&["scan", &peer.addr, "--min-version", "1.2"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("FAIL") && l.contains(&peer.addr)),
        "{out}"
    );
    assert!(out.contains("TLSv1.0 accepted"), "{out}");
    assert!(out.contains("TLSv1.1 accepted"), "{out}");

    let (code, out, _) = run(&["scan", &peer.addr, "--min-version", "1.2", "--json"]);
    assert_eq!(code, 1);
    // One document, with or without a policy: the scan report, verdicts in `policy_check`.
    let scan: serde_json::Value = serde_json::from_str(&out).expect(&out);
    assert_eq!(scan["schema"], "tlsfloor.scan/v1");
    assert_eq!(scan["targets"][0]["target"], peer.addr.as_str());
    let doc = &scan["policy_check"];
    assert_eq!(doc["schema"], "tlsfloor.policy-check/v1");
    assert_eq!(doc["exit_code"], 1);
    let versions: Vec<&str> = doc["targets"][0]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["TLSv1.0", "TLSv1.1"]);
}

#[test]
fn unreachable_target_is_not_pass() {
    let port = tlsfloor_testkit::free_port();
    let addr = format!("127.0.0.1:{port}");
    let (code, out, err) = run(&["scan", &addr, "--min-version", "1.2"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.lines().any(|l| l.starts_with("UNREACHABLE")), "{out}");
}

/// Policy ids `check --identify --json` reports as exact matches for `scan_json`.
fn exact_matches(scan_json: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scan.json");
    std::fs::write(&file, scan_json).unwrap();
    let (code, out, err) = run(&["check", file.to_str().unwrap(), "--identify", "--json"]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    doc["targets"][0]["identify"]["exact"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["policy"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn tls13_only_policies_are_told_apart_by_their_suites() {
    // ELB TLS13-1-3-FIPS-2023-04 allows the two AES-GCM suites; API Gateway's
    // SecurityPolicy_TLS13_1_3_2025_09, ELB TLS13-1-3-2021-06 and CloudFront TLSv1.3_2025 (as
    // s2n-tls serves it) add ChaCha20.
    let aes_only = Peer::openssl_s_server(
        &[
            "-tls1_3",
            "-ciphersuites",
            "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384",
        ],
        false,
    );
    let (code, json, err) = run(&["scan", "--json", &aes_only.addr]);
    assert_eq!(code, 0, "scan failed: {err}");
    let exact = exact_matches(&json);
    assert!(
        exact
            .iter()
            .any(|p| p == "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04"),
        "{exact:?}"
    );
    assert!(
        !exact.iter().any(
            |p| p == "apigw/SecurityPolicy_TLS13_1_3_2025_09" || p == "cloudfront/TLSv1.3_2025"
        ),
        "{exact:?}"
    );

    let with_chacha =
        Peer::openssl_s_server(&["-tls1_3", "-ciphersuites", ELB_TLS13_SUITES], false);
    let (code, json, err) = run(&["scan", "--json", &with_chacha.addr]);
    assert_eq!(code, 0, "scan failed: {err}");
    let exact = exact_matches(&json);
    assert!(
        exact
            .iter()
            .any(|p| p == "apigw/SecurityPolicy_TLS13_1_3_2025_09"),
        "{exact:?}"
    );
    assert!(
        !exact
            .iter()
            .any(|p| p == "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04"),
        "{exact:?}"
    );
}

#[test]
fn closest_policies_count_exactly_the_differences_they_list() {
    // ELBSecurityPolicy-2016-08's suites at TLS 1.0 and 1.2 but not 1.1: a near miss whose
    // nearest policies each differ by a whole version (one line, several suites).
    let policy = tlsfloor_policy::find_builtin("ELBSecurityPolicy-2016-08").unwrap();
    let names: Vec<&str> = policy
        .ciphers
        .iter()
        .flatten()
        .filter_map(|s| s.openssl.as_deref())
        .collect();
    let ciphers = format!("{}:@SECLEVEL=0", names.join(":"));
    let peer = Peer::openssl_s_server(
        &[
            "-no_tls1_1",
            "-no_tls1_3",
            "-serverpref",
            "-cipher",
            &ciphers,
        ],
        false,
    );
    let (code, json, err) = run(&["scan", "--json", &peer.addr]);
    assert_eq!(code, 0, "scan failed: {err}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scan.json");
    std::fs::write(&file, json).unwrap();
    let (_, out, err) = run(&["check", file.to_str().unwrap(), "--identify"]);
    let lines: Vec<&str> = out.lines().collect();
    let mut checked = 0;
    for (i, l) in lines.iter().enumerate() {
        // "    POLICY (FAMILY), N difference(s)[ note]"
        let Some((head, _)) = l.split_once(" difference(s)") else {
            continue;
        };
        let n: usize = head
            .rsplit(", ")
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no count in {l:?}"));
        let listed = lines[i + 1..]
            .iter()
            .take_while(|x| x.starts_with("      "))
            .count();
        assert_eq!(n, listed, "{l}\n{out}{err}");
        checked += 1;
    }
    assert!(checked > 0, "no closest policy listed: {out}{err}");
}
