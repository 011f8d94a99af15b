//! `tlsfloor scan` over STARTTLS: a real SMTP server (aiosmtpd) offering STARTTLS with one
//! TLS configuration, compared with the same configuration served as direct TLS; a server
//! without STARTTLS is a clear per-target error, never a list of refused versions.

mod common;

use common::{essence, scan};
use tlsfloor_scan::report::{ErrorCode, VersionStatus};
use tlsfloor_testkit::Peer;

/// The settings really are legacy: the scan proves TLS 1.0 is accepted, over the upgrade.
fn assert_proves_tls10(t: &tlsfloor_scan::report::TargetReport) {
    let tls10 = t
        .protocols
        .iter()
        .find(|p| p.version == tlsfloor_wire::Version::Tls10);
    assert_eq!(
        tls10.map(|p| p.status()),
        Some(VersionStatus::Accepted),
        "{t:?}"
    );
}

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
    assert_proves_tls10(s);
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

#[test]
fn dovecot_imap_and_pop3_accept_what_they_are_set_to_and_never_prove_a_refusal() {
    // Dovecot 2.3 closes the connection without sending an alert when a handshake fails (its
    // log says "SSL_accept() failed"; the client sees an EOF): a refusal is never proven, so
    // tlsfloor reports what was accepted and leaves every refusal unknown (exit 3).
    let (imap, pop3_port) = Peer::dovecot("TLSv1", CIPHERS);
    let direct = Peer::python_tls("direct", "1.0", "1.3", CIPHERS);
    let (d, _) = scan(&["--no-groups", &direct.addr]);
    let d = &d.targets[0];
    let pop3 = format!("pop3://127.0.0.1:{pop3_port}");
    let quick = ["--no-groups"];
    for target in [format!("imap://{}", imap.addr), pop3] {
        let (r, code) = scan(&[&quick[..], &[target.as_str()]].concat());
        let t = &r.targets[0];
        assert!(t.error.is_none(), "{target}: {t:?}");
        assert!(
            !t.certificates.is_empty(),
            "{target}: {:?}",
            t.certificate_errors
        );
        for v in &d.protocols {
            let got = t
                .protocols
                .iter()
                .find(|p| p.version == v.version)
                .expect("version");
            assert!(
                got.status() != VersionStatus::NotAccepted,
                "{target}: silent close called refused: {got:?}"
            );
            if v.accepted {
                // Every suite the same settings accept directly, Dovecot accepts.
                let mine: Vec<u16> = got.suites.iter().map(|s| s.code).collect();
                for s in &v.suites {
                    assert!(
                        mine.contains(&s.code),
                        "{target} {:?}: {:#06x} missing: {mine:?}",
                        v.version,
                        s.code
                    );
                }
            }
        }
        assert_eq!(
            code, 3,
            "{target}: unproven refusals make the scan incomplete"
        );
    }
}

#[test]
fn mariadb_over_the_ssl_request_accepts_the_suites_its_settings_allow() {
    // MariaDB follows the client's order (Python's ssl prefers its own): versions and suite
    // sets must match, not the order.
    let db = Peer::mariadb("TLSv1.0,TLSv1.1,TLSv1.2", CIPHERS);
    let direct = Peer::python_tls("direct", "1.0", "1.2", CIPHERS);
    let (d, _) = scan(&["--no-groups", &direct.addr]);
    let (m, _) = scan(&["--no-groups", &format!("mysql://{}", db.addr)]);
    let (d, m) = (&d.targets[0], &m.targets[0]);
    assert_eq!(m.starttls.as_deref(), Some("mysql"));
    let sets = |t: &tlsfloor_scan::report::TargetReport| -> Vec<(String, VersionStatus, Vec<u16>)> {
        t.protocols
            .iter()
            .map(|p| {
                let mut s: Vec<u16> = p.suites.iter().map(|x| x.code).collect();
                s.sort();
                (p.version.name().to_string(), p.status(), s)
            })
            .collect()
    };
    assert_eq!(sets(m), sets(d), "mariadb {m:?}\ndirect {d:?}");
    assert!(
        m.is_complete(),
        "MariaDB answers every refusal with an alert: {m:?}"
    );
}

#[test]
fn vsftpd_auth_tls_equals_its_implicit_ftps_with_the_same_settings() {
    let explicit = Peer::vsftpd(false, CIPHERS);
    let implicit = Peer::vsftpd(true, CIPHERS);
    let (d, _) = scan(&["--no-groups", &implicit.addr]);
    let (f, code) = scan(&["--no-groups", "--starttls", "ftp", &explicit.addr]);
    let (u, _) = scan(&["--no-groups", &format!("ftp://{}", explicit.addr)]);
    let (d, f, u) = (&d.targets[0], &f.targets[0], &u.targets[0]);
    assert!(d.error.is_none() && f.error.is_none(), "{d:?}\n{f:?}");
    assert_eq!(essence(f), essence(d), "AUTH TLS {f:?}\nimplicit {d:?}");
    assert_eq!(essence(u), essence(d), "ftp:// {u:?}");
    assert_eq!(f.starttls.as_deref(), Some("ftp"));
    assert_proves_tls10(f);
    assert_eq!(
        code, 0,
        "nothing unknown: vsftpd answers every refusal with an alert"
    );
}

#[test]
fn prosody_xmpp_starttls_equals_its_direct_tls_with_the_same_settings() {
    let (xmpp, direct_port) = Peer::prosody(CIPHERS);
    let direct = format!("127.0.0.1:{direct_port}");
    // XMPP names the domain in the stream header: the SNI is the domain.
    let (d, code_d) = scan(&["--no-groups", "--sni", "localhost", &direct]);
    let (x, code_x) = scan(&[
        "--no-groups",
        "--sni",
        "localhost",
        "--starttls",
        "xmpp",
        &xmpp.addr,
    ]);
    let (d, x) = (&d.targets[0], &x.targets[0]);
    assert!(d.error.is_none() && x.error.is_none(), "{d:?}\n{x:?}");
    assert_eq!(essence(x), essence(d), "STARTTLS {x:?}\ndirect {d:?}");
    assert_eq!(code_x, code_d);
    assert_eq!(x.starttls.as_deref(), Some("xmpp"));
    assert_proves_tls10(x);
}

#[test]
fn slapd_starttls_proves_what_it_accepts_and_never_a_refusal_it_does_not_send() {
    // Debian's slapd is built on GnuTLS and closes without an alert when a handshake fails:
    // the accepted suites are proven, the refusals stay unknown (exit 3), never "not accepted".
    let (ldap, _ldaps) = Peer::slapd("NORMAL:+VERS-TLS1.0:+VERS-TLS1.1:+SHA1:+AES-128-CBC");
    let (r, code) = scan(&["--no-groups", "--starttls", "ldap", &ldap.addr]);
    let t = &r.targets[0];
    assert!(t.error.is_none(), "{t:?}");
    assert_eq!(t.starttls.as_deref(), Some("ldap"));
    let status = |v| {
        t.protocols
            .iter()
            .find(|p| p.version == v)
            .map(|p| p.status())
    };
    assert_eq!(
        status(tlsfloor_wire::Version::Tls10),
        Some(VersionStatus::Accepted),
        "{t:?}"
    );
    assert_eq!(
        status(tlsfloor_wire::Version::Tls12),
        Some(VersionStatus::Accepted),
        "{t:?}"
    );
    assert!(
        t.protocols
            .iter()
            .all(|p| p.status() != VersionStatus::NotAccepted),
        "a silent close is never a refusal: {t:?}"
    );
    assert!(!t.certificates.is_empty(), "{:?}", t.certificate_errors);
    assert_eq!(code, 3, "silent refusals leave the scan incomplete");
    let (code, _, _) = common::run(&[
        "scan",
        "--no-groups",
        "--min-version",
        "1.2",
        "--starttls",
        "ldap",
        &ldap.addr,
    ]);
    assert_eq!(code, 1, "TLS 1.0 is proven accepted: the floor fails");
}
