//! Streamed reading (bounded windows) gives the same report as reading a file whole, at every
//! window size, for every layout; and a file larger than memory would allow is read in bounded
//! memory (measured in a child process).

use flate2::write::GzEncoder;
use std::io::Write;
use std::path::Path;
use tlsfloor_trail::input::Limits;
use tlsfloor_trail::report::TrailReport;
use tlsfloor_trail::window::Windows;
use tlsfloor_trail::{audit, By, Plan, Query};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn report(path: &Path, limits: &Limits) -> TrailReport {
    let plan = Plan::new(&[path.to_path_buf()]).unwrap();
    let q = Query {
        by: vec![By::EventSource, By::Principal, By::UserAgent],
        top: 0,
        ..Query::default()
    };
    let mut r = audit::run_with(&plan, &q, Some(1), &audit::NoProgress, limits).unwrap();
    r.duration_ms = 0;
    r
}

fn whole() -> Limits {
    Limits {
        whole_max: u64::MAX,
        windows: Windows::default(),
    }
}

fn streamed(size: usize) -> Limits {
    Limits {
        whole_max: 0,
        windows: Windows {
            size,
            max_unit: 1 << 20,
        },
    }
}

/// The counts of a report (problem texts name positions, which differ by window).
fn counts(r: &TrailReport) -> String {
    let kinds: Vec<_> = r
        .problems
        .iter()
        .map(|p| (p.kind, p.records_counted, p.invalid_records))
        .collect();
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{kinds:?}",
        r.records, r.tls_versions, r.services, r.groups, r.per_day, r.files.not_events
    )
}

const REC: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a\"b","accountId":"1"},"eventTime":"2024-05-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","userAgent":"ua, [x] {y}","requestParameters":{"k":["]","}",{"z":[[]]}]},"tlsDetails":{"tlsVersion":"TLSv1"},"recipientAccountId":"1"}"#;
const REC12: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"Root","arn":"arn:aws:iam::1:root"},"eventTime":"2024-05-02T10:00:00Z","eventSource":"kms.amazonaws.com","eventName":"Decrypt","tlsDetails":{"tlsVersion":"TLSv1.2"},"recipientAccountId":"1"}"#;

fn inputs() -> Vec<(&'static str, Vec<u8>)> {
    let many: Vec<&str> = (0..40)
        .map(|i| if i % 3 == 0 { REC12 } else { REC })
        .collect();
    let container = format!("{{\"Records\":[{}]}}", many.join(","));
    let pretty = format!("{{\n  \"Records\" : [\n{}\n  ]\n}}\n", many.join(",\n"));
    let lines = format!("{}\n", many.join("\n"));
    let mut truncated = container.clone().into_bytes();
    truncated.truncate(container.len() * 2 / 3);
    let mut two_gz = gz(container.as_bytes());
    two_gz.extend(gz(pretty.as_bytes()));
    vec![
        ("container.json", container.clone().into_bytes()),
        ("pretty.json", pretty.clone().into_bytes()),
        ("lines.jsonl", lines.into_bytes()),
        ("array.json", format!("[{}]", many.join(" , ")).into_bytes()),
        (
            "back-to-back.json",
            format!("{container}{pretty}{container}").into_bytes(),
        ),
        (
            "mixed.json",
            format!("{container}\n{REC}\n{REC12}\n{}", many.join("\n")).into_bytes(),
        ),
        (
            "empty-records.json",
            b"{\"Records\":[]}\n{\"Records\": [ ]}".to_vec(),
        ),
        ("truncated.json", truncated),
        (
            "garbage-after.json",
            format!("{container}\nnot json\n").into_bytes(),
        ),
        (
            "bad-record.json",
            container
                .replacen("\"GetObject\"", "GetObject", 5)
                .into_bytes(),
        ),
        ("two-members.json.gz", two_gz),
        ("lookup-events.json", fixture("lookup-events.json")),
        ("eventbridge.json", fixture("eventbridge.json")),
        ("lake-results.csv", fixture("lake-results.csv")),
        ("shapes.jsonl", fixture("shapes.jsonl")),
    ]
}

#[test]
fn every_window_size_gives_the_whole_file_answer() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in inputs() {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let want = report(&path, &whole());
        for size in [64, 100, 257, 1000, 4096, 1 << 16] {
            let got = report(&path, &streamed(size));
            assert_eq!(
                counts(&got),
                counts(&want),
                "{name} with {size}-byte windows"
            );
            assert_eq!(got.verdict, want.verdict, "{name} with {size}-byte windows");
        }
    }
}

#[test]
fn a_record_larger_than_the_largest_window_stops_the_file_after_what_was_read() {
    let dir = tempfile::tempdir().unwrap();
    let big = REC.replace("ua, [x] {y}", &"u".repeat(4096));
    let path = dir.path().join("big.json");
    std::fs::write(&path, format!("{{\"Records\":[{REC},{big}]}}")).unwrap();
    let limits = Limits {
        whole_max: 0,
        windows: Windows {
            size: 256,
            max_unit: 1024,
        },
    };
    let r = report(&path, &limits);
    assert_eq!(r.records.legacy, 1);
    assert_eq!(r.files.partial, 1);
    assert!(
        r.problems[0].reason.contains("larger than"),
        "{:?}",
        r.problems
    );
}
