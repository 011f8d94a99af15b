//! `tlsfloor trap`: a TLS server that records what clients offer and completes handshakes only
//! at the chosen (legacy) versions. One JSON line per connection on stdout (docs/trap.md).

use crate::exit::Exit;
use anyhow::{bail, Context};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tlsfloor_localtls::{Pki, TRAP_CIPHERS};
use tlsfloor_trap::{Trap, TrapConfig};
use tlsfloor_wire::Version;

/// Arguments of `tlsfloor trap`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:4433")]
    pub listen: SocketAddr,
    /// Versions to complete handshakes at: a contiguous list such as `tls1.0,tls1.1`.
    #[arg(long, value_delimiter = ',', default_value = "tls1.0,tls1.1")]
    pub versions: Vec<Version>,
    /// Answer HTTP requests with a JSON page of the connection details (like `s_server -www`).
    #[arg(long)]
    pub http: bool,
    /// OpenSSL cipher string for TLS 1.2 and below, server preference.
    #[arg(long, default_value = TRAP_CIPHERS)]
    pub ciphers: String,
    /// Where to write the throwaway CA certificate (PEM) for clients to trust.
    #[arg(long, value_name = "FILE")]
    pub ca_out: Option<PathBuf>,
    /// How long a client may take to send its ClientHello, and the socket timeout
    /// afterwards, e.g. `10`, `10s`, `500ms`.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = crate::cmd::scan::parse_duration)]
    pub timeout: Duration,
    /// Exit after this many connections (default: run until interrupted).
    #[arg(long, value_name = "N")]
    pub max_connections: Option<usize>,
}

/// The lowest and highest of `versions`, which must be contiguous.
pub fn version_range(versions: &[Version]) -> anyhow::Result<(Version, Version)> {
    let (Some(min), Some(max)) = (versions.iter().min(), versions.iter().max()) else {
        bail!("--versions: give at least one version");
    };
    let gaps: Vec<Version> = Version::ALL
        .into_iter()
        .filter(|v| v > min && v < max && !versions.contains(v))
        .collect();
    if !gaps.is_empty() {
        let gaps: Vec<&str> = gaps.iter().map(|v| v.name()).collect();
        bail!(
            "--versions must be contiguous (missing {} between {min} and {max})",
            gaps.join(", ")
        );
    }
    Ok((*min, *max))
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    let (min, max) = version_range(&args.versions)?;
    let timeout = args.timeout;
    let rt = tokio::runtime::Runtime::new().context("start async runtime")?;
    rt.block_on(async move {
        let pki = Pki::generate().context("generate throwaway CA")?;
        let ca_path = args.ca_out.clone().unwrap_or_else(|| {
            std::env::temp_dir().join(format!("tlsfloor-trap-{}-ca.pem", std::process::id()))
        });
        pki.write_ca_pem(&ca_path)?;
        let config = TrapConfig {
            listen: args.listen,
            min_version: min,
            max_version: max,
            ciphers: args.ciphers.clone(),
            http: args.http,
            hello_timeout: timeout,
            io_timeout: timeout,
        };
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let trap = Trap::start(config, &pki, tx).await?;
        eprintln!(
            "tlsfloor trap: listening on {} for {}; CA certificate: {}",
            trap.addr,
            if min == max {
                min.to_string()
            } else {
                format!("{min}..{max}")
            },
            ca_path.display()
        );
        let mut count = 0usize;
        loop {
            let record = tokio::select! {
                r = rx.recv() => r,
                _ = tokio::signal::ctrl_c() => None,
            };
            let Some(record) = record else { break };
            let line = serde_json::to_string(&record)?;
            let mut out = std::io::stdout().lock();
            writeln!(out, "{line}")?;
            out.flush()?;
            count += 1;
            if args.max_connections.is_some_and(|m| count >= m) {
                break;
            }
        }
        drop(trap);
        Ok(Exit::Ok)
    })
}
