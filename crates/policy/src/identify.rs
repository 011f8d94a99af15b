//! "Which policy is this?": compares what a target accepted with what each built-in policy
//! would accept on a server with the same certificate type, and ranks the policies.
//!
//! Policies that list hybrid ML-KEM key exchange groups (the AWS `*-PQ-2025-09` policies) allow
//! the same protocols and suites as a classical twin; the accepted key exchange groups break
//! the tie (see [`GroupFit`]).

use crate::eval::SuiteRef;
use crate::model::Policy;
use crate::observed::Observed;
use serde::Serialize;
use std::collections::BTreeSet;
use tlsfloor_scan::report::{Preference, TargetReport};
use tlsfloor_wire::Version;

/// How a target compares with one policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyMatch {
    /// Policy id.
    pub policy: String,
    /// Policy name as the vendor spells it.
    pub name: String,
    /// Policy family.
    pub family: String,
    /// True when the accepted versions and suites are exactly what the policy allows (and, for a
    /// policy with hybrid ML-KEM groups, the target accepted one of them).
    pub exact: bool,
    /// Number of differing (version, suite) pairs plus group differences; 0 for an exact match.
    pub distance: usize,
    /// Versions the server accepts that the policy does not allow.
    pub extra_versions: Vec<Version>,
    /// Versions the policy allows that the server refuses.
    pub missing_versions: Vec<Version>,
    /// Suites accepted (at versions both allow) that the policy does not list.
    pub extra_suites: Vec<VersionedSuite>,
    /// Suites the policy lists (usable with this certificate) that the server refuses.
    pub missing_suites: Vec<VersionedSuite>,
    /// At versions where the server enforces its own order: whether it is the policy's order
    /// (`same`, `different`), or `client` when the server follows the client's order;
    /// `unknown` when it could not be told.
    pub order: String,
    /// How the accepted key exchange groups fit the policy's hybrid ML-KEM groups.
    pub groups: GroupFit,
    /// Key exchange group differences (each counted once in `distance`), e.g.
    /// `no hybrid ML-KEM group accepted`.
    pub group_differences: Vec<String>,
}

/// How the key exchange groups a target accepted fit a policy that lists hybrid ML-KEM groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupFit {
    /// The policy lists hybrid ML-KEM groups and the target accepted one of them.
    Hybrid,
    /// The policy lists hybrid ML-KEM groups but the target accepted none (or its groups were
    /// not enumerated): counted as one difference.
    NoHybrid,
    /// The policy lists no hybrid ML-KEM group (or no groups): groups play no part.
    NotConsidered,
}

/// The hybrid ML-KEM key exchange groups (X25519MLKEM768, SecP256r1MLKEM768,
/// SecP384r1MLKEM1024).
const HYBRID_MLKEM: [u16; 3] = [0x11ec, 0x11eb, 0x11ed];

/// True when `name` (any spelling `group_by_name` knows) is a hybrid ML-KEM group.
pub fn is_hybrid_mlkem(name: &str) -> bool {
    tlsfloor_wire::groups::group_by_name(name).is_some_and(|c| HYBRID_MLKEM.contains(&c))
}

/// Compares the groups `o` accepted with the hybrid groups `policy` lists.
fn group_fit(o: &Observed, policy: &Policy) -> (GroupFit, Vec<String>) {
    let expects_hybrid = policy
        .groups
        .as_ref()
        .is_some_and(|g| g.iter().any(|n| is_hybrid_mlkem(n)));
    if !expects_hybrid {
        return (GroupFit::NotConsidered, Vec::new());
    }
    let seen: BTreeSet<&str> = o.groups.values().flatten().map(String::as_str).collect();
    if seen.iter().any(|g| is_hybrid_mlkem(g)) {
        return (GroupFit::Hybrid, Vec::new());
    }
    let why = if seen.is_empty() {
        "no hybrid ML-KEM group accepted (no key exchange groups were enumerated)".to_string()
    } else {
        let list: Vec<&str> = seen.into_iter().collect();
        format!(
            "no hybrid ML-KEM group accepted (accepted: {})",
            list.join(", ")
        )
    };
    (GroupFit::NoHybrid, vec![why])
}

/// A suite at a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionedSuite {
    /// The version.
    pub version: Version,
    /// The suite.
    pub suite: SuiteRef,
}

/// The identification of one target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Identification {
    /// The target as written.
    pub target: String,
    /// Policies matched exactly.
    pub exact: Vec<PolicyMatch>,
    /// When nothing matched exactly: the closest policies, nearest first.
    pub closest: Vec<PolicyMatch>,
    /// Set when the target could not be identified (unreachable, nothing accepted).
    pub reason: Option<String>,
}

/// Compares one target with one policy. `None` when the policy does not restrict suites.
pub fn compare(o: &Observed, policy: &Policy) -> Option<PolicyMatch> {
    policy.ciphers.as_ref()?;
    let mut m = PolicyMatch {
        policy: policy.id.clone(),
        name: policy.name.clone(),
        family: policy.family.clone(),
        exact: false,
        distance: 0,
        extra_versions: Vec::new(),
        missing_versions: Vec::new(),
        extra_suites: Vec::new(),
        missing_suites: Vec::new(),
        order: "unknown".into(),
        groups: GroupFit::NotConsidered,
        group_differences: Vec::new(),
    };
    let mut orders: BTreeSet<&'static str> = BTreeSet::new();
    for v in Version::ALL {
        let list = policy.suites_for(v).unwrap_or(&[]);
        let expected: Vec<_> = if policy.allows_version(v) {
            list.iter().filter(|s| o.could_use(s, v)).collect()
        } else {
            Vec::new()
        };
        let accepted = o.accepted.get(&v);
        match (policy.allows_version(v), accepted) {
            (false, None) => {}
            (false, Some(acc)) => {
                m.extra_versions.push(v);
                m.distance += acc.len().max(1);
            }
            (true, None) => {
                m.missing_versions.push(v);
                m.distance += expected.len().max(1);
            }
            (true, Some(acc)) => {
                if acc.is_empty() {
                    continue; // suites not enumerated at this version
                }
                for a in acc {
                    if !expected.iter().any(|s| s.code == a.code) {
                        m.extra_suites.push(VersionedSuite {
                            version: v,
                            suite: SuiteRef::from(a),
                        });
                    }
                }
                for s in &expected {
                    if !acc.iter().any(|a| a.code == s.code) {
                        m.missing_suites.push(VersionedSuite {
                            version: v,
                            suite: SuiteRef::from(*s),
                        });
                    }
                }
                match o.preference.get(&v) {
                    // A policy without a server order has no order to match or miss.
                    Some(Preference::Server) if !policy.server_order => {}
                    Some(Preference::Server) => {
                        let ours: Vec<u16> = expected
                            .iter()
                            .map(|s| s.code)
                            .filter(|c| acc.iter().any(|a| a.code == *c))
                            .collect();
                        let theirs: Vec<u16> = acc
                            .iter()
                            .map(|a| a.code)
                            .filter(|c| ours.contains(c))
                            .collect();
                        orders.insert(if ours == theirs { "same" } else { "different" });
                    }
                    Some(Preference::Client) => {
                        orders.insert("client");
                    }
                    _ => {}
                }
            }
        }
    }
    m.distance += m.extra_suites.len() + m.missing_suites.len();
    (m.groups, m.group_differences) = group_fit(o, policy);
    m.distance += m.group_differences.len();
    m.exact = m.distance == 0;
    m.order = if orders.contains("different") {
        "different".into()
    } else if orders.contains("client") {
        "client".into()
    } else if orders.contains("same") {
        "same".into()
    } else {
        "unknown".into()
    };
    Some(m)
}

/// Ranks `policies` for `target`: exact matches, else the `limit` closest. Equal distances are
/// ordered by key exchange groups first (a policy whose hybrid ML-KEM groups the target
/// accepted comes before its classical twin), then by suite order.
pub fn identify(target: &TargetReport, policies: &[Policy], limit: usize) -> Identification {
    let mut id = Identification {
        target: target.target.clone(),
        exact: Vec::new(),
        closest: Vec::new(),
        reason: None,
    };
    if let Some(e) = &target.error {
        id.reason = Some(format!("not scanned: {}", e.message));
        return id;
    }
    let o = Observed::from_target(target);
    if o.accepted.is_empty() {
        id.reason = Some("the server accepted no TLS version".into());
        return id;
    }
    let mut all: Vec<PolicyMatch> = policies.iter().filter_map(|p| compare(&o, p)).collect();
    all.sort_by(|a, b| {
        a.distance
            .cmp(&b.distance)
            .then_with(|| (a.groups != GroupFit::Hybrid).cmp(&(b.groups != GroupFit::Hybrid)))
            .then_with(|| (a.order == "different").cmp(&(b.order == "different")))
    });
    let (exact, rest): (Vec<_>, Vec<_>) = all.into_iter().partition(|m| m.exact);
    id.exact = exact;
    if id.exact.is_empty() {
        id.closest = rest.into_iter().take(limit).collect();
    }
    id
}
