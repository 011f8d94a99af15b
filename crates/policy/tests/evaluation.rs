//! Evaluation logic on scan-report values built here (the end-to-end tests against real
//! servers live in crates/cli/tests).

mod common;

use common::*;
use tlsfloor_policy::{evaluate, find_builtin, identify, Policy, Verdict, ViolationKind};
use tlsfloor_wire::Version;

const ECDHE_RSA_AES128_GCM: u16 = 0xc02f;
const ECDHE_RSA_AES256_GCM: u16 = 0xc030;
const ECDHE_RSA_AES128_SHA256: u16 = 0xc027;
const ECDHE_RSA_AES256_SHA384: u16 = 0xc028;
const ECDHE_RSA_AES128_SHA: u16 = 0xc013;
const RSA_AES128_SHA: u16 = 0x002f;
const TLS13: [u16; 3] = [0x1301, 0x1302, 0x1303];

#[test]
fn min_version_flags_each_legacy_version() {
    let t = target(
        "legacy",
        &[
            (Version::Tls10, &[ECDHE_RSA_AES128_SHA, RSA_AES128_SHA]),
            (Version::Tls11, &[ECDHE_RSA_AES128_SHA]),
            (Version::Tls12, &[ECDHE_RSA_AES128_GCM]),
        ],
    );
    let p = Policy::min_version(Version::Tls12);
    let v = evaluate(&t, &[&p], false);
    assert_eq!(v.verdict, Verdict::Fail);
    let versions: Vec<Version> = v.violations.iter().filter_map(|x| x.version).collect();
    assert_eq!(versions, vec![Version::Tls10, Version::Tls11]);
    assert!(v
        .violations
        .iter()
        .all(|x| x.kind == ViolationKind::VersionNotAllowed));
    assert!(
        v.violations[0].message.contains("TLSv1.0"),
        "{}",
        v.violations[0].message
    );

    let modern = target(
        "modern",
        &[
            (Version::Tls12, &[ECDHE_RSA_AES128_GCM]),
            (Version::Tls13, &TLS13),
        ],
    );
    assert_eq!(evaluate(&modern, &[&p], false).verdict, Verdict::Pass);
    // --strict does not demand TLS 1.3 just because --min-version 1.2 allows it.
    let only12 = target("only12", &[(Version::Tls12, &[ECDHE_RSA_AES128_GCM])]);
    assert_eq!(evaluate(&only12, &[&p], true).verdict, Verdict::Pass);
}

#[test]
fn suites_outside_the_policy_are_violations_and_strict_adds_missing_ones() {
    let p = find_builtin("ELBSecurityPolicy-TLS13-1-2-Res-2021-06").unwrap();
    // Accepts a CBC suite the Res policy forbids, and lacks AES256-GCM the policy allows.
    let t = target(
        "cbc",
        &[
            (
                Version::Tls12,
                &[ECDHE_RSA_AES128_GCM, ECDHE_RSA_AES128_SHA256],
            ),
            (Version::Tls13, &TLS13),
        ],
    );
    let v = evaluate(&t, &[p], false);
    assert_eq!(v.verdict, Verdict::Fail);
    assert_eq!(v.violations.len(), 1);
    assert_eq!(v.violations[0].kind, ViolationKind::SuiteNotAllowed);
    assert_eq!(
        v.violations[0].suite.as_ref().map(|s| s.code),
        Some(ECDHE_RSA_AES128_SHA256)
    );

    let strict = evaluate(&t, &[p], true);
    let missing: Vec<u16> = strict
        .violations
        .iter()
        .filter(|x| x.kind == ViolationKind::SuiteMissing)
        .filter_map(|x| x.suite.as_ref().map(|s| s.code))
        .collect();
    // Only the RSA-authenticated suite is expected of an RSA server; ECDSA ones are not.
    assert_eq!(missing, vec![ECDHE_RSA_AES256_GCM]);
}

#[test]
fn strict_reports_refused_versions() {
    let p = find_builtin("ELBSecurityPolicy-TLS13-1-2-Res-2021-06").unwrap();
    let t = target(
        "no13",
        &[(
            Version::Tls12,
            &[ECDHE_RSA_AES128_GCM, ECDHE_RSA_AES256_GCM],
        )],
    );
    assert_eq!(evaluate(&t, &[p], false).verdict, Verdict::Pass);
    let s = evaluate(&t, &[p], true);
    assert_eq!(s.verdict, Verdict::Fail);
    assert_eq!(s.violations[0].kind, ViolationKind::VersionMissing);
    assert_eq!(s.violations[0].version, Some(Version::Tls13));
}

#[test]
fn strict_never_calls_an_unknown_version_refused() {
    let p = find_builtin("ELBSecurityPolicy-TLS13-1-2-Res-2021-06").unwrap();
    let mut t = target(
        "13unknown",
        &[(
            Version::Tls12,
            &[ECDHE_RSA_AES128_GCM, ECDHE_RSA_AES256_GCM],
        )],
    );
    let p13 = t
        .protocols
        .iter_mut()
        .find(|p| p.version == Version::Tls13)
        .unwrap();
    p13.status = Some(tlsfloor_scan::report::VersionStatus::Unknown);
    p13.error = Some(tlsfloor_scan::report::ProbeError {
        code: tlsfloor_scan::report::ErrorCode::Closed,
        message: "closed without an answer".into(),
    });
    let s = evaluate(&t, &[p], true);
    assert!(
        s.violations
            .iter()
            .all(|v| v.kind != ViolationKind::VersionMissing),
        "{:?}",
        s.violations
    );
    assert_eq!(s.verdict, Verdict::Incomplete);
}

#[test]
fn unreachable_targets_are_not_pass() {
    let p = Policy::min_version(Version::Tls12);
    let v = evaluate(&unreachable("down"), &[&p], false);
    assert_eq!(v.verdict, Verdict::Unreachable);
    assert!(v.reason.unwrap().contains("connection refused"));
    let nothing = target("nothing", &[]);
    assert_eq!(
        evaluate(&nothing, &[&p], false).verdict,
        Verdict::Unreachable
    );
}

#[test]
fn probe_errors_without_violations_are_incomplete() {
    let p = Policy::min_version(Version::Tls12);
    let mut t = target("partial", &[(Version::Tls12, &[ECDHE_RSA_AES128_GCM])]);
    t.protocols[1].error = Some(tlsfloor_scan::report::ProbeError {
        code: tlsfloor_scan::report::ErrorCode::Timeout,
        message: "timed out".into(),
    });
    let v = evaluate(&t, &[&p], false);
    assert_eq!(v.verdict, Verdict::Incomplete);
}

#[test]
fn small_rsa_keys_and_foreign_groups_violate_mozilla() {
    let p = find_builtin("mozilla/intermediate").unwrap();
    let mut t = target("weak", &[(Version::Tls12, &[ECDHE_RSA_AES128_GCM])]);
    t.certificates[0].key_bits = 1024;
    t.protocols[3].groups = vec!["prime256v1".into(), "secp521r1".into(), "ffdhe1024".into()];
    let v = evaluate(&t, &[p], false);
    let kinds: Vec<ViolationKind> = v.violations.iter().map(|x| x.kind).collect();
    assert!(kinds.contains(&ViolationKind::GroupNotAllowed), "{kinds:?}");
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == ViolationKind::KeyTooSmall)
            .count(),
        2,
        "{kinds:?}"
    );
    assert!(v.violations.iter().any(|x| x.message.contains("secp521r1")));
    assert!(
        !v.violations
            .iter()
            .any(|x| x.message.starts_with("group secp256r1")),
        "prime256v1 is allowed"
    );
}

#[test]
fn identify_finds_the_policy_a_server_runs() {
    let all = tlsfloor_policy::builtin().unwrap();
    // What an RSA server configured with ELBSecurityPolicy-TLS13-1-2-2021-06 accepts.
    let t = target(
        "elb",
        &[
            (
                Version::Tls12,
                &[
                    ECDHE_RSA_AES128_GCM,
                    ECDHE_RSA_AES128_SHA256,
                    ECDHE_RSA_AES256_GCM,
                    ECDHE_RSA_AES256_SHA384,
                ],
            ),
            (Version::Tls13, &TLS13),
        ],
    );
    let id = identify(&t, all, 3);
    let exact: Vec<&str> = id.exact.iter().map(|m| m.policy.as_str()).collect();
    assert_eq!(exact, vec!["ELBSecurityPolicy-TLS13-1-2-2021-06"]);

    // Add TLS 1.0: no exact match; the closest names the extra version.
    let mut legacy = t.clone();
    legacy.protocols[1] = proto(Version::Tls10, &[ECDHE_RSA_AES128_SHA]);
    let id = identify(&legacy, all, 3);
    assert!(id.exact.is_empty());
    let best = &id.closest[0];
    assert_eq!(best.policy, "ELBSecurityPolicy-TLS13-1-2-2021-06");
    assert_eq!(best.extra_versions, vec![Version::Tls10]);
    assert_eq!(best.distance, 1);
}

#[test]
fn identify_reports_unreachable() {
    let all = tlsfloor_policy::builtin().unwrap();
    let id = identify(&unreachable("down"), all, 3);
    assert!(id.exact.is_empty() && id.closest.is_empty());
    assert!(id.reason.is_some());
}

#[test]
fn policy_diff_compares_groups() {
    let a = find_builtin("ELBSecurityPolicy-TLS13-1-2-2021-06").unwrap();
    let b = find_builtin("ELBSecurityPolicy-TLS13-1-2-PQ-2025-09").unwrap();
    let d = tlsfloor_policy::diff::diff(a, b);
    assert!(!d.identical, "{d:?}");
    assert!(
        d.groups_only_b.iter().any(|g| g == "X25519MLKEM768"),
        "{d:?}"
    );
    let same = tlsfloor_policy::diff::diff(b, b);
    assert!(same.identical && same.groups_only_a.is_empty());
}

#[test]
fn identify_claims_no_order_mismatch_against_a_policy_without_an_order() {
    let p = find_builtin("mozilla/intermediate").unwrap().clone();
    assert!(!p.server_order);
    // The policy's own TLS 1.2 suites, reversed, enforced by the server.
    let mut codes: Vec<u16> = p
        .suites_for(Version::Tls12)
        .unwrap()
        .iter()
        .filter(|s| s.iana.contains("_RSA_"))
        .map(|s| s.code)
        .collect();
    codes.reverse();
    let t = target("reordered", &[(Version::Tls12, &codes)]);
    let id = identify(&t, std::slice::from_ref(&p), 3);
    let m = id.exact.first().or(id.closest.first()).expect("a match");
    assert_ne!(m.order, "different", "{m:?}");
}
