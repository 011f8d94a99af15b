//! Helpers shared by the CLI integration tests: running the `tlsfloor` binary under test and
//! reading what it printed. Each test file includes this with `mod common;` and uses only
//! some of the helpers.
#![allow(dead_code)]

use serde::de::DeserializeOwned;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use tlsfloor_scan::report::{
    FallbackScsv, Preference, ProtocolReport, ScanReport, TargetReport, VersionStatus,
};
use tlsfloor_wire::Version;

/// Path of the `tlsfloor` binary Cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_tlsfloor");

/// A [`Command`] for the `tlsfloor` binary under test (no arguments yet).
pub fn tlsfloor() -> Command {
    Command::new(BIN)
}

/// Runs `tlsfloor ARGS…` to completion; returns (exit code, or -1 when killed by a signal,
/// stdout, stderr), both outputs decoded lossily as UTF-8.
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = tlsfloor().args(args).output().expect("run tlsfloor");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Decodes a finished run's stdout as JSON; panics with stdout and stderr when it is not.
pub fn stdout_json<T: DeserializeOwned>(out: &Output) -> T {
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "bad JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The versions a scanned target accepted, in the report's order.
pub fn accepted_versions(t: &TargetReport) -> Vec<Version> {
    t.protocols
        .iter()
        .filter(|p| p.accepted)
        .map(|p| p.version)
        .collect()
}

/// A generous bound on one tlsfloor run: only there to turn a hang into a failure.
const WATCHDOG: Duration = Duration::from_secs(240);

/// Runs `tlsfloor ARGS…` with a watchdog; returns (exit code, stdout).
pub fn run_bounded(args: &[&str]) -> (i32, String) {
    let mut child = tlsfloor()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run tlsfloor");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if started.elapsed() > WATCHDOG {
            let _ = child.kill();
            panic!("tlsfloor {args:?} did not finish within {WATCHDOG:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (status.code().unwrap_or(-1), reader.join().expect("reader"))
}

/// Runs `tlsfloor scan --json ARGS…` (bounded); returns the report and the exit code.
pub fn scan(args: &[&str]) -> (ScanReport, i32) {
    let mut all = vec!["scan", "--json"];
    all.extend_from_slice(args);
    let (code, out) = run_bounded(&all);
    let report = serde_json::from_str(&out).unwrap_or_else(|e| panic!("bad JSON ({e}): {out}"));
    (report, code)
}

/// What must be equal for one version.
#[derive(Debug, PartialEq)]
pub struct VersionEssence {
    pub version: Version,
    pub status: VersionStatus,
    pub suites: Vec<u16>,
    pub preference: Preference,
    pub groups: Vec<String>,
}

/// What must be equal between a direct scan and one through a front end.
#[derive(Debug, PartialEq)]
pub struct Essence {
    pub versions: Vec<VersionEssence>,
    pub fallback: FallbackScsv,
}

/// The parts of a target report two scans of the same TLS settings must share.
pub fn essence(t: &TargetReport) -> Essence {
    let v = |p: &ProtocolReport| VersionEssence {
        version: p.version,
        status: p.status(),
        suites: p.suites.iter().map(|s| s.code).collect(),
        preference: p.preference,
        groups: p.groups.clone(),
    };
    Essence {
        versions: t.protocols.iter().map(v).collect(),
        fallback: t.fallback_scsv,
    }
}

/// The status of version `v` in `t` (panics when it was not probed).
pub fn status(t: &TargetReport, v: Version) -> VersionStatus {
    t.protocols
        .iter()
        .find(|p| p.version == v)
        .map(ProtocolReport::status)
        .unwrap_or_else(|| panic!("{v} not probed"))
}

/// Where a schema document names its fields.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Documented {
    /// Only in the first column of a field table: "| `name` | type | meaning |".
    TableRows,
    /// In a field table, or quoted as `"name"` in a JSON example or field list.
    TablesOrExamples,
}

/// Every object key in `v`, at any depth.
pub fn field_names(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, child) in map {
                out.insert(k.clone());
                field_names(child, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| field_names(i, out)),
        _ => {}
    }
}

/// Panics, listing them, when some field of `doc` is not documented in `docs/<file>`
/// (`what` names the command for the message). Also checks the envelope every document has:
/// `schema` and `tool_version`.
pub fn assert_documented(doc: &serde_json::Value, file: &str, rule: Documented, what: &str) {
    for key in ["schema", "tool_version"] {
        assert!(doc.get(key).is_some(), "{what}: no `{key}` in {doc}");
    }
    let mut fields = std::collections::BTreeSet::new();
    field_names(doc, &mut fields);
    let path = format!("{}/../../docs/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("| `")).collect();
    let in_table = |f: &str| {
        let quoted = format!("`{f}`");
        rows.iter()
            .any(|r| r.split(" | ").next().is_some_and(|c| c.contains(&quoted)))
    };
    let in_example = |f: &str| text.contains(&format!("\"{f}\""));
    let missing: Vec<&String> = fields
        .iter()
        .filter(|f| !(in_table(f) || rule == Documented::TablesOrExamples && in_example(f)))
        .collect();
    assert!(
        missing.is_empty(),
        "fields of {what} not documented in docs/{file}: {missing:?}"
    );
}
