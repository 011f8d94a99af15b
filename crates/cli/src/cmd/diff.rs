//! `tlsfloor diff OLD.json NEW.json`: what changed between two scans (docs/diff.md); exit 1
//! when anything regressed.

use crate::exit::Exit;
use crate::output::{self, Style};
use anyhow::Context;
use std::io::Write;
use std::path::{Path, PathBuf};
use tlsfloor_scan::diff::{diff, EndpointState, ScanDiff};
use tlsfloor_scan::report::ScanReport;

/// Arguments of `tlsfloor diff`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 nothing regressed; 1 something regressed (a legacy \
version or weak suite newly accepted, a refusal no longer proven, fallback SCSV lost, an expired \
certificate, a new endpoint with legacy TLS); 2 usage error or unreadable report. See docs/diff.md."
)]
pub struct Args {
    /// The earlier scan report (`tlsfloor scan --json` or `-o FILE`).
    #[arg(value_name = "OLD.json")]
    pub old: PathBuf,
    /// The later scan report.
    #[arg(value_name = "NEW.json")]
    pub new: PathBuf,
    /// Print the diff as JSON (schema tlsfloor.diff/v1).
    #[arg(long)]
    pub json: bool,
    /// Text output: `table` (default) or `markdown` (a summary table for pull requests).
    #[arg(long, value_enum, default_value_t = output::markdown::Format::Table, conflicts_with = "json")]
    pub format: output::markdown::Format,
}

fn load(path: &Path) -> anyhow::Result<ScanReport> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let report: ScanReport = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a tlsfloor scan report (tlsfloor scan --json / -o FILE)",
            path.display()
        )
    })?;
    Ok(report)
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    let (old, new) = (load(&args.old)?, load(&args.new)?);
    let d = diff(&old, &new);
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &d)?;
        writeln!(out)?;
    } else if args.format == output::markdown::Format::Markdown {
        out.write_all(output::markdown::diff(&d).as_bytes())?;
    } else {
        out.write_all(render(&d, crate::output::stdout_style()).as_bytes())?;
    }
    out.flush()?;
    Ok(if d.summary.regressed > 0 {
        Exit::Findings
    } else {
        Exit::Ok
    })
}

/// The diff as a table per changed endpoint and a summary line.
fn render(d: &ScanDiff, st: Style) -> String {
    let mut s = String::new();
    for e in d
        .endpoints
        .iter()
        .filter(|e| e.state != EndpointState::Unchanged)
    {
        let state = match e.state {
            EndpointState::Removed => st.dim(e.state.label()),
            _ => st.bold(e.state.label()),
        };
        let addr = e.address.as_deref().unwrap_or("-");
        s.push_str(&format!(
            "{}  {state}  {}\n",
            st.bold(&e.target),
            st.dim(addr)
        ));
        let rows: Vec<Vec<String>> = e
            .changes
            .iter()
            .map(|c| {
                let mark = if c.regression {
                    st.red("REGRESSION")
                } else {
                    st.green("ok")
                };
                vec![mark, c.detail.clone()]
            })
            .collect();
        s.push_str(&output::table(&rows, "  "));
    }
    let m = &d.summary;
    s.push_str(&format!(
        "{}; {}\n",
        m.counts_text(),
        if m.regressed > 0 {
            st.red(&format!("{} regressed", m.regressed))
        } else {
            st.green("nothing regressed")
        }
    ));
    s
}
