//! Markdown summaries (`--format markdown`) of a scan, a policy check and a diff, for pull
//! request comments: one GitHub-flavoured table each, cells escaped.

use crate::cmd::policy_gate::CheckReport;
use tlsfloor_scan::diff::{EndpointState, ScanDiff};
use tlsfloor_scan::report::{ScanReport, VersionStatus};

/// `--format`: the text output of scan, check and diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Aligned terminal tables.
    #[default]
    Table,
    /// A Markdown summary table.
    Markdown,
}

/// A cell: `|` escaped, line breaks turned into spaces.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// A Markdown table.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!(
        "| {} |\n|{}\n",
        header.join(" | "),
        "---|".repeat(header.len())
    );
    for r in rows {
        let cells: Vec<String> = r.iter().map(|c| cell(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// One row per target: versions accepted, legacy ones, unknown ones, whether it is proven.
pub fn scan(report: &ScanReport) -> String {
    let rows: Vec<Vec<String>> = report
        .targets
        .iter()
        .map(|t| {
            let legacy: Vec<String> = t
                .versions_with(VersionStatus::Accepted, true)
                .iter()
                .map(|v| format!("**{v}**"))
                .collect();
            vec![
                format!("`{}`", t.target),
                t.versions_with(VersionStatus::Accepted, false).join(", "),
                legacy.join(", "),
                t.versions_with(VersionStatus::Unknown, false).join(", "),
                match &t.error {
                    Some(e) => format!("error: {}", e.message),
                    None if t.is_complete() => "yes".into(),
                    None => "no (incomplete)".into(),
                },
            ]
        })
        .collect();
    format!(
        "### tlsfloor scan\n\n{}",
        table(
            &["target", "accepted", "legacy", "unknown", "proven"],
            &rows
        )
    )
}

/// One row per target: verdict and violations.
pub fn check(doc: &CheckReport) -> String {
    let rows: Vec<Vec<String>> = doc
        .targets
        .iter()
        .map(|t| {
            let mut why: Vec<String> = t.violations.iter().map(|v| v.message.clone()).collect();
            why.extend(t.reason.clone());
            vec![
                format!("`{}`", t.target),
                t.verdict
                    .map(|v| format!("**{}**", v.label()))
                    .unwrap_or_default(),
                why.join("; "),
            ]
        })
        .collect();
    let names: Vec<&str> = doc.policies.iter().map(|p| p.id.as_str()).collect();
    format!(
        "### tlsfloor check: {}\n\n{}",
        names.join(" + "),
        table(&["target", "verdict", "why"], &rows)
    )
}

/// One row per change of a changed, added or removed endpoint, and the summary.
pub fn diff(d: &ScanDiff) -> String {
    let mut rows = Vec::new();
    for e in d
        .endpoints
        .iter()
        .filter(|e| e.state != EndpointState::Unchanged)
    {
        let state = e.state.label();
        if e.changes.is_empty() {
            rows.push(vec![
                format!("`{}`", e.target),
                state.to_string(),
                "ok".into(),
                String::new(),
            ]);
        }
        for c in &e.changes {
            rows.push(vec![
                format!("`{}`", e.target),
                state.to_string(),
                if c.regression {
                    "**regression**".into()
                } else {
                    "ok".into()
                },
                c.detail.clone(),
            ]);
        }
    }
    let m = &d.summary;
    format!(
        "### tlsfloor diff\n\n{}\n{}; {}\n",
        table(&["endpoint", "state", "result", "change"], &rows),
        m.counts_text(),
        if m.regressed > 0 {
            format!("**{} regressed**", m.regressed)
        } else {
            "nothing regressed".into()
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table() {
        let t = table(&["a", "b"], &[vec!["x|y".into(), "two\nlines".into()]]);
        assert_eq!(t, "| a | b |\n|---|---|\n| x\\|y | two lines |\n");
    }
}
