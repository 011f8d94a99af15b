//! The built-in AWS policies checked live against s2n-tls, the library behind ALB/NLB and
//! CloudFront: each policy s2n-tls registers is served on 127.0.0.1 by the s2n-tls crate
//! (testkit `s2n_server`, RSA and ECDSA certificates), scanned by `tlsfloor scan`, and must
//! equal the built-in data: versions, suites in server order, key exchange groups; and
//! `check --identify` must name it. `scripts/policy-data/s2n-policies.py --write` rewrites the
//! data from the same servers; this test keeps it current.
//!
//! Where s2n-tls and the public page disagree, s2n-tls is believed (it is what negotiates),
//! except for `cloudfront/SSLv3`: s2n-tls's CloudFront-SSL-v-3 has no ECDHE-ECDSA suite, while
//! CloudFront's table lists them for ECDSA certificates; the page is kept and the difference
//! asserted here, so a change on either side is noticed.

mod common;

use common::scan;
use std::collections::BTreeSet;
use tlsfloor_policy::identify::is_hybrid_mlkem;
use tlsfloor_policy::{builtin, Policy, S2nName};
use tlsfloor_scan::report::{Preference, TargetReport};
use tlsfloor_testkit::s2n_server::S2nServer;
use tlsfloor_wire::Version;

/// Built-in AWS policies this s2n-tls cannot serve under any name.
const NOT_IN_S2N: &[&str] = &["ELBSecurityPolicy-TLS13-1-1-2021-06"];

/// The s2n-tls policy serving `p` (builtin.toml's `s2n_policy` / `s2n_suites_of`), and
/// whether only its suites are compared.
fn s2n_name(p: &Policy) -> (&str, bool) {
    (p.s2n.for_id(&p.id), matches!(p.s2n, S2nName::SuitesOf(_)))
}

/// How the scan of `t` differs from `p` (empty when equal).
fn differences(p: &Policy, t: &TargetReport, twin: bool) -> Vec<String> {
    let mut out = Vec::new();
    if !t.complete {
        out.push(format!("incomplete scan: {:?}", t.protocols));
    }
    let accepted: Vec<Version> = t
        .protocols
        .iter()
        .filter(|x| x.accepted)
        .map(|x| x.version)
        .collect();
    if accepted != p.protocols {
        out.push(format!("versions {accepted:?}, policy {:?}", p.protocols));
    }
    for x in t.protocols.iter().filter(|x| x.accepted) {
        let v = x.version;
        let want: Vec<u16> = p
            .suites_for(v)
            .unwrap_or(&[])
            .iter()
            .filter(|s| s.usable_at(v))
            .map(|s| s.code)
            .collect();
        let got: Vec<u16> = x.suites.iter().map(|s| s.code).collect();
        let page_kept = p.id == "cloudfront/SSLv3" && v < Version::Tls13;
        let want = if page_kept {
            let ecdsa =
                |c: &u16| tlsfloor_wire::suites::by_code(*c).is_some_and(|s| s.auth == "ECDSA");
            let (e, rest): (Vec<u16>, Vec<u16>) = want.into_iter().partition(ecdsa);
            assert!(
                !e.is_empty(),
                "the CloudFront page lists ECDSA suites at {v:?}"
            );
            rest
        } else {
            want
        };
        if page_kept {
            let (a, b): (BTreeSet<_>, BTreeSet<_>) = (got.iter().collect(), want.iter().collect());
            if a != b {
                out.push(format!("{v:?} suites {got:04x?}, policy {want:04x?}"));
            }
        } else if got != want {
            out.push(format!("{v:?} suites {got:04x?}, policy {want:04x?}"));
        }
        if x.preference != Preference::Server && got.len() > 1 {
            out.push(format!("{v:?} preference {:?}", x.preference));
        }
        // SSLv3 hellos carry no extensions: the one group seen is the server's default.
        if twin || v == Version::Ssl30 {
            continue;
        }
        let groups: Vec<String> = p
            .groups
            .iter()
            .flatten()
            .filter(|g| v == Version::Tls13 || !is_hybrid_mlkem(g))
            .cloned()
            .collect();
        if x.groups != groups {
            out.push(format!("{v:?} groups {:?}, policy {groups:?}", x.groups));
        }
    }
    out
}

#[test]
fn every_aws_policy_s2n_tls_registers_is_served_as_the_builtin_data_says() {
    let policies: Vec<&Policy> = builtin()
        .expect("built-in policies")
        .iter()
        .filter(|p| matches!(p.family.as_str(), "aws-elb" | "aws-cloudfront"))
        .collect();
    let mut servers = Vec::new();
    let mut missing = Vec::new();
    for p in &policies {
        let (name, twin) = s2n_name(p);
        match S2nServer::start(name, 0) {
            Ok(s) => servers.push((*p, s, twin)),
            Err(_) => missing.push(p.id.as_str()),
        }
    }
    assert_eq!(missing, NOT_IN_S2N, "policies this s2n-tls cannot serve");
    assert!(servers.len() >= 50, "{} policies served", servers.len());

    let addrs: Vec<String> = servers.iter().map(|(_, s, _)| s.addr.to_string()).collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let saved = dir.path().join("scan.json");
    let mut args: Vec<&str> = addrs.iter().map(String::as_str).collect();
    args.extend(["-o", saved.to_str().expect("utf-8 path")]);
    let (report, _) = scan(&args);

    let mut failures = Vec::new();
    for (p, server, twin) in &servers {
        let addr = server.addr.to_string();
        let Some(t) = report.targets.iter().find(|t| t.target == addr) else {
            failures.push(format!("{}: {addr} missing from the scan", p.id));
            continue;
        };
        for d in differences(p, t, *twin) {
            failures.push(format!("{} ({}): {d}", p.id, s2n_name(p).0));
        }
    }

    // `check --identify` names each directly served policy among its exact matches.
    let (code, out, err) = common::run(&[
        "check",
        "--identify",
        "--json",
        saved.to_str().expect("utf-8 path"),
    ]);
    assert!(code == 0 || code == 1, "check --identify: {code} {err}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("check JSON");
    let targets = json["targets"].as_array().expect("targets");
    for (p, server, twin) in &servers {
        let addr = server.addr.to_string();
        let Some(t) = targets.iter().find(|t| t["target"] == addr.as_str()) else {
            failures.push(format!("{}: {addr} missing from check", p.id));
            continue;
        };
        if *twin {
            continue;
        }
        let exact: Vec<&str> = t["identify"]["exact"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["policy"].as_str())
            .collect();
        if !exact.contains(&p.id.as_str()) {
            failures.push(format!("{}: identify says {exact:?}", p.id));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
