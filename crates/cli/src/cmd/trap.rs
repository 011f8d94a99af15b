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

/// Prints one record as a JSON line.
fn log(record: &tlsfloor_trap::ConnectionRecord) -> anyhow::Result<()> {
    let line = serde_json::to_string(record)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    let (min, max) = version_range(&args.versions)?;
    let timeout = args.timeout;
    let rt = crate::process::runtime()?;
    rt.block_on(async move {
        let pki = Pki::generate().context("generate throwaway CA")?;
        let temp_ca =
            std::env::temp_dir().join(format!("tlsfloor-trap-{}-ca.pem", std::process::id()));
        let ca_path = args.ca_out.clone().unwrap_or_else(|| temp_ca.clone());
        // The temporary CA goes when the trap ends (a file named with --ca-out stays).
        let _remove = crate::process::RemoveOnDrop(args.ca_out.is_none().then_some(temp_ca));
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
        let mut stopped = false;
        // One listener for the whole loop: a signal that arrives while a record is being
        // logged is not lost.
        let interrupted = crate::process::interrupted();
        tokio::pin!(interrupted);
        while args.max_connections.is_none_or(|m| count < m) {
            let record = tokio::select! {
                r = rx.recv() => r,
                () = &mut interrupted => {
                    stopped = true;
                    None
                }
            };
            let Some(record) = record else { break };
            log(&record)?;
            count += 1;
        }
        // Every accepted connection is logged: those finishing within a moment as they
        // are, the rest as unfinished, and the trap is gone within 3 s.
        trap.settle(Duration::from_millis(2500)).await;
        // Unfinished first, then what was sent meanwhile: a connection finishing in between
        // is in both lists, and its real record wins.
        let unfinished = trap.unfinished();
        let mut finished = Vec::new();
        while let Ok(record) = rx.try_recv() {
            finished.push(record);
        }
        for record in &finished {
            log(record)?;
        }
        for record in unfinished.iter().filter(|u| {
            !finished
                .iter()
                .any(|f| f.peer == u.peer && f.unix_time == u.unix_time)
        }) {
            log(record)?;
        }
        drop(trap);
        Ok(if stopped { Exit::Interrupted } else { Exit::Ok })
    })
}
