//! `tlsfloor check-client [--min-version 1.2] -- CMD ARGS...`: run a client command against a
//! trap per version below the floor, a control trap serving the floor and above, and traps
//! with bad certificates; report per version whether the client refused, accepted, or the
//! run was inconclusive, and whether it checks certificates (docs/trap.md).

mod judge;
mod table;
mod trust;

use crate::cmd::client_run::{self, RunOutput};
use crate::cmd::scan::parse_duration;
use crate::exit::Exit;
use anyhow::{bail, Context};
pub use judge::Verdict;
use serde::Serialize;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;
use tlsfloor_localtls::{acceptor::version_supported_with, BadLeaf, Pki, TRAP_CIPHERS};
use tlsfloor_trap::{ConnectionRecord, Outcome, Trap, TrapConfig};
use tlsfloor_wire::Version;

/// Arguments of `tlsfloor check-client`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The floor: versions below it must be refused; the control trap serves it and above.
    #[arg(long, default_value = "1.2")]
    pub min_version: Version,
    /// Print the report as JSON (schema `tlsfloor.check-client/v1`, docs/trap.md).
    #[arg(long)]
    pub json: bool,
    /// How long each run of the command may take before it is killed, e.g. `20`, `20s`,
    /// `1500ms`.
    #[arg(long, value_name = "DURATION", default_value = "20s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Host name put in `{url}`/`{host}`: must resolve to a loopback address (the certificate
    /// names `localhost`, `127.0.0.1` and `::1`; `::1` puts the traps on IPv6).
    #[arg(long, default_value = "localhost")]
    pub host: String,
    /// OpenSSL cipher string of the traps for TLS 1.2 and below, server preference.
    #[arg(long, default_value = TRAP_CIPHERS)]
    pub ciphers: String,
    /// Skip the certificate checks (untrusted CA, expired, wrong host name).
    #[arg(long)]
    pub no_cert_checks: bool,
    /// The client command and its arguments, after `--`. `{url}`, `{host}`, `{port}` and `{ca}`
    /// are replaced in every argument. Run directly, never through a shell.
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}

/// The JSON schema identifier of the report.
pub const SCHEMA: &str = "tlsfloor.check-client/v1";

/// The result for one trap.
#[derive(Debug, Clone, Serialize)]
pub struct VersionResult {
    /// The trap's lowest version (the only one for legacy traps; the floor for the control).
    pub version: Version,
    /// The trap's highest version.
    pub max_version: Version,
    /// `legacy` (below the floor), `control` (the floor and above) or `certificate` (a
    /// certificate check).
    pub role: &'static str,
    /// For certificate checks: `untrusted_ca`, `expired` or `wrong_host`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<&'static str>,
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
    /// JA4 of the first ClientHello (sorted suites and extensions).
    pub ja4: Option<String>,
    /// JA4_r (raw, sorted) of the first ClientHello.
    pub ja4_r: Option<String>,
    /// JA4_o (original order) of the first ClientHello.
    pub ja4_o: Option<String>,
    /// JA4_ro (raw, original order) of the first ClientHello.
    pub ja4_ro: Option<String>,
    /// Highest version the client offered.
    pub offered_max_version: Option<String>,
    /// Every version the first ClientHello offered (supported_versions, or everything up to
    /// its legacy version when it has none).
    pub offered_versions: Vec<Version>,
    /// The server name the client sent (SNI), `null` when it sent none.
    pub sni: Option<String>,
    /// Some ClientHello carried TLS_FALLBACK_SCSV: the client retried with a lower version.
    pub fallback_scsv: bool,
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
    /// tlsfloor version.
    pub tool_version: &'static str,
    /// The command as given (with placeholders).
    pub command: Vec<String>,
    /// The floor.
    pub min_version: Version,
    /// One entry per trap: legacy versions oldest first, the control, then the
    /// certificate checks.
    pub results: Vec<VersionResult>,
    /// Versions below the floor that could not be tested (the verdict is then inconclusive).
    pub skipped: Vec<Skipped>,
    /// `pass`, `fail` or `inconclusive`.
    pub verdict: &'static str,
    /// Why the verdict, in words.
    pub summary: String,
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

/// The loopback address the traps listen on for `host`: every address `host` resolves to
/// must be loopback (else the client would talk to another machine).
pub fn loopback_for(host: &str) -> anyhow::Result<IpAddr> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<IpAddr> = (bare, 0)
        .to_socket_addrs()
        .with_context(|| format!("--host {host:?} does not resolve"))?
        .map(|a| a.ip())
        .collect();
    if addrs.is_empty() || addrs.iter().any(|a| !a.is_loopback()) {
        bail!("--host {host:?} must resolve to loopback addresses only (it resolves to {addrs:?})");
    }
    Ok(addrs
        .iter()
        .copied()
        .find(IpAddr::is_ipv4)
        .unwrap_or(addrs[0]))
}

/// What one trap run needs.
struct TrapRun<'a> {
    args: &'a Args,
    ca: &'a Path,
    env: &'a [(&'static str, String)],
    listen: IpAddr,
}

impl TrapRun<'_> {
    /// The URL of a trap on `port`.
    fn url(&self, port: u16) -> String {
        match self.args.host.parse::<IpAddr>() {
            Ok(IpAddr::V6(_)) => format!("https://[{}]:{port}/", self.args.host),
            _ => format!(
                "https://{}:{port}/",
                self.args.host.trim_matches(['[', ']'])
            ),
        }
    }

    /// Starts a trap for `min..=max` serving `pki`'s leaf, runs the command once against it,
    /// and returns what it saw.
    async fn run(
        &self,
        pki: &Pki,
        min: Version,
        max: Version,
    ) -> anyhow::Result<(RunOutput, Vec<ConnectionRecord>)> {
        let t = self.args.timeout;
        let config = TrapConfig {
            listen: SocketAddr::new(self.listen, 0),
            min_version: min,
            max_version: max,
            ciphers: self.args.ciphers.clone(),
            http: true,
            hello_timeout: t.min(Duration::from_secs(10)),
            io_timeout: t.min(Duration::from_secs(10)),
        };
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let trap = Trap::start(config, pki, tx)
            .await
            .with_context(|| format!("cannot start the {min} trap"))?;
        let port = trap.addr.port();
        let url = self.url(port);
        let host = self.args.host.trim_matches(['[', ']']).to_string();
        let argv: Vec<String> = self
            .args
            .command
            .iter()
            .map(|a| substitute(a, &url, &host, port, self.ca))
            .collect();
        let mut env: Vec<(&str, String)> = vec![
            ("TLSFLOOR_URL", url.clone()),
            ("TLSFLOOR_HOST", host.clone()),
            ("TLSFLOOR_PORT", port.to_string()),
            ("TLSFLOOR_CA", self.ca.display().to_string()),
        ];
        env.extend(self.env.iter().cloned());
        let out = client_run::run(&argv, &env, t).await;
        trap.settle(Duration::from_secs(12)).await;
        drop(trap);
        let mut records = Vec::new();
        while let Ok(r) = rx.try_recv() {
            records.push(r);
        }
        Ok((out, records))
    }
}

/// Builds a result from a run and its verdict.
fn result(
    role: &'static str,
    (min, max): (Version, Version),
    (verdict, reason): (Verdict, String),
    (out, timeout): (RunOutput, Duration),
    records: Vec<ConnectionRecord>,
) -> VersionResult {
    let (mut verdict, mut reason) = (verdict, reason);
    if let Some(e) = &out.spawn_error {
        verdict = Verdict::Inconclusive;
        reason.clone_from(e);
    } else if out.timed_out && verdict != Verdict::Accepted {
        verdict = Verdict::Inconclusive;
        reason = format!(
            "{reason} (command timed out after {})",
            tlsfloor_scan::error::fmt_duration(timeout)
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
    VersionResult {
        version: min,
        max_version: max,
        role,
        check: None,
        verdict,
        reason,
        client_alert,
        exit_status: out.exit_status,
        timed_out: out.timed_out,
        ja3: first_offer.map(|o| o.ja3.clone()),
        ja4: first_offer.map(|o| o.ja4.clone()),
        ja4_r: first_offer.map(|o| o.ja4_r.clone()),
        ja4_o: first_offer.map(|o| o.ja4_o.clone()),
        ja4_ro: first_offer.map(|o| o.ja4_ro.clone()),
        offered_max_version: first_offer.map(|o| o.max_version.clone()),
        offered_versions: first_offer.map(judge::offered_versions).unwrap_or_default(),
        sni: first_offer.and_then(|o| o.sni.clone()),
        fallback_scsv: judge::sent_fallback_scsv(&records),
        stderr_tail: out.stderr,
        connections: records,
    }
}

/// The certificate checks: a trap serving every version with each bad leaf.
const CERT_CHECKS: &[(BadLeaf, &str, &str)] = &[
    (
        BadLeaf::UntrustedCa,
        "untrusted_ca",
        "a certificate from a CA it was not told to trust",
    ),
    (BadLeaf::Expired, "expired", "an expired certificate"),
    (
        BadLeaf::WrongHost,
        "wrong_host",
        "a certificate for another host name",
    ),
];

impl TrapRun<'_> {
    /// The control: the floor and above, the trusted leaf.
    async fn control(&self, pki: &Pki) -> anyhow::Result<VersionResult> {
        let range = (self.args.min_version, Version::Tls13);
        let (out, records) = self.run(pki, range.0, range.1).await?;
        let mut verdict = judge::judge(&records, range.0, None);
        if verdict.0 != Verdict::Accepted && judge::distrusts_certificate(&records) {
            verdict.1 = format!(
                "{}: the client did not trust tlsfloor's throwaway CA. Pass it the CA file:                  use {{ca}} in the command (e.g. curl --cacert {{ca}}, aws --ca-bundle {{ca}}),                  or make the client read SSL_CERT_FILE, REQUESTS_CA_BUNDLE, AWS_CA_BUNDLE or                  NODE_EXTRA_CA_CERTS, which check-client sets",
                verdict.1
            );
        }
        Ok(result(
            "control",
            range,
            verdict,
            (out, self.args.timeout),
            records,
        ))
    }

    /// One legacy trap at exactly `v`.
    async fn legacy(
        &self,
        pki: &Pki,
        v: Version,
        control_ok: bool,
    ) -> anyhow::Result<VersionResult> {
        let (out, records) = self.run(pki, v, v).await?;
        let verdict = judge::judge(&records, v, Some(control_ok));
        Ok(result(
            "legacy",
            (v, v),
            verdict,
            (out, self.args.timeout),
            records,
        ))
    }

    /// One certificate check, at whatever version the client does best (the trap serves
    /// all of them): accepted means the client completed a handshake with a bad certificate
    /// (a finding); refused means it rejected it. `good` says how far the client got with the
    /// good certificate, without which a refusal here proves nothing.
    async fn certificate(
        &self,
        pki: &Pki,
        (kind, name, what): (BadLeaf, &'static str, &str),
        good: GoodCertificate,
    ) -> anyhow::Result<VersionResult> {
        let bad = pki.with_bad_leaf(kind).context("make a bad certificate")?;
        let lowest = Version::ALL
            .into_iter()
            .find(|v| version_supported_with(pki, *v))
            .unwrap_or(self.args.min_version);
        let range = (lowest, Version::Tls13);
        let (out, records) = self.run(&bad, range.0, range.1).await?;
        let verdict = cert_verdict(&records, &out, what, good);
        let mut r = result(
            "certificate",
            range,
            verdict,
            (out, self.args.timeout),
            records,
        );
        r.check = Some(name);
        Ok(r)
    }
}

/// How far the client got with the good certificate, over every trap that served it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoodCertificate {
    /// Some trap completed a handshake.
    pub handshake: bool,
    /// Some trap completed a handshake and the client then sent a request or exited 0: it
    /// trusts the trap's CA, so giving up after a handshake with a bad certificate is the
    /// client rejecting that certificate.
    pub went_through: bool,
}

impl GoodCertificate {
    /// Reads it from the results of the traps with the good certificate.
    fn of(results: &[VersionResult]) -> GoodCertificate {
        let accepted = || results.iter().filter(|r| r.verdict == Verdict::Accepted);
        GoodCertificate {
            handshake: accepted().next().is_some(),
            went_through: accepted().any(|r| {
                r.exit_status == Some(0) || r.connections.iter().any(|c| c.http_request.is_some())
            }),
        }
    }
}

/// Judges a certificate check. Accepted: the handshake completed and the client sent a
/// request or exited successfully. Refused: it ended the handshake itself (alert, close)
/// while some trap with the good certificate completed a handshake, or completed it and then
/// gave up without a request (clients such as curl check the host name after the handshake)
/// while with the good certificate it went through. Anything else is inconclusive.
fn cert_verdict(
    records: &[ConnectionRecord],
    out: &RunOutput,
    what: &str,
    good: GoodCertificate,
) -> (Verdict, String) {
    let completed = records
        .iter()
        .find(|r| matches!(r.outcome, Outcome::HandshakeCompleted { .. }));
    let requested = records.iter().any(|r| r.http_request.is_some());
    if let Some(c) = completed {
        let how = c.outcome.describe();
        if requested || out.exit_status == Some(0) {
            return (
                Verdict::Accepted,
                format!("the client accepted {what}: {how}"),
            );
        }
        let exit = out
            .exit_status
            .map_or("by a signal".to_string(), |c| c.to_string());
        if good.went_through && !out.timed_out {
            return (
                Verdict::Refused,
                format!("rejected {what}: {how}, then no request and exit {exit} (a check after the handshake)"),
            );
        }
        if good.handshake && !out.timed_out {
            return (
                Verdict::Inconclusive,
                format!(
                    "{how}, then no request and exit {exit}; with the good certificate the client \
                     also gave up after the handshake, so this proves nothing (does it trust the \
                     trap's CA? pass it with {{ca}}, e.g. wget --ca-certificate={{ca}})"
                ),
            );
        }
    }
    match (judge::client_ended_handshake(records), good.handshake) {
        (Some(how), true) => (Verdict::Refused, format!("rejected {what}: {how}")),
        (_, false) => (
            Verdict::Inconclusive,
            "the client completed no handshake with the good certificate either, so this proves nothing".to_string(),
        ),
        (None, true) => {
            let how = records
                .first()
                .map_or("the client never connected".to_string(), |r| r.outcome.describe());
            (Verdict::Inconclusive, how)
        }
    }
}

/// The versions below the floor, split into those this OpenSSL can serve and the rest.
fn legacy_versions(pki: &Pki, floor: Version) -> (Vec<Version>, Vec<Skipped>) {
    let mut legacy = Vec::new();
    let mut skipped = Vec::new();
    for v in Version::ALL.into_iter().filter(|v| *v < floor) {
        if version_supported_with(pki, v) {
            legacy.push(v);
        } else {
            skipped.push(Skipped {
                version: v,
                reason: format!(
                    "this OpenSSL build cannot speak {v} (compiled without it), so it was not tested"
                ),
            });
        }
    }
    (legacy, skipped)
}

/// The overall verdict, its summary and the exit status.
fn overall(results: &[VersionResult], skipped: &[Skipped]) -> (&'static str, String, Exit) {
    let control_ok = results
        .iter()
        .any(|r| r.role == "control" && r.verdict == Verdict::Accepted);
    let accepted = |role: &str| -> Vec<String> {
        results
            .iter()
            .filter(|r| r.role == role && r.verdict == Verdict::Accepted)
            .map(|r| {
                r.check
                    .map_or_else(|| r.version.name().to_string(), str::to_string)
            })
            .collect()
    };
    let (legacy, certs) = (accepted("legacy"), accepted("certificate"));
    if !legacy.is_empty() || !certs.is_empty() {
        let mut why = Vec::new();
        if !legacy.is_empty() {
            why.push(format!(
                "completed a handshake below the floor ({})",
                legacy.join(", ")
            ));
        }
        if !certs.is_empty() {
            why.push(format!("accepted a bad certificate ({})", certs.join(", ")));
        }
        return (
            "fail",
            format!("the client {}", why.join(" and ")),
            Exit::Findings,
        );
    }
    let open: Vec<String> = results
        .iter()
        .filter(|r| r.role != "control" && r.verdict == Verdict::Inconclusive)
        .map(|r| {
            r.check
                .map_or_else(|| r.version.name().to_string(), str::to_string)
        })
        .chain(
            skipped
                .iter()
                .map(|s| format!("{} (not tested)", s.version.name())),
        )
        .collect();
    if !control_ok {
        return (
            "inconclusive",
            "the control at the floor did not complete a handshake, so no refusal proves anything"
                .into(),
            Exit::Incomplete,
        );
    }
    if !open.is_empty() {
        return (
            "inconclusive",
            format!("no conclusion for {}", open.join(", ")),
            Exit::Incomplete,
        );
    }
    (
        "pass",
        "every version below the floor was refused, the control succeeded, and bad certificates were rejected".into(),
        Exit::Ok,
    )
}

/// Every trap, in order: control, legacy versions, certificate checks.
async fn all_checks(
    run: &TrapRun<'_>,
    pki: &Pki,
    legacy: &[Version],
) -> anyhow::Result<Vec<VersionResult>> {
    let control = run.control(pki).await?;
    let control_ok = control.verdict == Verdict::Accepted;
    let mut results = Vec::new();
    for v in legacy {
        results.push(run.legacy(pki, *v, control_ok).await?);
    }
    results.push(control);
    let good = GoodCertificate::of(&results);
    if !run.args.no_cert_checks {
        for check in CERT_CHECKS {
            results.push(run.certificate(pki, *check, good).await?);
        }
    }
    Ok(results)
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    if args.command.first().is_none_or(|c| c.is_empty()) {
        bail!("give the client command after `--`");
    }
    let floor = args.min_version;
    if floor == Version::Ssl30 {
        bail!("--min-version must be above SSLv3 (nothing is below it)");
    }
    let listen = loopback_for(&args.host)?;
    let pki = Pki::generate().context("cannot generate the throwaway CA")?;
    let trust = trust::TrustFiles::create(&pki.ca_pem()?)?;
    let env = trust.env();
    let (legacy, skipped) = legacy_versions(&pki, floor);
    if !version_supported_with(&pki, floor) {
        bail!("this OpenSSL build cannot speak {floor}, the floor");
    }
    let run = TrapRun {
        args: &args,
        ca: &trust.ca,
        env: &env,
        listen,
    };
    let rt = crate::process::runtime()?;
    let results = rt.block_on(async {
        tokio::select! {
            r = all_checks(&run, &pki, &legacy) => r.map(Some),
            // Dropping the checks kills the client's process group; the trust files go
            // when `trust` is dropped on return.
            () = crate::process::interrupted() => Ok(None),
        }
    })?;
    let Some(results) = results else {
        eprintln!("tlsfloor: interrupted; the client was stopped and the throwaway CA removed");
        return Ok(Exit::Interrupted);
    };
    let (verdict, summary, exit) = overall(&results, &skipped);
    let report = Report {
        schema: SCHEMA,
        tool_version: env!("CARGO_PKG_VERSION"),
        command: args.command.clone(),
        min_version: floor,
        results,
        skipped,
        verdict,
        summary,
        exit_code: exit as u8,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", table::render(&report));
    }
    Ok(exit)
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
    fn hosts_must_be_loopback() {
        assert_eq!(
            loopback_for("localhost").unwrap(),
            IpAddr::from([127, 0, 0, 1])
        );
        assert_eq!(
            loopback_for("::1").unwrap(),
            IpAddr::from(std::net::Ipv6Addr::LOCALHOST)
        );
        assert_eq!(
            loopback_for("[::1]").unwrap(),
            IpAddr::from(std::net::Ipv6Addr::LOCALHOST)
        );
        assert!(loopback_for("192.0.2.1").is_err());
        assert!(loopback_for("no-such-host.invalid").is_err());
    }
}
