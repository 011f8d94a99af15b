//! Every input layout users have, the real record shapes, other AWS data beside the logs, and
//! directory walking: each read through the whole audit with known expected counts.

use flate2::write::GzEncoder;
use std::io::Write;
use std::path::{Path, PathBuf};
use tlsfloor_trail::input::{Pattern, WalkOptions};
use tlsfloor_trail::report::TrailReport;
use tlsfloor_trail::tls::Selection;
use tlsfloor_trail::{audit, By, Plan, Query};
use tlsfloor_wire::Version;

fn fixture(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn put(root: &Path, rel: &str, bytes: &[u8]) -> PathBuf {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, bytes).unwrap();
    p
}

fn audit_paths(paths: &[PathBuf], q: &Query, walk: &WalkOptions) -> TrailReport {
    let plan = Plan::walk(paths, walk).unwrap();
    audit::run(&plan, q, Some(2), &audit::NoProgress).unwrap()
}

fn audit_one(path: &Path, q: &Query) -> TrailReport {
    audit_paths(&[path.to_path_buf()], q, &WalkOptions::default())
}

fn every_version() -> Query {
    Query {
        selection: Selection::exactly(&Version::ALL),
        floor: None,
        by: vec![By::Principal],
        top: 0,
        ..Query::default()
    }
}

#[test]
fn real_record_shapes_name_their_principals() {
    let dir = tempfile::tempdir().unwrap();
    let path = put(dir.path(), "shapes.jsonl", &fixture("shapes.jsonl"));
    let r = audit_one(&path, &every_version());
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.records.read, 13);
    assert_eq!(
        r.records.without_tls_details, 1,
        "AWSService without tlsDetails"
    );
    assert_eq!(r.records.tls_details_without_version, 1);
    let other: Vec<&str> = r
        .tls_versions
        .iter()
        .filter(|v| !v.recognised)
        .map(|v| v.tls_version.as_str())
        .collect();
    assert_eq!(
        other,
        ["1.3"],
        "an unknown spelling is listed as found, never legacy"
    );
    let expected: Vec<String> = String::from_utf8(fixture("shapes-principals.txt"))
        .unwrap()
        .lines()
        .filter(|l| *l != "-" && *l != "cloudtrail.amazonaws.com")
        .map(str::to_string)
        .collect();
    let mut got: Vec<String> = r
        .groups
        .iter()
        .map(|g| g.key.get("principal").unwrap().to_string())
        .collect();
    got.sort();
    let mut want = expected.clone();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn role_access_key_caller_account_and_user_name_group_as_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = put(dir.path(), "shapes.jsonl", &fixture("shapes.jsonl"));
    let q = Query {
        by: vec![By::Role],
        ..every_version()
    };
    let r = audit_one(&path, &q);
    let role = r
        .groups
        .iter()
        .find(|g| g.key.get("role") == Some("arn:aws:iam::111122223333:role/App"))
        .expect("the App role");
    assert_eq!(role.calls, 2, "both sessions of the role in one group");
    for (by, column, value, calls) in [
        (By::AccessKey, "access_key", "ASIAONE", 1),
        (By::CallerAccount, "caller_account", "444455556666", 1),
        (By::UserName, "user_name", "carol@example.com", 1),
    ] {
        let r = audit_one(
            &path,
            &Query {
                by: vec![by],
                ..every_version()
            },
        );
        let g = r.groups.iter().find(|g| g.key.get(column) == Some(value));
        assert_eq!(g.map(|g| g.calls), Some(calls), "{column}: {:?}", r.groups);
    }
}

/// Each wrapper holds the same four calls: TLSv1 twice, TLSv1.1, TLSv1.3.
fn assert_the_four_calls(r: &TrailReport, what: &str) {
    assert!(r.problems.is_empty(), "{what}: {:?}", r.problems);
    assert_eq!(r.records.in_scope, 4, "{what}");
    assert_eq!(r.records.legacy, 3, "{what}");
    assert_eq!(r.verdict.exit_code, 1, "{what}");
    let s3 = r
        .services
        .iter()
        .find(|s| s.event_source == "s3.amazonaws.com");
    let s3 = s3.unwrap_or_else(|| panic!("{what}: {:?}", r.services));
    assert_eq!((s3.legacy_calls, s3.calls), (3, 4), "{what}");
    assert_eq!(s3.by_version["TLSv1.0"], 2, "{what}");
    assert_eq!(s3.by_version["TLSv1.1"], 1, "{what}");
}

#[test]
fn api_outputs_exports_and_streams_are_read_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let subscription = fixture("cwl-subscription.json");
    // Firehose writes each subscription batch gzipped, batches back to back in one object.
    let split = subscription
        .windows(2)
        .position(|w| w == b"}{")
        .expect("several objects")
        + 1;
    let mut firehose = gz(&subscription[..split]);
    firehose.extend(gz(&subscription[split..]));
    for (name, bytes) in [
        ("lookup-events.json", fixture("lookup-events.json")),
        ("filter-log-events.json", fixture("filter-log-events.json")),
        ("firehose-object", firehose),
        ("eventbridge.json", fixture("eventbridge.json")),
        ("lake-results.json", fixture("lake-results.json")),
        ("lake-results.csv", fixture("lake-results.csv")),
    ] {
        let path = put(dir.path(), name, &bytes);
        let r = audit_one(&path, &Query::default());
        assert_the_four_calls(&r, name);
        if name == "eventbridge.json" {
            assert_eq!(
                r.records.not_events, 1,
                "the EC2 event is not a CloudTrail event"
            );
        }
    }
}

#[test]
fn other_aws_data_in_the_bucket_is_not_cloudtrail_and_not_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let base = "AWSLogs/111122223333";
    put(
        root,
        &format!("{base}/CloudTrail/us-east-1/2024/05/01/a.json.gz"),
        &gz(&fixture("lookup-events.json")),
    );
    put(
        root,
        &format!("{base}/CloudTrail-Insight/us-east-1/2024/05/01/i.json.gz"),
        &gz(&fixture("insights.json")),
    );
    put(
        root,
        &format!("{base}/Config/us-east-1/2024/5/1/ConfigHistory/c.json.gz"),
        &gz(&fixture("config-history.json")),
    );
    put(
        root,
        "access-logs/2019-02-06-00-00-38-5A7D",
        &fixture("s3-access.log"),
    );
    put(
        root,
        &format!("{base}/elasticloadbalancing/us-east-1/2018/07/02/e.log.gz"),
        &gz(&fixture("elb-access.log")),
    );
    put(
        root,
        &format!("{base}/vpcflowlogs/us-east-1/2014/12/14/v.log.gz"),
        &gz(&fixture("vpc-flow.log")),
    );
    let r = audit_one(root, &Query::default());
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.files.not_events, 5, "{:?}", r.other_files);
    assert_eq!(r.records.not_events, 2, "two Insights events");
    assert_eq!(r.records.legacy, 3);
    let kinds: Vec<&str> = r.other_files.iter().map(|o| o.kind.as_str()).collect();
    for k in [
        "CloudTrail Insights events",
        "AWS Config history or snapshot",
        "S3 server access log",
        "Elastic Load Balancing access log",
        "VPC flow log",
    ] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    // Without the CloudTrail file the bucket is clean: exit 0.
    std::fs::remove_file(root.join(format!("{base}/CloudTrail/us-east-1/2024/05/01/a.json.gz")))
        .unwrap();
    assert_eq!(audit_one(root, &Query::default()).verdict.exit_code, 0);
}

const REC: &str = r#"{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","recipientAccountId":"1","tlsDetails":{"tlsVersion":"TLSv1"}}"#;

fn log_object(n: usize) -> String {
    format!("{{\"Records\":[{}]}}", vec![REC; n].join(","))
}

#[test]
fn several_log_objects_in_one_file_are_all_read() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (log_object(2), log_object(3));
    let mut multi = gz(a.as_bytes());
    multi.extend(gz(b.as_bytes()));
    let mut padded = gz(a.as_bytes());
    padded.extend([0u8; 512]);
    for (name, bytes, want) in [
        ("zcat-day.json", format!("{a}{b}").into_bytes(), 5),
        ("lines.json", format!("{a}\n{b}\n").into_bytes(), 5),
        ("cat.json.gz", multi, 5),
        ("padded.json.gz", padded, 2),
    ] {
        let path = put(dir.path(), name, &bytes);
        let r = audit_one(&path, &Query::default());
        assert!(r.problems.is_empty(), "{name}: {:?}", r.problems);
        assert_eq!(r.records.legacy, want, "{name}");
    }
    let empty = put(dir.path(), "empty.json.gz", b"");
    let r = audit_one(&empty, &Query::default());
    assert_eq!(r.files.skipped, 1, "a zero-byte .json.gz is not clean");
    assert!(r.problems[0].reason.contains("empty"), "{:?}", r.problems);
    assert_eq!(r.verdict.exit_code, 3);
}

#[test]
fn walking_reads_each_file_once_and_never_loops() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("logs");
    let inner = root.join("AWSLogs/1/CloudTrail");
    put(&inner, "a.json", log_object(1).as_bytes());
    put(&inner, "sub/b.json", log_object(2).as_bytes());
    std::os::unix::fs::symlink(&root, inner.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink(inner.join("a.json"), root.join("link-to-a.json")).unwrap();
    std::os::unix::fs::symlink(inner.join("sub"), root.join("link-to-sub")).unwrap();
    std::fs::hard_link(inner.join("sub/b.json"), root.join("hard-b.json")).unwrap();
    let outside = dir.path().join("outside");
    put(&outside, "c.json", log_object(4).as_bytes());
    std::os::unix::fs::symlink(&outside, root.join("link-outside")).unwrap();

    let q = Query::default();
    let overlapping = [root.clone(), root.join("AWSLogs"), inner.join("a.json")];
    let r = audit_paths(&overlapping, &q, &WalkOptions::default());
    assert_eq!(
        r.records.legacy, 3,
        "a and b once each; links to directories not followed"
    );
    assert_eq!(r.files.total, 2);

    let follow = WalkOptions {
        follow_links: true,
        ..WalkOptions::default()
    };
    let r = audit_paths(&overlapping, &q, &follow);
    assert_eq!(
        r.records.legacy, 7,
        "the outside directory too, the loop once"
    );
    assert!(r.problems.is_empty(), "{:?}", r.problems);

    let only_b = WalkOptions {
        include: vec![Pattern::new("b.json").unwrap()],
        ..WalkOptions::default()
    };
    assert_eq!(
        audit_paths(std::slice::from_ref(&root), &q, &only_b)
            .records
            .legacy,
        2
    );
    let not_sub = WalkOptions {
        exclude: vec![
            Pattern::new("AWSLogs/*/CloudTrail/sub").unwrap(),
            Pattern::new("hard-*").unwrap(),
        ],
        ..WalkOptions::default()
    };
    assert_eq!(audit_paths(&[root], &q, &not_sub).records.legacy, 1);
}
