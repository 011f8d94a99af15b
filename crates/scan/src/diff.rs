//! What changed between two scan reports of the same fleet (`tlsfloor diff OLD NEW`): per
//! endpoint, versions accepted or refused, suites added or removed, SSL 2.0, the fallback
//! SCSV, the certificate, endpoints added or removed, and which changes are regressions.
//!
//! A regression is a change a TLS 1.2 floor cares about: a legacy version (SSL 2.0, SSLv3,
//! TLS 1.0, TLS 1.1) or a suite at one newly accepted, a legacy version refused before that is
//! no longer proven refused (unknown), a weak suite (NULL, anonymous, EXPORT, RC4, DES/3DES)
//! newly accepted at any version, the fallback SCSV lost, an expired certificate, a new
//! endpoint that accepts legacy TLS.

use crate::report::{FallbackScsv, ProtocolReport, ScanReport, TargetReport, VersionStatus};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use tlsfloor_wire::Version;

/// Schema of [`ScanDiff`].
pub const DIFF_SCHEMA: &str = "tlsfloor.diff/v1";

/// The difference of two scan reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanDiff {
    /// Always [`DIFF_SCHEMA`].
    pub schema: String,
    /// tlsfloor version that produced the diff.
    pub tool_version: String,
    /// When the old and the new scan started.
    pub old_started_at: String,
    /// When the new scan started.
    pub new_started_at: String,
    /// Every endpoint of either report, with what changed (unchanged ones have no changes).
    pub endpoints: Vec<EndpointDiff>,
    /// Counts.
    pub summary: DiffSummary,
}

/// Counts of a diff.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffSummary {
    /// Endpoints only in the new report.
    pub added: u64,
    /// Endpoints only in the old report.
    pub removed: u64,
    /// Endpoints in both with changes.
    pub changed: u64,
    /// Endpoints in both without changes.
    pub unchanged: u64,
    /// Endpoints with at least one regression.
    pub regressed: u64,
}

impl DiffSummary {
    /// `2 endpoint(s) added, 0 removed, 1 changed, 5 unchanged`: the counts line every
    /// renderer (table, Markdown) prints before its regression verdict.
    pub fn counts_text(&self) -> String {
        format!(
            "{} endpoint(s) added, {} removed, {} changed, {} unchanged",
            self.added, self.removed, self.changed, self.unchanged
        )
    }
}

/// One endpoint (target at an address).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointDiff {
    /// The target as written.
    pub target: String,
    /// The address scanned.
    pub address: Option<String>,
    /// `added`, `removed`, `changed` or `unchanged`.
    pub state: EndpointState,
    /// What changed, in report order.
    pub changes: Vec<Change>,
    /// True when any change is a regression.
    pub regressed: bool,
}

/// Whether an endpoint is in one report or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndpointState {
    /// Only in the new report.
    Added,
    /// Only in the old report.
    Removed,
    /// In both, with changes.
    Changed,
    /// In both, the same.
    Unchanged,
}

impl EndpointState {
    /// `added`, `removed`, `changed`, `unchanged` (as in the JSON).
    pub fn label(self) -> &'static str {
        match self {
            EndpointState::Added => "added",
            EndpointState::Removed => "removed",
            EndpointState::Changed => "changed",
            EndpointState::Unchanged => "unchanged",
        }
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// What kind of change (`version`, `suite_added`, `suite_removed`, `sslv2`,
    /// `fallback_scsv`, `certificate`, `error`).
    pub kind: String,
    /// The protocol version concerned, if any (`SSLv2` for SSL 2.0).
    pub version: Option<String>,
    /// A sentence: what it was and what it is.
    pub detail: String,
    /// True when the change weakens the endpoint (see the module documentation).
    pub regression: bool,
}

fn status_name(s: Option<VersionStatus>) -> &'static str {
    match s {
        Some(VersionStatus::Accepted) => "accepted",
        Some(VersionStatus::NotAccepted) => "not accepted",
        Some(VersionStatus::Unknown) => "unknown",
        None => "not probed",
    }
}

/// True for suites no floor allows at any version.
fn weak_suite(name: &str) -> bool {
    ["NULL", "anon", "EXPORT", "RC4", "DES"]
        .iter()
        .any(|w| name.contains(w))
}

/// Compares two reports (endpoints matched by target and address).
pub fn diff(old: &ScanReport, new: &ScanReport) -> ScanDiff {
    let key = |t: &TargetReport| (t.target.clone(), t.address.clone());
    let mut endpoints = Vec::new();
    let mut summary = DiffSummary::default();
    for n in &new.targets {
        let e = match old.targets.iter().find(|o| key(o) == key(n)) {
            Some(o) => compare(o, n),
            None => added(n),
        };
        endpoints.push(e);
    }
    for o in old
        .targets
        .iter()
        .filter(|o| !new.targets.iter().any(|n| key(n) == key(o)))
    {
        endpoints.push(EndpointDiff {
            target: o.target.clone(),
            address: o.address.clone(),
            state: EndpointState::Removed,
            changes: Vec::new(),
            regressed: false,
        });
    }
    for e in &endpoints {
        match e.state {
            EndpointState::Added => summary.added += 1,
            EndpointState::Removed => summary.removed += 1,
            EndpointState::Changed => summary.changed += 1,
            EndpointState::Unchanged => summary.unchanged += 1,
        }
        summary.regressed += u64::from(e.regressed);
    }
    ScanDiff {
        schema: DIFF_SCHEMA.to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        old_started_at: old.started_at.clone(),
        new_started_at: new.started_at.clone(),
        endpoints,
        summary,
    }
}

/// A new endpoint: its accepted legacy versions are its changes (and regressions).
fn added(n: &TargetReport) -> EndpointDiff {
    let mut changes: Vec<Change> = n
        .protocols
        .iter()
        .filter(|p| p.accepted && p.version.is_legacy())
        .map(|p| Change {
            kind: "version".into(),
            version: Some(p.version.name().into()),
            detail: format!("a new endpoint accepting {}", p.version.name()),
            regression: true,
        })
        .collect();
    if n.sslv2
        .as_ref()
        .is_some_and(|s| s.status == VersionStatus::Accepted)
    {
        changes.insert(
            0,
            sslv2_change("a new endpoint accepting SSLv2".into(), true),
        );
    }
    let regressed = changes.iter().any(|c| c.regression);
    EndpointDiff {
        target: n.target.clone(),
        address: n.address.clone(),
        state: EndpointState::Added,
        changes,
        regressed,
    }
}

fn sslv2_change(detail: String, regression: bool) -> Change {
    Change {
        kind: "sslv2".into(),
        version: Some("SSLv2".into()),
        detail,
        regression,
    }
}

/// The changes of an endpoint in both reports.
fn compare(o: &TargetReport, n: &TargetReport) -> EndpointDiff {
    let mut changes = Vec::new();
    match (&o.error, &n.error) {
        (None, Some(e)) => changes.push(Change {
            kind: "error".into(),
            version: None,
            detail: format!("scanned before, now an error: {}", e.message),
            regression: false,
        }),
        (Some(_), None) => changes.push(Change {
            kind: "error".into(),
            version: None,
            detail: "an error before, scanned now".into(),
            regression: false,
        }),
        _ => {}
    }
    let (s_old, s_new) = (
        o.sslv2.as_ref().map(|s| s.status),
        n.sslv2.as_ref().map(|s| s.status),
    );
    if s_old != s_new && s_new.is_some() {
        let regression = s_new == Some(VersionStatus::Accepted)
            || (s_new == Some(VersionStatus::Unknown) && s_old == Some(VersionStatus::NotAccepted));
        changes.push(sslv2_change(
            format!("SSLv2 {} → {}", status_name(s_old), status_name(s_new)),
            regression,
        ));
    }
    for v in Version::ALL {
        let (po, pn) = (version(o, v), version(n, v));
        versions_changes(v, po, pn, &mut changes);
    }
    if o.fallback_scsv != n.fallback_scsv && n.error.is_none() {
        changes.push(Change {
            kind: "fallback_scsv".into(),
            version: None,
            detail: format!(
                "TLS_FALLBACK_SCSV {:?} → {:?}",
                o.fallback_scsv, n.fallback_scsv
            ),
            regression: o.fallback_scsv == FallbackScsv::Supported
                && n.fallback_scsv == FallbackScsv::NotSupported,
        });
    }
    let (co, cn) = (o.certificates.first(), n.certificates.first());
    if let (Some(co), Some(cn)) = (co, cn) {
        if co.sha256 != cn.sha256 {
            changes.push(Change {
                kind: "certificate".into(),
                version: None,
                detail: format!(
                    "certificate changed: {} (until {}) → {} (until {})",
                    co.subject, co.not_after, cn.subject, cn.not_after
                ),
                regression: cn.days_left < 0,
            });
        }
    }
    let regressed = changes.iter().any(|c| c.regression);
    EndpointDiff {
        target: n.target.clone(),
        address: n.address.clone(),
        state: if changes.is_empty() {
            EndpointState::Unchanged
        } else {
            EndpointState::Changed
        },
        changes,
        regressed,
    }
}

fn version(t: &TargetReport, v: Version) -> Option<&ProtocolReport> {
    t.protocols.iter().find(|p| p.version == v)
}

/// Status and suite changes at one version.
fn versions_changes(
    v: Version,
    po: Option<&ProtocolReport>,
    pn: Option<&ProtocolReport>,
    out: &mut Vec<Change>,
) {
    let (so, sn) = (
        po.map(ProtocolReport::status),
        pn.map(ProtocolReport::status),
    );
    if so != sn && sn.is_some() {
        let regression = v.is_legacy()
            && (sn == Some(VersionStatus::Accepted)
                || (sn == Some(VersionStatus::Unknown) && so == Some(VersionStatus::NotAccepted)));
        out.push(Change {
            kind: "version".into(),
            version: Some(v.name().into()),
            detail: format!("{} {} → {}", v.name(), status_name(so), status_name(sn)),
            regression,
        });
    }
    let names = |p: Option<&ProtocolReport>| -> BTreeSet<String> {
        p.map(|p| p.suites.iter().map(|s| s.iana.clone()).collect())
            .unwrap_or_default()
    };
    let (a, b) = (names(po), names(pn));
    for s in b.difference(&a) {
        out.push(Change {
            kind: "suite_added".into(),
            version: Some(v.name().into()),
            detail: format!("{}: {s} now accepted", v.name()),
            regression: v.is_legacy() || weak_suite(s),
        });
    }
    for s in a.difference(&b) {
        out.push(Change {
            kind: "suite_removed".into(),
            version: Some(v.name().into()),
            detail: format!("{}: {s} no longer accepted", v.name()),
            regression: false,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{AcceptedSuite, Preference};

    fn proto(v: Version, status: VersionStatus, suites: &[&str]) -> ProtocolReport {
        ProtocolReport {
            version: v,
            accepted: status == VersionStatus::Accepted,
            preference: Preference::Server,
            suites: suites
                .iter()
                .map(|s| AcceptedSuite {
                    code: 0,
                    iana: s.to_string(),
                    openssl: None,
                    kx: "RSA".into(),
                    bits: 128,
                    group: None,
                })
                .collect(),
            groups: Vec::new(),
            error: None,
            status: Some(status),
            refused_with: None,
        }
    }

    fn report(targets: Vec<TargetReport>) -> ScanReport {
        ScanReport {
            schema: crate::report::SCAN_SCHEMA.into(),
            tool_version: "0".into(),
            started_at: "t".into(),
            duration_ms: 0,
            targets,
            interrupted: false,
        }
    }

    fn target(name: &str, protocols: Vec<ProtocolReport>) -> TargetReport {
        let mut t = TargetReport::new(name, name, 443, None);
        t.address = Some(format!("{name}:443"));
        t.protocols = protocols;
        t
    }

    #[test]
    fn legacy_added_is_a_regression_and_removed_is_not() {
        use VersionStatus::*;
        let floor = target(
            "a",
            vec![
                proto(Version::Tls10, NotAccepted, &[]),
                proto(Version::Tls12, Accepted, &["TLS_AES"]),
            ],
        );
        let legacy = target(
            "a",
            vec![
                proto(Version::Tls10, Accepted, &["TLS_RSA_WITH_AES_128_CBC_SHA"]),
                proto(
                    Version::Tls12,
                    Accepted,
                    &["TLS_AES", "TLS_RSA_WITH_RC4_128_SHA"],
                ),
            ],
        );
        let d = diff(&report(vec![floor.clone()]), &report(vec![legacy.clone()]));
        assert_eq!(d.summary.regressed, 1);
        let e = &d.endpoints[0];
        assert!(e
            .changes
            .iter()
            .any(|c| c.kind == "version" && c.regression));
        assert!(
            e.changes
                .iter()
                .any(|c| c.detail.contains("RC4") && c.regression),
            "{e:?}"
        );
        let back = diff(&report(vec![legacy]), &report(vec![floor.clone()]));
        assert_eq!(back.summary.regressed, 0);
        assert_eq!(back.summary.changed, 1);
        let same = diff(&report(vec![floor.clone()]), &report(vec![floor.clone()]));
        assert_eq!(same.summary.unchanged, 1);
        // Proof lost: a refused legacy version that is now unknown.
        let unknown = target(
            "a",
            vec![
                proto(Version::Tls10, Unknown, &[]),
                proto(Version::Tls12, Accepted, &["TLS_AES"]),
            ],
        );
        assert_eq!(
            diff(&report(vec![floor.clone()]), &report(vec![unknown]))
                .summary
                .regressed,
            1
        );
        // Endpoints added with legacy TLS regress; removed ones do not.
        let other = target("b", vec![proto(Version::Tls11, Accepted, &["X"])]);
        let d = diff(&report(vec![floor.clone()]), &report(vec![floor, other]));
        assert_eq!((d.summary.added, d.summary.regressed), (1, 1));
    }
}
