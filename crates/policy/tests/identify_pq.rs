//! The AWS post-quantum policies (`*-PQ-2025-09`): their data, and how `identify` tells them
//! from their 2021-06 twins by the accepted key exchange groups.

mod common;

use common::*;
use tlsfloor_policy::identify::{is_hybrid_mlkem, GroupFit};
use tlsfloor_policy::{find_builtin, identify};
use tlsfloor_scan::report::TargetReport;
use tlsfloor_wire::Version;

/// PQ policy → its classical twin.
const TWINS: [(&str, &str); 6] = [
    ("TLS13-1-3-PQ-2025-09", "TLS13-1-3-2021-06"),
    ("TLS13-1-2-PQ-2025-09", "TLS13-1-2-2021-06"),
    ("TLS13-1-2-Res-PQ-2025-09", "TLS13-1-2-Res-2021-06"),
    ("TLS13-1-2-Ext1-PQ-2025-09", "TLS13-1-2-Ext1-2021-06"),
    ("TLS13-1-2-Ext2-PQ-2025-09", "TLS13-1-2-Ext2-2021-06"),
    ("TLS13-1-0-PQ-2025-09", "TLS13-1-0-2021-06"),
];

/// The TLS 1.2 suites an RSA server configured with ELBSecurityPolicy-TLS13-1-2-2021-06 accepts.
const TLS13_1_2_RSA: [u16; 4] = [0xc02f, 0xc027, 0xc030, 0xc028];
const TLS13: [u16; 3] = [0x1301, 0x1302, 0x1303];

/// An RSA server running the TLS13-1-2 suites and accepting `groups` at TLS 1.2 and 1.3.
fn tls13_1_2_server(groups: &[&str]) -> TargetReport {
    let mut t = target(
        "elb",
        &[(Version::Tls12, &TLS13_1_2_RSA), (Version::Tls13, &TLS13)],
    );
    for p in t.protocols.iter_mut().filter(|p| p.accepted) {
        p.groups = groups
            .iter()
            .filter(|g| p.version == Version::Tls13 || !is_hybrid_mlkem(g))
            .map(|g| g.to_string())
            .collect();
    }
    t
}

fn ids(list: &[tlsfloor_policy::PolicyMatch]) -> Vec<&str> {
    list.iter().map(|m| m.policy.as_str()).collect()
}

#[test]
fn every_pq_policy_is_its_twin_plus_hybrid_groups() {
    for (pq, twin) in TWINS {
        let p = find_builtin(&format!("ELBSecurityPolicy-{pq}")).unwrap();
        let t = find_builtin(&format!("ELBSecurityPolicy-{twin}")).unwrap();
        assert_eq!(p.protocols, t.protocols, "{pq} protocols");
        if pq == "TLS13-1-2-Ext2-PQ-2025-09" {
            // s2n-tls keeps a list of its own for this one: ECDHE-ECDSA-AES256-SHA comes before
            // ECDHE-RSA-AES256-SHA, the other way round from Ext2-2021-06 (both checked live).
            let set = |x: &tlsfloor_policy::Policy| {
                let mut c: Vec<u16> = x.ciphers.iter().flatten().map(|s| s.code).collect();
                c.sort_unstable();
                c
            };
            assert_eq!(set(p), set(t), "{pq} suites");
        } else {
            assert_eq!(p.ciphers, t.ciphers, "{pq} suites");
        }
        assert_eq!(p.tls13_ciphers, t.tls13_ciphers, "{pq} TLS 1.3 suites");
        let groups = p.groups.as_ref().expect("PQ policies list groups");
        for hybrid in ["X25519MLKEM768", "SecP256r1MLKEM768", "SecP384r1MLKEM1024"] {
            assert!(
                groups.iter().any(|g| g.eq_ignore_ascii_case(hybrid)),
                "{pq} lists {hybrid}"
            );
            assert!(is_hybrid_mlkem(hybrid));
        }
        assert!(groups.iter().any(|g| g == "x25519"), "{pq} lists x25519");
        assert!(t.groups.is_none(), "{twin} stays unrestricted");
        assert!(
            p.source_note.contains("from memory"),
            "{pq} flags its groups"
        );
    }
    assert!(!is_hybrid_mlkem("x25519"));
    assert!(!is_hybrid_mlkem("MLKEM768"), "pure ML-KEM is not hybrid");
}

#[test]
fn classical_groups_identify_the_2021_06_policy() {
    let all = tlsfloor_policy::builtin().unwrap();
    let id = identify(&tls13_1_2_server(&["x25519", "secp256r1"]), all, 3);
    assert_eq!(ids(&id.exact), vec!["ELBSecurityPolicy-TLS13-1-2-2021-06"]);
    assert!(id.closest.is_empty());
}

#[test]
fn classical_groups_demote_the_pq_twin_with_a_reason() {
    let all = tlsfloor_policy::builtin().unwrap();
    let mut t = tls13_1_2_server(&["x25519", "secp256r1"]);
    // One extra TLS 1.0 suite: no exact match, so the closest list shows both twins.
    t.protocols[1] = proto(Version::Tls10, &[0xc013]);
    let id = identify(&t, all, 3);
    assert!(id.exact.is_empty());
    let closest = ids(&id.closest);
    assert_eq!(closest[0], "ELBSecurityPolicy-TLS13-1-2-2021-06");
    let pq = id
        .closest
        .iter()
        .find(|m| m.policy == "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09")
        .expect("the PQ twin is among the closest");
    assert_eq!(pq.groups, GroupFit::NoHybrid);
    assert_eq!(pq.distance, id.closest[0].distance + 1);
    assert_eq!(
        pq.group_differences,
        vec!["no hybrid ML-KEM group accepted (accepted: secp256r1, x25519)".to_string()]
    );
}

#[test]
fn a_hybrid_group_identifies_the_pq_policy_first() {
    let all = tlsfloor_policy::builtin().unwrap();
    let id = identify(
        &tls13_1_2_server(&["X25519MLKEM768", "x25519", "secp256r1"]),
        all,
        3,
    );
    assert_eq!(
        ids(&id.exact),
        vec![
            "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
            "ELBSecurityPolicy-TLS13-1-2-2021-06"
        ]
    );
    assert_eq!(id.exact[0].groups, GroupFit::Hybrid);
    assert!(id.exact[0].group_differences.is_empty());
    assert_eq!(id.exact[1].groups, GroupFit::NotConsidered);
}

#[test]
fn a_hybrid_group_ranks_the_pq_policy_first_among_the_closest() {
    let all = tlsfloor_policy::builtin().unwrap();
    let mut t = tls13_1_2_server(&["SecP256r1MLKEM768", "secp256r1"]);
    t.protocols[1] = proto(Version::Tls10, &[0xc013]);
    let id = identify(&t, all, 3);
    assert!(id.exact.is_empty());
    assert_eq!(
        ids(&id.closest)[..2],
        [
            "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
            "ELBSecurityPolicy-TLS13-1-2-2021-06"
        ]
    );
    assert_eq!(id.closest[0].distance, id.closest[1].distance);
}

#[test]
fn unenumerated_groups_keep_the_classical_twin() {
    let all = tlsfloor_policy::builtin().unwrap();
    let id = identify(&tls13_1_2_server(&[]), all, 3);
    assert_eq!(ids(&id.exact), vec!["ELBSecurityPolicy-TLS13-1-2-2021-06"]);
}
