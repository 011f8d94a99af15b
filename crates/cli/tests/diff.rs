//! `tlsfloor diff`: two real scans of one endpoint, before and after its server gains TLS 1.0
//! (an `openssl s_server` restarted on the same port with other settings).

mod common;

use serde_json::Value;
use std::net::SocketAddr;
use tlsfloor_testkit::{free_port, Peer};

/// Scans `addr` (served by `peer_args`) and writes the report to `path`.
fn scan_to(addr: SocketAddr, peer_args: &[&str], path: &std::path::Path) {
    let _peer = Peer::openssl_s_server_at(addr, peer_args, false);
    let target = addr.to_string();
    let out = path.to_str().unwrap();
    let (code, stdout, stderr) = common::run(&["scan", "--no-groups", "-o", out, &target]);
    assert!(code == 0 || code == 3, "{stdout}\n{stderr}");
}

#[test]
fn a_legacy_version_added_is_a_regression_and_removed_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let (floor, legacy) = (
        dir.path().join("floor.json"),
        dir.path().join("legacy.json"),
    );
    scan_to(addr, &["-tls1_2"], &floor);
    scan_to(addr, &["-cipher", "ALL:@SECLEVEL=0", "-no_tls1_3"], &legacy);

    let (code, out, err) = common::run(&[
        "diff",
        "--json",
        floor.to_str().unwrap(),
        legacy.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}\n{err}");
    let d: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["schema"], "tlsfloor.diff/v1");
    let changes = d["endpoints"][0]["changes"].as_array().unwrap();
    let tls10 = changes
        .iter()
        .find(|c| c["kind"] == "version" && c["version"] == "TLSv1.0")
        .unwrap_or_else(|| panic!("{changes:?}"));
    assert_eq!(tls10["regression"], true);
    assert!(
        tls10["detail"]
            .as_str()
            .unwrap()
            .contains("not accepted → accepted"),
        "{tls10}"
    );

    let (code, out, _) = common::run(&["diff", legacy.to_str().unwrap(), floor.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("nothing regressed") && out.contains("TLSv1.0 accepted → not accepted"),
        "{out}"
    );
    let (code, out, _) = common::run(&["diff", floor.to_str().unwrap(), floor.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("1 unchanged"), "{out}");

    // The same diff as a Markdown table for a pull request, with the same exit status.
    let (code, out, _) = common::run(&[
        "diff",
        "--format",
        "markdown",
        floor.to_str().unwrap(),
        legacy.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains("| endpoint | state | result | change |"),
        "{out}"
    );
    let row = out
        .lines()
        .find(|l| l.contains("TLSv1.0") && l.starts_with("| `"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(row.contains("**regression**"), "{row}");
    assert!(out.contains("**1 regressed**"), "{out}");
}

#[test]
fn a_file_that_is_not_a_scan_report_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"schema\":\"tlsfloor.trail/v1\"}").unwrap();
    let (code, _, err) = common::run(&["diff", bad.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a tlsfloor scan report"), "{err}");
}

#[test]
fn every_json_field_is_documented() {
    let dir = tempfile::tempdir().unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    scan_to(addr, &["-tls1_2"], &a);
    scan_to(addr, &["-cipher", "ALL:@SECLEVEL=0", "-no_tls1_3"], &b);
    let (_, out, _) = common::run(&["diff", "--json", a.to_str().unwrap(), b.to_str().unwrap()]);
    let doc = serde_json::from_str(&out).unwrap();
    common::assert_documented(
        &doc,
        "diff.md",
        common::Documented::TableRows,
        "tlsfloor diff --json",
    );
}
