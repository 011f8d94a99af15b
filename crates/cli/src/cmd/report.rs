//! `tlsfloor report FILE… -o report.html`: one self-contained HTML page (inline CSS, SVG and
//! a few lines of script; nothing fetched) from saved scan, trail, check-client and diagnose
//! JSON. A file that cannot be used is listed in the page with the reason and makes the exit
//! status 3; the other files still make the report. See docs/report.md.

use crate::exit::Exit;
use crate::output::report_model::{self, InputRow, ReportModel};
use anyhow::Context;
use std::path::PathBuf;
use tlsfloor_scan::report::{ScanReport, SCAN_SCHEMA};

/// The page template (auto-escaped HTML).
const TEMPLATE: &str = include_str!("../output/report.html");

/// Arguments of `tlsfloor report`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Inputs, recognised by their schema: scan reports (several make a trend; the \
newest is the fleet view), trail audits, check-client and diagnose results. Exit status: 0 the \
report was written from every file; 3 written, but some file could not be used (listed in the \
page); 2 nothing could be written. See docs/report.md."
)]
pub struct Args {
    /// Saved JSON documents (`tlsfloor scan --json`, `-o FILE`, `trail --json`, …).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Where to write the HTML page.
    #[arg(short = 'o', long = "output", value_name = "report.html")]
    pub output: PathBuf,
}

/// What one input file turned out to be.
enum Input {
    Scan(Box<ScanReport>),
    Trail(serde_json::Value),
    Client(serde_json::Value),
    Diagnose(serde_json::Value),
}

fn load(path: &std::path::Path) -> Result<Input, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    match doc["schema"].as_str().unwrap_or("") {
        SCAN_SCHEMA => serde_json::from_value(doc)
            .map(|s| Input::Scan(Box::new(s)))
            .map_err(|e| format!("a scan report this tlsfloor cannot read: {e}")),
        tlsfloor_trail::report::TRAIL_SCHEMA => Ok(Input::Trail(doc)),
        crate::cmd::check_client::SCHEMA => Ok(Input::Client(doc)),
        tlsfloor_diagnose::report::DIAGNOSE_SCHEMA => Ok(Input::Diagnose(doc)),
        "" => Err("no `schema` field: not a tlsfloor document".into()),
        other => Err(format!("schema {other} is not shown in reports")),
    }
}

/// Builds the page's data from the files; the bool is false when some file was not used.
fn model(files: &[PathBuf]) -> anyhow::Result<(ReportModel, bool)> {
    let policies = tlsfloor_policy::builtin().context("loading built-in policies")?;
    let mut m = ReportModel {
        generated_at: tlsfloor_scan::clock::rfc3339(tlsfloor_scan::clock::unix_now()),
        ..ReportModel::default()
    };
    let mut scans = Vec::new();
    let mut all_used = true;
    for f in files {
        let path = f.display().to_string();
        let (kind, note) = match load(f) {
            Ok(Input::Scan(s)) => {
                let note = format!("{} targets, started {}", s.targets.len(), s.started_at);
                scans.push(s);
                ("scan", note)
            }
            Ok(Input::Trail(doc)) => {
                m.trails.push(report_model::trail_view(&path, &doc));
                ("trail", "CloudTrail audit".to_string())
            }
            Ok(Input::Client(doc)) => {
                let words: Vec<&str> = doc["command"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|w| w.as_str())
                    .collect();
                m.clients.push([
                    words.join(" "),
                    doc["verdict"].as_str().unwrap_or("?").to_string(),
                ]);
                ("check-client", "client check".to_string())
            }
            Ok(Input::Diagnose(doc)) => {
                let detail = doc["failure"]["message"]
                    .as_str()
                    .or(doc["caveat"].as_str())
                    .unwrap_or("")
                    .to_string();
                m.diagnoses.push([
                    doc["client"]["name"].as_str().unwrap_or("?").to_string(),
                    doc["server"]["name"].as_str().unwrap_or("?").to_string(),
                    doc["result"].as_str().unwrap_or("?").to_string(),
                    detail,
                ]);
                ("diagnose", "negotiation diagnosis".to_string())
            }
            Err(why) => {
                all_used = false;
                ("not used", why)
            }
        };
        m.inputs.push(InputRow {
            path,
            kind: kind.to_string(),
            note,
        });
    }
    scans.sort_by(|a, b| a.started_at.cmp(&b.started_at));
    if let Some(newest) = scans.last() {
        m.fleet = Some(report_model::fleet(newest, policies));
    }
    let trend: Vec<(String, u64)> = scans
        .iter()
        .map(|s| (s.started_at.clone(), report_model::legacy_endpoints(s)))
        .collect();
    m.trend = report_model::line_chart(&trend);
    Ok((m, all_used))
}

/// Renders the page.
pub fn render(m: &ReportModel) -> anyhow::Result<String> {
    let mut env = minijinja::Environment::new();
    env.add_template("report.html", TEMPLATE)
        .context("loading the report template")?;
    env.get_template("report.html")?
        .render(m)
        .context("rendering the report")
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    let (m, all_used) = model(&args.files)?;
    let html = render(&m)?;
    std::fs::write(&args.output, html)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    for i in m.inputs.iter().filter(|i| i.kind == "not used") {
        eprintln!("tlsfloor report: {} not used: {}", i.path, i.note);
    }
    Ok(if all_used { Exit::Ok } else { Exit::Incomplete })
}
