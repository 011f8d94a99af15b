//! Simulator semantics on hand-built offers, the built-in profile data, and the adapters.
//! (Agreement with real OpenSSL handshakes is checked in crates/cli/tests/diagnose_live.rs.)

use tlsfloor_diagnose::client::{from_hello_hex, from_ja3, from_trap_line};
use tlsfloor_diagnose::fix::best_policy;
use tlsfloor_diagnose::model::{CertKey, ClientOffer, ServerConfig};
use tlsfloor_diagnose::server::from_policy;
use tlsfloor_diagnose::{profiles, simulate, Failure, Verdict};
use tlsfloor_wire::Version;

fn client(versions: &[Version], suites: &[u16], groups: &[u16]) -> ClientOffer {
    ClientOffer {
        id: "t".into(),
        name: "test client".into(),
        versions: versions.to_vec(),
        suites: suites.to_vec(),
        groups: groups.to_vec(),
        key_shares: None,
        sig_algs: None,
        sni: true,
        source: "test".into(),
        min_version_known: true,
        openssl_security_level: None,
    }
}

fn server(versions: &[Version], suites: &[u16], pref: bool, certs: &[CertKey]) -> ServerConfig {
    ServerConfig {
        id: "s".into(),
        name: "s".into(),
        family: None,
        versions: versions.to_vec(),
        suites: suites.to_vec(),
        tls13_suites: vec![0x1301, 0x1302],
        server_preference: pref,
        groups: vec![29, 23],
        cert_keys: certs.to_vec(),
        dh_params: false,
        source: "test".into(),
    }
}

const V12: &[Version] = &[Version::Tls10, Version::Tls11, Version::Tls12];

#[test]
fn preference_order_decides() {
    let c = client(V12, &[0x002f, 0xc02f], &[23]);
    let s_pref = server(V12, &[0xc02f, 0x002f], true, &[CertKey::Rsa]);
    let s_client = server(V12, &[0xc02f, 0x002f], false, &[CertKey::Rsa]);
    match simulate(&c, &s_pref) {
        Verdict::Success(n) => assert_eq!((n.suite, n.group), (0xc02f, Some(23))),
        v => panic!("{v:?}"),
    }
    match simulate(&c, &s_client) {
        Verdict::Success(n) => assert_eq!((n.suite, n.group), (0x002f, None)),
        v => panic!("{v:?}"),
    }
}

#[test]
fn no_protocol_in_common_names_both_sides() {
    let c = client(&[Version::Tls10], &[0x002f], &[]);
    let mut s = server(
        &[Version::Tls12, Version::Tls13],
        &[0x002f],
        true,
        &[CertKey::Rsa],
    );
    s.family = Some("aws-elb".into());
    s.name = "ELBSecurityPolicy-TLS13-1-2-2021-06".into();
    let Verdict::Failure(f) = simulate(&c, &s) else {
        panic!("must fail")
    };
    assert_eq!(f.code(), "no_common_protocol");
    assert_eq!(
        f.message(&c, &s),
        "no protocol in common: client offers TLS 1.0 max, policy \
         ELBSecurityPolicy-TLS13-1-2-2021-06 allows TLS 1.2, 1.3"
    );
}

#[test]
fn no_fallback_to_older_version_when_suites_do_not_fit() {
    // Both allow TLS 1.2; the only shared suite is TLS 1.2-only on the client but the server
    // offers only a TLS 1.0-era suite the client lacks: fail at 1.2, never retry at 1.0.
    let c = client(V12, &[0xc02f], &[23]);
    let s = server(V12, &[0x000a], true, &[CertKey::Rsa]);
    let Verdict::Failure(f) = simulate(&c, &s) else {
        panic!("must fail")
    };
    assert_eq!(f.code(), "no_common_suite");
    assert_eq!(f.version(), Some(Version::Tls12));
}

#[test]
fn ecdhe_needs_a_group_and_ecdsa_needs_an_ecdsa_cert() {
    let c = client(V12, &[0xc02f], &[25]); // only secp521r1
    let s = server(V12, &[0xc02f], true, &[CertKey::Rsa]);
    let Verdict::Failure(f) = simulate(&c, &s) else {
        panic!("must fail")
    };
    assert_eq!(f.code(), "no_common_group");

    let c = client(V12, &[0xc02b], &[23]);
    let s = server(V12, &[0xc02f, 0xc02b], true, &[CertKey::Rsa]);
    let Verdict::Failure(f) = simulate(&c, &s) else {
        panic!("must fail")
    };
    assert_eq!(f.code(), "certificate_mismatch");
    let s_ec = server(V12, &[0xc02b], true, &[CertKey::ECDSA_P256]);
    assert!(simulate(&c, &s_ec).is_success());
}

#[test]
fn legacy_client_below_server_floor_refuses_server_pick() {
    // Client accepts only TLS 1.2 but sends no supported_versions; server max is TLS 1.1.
    let c = client(&[Version::Tls12], &[0x002f], &[]);
    let s = server(
        &[Version::Tls10, Version::Tls11],
        &[0x002f],
        true,
        &[CertKey::Rsa],
    );
    match simulate(&c, &s) {
        Verdict::Failure(Failure::NoCommonProtocol { server_pick }) => {
            assert_eq!(server_pick, Some(Version::Tls11))
        }
        v => panic!("{v:?}"),
    }
}

#[test]
fn tls13_key_share_and_hello_retry() {
    let mut c = client(&[Version::Tls12, Version::Tls13], &[0x1301], &[30, 23]);
    c.key_shares = Some(vec![30]); // x448 share; server lacks x448
    let s = server(&[Version::Tls13], &[], true, &[CertKey::Rsa]);
    match simulate(&c, &s) {
        Verdict::Success(n) => {
            assert_eq!(n.version, Version::Tls13);
            assert_eq!(n.group, Some(23));
            assert!(n.hello_retry);
        }
        v => panic!("{v:?}"),
    }
    // TLS 1.3 with an RSA certificate needs an RSA-PSS scheme from the client.
    c.sig_algs = Some(vec![0x0403, 0x0401]);
    let Verdict::Failure(f) = simulate(&c, &s) else {
        panic!("must fail")
    };
    assert_eq!(f.code(), "no_signature_algorithm");
}

#[test]
fn every_profile_gets_a_verdict_against_every_elb_policy() {
    let policies = tlsfloor_policy::builtin().expect("policies");
    let elb: Vec<_> = policies.iter().filter(|p| p.family == "aws-elb").collect();
    assert!(
        elb.len() >= 10,
        "expected the ELB policies, got {}",
        elb.len()
    );
    let all = profiles::builtin().expect("profiles");
    assert!(all.len() >= 20);
    let (mut ok, mut fail) = (0, 0);
    for p in &elb {
        for cert in [CertKey::Rsa, CertKey::ECDSA_P256] {
            let s = from_policy(p, &[cert]);
            for c in all {
                match simulate(&c.offer, &s) {
                    Verdict::Success(n) => {
                        assert!(s.versions.contains(&n.version));
                        assert!(c.offer.versions.contains(&n.version));
                        assert!(c.offer.suites.contains(&n.suite));
                        assert!(s.suites_for(n.version).contains(&n.suite));
                        ok += 1;
                    }
                    Verdict::Failure(f) => {
                        assert!(!f.message(&c.offer, &s).is_empty());
                        fail += 1;
                    }
                }
            }
        }
    }
    assert!(ok > 0 && fail > 0, "ok {ok}, fail {fail}");
}

#[test]
fn profile_data_matches_its_captured_client_hello() {
    // Each profile taken verbatim from a capture must decode (with tlsfloor-wire) to the same
    // suites and groups as the generator wrote.
    let mut checked = 0;
    for p in profiles::builtin().expect("profiles") {
        let Some(hex) = &p.hello_hex else { continue };
        let o = from_hello_hex(hex, "x", "x").expect("decodes");
        assert_eq!(o.suites, p.offer.suites, "{}", p.offer.id);
        assert_eq!(o.groups, p.offer.groups, "{}", p.offer.id);
        assert_eq!(o.sig_algs, p.offer.sig_algs, "{}", p.offer.id);
        assert_eq!(o.max_version(), p.offer.max_version(), "{}", p.offer.id);
        checked += 1;
    }
    assert!(checked >= 15);
    for p in profiles::builtin().expect("profiles") {
        assert!(!p.offer.source.is_empty(), "{} has no source", p.offer.id);
    }
}

#[test]
fn weakest_accepting_policy_for_tls10_client() {
    let java7 = &profiles::find("java-7").expect("java-7").offer;
    let policies = tlsfloor_policy::builtin().expect("policies");
    let current = "ELBSecurityPolicy-TLS13-1-2-2021-06";
    let s = best_policy(java7, "aws-elb", current, &[CertKey::Rsa], policies).expect("some policy");
    let p = tlsfloor_policy::find_builtin(&s.policy).expect("exists");
    assert!(p.protocols.contains(&Version::Tls10));
    assert_eq!(s.negotiated.version, Version::Tls10);
    assert!(
        !s.policy.contains("FIPS"),
        "a non-FIPS listener gets a non-FIPS fix: {}",
        s.policy
    );
}

#[test]
fn the_smallest_fix_stays_in_the_listeners_flavor() {
    let java8 = &profiles::find("java-8").expect("java-8").offer;
    let policies = tlsfloor_policy::builtin().expect("policies");
    let fix = |current: &str| {
        best_policy(java8, "aws-elb", current, &[CertKey::Rsa], policies)
            .expect("some policy")
            .policy
    };
    let from_fips = fix("ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04");
    assert!(from_fips.contains("FIPS"), "{from_fips}");
    let from_pq = fix("ELBSecurityPolicy-TLS13-1-3-PQ-2025-09");
    assert!(
        from_pq.contains("-PQ-") && !from_pq.contains("FIPS"),
        "{from_pq}"
    );
    let from_plain = fix("ELBSecurityPolicy-TLS13-1-3-2021-06");
    assert!(
        !from_plain.contains("FIPS") && !from_plain.contains("RFC9151"),
        "{from_plain}"
    );
}

#[test]
fn ja3_and_trap_inputs() {
    let ja3 = "771,4865-4866-49195-49199,0-10-11-13-43-51,29-23,0";
    let o = from_ja3(ja3).expect("parses");
    assert_eq!(o.suites, vec![4865, 4866, 49195, 49199]);
    assert!(o.versions.contains(&Version::Tls13));
    assert!(from_ja3("not,a,ja3").is_err());
    assert!(from_ja3("0123456789abcdef0123456789abcdef").is_err());
    let o = from_ja3("769,47-53,,,").expect("parses");
    assert_eq!(o.max_version(), Some(Version::Tls10));

    let line = r#"{"schema":"tlsfloor.trap/v1","peer":"127.0.0.1:5555","offer":{"legacy_version":"TLSv1.0","supported_versions":null,"cipher_suites":[{"code":"0x002f"},{"code":"0x00ff"}],"extensions":[{"code":"0x000a"}],"groups":[{"code":"0x0017"}],"signature_algorithms":[],"sni":null}}"#;
    let o = from_trap_line(line).expect("parses");
    assert_eq!(o.max_version(), Some(Version::Tls10));
    assert_eq!(o.suites, vec![0x002f, 0x00ff]);
    assert_eq!(o.sig_algs, Some(vec![]));
    assert!(from_trap_line(r#"{"schema":"tlsfloor.trap/v1","offer":null}"#).is_err());
    assert!(from_trap_line("{not json").is_err());
    assert!(from_hello_hex("zz", "x", "x").is_err());
    assert!(from_hello_hex("160301000401000000", "x", "x").is_err());
}
