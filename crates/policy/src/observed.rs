//! What a scan report says a target accepted, in the shape policy checks need.

use crate::model::Suite;
use crate::registry;
use std::collections::{BTreeMap, BTreeSet};
use tlsfloor_scan::report::{AcceptedSuite, Preference, TargetReport};
use tlsfloor_wire::Version;

/// The accepted versions and suites of one target.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// Accepted versions with the suites accepted at each (scan order).
    pub accepted: BTreeMap<Version, Vec<AcceptedSuite>>,
    /// Preference per accepted version.
    pub preference: BTreeMap<Version, Preference>,
    /// Versions whose probe failed for a reason other than a refusal, with the reason.
    pub probe_errors: Vec<(Version, String)>,
    /// Authentication algorithms the server can use: from the leaf key and the accepted suites.
    pub auths: BTreeSet<String>,
    /// Named groups seen (normalized), per version.
    pub groups: BTreeMap<Version, BTreeSet<String>>,
}

impl Observed {
    /// Extracts the observations from a target report.
    pub fn from_target(t: &TargetReport) -> Observed {
        let mut o = Observed::default();
        if let Some(leaf) = t.certificates.first() {
            match leaf.key_type.to_ascii_uppercase().as_str() {
                "RSA" | "RSA-PSS" | "RSASSA-PSS" => {
                    o.auths.insert("RSA".into());
                }
                "EC" | "ECDSA" => {
                    o.auths.insert("ECDSA".into());
                }
                "DSA" => {
                    o.auths.insert("DSS".into());
                }
                _ => {}
            }
        }
        for p in &t.protocols {
            if let Some(e) = &p.error {
                o.probe_errors.push((p.version, e.message.clone()));
            }
            if !p.accepted {
                continue;
            }
            for s in &p.suites {
                if let Some(info) = registry::by_code(s.code) {
                    if info.auth != "TLS13" {
                        o.auths.insert(info.auth.clone());
                    }
                }
                if let Some(g) = &s.group {
                    o.groups
                        .entry(p.version)
                        .or_default()
                        .insert(crate::model::normalize_group(g));
                }
            }
            for g in &p.groups {
                o.groups
                    .entry(p.version)
                    .or_default()
                    .insert(crate::model::normalize_group(g));
            }
            o.accepted.insert(p.version, p.suites.clone());
            o.preference.insert(p.version, p.preference);
        }
        o
    }

    /// True when `version` was accepted.
    pub fn accepts(&self, version: Version) -> bool {
        self.accepted.contains_key(&version)
    }

    /// True when `suite` could be negotiated by this server at `version` (version range and
    /// authentication match the server's certificate).
    pub fn could_use(&self, suite: &Suite, version: Version) -> bool {
        suite.usable_at(version) && (suite.auth == "TLS13" || self.auths.contains(&suite.auth))
    }
}
