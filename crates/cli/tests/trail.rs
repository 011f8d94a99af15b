//! `tlsfloor trail` end to end: log trees the tests generate with known counts (gzip written by
//! the real `gzip` tool, corrupt files included), filters, output formats, exit codes, and the
//! agreement of the emitted Athena SQL run in DuckDB with tlsfloor's own counts.

mod common;

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const ACCT_A: &str = "111111111111";
const ACCT_B: &str = "222222222222";

/// One generated record and the facts the test knows about it.
struct Rec {
    json: String,
    version: Option<&'static str>,
    source: String,
    name: String,
    principal: String,
    ua: String,
    day: String,
}

/// Deterministic records: versions cycle TLSv1, TLSv1.1, 4x TLSv1.2, 3x TLSv1.3, none.
fn gen(seed: usize, n: usize, account: &str, region: &str, day: &str) -> Vec<Rec> {
    const SOURCES: [&str; 3] = ["s3.amazonaws.com", "kms.amazonaws.com", "sts.amazonaws.com"];
    const NAMES: [&str; 2] = ["GetThing", "PutThing"];
    const UAS: [&str; 3] = [
        "aws-sdk-java/1.11.30 Linux/3.10 Java_HotSpot(TM)/1.7.0_80",
        "aws-cli/1.10.1 Python/2.7.5",
        "Boto3/1.34.93 \"quoted\", comma",
    ];
    const CIPHERS: [&str; 2] = ["ECDHE-RSA-AES128-SHA", "AES128-SHA"];
    (0..n)
        .map(|j| {
            let i = j + seed * 7;
            let version = match i % 10 {
                0 => Some("TLSv1"),
                1 => Some("TLSv1.1"),
                2..=5 => Some("TLSv1.2"),
                6..=8 => Some("TLSv1.3"),
                _ => None,
            };
            let source = SOURCES[(i / 2) % 3].to_string();
            let name = NAMES[(i / 3) % 2].to_string();
            let ua = UAS[i % 3].to_string();
            let (identity, principal) = match i % 4 {
                0 => {
                    let arn = format!("arn:aws:iam::{account}:user/u{}", i % 3);
                    (
                        json!({"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": arn, "accountId": account, "userName": "u", "accessKeyId": format!("AKIA{}", i % 3)}),
                        arn,
                    )
                }
                1 => {
                    let arn = format!("arn:aws:sts::{account}:assumed-role/App/i-{}", i % 2);
                    (
                        json!({"type": "AssumedRole", "arn": arn, "accountId": account, "accessKeyId": format!("ASIA{}", i % 2),
                               "sessionContext": {"sessionIssuer": {"type": "Role", "arn": format!("arn:aws:iam::{account}:role/App{}", i % 2)}, "attributes": {"mfaAuthenticated": "false"}}}),
                        arn,
                    )
                }
                2 => (
                    json!({"type": "AWSService", "invokedBy": "cloudformation.amazonaws.com"}),
                    "cloudformation.amazonaws.com".to_string(),
                ),
                _ => (
                    json!({"type": "AWSAccount", "principalId": "AIDAOTHER", "accountId": "999999999999"}),
                    "AWSAccount:999999999999".to_string(),
                ),
            };
            let secs = (i * 37) % 86_000;
            let time = format!(
                "{day}T{:02}:{:02}:{:02}Z",
                secs / 3600,
                secs / 60 % 60,
                secs % 60
            );
            let mut v = json!({
                "eventVersion": "1.08",
                "userIdentity": identity,
                "eventTime": time,
                "eventSource": source,
                "eventName": name,
                "awsRegion": region,
                "sourceIPAddress": format!("198.51.100.{}", i % 5),
                "userAgent": ua,
                "requestParameters": {"bucketName": "b", "list": [1, 2, {"x": null}], "s": "a \\ b \u{e9}"},
                "responseElements": null,
                "eventID": format!("id-{seed}-{j}"),
                "readOnly": true,
                "eventType": "AwsApiCall",
                "recipientAccountId": account,
            });
            if let Some(ver) = version {
                v["tlsDetails"] = json!({
                    "tlsVersion": ver,
                    "cipherSuite": CIPHERS[i % 2],
                    "clientProvidedHostHeader": format!("{}.{region}.amazonaws.com", &source[..source.find('.').unwrap_or(0)]),
                });
            }
            Rec {
                json: v.to_string(),
                version,
                source,
                name,
                principal,
                ua,
                day: day.to_string(),
            }
        })
        .collect()
}

fn container(recs: &[Rec]) -> String {
    let parts: Vec<&str> = recs.iter().map(|r| r.json.as_str()).collect();
    format!("{{\"Records\":[{}]}}", parts.join(","))
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut child = Command::new("gzip")
        .args(["-c", "-6", "-n"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gzip must be installed");
    let mut stdin = child.stdin.take().unwrap();
    let data = data.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success());
    out.stdout
}

fn put(root: &Path, rel: &str, bytes: &[u8]) -> PathBuf {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, bytes).unwrap();
    p
}

fn s3_path(account: &str, region: &str, day: &str, name: &str) -> String {
    format!(
        "AWSLogs/{account}/CloudTrail/{region}/{}/{name}",
        day.replace('-', "/")
    )
}

/// Expected numbers, computed from the generated records.
#[derive(Default)]
struct Expect {
    read: u64,
    legacy: u64,
    versions: BTreeMap<&'static str, u64>,
    no_tls: u64,
    groups: BTreeMap<(String, String, String, String), u64>,
    days: BTreeMap<String, u64>,
}

impl Expect {
    fn add(&mut self, recs: &[Rec]) {
        for r in recs {
            self.read += 1;
            match r.version {
                None => self.no_tls += 1,
                Some(v) => {
                    *self.versions.entry(v).or_default() += 1;
                    if v == "TLSv1" || v == "TLSv1.1" {
                        self.legacy += 1;
                        *self
                            .groups
                            .entry((
                                r.source.clone(),
                                r.name.clone(),
                                r.principal.clone(),
                                r.ua.clone(),
                            ))
                            .or_default() += 1;
                        *self.days.entry(r.day.clone()).or_default() += 1;
                    }
                }
            }
        }
    }
}

/// Runs `tlsfloor trail ARGS…`: (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["trail"];
    all.extend_from_slice(args);
    common::run(&all)
}

fn run_json(args: &[&str]) -> (i32, Value) {
    let mut a = vec!["--json"];
    a.extend_from_slice(args);
    let (code, out, err) = run(&a);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, v)
}

fn version_calls(r: &Value, v: &str) -> u64 {
    r["tls_versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["tls_version"] == v)
        .map_or(0, |x| x["calls"].as_u64().unwrap())
}

/// The clean part of the fixture: two S3-layout gz files, a gz JSON Lines export with a
/// misleading name, and a pretty-printed plain JSON file.
fn clean_tree(root: &Path, e: &mut Expect) {
    let a = gen(1, 300, ACCT_A, "us-east-1", "2024-05-01");
    put(
        root,
        &s3_path(ACCT_A, "us-east-1", "2024-05-01", "a.json.gz"),
        &gzip(container(&a).as_bytes()),
    );
    e.add(&a);
    let b = gen(2, 200, ACCT_B, "eu-west-1", "2024-05-02");
    put(
        root,
        &s3_path(ACCT_B, "eu-west-1", "2024-05-02", "b.json.gz"),
        &gzip(container(&b).as_bytes()),
    );
    e.add(&b);
    let c = gen(3, 100, ACCT_A, "eu-west-1", "2024-05-03");
    let lines: Vec<&str> = c.iter().map(|r| r.json.as_str()).collect();
    put(
        root,
        "exports/lake-export.txt",
        &gzip((lines.join("\n") + "\n").as_bytes()),
    );
    e.add(&c);
    let d = gen(4, 50, ACCT_B, "us-east-1", "2024-05-03");
    let pretty =
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(&container(&d)).unwrap())
            .unwrap();
    put(root, "exports/plain.json", pretty.as_bytes());
    e.add(&d);
    // Digest files are signatures, not events: never read.
    put(
        root,
        &s3_path(ACCT_A, "us-east-1", "2024-05-01", "x")
            .replace("CloudTrail/", "CloudTrail-Digest/"),
        &gzip(br#"{"awsAccountId":"111111111111","digestStartTime":"2024-05-01T00:00:00Z"}"#),
    );
}

#[test]
fn clean_tree_counts_match_the_generated_records() {
    let dir = tempfile::tempdir().unwrap();
    let mut e = Expect::default();
    clean_tree(dir.path(), &mut e);
    let (code, r) = run_json(&[dir.path().to_str().unwrap(), "--top", "0"]);
    assert_eq!(code, 1, "legacy calls present: exit 1");
    assert_eq!(r["schema"], "tlsfloor.trail/v1");
    assert_eq!(r["files"]["total"], 4, "{}", r["files"]);
    assert_eq!(r["files"]["clean"], 4);
    assert_eq!(r["records"]["read"].as_u64(), Some(e.read));
    assert_eq!(r["records"]["invalid"], 0);
    assert_eq!(r["records"]["without_tls_details"].as_u64(), Some(e.no_tls));
    assert_eq!(version_calls(&r, "TLSv1.0"), e.versions["TLSv1"]);
    assert_eq!(version_calls(&r, "TLSv1.1"), e.versions["TLSv1.1"]);
    assert_eq!(version_calls(&r, "TLSv1.2"), e.versions["TLSv1.2"]);
    assert_eq!(version_calls(&r, "TLSv1.3"), e.versions["TLSv1.3"]);
    assert_eq!(r["records"]["legacy"].as_u64(), Some(e.legacy));
    assert!(r["problems"].as_array().unwrap().is_empty());

    let mut got = BTreeMap::new();
    for g in r["groups"].as_array().unwrap() {
        let k = &g["key"];
        let s = |f: &str| k[f].as_str().unwrap().to_string();
        got.insert(
            (
                s("event_source"),
                s("event_name"),
                s("principal"),
                s("user_agent"),
            ),
            g["calls"].as_u64().unwrap(),
        );
    }
    assert_eq!(got, e.groups);
    assert_eq!(r["groups_total"].as_u64(), Some(e.groups.len() as u64));
    assert_eq!(per_day(&r), e.days);

    // Only TLS 1.3 callers: none are "legacy" at a 1.2 floor, but --tls-version selects them.
    let (code, r13) = run_json(&[dir.path().to_str().unwrap(), "--tls-version", "1.3"]);
    assert_eq!(code, 1);
    assert_eq!(
        r13["records"]["legacy"].as_u64(),
        Some(e.versions["TLSv1.3"])
    );
    // A floor of 1.0 finds nothing: exit 0.
    let (code, r10) = run_json(&[dir.path().to_str().unwrap(), "--tls-below", "1.0"]);
    assert_eq!(code, 0, "{}", r10["verdict"]);
    assert_eq!(r10["records"]["legacy"], 0);
}

#[test]
fn filters_narrow_the_scope() {
    let dir = tempfile::tempdir().unwrap();
    let mut e = Expect::default();
    clean_tree(dir.path(), &mut e);
    let root = dir.path().to_str().unwrap();
    let b = gen(2, 200, ACCT_B, "eu-west-1", "2024-05-02");
    let d = gen(4, 50, ACCT_B, "us-east-1", "2024-05-03");
    let mut eb = Expect::default();
    eb.add(&b);
    eb.add(&d);
    let (_, r) = run_json(&[root, "--account", ACCT_B]);
    assert_eq!(r["records"]["in_scope"].as_u64(), Some(eb.read));
    assert_eq!(
        r["records"]["out_of_scope"].as_u64(),
        Some(e.read - eb.read)
    );
    assert_eq!(r["records"]["legacy"].as_u64(), Some(eb.legacy));

    // Region + event source (short name) + time window.
    let c = gen(3, 100, ACCT_A, "eu-west-1", "2024-05-03");
    let all: Vec<&Rec> = b.iter().chain(c.iter()).collect();
    let want = all
        .iter()
        .filter(|r| r.source == "kms.amazonaws.com" && r.day == "2024-05-03")
        .filter(|r| matches!(r.version, Some("TLSv1") | Some("TLSv1.1")))
        .count() as u64;
    let (_, r) = run_json(&[
        root,
        "--region",
        "eu-west-1",
        "--event-source",
        "kms",
        "--since",
        "2024-05-03",
        "--until",
        "2024-05-04T00:00:00Z",
    ]);
    assert_eq!(r["records"]["legacy"].as_u64(), Some(want));
    assert!(want > 0);

    // Bad flags are usage errors (exit 2).
    assert_eq!(run(&[root, "--since", "yesterday"]).0, 2);
    assert_eq!(run(&[root, "--by", "colour"]).0, 2);
    assert_eq!(run(&[root, "--tls-below", "9.9"]).0, 2);
    assert_eq!(run(&["/nonexistent/trail/path"]).0, 2);
}

#[test]
fn corrupt_inputs_are_reported_per_file_and_the_rest_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut e = Expect::default();
    clean_tree(root, &mut e);

    // Two gzip members; the second is cut right after its header: exactly the first member's
    // 40 records are complete.
    let recs = gen(5, 80, ACCT_A, "us-east-1", "2024-05-04");
    let first: Vec<&str> = recs[..40].iter().map(|r| r.json.as_str()).collect();
    let rest: Vec<&str> = recs[40..].iter().map(|r| r.json.as_str()).collect();
    let mut gz = gzip(format!("{{\"Records\":[{},", first.join(",")).as_bytes());
    let second = gzip(format!("{}]}}", rest.join(",")).as_bytes());
    gz.extend_from_slice(&second[..10]);
    put(root, "corrupt/truncated.json.gz", &gz);
    e.add(&recs[..40]);

    // Invalid JSON after three records.
    let bad = gen(6, 5, ACCT_A, "us-east-1", "2024-05-04");
    let text = format!(
        "{{\"Records\":[{},{},{},{{\"eventVersion\": oops}},{}]}}",
        bad[0].json, bad[1].json, bad[2].json, bad[4].json
    );
    put(root, "corrupt/broken.json", text.as_bytes());
    e.add(&bad[..3]);

    // Records missing fields inside an otherwise good file.
    let good = gen(7, 10, ACCT_B, "us-east-1", "2024-05-04");
    let mut parts: Vec<String> = good.iter().map(|r| r.json.clone()).collect();
    parts.push(
        good[0]
            .json
            .replace("\"eventName\":\"GetThing\",", "")
            .replace("\"eventName\":\"PutThing\",", ""),
    );
    parts.push(good[1].json.replace("2024-05-04T", "not-a-dateT"));
    put(
        root,
        "corrupt/missing-fields.json.gz",
        &gzip(format!("{{\"Records\":[{}]}}", parts.join(",")).as_bytes()),
    );
    e.add(&good);

    // Files of other formats.
    put(root, "corrupt/notes.txt", b"this is not a CloudTrail log\n");
    put(root, "corrupt/table.csv.gz", &gzip(b"a,b,c\n1,2,3\n"));
    put(
        root,
        "corrupt/badheader.json.gz",
        b"\x1f\x8b\x08\x00garbage-garbage-garbage",
    );

    let (code, r) = run_json(&[root.to_str().unwrap(), "--top", "0"]);
    assert_eq!(code, 1, "legacy found AND input skipped: exit 1");
    assert_eq!(r["verdict"]["legacy_found"], true);
    assert_eq!(r["verdict"]["input_skipped"], true);
    assert_eq!(r["records"]["read"].as_u64(), Some(e.read + 2));
    assert_eq!(r["records"]["invalid"], 2);
    assert_eq!(r["records"]["legacy"].as_u64(), Some(e.legacy));
    assert_eq!(version_calls(&r, "TLSv1.2"), e.versions["TLSv1.2"]);
    assert_eq!(r["files"]["total"], 10);
    assert_eq!(r["files"]["clean"], 4);
    assert_eq!(r["files"]["partial"], 2);
    assert_eq!(r["files"]["skipped"], 3);
    assert_eq!(r["files"]["with_invalid_records"], 1);
    common::assert_documented(
        &r,
        "trail.md",
        common::Documented::TablesOrExamples,
        "tlsfloor trail --json",
    );

    let problems: BTreeMap<String, (String, u64, String)> = r["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let name = Path::new(p["path"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (
                name,
                (
                    p["kind"].as_str().unwrap().to_string(),
                    p["records_counted"].as_u64().unwrap(),
                    p["reason"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect();
    assert_eq!(problems.len(), 6, "{problems:?}");
    let p = &problems["truncated.json.gz"];
    assert_eq!((p.0.as_str(), p.1), ("partial", 40));
    assert!(p.2.contains("truncated"), "{}", p.2);
    let p = &problems["broken.json"];
    assert_eq!((p.0.as_str(), p.1), ("partial", 3));
    let p = &problems["missing-fields.json.gz"];
    assert_eq!((p.0.as_str(), p.1), ("invalid_records", 10));
    for f in ["notes.txt", "table.csv.gz", "badheader.json.gz"] {
        assert_eq!(problems[f].0, "skipped", "{f}");
        assert_eq!(problems[f].1, 0);
    }

    // The terminal summary names the damaged files and what was counted.
    let (_, text, _) = run(&[root.to_str().unwrap()]);
    assert!(text.contains("truncated.json.gz"), "{text}");
    assert!(
        text.contains("40 records read before the damage are counted"),
        "{text}"
    );

    // Only damaged input, no legacy calls in it: exit 3.
    let only_bad = tempfile::tempdir().unwrap();
    put(only_bad.path(), "notes.txt", b"nothing here\n");
    let modern: Vec<Rec> = gen(8, 30, ACCT_A, "us-east-1", "2024-05-01")
        .into_iter()
        .filter(|r| !matches!(r.version, Some("TLSv1") | Some("TLSv1.1")))
        .collect();
    put(only_bad.path(), "ok.json", container(&modern).as_bytes());
    let (code, r) = run_json(&[only_bad.path().to_str().unwrap()]);
    assert_eq!(code, 3, "{}", r["verdict"]);
    assert_eq!(r["records"]["read"].as_u64(), Some(modern.len() as u64));

    // A single-member gzip cut in the middle: reported partial, fewer records, never a crash.
    let cut_dir = tempfile::tempdir().unwrap();
    let big = gen(9, 400, ACCT_A, "us-east-1", "2024-05-01");
    let gz = gzip(container(&big).as_bytes());
    put(cut_dir.path(), "cut.json.gz", &gz[..gz.len() / 2]);
    let (code, r) = run_json(&[cut_dir.path().to_str().unwrap()]);
    assert_eq!(r["files"]["partial"], 1);
    let n = r["records"]["read"].as_u64().unwrap();
    assert!(n > 0 && n < 400, "{n}");
    assert!(code == 1 || code == 3);
}

#[test]
fn csv_and_sql_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let mut e = Expect::default();
    clean_tree(dir.path(), &mut e);
    let (code, csv, _) = run(&[dir.path().to_str().unwrap(), "--csv", "--top", "0"]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "event_source,event_name,principal,user_agent,calls,first_seen,last_seen"
    );
    assert_eq!(lines.len(), e.groups.len() + 1);
    // The user agent with a quote and a comma is quoted per RFC 4180.
    assert!(csv.contains("\"Boto3/1.34.93 \"\"quoted\"\", comma\""));

    let (code, sql, _) = run(&[
        "--emit-sql",
        "lake",
        "--eds",
        "EXAMPLE-eds-id",
        "--account",
        ACCT_A,
    ]);
    assert_eq!(code, 0);
    assert!(sql.contains("FROM EXAMPLE-eds-id"));
    assert!(sql.contains("recipientaccountid IN ('111111111111')"));
    assert_eq!(run(&["--emit-sql", "lake"]).0, 2, "lake needs --eds");
}

/// Runs the emitted Athena SQL in DuckDB over a view shaped like the Athena CloudTrail table
/// (lower-case columns, `useridentity` and `tlsdetails` structs) and returns each statement's
/// rows.
fn duckdb(glob: &str, sql: &str) -> Vec<Vec<Vec<Value>>> {
    const SCRIPT: &str = r#"
import json, sys
import duckdb
glob, sql = sys.argv[1], sys.stdin.read()
rec = ('STRUCT("eventVersion" VARCHAR, "userIdentity" STRUCT("type" VARCHAR, "principalId" VARCHAR, '
       '"arn" VARCHAR, "accountId" VARCHAR, "invokedBy" VARCHAR, "accessKeyId" VARCHAR, "userName" VARCHAR, '
       '"onBehalfOf" STRUCT("userId" VARCHAR, "identityStoreArn" VARCHAR), '
       '"sessionContext" STRUCT("sessionIssuer" STRUCT("type" VARCHAR, "arn" VARCHAR))), "eventTime" VARCHAR, '
       '"eventSource" VARCHAR, "eventName" VARCHAR, "awsRegion" VARCHAR, "sourceIPAddress" VARCHAR, '
       '"userAgent" VARCHAR, "recipientAccountId" VARCHAR, "tlsDetails" STRUCT("tlsVersion" VARCHAR, '
       '"cipherSuite" VARCHAR, "clientProvidedHostHeader" VARCHAR))')
con = duckdb.connect()
# The Athena table of the documentation's DDL: lower-case columns and structs, and the
# partition columns of both layouts taken from the S3 key (.../CloudTrail/<region>/<yyyy>/<mm>/<dd>/).
con.execute(f"""CREATE VIEW cloudtrail_logs AS
SELECT r.eventVersion AS eventversion,
  struct_pack(type := r.userIdentity.type, principalid := r.userIdentity.principalId,
              arn := r.userIdentity.arn, accountid := r.userIdentity.accountId,
              invokedby := r.userIdentity.invokedBy, accesskeyid := r.userIdentity.accessKeyId,
              username := r.userIdentity.userName,
              onbehalfof := struct_pack(userid := r.userIdentity.onBehalfOf.userId),
              sessioncontext := struct_pack(sessionissuer := struct_pack(
                  arn := r.userIdentity.sessionContext.sessionIssuer.arn))) AS useridentity,
  r.eventTime AS eventtime, r.eventSource AS eventsource, r.eventName AS eventname,
  r.awsRegion AS awsregion, r.sourceIPAddress AS sourceipaddress, r.userAgent AS useragent,
  r.recipientAccountId AS recipientaccountid,
  CASE WHEN r.tlsDetails IS NULL THEN NULL ELSE struct_pack(tlsversion := r.tlsDetails.tlsVersion,
       ciphersuite := r.tlsDetails.cipherSuite,
       clientprovidedhostheader := r.tlsDetails.clientProvidedHostHeader) END AS tlsdetails,
  regexp_extract(filename, 'CloudTrail/([^/]+)/', 1) AS region,
  regexp_extract(filename, 'CloudTrail/[^/]+/([0-9]{{4}})/', 1) AS year,
  regexp_extract(filename, 'CloudTrail/[^/]+/[0-9]{{4}}/([0-9]{{2}})/', 1) AS month,
  regexp_extract(filename, 'CloudTrail/[^/]+/[0-9]{{4}}/[0-9]{{2}}/([0-9]{{2}})/', 1) AS day,
  regexp_extract(filename, 'CloudTrail/[^/]+/([0-9]{{4}}/[0-9]{{2}}/[0-9]{{2}})/', 1) AS "timestamp"
FROM (SELECT unnest(Records) AS r, filename FROM read_json('{glob}', columns = {{'Records': '{rec}[]'}},
      format = 'auto', filename = true, maximum_object_size = 268435456))""")
out = []
for stmt in sql.split(";"):
    body = "\n".join(l for l in stmt.splitlines() if not l.strip().startswith("--")).strip()
    if body:
        out.append([list(row) for row in con.execute(body).fetchall()])
print(json.dumps(out, default=str))
"#;
    if std::env::var_os("TLSFLOOR_SKIP_DUCKDB").is_some() {
        return Vec::new();
    }
    let mut child = Command::new("python3")
        .args(["-c", SCRIPT, glob])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(sql.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "DuckDB run failed (install it with scripts/install-test-deps, or set TLSFLOOR_SKIP_DUCKDB=1): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn key_string(v: &Value) -> String {
    match v {
        Value::Null => "<null>".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn athena_sql_in_duckdb_agrees_with_tlsfloor() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (i, (acct, region, day)) in [
        (ACCT_A, "us-east-1", "2024-05-01"),
        (ACCT_A, "eu-west-1", "2024-05-02"),
        (ACCT_B, "us-east-1", "2024-05-02"),
        (ACCT_B, "eu-west-1", "2024-05-03"),
    ]
    .into_iter()
    .enumerate()
    {
        let recs = gen(10 + i, 150 + 20 * i, acct, region, day);
        put(
            root,
            &s3_path(acct, region, day, &format!("f{i}.json.gz")),
            &gzip(container(&recs).as_bytes()),
        );
    }
    // Principals without ARN: no userIdentity at all, a type only, an empty ARN.
    let odd = [
        r#"{"eventVersion":"1.08","eventTime":"2024-05-02T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetThing","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.9","userAgent":"ua","recipientAccountId":"222222222222","tlsDetails":{"tlsVersion":"TLSv1","cipherSuite":"AES128-SHA","clientProvidedHostHeader":"s3.amazonaws.com"}}"#,
        r#"{"eventVersion":"1.08","userIdentity":{"type":"Root"},"eventTime":"2024-05-02T11:00:00Z","eventSource":"kms.amazonaws.com","eventName":"GetThing","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.9","userAgent":"ua","recipientAccountId":"222222222222","tlsDetails":{"tlsVersion":"TLSv1.1","cipherSuite":"AES128-SHA","clientProvidedHostHeader":"kms.amazonaws.com"}}"#,
        r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"","principalId":"AIDAX"},"eventTime":"2024-05-03T11:00:00Z","eventSource":"kms.amazonaws.com","eventName":"GetThing","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.9","userAgent":"ua","recipientAccountId":"222222222222","tlsDetails":{"tlsVersion":"TLSv1.1"}}"#,
        // SAML and Identity Center users of one account stay apart (user name, user ID).
        r#"{"eventVersion":"1.08","userIdentity":{"type":"SAMLUser","userName":"alice@example.com","accountId":"222222222222"},"eventTime":"2024-05-02T12:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithSAML","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.9","userAgent":"ua","recipientAccountId":"222222222222","tlsDetails":{"tlsVersion":"TLSv1"}}"#,
        r#"{"eventVersion":"1.08","userIdentity":{"type":"SAMLUser","userName":"bob@example.com","accountId":"222222222222"},"eventTime":"2024-05-02T12:01:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithSAML","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.9","userAgent":"ua","recipientAccountId":"222222222222","tlsDetails":{"tlsVersion":"TLSv1"}}"#,
        r#"{"eventVersion":"1.08","userIdentity":{"type":"IdentityCenterUser","arn":"","accountId":"222222222222","onBehalfOf":{"userId":"94482488-3041-7026-18f3-be45837cd0e4","identityStoreArn":"arn:aws:identitystore::222222222222:identitystore/d-9067230000"},"credentialId":"EXAMPLE"},"eventTime":"2024-05-02T13:00:00Z","eventSource":"sso.amazonaws.com","eventName":"ListAccounts","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.9","userAgent":"ua","recipientAccountId":"222222222222","tlsDetails":{"tlsVersion":"TLSv1.1"}}"#,
    ];
    put(
        root,
        &s3_path(ACCT_B, "us-east-1", "2024-05-02", "odd.json.gz"),
        &gzip(format!("{{\"Records\":[{}]}}", odd.join(",")).as_bytes()),
    );
    let glob = format!("{}/AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz", root.display());
    let cases: [&[&str]; 6] = [
        &[],
        &[
            "--by",
            "account,region,source-ip,cipher,host-header,tls-version",
            "--since",
            "2024-05-02",
            "--event-source",
            "kms,s3",
        ],
        &[
            "--by",
            "principal,event-name",
            "--tls-version",
            "1.1,1.3",
            "--account",
            ACCT_B,
        ],
        &[
            "--by",
            "access-key,caller-account,role,user-name,principal",
            "--top",
            "5",
        ],
        &[
            "--partitions",
            "region-date",
            "--since",
            "2024-05-02",
            "--until",
            "2024-05-03",
            "--region",
            "us-east-1",
            "--top",
            "3",
        ],
        &[
            "--partitions",
            "projection",
            "--since",
            "2024-05-02T06:00:00Z",
            "--region",
            "eu-west-1",
        ],
    ];
    for extra in cases {
        // tlsfloor reports every group; the SQL's own LIMIT is checked against its head.
        let top_at = extra.iter().position(|a| *a == "--top");
        let without_top: Vec<&str> = match top_at {
            Some(i) => [&extra[..i], &extra[i + 2..]].concat(),
            None => extra.to_vec(),
        };
        let mut args = vec![root.to_str().unwrap(), "--top", "0"];
        args.extend_from_slice(&without_top);
        let (_, r) = run_json(&args);
        let mut sql_args = vec!["--emit-sql", "athena"];
        if top_at.is_none() {
            sql_args.extend(["--top", "0"]);
        }
        sql_args.extend_from_slice(extra);
        let (code, sql, err) = run(&sql_args);
        assert_eq!(code, 0, "{err}");
        let res = duckdb(&glob, &sql);
        if res.is_empty() {
            eprintln!("TLSFLOOR_SKIP_DUCKDB set: agreement not checked");
            return;
        }
        assert_eq!(res.len(), 4, "four statements");
        services_agree(&r, &res[0], extra);
        versions_agree(&r, &res[1], extra);
        groups_agree(&r, &res[2], extra);
        days_agree(&r, &res[3], extra);
    }
}

/// Statement 1: legacy calls per service, in the same order.
fn services_agree(r: &Value, rows: &[Vec<Value>], extra: &[&str]) {
    let versions: Vec<String> = r["query"]["legacy_versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let sql: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(key_string).collect())
        .collect();
    let ours: Vec<Vec<String>> = r["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let mut row = vec![s["event_source"].as_str().unwrap().to_string()];
            row.extend(versions.iter().map(|v| s["by_version"][v].to_string()));
            row.push(s["legacy_calls"].to_string());
            row.push(s["calls"].to_string());
            row
        })
        .collect();
    assert!(!ours.is_empty(), "{extra:?} should find legacy services");
    assert_eq!(sql, ours, "services for {extra:?}");
}

/// Statement 2: totals by version (NULL = no tlsDetails or no tlsVersion).
fn versions_agree(r: &Value, rows: &[Vec<Value>], extra: &[&str]) {
    let sql: BTreeMap<String, u64> = rows
        .iter()
        .map(|row| (key_string(&row[0]), row[1].as_u64().unwrap()))
        .collect();
    let mut ours = BTreeMap::new();
    for v in r["tls_versions"].as_array().unwrap() {
        if v["calls"].as_u64().unwrap() > 0 {
            ours.insert(
                v["tls_version"].as_str().unwrap().to_string(),
                v["calls"].as_u64().unwrap(),
            );
        }
    }
    let nulls = r["records"]["without_tls_details"].as_u64().unwrap()
        + r["records"]["tls_details_without_version"]
            .as_u64()
            .unwrap();
    if nulls > 0 {
        ours.insert("<null>".to_string(), nulls);
    }
    assert_eq!(sql, ours, "totals by version for {extra:?}");
}

/// Statement 3: the same groups with first/last seen, in the same order, cut at the same top.
fn groups_agree(r: &Value, rows: &[Vec<Value>], extra: &[&str]) {
    let by = r["query"]["by"].as_array().unwrap();
    let n = by.len();
    let top = extra
        .iter()
        .position(|a| *a == "--top")
        .map_or(0, |i| extra[i + 1].parse::<usize>().unwrap());
    let sql: Vec<(Vec<String>, u64, String, String)> = rows
        .iter()
        .map(|row| {
            (
                row[..n].iter().map(key_string).collect(),
                row[n].as_u64().unwrap(),
                key_string(&row[n + 1]),
                key_string(&row[n + 2]),
            )
        })
        .collect();
    let mut ours: Vec<(Vec<String>, u64, String, String)> = r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                by.iter()
                    .map(|c| key_string(&g["key"][c.as_str().unwrap()]))
                    .collect(),
                g["calls"].as_u64().unwrap(),
                g["first_seen"].as_str().unwrap().to_string(),
                g["last_seen"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    if top > 0 {
        assert!(
            ours.len() > top,
            "{extra:?}: the top cut must cut something"
        );
        ours.truncate(top);
    }
    assert!(!ours.is_empty(), "{extra:?} should find legacy calls");
    assert_eq!(sql, ours, "groups for {extra:?}");
}

/// Statement 4: legacy calls per day.
fn days_agree(r: &Value, rows: &[Vec<Value>], extra: &[&str]) {
    let sql: BTreeMap<String, u64> = rows
        .iter()
        .map(|row| (key_string(&row[0]), row[1].as_u64().unwrap()))
        .collect();
    assert_eq!(sql, per_day(r), "per day for {extra:?}");
}

/// The report's legacy calls per day.
fn per_day(r: &Value) -> BTreeMap<String, u64> {
    r["per_day"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["day"].as_str().unwrap().to_string(),
                d["calls"].as_u64().unwrap(),
            )
        })
        .collect()
}
