//! `tlsfloor diagnose` end to end: exit codes, JSON schema, input kinds, bad input.

mod common;

use common::run;

#[test]
fn tls10_client_against_tls12_policy_fails_with_reason_and_fix() {
    let (code, out, _) = run(&[
        "diagnose",
        "--client",
        "java-7",
        "--server",
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "--json",
    ]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["schema"], "tlsfloor.diagnose/v1");
    assert_eq!(v["result"], "failure");
    // Code points are integers, with hex beside them.
    let suite = &v["client"]["suites"][0];
    let code = suite["code"].as_u64().expect("integer code");
    assert_eq!(suite["hex"], format!("0x{code:04x}"));
    // The fix's handshake is named like every `negotiated` field.
    let n = &v["fixes"]["policy"]["negotiated"];
    assert!(n["suite"]["code"].is_u64(), "{n}");
    assert!(
        n["certificate"].is_string() && n["hello_retry_request"].is_boolean(),
        "{n}"
    );

    assert_eq!(v["failure"]["code"], "no_common_protocol");
    let msg = v["failure"]["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("TLS 1.0 max") && msg.contains("TLS 1.2, 1.3"),
        "{msg}"
    );
    let policy = v["fixes"]["policy"]["policy"].as_str().unwrap_or_default();
    assert!(!policy.is_empty(), "a policy fix is suggested");
    let fixed = run(&["diagnose", "--client", "java-7", "--server", policy]);
    assert_eq!(
        fixed.0, 0,
        "the suggested policy accepts the client: {}",
        fixed.1
    );
}

#[test]
fn success_and_matrix_exit_zero() {
    let (code, out, _) = run(&[
        "diagnose",
        "--client",
        "chrome-101",
        "--server",
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("OK      TLS 1.3"), "{out}");
    let (code, out, _) = run(&[
        "diagnose",
        "--all-clients",
        "--server",
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "--json",
    ]);
    // Some built-in clients (TLS 1.0-only ones) fail against a TLS 1.2 floor: a finding.
    assert_eq!(code, 1);
    let (code, _, _) = run(&[
        "diagnose",
        "--all-clients",
        "--no-fail",
        "--server",
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
    ]);
    assert_eq!(code, 0, "--no-fail only prints");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["kind"], "matrix");
    let rows = v["rows"].as_array().expect("rows");
    assert!(rows.len() >= 20);
    assert!(rows.iter().any(|r| r["result"] == "failure"));
    assert!(rows.iter().any(|r| r["result"] == "success"));
}

#[test]
fn ja3_client_and_usage_errors() {
    let ja3 = "769,47-53-10,0-10-11,23-24,0";
    let (code, out, _) = run(&[
        "diagnose",
        "--client",
        ja3,
        "--server",
        "ELBSecurityPolicy-TLS-1-0-2015-04",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("TLS 1.0"), "{out}");
    let (code, _, err) = run(&["diagnose", "--client", "no-such-client", "--server", "x"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(&[
        "diagnose",
        "--client",
        "no-such-client",
        "--server",
        "ELBSecurityPolicy-2016-08",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not a built-in client profile"), "{err}");
    let (code, _, _) = run(&["diagnose", "--server", "ELBSecurityPolicy-2016-08"]);
    assert_eq!(code, 2);
}

#[test]
fn list_clients_names_sources() {
    let (code, out, _) = run(&["diagnose", "--list-clients", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let clients = v["clients"].as_array().expect("clients");
    assert!(clients.len() >= 20);
    assert!(clients
        .iter()
        .all(|c| !c["source"].as_str().unwrap_or_default().is_empty()));
}

#[test]
fn live_target_is_scanned_then_simulated() {
    tlsfloor_testkit::require("openssl", "openssl");
    // The peer allows only TLS 1.2 and one suite: AES128-SHA (0x002f).
    let peer = tlsfloor_testkit::Peer::openssl_s_server(
        &["-tls1_2", "-cipher", "AES128-SHA:@SECLEVEL=0"],
        false,
    );
    let (code, out, err) = run(&[
        "diagnose", "--client", "java-7", "--server", &peer.addr, "--json",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["failure"]["code"], "no_common_protocol");
    let (code, out, err) = run(&[
        "diagnose",
        "--client",
        "android-7",
        "--server",
        &peer.addr,
        "--json",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["negotiated"]["version"], "TLSv1.2");
    assert_eq!(v["negotiated"]["suite"]["openssl"], "AES128-SHA");
}

#[test]
fn every_json_field_is_documented() {
    use common::{assert_documented, Documented::TablesOrExamples};
    let docs = [
        // A failure with a policy fix, a success, the matrix, the client list.
        vec![
            "diagnose",
            "--client",
            "java-7",
            "--server",
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
        ],
        vec![
            "diagnose",
            "--client",
            "firefox-100",
            "--server",
            "ELBSecurityPolicy-2016-08",
        ],
        vec![
            "diagnose",
            "--server",
            "ELBSecurityPolicy-2016-08",
            "--all-clients",
            "--no-fail",
        ],
        vec!["diagnose", "--list-clients"],
    ];
    for args in docs {
        let args: Vec<&str> = args.into_iter().chain(["--json"]).collect();
        let (code, out, err) = run(&args);
        assert!(
            code == 0 || code == 1 || code == 3,
            "{args:?}: {code} {err}"
        );
        let v: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"));
        assert_documented(&v, "diagnose.md", TablesOrExamples, &args.join(" "));
    }
}

#[test]
fn weak_negotiated_suites_are_marked_in_the_tables() {
    // AWS CLI v1 on OpenSSL 0.9.8 gets AES128-SHA (RSA key transport) from the 2016-08 policy.
    let (code, out, err) = run(&[
        "diagnose",
        "--client",
        "awscli-v1-openssl-0.9.8",
        "--server",
        "ELBSecurityPolicy-2016-08",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let ok = out.lines().find(|l| l.starts_with("OK")).expect(&out);
    assert!(ok.ends_with("AES128-SHA RSA-KX"), "{out}");
    assert!(out.contains("marks: RSA-KX = RSA key transport"), "{out}");
    let (_, matrix, _) = run(&[
        "diagnose",
        "--server",
        "ELBSecurityPolicy-2016-08",
        "--all-clients",
    ]);
    let row = matrix
        .lines()
        .find(|l| l.starts_with("awscli-v1-openssl-0.9.8"))
        .expect(&matrix);
    assert!(row.ends_with("RSA-KX"), "{matrix}");
    let strong = matrix
        .lines()
        .find(|l| l.starts_with("awscli-v2"))
        .expect(&matrix);
    assert!(!strong.contains("RSA-KX"), "{matrix}");
    assert_eq!(matrix.matches("marks:").count(), 1, "{matrix}");
}
