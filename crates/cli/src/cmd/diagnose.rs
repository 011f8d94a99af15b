//! `tlsfloor diagnose`: would this client negotiate with this server, and if not, exactly why?
//!
//! See docs/diagnose.md. Exit codes: 0 the handshake would succeed (or the matrix / client
//! list was printed), 1 it would fail, 2 usage or input error.

use crate::exit::Exit;
use crate::output::grades;
use anyhow::{bail, Context};
use std::io::Read;
use std::path::Path;
use std::time::Duration;
use tlsfloor_diagnose::client::{from_hello_bytes, from_hello_hex, from_ja3, from_trap_line};
use tlsfloor_diagnose::fix::Fixes;
use tlsfloor_diagnose::model::{version_label, versions_label, CertKey, ClientOffer, ServerConfig};
use tlsfloor_diagnose::profiles;
use tlsfloor_diagnose::report::{Diagnosis, Matrix, NegotiatedOut, Outcome};
use tlsfloor_diagnose::server::{from_policy, from_scan};
use tlsfloor_scan::report::{ScanReport, TargetReport};

/// Certificate key types a policy server is simulated with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CertChoice {
    /// One RSA certificate (the AWS default).
    Rsa,
    /// One ECDSA P-256 certificate.
    Ecdsa,
    /// Both (RSA and ECDSA P-256), as with ALB's smart certificate selection.
    Both,
}

/// Arguments of `tlsfloor diagnose`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The client: a built-in profile id or name (see --list-clients), a JA3 string, a
    /// ClientHello as hex, or a FILE holding a trap JSON line, hex, or raw ClientHello bytes.
    #[arg(long, value_name = "PROFILE|JA3|HEX|FILE")]
    pub client: Option<String>,
    /// The server: a built-in policy (see `tlsfloor policy list`), a policy TOML file, a saved
    /// scan JSON file, or a live target HOST:PORT or HOST (scanned now; loopback or your own hosts).
    #[arg(long, value_name = "POLICY|FILE|HOST:PORT")]
    pub server: Option<String>,
    /// Simulate every built-in client profile against the server (a matrix).
    #[arg(long, conflicts_with = "client")]
    pub all_clients: bool,
    /// With --all-clients: print the matrix and exit 0 even when some client fails (by
    /// default a failing client is a finding, exit 1).
    #[arg(long, requires = "all_clients")]
    pub no_fail: bool,
    /// List the built-in client profiles and their sources.
    #[arg(long)]
    pub list_clients: bool,
    /// Certificate(s) of a policy server.
    #[arg(long, value_enum, default_value_t = CertChoice::Rsa)]
    pub cert: CertChoice,
    /// With a scan JSON holding several targets: the target to use (as written in the scan).
    #[arg(long, value_name = "TARGET")]
    pub target: Option<String>,
    /// Timeout per probe when scanning a live target, e.g. `5s`.
    #[arg(long, value_name = "DURATION", default_value = "5s",
          value_parser = crate::cmd::scan::parse_duration)]
    pub timeout: Duration,
    /// Print JSON (schema tlsfloor.diagnose/v1, see docs/diagnose.md).
    #[arg(long)]
    pub json: bool,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    if args.list_clients {
        list_clients(args.json)?;
        return Ok(Exit::Ok);
    }
    let Some(server_spec) = args.server.as_deref() else {
        bail!("--server is required (a policy name, a policy or scan file, or HOST:PORT)");
    };
    if args.client.is_none() && !args.all_clients {
        bail!("give --client PROFILE|JA3|HEX|FILE, or --all-clients");
    }
    let certs = match args.cert {
        CertChoice::Rsa => vec![CertKey::Rsa],
        CertChoice::Ecdsa => vec![CertKey::ECDSA_P256],
        CertChoice::Both => vec![CertKey::Rsa, CertKey::ECDSA_P256],
    };
    let server = resolve_server(server_spec, &certs, args.target.as_deref(), args.timeout)?;
    let policies = tlsfloor_policy::builtin().context("loading built-in policies")?;
    if args.all_clients {
        let all = profiles::builtin()?;
        let offers: Vec<&ClientOffer> = all.iter().map(|p| &p.offer).collect();
        let matrix = Matrix::new(&offers, &server);
        if args.json {
            println!("{}", serde_json::to_string_pretty(&matrix)?);
        } else {
            print_matrix(&matrix);
        }
        let any_fails = matrix.summary.failure > 0;
        return Ok(if any_fails && !args.no_fail {
            Exit::Findings
        } else {
            Exit::Ok
        });
    }
    let client_spec = args.client.as_deref().unwrap_or_default();
    let client = resolve_client(client_spec)?;
    let d = Diagnosis::new(&client, &server, policies);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&d)?);
    } else {
        print_diagnosis(&d, &client, &server);
    }
    Ok(match d.outcome.result.as_str() {
        "success" => Exit::Ok,
        // The answer hinges on a client minimum the offer does not show.
        "depends" => Exit::Incomplete,
        _ => Exit::Findings,
    })
}

/// A client from a profile id, a JA3 string, hex, or a file.
pub fn resolve_client(spec: &str) -> anyhow::Result<ClientOffer> {
    if let Ok(p) = profiles::find(spec) {
        return Ok(p.offer.clone());
    }
    let path = Path::new(spec);
    if path.is_file() {
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .with_context(|| format!("reading {spec}"))?;
        return client_from_file(&bytes).with_context(|| format!("client file {spec}"));
    }
    let t = spec.trim();
    if t.contains(',') && t.split(',').count() == 5 {
        return Ok(from_ja3(t)?);
    }
    let hexish = t.len() > 10
        && t.chars()
            .all(|c| c.is_ascii_hexdigit() || c.is_whitespace() || c == ':' || c == 'x');
    if hexish {
        return Ok(from_hello_hex(t, "hello", "captured ClientHello")?);
    }
    let ids =
        profiles::builtin().map(|all| all.iter().map(|p| p.offer.id.as_str()).collect::<Vec<_>>());
    let hint = tlsfloor_policy::suggest::hint(spec, ids.unwrap_or_default());
    bail!(
        "{spec:?} is not a built-in client profile (see --list-clients), a JA3 string, \
         ClientHello hex, or an existing file{hint}"
    )
}

fn client_from_file(bytes: &[u8]) -> anyhow::Result<ClientOffer> {
    if bytes.first() == Some(&0x16) {
        return Ok(from_hello_bytes(bytes, "hello", "captured ClientHello")?);
    }
    let text = std::str::from_utf8(bytes).context("neither raw TLS bytes nor text")?;
    let t = text.trim_start();
    if t.starts_with('{') {
        // A trap log: the first line that carries a ClientHello.
        let mut last_err = None;
        for line in t.lines().filter(|l| !l.trim().is_empty()) {
            match from_trap_line(line) {
                Ok(c) => return Ok(c),
                Err(e) => last_err = Some(e),
            }
        }
        return Err(last_err.map_or_else(|| anyhow::anyhow!("empty file"), Into::into));
    }
    if t.contains(',') && t.trim().split(',').count() == 5 {
        return Ok(from_ja3(t)?);
    }
    Ok(from_hello_hex(t, "hello", "captured ClientHello")?)
}

/// A server from a policy, a policy/scan file, or a live target.
pub fn resolve_server(
    spec: &str,
    certs: &[CertKey],
    target: Option<&str>,
    timeout: Duration,
) -> anyhow::Result<ServerConfig> {
    let path = Path::new(spec);
    if path.is_file() {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {spec}"))?;
        if text.trim_start().starts_with('{') {
            let report: ScanReport = serde_json::from_str(&text)
                .with_context(|| format!("{spec} is not a tlsfloor scan JSON"))?;
            return server_from_report(&report, target);
        }
        let policy = tlsfloor_policy::load::load_file(path)?;
        return Ok(from_policy(&policy, certs));
    }
    match tlsfloor_policy::find_builtin(spec) {
        Ok(p) => return Ok(from_policy(p, certs)),
        // A policy-looking name is never scanned as a host: the error says what was meant.
        Err(e @ tlsfloor_policy::PolicyError::NotFound { .. })
            if tlsfloor_policy::suggest::looks_like_policy(spec) =>
        {
            return Err(e.into())
        }
        Err(tlsfloor_policy::PolicyError::NotFound { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    if !(spec.contains(':') || spec.contains('.')) {
        bail!(
            "{spec:?} is not a built-in policy (see `tlsfloor policy list`), a file, or HOST:PORT"
        );
    }
    let t = tlsfloor_scan::parse_target(spec, None)
        .map_err(|e| anyhow::anyhow!("{spec:?} is not a policy, a file, or a target: {e}"))?;
    let opts = tlsfloor_scan::ScanOptions {
        timeout,
        ..Default::default()
    };
    eprintln!("tlsfloor: scanning {} to learn its configuration…", t.input);
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let report = rt.block_on(tlsfloor_scan::scan_target(&t, &opts));
    Ok(from_scan(&report)?)
}

fn server_from_report(report: &ScanReport, target: Option<&str>) -> anyhow::Result<ServerConfig> {
    let chosen: &TargetReport = match target {
        Some(name) => report
            .targets
            .iter()
            .find(|t| t.target == name || t.host == name)
            .with_context(|| format!("no target {name:?} in the scan"))?,
        None => match report.targets.as_slice() {
            [one] => one,
            [] => bail!("the scan has no targets"),
            many => bail!(
                "the scan has {} targets; choose one with --target ({})",
                many.len(),
                many.iter()
                    .map(|t| t.target.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    };
    Ok(from_scan(chosen)?)
}

fn list_clients(json: bool) -> anyhow::Result<()> {
    let all = profiles::builtin()?;
    if json {
        let rows: Vec<serde_json::Value> = all
            .iter()
            .map(|p| {
                serde_json::json!({
                    "id": p.offer.id,
                    "name": p.offer.name,
                    "versions": p.offer.versions,
                    "suites": p.offer.suites.len(),
                    "source": p.offer.source,
                    "note": p.note,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "schema": "tlsfloor.diagnose.clients/v1",
                "tool_version": env!("CARGO_PKG_VERSION"),
                "clients": rows
            }))?
        );
        return Ok(());
    }
    let w = all
        .iter()
        .map(|p| p.offer.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    println!("{:<w$}  {:<22}  {:>6}  SOURCE", "ID", "VERSIONS", "SUITES");
    for p in all {
        println!(
            "{:<w$}  {:<22}  {:>6}  {}",
            p.offer.id,
            versions_label(&p.offer.versions),
            p.offer.suites.len(),
            p.offer.source
        );
    }
    Ok(())
}

/// `TLSv1.2 ECDHE-RSA-AES128-SHA secp256r1`, then the suite's weakness marks (added to `seen`).
fn negotiated_text(n: &NegotiatedOut, seen: &mut Vec<grades::Mark>) -> String {
    let suite = n
        .suite
        .openssl
        .clone()
        .or_else(|| n.suite.iana.clone())
        .unwrap_or_else(|| n.suite.hex.clone());
    let mut s = format!("{} {}", version_label(n.version), suite);
    if let Some(g) = &n.group {
        s.push_str(&format!(" {g}"));
    }
    if n.hello_retry_request {
        s.push_str(" (after HelloRetryRequest)");
    }
    let marks = grades::suite_marks(n.suite.code, n.group.as_deref());
    grades::marked(&s, &marks, seen, crate::output::stdout_style())
}

fn print_diagnosis(d: &Diagnosis, client: &ClientOffer, server: &ServerConfig) {
    println!("client  {} [{}]", client.name, client.id);
    println!("        {}", client.source);
    println!(
        "        offers {}; {} suites",
        versions_label(&client.versions),
        client.suites.len()
    );
    println!("server  {} ({})", server.name, server.source);
    println!(
        "        allows {}; {} order; certificate {}",
        versions_label(&server.versions),
        if server.server_preference {
            "server"
        } else {
            "client"
        },
        server
            .cert_keys
            .iter()
            .map(CertKey::label)
            .collect::<Vec<_>>()
            .join(" + ")
    );
    println!();
    print_outcome(&d.outcome, &d.fixes);
}

fn print_outcome(o: &Outcome, fixes: &Fixes) {
    let st = crate::output::stdout_style();
    if let Some(n) = &o.negotiated {
        let mut seen = Vec::new();
        let text = negotiated_text(n, &mut seen);
        match &o.caveat {
            Some(why) => println!("{} {text}: {why}", st.yellow("DEPENDS")),
            None => println!("{}      {text}", st.green("OK")),
        }
        print!("{}", grades::legend(&seen, st));
        return;
    }
    if let Some(f) = &o.failure {
        println!("{}    {}", st.red("FAIL"), f.message);
    }
    for s in &fixes.server {
        println!("fix (server)  {s}");
    }
    for c in &fixes.client {
        println!("fix (client)  {c}");
    }
}

fn print_matrix(m: &Matrix) {
    let st = crate::output::stdout_style();
    println!(
        "server {} ({}): {} of {} clients negotiate{}",
        m.server.name,
        m.server.source,
        m.summary.success,
        m.summary.clients,
        match m.summary.depends {
            0 => String::new(),
            n => format!(", {n} only if they accept a version their hello hides"),
        }
    );
    let mut seen = Vec::new();
    let rows: Vec<Vec<String>> = m
        .rows
        .iter()
        .map(|r| match (&r.outcome.negotiated, &r.outcome.failure) {
            (Some(n), _) if r.outcome.result == "depends" => vec![
                r.client.clone(),
                st.yellow("DEPENDS"),
                negotiated_text(n, &mut seen),
            ],
            (Some(n), _) => vec![
                r.client.clone(),
                st.green("OK"),
                negotiated_text(n, &mut seen),
            ],
            (None, Some(f)) => vec![r.client.clone(), st.red("FAIL"), f.message.clone()],
            (None, None) => vec![r.client.clone(), "?".into(), String::new()],
        })
        .collect();
    print!(
        "{}",
        crate::output::table_with_header(
            &["CLIENT", "RESULT", "NEGOTIATED / REASON"],
            &rows,
            usize::MAX
        )
    );
    print!("{}", grades::legend(&seen, st));
}
