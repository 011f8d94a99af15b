//! `tlsfloor trail` reads files far larger than its windows in bounded memory: a JSON Lines
//! export and a single `{"Records":[...]}` log object, each several times the window, are
//! counted exactly while the child's peak RSS (getrusage via wait4) stays below the file size.

mod common;

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Stdio;

const REC: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u","accountId":"111122223333"},"eventTime":"2024-05-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.1","userAgent":"aws-sdk-java/1.12.0","requestParameters":{"bucketName":"b","key":"some/longer/object/key/name/to/make/records/realistic"},"responseElements":null,"tlsDetails":{"tlsVersion":"TLSv1.1","cipherSuite":"AES128-SHA","clientProvidedHostHeader":"s3.amazonaws.com"},"recipientAccountId":"111122223333"}"#;

/// Writes `n` records as JSON Lines or as one log object; returns the size.
fn write_big(path: &Path, n: usize, lines: bool) -> u64 {
    let mut w = BufWriter::new(std::fs::File::create(path).unwrap());
    if !lines {
        w.write_all(b"{\"Records\":[").unwrap();
    }
    for i in 0..n {
        if !lines && i > 0 {
            w.write_all(b",").unwrap();
        }
        w.write_all(REC.as_bytes()).unwrap();
        if lines {
            w.write_all(b"\n").unwrap();
        }
    }
    if !lines {
        w.write_all(b"]}").unwrap();
    }
    w.flush().unwrap();
    std::fs::metadata(path).unwrap().len()
}

/// Runs tlsfloor and returns (exit code, stdout, peak RSS in bytes). The child is reaped by
/// `wait4`, which also reports its peak RSS.
#[allow(clippy::zombie_processes)]
fn run_measured(args: &[&str], window: usize) -> (i32, String, u64) {
    let child = common::tlsfloor()
        .args(args)
        .env("TLSFLOOR_TRAIL_WINDOW", window.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut stdout = child.stdout.unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    let mut status = 0;
    // SAFETY: plain FFI call with valid pointers to locals; `pid` is our child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(got, pid);
    let out = reader.join().unwrap();
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (code, out, usage.ru_maxrss as u64 * 1024)
}

#[test]
fn large_inputs_are_read_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let n = 120_000; // about 60 MB each
    let window = 2 << 20;
    for (name, lines) in [("export.jsonl", true), ("one-object.json", false)] {
        let path = dir.path().join(name);
        let size = write_big(&path, n, lines);
        let (code, out, rss) = run_measured(&["trail", "--json", path.to_str().unwrap()], window);
        assert_eq!(code, 1, "{name}: {out}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["records"]["legacy"], n as u64, "{name}");
        assert_eq!(v["records"]["invalid"], 0, "{name}");
        eprintln!("{name}: peak RSS {} MB, file {} MB", rss >> 20, size >> 20);
        assert!(
            rss < size / 2,
            "{name}: peak RSS {} MB for a {} MB file read in {} MB windows",
            rss >> 20,
            size >> 20,
            window >> 20
        );
    }
}
