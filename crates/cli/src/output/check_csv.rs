//! Policy verdicts as CSV (RFC 4180): one row per target × violation, and one row (violation
//! columns empty) for a target without violations.

use super::csv_line;
use crate::cmd::policy_gate::CheckReport;

/// The header row.
pub const HEADER: [&str; 9] = [
    "target",
    "address",
    "verdict",
    "reason",
    "policy",
    "violation",
    "version",
    "suite_iana",
    "message",
];

/// The whole document, header first.
pub fn render(doc: &CheckReport) -> String {
    let mut out = csv_line(&HEADER.map(str::to_string), HEADER.len());
    for t in &doc.targets {
        let head = [
            t.target.clone(),
            t.address.clone().unwrap_or_default(),
            t.verdict
                .map(|v| v.label().to_ascii_lowercase())
                .unwrap_or_default(),
            t.reason.clone().unwrap_or_default(),
        ];
        if t.violations.is_empty() {
            let mut row = head.to_vec();
            row.resize(HEADER.len(), String::new());
            out.push_str(&csv_line(&row, HEADER.len()));
        }
        for v in &t.violations {
            let mut row = head.to_vec();
            row.extend([
                v.policy.clone(),
                serde_json::to_value(v.kind)
                    .ok()
                    .and_then(|k| k.as_str().map(str::to_string))
                    .unwrap_or_default(),
                v.version.map(|x| x.name().to_string()).unwrap_or_default(),
                v.suite.as_ref().map(|s| s.iana.clone()).unwrap_or_default(),
                v.message.clone(),
            ]);
            out.push_str(&csv_line(&row, HEADER.len()));
        }
    }
    out
}
