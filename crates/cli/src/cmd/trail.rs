//! `tlsfloor trail`: audit CloudTrail logs for API calls made over legacy TLS (docs/trail.md).

use crate::exit::Exit;
use crate::output::trail_text::render_text;
use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use tlsfloor_trail::audit::{self, Plan, Progress};
use tlsfloor_trail::input::{Pattern, WalkOptions};
use tlsfloor_trail::query::normalize_event_source;
use tlsfloor_trail::render::render_csv;
use tlsfloor_trail::sql::{emit, emit_logs_insights, Dialect, Partitions};
use tlsfloor_trail::time::parse_bound;
use tlsfloor_trail::tls::Selection;
use tlsfloor_trail::{By, Query};
use tlsfloor_wire::Version;

/// SQL engines `--emit-sql` can target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SqlEngine {
    /// Amazon Athena over the CloudTrail table (see `--table`).
    Athena,
    /// CloudTrail Lake over an event data store (see `--eds`).
    Lake,
    /// CloudWatch Logs Insights over a log group CloudTrail delivers to.
    LogsInsights,
}

/// Partition layouts of the Athena CloudTrail table (`--partitions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PartitionLayout {
    /// No partition predicates.
    None,
    /// Partition columns region, year, month, day (the documentation's partitioned table).
    RegionDate,
    /// Partition projection on region and timestamp (yyyy/MM/dd).
    Projection,
}

/// Arguments of `tlsfloor trail`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 no legacy calls and all input read; 1 legacy calls found \
(even if some input was skipped); 3 no legacy calls but some input skipped (bad files or records); \
2 usage error. See docs/trail.md."
)]
pub struct Args {
    /// CloudTrail log files or directories (S3 trees `AWSLogs/...`, `.json`, `.json.gz`, JSON Lines).
    #[arg(value_name = "PATH", required_unless_present = "emit_sql")]
    pub paths: Vec<PathBuf>,
    /// Report calls below this TLS version.
    #[arg(
        long,
        value_name = "VERSION",
        default_value = "1.2",
        conflicts_with = "tls_version"
    )]
    pub tls_below: Version,
    /// Report calls at exactly these TLS versions instead (comma-separated or repeated).
    #[arg(long, value_name = "VERSION", value_delimiter = ',')]
    pub tls_version: Vec<Version>,
    /// Only calls at or after this time (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ`, UTC).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only calls before this time (exclusive).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Only these accounts (`recipientAccountId`).
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub account: Vec<String>,
    /// Only these regions (`awsRegion`).
    #[arg(long, value_name = "REGION", value_delimiter = ',')]
    pub region: Vec<String>,
    /// Only these services (`eventSource`; `s3` means `s3.amazonaws.com`).
    #[arg(long, value_name = "SOURCE", value_delimiter = ',')]
    pub event_source: Vec<String>,
    /// Group legacy calls by these fields: event-source, event-name, principal, source-ip,
    /// user-agent, account, region, host-header, cipher, tls-version, access-key,
    /// caller-account, role, user-name.
    #[arg(
        long,
        value_name = "FIELDS",
        value_delimiter = ',',
        default_value = "event-source,event-name,principal,user-agent"
    )]
    pub by: Vec<By>,
    /// Show at most this many groups (0: all).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub top: usize,
    /// Print the report as JSON (schema tlsfloor.trail/v1).
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print the groups as CSV.
    #[arg(long)]
    pub csv: bool,
    /// Print the SQL that computes the same report in Athena or CloudTrail Lake, and exit.
    #[arg(long, value_name = "ENGINE")]
    pub emit_sql: Option<SqlEngine>,
    /// Athena table name for `--emit-sql athena` (`db.table` allowed).
    #[arg(long, value_name = "NAME", default_value = "cloudtrail_logs")]
    pub table: String,
    /// How the Athena table is partitioned: partition predicates are added for `--since`,
    /// `--until` and `--region`.
    #[arg(long, value_name = "LAYOUT", value_enum, default_value = "none")]
    pub partitions: PartitionLayout,
    /// CloudTrail Lake event data store ID for `--emit-sql lake`.
    #[arg(long, value_name = "ID")]
    pub eds: Option<String>,
    /// Follow symbolic links to directories while walking (links to files are always
    /// followed; loops and files reached twice are read once).
    #[arg(long)]
    pub follow_links: bool,
    /// Read only the files found in directories that match this glob (repeatable). A glob
    /// without `/` matches the file name, one with `/` the path below the directory given.
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip files and directories that match this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
}

fn build_query(a: &Args) -> anyhow::Result<Query> {
    let (selection, floor) = if a.tls_version.is_empty() {
        (Selection::below(a.tls_below), Some(a.tls_below))
    } else {
        (Selection::exactly(&a.tls_version), None)
    };
    let bound = |s: &Option<String>, flag: &str| -> anyhow::Result<Option<i64>> {
        match s {
            None => Ok(None),
            Some(t) => parse_bound(t).map(Some).with_context(|| {
                format!("{flag} {t:?}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ")
            }),
        }
    };
    let since = bound(&a.since, "--since")?;
    let until = bound(&a.until, "--until")?;
    if let (Some(s), Some(u)) = (since, until) {
        if s >= u {
            bail!("--since must be before --until");
        }
    }
    let mut by = Vec::new();
    for b in &a.by {
        if by.contains(b) {
            bail!("--by lists {b} twice");
        }
        by.push(*b);
    }
    if by.is_empty() {
        bail!("--by needs at least one field");
    }
    let clean = |v: &[String]| -> Vec<String> {
        v.iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    Ok(Query {
        selection,
        floor,
        since,
        until,
        accounts: clean(&a.account),
        regions: clean(&a.region),
        event_sources: clean(&a.event_source)
            .iter()
            .map(|s| normalize_event_source(s))
            .collect(),
        by,
        top: a.top,
    })
}

/// Progress bar over bytes on disk, with a file counter.
struct Bar {
    bar: ProgressBar,
    files: AtomicU64,
    total_files: u64,
}

impl Progress for Bar {
    fn file_done(&self, bytes: u64) {
        let n = self.files.fetch_add(1, Ordering::Relaxed) + 1;
        self.bar.inc(bytes);
        self.bar
            .set_message(format!("{n}/{} files", self.total_files));
    }
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    let query = build_query(&args)?;
    if let Some(engine) = args.emit_sql {
        let partitions = match args.partitions {
            PartitionLayout::None => Partitions::None,
            PartitionLayout::RegionDate => Partitions::RegionDate,
            PartitionLayout::Projection => Partitions::Projection,
        };
        let dialect = match engine {
            SqlEngine::Athena => Dialect::Athena {
                table: args.table.clone(),
                partitions,
            },
            SqlEngine::Lake => match &args.eds {
                Some(id) => Dialect::Lake { eds: id.clone() },
                None => bail!("--emit-sql lake needs --eds <event data store ID>"),
            },
            SqlEngine::LogsInsights => {
                print!("{}", emit_logs_insights(&query));
                return Ok(Exit::Ok);
            }
        };
        print!("{}", emit(&query, &dialect)?);
        return Ok(Exit::Ok);
    }

    let patterns = |globs: &[String]| -> anyhow::Result<Vec<Pattern>> {
        globs.iter().map(|g| Ok(Pattern::new(g)?)).collect()
    };
    let walk = WalkOptions {
        follow_links: args.follow_links,
        include: patterns(&args.include)?,
        exclude: patterns(&args.exclude)?,
    };
    let plan = Plan::walk(&args.paths, &walk)?;
    let report = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(plan.total_bytes());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}) {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let progress = Bar {
            bar,
            files: AtomicU64::new(0),
            total_files: plan.files.len() as u64,
        };
        let r = audit::run(&plan, &query, args.jobs, &progress);
        progress.bar.finish_and_clear();
        r?
    } else {
        audit::run(&plan, &query, args.jobs, &audit::NoProgress)?
    };

    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else if args.csv {
        out.write_all(render_csv(&report).as_bytes())?;
    } else {
        out.write_all(render_text(&report).as_bytes())?;
    }
    out.flush()?;
    if (args.json || args.csv) && report.verdict.input_skipped {
        eprintln!(
            "tlsfloor trail: some input was skipped ({} files skipped, {} partial, {} with invalid records); see \"problems\" in --json",
            report.files.skipped, report.files.partial, report.files.with_invalid_records
        );
    }
    let exit = match report.verdict.exit_code {
        0 => Exit::Ok,
        1 => Exit::Findings,
        _ => Exit::Incomplete,
    };
    // The process ends next: freeing a large report's strings one by one (tens of thousands
    // of groups) would only delay the exit, so the operating system takes them back at once.
    std::mem::forget(report);
    Ok(exit)
}
