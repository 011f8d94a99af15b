//! The difference between two policies: versions, suites, suite order and named groups.

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
    /// Named groups only `a` lists (`None` on a side means groups are not restricted there).
    pub groups_only_a: Vec<String>,
    /// Named groups only `b` lists.
    pub groups_only_b: Vec<String>,
    /// The id of the one policy that lists no groups at all (any group allowed in its data),
    /// when the other does: then the other's groups all count as differences.
    pub groups_unrestricted_in: Option<String>,
    /// True when nothing differs (versions, suites, order, groups).
    pub identical: bool,
}

/// Groups of `x` not in `y`; when exactly one side restricts groups, its list differs from
/// "anything" by every group it names.
fn groups_only(x: &Option<Vec<String>>, y: &Option<Vec<String>>) -> Vec<String> {
    match (x, y) {
        (Some(x), Some(y)) => x.iter().filter(|g| !y.contains(g)).cloned().collect(),
        (Some(x), None) => x.clone(),
        _ => Vec::new(),
    }
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
    let (ga, gb) = (
        groups_only(&a.groups, &b.groups),
        groups_only(&b.groups, &a.groups),
    );
    PolicyDiff {
        a: a.id.clone(),
        b: b.id.clone(),
        identical: va.is_empty()
            && vb.is_empty()
            && oa.is_empty()
            && ob.is_empty()
            && same_order
            && ga.is_empty()
            && gb.is_empty(),
        versions_only_a: va,
        versions_only_b: vb,
        suites_only_a: oa,
        suites_only_b: ob,
        same_order,
        groups_only_a: ga,
        groups_only_b: gb,
        groups_unrestricted_in: match (&a.groups, &b.groups) {
            (None, Some(_)) => Some(a.id.clone()),
            (Some(_), None) => Some(b.id.clone()),
            _ => None,
        },
    }
}
