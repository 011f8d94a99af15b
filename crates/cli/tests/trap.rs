//! `tlsfloor trap` with real clients started by the test: what it logs about their
//! ClientHellos, the handshake outcome, the HTTP page, and misbehaving clients.

mod common;

use common::tlsfloor;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;
use tlsfloor_testkit::{free_port, require, wait_listening};

/// A running `tlsfloor trap`, killed on drop.
struct TrapProc {
    child: Child,
    lines: BufReader<ChildStdout>,
    port: u16,
    ca: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl TrapProc {
    fn start(extra: &[&str]) -> TrapProc {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        let port = free_port();
        let mut child = tlsfloor()
            .args(["trap", "--listen", &format!("127.0.0.1:{port}"), "--ca-out"])
            .arg(&ca)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        assert!(
            wait_listening(port, Duration::from_secs(15)),
            "trap did not listen"
        );
        let lines = BufReader::new(child.stdout.take().unwrap());
        TrapProc {
            child,
            lines,
            port,
            ca,
            _dir: dir,
        }
    }

    /// Reads one JSON line (the trap writes it when a connection ends). The wait_listening
    /// probe connection comes first: it closes without sending anything.
    fn next_record(&mut self) -> Value {
        let mut line = String::new();
        assert!(
            self.lines.read_line(&mut line).unwrap() > 0,
            "trap closed stdout"
        );
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("bad JSON line {line:?}: {e}"))
    }

    /// Skips the record of the readiness probe.
    fn skip_probe(&mut self) {
        let r = self.next_record();
        assert_eq!(r["outcome"], "closed_without_alert", "{r:#}");
        assert_eq!(r["stage"], "client_hello");
    }
}

impl Drop for TrapProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(cmd: &mut Command) -> std::process::Output {
    cmd.stdin(Stdio::null()).output().unwrap()
}

#[test]
fn logs_what_default_curl_offers_including_tls13() {
    require("curl", "curl");
    let mut trap = TrapProc::start(&["--versions", "tls1.0", "--http"]);
    trap.skip_probe();
    let url = format!("https://localhost:{}/", trap.port);
    let _ = run(Command::new("curl")
        .args(["-sS", "-o", "/dev/null", "--cacert"])
        .arg(&trap.ca)
        .arg(&url));
    let r = trap.next_record();
    assert_eq!(r["schema"], "tlsfloor.trap/v1");
    let offer = &r["offer"];
    // curl (OpenSSL 3.0 default: max TLS 1.3) sends supported_versions including TLS 1.3
    // and TLS 1.2, and SNI for the host name in the URL.
    let versions: Vec<&str> = offer["supported_versions"]
        .as_array()
        .expect("supported_versions")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        versions.contains(&"TLSv1.3") && versions.contains(&"TLSv1.2"),
        "{versions:?}"
    );
    assert_eq!(offer["sni"], "localhost");
    assert_eq!(offer["max_version"], "TLSv1.3");
    assert!(offer["alpn"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "http/1.1"));
    // TLS 1.3 suites are in the offer (OpenSSL 3.0's default TLS 1.3 list starts with 0x1302).
    assert!(offer["cipher_suites"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["code"] == "0x1302"));
    let ja4 = offer["ja4"].as_str().unwrap();
    assert!(ja4.starts_with("t13d"), "{ja4}");
    assert!(
        ja4.ends_with("h2") || ja4.contains("h2_"),
        "curl offers h2 first: {ja4}"
    );
}

#[test]
fn completed_handshake_is_logged_and_served_as_json() {
    require("curl", "curl");
    let mut trap = TrapProc::start(&["--versions", "tls1.0,tls1.1", "--http"]);
    trap.skip_probe();
    let url = format!("https://localhost:{}/hello", trap.port);
    let out = run(Command::new("curl")
        .args([
            "-sS",
            "--tlsv1.0",
            "--tls-max",
            "1.0",
            "--ciphers",
            "AES128-SHA:@SECLEVEL=0",
            "--cacert",
        ])
        .arg(&trap.ca)
        .arg(&url));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page: Value = serde_json::from_slice(&out.stdout).expect("JSON page");
    let r = trap.next_record();
    // curl was limited to TLS 1.0 and AES128-SHA: that is what must have been negotiated.
    assert_eq!(r["outcome"], "handshake_completed", "{r:#}");
    assert_eq!(r["version"], "TLSv1.0");
    assert_eq!(r["cipher"], "AES128-SHA");
    assert_eq!(r["cipher_iana"], "TLS_RSA_WITH_AES_128_CBC_SHA");
    assert_eq!(r["http_request"], "GET /hello HTTP/1.1");
    assert_eq!(page["negotiated"]["version"], "TLSv1.0");
    assert_eq!(page["offer"]["ja3"], r["offer"]["ja3"]);
    assert_eq!(r["offer"]["max_version"], "TLSv1.0");
    assert_eq!(r["offer"]["legacy_version"], "TLSv1.0");
}

#[test]
fn client_alert_is_read_when_the_client_refuses_the_version() {
    require("openssl", "openssl");
    let mut trap = TrapProc::start(&["--versions", "tls1.0"]);
    trap.skip_probe();
    // s_client limited to TLS 1.2 sends legacy_version 1.2 without supported_versions; the
    // trap answers TLS 1.0, which s_client must reject with a protocol_version alert (RFC 5246
    // E.1). -servername sets the SNI we expect to see.
    let _ = run(Command::new("openssl").args([
        "s_client",
        "-tls1_2",
        "-servername",
        "foo.example",
        "-connect",
        &format!("127.0.0.1:{}", trap.port),
    ]));
    let r = trap.next_record();
    assert_eq!(r["outcome"], "client_alert", "{r:#}");
    assert_eq!(r["alert_name"], "protocol_version");
    assert_eq!(r["alert"], 70);
    assert_eq!(r["offer"]["sni"], "foo.example");
    assert_eq!(r["offer"]["legacy_version"], "TLSv1.2");
    assert!(r["offer"]["supported_versions"].is_null(), "{r:#}");
}

#[test]
fn non_tls_silent_and_concurrent_clients() {
    require("curl", "curl");
    let mut trap = TrapProc::start(&["--versions", "tls1.2", "--http", "--timeout", "1"]);
    trap.skip_probe();
    // Plain HTTP.
    let mut s = TcpStream::connect(("127.0.0.1", trap.port)).unwrap();
    s.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    let r = trap.next_record();
    assert_eq!(r["outcome"], "not_tls", "{r:#}");
    drop(s);
    // A client that connects and says nothing: timeout after 1 s.
    let silent = TcpStream::connect(("127.0.0.1", trap.port)).unwrap();
    let r = trap.next_record();
    assert_eq!(r["outcome"], "timeout", "{r:#}");
    assert_eq!(r["stage"], "client_hello");
    drop(silent);
    // Ten curls at once: ten completed handshakes, each logged once.
    let url = format!("https://127.0.0.1:{}/", trap.port);
    let children: Vec<Child> = (0..10)
        .map(|_| {
            Command::new("curl")
                .args(["-sS", "-o", "/dev/null", "--cacert"])
                .arg(&trap.ca)
                .arg(&url)
                .stdin(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let mut peers = std::collections::HashSet::new();
    for _ in 0..10 {
        let r = trap.next_record();
        assert_eq!(r["outcome"], "handshake_completed", "{r:#}");
        assert_eq!(r["version"], "TLSv1.2");
        // No SNI for an IP address URL.
        assert!(r["offer"]["sni"].is_null());
        assert!(r["offer"]["ja4"].as_str().unwrap().starts_with("t13i"));
        peers.insert(r["peer"].as_str().unwrap().to_string());
    }
    assert_eq!(peers.len(), 10);
}

#[test]
fn non_contiguous_versions_are_a_usage_error() {
    let out = tlsfloor()
        .args([
            "trap",
            "--versions",
            "tls1.0,tls1.2",
            "--listen",
            "127.0.0.1:1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("contiguous"));
}
