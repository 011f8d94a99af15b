//! `tlsfloor trap` with real clients started by the test: what it logs about their
//! ClientHellos, the handshake outcome, the HTTP page, and misbehaving clients.

mod common;

use common::tlsfloor;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tlsfloor_testkit::{free_port, require, wait_listening};

/// A running `tlsfloor trap`, killed on drop.
struct TrapProc {
    child: Child,
    lines: std::sync::mpsc::Receiver<String>,
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
        // Lines arrive through a channel so a missing one fails the test instead of
        // blocking it forever.
        let (tx, lines) = std::sync::mpsc::channel();
        let out = BufReader::new(child.stdout.take().unwrap());
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
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
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(120))
            .expect("the trap logged no record within 2 minutes (or closed stdout)");
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
        .any(|c| c["code"] == 0x1302 && c["hex"] == "0x1302"));
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
    for doc in [&r, &page] {
        common::assert_documented(doc, "trap.md", common::Documented::TablesOrExamples, "trap");
    }
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
    common::assert_documented(&r, "trap.md", common::Documented::TablesOrExamples, "trap");
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

/// Opens hostile connections to 127.0.0.1:`port` and holds them: `idle` that send nothing,
/// `slow_hello` that send 3 bytes of a hello, `slow_request` that complete a TLS 1.0
/// handshake and then send one byte of a request. Prints `ready` once all are open.
const ATTACKER: &str = r#"
import asyncio, ssl, sys
port, idle, slow_hello, slow_request = map(int, sys.argv[1:5])
async def hold(r, w):
    await asyncio.sleep(3600)
async def main():
    held = []
    for _ in range(idle):
        held.append(await asyncio.open_connection("127.0.0.1", port))
    for _ in range(slow_hello):
        r, w = await asyncio.open_connection("127.0.0.1", port)
        w.write(b"\x16\x03\x01"); await w.drain(); held.append((r, w))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1; ctx.maximum_version = ssl.TLSVersion.TLSv1
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    async def one():
        r, w = await asyncio.open_connection("127.0.0.1", port, ssl=ctx)
        w.write(b"G"); await w.drain(); return (r, w)
    for i in range(0, slow_request, 50):
        held += await asyncio.gather(*[one() for _ in range(min(50, slow_request - i))])
    print("ready", flush=True)
    await asyncio.sleep(3600)
asyncio.run(main())
"#;

#[test]
fn slow_and_idle_clients_cannot_starve_legitimate_ones() {
    require("curl", "curl");
    let port = free_port();
    // Its log goes nowhere: nobody reads 1,000 lines here.
    let mut trap = tlsfloor()
        .args([
            "trap",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--versions",
            "tls1.0",
        ])
        .args(["--http", "--timeout", "60s"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(
        wait_listening(port, Duration::from_secs(15)),
        "trap did not listen"
    );
    let port = port.to_string();
    let mut attacker = Command::new("python3")
        .args(["-c", ATTACKER, &port, "300", "100", "600"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3");
    let mut line = String::new();
    BufReader::new(attacker.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("attacker output");
    assert_eq!(
        line.trim(),
        "ready",
        "the attacker could not open its connections"
    );
    let url = format!("https://127.0.0.1:{port}/");
    let clients: Vec<_> = (0..20)
        .map(|_| {
            Command::new("curl")
                .args([
                    "-sS",
                    "-k",
                    "--tlsv1.0",
                    "--tls-max",
                    "1.0",
                    "--ciphers",
                    "DEFAULT@SECLEVEL=0",
                ])
                .args([
                    "--max-time",
                    "5",
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code}",
                    &url,
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("curl")
        })
        .collect();
    let served: Vec<String> = clients
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().expect("wait curl");
            format!(
                "{} {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr).trim()
            )
        })
        .collect();
    let _ = attacker.kill();
    let _ = attacker.wait();
    let _ = trap.kill();
    let _ = trap.wait();
    let ok = served.iter().filter(|s| s.starts_with("200")).count();
    assert_eq!(ok, 20, "legitimate clients not served: {served:?}");
}

#[test]
fn ctrl_c_logs_every_accepted_connection_and_removes_the_ca() {
    let port = free_port();
    let mut trap = tlsfloor()
        .args([
            "trap",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--timeout",
            "60s",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The banner names the temporary CA file.
    let mut err = BufReader::new(trap.stderr.take().unwrap());
    let mut banner = String::new();
    err.read_line(&mut banner).unwrap();
    let ca = banner
        .rsplit("CA certificate: ")
        .next()
        .unwrap()
        .trim()
        .to_string();
    assert!(std::path::Path::new(&ca).exists(), "{banner}");
    // Three clients that connect and say nothing: still open at Ctrl-C.
    let idle: Vec<TcpStream> = (0..3)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    // A fourth sends a partial hello.
    let mut last = TcpStream::connect(("127.0.0.1", port)).unwrap();
    last.write_all(&[0x16, 0x03, 0x01]).unwrap();
    // A fifth completes a handshake: the trap accepts in order, so once curl is done the
    // four before it were accepted too.
    require("curl", "curl");
    let done = Command::new("curl")
        .args([
            "-sS",
            "-k",
            "--tlsv1.0",
            "--tls-max",
            "1.1",
            "--ciphers",
            "DEFAULT@SECLEVEL=0",
        ])
        .args([
            "--max-time",
            "20",
            "-o",
            "/dev/null",
            &format!("https://127.0.0.1:{port}/"),
        ])
        .output()
        .unwrap();
    drop(done);
    // SAFETY: signalling our own child.
    assert_eq!(unsafe { libc::kill(trap.id() as i32, libc::SIGINT) }, 0);
    let out = trap.wait_with_output().unwrap();
    drop((idle, last));
    assert_eq!(out.status.code(), Some(130));
    let records: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 5, "{records:#?}");
    let completed = records
        .iter()
        .filter(|r| r["outcome"] == "handshake_completed")
        .count();
    assert_eq!(completed, 1, "{records:#?}");
    for r in records
        .iter()
        .filter(|r| r["outcome"] != "handshake_completed")
    {
        assert!(r["unix_time"].as_f64().unwrap() > 0.0);
        assert!(
            r["detail"]
                .as_str()
                .is_some_and(|d| d.contains("stopped before this connection finished")),
            "{r:#}"
        );
    }
    assert!(
        !std::path::Path::new(&ca).exists(),
        "the temporary CA {ca} was left behind"
    );
}

#[test]
fn a_busy_port_is_one_clear_error() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let out = tlsfloor()
        .args(["trap", "--listen", &addr])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("cannot listen on {addr}")), "{err}");
    assert_eq!(
        err.matches("in use").count(),
        1,
        "the cause is printed once: {err}"
    );
}
