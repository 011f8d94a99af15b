//! `tlsfloor check`: judge a saved scan JSON (`tlsfloor scan --json > scan.json`) offline.

use crate::cmd::policy_gate::{self, PolicyArgs};
use crate::exit::Exit;
use anyhow::Context;
use std::io::Read;
use std::path::PathBuf;
use tlsfloor_scan::report::{ScanReport, SCAN_SCHEMA};

/// Arguments of `tlsfloor check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Saved output of `tlsfloor scan --json`, or `-` for standard input.
    #[arg(value_name = "SCAN_JSON")]
    pub file: PathBuf,
    /// Policy options.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Print the verdicts as JSON (schema tlsfloor.policy-check/v1, see docs/policy.md).
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print the verdicts as CSV: one row per target and violation (docs/policy.md).
    #[arg(long)]
    pub csv: bool,
    /// Text output: `table` (default) or `markdown` (a summary table for pull requests).
    #[arg(long, value_enum, default_value_t = crate::output::markdown::Format::Table, conflicts_with_all = ["json", "csv"])]
    pub format: crate::output::markdown::Format,
}

/// Reads and parses a saved scan report.
pub fn read_report(file: &PathBuf) -> anyhow::Result<ScanReport> {
    let text = if file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading the scan JSON from standard input")?;
        s
    } else {
        std::fs::read_to_string(file)
            .with_context(|| format!("cannot read scan JSON {}", file.display()))?
    };
    let report: ScanReport = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a tlsfloor scan report (expected the output of `tlsfloor scan --json`)",
            file.display()
        )
    })?;
    if report.schema != SCAN_SCHEMA {
        anyhow::bail!(
            "{}: unsupported scan schema {:?} (this tlsfloor reads {SCAN_SCHEMA:?})",
            file.display(),
            report.schema
        );
    }
    Ok(report)
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    if !args.policy.is_set() {
        anyhow::bail!(
            "nothing to check: give --policy NAME|FILE, --policy-file FILE, --min-version VERSION or --identify"
        );
    }
    let report = read_report(&args.file)?;
    let doc = policy_gate::evaluate(&report, &args.policy)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else if args.csv {
        print!("{}", crate::output::check_csv::render(&doc));
    } else if args.format == crate::output::markdown::Format::Markdown {
        print!("{}", crate::output::markdown::check(&doc));
    } else {
        print!("{}", policy_gate::render_text(&doc));
    }
    Ok(policy_gate::exit_of(&doc))
}
