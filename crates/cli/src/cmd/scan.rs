//! `tlsfloor scan`: enumerate the protocol versions and cipher suites servers accept.

use crate::cmd::policy_gate::{self, PolicyArgs};
use crate::exit::Exit;
use crate::output::{self, scan_table};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;
use tlsfloor_scan::report::ScanReport;
use tlsfloor_scan::{
    parse_target, parse_target_bytes, ResolveOverride, ScanOptions, StartTls, TargetInput,
};
use tlsfloor_wire::starttls::Protocol;

/// Arguments of `tlsfloor scan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Targets: HOST, HOST:PORT, an IPv6 literal in brackets with :PORT, or an IP literal (port 443 by default).
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Read more targets from FILE (one per line, `#` comments, blank lines ignored).
    #[arg(short = 'i', long = "input", value_name = "FILE")]
    pub input: Vec<PathBuf>,
    /// Server name to send in SNI (default: the host name; none for IP literals).
    #[arg(long, value_name = "NAME")]
    pub sni: Option<String>,
    /// Print the report as JSON (schema tlsfloor.scan/v1, see docs/scan-json.md).
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print the report as CSV: one row per target, version and accepted suite (docs/scan.md).
    /// Policy options cannot be combined with it (their verdicts are not CSV).
    #[arg(long, conflicts_with_all = ["min_version", "policy", "policy_file", "identify"])]
    pub csv: bool,
    /// Text output: `table` (default) or `markdown` (a summary table for pull requests,
    /// with the policy verdicts when a policy is given).
    #[arg(long, value_enum, default_value_t = output::markdown::Format::Table, conflicts_with_all = ["json", "csv"])]
    pub format: output::markdown::Format,
    /// Connect and answer timeout per probe, e.g. `5`, `5s`, `500ms`.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Targets scanned at once.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
    /// Simultaneous connections to one target.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..))]
    pub connections: u16,
    /// Also write the scan report as JSON to FILE (written before anything is printed, so a
    /// closed standard output cannot lose it).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Bound on one target as a whole (default: 5 × --timeout × versions); what is not
    /// learnt by then is reported unknown and the target incomplete (exit 3).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub target_timeout: Option<Duration>,
    /// Retries of one probe after an indeterminate answer (silent close, reset; timeouts
    /// are retried once at most).
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: u32,
    /// Trust these CA certificates (PEM bundle) instead of the system trust store when
    /// judging chains.
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// Trust the CA certificates of this hashed directory (as `c_rehash` makes).
    #[arg(long, value_name = "DIR")]
    pub ca_dir: Option<PathBuf>,
    /// Skip key-exchange group enumeration (faster, fewer connections).
    #[arg(long)]
    pub no_groups: bool,
    /// Leave SSL 2.0 out: it is not probed, and the report says so. For servers that close an
    /// SSL 2.0 hello without answering (Botan, some middleboxes), whose SSL 2.0 result is
    /// otherwise unknown and the scan incomplete (exit 3).
    #[arg(long)]
    pub no_sslv2: bool,
    /// Scan every address a host name resolves to, each as its own report (default: the
    /// first, IPv4 preferred; the others are listed as not scanned).
    #[arg(long)]
    pub all_addresses: bool,
    /// Use these addresses for HOST:PORT instead of DNS, like curl: `HOST:PORT:ADDR[,ADDR...]`
    /// (repeatable). SNI stays HOST, so one node behind a name can be checked.
    #[arg(long, value_name = "HOST:PORT:ADDRS", value_parser = ResolveOverride::parse)]
    pub resolve: Vec<ResolveOverride>,
    /// Upgrade to TLS in band before every hello: smtp, imap, pop3, ftp, ldap, xmpp,
    /// postgres, mysql, or auto (by well-known port). A target's URL scheme (`smtp://`,
    /// `imap://`, … or `https://`, `smtps://`, … for direct TLS) decides for that target.
    #[arg(long, value_name = "PROTOCOL", value_parser = parse_starttls)]
    pub starttls: Option<StartTls>,
    /// Policy options: judge the scan (exit 1 on violations).
    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// Parses `--starttls`.
fn parse_starttls(s: &str) -> Result<StartTls, String> {
    if s.eq_ignore_ascii_case("auto") {
        return Ok(StartTls::Auto);
    }
    Protocol::from_name(s).map(StartTls::Always).ok_or_else(|| {
        let names: Vec<&str> = Protocol::ALL.iter().map(|p| p.name()).collect();
        format!(
            "unknown protocol {s:?} (expected {} or auto)",
            names.join(", ")
        )
    })
}

/// Parses `5`, `5s`, `1.5s`, `500ms`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else {
        (t, 1.0)
    };
    match num.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() && v * scale <= 3600.0 => {
            Ok(Duration::from_secs_f64(v * scale))
        }
        _ => Err(format!(
            "invalid duration {s:?} (expected e.g. 5, 5s or 500ms, at most 1h)"
        )),
    }
}

/// Collects targets from the command line and files; invalid ones become error entries.
fn collect_targets(args: &Args) -> anyhow::Result<Vec<TargetInput>> {
    let sni = args.sni.as_deref();
    let mut out = Vec::new();
    for t in &args.targets {
        if tlsfloor_policy::suggest::looks_like_policy(t) {
            anyhow::bail!(
                "{t:?} looks like a policy name, not a target: give it with --policy {t}"
            );
        }
        out.push(match parse_target(t, sni) {
            Ok(p) => TargetInput::Parsed(p),
            Err(e) => TargetInput::Invalid {
                input: t.clone(),
                reason: e.to_string(),
            },
        });
    }
    for file in &args.input {
        let bytes = std::fs::read(file)
            .with_context(|| format!("cannot read target list {}", file.display()))?;
        for entry in parse_target_bytes(&bytes, sni) {
            out.push(match entry.parsed {
                Ok(p) => TargetInput::Parsed(p),
                Err(e) => TargetInput::Invalid {
                    input: entry.text,
                    reason: format!("{}:{}: {e}", file.display(), entry.line),
                },
            });
        }
    }
    if out.is_empty() {
        anyhow::bail!("no targets: give HOST[:PORT] arguments or -i FILE");
    }
    Ok(out)
}

/// Scans `inputs` on a fresh runtime, with a progress bar on stderr when it is a terminal
/// and there is more than one target.
pub fn scan_blocking(inputs: Vec<TargetInput>, opts: ScanOptions) -> anyhow::Result<ScanReport> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let bar = if inputs.len() > 1 && std::io::stderr().is_terminal() {
        let b =
            ProgressBar::with_draw_target(Some(inputs.len() as u64), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} scanning [{bar:30}] {pos}/{len} {msg}")
        {
            b.set_style(style.progress_chars("=> "));
        }
        b.enable_steady_tick(Duration::from_millis(120));
        Some(b)
    } else {
        None
    };
    let cb_bar = bar.clone();
    let on_done = move |t: &tlsfloor_scan::report::TargetReport| {
        if let Some(b) = &cb_bar {
            b.set_message(t.target.clone());
            b.inc(1);
        }
    };
    let ctrl_c = async {
        // Without a signal handler the scan simply runs to the end.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let report = rt.block_on(tlsfloor_scan::scan_all_until(inputs, opts, on_done, ctrl_c));
    // Aborted probe tasks may still hold blocking handshakes: do not wait for them.
    rt.shutdown_background();
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(report)
}

/// Prints the report (table or JSON).
pub fn print_report(report: &ScanReport, json: bool) -> anyhow::Result<()> {
    if json {
        let s = serde_json::to_string_pretty(report).context("serialising the report")?;
        println!("{s}");
    } else {
        let st = crate::output::stdout_style();
        print!("{}", scan_table::render(report, st));
    }
    Ok(())
}

/// The exit status for a report, before any policy: 3 when some target failed or is not
/// fully proven (a version unknown, an enumeration cut short).
pub fn scan_exit(report: &ScanReport) -> Exit {
    if report.targets.iter().any(|t| !t.is_complete()) {
        Exit::Incomplete
    } else {
        Exit::Ok
    }
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    // Everything that can be wrong is checked before the first probe: a misspelt policy
    // must not cost a finished scan.
    args.policy.policies()?;
    let trust =
        tlsfloor_scan::trust::TrustAnchors::load(args.ca.as_deref(), args.ca_dir.as_deref())?;
    let inputs = collect_targets(&args)?;
    let connections = usize::from(args.connections);
    let open_files = crate::process::raise_open_files_limit();
    let opts = ScanOptions {
        timeout: args.timeout,
        connections_per_target: connections,
        concurrency: crate::process::fit_concurrency(
            usize::from(args.concurrency),
            connections,
            open_files,
        ),
        groups: !args.no_groups,
        sslv2: !args.no_sslv2,
        all_addresses: args.all_addresses,
        resolve: args.resolve.clone(),
        retries: args.retries,
        target_timeout: args.target_timeout,
        trust: Some(trust),
        starttls: args.starttls.unwrap_or_default(),
        ..ScanOptions::default()
    };
    let report = scan_blocking(inputs, opts)?;
    // The file first: a closed standard output must not lose the report.
    if let Some(path) = &args.output {
        let s = serde_json::to_string_pretty(&report).context("serialising the report")?;
        std::fs::write(path, s + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let verdicts = if args.policy.is_set() {
        Some(policy_gate::evaluate(&report, &args.policy)?)
    } else {
        None
    };
    if args.csv {
        print!("{}", output::scan_csv::render(&report));
    } else if args.json {
        // One document with or without a policy: the verdicts are its `policy_check` field.
        let mut doc = serde_json::to_value(&report).context("serialising the report")?;
        if let (Some(v), Some(obj)) = (&verdicts, doc.as_object_mut()) {
            obj.insert("policy_check".into(), serde_json::to_value(v)?);
        }
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else if args.format == output::markdown::Format::Markdown {
        print!("{}", output::markdown::scan(&report));
        if let Some(v) = &verdicts {
            print!("\n{}", output::markdown::check(v));
        }
    } else {
        print_report(&report, false)?;
        if let Some(v) = &verdicts {
            print!("{}", policy_gate::render_text(v));
        }
    }
    let scan = scan_exit(&report);
    let gate = verdicts.as_ref().map_or(Exit::Ok, policy_gate::exit_of);
    if report.interrupted {
        return Ok(Exit::Interrupted);
    }
    Ok(match (gate, scan) {
        (Exit::Findings, _) => Exit::Findings,
        (Exit::Incomplete, _) | (_, Exit::Incomplete) => Exit::Incomplete,
        _ => Exit::Ok,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("-1s").is_err());
    }
}
