//! `tlsfloor policy list|show|diff` and `tlsfloor check` on saved scan JSON files.

mod common;

use common::run;
use std::path::Path;
use tlsfloor_scan::report::*;
use tlsfloor_wire::Version;

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

#[test]
fn list_shows_every_builtin_policy() {
    let all = tlsfloor_policy::builtin().expect("built-ins");
    let (code, out, err) = run(&["policy", "list", "--json"]);
    assert_eq!(code, 0, "{err}");
    let doc = json(&out);
    assert_eq!(doc["schema"], "tlsfloor.policy-list/v1");
    let ids: Vec<&str> = doc["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), all.len());
    for want in [
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "cloudfront/TLSv1.2_2021",
        "mozilla/intermediate",
        "apigw-regional/TLS_1_0",
    ] {
        assert!(ids.contains(&want), "{want} listed");
    }
    let (code, text, _) = run(&["policy", "list"]);
    assert_eq!(code, 0);
    for id in &ids {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("{id} "))),
            "{id} in the table"
        );
    }
    let (code, text, _) = run(&["policy", "list", "--family", "mozilla"]);
    assert_eq!(code, 0);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("mozilla/")).count(),
        3
    );
}

#[test]
fn show_gives_protocols_and_suites_in_vendor_order() {
    let (code, out, err) = run(&["policy", "show", "ELBSecurityPolicy-2016-08", "--json"]);
    assert_eq!(code, 0, "{err}");
    let doc = json(&out);
    assert_eq!(doc["schema"], "tlsfloor.policy/v1");
    let p = &doc["policy"];
    assert_eq!(
        p["protocols"],
        serde_json::json!(["TLSv1.0", "TLSv1.1", "TLSv1.2"])
    );
    // AWS's documented server order starts ECDHE-ECDSA-AES128-GCM-SHA256, ECDHE-RSA-AES128-GCM-SHA256
    // and ends AES256-SHA; 18 suites, no TLS 1.3.
    let codes: Vec<u64> = p["ciphers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_u64().unwrap())
        .collect();
    assert_eq!(codes.len(), 18);
    assert_eq!(&codes[..2], &[0xc02b, 0xc02f]);
    assert_eq!(codes[17], 0x0035);
    assert_eq!(p["tls13_ciphers"], serde_json::json!([]));
    assert!(p["source_url"]
        .as_str()
        .unwrap()
        .contains("describe-ssl-policies"));

    let (code, text, _) = run(&["policy", "show", "cloudfront/TLSv1.2_2021"]);
    assert_eq!(code, 0);
    assert!(text.contains("ECDHE-RSA-CHACHA20-POLY1305"), "{text}");
    assert!(text.contains("TLS_AES_128_GCM_SHA256"));

    let (code, _, err) = run(&["policy", "show", "ELBSecurityPolicy-1999"]);
    assert_eq!(code, 2);
    assert!(err.contains("no built-in policy named"), "{err}");
    let (code, _, err) = run(&["policy", "show", "TLS_1_2"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("apigw-regional/TLS_1_2") && err.contains("apigw-edge/TLS_1_2"),
        "{err}"
    );
}

#[test]
fn diff_names_the_differences() {
    let (code, out, _) = run(&[
        "policy",
        "diff",
        "ELBSecurityPolicy-2016-08",
        "ELBSecurityPolicy-2015-05",
        "--json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(json(&out)["identical"], true);
    let (code, out, _) = run(&[
        "policy",
        "diff",
        "ELBSecurityPolicy-2016-08",
        "ELBSecurityPolicy-TLS-1-0-2015-04",
        "--json",
    ]);
    assert_eq!(code, 0);
    let d = json(&out);
    assert_eq!(d["schema"], "tlsfloor.policy-diff/v1");
    assert_eq!(d["suites_only_b"][0]["openssl"], "DES-CBC3-SHA");
    assert_eq!(d["suites_only_a"], serde_json::json!([]));
    let (_, text, _) = run(&[
        "policy",
        "diff",
        "ELBSecurityPolicy-TLS-1-2-2017-01",
        "ELBSecurityPolicy-TLS-1-1-2017-01",
    ]);
    assert!(text.contains("B only  protocol  TLSv1.1"), "{text}");
}

// ---- `check` on saved scan reports -----------------------------------------------------------

fn accepted(code: u16) -> AcceptedSuite {
    let cs = tlsfloor_wire::suites::by_code(code).expect("registered");
    AcceptedSuite {
        code,
        iana: cs.iana.into(),
        openssl: cs.openssl.map(Into::into),
        kx: cs.kx.into(),
        bits: cs.bits,
        group: None,
    }
}

fn target(name: &str, accepted_at: &[(Version, &[u16])]) -> TargetReport {
    TargetReport {
        address: Some("127.0.0.1:443".into()),
        duration_ms: 5,
        protocols: Version::ALL
            .iter()
            .map(|v| {
                let codes = accepted_at
                    .iter()
                    .find(|(a, _)| a == v)
                    .map(|(_, c)| *c)
                    .unwrap_or(&[]);
                ProtocolReport {
                    version: *v,
                    accepted: !codes.is_empty(),
                    preference: Preference::Server,
                    suites: codes.iter().map(|c| accepted(*c)).collect(),
                    groups: vec![],
                    error: None,
                    status: None,
                    refused_with: None,
                }
            })
            .collect(),
        certificates: vec![CertificateSummary {
            subject: "CN=localhost".into(),
            issuer: "CN=ca".into(),
            sans: vec![],
            key_type: "RSA".into(),
            key_bits: 2048,
            signature_algorithm: "sha256WithRSAEncryption".into(),
            not_before: "2026-01-01T00:00:00Z".into(),
            not_after: "2027-01-01T00:00:00Z".into(),
            days_left: 100,
            sha256: "00".repeat(32),
        }],
        hostname_match: Some(true),
        ..TargetReport::new(name, "127.0.0.1", 443, None)
    }
}

fn down(name: &str) -> TargetReport {
    let mut t = target(name, &[]);
    t.protocols.clear();
    t.certificates.clear();
    t.error = Some(ProbeError {
        code: ErrorCode::Refused,
        message: "connection refused".into(),
    });
    t
}

fn write_report(dir: &Path, targets: Vec<TargetReport>) -> String {
    let r = ScanReport {
        schema: SCAN_SCHEMA.into(),
        tool_version: "test".into(),
        started_at: "2026-01-01T00:00:00Z".into(),
        duration_ms: 1,
        targets,
        interrupted: false,
    };
    let p = dir.join("scan.json");
    std::fs::write(&p, serde_json::to_string_pretty(&r).unwrap()).unwrap();
    p.display().to_string()
}

fn legacy() -> TargetReport {
    target(
        "legacy.test:443",
        &[
            (Version::Tls10, &[0xc013, 0x002f]),
            (Version::Tls11, &[0xc013]),
            (Version::Tls12, &[0xc02f]),
        ],
    )
}

fn modern() -> TargetReport {
    target(
        "modern.test:443",
        &[
            (Version::Tls12, &[0xc02f, 0xc027, 0xc030, 0xc028]),
            (Version::Tls13, &[0x1301, 0x1302, 0x1303]),
        ],
    )
}

#[test]
fn check_min_version_fails_legacy_and_reports_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    let f = write_report(dir.path(), vec![legacy(), modern(), down("down.test:443")]);
    let (code, out, err) = run(&["check", &f, "--min-version", "1.2"]);
    assert_eq!(code, 1, "{out}{err}");
    let fail = out
        .lines()
        .position(|l| l.starts_with("FAIL") && l.contains("legacy.test"))
        .expect(&out);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[fail + 1].contains("TLSv1.0 accepted"), "{out}");
    assert!(lines[fail + 2].contains("TLSv1.1 accepted"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("PASS") && l.contains("modern.test")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("UNREACHABLE") && l.contains("down.test")),
        "{out}"
    );
    assert!(
        out.contains("Summary: 3 targets: 1 pass, 1 fail, 1 unreachable"),
        "{out}"
    );

    let (code, out, _) = run(&["check", &f, "--min-version", "1.2", "--json"]);
    assert_eq!(code, 1);
    let doc = json(&out);
    assert_eq!(doc["schema"], "tlsfloor.policy-check/v1");
    assert_eq!(doc["exit_code"], 1);
    let verdicts: Vec<&str> = doc["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["fail", "pass", "unreachable"]);
    let kinds: Vec<(&str, &str)> = doc["targets"][0]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["kind"].as_str().unwrap(), v["version"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("version_not_allowed", "TLSv1.0"),
            ("version_not_allowed", "TLSv1.1")
        ]
    );
}

#[test]
fn check_exit_codes_for_pass_and_unreachable_only() {
    let dir = tempfile::tempdir().unwrap();
    let f = write_report(dir.path(), vec![modern()]);
    assert_eq!(run(&["check", &f, "--min-version", "1.2"]).0, 0);
    assert_eq!(
        run(&[
            "check",
            &f,
            "--policy",
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "--strict"
        ])
        .0,
        0
    );
    // The Res policy forbids the CBC suites this server accepts.
    let (code, out, _) = run(&[
        "check",
        &f,
        "--policy",
        "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"),
        "{out}"
    );
    let f2 = write_report(dir.path(), vec![modern(), down("down.test:443")]);
    assert_eq!(run(&["check", &f2, "--min-version", "1.2"]).0, 3);
}

#[test]
fn check_identify_names_the_matching_elb_policy() {
    let dir = tempfile::tempdir().unwrap();
    let f = write_report(dir.path(), vec![modern(), legacy()]);
    let (code, out, err) = run(&["check", &f, "--identify"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("identify: matches ELBSecurityPolicy-TLS13-1-2-2021-06"),
        "{out}"
    );
    assert!(!out.contains("matches ELBSecurityPolicy-2016-08"), "{out}");
    let (_, out, _) = run(&["check", &f, "--identify", "--json"]);
    let doc = json(&out);
    assert_eq!(
        doc["targets"][0]["identify"]["exact"][0]["policy"],
        "ELBSecurityPolicy-TLS13-1-2-2021-06"
    );
    assert!(doc["targets"][1]["identify"]["exact"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(!doc["targets"][1]["identify"]["closest"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn check_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let f = write_report(dir.path(), vec![modern()]);
    let (code, _, err) = run(&["check", &f]);
    assert_eq!(code, 2);
    assert!(err.contains("nothing to check"), "{err}");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"not\": \"a scan\"}").unwrap();
    let (code, _, err) = run(&["check", bad.to_str().unwrap(), "--min-version", "1.2"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a tlsfloor scan report"), "{err}");
    let (code, _, err) = run(&["check", "/nonexistent/scan.json", "--min-version", "1.2"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read scan JSON"), "{err}");
    let (code, _, _) = run(&["check", &f, "--min-version", "1.4"]);
    assert_eq!(code, 2);
}

#[test]
fn policy_file_with_unknown_suite_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = write_report(dir.path(), vec![modern()]);
    let pf = dir.path().join("corp.toml");
    std::fs::write(
        &pf,
        "name = \"corp\"\nmin_version = \"1.2\"\nciphers = [\n  \"ECDHE-RSA-AES128-GCM-SHA256\",\n  \"ECDHE-RSA-AES128-GCM-SHA257\",\n]\n",
    )
    .unwrap();
    let (code, _, err) = run(&["check", &f, "--policy", pf.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "{}:5: unknown cipher suite \"ECDHE-RSA-AES128-GCM-SHA257\"",
            pf.display()
        )),
        "{err}"
    );
    // A good file: the modern target accepts suites outside this list.
    std::fs::write(
        &pf,
        "name = \"corp\"\nmin_version = \"1.2\"\nciphers = [\"ECDHE-RSA-AES128-GCM-SHA256\", \"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\", \"TLS_AES_128_GCM_SHA256\", \"TLS_AES_256_GCM_SHA384\", \"TLS_CHACHA20_POLY1305_SHA256\"]\n",
    )
    .unwrap();
    let (code, out, _) = run(&["check", &f, "--policy-file", pf.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("ECDHE-RSA-AES128-SHA256"), "{out}");
}

#[test]
fn a_misspelt_policy_fails_before_scanning_with_a_suggestion() {
    let (code, out, err) = common::run(&[
        "scan",
        "--json",
        "--policy",
        "mozila/intermediate",
        "127.0.0.1:1",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "nothing is scanned: {out}");
    assert!(err.contains("did you mean mozilla/intermediate"), "{err}");
    let (code, _, err) = common::run(&[
        "diagnose",
        "--client",
        "java7",
        "--server",
        "ELBSecurityPolicy-2016-08",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean java-7"), "{err}");
}

#[test]
fn check_csv_has_one_row_per_target_and_violation() {
    let dir = tempfile::tempdir().unwrap();
    let f = write_report(dir.path(), vec![legacy(), modern(), down("down.test:443")]);
    let (code, out, _) = run(&["check", &f, "--min-version", "1.2", "--csv"]);
    assert_eq!(code, 1, "the same exit status as the table: {out}");
    let rows: Vec<&str> = out.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        rows[0],
        "target,address,verdict,reason,policy,violation,version,suite_iana,message"
    );
    let legacy_rows: Vec<&&str> = rows
        .iter()
        .filter(|r| r.starts_with("legacy.test"))
        .collect();
    assert_eq!(legacy_rows.len(), 2, "TLS 1.0 and TLS 1.1: {out}");
    assert!(legacy_rows
        .iter()
        .all(|r| r.contains(",fail,") && r.contains("version_not_allowed")));
    assert!(
        rows.iter()
            .any(|r| r.starts_with("modern.test") && r.contains(",pass,")),
        "{out}"
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with("down.test") && r.contains(",unreachable,")),
        "{out}"
    );
    let (code, _, _) = run(&["check", &f, "--min-version", "1.2", "--csv", "--json"]);
    assert_eq!(code, 2, "--csv and --json exclude each other");
}

#[test]
fn check_markdown_is_one_table_for_a_pull_request() {
    let dir = tempfile::tempdir().unwrap();
    let f = write_report(dir.path(), vec![legacy(), modern()]);
    let (code, out, _) = run(&["check", &f, "--min-version", "1.2", "--format", "markdown"]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("### tlsfloor check"), "{out}");
    assert!(
        out.contains("| target | verdict | why |\n|---|---|---|\n"),
        "{out}"
    );
    let legacy_row = lines
        .iter()
        .find(|l| l.contains("`legacy.test:443`"))
        .expect(&out);
    assert!(
        legacy_row.contains("**FAIL**") && legacy_row.contains("TLSv1.0 accepted"),
        "{out}"
    );
    assert!(lines
        .iter()
        .any(|l| l.contains("`modern.test:443`") && l.contains("**PASS**")));
    // Every row has the header's three cells.
    for row in lines.iter().filter(|l| l.starts_with("| `")) {
        assert_eq!(row.matches(" | ").count(), 2, "{row}");
    }
}

#[test]
fn every_json_field_is_documented() {
    use common::{assert_documented, Documented::TablesOrExamples};
    let dir = tempfile::tempdir().unwrap();
    let f = write_report(dir.path(), vec![legacy(), modern(), down("down.test:443")]);
    let runs: [&[&str]; 5] = [
        &["policy", "list"],
        &["policy", "show", "ELBSecurityPolicy-2016-08"],
        &[
            "policy",
            "diff",
            "ELBSecurityPolicy-2016-08",
            "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
        ],
        &["check", &f, "--min-version", "1.2"],
        &["check", &f, "--identify"],
    ];
    for args in runs {
        let args: Vec<&str> = args.iter().copied().chain(["--json"]).collect();
        let (_, out, err) = run(&args);
        let v = json(&format!("{out}{}", if out.is_empty() { &err } else { "" }));
        assert_documented(&v, "policy.md", TablesOrExamples, &args.join(" "));
    }
}

#[test]
fn weak_suites_in_violations_carry_distinct_marks_and_a_legend() {
    let dir = tempfile::tempdir().unwrap();
    // ADH-AES128-SHA (anonymous), DES-CBC3-SHA (3DES, RSA key transport), ECDHE-RSA-RC4-SHA.
    let weak = target(
        "weak.test:443",
        &[(Version::Tls12, &[0x0034, 0x000a, 0xc011])],
    );
    let f = write_report(dir.path(), vec![weak]);
    let (code, out, err) = run(&[
        "check",
        &f,
        "--policy",
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    let line = |needle: &str| {
        out.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle}: {out}"))
            .to_string()
    };
    assert!(line("ADH-AES128-SHA").ends_with("ANON"), "{out}");
    assert!(line("DES-CBC3-SHA").ends_with("3DES,RSA-KX"), "{out}");
    assert!(line("ECDHE-RSA-RC4-SHA").ends_with("RC4"), "{out}");
    let legend = line("marks:");
    for m in ["ANON = ", "3DES = ", "RSA-KX = ", "RC4 = "] {
        assert_eq!(legend.matches(m).count(), 1, "{m} once in: {legend}");
    }
}
