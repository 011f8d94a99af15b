//! Every built-in policy parses, lists and refers only to registered IANA suites.

use tlsfloor_policy::builtin::BUILTIN_TOML;
use tlsfloor_policy::{builtin, find_builtin};
use tlsfloor_wire::Version;

/// Policy names required by the issue, spelled as the vendors spell them.
const REQUIRED: &[&str] = &[
    "ELBSecurityPolicy-2016-08",
    "ELBSecurityPolicy-TLS-1-0-2015-04",
    "ELBSecurityPolicy-TLS-1-1-2017-01",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-2018-06",
    "ELBSecurityPolicy-FS-1-1-2019-08",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    "ELBSecurityPolicy-TLS13-1-0-2021-06",
    "ELBSecurityPolicy-TLS13-1-1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "apigw-regional/TLS_1_0",
    "apigw-regional/TLS_1_2",
    "cloudfront/TLSv1",
    "cloudfront/TLSv1_2016",
    "cloudfront/TLSv1.1_2016",
    "cloudfront/TLSv1.2_2018",
    "cloudfront/TLSv1.2_2019",
    "cloudfront/TLSv1.2_2021",
    "cloudfront/TLSv1.3_2025",
    "mozilla/modern",
    "mozilla/intermediate",
    "mozilla/old",
];

#[test]
fn every_builtin_parses_and_is_listed() {
    let all = builtin().expect("built-in data parses");
    let declared = BUILTIN_TOML.matches("\n[[policy]]").count();
    assert_eq!(
        all.len(),
        declared,
        "every [[policy]] table becomes a policy"
    );
    for name in REQUIRED {
        let p = find_builtin(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!p.protocols.is_empty(), "{name} allows some protocol");
    }
    for p in all {
        assert!(
            p.source_url
                .as_deref()
                .is_some_and(|u| u.starts_with("https://")),
            "{} records its source URL",
            p.id
        );
        assert!(
            [
                "documented",
                "documented (secondary)",
                "from memory, unverified"
            ]
            .contains(&p.source_status.as_str()),
            "{}: source_status {:?}",
            p.id,
            p.source_status
        );
        assert!(
            p.ciphers.is_some() && p.tls13_ciphers.is_some(),
            "{} lists suites",
            p.id
        );
    }
}

#[test]
fn every_suite_is_a_registered_iana_suite_in_the_right_list() {
    for p in builtin().expect("built-in data parses") {
        for s in p.ciphers.iter().flatten() {
            let cs = tlsfloor_wire::suites::by_code(s.code)
                .unwrap_or_else(|| panic!("{}: 0x{:04x} unknown", p.id, s.code));
            assert_eq!(cs.iana, s.iana, "{}", p.id);
            assert!(
                cs.max_version < Version::Tls13,
                "{}: {} under ciphers",
                p.id,
                s.iana
            );
        }
        for s in p.tls13_ciphers.iter().flatten() {
            let cs = tlsfloor_wire::suites::by_code(s.code)
                .unwrap_or_else(|| panic!("{}: 0x{:04x} unknown", p.id, s.code));
            assert_eq!(
                cs.min_version,
                Version::Tls13,
                "{}: {} under tls13",
                p.id,
                s.iana
            );
        }
        // Versions allowed and suite lists agree.
        assert_eq!(
            p.protocols.contains(&Version::Tls13),
            !p.tls13_ciphers.as_ref().is_none_or(Vec::is_empty),
            "{}: TLS 1.3 allowed iff TLS 1.3 suites listed",
            p.id
        );
    }
}

#[test]
fn the_trailing_openssl_comments_agree_with_the_registry() {
    // The data file keeps the vendor's OpenSSL spelling in a comment after each IANA name;
    // the registry must map both to the same code, so a typo in either shows up here.
    let mut checked = 0;
    for line in BUILTIN_TOML.lines() {
        let Some((name, comment)) = line.split_once("# 0x") else {
            continue;
        };
        let iana = name.trim().trim_end_matches(',').trim_matches('"');
        let mut parts = comment.split_whitespace();
        let code = u16::from_str_radix(parts.next().unwrap_or(""), 16).expect("hex code");
        let vendor = parts.next().expect("vendor name");
        let by_iana = tlsfloor_wire::suites::by_name(iana).expect("IANA name known");
        let by_vendor = tlsfloor_wire::suites::by_name(vendor).expect("vendor name known");
        assert_eq!(by_iana.code, code, "{iana}");
        assert_eq!(by_vendor.code, code, "{vendor}");
        checked += 1;
    }
    assert!(checked > 200, "checked {checked} suite lines");
}

#[test]
fn documented_elb_relations_hold() {
    // From the AWS tables: 2015-05 is identical to 2016-08; TLS-1-0-2015-04 = 2016-08 + 3DES.
    let a = find_builtin("ELBSecurityPolicy-2016-08").unwrap();
    let b = find_builtin("ELBSecurityPolicy-2015-05").unwrap();
    assert!(tlsfloor_policy::diff::diff(a, b).identical);
    let c = find_builtin("ELBSecurityPolicy-TLS-1-0-2015-04").unwrap();
    let d = tlsfloor_policy::diff::diff(a, c);
    assert!(d.suites_only_a.is_empty());
    let only_c: Vec<u16> = d.suites_only_b.iter().map(|s| s.code).collect();
    assert_eq!(only_c, vec![0x000a]);
}

#[test]
fn lookup_by_name_is_exact_or_reports_ambiguity() {
    assert!(matches!(
        find_builtin("TLS_1_2"),
        Err(tlsfloor_policy::PolicyError::Ambiguous { .. })
    ));
    assert_eq!(
        find_builtin("elbsecuritypolicy-2016-08").unwrap().id,
        "ELBSecurityPolicy-2016-08"
    );
    assert_eq!(
        find_builtin("intermediate").unwrap().id,
        "mozilla/intermediate"
    );
    let e = find_builtin("ELBSecurityPolicy-2099")
        .unwrap_err()
        .to_string();
    assert!(e.contains("no built-in policy named"), "{e}");
}

#[test]
fn fips_2023_04_policies_are_their_twins_without_chacha20() {
    // From the AWS tables (stored page copy, scripts/policy-data/README.md): every
    // ELBSecurityPolicy-*-FIPS-2023-04 allows the protocols and suites of its 2021-06 twin
    // except TLS_CHACHA20_POLY1305_SHA256, which is not FIPS-approved.
    let twins = [
        ("TLS13-1-3-FIPS-2023-04", "TLS13-1-3-2021-06"),
        ("TLS13-1-2-FIPS-2023-04", "TLS13-1-2-2021-06"),
        ("TLS13-1-2-Res-FIPS-2023-04", "TLS13-1-2-Res-2021-06"),
        ("TLS13-1-2-Ext1-FIPS-2023-04", "TLS13-1-2-Ext1-2021-06"),
        ("TLS13-1-2-Ext2-FIPS-2023-04", "TLS13-1-2-Ext2-2021-06"),
        ("TLS13-1-1-FIPS-2023-04", "TLS13-1-1-2021-06"),
        ("TLS13-1-0-FIPS-2023-04", "TLS13-1-0-2021-06"),
    ];
    for (fips, twin) in twins {
        let f = find_builtin(&format!("ELBSecurityPolicy-{fips}")).unwrap();
        let t = find_builtin(&format!("ELBSecurityPolicy-{twin}")).unwrap();
        let d = tlsfloor_policy::diff::diff(t, f);
        assert!(
            d.versions_only_a.is_empty() && d.versions_only_b.is_empty(),
            "{fips}"
        );
        assert!(d.suites_only_b.is_empty(), "{fips} adds suites");
        let dropped: Vec<u16> = d.suites_only_a.iter().map(|s| s.code).collect();
        assert_eq!(dropped, vec![0x1303], "{fips} drops only ChaCha20");
    }
    // Ext0: TLS 1.2-1.3 with the ECDHE suites of TLS13-1-1-FIPS, no static-RSA key exchange.
    let ext0 = find_builtin("ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04").unwrap();
    assert_eq!(ext0.protocols, vec![Version::Tls12, Version::Tls13]);
    for s in ext0.ciphers.iter().flatten() {
        assert!(s.iana.starts_with("TLS_ECDHE_"), "{}", s.iana);
    }
    let t11 = find_builtin("ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04").unwrap();
    let d = tlsfloor_policy::diff::diff(t11, ext0);
    assert!(d.suites_only_b.is_empty());
    assert!(d
        .suites_only_a
        .iter()
        .all(|s| s.iana.starts_with("TLS_RSA_")));
    assert_eq!(d.suites_only_a.len(), 6);
}

#[test]
fn no_elb_policy_is_left_unverified_when_a_source_covers_it() {
    // scripts/policy-data/README.md lists the source of every ELB policy; all of them are now
    // covered by a stored copy, so none may fall back to "from memory".
    for p in builtin().unwrap().iter().filter(|p| p.family == "aws-elb") {
        assert_ne!(p.source_status, "from memory, unverified", "{}", p.id);
        assert!(!p.source_note.is_empty(), "{} names its source", p.id);
    }
}

#[test]
fn classic_load_balancer_policies_are_their_own() {
    let classic = find_builtin("elb-classic/ELBSecurityPolicy-2015-05").unwrap();
    let alb = find_builtin("ELBSecurityPolicy-2015-05").unwrap();
    let has_3des = |p: &tlsfloor_policy::Policy| {
        p.ciphers
            .iter()
            .flatten()
            .any(|s| s.iana == "TLS_RSA_WITH_3DES_EDE_CBC_SHA")
    };
    assert!(has_3des(classic), "the Classic 2015-05 keeps DES-CBC3-SHA");
    assert!(!has_3des(alb), "the ALB 2015-05 is 2016-08");
    assert_eq!(classic.family, "aws-elb-classic");
    let c2015_03 = find_builtin("elb-classic/ELBSecurityPolicy-2015-03").unwrap();
    assert!(c2015_03
        .ciphers
        .iter()
        .flatten()
        .any(|s| s.iana == "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"));
}
