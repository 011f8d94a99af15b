//! Judging scan results against a policy: shared by `tlsfloor scan` and `tlsfloor check`.
//!
//! Output: a text section per target (violations, a PASS/FAIL line, optional identification)
//! or one JSON document with schema [`CHECK_SCHEMA`] (see docs/policy.md). Exit status:
//! `Ok` (0) all pass, `Findings` (1) some target fails, `Incomplete` (3) none fails but some
//! could not be (fully) scanned.

use crate::exit::Exit;
use crate::output::grades;
use serde::Serialize;
use std::path::PathBuf;
use tlsfloor_policy::{identify::Identification, Policy, TargetVerdict, Verdict};
use tlsfloor_scan::report::ScanReport;

/// Schema identifier of the JSON that `--policy … --json` prints.
pub const CHECK_SCHEMA: &str = "tlsfloor.policy-check/v1";

/// How many near misses `--identify` shows when nothing matches exactly.
const CLOSEST: usize = 3;

/// Policy options, flattened into `scan` and `check`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PolicyArgs {
    /// Lowest acceptable protocol version, e.g. `1.2`.
    #[arg(long, value_name = "VERSION")]
    pub min_version: Option<tlsfloor_wire::Version>,
    /// A built-in policy name (see `tlsfloor policy list`) or a policy TOML file.
    #[arg(long, value_name = "NAME|FILE")]
    pub policy: Option<String>,
    /// A policy TOML file (same as giving its path to `--policy`).
    #[arg(long, value_name = "FILE", conflicts_with = "policy")]
    pub policy_file: Option<PathBuf>,
    /// Also fail on what the policy allows but the server refuses (versions and suites).
    #[arg(long)]
    pub strict: bool,
    /// Name the built-in policies each endpoint matches exactly, or the closest ones.
    #[arg(long)]
    pub identify: bool,
}

impl PolicyArgs {
    /// True when any policy option was given.
    pub fn is_set(&self) -> bool {
        self.min_version.is_some()
            || self.policy.is_some()
            || self.policy_file.is_some()
            || self.identify
    }

    /// The policies the options name (`--min-version` first).
    pub fn policies(&self) -> anyhow::Result<Vec<Policy>> {
        let mut out = Vec::new();
        if let Some(v) = self.min_version {
            out.push(Policy::min_version(v));
        }
        if let Some(spec) = &self.policy {
            out.push(tlsfloor_policy::resolve(spec)?);
        }
        if let Some(path) = &self.policy_file {
            out.push(tlsfloor_policy::load::load_file(path)?);
        }
        if self.strict && !out.iter().any(|p| p.family != "min-version") {
            anyhow::bail!("--strict needs --policy or --policy-file");
        }
        Ok(out)
    }
}

/// A policy as named in the JSON output.
#[derive(Debug, Serialize)]
pub struct PolicyRef {
    /// Policy id.
    pub id: String,
    /// Vendor spelling.
    pub name: String,
    /// Family.
    pub family: String,
    /// Documentation page.
    pub source_url: Option<String>,
    /// How sure the data is.
    pub source_status: String,
}

/// One target in the JSON output.
#[derive(Debug, Serialize)]
pub struct TargetOut {
    /// The target as written.
    pub target: String,
    /// The address probed.
    pub address: Option<String>,
    /// `pass`, `fail`, `unreachable`, `incomplete`; `null` when only `--identify` was asked.
    pub verdict: Option<Verdict>,
    /// Why unreachable or incomplete.
    pub reason: Option<String>,
    /// Violations (empty unless `fail`).
    pub violations: Vec<tlsfloor_policy::Violation>,
    /// Identification, when `--identify` was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identify: Option<Identification>,
}

/// Counts per verdict.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// Targets judged.
    pub targets: usize,
    /// Targets that pass.
    pub pass: usize,
    /// Targets that fail.
    pub fail: usize,
    /// Targets not scanned.
    pub unreachable: usize,
    /// Targets partly scanned, without violations.
    pub incomplete: usize,
}

/// The whole JSON document.
#[derive(Debug, Serialize)]
pub struct CheckReport {
    /// Always [`CHECK_SCHEMA`].
    pub schema: &'static str,
    /// tlsfloor version.
    pub tool_version: &'static str,
    /// The policies applied (empty with `--identify` alone).
    pub policies: Vec<PolicyRef>,
    /// Whether `--strict` was given.
    pub strict: bool,
    /// One entry per target, in scan order.
    pub targets: Vec<TargetOut>,
    /// Counts.
    pub summary: Summary,
    /// The exit status tlsfloor returns.
    pub exit_code: u8,
}

/// Judges `report` and builds the result document (no printing).
pub fn evaluate(report: &ScanReport, args: &PolicyArgs) -> anyhow::Result<CheckReport> {
    let policies = args.policies()?;
    let refs: Vec<&Policy> = policies.iter().collect();
    let builtins = if args.identify {
        tlsfloor_policy::builtin()?
    } else {
        &[]
    };
    let mut summary = Summary::default();
    let mut targets = Vec::new();
    for t in &report.targets {
        let identify = args
            .identify
            .then(|| tlsfloor_policy::identify(t, builtins, CLOSEST));
        let (verdict, reason, violations) = if refs.is_empty() {
            let reason = identify.as_ref().and_then(|i| i.reason.clone());
            (None, reason, Vec::new())
        } else {
            let TargetVerdict {
                verdict,
                reason,
                violations,
                ..
            } = tlsfloor_policy::evaluate(t, &refs, args.strict);
            (Some(verdict), reason, violations)
        };
        summary.targets += 1;
        match verdict {
            Some(Verdict::Pass) => summary.pass += 1,
            Some(Verdict::Fail) => summary.fail += 1,
            Some(Verdict::Unreachable) => summary.unreachable += 1,
            Some(Verdict::Incomplete) => summary.incomplete += 1,
            None if t.error.is_some() => summary.unreachable += 1,
            None => {}
        }
        targets.push(TargetOut {
            target: t.target.clone(),
            address: t.address.clone(),
            verdict,
            reason,
            violations,
            identify,
        });
    }
    let exit = if summary.fail > 0 {
        Exit::Findings
    } else if summary.unreachable > 0 || summary.incomplete > 0 {
        Exit::Incomplete
    } else {
        Exit::Ok
    };
    Ok(CheckReport {
        schema: CHECK_SCHEMA,
        tool_version: env!("CARGO_PKG_VERSION"),
        policies: policies
            .iter()
            .map(|p| PolicyRef {
                id: p.id.clone(),
                name: p.name.clone(),
                family: p.family.clone(),
                source_url: p.source_url.clone(),
                source_status: p.source_status.clone(),
            })
            .collect(),
        strict: args.strict,
        targets,
        summary,
        exit_code: exit as u8,
    })
}

/// The exit status a check document stands for.
pub fn exit_of(doc: &CheckReport) -> Exit {
    match doc.exit_code {
        0 => Exit::Ok,
        1 => Exit::Findings,
        _ => Exit::Incomplete,
    }
}

/// The terminal rendering of a check document.
pub fn render_text(doc: &CheckReport) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let names: Vec<String> = doc.policies.iter().map(|p| p.id.clone()).collect();
    if !names.is_empty() {
        let _ = writeln!(
            s,
            "Policy check: {}{}",
            names.join(" + "),
            if doc.strict { " (strict)" } else { "" }
        );
        for p in &doc.policies {
            if p.source_status.contains("unverified") {
                let _ = writeln!(
                    s,
                    "  note: {} data is {}; confirm against {}",
                    p.id,
                    p.source_status,
                    p.source_url.as_deref().unwrap_or("the vendor")
                );
            }
        }
    }
    let st = crate::output::stdout_style();
    let mut seen = Vec::new();
    for t in &doc.targets {
        let addr = match &t.address {
            Some(a) if *a != t.target => format!(" ({a})"),
            _ => String::new(),
        };
        match t.verdict {
            Some(v) => {
                let label = format!("{:<11}", v.label());
                let label = match v {
                    tlsfloor_policy::Verdict::Pass => st.green(&label),
                    tlsfloor_policy::Verdict::Fail => st.red(&label),
                    _ => st.yellow(&label),
                };
                let _ = writeln!(s, "{label} {}{}", t.target, addr);
            }
            None => {
                let _ = writeln!(s, "{}{}", t.target, addr);
            }
        }
        if let Some(r) = &t.reason {
            let _ = writeln!(s, "  - {r}");
        }
        for v in &t.violations {
            let marks = v
                .suite
                .as_ref()
                .map(|x| grades::suite_marks(x.code, None))
                .unwrap_or_default();
            let line = grades::marked(&v.message, &marks, &mut seen, st);
            let _ = writeln!(s, "  - {line}");
        }
        if let Some(id) = &t.identify {
            render_identify(&mut s, id);
        }
    }
    s.push_str(&grades::legend(&seen, st));
    if !doc.policies.is_empty() {
        let m = &doc.summary;
        let _ = writeln!(
            s,
            "Summary: {} target{}: {} pass, {} fail, {} unreachable{}",
            m.targets,
            if m.targets == 1 { "" } else { "s" },
            m.pass,
            m.fail,
            m.unreachable,
            if m.incomplete > 0 {
                format!(", {} incomplete", m.incomplete)
            } else {
                String::new()
            }
        );
    }
    s
}

fn render_identify(s: &mut String, id: &Identification) {
    use std::fmt::Write;
    if let Some(r) = &id.reason {
        let _ = writeln!(s, "  identify: cannot identify ({r})");
        return;
    }
    if !id.exact.is_empty() {
        for m in &id.exact {
            let _ = writeln!(
                s,
                "  identify: matches {} ({}){}",
                m.policy,
                m.family,
                order_note(&m.order)
            );
        }
        return;
    }
    let _ = writeln!(s, "  identify: no exact match; closest:");
    for m in &id.closest {
        // The count is of the lines listed below (the ranking weighs a whole version by its
        // suites, which the list names once).
        let listed = m.extra_versions.len()
            + m.missing_versions.len()
            + m.group_differences.len()
            + m.extra_suites.len()
            + m.missing_suites.len();
        let _ = writeln!(
            s,
            "    {} ({}), {listed} difference(s){}",
            m.policy,
            m.family,
            order_note(&m.order)
        );
        for v in &m.extra_versions {
            let _ = writeln!(s, "      + server accepts {v}, the policy does not");
        }
        for v in &m.missing_versions {
            let _ = writeln!(s, "      - server refuses {v}, the policy allows it");
        }
        for g in &m.group_differences {
            let _ = writeln!(s, "      ~ {g}");
        }
        for x in &m.extra_suites {
            let _ = writeln!(
                s,
                "      + {} {} accepted, not in the policy",
                x.version, x.suite.iana
            );
        }
        for x in &m.missing_suites {
            let _ = writeln!(
                s,
                "      - {} {} in the policy, refused",
                x.version, x.suite.iana
            );
        }
    }
}

fn order_note(order: &str) -> &'static str {
    match order {
        "different" => " [server suite order differs from the policy's]",
        "client" => " [server follows the client's suite order; the policy has a server order]",
        _ => "",
    }
}

/// Renders rows as an aligned text table with a header line (the shared renderer).
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    crate::output::table_with_header(headers, rows, usize::MAX)
}
