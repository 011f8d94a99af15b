//! The readable check-client report, through the shared table renderer: a row per trap
//! (version or certificate check, verdict, the suite negotiated with its weakness marks, exit,
//! SNI, fallback SCSV, JA4, reason), the marks' legend, the client's error output for
//! inconclusive runs, and the verdict.

use super::{Report, Verdict, VersionResult};
use crate::output::grades::{self, Mark};
use crate::output::{table, Style};
use tlsfloor_trap::record::Outcome;

fn what(x: &VersionResult) -> String {
    match (x.role, x.check) {
        ("certificate", Some(c)) => format!("cert:{c}"),
        ("control", _) => format!("{}+", x.version.name()),
        _ => x.version.name().to_string(),
    }
}

fn verdict_cell(x: &VersionResult, st: Style) -> String {
    match (x.verdict, x.role) {
        (Verdict::Refused, "certificate") => st.green("rejected"),
        (Verdict::Refused, _) => st.green("refused"),
        (Verdict::Accepted, "control") => st.green("accepted (ok)"),
        (Verdict::Accepted, "certificate") => st.red("ACCEPTED BAD CERT"),
        (Verdict::Accepted, _) => st.red("ACCEPTED"),
        (Verdict::Inconclusive, _) => st.yellow("inconclusive"),
    }
}

/// The suite of the first completed handshake with its weakness marks (an accepted expired
/// certificate is marked too), or `-`.
fn suite_cell(x: &VersionResult, seen: &mut Vec<Mark>, st: Style) -> String {
    let suite = x.connections.iter().find_map(|c| match &c.outcome {
        Outcome::HandshakeCompleted { cipher, .. } => Some(cipher.as_str()),
        _ => None,
    });
    let Some(suite) = suite else {
        return "-".into();
    };
    let mut marks = tlsfloor_wire::suites::by_name(suite)
        .map(|s| grades::suite_marks(s.code, None))
        .unwrap_or_default();
    if x.check == Some("expired") && x.verdict == Verdict::Accepted {
        marks.push(grades::EXPIRED);
    }
    grades::marked(suite, &marks, seen, st)
}

fn exit_cell(x: &VersionResult) -> String {
    match (x.exit_status, x.timed_out) {
        (_, true) => "timeout".to_string(),
        (Some(c), _) => c.to_string(),
        (None, _) => "-".to_string(),
    }
}

/// Renders the report.
pub fn render(r: &Report) -> String {
    let st = crate::output::stdout_style();
    let mut out = format!(
        "{} {} (floor {})\n",
        st.bold("check-client:"),
        r.command.join(" "),
        r.min_version
    );
    let mut rows = vec![[
        "TRAP", "ROLE", "VERDICT", "SUITE", "EXIT", "SNI", "SCSV", "JA4", "REASON",
    ]
    .iter()
    .map(|h| st.bold(h))
    .collect::<Vec<_>>()];
    let mut seen = Vec::new();
    for x in &r.results {
        rows.push(vec![
            what(x),
            x.role.to_string(),
            verdict_cell(x, st),
            suite_cell(x, &mut seen, st),
            exit_cell(x),
            x.sni.clone().unwrap_or_else(|| "none".into()),
            if x.fallback_scsv {
                "yes".into()
            } else {
                "-".into()
            },
            x.ja4.clone().unwrap_or_else(|| "-".into()),
            x.reason.clone(),
        ]);
    }
    for s in &r.skipped {
        rows.push(vec![
            s.version.name().to_string(),
            "legacy".into(),
            st.yellow("not tested"),
            "-".into(),
            "-".into(),
            "-".into(),
            "-".into(),
            "-".into(),
            s.reason.clone(),
        ]);
    }
    out.push_str(&table(&rows, "  "));
    out.push_str(&grades::legend(&seen, st));
    for x in r
        .results
        .iter()
        .filter(|x| x.verdict == Verdict::Inconclusive)
    {
        if !x.stderr_tail.is_empty() {
            let tail: Vec<&str> = x.stderr_tail.lines().rev().take(3).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            out.push_str(&format!(
                "  {} {}: {}\n",
                st.dim("client stderr"),
                what(x),
                tail.join(" | ")
            ));
        }
    }
    if let Some(x) = r.results.iter().find(|x| x.ja3.is_some()) {
        out.push_str(&format!(
            "  JA3 {}  JA4_r {}\n",
            x.ja3.as_deref().unwrap_or("-"),
            x.ja4_r.as_deref().unwrap_or("-")
        ));
    }
    let v = match r.verdict {
        "pass" => st.green("pass"),
        "fail" => st.red("FAIL"),
        _ => st.yellow("inconclusive"),
    };
    out.push_str(&format!("verdict: {v} ({})\n", r.summary));
    out
}
