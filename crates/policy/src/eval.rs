//! Judging one scanned target against a policy: violations and a verdict.

use crate::model::{dh_group_bits, Origin, Policy, Suite};
use crate::observed::Observed;
use crate::registry;
use serde::Serialize;
use tlsfloor_scan::report::{AcceptedSuite, TargetReport, VersionStatus};
use tlsfloor_wire::Version;

/// What kind of rule was broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    /// The server accepted a protocol version the policy forbids.
    VersionNotAllowed,
    /// The server accepted a cipher suite the policy forbids (at an allowed version).
    SuiteNotAllowed,
    /// The server used a named group the policy does not list.
    GroupNotAllowed,
    /// A certificate key or DH group is smaller than the policy's minimum.
    KeyTooSmall,
    /// Strict mode: the policy allows a version the server refuses.
    VersionMissing,
    /// The policy requires a trusted chain and the server's is not.
    UntrustedChain,
    /// Strict mode: the policy allows a suite (usable with this server's certificate) that the
    /// server refuses at an accepted version.
    SuiteMissing,
}

/// A suite named in a violation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuiteRef {
    /// IANA code.
    pub code: u16,
    /// IANA name.
    pub iana: String,
    /// OpenSSL name, when there is one.
    pub openssl: Option<String>,
}

impl From<&Suite> for SuiteRef {
    fn from(s: &Suite) -> SuiteRef {
        SuiteRef {
            code: s.code,
            iana: s.iana.clone(),
            openssl: s.openssl.clone(),
        }
    }
}

impl From<&AcceptedSuite> for SuiteRef {
    fn from(s: &AcceptedSuite) -> SuiteRef {
        SuiteRef {
            code: s.code,
            iana: s.iana.clone(),
            openssl: s.openssl.clone(),
        }
    }
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// What kind of rule.
    pub kind: ViolationKind,
    /// The policy id that was broken.
    pub policy: String,
    /// The protocol version concerned, if any.
    pub version: Option<Version>,
    /// The suite concerned, if any.
    pub suite: Option<SuiteRef>,
    /// Human-readable sentence.
    pub message: String,
}

/// The outcome for one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No violations.
    Pass,
    /// At least one violation.
    Fail,
    /// The target could not be scanned (or accepted no TLS version at all).
    Unreachable,
    /// No violations found, but some versions could not be probed, so the result is partial.
    Incomplete,
}

impl Verdict {
    /// `PASS`, `FAIL`, `UNREACHABLE`, `INCOMPLETE`.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Unreachable => "UNREACHABLE",
            Verdict::Incomplete => "INCOMPLETE",
        }
    }
}

/// The judgement of one target against one or more policies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetVerdict {
    /// The target as the user wrote it.
    pub target: String,
    /// The address probed, if any.
    pub address: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// Why the target is unreachable or incomplete.
    pub reason: Option<String>,
    /// Every violation, in policy order then version order.
    pub violations: Vec<Violation>,
}

fn versions_list(p: &Policy) -> String {
    p.protocols
        .iter()
        .map(|v| v.name())
        .collect::<Vec<_>>()
        .join(", ")
}

fn suite_label(s: &SuiteRef) -> String {
    match &s.openssl {
        Some(o) if *o != s.iana => format!("{} (0x{:04x}, {})", s.iana, s.code, o),
        _ => format!("{} (0x{:04x})", s.iana, s.code),
    }
}

/// Violations of `policy` by a target whose observations are `o`.
pub fn violations(
    o: &Observed,
    target: &TargetReport,
    policy: &Policy,
    strict: bool,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut push = |kind, version, suite: Option<SuiteRef>, message: String| {
        out.push(Violation {
            kind,
            policy: policy.id.clone(),
            version,
            suite,
            message,
        })
    };
    for (version, suites) in &o.accepted {
        if !policy.allows_version(*version) {
            push(
                ViolationKind::VersionNotAllowed,
                Some(*version),
                None,
                format!(
                    "{version} accepted; {} allows only {}",
                    policy.name,
                    versions_list(policy)
                ),
            );
            continue;
        }
        for s in suites {
            if !policy.allows_suite(*version, s.code) {
                let r = SuiteRef::from(s);
                let msg = format!(
                    "{version}: suite {} accepted; not in {}",
                    suite_label(&r),
                    policy.name
                );
                push(ViolationKind::SuiteNotAllowed, Some(*version), Some(r), msg);
            }
        }
    }
    // Named groups and DH sizes.
    let mut seen_groups = std::collections::BTreeSet::new();
    for (version, groups) in &o.groups {
        if !policy.allows_version(*version) {
            continue;
        }
        for g in groups {
            if let Some(bits) = dh_group_bits(g) {
                if let Some(min) = policy.min_dh_bits {
                    if bits < min && seen_groups.insert(g.clone()) {
                        push(
                            ViolationKind::KeyTooSmall,
                            Some(*version),
                            None,
                            format!(
                                "DH group {g} ({bits} bits) is below {}'s minimum of {min} bits",
                                policy.name
                            ),
                        );
                    }
                }
                continue;
            }
            if let Some(allowed) = &policy.groups {
                if !allowed.contains(g) && seen_groups.insert(g.clone()) {
                    push(
                        ViolationKind::GroupNotAllowed,
                        Some(*version),
                        None,
                        format!(
                            "group {g} used; {} allows only {}",
                            policy.name,
                            allowed.join(", ")
                        ),
                    );
                }
            }
        }
    }
    // Certificate key size.
    if let Some(leaf) = target.certificates.first() {
        let kt = leaf.key_type.to_ascii_uppercase();
        let min = match kt.as_str() {
            "RSA" | "RSA-PSS" => policy.min_rsa_bits,
            "EC" | "ECDSA" => policy.min_ecdsa_bits,
            _ => None,
        };
        if let Some(min) = min {
            if leaf.key_bits < min {
                push(
                    ViolationKind::KeyTooSmall,
                    None,
                    None,
                    format!(
                        "certificate key {} {} bits is below {}'s minimum of {min} bits",
                        leaf.key_type, leaf.key_bits, policy.name
                    ),
                );
            }
        }
    }
    if policy.require_trusted_chain {
        if let Some(t) = target.trust.as_ref().filter(|t| !t.trusted) {
            push(
                ViolationKind::UntrustedChain,
                None,
                None,
                format!(
                    "certificate chain not trusted ({}); {} requires a trusted chain",
                    t.problems.join("; "),
                    policy.name
                ),
            );
        }
    }
    if strict && policy.origin != Origin::MinVersion {
        for v in &policy.protocols {
            let unproven = o.probe_errors.iter().any(|(pv, _)| pv == v);
            if !o.accepts(*v) && unproven {
                continue; // not proven refused: the verdict is incomplete, not a violation
            }
            if !o.accepts(*v) {
                push(
                    ViolationKind::VersionMissing,
                    Some(*v),
                    None,
                    format!(
                        "{v} is allowed by {} but refused by the server",
                        policy.name
                    ),
                );
                continue;
            }
            let Some(list) = policy.suites_for(*v) else {
                continue;
            };
            let accepted = o.accepted.get(v).map(Vec::as_slice).unwrap_or(&[]);
            if accepted.is_empty() {
                continue; // version accepted but suites not enumerated: nothing to compare
            }
            for s in list {
                if o.could_use(s, *v) && !accepted.iter().any(|a| a.code == s.code) {
                    let r = SuiteRef::from(s);
                    let msg = format!(
                        "{v}: suite {} is in {} but refused by the server",
                        suite_label(&r),
                        policy.name
                    );
                    push(ViolationKind::SuiteMissing, Some(*v), Some(r), msg);
                }
            }
        }
    }
    out
}

/// SSL 2.0 accepted breaks every policy (none allows it, `min_version` is SSLv3 at least).
fn sslv2_violations(target: &TargetReport, policies: &[&Policy]) -> Vec<Violation> {
    let Some(s) = target
        .sslv2
        .as_ref()
        .filter(|s| s.status == VersionStatus::Accepted)
    else {
        return Vec::new();
    };
    let specs: Vec<&str> = s.cipher_specs.iter().map(|c| c.name.as_str()).collect();
    policies
        .iter()
        .map(|p| Violation {
            kind: ViolationKind::VersionNotAllowed,
            policy: p.id.clone(),
            version: None,
            suite: None,
            message: format!(
                "SSLv2 is accepted (cipher kinds {}); {} allows only {}",
                specs.join(", "),
                p.name,
                p.protocols
                    .iter()
                    .map(|v| v.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
        .collect()
}

/// Judges `target` against every policy in `policies` (violations of all of them count).
pub fn evaluate(target: &TargetReport, policies: &[&Policy], strict: bool) -> TargetVerdict {
    let mut tv = TargetVerdict {
        target: target.target.clone(),
        address: target.address.clone(),
        verdict: Verdict::Pass,
        reason: None,
        violations: Vec::new(),
    };
    if let Some(e) = &target.error {
        tv.verdict = Verdict::Unreachable;
        tv.reason = Some(format!("{}: {}", code_name(e.code), e.message));
        return tv;
    }
    let sslv2 = sslv2_violations(target, policies);
    let o = Observed::from_target(target);
    if o.accepted.is_empty() && !sslv2.is_empty() {
        tv.verdict = Verdict::Fail;
        tv.violations = sslv2;
        return tv;
    }
    if o.accepted.is_empty() {
        tv.verdict = Verdict::Unreachable;
        tv.reason = Some(if o.probe_errors.is_empty() {
            "the server accepted no TLS version".into()
        } else {
            let errs: Vec<String> = o
                .probe_errors
                .iter()
                .map(|(v, m)| format!("{v}: {m}"))
                .collect();
            format!("no TLS version could be negotiated ({})", errs.join("; "))
        });
        return tv;
    }
    tv.violations = sslv2;
    for p in policies {
        tv.violations.extend(violations(&o, target, p, strict));
    }
    let sslv2_unknown = target.sslv2.as_ref().and_then(|s| {
        s.error
            .as_ref()
            .filter(|_| s.status == VersionStatus::Unknown)
    });
    if !tv.violations.is_empty() {
        tv.verdict = Verdict::Fail;
    } else if let (true, Some(e)) = (o.probe_errors.is_empty(), sslv2_unknown) {
        tv.verdict = Verdict::Incomplete;
        tv.reason = Some(format!("SSLv2 could not be probed ({})", e.message));
    } else if !o.probe_errors.is_empty() {
        tv.verdict = Verdict::Incomplete;
        let errs: Vec<String> = o
            .probe_errors
            .iter()
            .map(|(v, m)| format!("{v}: {m}"))
            .collect();
        tv.reason = Some(format!(
            "some versions could not be probed ({})",
            errs.join("; ")
        ));
    }
    tv
}

fn code_name(code: tlsfloor_scan::report::ErrorCode) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{code:?}"))
}

/// Looks up the registry entry of an accepted suite, for callers that need auth/version data.
pub fn suite_info(code: u16) -> Option<Suite> {
    registry::by_code(code)
}
