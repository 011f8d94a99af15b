//! The difference between two policies: versions, suites and suite order.

use crate::eval::SuiteRef;
use crate::model::Policy;
use serde::Serialize;
use tlsfloor_wire::Version;

/// What differs between policy `a` and policy `b`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyDiff {
    /// Id of the first policy.
    pub a: String,
    /// Id of the second policy.
    pub b: String,
    /// Versions only `a` allows.
    pub versions_only_a: Vec<Version>,
    /// Versions only `b` allows.
    pub versions_only_b: Vec<Version>,
    /// Suites only `a` lists (TLS 1.3 suites included).
    pub suites_only_a: Vec<SuiteRef>,
    /// Suites only `b` lists.
    pub suites_only_b: Vec<SuiteRef>,
    /// True when both list the same common suites in the same relative order.
    pub same_order: bool,
    /// True when nothing differs (versions, suites, order).
    pub identical: bool,
}

/// Compares two policies. A policy without a suite list is treated as listing no suites.
pub fn diff(a: &Policy, b: &Policy) -> PolicyDiff {
    let va: Vec<Version> = a
        .protocols
        .iter()
        .copied()
        .filter(|v| !b.protocols.contains(v))
        .collect();
    let vb: Vec<Version> = b
        .protocols
        .iter()
        .copied()
        .filter(|v| !a.protocols.contains(v))
        .collect();
    let sa = a.all_suites();
    let sb = b.all_suites();
    let only = |x: &[&crate::model::Suite], y: &[&crate::model::Suite]| -> Vec<SuiteRef> {
        x.iter()
            .filter(|s| !y.iter().any(|o| o.code == s.code))
            .map(|s| SuiteRef::from(*s))
            .collect()
    };
    let oa = only(&sa, &sb);
    let ob = only(&sb, &sa);
    let common_a: Vec<u16> = sa
        .iter()
        .map(|s| s.code)
        .filter(|c| sb.iter().any(|o| o.code == *c))
        .collect();
    let common_b: Vec<u16> = sb
        .iter()
        .map(|s| s.code)
        .filter(|c| sa.iter().any(|o| o.code == *c))
        .collect();
    let same_order = common_a == common_b;
    PolicyDiff {
        a: a.id.clone(),
        b: b.id.clone(),
        identical: va.is_empty() && vb.is_empty() && oa.is_empty() && ob.is_empty() && same_order,
        versions_only_a: va,
        versions_only_b: vb,
        suites_only_a: oa,
        suites_only_b: ob,
        same_order,
    }
}
