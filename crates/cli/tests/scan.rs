//! `tlsfloor scan` against real servers on 127.0.0.1 (openssl s_server, gnutls-serv, a
//! tlslite-ng SSL 3.0 server, and plain TCP listeners that misbehave). Expected suite sets come
//! from the peers' own tools (`openssl ciphers -s`, `gnutls-cli -l`, tlslite-ng's suite
//! lists), never from tlsfloor.

mod common;

use common::{accepted_versions, stdout_json, tlsfloor};
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::time::Duration;
use tlsfloor_scan::report::{ErrorCode, FallbackScsv, Preference, ScanReport, TargetReport};
use tlsfloor_testkit::{free_port, Peer, Pki};
use tlsfloor_wire::Version;

/// Runs `tlsfloor scan --json ARGS…`; returns the report and the exit code.
fn scan(args: &[&str]) -> (ScanReport, i32) {
    let out = tlsfloor()
        .arg("scan")
        .arg("--json")
        .args(args)
        .output()
        .expect("run tlsfloor");
    let report: ScanReport = stdout_json(&out);
    (report, out.status.code().unwrap_or(-1))
}

fn accepted(t: &TargetReport, v: Version) -> Vec<u16> {
    t.protocols
        .iter()
        .find(|p| p.version == v)
        .filter(|p| p.accepted)
        .map(|p| p.suites.iter().map(|s| s.code).collect())
        .unwrap_or_default()
}

fn set(v: &[u16]) -> BTreeSet<u16> {
    v.iter().copied().collect()
}

/// `openssl ciphers -V -s <flag> <cipher string>`: the suites an OpenSSL server configured
/// with that string enables at that version, in its preference order, restricted to suites
/// an RSA (or ECDSA) certificate can serve (plus anonymous ones, which need none).
fn openssl_expected(cipher: &str, flag: &str, ecdsa: bool) -> Vec<u16> {
    let out = Command::new("openssl")
        .args(["ciphers", "-V", "-s", flag, cipher])
        .output()
        .expect("run openssl ciphers");
    assert!(
        out.status.success(),
        "openssl ciphers {flag} {cipher} failed"
    );
    let auth = if ecdsa { "Au=ECDSA" } else { "Au=RSA" };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (code, version, kx, au) = (f.first()?, f.get(3)?, f.get(4)?, f.get(5)?);
            let tls13 = *version == "TLSv1.3";
            if tls13 != (flag == "-tls1_3") {
                return None;
            }
            if !tls13 && *au != auth && *au != "Au=None" {
                return None;
            }
            if kx.contains("PSK") || kx.contains("SRP") {
                return None;
            }
            let hex: String = code.replace("0x", "").replace(',', "");
            u16::from_str_radix(&hex, 16).ok()
        })
        .collect()
}

#[test]
fn legacy_only_server_exact_sets() {
    let cipher = "DEFAULT:@SECLEVEL=0";
    let peer = Peer::openssl_s_server(&["-no_tls1_3", "-no_tls1_2", "-cipher", cipher], false);
    let (report, code) = scan(&[&peer.addr]);
    assert_eq!(code, 0);
    let t = &report.targets[0];
    assert!(t.error.is_none(), "{:?}", t.error);
    assert_eq!(accepted_versions(t), vec![Version::Tls10, Version::Tls11]);
    for (v, flag) in [(Version::Tls10, "-tls1"), (Version::Tls11, "-tls1_1")] {
        let want = openssl_expected(cipher, flag, false);
        assert!(!want.is_empty());
        assert_eq!(set(&accepted(t, v)), set(&want), "{v}");
    }
    assert_eq!(t.fallback_scsv, FallbackScsv::Supported);
    // s_server without -serverpref follows the client's order.
    let p10 = t
        .protocols
        .iter()
        .find(|p| p.version == Version::Tls10)
        .unwrap();
    assert_eq!(p10.preference, Preference::Client);
    // The certificate is the testkit's RSA leaf.
    let leaf = t.certificates.first().expect("certificate");
    assert_eq!(leaf.key_type, "RSA");
    assert_eq!(leaf.key_bits, 2048);
    assert_eq!(leaf.sha256, fingerprint(&Pki::shared().rsa_cert));
    assert!(
        leaf.sans.contains(&"IP:127.0.0.1".to_string()),
        "{:?}",
        leaf.sans
    );
    assert_eq!(t.hostname_match, Some(true));
}

#[test]
fn tls12_only_fixed_cipher_list() {
    let cipher = "ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA:DHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305";
    let peer = Peer::openssl_s_server(&["-tls1_2", "-cipher", cipher], false);
    let (report, code) = scan(&[&peer.addr]);
    assert_eq!(code, 0);
    let t = &report.targets[0];
    assert_eq!(accepted_versions(t), vec![Version::Tls12]);
    let want = openssl_expected(cipher, "-tls1_2", false);
    assert_eq!(want.len(), 4);
    assert_eq!(set(&accepted(t, Version::Tls12)), set(&want));
    assert_eq!(t.fallback_scsv, FallbackScsv::NotApplicable);
    // Each suite agrees with a real OpenSSL client offering only that suite.
    for s in &t.protocols[3].suites {
        let name = s.openssl.clone().expect("openssl name");
        assert!(s_client_accepts(&peer.addr, &name), "{name}");
    }
    assert!(!s_client_accepts(&peer.addr, "AES128-SHA"));
    // ECDHE suites name their group; the server's default groups include x25519.
    let p = &t.protocols[3];
    let ecdhe = p.suites.iter().find(|s| s.code == 0xc02f).unwrap();
    assert_eq!(ecdhe.group.as_deref(), Some("x25519"));
    assert!(p.groups.contains(&"x25519".to_string()), "{:?}", p.groups);
    assert!(
        p.groups.contains(&"secp256r1".to_string()),
        "{:?}",
        p.groups
    );
}

fn s_client_accepts(addr: &str, cipher: &str) -> bool {
    let out = Command::new("timeout")
        .args([
            "10", "openssl", "s_client", "-connect", addr, "-tls1_2", "-cipher", cipher,
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run s_client");
    let text = String::from_utf8_lossy(&out.stdout);
    text.contains(&format!("Cipher is {cipher}"))
}

fn fingerprint(pem: &std::path::Path) -> String {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(pem)
        .output()
        .expect("openssl x509");
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim()
        .rsplit('=')
        .next()
        .unwrap_or("")
        .replace(':', "")
        .to_ascii_lowercase()
}

#[test]
fn tls12_and_tls13_default_server() {
    let peer = Peer::openssl_s_server(&["-no_ssl3", "-no_tls1", "-no_tls1_1"], false);
    let (report, code) = scan(&[&peer.addr]);
    assert_eq!(code, 0);
    let t = &report.targets[0];
    assert_eq!(accepted_versions(t), vec![Version::Tls12, Version::Tls13]);
    assert_eq!(
        set(&accepted(t, Version::Tls12)),
        set(&openssl_expected("DEFAULT", "-tls1_2", false))
    );
    assert_eq!(
        set(&accepted(t, Version::Tls13)),
        set(&openssl_expected("DEFAULT", "-tls1_3", false))
    );
    assert_eq!(t.fallback_scsv, FallbackScsv::Supported);
    let p13 = t
        .protocols
        .iter()
        .find(|p| p.version == Version::Tls13)
        .unwrap();
    assert!(p13.groups.contains(&"x25519".to_string()));
    assert!(
        p13.groups.contains(&"ffdhe2048".to_string()),
        "{:?}",
        p13.groups
    );
}

#[test]
fn tls13_only_ecdsa_with_certificate_from_real_handshake() {
    let peer = Peer::openssl_s_server(&["-tls1_3"], true);
    let (report, code) = scan(&[&peer.addr]);
    assert_eq!(code, 0);
    let t = &report.targets[0];
    assert_eq!(accepted_versions(t), vec![Version::Tls13]);
    assert_eq!(
        set(&accepted(t, Version::Tls13)),
        set(&openssl_expected("DEFAULT", "-tls1_3", true))
    );
    let leaf = t.certificates.first().expect("certificate via handshake");
    assert_eq!(leaf.sha256, fingerprint(&Pki::shared().ecdsa_cert));
    assert_eq!((leaf.key_type.as_str(), leaf.key_bits), ("EC", 256));
    assert_eq!(leaf.signature_algorithm, "sha256WithRSAEncryption"); // signed by the RSA CA
    assert_eq!(t.hostname_match, Some(true));
    assert_eq!(t.fallback_scsv, FallbackScsv::NotApplicable);
}

#[test]
fn server_preference_order_matches_openssl() {
    let cipher = "ALL:@SECLEVEL=0";
    let peer = Peer::openssl_s_server(&["-serverpref", "-cipher", cipher], false);
    let (report, _) = scan(&[&peer.addr]);
    let t = &report.targets[0];
    assert_eq!(
        accepted_versions(t),
        vec![
            Version::Tls10,
            Version::Tls11,
            Version::Tls12,
            Version::Tls13
        ]
    );
    for (v, flag) in [
        (Version::Tls10, "-tls1"),
        (Version::Tls11, "-tls1_1"),
        (Version::Tls12, "-tls1_2"),
        (Version::Tls13, "-tls1_3"),
    ] {
        let p = t.protocols.iter().find(|p| p.version == v).unwrap();
        assert_eq!(p.preference, Preference::Server, "{v}");
        let want = openssl_expected(cipher, flag, false);
        assert_eq!(accepted(t, v), want, "{v}: server order");
    }
}

#[test]
fn gnutls_server_tls11_and_tls12() {
    let prio = "NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.1";
    let peer = Peer::gnutls_serv(prio);
    let (report, code) = scan(&[&peer.addr]);
    assert_eq!(code, 0);
    let t = &report.targets[0];
    assert_eq!(accepted_versions(t), vec![Version::Tls11, Version::Tls12]);
    // gnutls-cli -l lists each suite with the first version it exists in.
    let out = Command::new("gnutls-cli")
        .args(["-l", "--priority", prio])
        .output()
        .expect("gnutls-cli -l");
    let mut tls12 = Vec::new();
    let mut tls11 = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<&str> = line.split('\t').map(str::trim).collect();
        if f.len() < 3 || !f[0].starts_with("TLS_") || !f[0].contains("_RSA_") {
            continue; // only suites an RSA certificate can serve
        }
        let hex = f[1].replace("0x", "").replace([',', ' '], "");
        let Ok(code) = u16::from_str_radix(&hex, 16) else {
            continue;
        };
        tls12.push(code);
        if f[2] != "TLS1.2" {
            tls11.push(code);
        }
    }
    assert!(!tls11.is_empty());
    assert_eq!(set(&accepted(t, Version::Tls12)), set(&tls12));
    assert_eq!(set(&accepted(t, Version::Tls11)), set(&tls11));
    assert_eq!(t.fallback_scsv, FallbackScsv::Supported);
}

#[test]
fn sslv3_server_exact_sets_and_order() {
    // Debian's OpenSSL and GnuTLS have no SSL 3.0; tlslite-ng (pure Python) does.
    let peer = Peer::tlslite_server("ssl3", "tls1.0");
    let (report, code) = scan(&[&peer.addr]);
    assert_eq!(code, 0);
    let t = &report.targets[0];
    assert_eq!(accepted_versions(t), vec![Version::Ssl30, Version::Tls10]);
    for (version, name) in [(Version::Ssl30, "ssl3"), (Version::Tls10, "tls1.0")] {
        let expected = tlsfloor_testkit::tlslite_enabled_suites(name);
        assert!(!expected.is_empty());
        // tlslite-ng picks the first of its own suites the client offers: server order.
        assert_eq!(accepted(t, version), expected, "{name}");
        let p = t.protocols.iter().find(|p| p.version == version).unwrap();
        assert_eq!(p.preference, Preference::Server, "{name}");
    }
    // tlslite-ng answers inappropriate_fallback to a TLS 1.0 hello carrying the SCSV.
    assert_eq!(t.fallback_scsv, FallbackScsv::Supported);
    assert!(
        !t.certificates.is_empty(),
        "chain read from the SSLv3/TLS 1.0 probe"
    );

    // A TLS 1.2 floor names SSLv3 as a violation and exits 1.
    let out = tlsfloor()
        .args(["scan", "--min-version", "1.2", &peer.addr])
        .output()
        .expect("run tlsfloor");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("SSLv3 accepted; min-version TLSv1.2"),
        "{text}"
    );
}

#[test]
fn every_address_behind_a_name_is_scanned_on_request() {
    // Two nodes behind one name, on the same port: 127.0.0.1 modern, 127.0.0.2 legacy.
    let port = free_port();
    let modern = Peer::openssl_s_server_at(([127, 0, 0, 1], port).into(), &["-tls1_2"], false);
    let legacy = Peer::openssl_s_server_at(
        ([127, 0, 0, 2], port).into(),
        &["-no_tls1_3", "-no_tls1_2", "-cipher", "DEFAULT:@SECLEVEL=0"],
        false,
    );
    let target = format!("pool.test:{port}");
    let pin = format!("pool.test:{port}:127.0.0.1,127.0.0.2");

    // Default: the first address only, the other one named as not scanned.
    let (report, code) = scan(&[&target, "--resolve", &pin]);
    assert_eq!(code, 0);
    assert_eq!(report.targets.len(), 1);
    let t = &report.targets[0];
    assert_eq!(t.address.as_deref(), Some(modern.addr.as_str()));
    assert_eq!(t.sni.as_deref(), Some("pool.test"));
    assert_eq!(t.other_addresses, vec![legacy.addr.clone()]);
    assert_eq!(accepted_versions(t), vec![Version::Tls12]);

    // --all-addresses: one report per node, in resolution order; the legacy node shows.
    let (report, code) = scan(&[&target, "--resolve", &pin, "--all-addresses"]);
    assert_eq!(code, 0);
    let addrs: Vec<Option<&str>> = report
        .targets
        .iter()
        .map(|t| t.address.as_deref())
        .collect();
    assert_eq!(
        addrs,
        vec![Some(modern.addr.as_str()), Some(legacy.addr.as_str())]
    );
    assert!(report.targets.iter().all(|t| t.other_addresses.is_empty()));
    assert_eq!(accepted_versions(&report.targets[0]), vec![Version::Tls12]);
    assert_eq!(
        accepted_versions(&report.targets[1]),
        vec![Version::Tls10, Version::Tls11]
    );

    // A TLS 1.2 floor fails because of the second node only.
    let out = tlsfloor()
        .args([
            "scan",
            &target,
            "--resolve",
            &pin,
            "--all-addresses",
            "--min-version",
            "1.2",
        ])
        .output()
        .expect("run tlsfloor");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn ipv6_literal_target_on_loopback() {
    let at = std::net::SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, free_port()));
    let peer = Peer::openssl_s_server_at(at, &["-no_tls1_3", "-no_tls1_1", "-no_tls1"], false);
    assert_eq!(peer.addr, format!("[::1]:{}", at.port()));
    let (report, code) = scan(&[&peer.addr]);
    assert_eq!(code, 0);
    let t = &report.targets[0];
    assert_eq!(
        (t.host.as_str(), t.port, t.sni.as_deref()),
        ("::1", at.port(), None)
    );
    assert_eq!(t.address.as_deref(), Some(peer.addr.as_str()));
    assert_eq!(accepted_versions(t), vec![Version::Tls12]);
    // The test leaf names localhost and 127.0.0.1, not ::1.
    assert_eq!(t.hostname_match, Some(false));
}

#[test]
fn bad_resolve_option_is_a_usage_error() {
    let out = tlsfloor()
        .args(["scan", "x.test:443", "--resolve", "x.test:443:not-an-ip"])
        .output()
        .expect("run tlsfloor");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\"not-an-ip\" is not an IP address"), "{err}");
}

/// A plain TCP listener on 127.0.0.1 that treats every connection with `f` (in a thread).
fn misbehaving(f: fn(TcpStream)) -> String {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr").to_string();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            std::thread::spawn(move || f(s));
        }
    });
    addr
}

fn read_some(s: &mut TcpStream) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let mut buf = [0u8; 4096];
    let _ = s.read(&mut buf);
}

fn http_400(mut s: TcpStream) {
    read_some(&mut s);
    let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
}

fn silent(s: TcpStream) {
    std::thread::sleep(Duration::from_secs(5));
    drop(s);
}

fn reset(s: TcpStream) {
    drop(s); // closes with the hello unread: FIN, then RST when the hello arrives
}

fn garbage(mut s: TcpStream) {
    read_some(&mut s);
    let _ = s.write_all(&[0x00, 0x7f, 0x13, 0x99, 0xfe, 0x01, 0x02, 0x03]);
}

fn bad_server_hello(mut s: TcpStream) {
    read_some(&mut s);
    // A handshake record holding a ServerHello whose body is cut short.
    let _ = s.write_all(&[
        0x16, 0x03, 0x03, 0x00, 0x06, 0x02, 0x00, 0x00, 0x02, 0x03, 0x03,
    ]);
}

fn error_of(t: &TargetReport) -> ErrorCode {
    t.error
        .as_ref()
        .unwrap_or_else(|| panic!("{} should have failed", t.target))
        .code
}

#[test]
fn error_cases_are_classified() {
    let closed = format!("127.0.0.1:{}", free_port());
    let http = misbehaving(http_400);
    let hang = misbehaving(silent);
    let rst = misbehaving(reset);
    let junk = misbehaving(garbage);
    let bad = misbehaving(bad_server_hello);
    let (report, code) = scan(&[
        "--timeout",
        "700ms",
        &closed,
        &http,
        &hang,
        &rst,
        &junk,
        &bad,
        "bad host:1",
    ]);
    assert_eq!(code, 3);
    let codes: Vec<ErrorCode> = report.targets.iter().map(error_of).collect();
    assert_eq!(
        codes,
        vec![
            ErrorCode::Refused,
            ErrorCode::NotTls,
            ErrorCode::Timeout,
            ErrorCode::Reset,
            ErrorCode::NotTls,
            ErrorCode::Malformed,
            ErrorCode::BadTarget,
        ]
    );
    let msg = &report.targets[1].error.as_ref().unwrap().message;
    assert!(msg.contains("HTTP/1.1 400 Bad Request"), "{msg}");
    assert!(report.targets.iter().all(|t| t.protocols.is_empty()));
}

#[test]
fn good_targets_survive_bad_ones() {
    let peer = Peer::openssl_s_server(&["-tls1_2", "-cipher", "AES128-SHA:AES256-SHA"], false);
    let hang = misbehaving(silent);
    let closed = format!("127.0.0.1:{}", free_port());
    let dir = tempfile::tempdir().expect("tempdir");
    let list = dir.path().join("targets.txt");
    std::fs::write(
        &list,
        format!(
            "# mixed\n{hang}\n\n{}  # the good one\n{closed}\n",
            peer.addr
        ),
    )
    .expect("write list");
    let (report, code) = scan(&["--timeout", "700ms", "-i", list.to_str().unwrap()]);
    assert_eq!(code, 3);
    assert_eq!(report.targets.len(), 3);
    assert_eq!(error_of(&report.targets[0]), ErrorCode::Timeout);
    assert_eq!(error_of(&report.targets[2]), ErrorCode::Refused);
    let good = &report.targets[1];
    assert!(good.error.is_none());
    assert_eq!(set(&accepted(good, Version::Tls12)), set(&[0x002f, 0x0035]));
    assert!(!good.certificates.is_empty());
}

#[test]
fn table_output_marks_legacy_versions() {
    let peer = Peer::openssl_s_server(
        &["-no_tls1_3", "-no_tls1_2", "-cipher", "DEFAULT:@SECLEVEL=0"],
        false,
    );
    let out = tlsfloor()
        .args(["scan", &peer.addr])
        .output()
        .expect("run tlsfloor");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains('\x1b'), "no colour when not a TTY");
    assert!(text.contains("TLSv1.0  accepted  LEGACY"), "{text}");
    assert!(text.contains("ECDHE-RSA-AES256-SHA"), "{text}");
    assert!(text.contains("would fail a TLS 1.2 floor"), "{text}");
}

#[test]
fn chacha_priority_servers_are_mixed_preference() {
    // -prioritize_chacha: ChaCha20 wins only when the client lists it first.
    let peer = Peer::openssl_s_server(
        &[
            "-serverpref",
            "-prioritize_chacha",
            "-no_tls1",
            "-no_tls1_1",
        ],
        false,
    );
    let (report, code) = scan(&[&peer.addr]);
    assert_eq!(code, 0);
    let t = &report.targets[0];
    for v in [Version::Tls12, Version::Tls13] {
        let p = t.protocols.iter().find(|p| p.version == v).unwrap();
        assert_eq!(p.preference, Preference::Mixed, "{v}");
    }
    // A modern client lists AES-128-GCM first: OpenSSL's own order then puts AES-256 first.
    let p13 = t
        .protocols
        .iter()
        .find(|p| p.version == Version::Tls13)
        .unwrap();
    assert_eq!(p13.suites[0].code, 0x1302, "{:?}", p13.suites);
    // The same server without -prioritize_chacha has a plain server order.
    let plain = Peer::openssl_s_server(&["-serverpref", "-no_tls1", "-no_tls1_1"], false);
    let (report, _) = scan(&[&plain.addr]);
    let p13 = report.targets[0]
        .protocols
        .iter()
        .find(|p| p.version == Version::Tls13)
        .unwrap();
    assert_eq!(p13.preference, Preference::Server);
}

#[test]
fn ecdsa_server_groups_are_all_found_at_tls12() {
    // The P-256 certificate needs secp256r1 in every TLS 1.2 hello's group list.
    let peer = Peer::openssl_s_server(&["-tls1_2"], true);
    let (report, code) = scan(&[&peer.addr]);
    assert_eq!(code, 0);
    let p = &report.targets[0].protocols[3];
    assert_eq!(p.version, Version::Tls12);
    for g in ["x25519", "secp256r1", "x448", "secp521r1", "secp384r1"] {
        assert!(
            p.groups.contains(&g.to_string()),
            "{g} missing: {:?}",
            p.groups
        );
    }
}

#[test]
fn chains_are_judged_against_the_trust_store_or_ca() {
    let pki = Pki::shared();
    let peer = Peer::openssl_s_server(&["-tls1_2"], false);
    // The testkit CA is in no system store: untrusted, with OpenSSL's reason.
    let (report, _) = scan(&[&peer.addr]);
    let trust = report.targets[0].trust.clone().expect("trust verdict");
    assert!(!trust.trusted);
    assert!(
        trust.problems.iter().any(|p| p.contains("local issuer")),
        "{trust:?}"
    );
    // Trusting the CA makes it trusted (the leaf names 127.0.0.1).
    let ca = pki.ca_cert.display().to_string();
    let (report, code) = scan(&["--ca", &ca, &peer.addr]);
    assert_eq!(code, 0);
    let trust = report.targets[0].trust.clone().expect("trust verdict");
    assert!(trust.trusted, "{trust:?}");
    assert!(trust.store.contains("--ca"), "{trust:?}");
    // A self-signed leaf is untrusted for its own reason.
    let dir = tempfile::tempdir().unwrap();
    let (key, cert) = (dir.path().join("k.pem"), dir.path().join("c.pem"));
    let ok = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
        ])
        .args(["-addext", "subjectAltName=IP:127.0.0.1", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let selfsigned = Peer::spawn(
        "openssl",
        &[
            "s_server",
            "-accept",
            "127.0.0.1:{port}",
            "-tls1_2",
            "-quiet",
            "-cert",
            cert.to_str().unwrap(),
            "-key",
            key.to_str().unwrap(),
        ],
    );
    let (report, _) = scan(&[&selfsigned.addr]);
    let trust = report.targets[0].trust.clone().expect("trust verdict");
    assert!(
        trust.problems.iter().any(|p| p.contains("self-signed")),
        "{trust:?}"
    );
    // A policy can require a trusted chain.
    let policy = dir.path().join("trusted.toml");
    std::fs::write(
        &policy,
        "name = \"trusted\"\nmin_version = \"1.2\"\nrequire_trusted_chain = true\n",
    )
    .unwrap();
    let out = tlsfloor()
        .args(["scan", "--policy"])
        .arg(&policy)
        .arg(&selfsigned.addr)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("certificate chain not trusted"), "{text}");
    let out = tlsfloor()
        .args(["scan", "--ca", &ca, "--policy"])
        .arg(&policy)
        .arg(&peer.addr)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A CA file that is not there is a usage error before any probe.
    let out = tlsfloor()
        .args(["scan", "--ca", "/nonexistent/ca.pem", &peer.addr])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A Go crypto/tls HTTPS server (TLS 1.0 and up, Go's own suite choice).
const GO_SERVER: &str = r#"package main

import (
	"crypto/tls"
	"log"
	"net/http"
	"os"
)

func main() {
	srv := &http.Server{Addr: os.Args[1], TLSConfig: &tls.Config{MinVersion: tls.VersionTLS10},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })}
	log.Fatal(srv.ListenAndServeTLS(os.Args[2], os.Args[3]))
}
"#;

#[test]
fn go_servers_choose_by_the_clients_first_suite_mixed_preference() {
    tlsfloor_testkit::require("go", "golang-go");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.go"), GO_SERVER).unwrap();
    std::fs::write(dir.path().join("go.mod"), "module gosrv\ngo 1.19\n").unwrap();
    let bin = dir.path().join("gosrv");
    let built = Command::new("go")
        .args(["build", "-o"])
        .arg(&bin)
        .arg(".")
        .current_dir(dir.path())
        .env("GOCACHE", dir.path().join("cache"))
        .env("GOPATH", dir.path().join("gopath"))
        .env("GOFLAGS", "-mod=mod")
        .env("GOTOOLCHAIN", "local")
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "go build: {}",
        String::from_utf8_lossy(&built.stderr)
    );
    let pki = Pki::shared();
    let (cert, key) = (
        pki.rsa_cert.display().to_string(),
        pki.rsa_key.display().to_string(),
    );
    let server = Peer::spawn(bin.to_str().unwrap(), &["127.0.0.1:{port}", &cert, &key]);
    let (report, code) = scan(&[&server.addr]);
    let t = &report.targets[0];
    assert!(t.complete, "{t:?}");
    assert_eq!(code, 0);
    for v in [Version::Tls12, Version::Tls13] {
        let p = t.protocols.iter().find(|p| p.version == v).unwrap();
        assert_eq!(p.preference, Preference::Mixed, "{v}: {p:?}");
    }
    // The order listed is what a modern client gets: OpenSSL's own client (AES-GCM first)
    // negotiates the first suite listed.
    let p12 = t
        .protocols
        .iter()
        .find(|p| p.version == Version::Tls12)
        .unwrap();
    let first = p12.suites[0].openssl.clone().unwrap();
    let out = Command::new("timeout")
        .args([
            "10",
            "openssl",
            "s_client",
            "-connect",
            &server.addr,
            "-tls1_2",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("Cipher is {first}")),
        "{first}: {text}"
    );
}

#[test]
fn a_server_with_rsa_and_ecdsa_certificates_shows_both_chains() {
    let pki = Pki::shared();
    let (ecert, ekey) = (
        pki.ecdsa_cert.display().to_string(),
        pki.ecdsa_key.display().to_string(),
    );
    let peer = Peer::openssl_s_server(&["-tls1_2", "-dcert", &ecert, "-dkey", &ekey], false);
    let (report, code) = scan(&[&peer.addr]);
    assert_eq!(code, 0);
    let t = &report.targets[0];
    let found: Vec<(String, String, String)> = t
        .chains
        .iter()
        .map(|c| {
            (
                c.auth.clone(),
                c.certificates[0].key_type.clone(),
                c.certificates[0].sha256.clone(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("RSA".into(), "RSA".into(), fingerprint(&pki.rsa_cert)),
            ("ECDSA".into(), "EC".into(), fingerprint(&pki.ecdsa_cert)),
        ]
    );
    // A single-certificate server lists one chain, the same as `certificates`.
    let single = Peer::openssl_s_server(&["-tls1_2"], false);
    let (report, _) = scan(&[&single.addr]);
    let t = &report.targets[0];
    assert_eq!(t.chains.len(), 1);
    assert_eq!(t.chains[0].certificates, t.certificates);
}

#[test]
fn a_tls13_only_server_with_two_certificates_shows_both_chains() {
    // TLS 1.3 encrypts the Certificate message and chooses by signature algorithm: one real
    // handshake per family reads each chain.
    let pki = Pki::shared();
    let (ecert, ekey) = (
        pki.ecdsa_cert.display().to_string(),
        pki.ecdsa_key.display().to_string(),
    );
    let peer = Peer::openssl_s_server(&["-tls1_3", "-dcert", &ecert, "-dkey", &ekey], false);
    let (report, code) = scan(&["--no-groups", &peer.addr]);
    assert_eq!(code, 0);
    let found: Vec<(String, String)> = report.targets[0]
        .chains
        .iter()
        .map(|c| (c.auth.clone(), c.certificates[0].sha256.clone()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("RSA".into(), fingerprint(&pki.rsa_cert)),
            ("ECDSA".into(), fingerprint(&pki.ecdsa_cert)),
        ]
    );
}

/// A JSSE (Java's own TLS) server: the platform default SSLServerSocket, one line of HTTP.
const JAVA_SERVER: &str = r#"import javax.net.ssl.*; import java.net.*;
public class S { public static void main(String[] a) throws Exception {
  SSLServerSocket ss = (SSLServerSocket) SSLServerSocketFactory.getDefault()
      .createServerSocket(Integer.parseInt(a[0]), 50, InetAddress.getByName("127.0.0.1"));
  while (true) { final Socket s = ss.accept(); new Thread(() -> {
    try { ((SSLSocket) s).startHandshake(); s.getOutputStream().write("HTTP/1.0 200 OK\r\n\r\n".getBytes()); }
    catch (Exception e) { } finally { try { s.close(); } catch (Exception e) { } } }).start(); }
}}
"#;

#[test]
fn a_java_server_without_the_scsv_at_tls12_still_protects_tls13_clients() {
    tlsfloor_testkit::require("javac", "default-jdk-headless");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("S.java"), JAVA_SERVER).unwrap();
    let javac = Command::new("javac")
        .arg("S.java")
        .current_dir(d)
        .output()
        .unwrap();
    assert!(
        javac.status.success(),
        "{}",
        String::from_utf8_lossy(&javac.stderr)
    );
    let pki = Pki::shared();
    let p12 = d.join("ks.p12");
    let export = Command::new("openssl")
        .args(["pkcs12", "-export", "-passout", "pass:changeit", "-in"])
        .arg(&pki.rsa_cert)
        .arg("-inkey")
        .arg(&pki.rsa_key)
        .arg("-out")
        .arg(&p12)
        .output()
        .unwrap();
    assert!(export.status.success());
    let ks = format!("-Djavax.net.ssl.keyStore={}", p12.display());
    let cp = d.display().to_string();
    let server = Peer::spawn(
        "java",
        &[
            &ks,
            "-Djavax.net.ssl.keyStorePassword=changeit",
            "-cp",
            &cp,
            "S",
            "{port}",
        ],
    );
    let (report, code) = scan(&[&server.addr]);
    let t = &report.targets[0];
    assert!(t.complete, "{t:?}");
    assert_eq!(code, 0);
    let accepted: Vec<Version> = t
        .protocols
        .iter()
        .filter(|p| p.accepted)
        .map(|p| p.version)
        .collect();
    assert_eq!(
        accepted,
        vec![Version::Tls12, Version::Tls13],
        "JDK defaults"
    );
    // JSSE answers a TLS 1.2 hello carrying the SCSV, with the RFC 8446 sentinel in its random.
    assert_eq!(t.fallback_scsv, FallbackScsv::NotSupported, "{t:?}");
    assert_eq!(t.downgrade_sentinel, Some(true), "{t:?}");
    let (_, text, _) = common::run(&["scan", &server.addr]);
    assert!(
        text.contains("TLS 1.3 clients are still protected"),
        "{text}"
    );

    // OpenSSL refuses the same hello outright: the sentinel is then not observed.
    let openssl = Peer::openssl_s_server(&[], false);
    let (r, _) = scan(&[&openssl.addr]);
    assert_eq!(r.targets[0].fallback_scsv, FallbackScsv::Supported);
    assert_eq!(r.targets[0].downgrade_sentinel, None);
}

#[test]
fn psk_suites_report_their_group_and_the_scan_is_complete() {
    // PSK key exchanges put an identity hint before their DH/ECDH parameters; OpenSSL also
    // picks ECDHE-PSK without a shared group and fails before its key exchange.
    let server = Peer::spawn(
        "openssl",
        &[
            "s_server",
            "-accept",
            "127.0.0.1:{port}",
            "-psk",
            "0102030405",
            "-psk_hint",
            "tlsfloor",
            "-nocert",
            "-no_tls1_3",
            "-cipher",
            "ECDHE-PSK-AES128-CBC-SHA256:DHE-PSK-AES128-CBC-SHA256:PSK-AES128-CBC-SHA:@SECLEVEL=0",
            "-quiet",
        ],
    );
    let (report, code) = scan(&[&server.addr]);
    let t = &report.targets[0];
    assert!(t.complete, "{t:?}");
    assert_eq!(code, 0);
    let p12 = t
        .protocols
        .iter()
        .find(|p| p.version == Version::Tls12)
        .unwrap();
    let group = |code: u16| {
        p12.suites
            .iter()
            .find(|s| s.code == code)
            .and_then(|s| s.group.clone())
    };
    assert_eq!(group(0xc037).as_deref(), Some("x25519"), "{p12:?}");
    assert!(
        group(0x00b2).is_some_and(|g| g.starts_with("dh") && g != "dh47"),
        "{p12:?}"
    );
    assert_eq!(group(0x008c), None, "plain PSK has no key exchange group");
    assert!(p12.groups.contains(&"secp256r1".to_string()), "{p12:?}");
    // No certificate is sought where no accepted suite uses one.
    assert!(
        t.certificate_errors
            .iter()
            .any(|e| e.contains("authenticates without one")),
        "{:?}",
        t.certificate_errors
    );
}

#[test]
fn scan_markdown_marks_legacy_and_unproven_targets() {
    let legacy = Peer::openssl_s_server(&["-cipher", "DEFAULT:@SECLEVEL=0", "-no_tls1_3"], false);
    let down = format!("127.0.0.1:{}", free_port());
    let out = tlsfloor()
        .args([
            "scan",
            "--format",
            "markdown",
            "--timeout",
            "2s",
            &legacy.addr,
            &down,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "an unreachable target: {text}");
    assert!(
        text.contains("| target | accepted | legacy | unknown | proven |"),
        "{text}"
    );
    let row = text
        .lines()
        .find(|l| l.contains(&legacy.addr))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        row.contains("**TLSv1.0**") && row.contains("| yes |"),
        "{row}"
    );
    let row = text
        .lines()
        .find(|l| l.contains(&down))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(row.contains("error:"), "{row}");
}

#[test]
fn weak_suites_and_certificates_are_marked_each_by_name_with_a_legend() {
    let server = Peer::openssl_s_server(&["-cipher", "ALL:@SECLEVEL=0", "-no_tls1_3"], false);
    let (_, text, _) = common::run(&["scan", "--no-groups", &server.addr]);
    let row = |iana: &str| {
        text.lines()
            .find(|l| l.contains(iana))
            .unwrap_or_else(|| panic!("no {iana} in {text}"))
            .to_string()
    };
    assert!(
        row("TLS_RSA_WITH_AES_128_CBC_SHA ").ends_with("RSA-KX"),
        "{text}"
    );
    assert!(
        row("TLS_ECDH_anon_WITH_AES_128_CBC_SHA").ends_with("ANON"),
        "{text}"
    );
    assert!(
        !row("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256").contains("RSA-KX"),
        "{text}"
    );
    assert!(
        text.contains("marks: ")
            && text.contains("ANON = anonymous")
            && text.contains("RSA-KX = RSA key transport"),
        "{text}"
    );

    // A SHA-1-signed certificate is marked too.
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha1", "-days", "30",
        ])
        .args(["-subj", "/CN=localhost", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(made.status.success());
    let sha1 = Peer::spawn(
        "openssl",
        &[
            "s_server",
            "-accept",
            "127.0.0.1:{port}",
            "-cert",
            cert.to_str().unwrap(),
            "-key",
            key.to_str().unwrap(),
            "-cipher",
            "DEFAULT:@SECLEVEL=0",
            "-quiet",
        ],
    );
    let (_, text, _) = common::run(&["scan", "--no-groups", &sha1.addr]);
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("weak") && l.contains("SHA-1")),
        "{text}"
    );
}
