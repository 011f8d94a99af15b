//! The process edges of `tlsfloor`: a closed standard output, Ctrl-C in the middle of a
//! scan, target list files with a byte order mark or bytes that are not UTF-8.

mod common;

use common::{stdout_json, tlsfloor};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tlsfloor_scan::report::{ErrorCode, ScanReport};
use tlsfloor_testkit::Peer;

/// Runs `tlsfloor ARGS` with its standard output already closed by the reader; returns
/// (exit code or None when killed, the signal if any, stderr).
fn with_closed_stdout(args: &[&str]) -> (Option<i32>, Option<i32>, String) {
    let mut child = tlsfloor()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tlsfloor");
    drop(child.stdout.take()); // the reader goes away before anything is written
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code(),
        out.status.signal(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_ends_quietly_in_every_subcommand() {
    let dir = tempfile::tempdir().expect("tempdir");
    let trail = dir.path().join("t.json");
    std::fs::write(&trail, r#"{"Records":[{"eventVersion":"1.08","eventTime":"2024-05-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"},"tlsDetails":{"tlsVersion":"TLSv1"}}]}"#).unwrap();
    let trail = trail.display().to_string();
    let cases: Vec<Vec<&str>> = vec![
        vec!["policy", "list"],
        vec!["policy", "show", "ELBSecurityPolicy-2016-08"],
        vec![
            "diagnose",
            "--server",
            "ELBSecurityPolicy-2016-08",
            "--all-clients",
        ],
        vec!["trail", &trail],
        vec!["scan", "127.0.0.1:1"],
        vec!["scan", "--json", "127.0.0.1:1"],
    ];
    for args in cases {
        let (code, signal, stderr) = with_closed_stdout(&args);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            signal == Some(libc::SIGPIPE) || code.is_some(),
            "{args:?}: {code:?} {signal:?} {stderr}"
        );
    }
}

#[test]
fn ctrl_c_prints_what_was_finished_writes_the_file_and_exits_130() {
    let good = Peer::openssl_s_server(&["-tls1_2"], false);
    // A port that accepts and never answers, counting connections that send a TLS hello
    // (a bare connect, e.g. another test's readiness check on a reused port, is not counted).
    let hang = TcpListener::bind("127.0.0.1:0").expect("bind");
    let hang_addr = hang.local_addr().unwrap().to_string();
    let accepted = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&accepted);
    std::thread::spawn(move || {
        for mut s in hang.incoming().flatten() {
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || {
                let mut first = [0u8; 1];
                if s.read_exact(&mut first).is_ok() && first[0] == 0x16 {
                    seen.fetch_add(1, Ordering::SeqCst);
                }
                // Hold the connection open, never answering.
                let _ = s.read_to_end(&mut Vec::new());
            });
        }
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let out_file = dir.path().join("scan.json");
    // One target at a time: the hanging one starts only once the good one is finished.
    let child = tlsfloor()
        .args([
            "scan",
            "--json",
            "--concurrency",
            "1",
            "--timeout",
            "60s",
            "-o",
        ])
        .arg(&out_file)
        .args([&good.addr, &hang_addr])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    while accepted.load(Ordering::SeqCst) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the scan never reached the second target"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: sending SIGINT to our own child.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(130));
    let report: ScanReport = stdout_json(&out);
    let saved: ScanReport =
        serde_json::from_str(&std::fs::read_to_string(&out_file).expect("-o written")).unwrap();
    assert_eq!(saved, report);
    assert!(report.interrupted);
    assert_eq!(report.targets.len(), 2);
    assert!(
        report.targets[0].complete && report.targets[0].error.is_none(),
        "{:?}",
        report.targets[0]
    );
    let second = &report.targets[1];
    assert!(second.interrupted && !second.complete);
    assert_eq!(
        second.error.as_ref().map(|e| e.code),
        Some(ErrorCode::Interrupted)
    );
}

#[test]
fn target_lists_with_a_bom_and_bad_bytes_keep_every_good_line() {
    let good = Peer::openssl_s_server(&["-tls1_2"], false);
    let dir = tempfile::tempdir().expect("tempdir");
    let list = dir.path().join("targets.txt");
    let mut f = std::fs::File::create(&list).unwrap();
    f.write_all(b"\xef\xbb\xbf").unwrap();
    f.write_all(format!("{}\n", good.addr).as_bytes()).unwrap();
    f.write_all(b"# caf\xe9 (Latin-1 comment)\nbad\xffhost:443\n")
        .unwrap();
    drop(f);
    let out = tlsfloor()
        .args(["scan", "--json", "-i"])
        .arg(&list)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3));
    let report: ScanReport = stdout_json(&out);
    assert_eq!(report.targets.len(), 2);
    assert!(report.targets[0].complete, "{:?}", report.targets[0]);
    let bad = report.targets[1].error.clone().expect("bad target");
    assert_eq!(bad.code, ErrorCode::BadTarget);
    assert!(bad.message.contains("targets.txt:3:"), "{}", bad.message);
}

#[test]
fn color_is_chosen_once_for_every_command() {
    let args = [
        "diagnose",
        "--client",
        "java-7",
        "--server",
        "ELBSecurityPolicy-2016-08",
    ];
    let with = |extra: &[&str]| {
        let mut all: Vec<&str> = extra.to_vec();
        all.extend(args);
        let out = common::tlsfloor()
            .args(&all)
            .output()
            .expect("run tlsfloor");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // Piped standard output: no colour unless asked for.
    assert!(!with(&[]).contains('\u{1b}'));
    assert!(with(&["--color", "always"]).contains("\u{1b}[32mOK"));
    assert!(!with(&["--color", "never"]).contains('\u{1b}'));
    // The flag is global: after the subcommand too.
    let out = common::tlsfloor()
        .args(["policy", "list", "--color", "always"])
        .output()
        .expect("run tlsfloor");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bad = common::tlsfloor()
        .args(["--color", "sometimes", "policy", "list"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
