//! Helpers shared by the CLI integration tests: running the `tlsfloor` binary under test and
//! reading what it printed. Each test file includes this with `mod common;` and uses only
//! some of the helpers.
#![allow(dead_code)]

use serde::de::DeserializeOwned;
use std::process::{Command, Output};
use tlsfloor_scan::report::TargetReport;
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
