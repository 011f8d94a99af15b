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

/// True when s_client's output shows a completed handshake.
fn completed(real: &str) -> bool {
    real.contains("Cipher is ") && !real.contains("Cipher is (NONE)")
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

#[test]
fn an_ecdsa_certificate_on_a_curve_the_client_lacks_is_named() {
    require("openssl", "openssl");
    let server = Peer::openssl_s_server(&["-tls1_2"], true);
    let client = ["-tls1_2", "-groups", "X25519:secp384r1"];
    let real = real_handshake(&server.addr, &client);
    assert!(!completed(&real), "the real handshake fails: {real}");
    let v = diagnose(&captured_hello(&client), &server.addr);
    assert_eq!(v["failure"]["code"], "certificate_curve", "{v}");
    let msg = v["failure"]["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("needs secp256r1") && msg.contains("x25519"),
        "{msg}"
    );
    let advice = v["fixes"].to_string();
    assert!(advice.contains("offer secp256r1"), "{advice}");

    // Offering the certificate's curve is the fix: real and simulated both succeed.
    let fixed = ["-tls1_2", "-groups", "X25519:secp384r1:P-256"];
    assert!(real_handshake(&server.addr, &fixed).contains("Cipher is ECDHE-ECDSA"));
    assert_eq!(
        diagnose(&captured_hello(&fixed), &server.addr)["result"],
        "success"
    );
}

#[test]
fn signature_algorithms_that_cannot_verify_the_certificate_are_named() {
    require("openssl", "openssl");
    // At TLS 1.3 the suites do not name the certificate type, so OpenSSL still sends the
    // hello (at TLS 1.2 it drops the RSA suites itself).
    let server = Peer::openssl_s_server(&[], false);
    let client = ["-tls1_3", "-sigalgs", "ECDSA+SHA256"];
    let real = real_handshake(&server.addr, &client);
    assert!(!completed(&real), "the real handshake fails: {real}");
    let v = diagnose(&captured_hello(&client), &server.addr);
    assert_eq!(v["failure"]["code"], "no_signature_algorithm", "{v}");
    let advice = v["fixes"].to_string();
    assert!(advice.contains("rsa_pss_rsae_sha256"), "{advice}");
}

#[test]
fn a_hello_that_hides_the_client_minimum_gives_depends_not_success() {
    require("openssl", "openssl");
    // TLS 1.0 only; the client's TLS 1.2-only hello carries no supported_versions.
    let server = Peer::openssl_s_server(&["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"], false);
    let client = ["-tls1_2", "-cipher", "DEFAULT:@SECLEVEL=0"];
    let real = real_handshake(&server.addr, &client);
    assert!(!completed(&real), "the real client refuses: {real}");
    let hello = captured_hello(&client);
    let (code, out, _) = common::run(&[
        "diagnose",
        "--client",
        &hello,
        "--server",
        &server.addr,
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["result"], "depends", "{v}");
    assert!(
        v["caveat"].as_str().unwrap_or_default().contains("minimum"),
        "{v}"
    );
    assert_eq!(code, 3, "depends is incomplete, never a pass");
}

#[test]
fn an_openssl_3_client_refuses_ecdhe_at_tls_1_0_as_predicted() {
    require("openssl", "openssl");
    let ecdhe_only = Peer::openssl_s_server(
        &["-tls1", "-cipher", "ECDHE-RSA-AES128-SHA:@SECLEVEL=0"],
        false,
    );
    // The machine's OpenSSL 3 client at its default security level, like the profile.
    let real = real_handshake(&ecdhe_only.addr, &["-tls1"]);
    assert!(!completed(&real), "the real handshake fails: {real}");
    let v = diagnose("openssl-3.0", &ecdhe_only.addr);
    assert_eq!(v["result"], "failure", "{v}");
    assert!(
        v["failure"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("security level"),
        "{v}"
    );

    // RSA key transport needs no signature: it works, really and simulated.
    let rsa_kx = Peer::openssl_s_server(&["-tls1", "-cipher", "AES128-SHA:@SECLEVEL=0"], false);
    let real = real_handshake(&rsa_kx.addr, &["-tls1"]);
    assert!(real.contains("Cipher is AES128-SHA"), "{real}");
    let v = diagnose("openssl-3.0", &rsa_kx.addr);
    assert_eq!(v["result"], "success", "{v}");
}
