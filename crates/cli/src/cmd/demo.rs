//! `tlsfloor demo`: start two in-process TLS servers of known configuration on 127.0.0.1
//! (a legacy-only one and a modern one), scan them, and explain what the result shows.
//! Offline: nothing leaves the loopback interface.

use crate::cmd::scan::{print_report, scan_exit};
use crate::exit::Exit;
use crate::output::Style;
use anyhow::Context;
use std::net::SocketAddr;
use std::time::Duration;
use tlsfloor_localtls::{LocalServer, Pki, ServerConfig};
use tlsfloor_scan::report::{ScanReport, TargetReport};
use tlsfloor_scan::{parse_target, ScanOptions, TargetInput};
use tlsfloor_wire::Version;

/// Arguments of `tlsfloor demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the scan report as JSON instead of the table and explanation.
    #[arg(long)]
    pub json: bool,
}

/// One demo server: what it is configured to do.
struct DemoServer {
    name: &'static str,
    config: ServerConfig,
}

fn servers() -> Vec<DemoServer> {
    vec![
        DemoServer {
            name: "legacy",
            config: ServerConfig {
                min_version: Version::Tls10,
                max_version: Version::Tls11,
                ciphers: "DEFAULT:@SECLEVEL=0".into(),
                alpn: Vec::new(),
            },
        },
        DemoServer {
            name: "modern",
            config: ServerConfig {
                min_version: Version::Tls12,
                max_version: Version::Tls13,
                ciphers: "ECDHE+AESGCM:ECDHE+CHACHA20".into(),
                alpn: Vec::new(),
            },
        },
    ]
}

fn accepted(t: &TargetReport) -> Vec<Version> {
    t.protocols
        .iter()
        .filter(|p| p.accepted)
        .map(|p| p.version)
        .collect()
}

fn names(v: &[Version]) -> String {
    if v.is_empty() {
        "nothing".into()
    } else {
        v.iter().map(|v| v.name()).collect::<Vec<_>>().join(", ")
    }
}

/// Compares each server's scan with its configuration and explains the outcome.
fn explain(report: &ScanReport, demo: &[DemoServer], st: Style) -> (String, bool) {
    let mut out = format!("{}\n", st.bold("What this demo shows"));
    let mut all_ok = true;
    for (t, d) in report.targets.iter().zip(demo) {
        let got = accepted(t);
        let want: Vec<Version> = Version::ALL
            .into_iter()
            .filter(|v| *v >= d.config.min_version && *v <= d.config.max_version)
            .collect();
        let ok = t.error.is_none() && got == want;
        all_ok &= ok;
        let legacy: Vec<Version> = got.iter().copied().filter(|v| v.is_legacy()).collect();
        let verdict = if legacy.is_empty() {
            st.green("passes a TLS 1.2 floor")
        } else {
            st.red(&format!(
                "accepts {} -> would fail a TLS 1.2 floor",
                names(&legacy)
            ))
        };
        out.push_str(&format!(
            "  - {} server ({}): configured for {}..{}, scan found {}: {verdict}. {}\n",
            d.name,
            t.target,
            d.config.min_version,
            d.config.max_version,
            names(&got),
            if ok {
                st.green("[scan matches the configuration]")
            } else {
                st.red("[UNEXPECTED: scan differs from the configuration]")
            }
        ));
    }
    out.push_str(
        "  Next: `tlsfloor scan HOST --min-version 1.2` exits 1 when a server still accepts\n  \
         TLS 1.0/1.1, and `tlsfloor check scan.json --policy NAME` judges a saved scan.\n",
    );
    (out, all_ok)
}

async fn run_demo(demo: &[DemoServer]) -> anyhow::Result<ScanReport> {
    let pki = Pki::generate().context("generating the demo certificate")?;
    let mut running = Vec::new();
    let mut inputs = Vec::new();
    for d in demo {
        let server = LocalServer::start(&pki, &d.config, true)
            .await
            .with_context(|| format!("starting the {} demo server", d.name))?;
        let addr: SocketAddr = server.addr;
        let target = parse_target(&addr.to_string(), Some("localhost"))
            .map_err(|e| anyhow::anyhow!("demo target: {e}"))?;
        inputs.push(TargetInput::Parsed(target));
        running.push(server);
    }
    let opts = ScanOptions {
        timeout: Duration::from_secs(5),
        ..ScanOptions::default()
    };
    let report = tlsfloor_scan::scan_all(inputs, opts, |_| {}).await;
    drop(running); // stop accepting; in-flight handlers end on their own timeouts
    Ok(report)
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    let demo = servers();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let result = rt.block_on(run_demo(&demo));
    rt.shutdown_timeout(Duration::from_secs(2));
    let report = result?;
    let st = crate::output::stdout_style();
    if args.json {
        print_report(&report, true)?;
    } else {
        println!(
            "{}\n",
            st.dim("tlsfloor demo: two TLS servers on 127.0.0.1 with known configurations, scanned offline.")
        );
        print_report(&report, false)?;
        println!();
    }
    let (text, ok) = explain(&report, &demo, st);
    if args.json {
        eprint!("{text}");
    } else {
        print!("{text}");
    }
    if !ok {
        return Ok(Exit::Incomplete);
    }
    Ok(scan_exit(&report))
}
