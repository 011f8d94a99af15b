//! `tlsfloor check-client [--min-version 1.2] -- CMD ARGS...`: run a client command against a
//! trap per version below the floor and a control trap at the floor; report per version
//! whether the client refused, accepted, or the run was inconclusive (docs/trap.md).

use crate::cmd::trap::seconds;
use crate::exit::Exit;
use anyhow::{bail, Context};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tlsfloor_localtls::{acceptor::version_supported_with, Pki, TRAP_CIPHERS};
use tlsfloor_trap::{ConnectionRecord, Outcome, Trap, TrapConfig};
use tlsfloor_wire::Version;

/// Arguments of `tlsfloor check-client`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The floor: versions below it must be refused; a control trap runs at it.
    #[arg(long, default_value = "1.2")]
    pub min_version: Version,
    /// Print the report as JSON (schema `tlsfloor.check-client/v1`, docs/trap.md).
    #[arg(long)]
    pub json: bool,
    /// Seconds each run of the command may take before it is killed.
    #[arg(long, default_value_t = 20.0)]
    pub timeout: f64,
    /// Host name put in `{url}`/`{host}` (must resolve to 127.0.0.1; the certificate names
    /// `localhost`, `127.0.0.1` and `::1`).
    #[arg(long, default_value = "localhost")]
    pub host: String,
    /// OpenSSL cipher string of the traps for TLS 1.2 and below, server preference.
    #[arg(long, default_value = TRAP_CIPHERS)]
    pub ciphers: String,
    /// The client command and its arguments, after `--`. `{url}`, `{host}`, `{port}` and `{ca}`
    /// are replaced in every argument. Run directly, never through a shell.
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}

/// The JSON schema identifier of the report.
pub const SCHEMA: &str = "tlsfloor.check-client/v1";

/// A version's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The client would not complete a handshake at this version.
    Refused,
    /// The client completed a handshake at this version.
    Accepted,
    /// No conclusion (client never connected, timed out, or the control failed too).
    Inconclusive,
}

/// The result for one trap.
#[derive(Debug, Clone, Serialize)]
pub struct VersionResult {
    /// The trap's only version.
    pub version: Version,
    /// `legacy` (below the floor) or `control` (at the floor).
    pub role: &'static str,
    /// The verdict.
    pub verdict: Verdict,
    /// Why, in words.
    pub reason: String,
    /// The client's alert name, if it sent one.
    pub client_alert: Option<String>,
    /// The command's exit code (`null` if killed by a signal or timed out).
    pub exit_status: Option<i32>,
    /// The command ran past `--timeout` and was killed.
    pub timed_out: bool,
    /// JA3 of the first ClientHello.
    pub ja3: Option<String>,
    /// JA4 of the first ClientHello.
    pub ja4: Option<String>,
    /// Highest version the client offered.
    pub offered_max_version: Option<String>,
    /// The end of the command's stderr (at most 1000 characters).
    pub stderr_tail: String,
    /// Every connection the trap saw during this run.
    pub connections: Vec<ConnectionRecord>,
}

/// A version that could not be tested.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    /// The version.
    pub version: Version,
    /// Why.
    pub reason: String,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The command as given (with placeholders).
    pub command: Vec<String>,
    /// The floor.
    pub min_version: Version,
    /// One entry per trap: legacy versions oldest first, then the control.
    pub results: Vec<VersionResult>,
    /// Versions below the floor that could not be tested.
    pub skipped: Vec<Skipped>,
    /// `pass`, `fail` or `inconclusive`.
    pub verdict: &'static str,
    /// The process exit code.
    pub exit_code: u8,
}

/// Replaces the placeholders in one argument.
pub fn substitute(arg: &str, url: &str, host: &str, port: u16, ca: &Path) -> String {
    arg.replace("{url}", url)
        .replace("{host}", host)
        .replace("{port}", &port.to_string())
        .replace("{ca}", &ca.display().to_string())
}

/// Judges one trap's connections. `control_ok` is `None` for the control itself.
pub fn judge(records: &[ConnectionRecord], control_ok: Option<bool>) -> (Verdict, String) {
    if let Some(r) = records
        .iter()
        .find(|r| matches!(r.outcome, Outcome::HandshakeCompleted { .. }))
    {
        return (Verdict::Accepted, r.outcome.describe());
    }
    let refusal = records.iter().find(|r| {
        matches!(
            &r.outcome,
            Outcome::ClientAlert { .. } | Outcome::ServerRefused { .. }
        ) || matches!(&r.outcome, Outcome::ClosedWithoutAlert { stage } if stage == "handshake")
    });
    match (refusal, control_ok) {
        (Some(r), Some(false)) => (
            Verdict::Inconclusive,
            format!(
                "{}, but the control at the floor failed too (is the command broken?)",
                r.outcome.describe()
            ),
        ),
        (Some(r), _) => (Verdict::Refused, r.outcome.describe()),
        (None, _) => match records.first() {
            None => (
                Verdict::Inconclusive,
                "the client never connected".to_string(),
            ),
            Some(r) => (Verdict::Inconclusive, r.outcome.describe()),
        },
    }
}

struct RunOutput {
    exit_status: Option<i32>,
    timed_out: bool,
    stderr: String,
    spawn_error: Option<String>,
}

async fn run_command(argv: &[String], envs: &[(&str, String)], timeout: Duration) -> RunOutput {
    let Some((prog, rest)) = argv.split_first() else {
        return RunOutput {
            exit_status: None,
            timed_out: false,
            stderr: String::new(),
            spawn_error: Some("empty command".into()),
        };
    };
    let mut cmd = tokio::process::Command::new(prog);
    cmd.args(rest)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return RunOutput {
                exit_status: None,
                timed_out: false,
                stderr: String::new(),
                spawn_error: Some(format!("cannot run {prog:?}: {e}")),
            }
        }
    };
    match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Ok(Ok(out)) => RunOutput {
            exit_status: out.status.code(),
            timed_out: false,
            stderr: tail(&String::from_utf8_lossy(&out.stderr), 1000),
            spawn_error: None,
        },
        Ok(Err(e)) => RunOutput {
            exit_status: None,
            timed_out: false,
            stderr: String::new(),
            spawn_error: Some(format!("waiting for {prog:?}: {e}")),
        },
        Err(_) => RunOutput {
            exit_status: None,
            timed_out: true,
            stderr: String::new(),
            spawn_error: None,
        },
    }
}

fn tail(s: &str, max: usize) -> String {
    let s = s.trim_end();
    let n = s.chars().count();
    s.chars().skip(n.saturating_sub(max)).collect()
}

/// Starts a trap for `version`, runs the command once against it, and judges the outcome.
async fn check_version(
    args: &Args,
    pki: &Pki,
    ca: &Path,
    version: Version,
    control_ok: Option<bool>,
) -> anyhow::Result<VersionResult> {
    let timeout = seconds(args.timeout, "--timeout")?;
    let config = TrapConfig {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        min_version: version,
        max_version: version,
        ciphers: args.ciphers.clone(),
        http: true,
        hello_timeout: timeout.min(Duration::from_secs(10)),
        io_timeout: timeout.min(Duration::from_secs(10)),
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let trap = Trap::start(config, pki, tx)
        .await
        .with_context(|| format!("start the {version} trap"))?;
    let port = trap.addr.port();
    let url = format!("https://{}:{port}/", args.host);
    let argv: Vec<String> = args
        .command
        .iter()
        .map(|a| substitute(a, &url, &args.host, port, ca))
        .collect();
    let ca_s = ca.display().to_string();
    let envs = [
        ("TLSFLOOR_URL", url.clone()),
        ("TLSFLOOR_HOST", args.host.clone()),
        ("TLSFLOOR_PORT", port.to_string()),
        ("TLSFLOOR_CA", ca_s.clone()),
        ("SSL_CERT_FILE", ca_s.clone()),
        ("REQUESTS_CA_BUNDLE", ca_s.clone()),
        ("CURL_CA_BUNDLE", ca_s.clone()),
        ("NODE_EXTRA_CA_CERTS", ca_s),
    ];
    let out = run_command(&argv, &envs, timeout).await;
    trap.settle(Duration::from_secs(12)).await;
    drop(trap);
    let mut records = Vec::new();
    while let Ok(r) = rx.try_recv() {
        records.push(r);
    }
    let (mut verdict, mut reason) = judge(&records, control_ok);
    if let Some(e) = &out.spawn_error {
        verdict = Verdict::Inconclusive;
        reason = e.clone();
    } else if out.timed_out && verdict != Verdict::Accepted {
        verdict = Verdict::Inconclusive;
        reason = format!(
            "{reason} (command timed out after {:.0} s)",
            timeout.as_secs_f64()
        );
    }
    let first_offer = records.iter().find_map(|r| r.offer.as_ref());
    let client_alert = records.iter().find_map(|r| match &r.outcome {
        Outcome::ClientAlert {
            alert, alert_name, ..
        } => Some(
            alert_name
                .clone()
                .unwrap_or_else(|| format!("alert {alert}")),
        ),
        _ => None,
    });
    Ok(VersionResult {
        version,
        role: if control_ok.is_none() {
            "control"
        } else {
            "legacy"
        },
        verdict,
        reason,
        client_alert,
        exit_status: out.exit_status,
        timed_out: out.timed_out,
        ja3: first_offer.map(|o| o.ja3.clone()),
        ja4: first_offer.map(|o| o.ja4.clone()),
        offered_max_version: first_offer.map(|o| o.max_version.clone()),
        stderr_tail: out.stderr,
        connections: records,
    })
}

struct TempCa(PathBuf);

impl Drop for TempCa {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    if args.command.first().is_none_or(|c| c.is_empty()) {
        bail!("give the client command after `--`");
    }
    seconds(args.timeout, "--timeout")?;
    let floor = args.min_version;
    if floor == Version::Ssl30 {
        bail!("--min-version must be above SSLv3 (nothing is below it)");
    }
    let pki = Pki::generate().context("generate throwaway CA")?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let ca = TempCa(std::env::temp_dir().join(format!(
        "tlsfloor-check-client-{}-{nanos}-ca.pem",
        std::process::id()
    )));
    pki.write_ca_pem(&ca.0)?;

    let mut legacy = Vec::new();
    let mut skipped = Vec::new();
    for v in Version::ALL.into_iter().filter(|v| *v < floor) {
        if version_supported_with(&pki, v) {
            legacy.push(v);
        } else {
            skipped.push(Skipped {
                version: v,
                reason: format!(
                    "this OpenSSL build cannot speak {v} (compiled without it), so it cannot be tested"
                ),
            });
        }
    }
    if !version_supported_with(&pki, floor) {
        bail!("this OpenSSL build cannot speak {floor}, the floor");
    }

    let rt = tokio::runtime::Runtime::new().context("start async runtime")?;
    let results = rt.block_on(async {
        let control = check_version(&args, &pki, &ca.0, floor, None).await?;
        let control_ok = control.verdict == Verdict::Accepted;
        let mut results = Vec::new();
        for v in &legacy {
            results.push(check_version(&args, &pki, &ca.0, *v, Some(control_ok)).await?);
        }
        results.push(control);
        anyhow::Ok(results)
    })?;

    let control_ok = results
        .iter()
        .any(|r| r.role == "control" && r.verdict == Verdict::Accepted);
    let legacy_results = results.iter().filter(|r| r.role == "legacy");
    let (verdict, exit) = if legacy_results
        .clone()
        .any(|r| r.verdict == Verdict::Accepted)
    {
        ("fail", Exit::Findings)
    } else if control_ok
        && legacy_results
            .clone()
            .all(|r| r.verdict == Verdict::Refused)
    {
        ("pass", Exit::Ok)
    } else {
        ("inconclusive", Exit::Incomplete)
    };
    let report = Report {
        schema: SCHEMA,
        command: args.command.clone(),
        min_version: floor,
        results,
        skipped,
        verdict,
        exit_code: exit as u8,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&report);
    }
    Ok(exit)
}

fn print_table(r: &Report) {
    println!(
        "check-client: {} (floor {})",
        r.command.join(" "),
        r.min_version
    );
    println!(
        "{:<8} {:<8} {:<13} {:<5} {:<36} REASON",
        "VERSION", "ROLE", "VERDICT", "EXIT", "JA4"
    );
    for x in &r.results {
        let exit = match (x.exit_status, x.timed_out) {
            (_, true) => "T/O".to_string(),
            (Some(c), _) => c.to_string(),
            (None, _) => "-".to_string(),
        };
        let verdict = match x.verdict {
            Verdict::Refused => "refused",
            Verdict::Accepted if x.role == "control" => "accepted(ok)",
            Verdict::Accepted => "ACCEPTED",
            Verdict::Inconclusive => "inconclusive",
        };
        println!(
            "{:<8} {:<8} {:<13} {:<5} {:<36} {}",
            x.version.name(),
            x.role,
            verdict,
            exit,
            x.ja4.as_deref().unwrap_or("-"),
            x.reason
        );
    }
    for s in &r.skipped {
        println!(
            "{:<8} {:<8} {:<13} {}",
            s.version.name(),
            "legacy",
            "not tested",
            s.reason
        );
    }
    if let Some(ja3) = r.results.iter().find_map(|x| x.ja3.as_deref()) {
        println!("JA3 (first ClientHello): {ja3}");
    }
    println!(
        "verdict: {} ({})",
        r.verdict,
        match r.verdict {
            "pass" => "every version below the floor was refused and the control succeeded",
            "fail" => "the client completed a handshake below the floor",
            _ => "see the reasons above",
        }
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_substituted_per_argument() {
        let ca = Path::new("/tmp/ca.pem");
        assert_eq!(
            substitute("--url={url}x{host}:{port}", "https://h:1/", "h", 1, ca),
            "--url=https://h:1/xh:1"
        );
        assert_eq!(substitute("{ca}", "", "", 0, ca), "/tmp/ca.pem");
        assert_eq!(substitute("a b; rm", "", "", 0, ca), "a b; rm");
    }

    #[test]
    fn no_connection_is_inconclusive_and_a_broken_control_voids_refusals() {
        assert_eq!(judge(&[], Some(true)).0, Verdict::Inconclusive);
        let rec = |outcome| ConnectionRecord {
            schema: "tlsfloor.trap/v1".into(),
            unix_time: 0.0,
            peer: "127.0.0.1:1".into(),
            listen: "127.0.0.1:2".into(),
            trap_versions: vec![Version::Tls10],
            outcome,
            http_request: None,
            duration_ms: 0,
            offer: None,
        };
        let alert = rec(Outcome::ClientAlert {
            alert: 70,
            alert_name: Some("protocol_version".into()),
            source: "record".into(),
        });
        assert_eq!(
            judge(std::slice::from_ref(&alert), Some(true)).0,
            Verdict::Refused
        );
        assert_eq!(
            judge(std::slice::from_ref(&alert), Some(false)).0,
            Verdict::Inconclusive
        );
        let done = rec(Outcome::HandshakeCompleted {
            version: Version::Tls10,
            cipher: "AES128-SHA".into(),
            cipher_iana: None,
            alpn: None,
        });
        assert_eq!(judge(&[alert, done], Some(false)).0, Verdict::Accepted);
        let slow = rec(Outcome::Timeout {
            stage: "client_hello".into(),
        });
        assert_eq!(judge(&[slow], Some(true)).0, Verdict::Inconclusive);
    }
}
