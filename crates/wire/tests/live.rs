//! Real server flights: `openssl s_server` (via tlsfloor-testkit) on 127.0.0.1 answers
//! ClientHellos built by this crate; the parsed ServerHello / Certificate / ServerKeyExchange
//! must match the server's configuration. The socket code lives only in this test.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};
use tlsfloor_testkit::{Peer, Pki};
use tlsfloor_wire::client_hello::KeyShare;
use tlsfloor_wire::server::{ALERT_PROTOCOL_VERSION, HANDSHAKE_SERVER_HELLO_DONE};
use tlsfloor_wire::suites::{by_code, candidates};
use tlsfloor_wire::{
    parse_alert, parse_record, Alert, ClientHelloSpec, HandshakeReader, ServerHello,
    ServerKeyExchange, ServerMessage, Version,
};

/// What came back for one ClientHello.
#[derive(Debug, Default)]
struct Flight {
    hello: Option<ServerHello>,
    certs: Vec<Vec<u8>>,
    kx: Option<ServerKeyExchange>,
    done: bool,
    alert: Option<Alert>,
}

/// Sends `spec` to `addr` and reads until ServerHelloDone, a TLS 1.3 ServerHello, an alert,
/// EOF or 5 s.
fn exchange(addr: &str, spec: &ClientHelloSpec) -> Flight {
    let mut sock = TcpStream::connect(addr).expect("connect to s_server");
    sock.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    sock.write_all(&spec.encode_record())
        .expect("send ClientHello");
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut buf = Vec::new();
    let mut reader = HandshakeReader::new();
    let mut flight = Flight::default();
    let mut kx_hint: Option<&'static str> = None;
    let mut chunk = [0u8; 16384];
    while Instant::now() < deadline {
        match sock.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
            Err(_) => break,
        }
        while let Some((rec, used)) = parse_record(&buf).expect("server speaks TLS") {
            let (content_type, fragment) = (rec.content_type, rec.fragment.to_vec());
            buf.drain(..used);
            match content_type {
                21 => {
                    flight.alert = Some(parse_alert(&fragment).expect("plaintext alert"));
                    return flight;
                }
                22 => {
                    reader.push(&fragment).unwrap();
                    while let Some(msg) = reader.next_message(kx_hint).expect("valid message") {
                        match msg {
                            ServerMessage::Hello(h) => {
                                kx_hint = by_code(h.cipher).map(|s| s.kx);
                                let tls13 = h.selected_version == Some(0x0304);
                                flight.hello = Some(h);
                                if tls13 {
                                    return flight; // the rest is encrypted
                                }
                            }
                            ServerMessage::Certificate(c) => flight.certs = c,
                            ServerMessage::KeyExchange(k) => flight.kx = Some(k),
                            ServerMessage::HelloDone => {
                                flight.done = true;
                                return flight;
                            }
                            ServerMessage::Other(t) => {
                                assert_ne!(t, HANDSHAKE_SERVER_HELLO_DONE)
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    flight
}

fn probe(v: Version) -> ClientHelloSpec {
    let mut spec = ClientHelloSpec::for_version(v, candidates(v));
    spec.random = [0x17; 32];
    spec.sni = Some("localhost".into());
    spec
}

/// The DER of a PEM certificate, converted by the openssl tool.
fn der_of(pem: &std::path::Path) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(pem)
        .output()
        .expect("run openssl x509");
    assert!(out.status.success());
    out.stdout
}

/// OpenSSL names of the suites `openssl ciphers` enables for `args`.
fn openssl_cipher_names(args: &[&str]) -> Vec<String> {
    let out = Command::new("openssl")
        .arg("ciphers")
        .args(args)
        .output()
        .expect("run openssl ciphers");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .split(':')
        .map(str::to_string)
        .collect()
}

#[test]
fn tls12_ecdhe_rsa_flight_matches_server_config() {
    let peer = Peer::openssl_s_server(
        &[
            "-tls1_2",
            "-cipher",
            "ECDHE-RSA-AES128-GCM-SHA256",
            "-groups",
            "secp384r1",
        ],
        false,
    );
    let f = exchange(&peer.addr, &probe(Version::Tls12));
    let h = f.hello.expect("ServerHello");
    assert_eq!(h.cipher, 0xc02f);
    assert_eq!(h.version(), Some(Version::Tls12));
    assert!(h.secure_renegotiation());
    assert!(h.extended_master_secret());
    assert_eq!(f.kx.expect("ServerKeyExchange").group, Some(24));
    assert_eq!(f.certs.first(), Some(&der_of(&Pki::shared().rsa_cert)));
    assert!(f.done, "ServerHelloDone");
}

#[test]
fn tls12_dhe_reports_prime_size() {
    let dir = tempfile::tempdir().unwrap();
    let dh = dir.path().join("dh.pem");
    let ok = Command::new("openssl")
        .args(["genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt"])
        .arg("dh_param:ffdhe3072")
        .arg("-out")
        .arg(&dh)
        .status()
        .expect("openssl genpkey");
    assert!(ok.success());
    let peer = Peer::openssl_s_server(
        &[
            "-tls1_2",
            "-cipher",
            "DHE-RSA-AES256-GCM-SHA384",
            "-dhparam",
            dh.to_str().unwrap(),
        ],
        false,
    );
    let f = exchange(&peer.addr, &probe(Version::Tls12));
    assert_eq!(f.hello.expect("ServerHello").cipher, 0x009f);
    assert_eq!(f.kx.expect("ServerKeyExchange").dh_bits, Some(3072));
}

#[test]
fn tls13_key_share_and_hello_retry_request() {
    // Server wants x25519 and the client sends an x25519 share: a real ServerHello.
    let peer = Peer::openssl_s_server(&["-tls1_3", "-groups", "x25519"], false);
    let mut spec = probe(Version::Tls13);
    spec.key_shares = vec![KeyShare::placeholder(29).unwrap()];
    let h = exchange(&peer.addr, &spec).hello.expect("ServerHello");
    assert!(!h.hello_retry_request);
    assert_eq!(h.selected_version, Some(0x0304));
    assert_eq!(h.version(), Some(Version::Tls13));
    assert_eq!(h.key_share_group, Some(29));
    assert!((0x1301..=0x1303).contains(&h.cipher), "{:#06x}", h.cipher);
    drop(peer);

    // Server wants secp384r1 but the client only sent x25519: HelloRetryRequest for 24.
    let peer = Peer::openssl_s_server(&["-tls1_3", "-groups", "secp384r1"], false);
    let h = exchange(&peer.addr, &spec)
        .hello
        .expect("HelloRetryRequest");
    assert!(h.hello_retry_request);
    assert_eq!(h.key_share_group, Some(24));

    // The secp384r1 and secp256r1 placeholders are valid points: a real ServerHello each.
    for (group, name) in [(24u16, "secp384r1"), (23, "secp256r1")] {
        let peer = Peer::openssl_s_server(&["-tls1_3", "-groups", name], false);
        spec.key_shares = vec![KeyShare::placeholder(group).unwrap()];
        let h = exchange(&peer.addr, &spec).hello.expect("ServerHello");
        assert!(!h.hello_retry_request, "{name}");
        assert_eq!(h.key_share_group, Some(group), "{name}");
    }
}

#[test]
fn tls10_only_server_with_legacy_ciphers() {
    let peer = Peer::openssl_s_server(&["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"], false);
    let f = exchange(&peer.addr, &probe(Version::Tls10));
    let h = f.hello.expect("ServerHello");
    assert_eq!(h.version(), Some(Version::Tls10));
    let suite = by_code(h.cipher).expect("a registered suite");
    let enabled = openssl_cipher_names(&["-s", "-tls1", "DEFAULT:@SECLEVEL=0"]);
    assert!(
        enabled.iter().any(|n| Some(n.as_str()) == suite.openssl),
        "{} not in {enabled:?}",
        suite.iana
    );
    assert!(f.done && !f.certs.is_empty());

    // A TLS 1.2-only server refuses a TLS 1.0 hello with a fatal protocol_version alert.
    drop(peer);
    let peer = Peer::openssl_s_server(&["-tls1_2"], false);
    let f = exchange(&peer.addr, &probe(Version::Tls10));
    let alert = f.alert.expect("alert");
    assert!(alert.is_fatal());
    assert_eq!(alert.description, ALERT_PROTOCOL_VERSION);
    assert_eq!(alert.description_name(), "protocol_version");
}

#[test]
fn downgrade_sentinel_from_a_tls13_server() {
    let peer = Peer::openssl_s_server(&[], false);
    let h = exchange(&peer.addr, &probe(Version::Tls12))
        .hello
        .expect("ServerHello");
    assert_eq!(h.version(), Some(Version::Tls12));
    assert_eq!(h.downgrade_sentinel, Some(Version::Tls13));
}
