//! `tlsfloor scan` over STARTTLS: a real SMTP server (aiosmtpd) offering STARTTLS with one
//! TLS configuration, compared with the same configuration served as direct TLS; a server
//! without STARTTLS is a clear per-target error, never a list of refused versions.

mod common;

use common::{essence, scan};
use tlsfloor_scan::report::{ErrorCode, VersionStatus};
use tlsfloor_testkit::Peer;

const CIPHERS: &str = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-SHA:AES128-SHA:@SECLEVEL=0";

#[test]
fn a_starttls_smtp_scan_equals_the_direct_scan_of_the_same_tls_settings() {
    let smtp = Peer::python_tls("smtp", "1.0", "1.2", CIPHERS);
    let direct = Peer::python_tls("direct", "1.0", "1.2", CIPHERS);
    let (d, code_d) = scan(&["--no-groups", &direct.addr]);
    let (s, code_s) = scan(&["--no-groups", "--starttls", "smtp", &smtp.addr]);
    let (u, _) = scan(&["--no-groups", &format!("smtp://{}", smtp.addr)]);
    let (d, s, u) = (&d.targets[0], &s.targets[0], &u.targets[0]);
    assert!(d.error.is_none(), "{d:?}");
    assert_eq!(essence(s), essence(d), "STARTTLS {s:?}\ndirect {d:?}");
    assert_eq!(essence(u), essence(d), "smtp:// {u:?}");
    assert_eq!(code_s, code_d);
    assert_eq!(s.starttls.as_deref(), Some("smtp"));
    assert_eq!(d.starttls, None);
    // The settings really are legacy: the scan proves TLS 1.0 is accepted, over STARTTLS.
    let tls10 = s
        .protocols
        .iter()
        .find(|p| p.version == tlsfloor_wire::Version::Tls10);
    assert_eq!(
        tls10.map(|p| p.status()),
        Some(VersionStatus::Accepted),
        "{s:?}"
    );
    // The certificate came through the upgrade too.
    assert!(!s.certificates.is_empty(), "{:?}", s.certificate_errors);
}

#[test]
fn a_server_without_starttls_is_one_clear_error() {
    let plain = Peer::python_tls("smtp-plain", "", "", "");
    let (r, code) = scan(&["--no-groups", "--starttls", "smtp", &plain.addr]);
    let t = &r.targets[0];
    let e = t.error.as_ref().expect("a target error");
    assert_eq!(e.code, ErrorCode::StarttlsUnsupported, "{e:?}");
    assert!(e.message.contains("EHLO"), "{}", e.message);
    assert!(
        t.protocols
            .iter()
            .all(|p| p.status() != VersionStatus::NotAccepted),
        "no version may be called refused: {t:?}"
    );
    assert_ne!(code, 0);
}

#[test]
fn postgres_over_sslrequest_equals_the_direct_scan_of_the_same_tls_settings() {
    // PostgreSQL and Python's ssl both use the system OpenSSL: the same settings must give
    // the same versions and suites.
    let pg = Peer::postgres("TLSv1", "TLSv1.2", CIPHERS);
    let direct = Peer::python_tls("direct", "1.0", "1.2", CIPHERS);
    let (d, _) = scan(&["--no-groups", &direct.addr]);
    let url = format!("postgres://{}", pg.addr);
    let (p, _) = scan(&["--no-groups", &url]);
    let (d, p) = (&d.targets[0], &p.targets[0]);
    assert_eq!(p.starttls.as_deref(), Some("postgres"));
    // PostgreSQL pins one ECDHE curve (ssl_ecdh_curve, prime256v1 by default); Python's
    // ssl offers OpenSSL's list. Everything else must match.
    let without_groups = |t| {
        let mut e = essence(t);
        e.versions.iter_mut().for_each(|v| v.groups.clear());
        e
    };
    assert_eq!(
        without_groups(p),
        without_groups(d),
        "postgres {p:?}\ndirect {d:?}"
    );
    let tls12 = p
        .protocols
        .iter()
        .find(|v| v.version == tlsfloor_wire::Version::Tls12);
    assert_eq!(
        tls12.map(|v| v.groups.clone()),
        Some(vec!["secp256r1".to_string()])
    );
    let (code, out, _) = common::run(&["scan", "--no-groups", "--min-version", "1.2", &url]);
    assert_eq!(code, 1, "TLS 1.0 is accepted, the floor is violated: {out}");
    // Without the upgrade the same port is not TLS: never a pass.
    let (raw, raw_code) = scan(&["--no-groups", "--timeout", "2s", &pg.addr]);
    assert!(
        raw.targets[0].protocols.iter().all(|v| !v.accepted),
        "{:?}",
        raw.targets[0]
    );
    assert_ne!(raw_code, 0);
}
