//! SSL 2.0: an SSL 2.0 responder (testkit, written from the SSL 2.0 draft: no maintained server
//! speaks it) is reported with its cipher kinds and fails every policy; real TLS servers are
//! never read as SSL 2.0, and the responder is never read as TLS.

mod common;

use common::scan;
use std::process::Command;
use tlsfloor_scan::report::VersionStatus;
use tlsfloor_testkit::frontend::{FrontEnd, Quirk};
use tlsfloor_testkit::sslv2_server::Sslv2Server;
use tlsfloor_testkit::{Peer, Pki};

/// Scan options for the responder, which answers at once.
const QUICK: &[&str] = &["--no-groups", "--timeout", "2s", "--retries", "1"];

const RC4_MD5: u32 = 0x010080;
const DES3_MD5: u32 = 0x0700c0;

fn leaf_der() -> Vec<u8> {
    let pki = Pki::shared();
    let out = Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(&pki.rsa_cert)
        .output()
        .expect("openssl x509");
    assert!(out.status.success());
    out.stdout
}

#[test]
fn an_sslv2_server_is_reported_with_its_cipher_kinds_and_fails_the_floor() {
    let server = Sslv2Server::start(&[DES3_MD5, RC4_MD5], leaf_der());
    let (r, _) = scan(&[QUICK, &[server.addr.as_str()]].concat());
    let t = &r.targets[0];
    let s = t.sslv2.as_ref().expect("SSLv2 probed");
    assert_eq!(s.status, VersionStatus::Accepted, "{t:?}");
    let names: Vec<&str> = s.cipher_specs.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "SSL_CK_DES_192_EDE3_CBC_WITH_MD5",
            "SSL_CK_RC4_128_WITH_MD5"
        ]
    );
    assert!(
        t.error.is_none(),
        "an SSLv2-only server is not unreachable: {t:?}"
    );
    // The SSL 2.0 server never answers a TLS hello with TLS.
    assert!(t.protocols.iter().all(|p| !p.accepted), "{t:?}");
    let floor = [
        &["scan"],
        QUICK,
        &["--min-version", "1.2", server.addr.as_str()],
    ]
    .concat();
    let (code, out, _) = common::run(&floor);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("SSLv2 is accepted"), "{out}");
}

#[test]
fn no_shared_cipher_kind_is_a_refusal() {
    let server = Sslv2Server::start(&[0x0a0b0c], leaf_der());
    let (r, _) = scan(&[QUICK, &[server.addr.as_str()]].concat());
    let s = r.targets[0].sslv2.as_ref().expect("SSLv2 probed");
    assert_eq!(s.status, VersionStatus::NotAccepted);
    assert_eq!(s.refused_with.as_deref(), Some("sslv2_error_0x0001"));
}

#[test]
fn tls_servers_are_never_read_as_sslv2() {
    let openssl = Peer::openssl_s_server(&["-cipher", "ALL:@SECLEVEL=0"], false);
    let gnutls = Peer::gnutls_serv("NORMAL:+VERS-TLS1.0");
    for peer in [&openssl, &gnutls] {
        let (r, _) = scan(&["--no-groups", &peer.addr]);
        let t = &r.targets[0];
        let s = t.sslv2.as_ref().expect("SSLv2 probed");
        assert_eq!(s.status, VersionStatus::NotAccepted, "{}: {s:?}", peer.addr);
        assert!(t.protocols.iter().any(|p| p.accepted), "{t:?}");
    }
}

#[test]
fn csv_has_a_row_per_version_and_suite_including_sslv2() {
    let server = Sslv2Server::start(&[RC4_MD5], leaf_der());
    let tls = Peer::openssl_s_server(
        &[
            "-tls1_2",
            "-cipher",
            "AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256",
        ],
        false,
    );
    let (code, out, err) = common::run(
        &[
            &["scan", "--csv"],
            QUICK,
            &[server.addr.as_str(), tls.addr.as_str()],
        ]
        .concat(),
    );
    assert!(code == 0 || code == 3, "{err}");
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("target,address,starttls,version,status,legacy,suite_code,suite_iana,suite_openssl,kx,bits,group,error")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.iter().all(|r| r.len() == 13), "{out}");
    assert!(
        rows.iter().any(|r| r[0] == server.addr
            && r[3] == "SSLv2"
            && r[4] == "accepted"
            && r[7] == "SSL_CK_RC4_128_WITH_MD5"),
        "{out}"
    );
    let tls12: Vec<&str> = rows
        .iter()
        .filter(|r| r[0] == tls.addr && r[3] == "TLSv1.2" && r[4] == "accepted")
        .map(|r| r[7])
        .collect();
    assert_eq!(tls12.len(), 2, "{out}");
    assert!(tls12.contains(&"TLS_RSA_WITH_AES_128_CBC_SHA"), "{out}");
    let (code, _, err) = common::run(&["scan", "--csv", "--min-version", "1.2", &tls.addr]);
    assert_eq!(code, 2, "{err}");
}

/// The SSL 2.0 result (None: not probed), completeness and exit status of a scan of `addr`,
/// and the SSLv2 row of the table.
fn sslv2_of(addr: &str, extra: &[&str]) -> (Option<VersionStatus>, bool, i32, String) {
    let args = [&["--no-groups"], extra, &[addr]].concat();
    let (r, code) = scan(&args);
    let t = &r.targets[0];
    let (_, table, _) = common::run(&[&["scan", "--color", "never"], &args[..]].concat());
    let row = table
        .lines()
        .find(|l| l.trim_start().starts_with("SSLv2"))
        .unwrap_or_default()
        .to_string();
    (t.sslv2.as_ref().map(|s| s.status), t.complete, code, row)
}

#[test]
fn a_silent_close_of_the_sslv2_hello_stays_unknown_unless_left_out() {
    // The front end closes SSL 2.0 hellos silently; OpenSSL behind it would answer with an
    // alert, but no answer reaches the scanner: SSL 2.0 is unknown, the scan incomplete.
    let server = Peer::openssl_s_server(&["-no_tls1_3"], false);
    let front = FrontEnd::start(&server.addr, Quirk::CloseSslv2Hellos);
    let (status, complete, code, row) = sslv2_of(&front.addr, &[]);
    assert_eq!(status, Some(VersionStatus::Unknown), "{row}");
    assert!(!complete && code == 3, "exit {code}");
    assert!(row.contains("UNKNOWN"), "{row}");
    // Left out on request: not probed, said so, and the rest of the scan is complete.
    let (status, complete, code, row) = sslv2_of(&front.addr, &["--no-sslv2"]);
    assert_eq!(status, None);
    assert!(complete && code == 0, "exit {code}");
    assert!(row.contains("not probed"), "{row}");
}

#[test]
fn botan_closes_sslv2_hellos_without_an_answer() {
    let botan = Peer::botan();
    let (status, complete, code, _) = sslv2_of(&botan.addr, &[]);
    assert_eq!(status, Some(VersionStatus::Unknown));
    assert!(!complete && code == 3, "exit {code}");
    let (status, complete, code, _) = sslv2_of(&botan.addr, &["--no-sslv2"]);
    assert_eq!(status, None);
    assert!(complete && code == 0, "exit {code}");
}
