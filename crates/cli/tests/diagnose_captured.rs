//! `tlsfloor diagnose` fed a ClientHello captured from a real client, checked against what the
//! same client really gets from the same server.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::process::{Command, Stdio};
use tlsfloor_testkit::{require, Peer};

/// The first TLS record `openssl s_client ARGS` sends, captured on a listener of our own.
fn captured_hello(args: &[&str]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let mut client = Command::new("openssl")
        .args(["s_client", "-connect", &addr])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run openssl s_client");
    let (mut conn, _) = listener.accept().expect("accept");
    let mut head = [0u8; 5];
    conn.read_exact(&mut head).expect("record header");
    let mut body = vec![0u8; usize::from(u16::from_be_bytes([head[3], head[4]]))];
    conn.read_exact(&mut body).expect("record body");
    let _ = client.kill();
    let _ = client.wait();
    head.iter()
        .chain(&body)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What `openssl s_client ARGS` really gets from `addr`: its stdout and stderr together.
fn real_handshake(addr: &str, args: &[&str]) -> String {
    let out = Command::new("timeout")
        .args(["10", "openssl", "s_client", "-connect", addr])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run openssl s_client");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn diagnose(hello: &str, server: &str) -> serde_json::Value {
    let (code, out, err) =
        common::run(&["diagnose", "--client", hello, "--server", server, "--json"]);
    assert!(code == 0 || code == 1, "diagnose exit {code}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("bad JSON ({e}): {out}"))
}

#[test]
fn a_fallback_scsv_retry_is_refused_as_predicted() {
    require("openssl", "openssl");
    let server = Peer::openssl_s_server(&["-no_tls1_3", "-cipher", "DEFAULT:@SECLEVEL=0"], false);
    let retry = [
        "-tls1_1",
        "-fallback_scsv",
        "-cipher",
        "DEFAULT:@SECLEVEL=0",
    ];
    let real = real_handshake(&server.addr, &retry);
    assert!(real.contains("inappropriate fallback"), "{real}");
    let v = diagnose(&captured_hello(&retry), &server.addr);
    assert_eq!(v["failure"]["code"], "inappropriate_fallback", "{v}");

    // The same retry without the SCSV: both say TLS 1.1 works.
    let plain = ["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"];
    let real = real_handshake(&server.addr, &plain);
    assert!(
        real.contains("Protocol  : TLSv1.1") || real.contains("TLSv1.1"),
        "{real}"
    );
    let v = diagnose(&captured_hello(&plain), &server.addr);
    assert_eq!(v["result"], "success", "{v}");
    assert_eq!(v["negotiated"]["version"], "TLSv1.1", "{v}");
}
