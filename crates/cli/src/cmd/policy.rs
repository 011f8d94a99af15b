//! `tlsfloor policy list|show|diff`: the built-in security policies (and policy files).

use crate::cmd::policy_gate::table;
use crate::exit::Exit;
use serde::Serialize;
use tlsfloor_policy::diff::{diff, PolicyDiff};
use tlsfloor_policy::Policy;
use tlsfloor_wire::Version;

/// Schema of `policy list --json`.
pub const LIST_SCHEMA: &str = "tlsfloor.policy-list/v1";
/// Schema of `policy show --json`.
pub const SHOW_SCHEMA: &str = "tlsfloor.policy/v1";
/// Schema of `policy diff --json`.
pub const DIFF_SCHEMA: &str = "tlsfloor.policy-diff/v1";

/// Subcommands of `tlsfloor policy`.
#[derive(Debug, clap::Subcommand)]
pub enum PolicyCommand {
    /// List built-in policies.
    List(ListArgs),
    /// Show one policy's protocols and cipher suites (in the vendor's order).
    Show(ShowArgs),
    /// Compare two policies.
    Diff(DiffArgs),
}

/// Arguments of `policy list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only this family (aws-elb, aws-apigateway-regional, aws-apigateway-edge, aws-cloudfront, mozilla).
    #[arg(long)]
    pub family: Option<String>,
    /// Print JSON (schema tlsfloor.policy-list/v1).
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `policy show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Policy id or name, or a policy TOML file.
    #[arg(value_name = "NAME|FILE")]
    pub name: String,
    /// Print JSON (schema tlsfloor.policy/v1).
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `policy diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// First policy (id, name or file).
    #[arg(value_name = "A")]
    pub a: String,
    /// Second policy (id, name or file).
    #[arg(value_name = "B")]
    pub b: String,
    /// Print JSON (schema tlsfloor.policy-diff/v1).
    #[arg(long)]
    pub json: bool,
}

/// Runs the subcommand.
pub fn run(cmd: PolicyCommand) -> anyhow::Result<Exit> {
    match cmd {
        PolicyCommand::List(a) => list(a),
        PolicyCommand::Show(a) => show(a),
        PolicyCommand::Diff(a) => run_diff(a),
    }
}

fn versions(p: &Policy) -> String {
    p.protocols
        .iter()
        .map(|v| short(*v))
        .collect::<Vec<_>>()
        .join(",")
}

fn short(v: Version) -> &'static str {
    match v {
        Version::Ssl30 => "SSLv3",
        Version::Tls10 => "1.0",
        Version::Tls11 => "1.1",
        Version::Tls12 => "1.2",
        Version::Tls13 => "1.3",
    }
}

#[derive(Serialize)]
struct ListEntry<'a> {
    id: &'a str,
    name: &'a str,
    family: &'a str,
    protocols: &'a [Version],
    suites: usize,
    tls13_suites: usize,
    source_url: Option<&'a str>,
    source_status: &'a str,
}

#[derive(Serialize)]
struct ListDoc<'a> {
    schema: &'static str,
    tool_version: &'static str,
    policies: Vec<ListEntry<'a>>,
}

fn list(a: ListArgs) -> anyhow::Result<Exit> {
    let all = tlsfloor_policy::builtin()?;
    let chosen: Vec<&Policy> = all
        .iter()
        .filter(|p| {
            a.family
                .as_deref()
                .is_none_or(|f| p.family.eq_ignore_ascii_case(f))
        })
        .collect();
    if chosen.is_empty() {
        anyhow::bail!(
            "no built-in policies in family {:?}",
            a.family.unwrap_or_default()
        );
    }
    if a.json {
        let doc = ListDoc {
            schema: LIST_SCHEMA,
            tool_version: env!("CARGO_PKG_VERSION"),
            policies: chosen
                .iter()
                .map(|p| ListEntry {
                    id: &p.id,
                    name: &p.name,
                    family: &p.family,
                    protocols: &p.protocols,
                    suites: p.ciphers.as_ref().map_or(0, Vec::len),
                    tls13_suites: p.tls13_ciphers.as_ref().map_or(0, Vec::len),
                    source_url: p.source_url.as_deref(),
                    source_status: &p.source_status,
                })
                .collect(),
        };
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(Exit::Ok);
    }
    let rows: Vec<Vec<String>> = chosen
        .iter()
        .map(|p| {
            vec![
                p.id.clone(),
                p.family.clone(),
                versions(p),
                p.ciphers.as_ref().map_or(0, Vec::len).to_string(),
                p.tls13_ciphers.as_ref().map_or(0, Vec::len).to_string(),
                p.source_status.clone(),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &["POLICY", "FAMILY", "VERSIONS", "SUITES", "TLS1.3", "SOURCE"],
            &rows
        )
    );
    println!(
        "{} policies. `tlsfloor policy show NAME` for details.",
        rows.len()
    );
    Ok(Exit::Ok)
}

#[derive(Serialize)]
struct ShowDoc<'a> {
    schema: &'static str,
    tool_version: &'static str,
    policy: &'a Policy,
}

fn show(a: ShowArgs) -> anyhow::Result<Exit> {
    let p = tlsfloor_policy::resolve(&a.name)?;
    if a.json {
        let doc = ShowDoc {
            schema: SHOW_SCHEMA,
            tool_version: env!("CARGO_PKG_VERSION"),
            policy: &p,
        };
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(Exit::Ok);
    }
    print!("{}", render_show(&p));
    Ok(Exit::Ok)
}

/// The terminal rendering of one policy.
fn render_show(p: &Policy) -> String {
    let mut s = String::new();
    s.push_str(&format!("Policy:      {}\n", p.name));
    if p.id != p.name {
        s.push_str(&format!("Id:          {}\n", p.id));
    }
    s.push_str(&format!("Family:      {}\n", p.family));
    if !p.description.is_empty() {
        s.push_str(&format!("About:       {}\n", p.description));
    }
    if let Some(u) = &p.source_url {
        s.push_str(&format!("Source:      {u}\n"));
    }
    s.push_str(&format!("Data:        {}\n", p.source_status));
    if !p.source_note.is_empty() {
        s.push_str(&format!("             {}\n", p.source_note));
    }
    s.push_str(&format!(
        "Suite order: {}\n",
        if p.server_order {
            "server preference, as listed"
        } else {
            "client preference"
        }
    ));
    let prow: Vec<Vec<String>> = Version::ALL
        .iter()
        .map(|v| {
            vec![
                v.name().to_string(),
                if p.allows_version(*v) { "yes" } else { "no" }.to_string(),
            ]
        })
        .collect();
    s.push('\n');
    s.push_str(&table(&["PROTOCOL", "ALLOWED"], &prow));
    for (title, list) in [
        ("TLS 1.3 suites", p.tls13_ciphers.as_ref()),
        ("TLS 1.0-1.2 suites", p.ciphers.as_ref()),
    ] {
        s.push('\n');
        let Some(list) = list else {
            s.push_str(&format!("{title}: not restricted\n"));
            continue;
        };
        if list.is_empty() {
            s.push_str(&format!("{title}: none\n"));
            continue;
        }
        s.push_str(&format!("{title}:\n"));
        let rows: Vec<Vec<String>> = list
            .iter()
            .enumerate()
            .map(|(i, su)| {
                let usable: Vec<&str> = p
                    .protocols
                    .iter()
                    .filter(|v| su.usable_at(**v))
                    .map(|v| short(*v))
                    .collect();
                vec![
                    (i + 1).to_string(),
                    su.hex(),
                    su.iana.clone(),
                    su.openssl.clone().unwrap_or_else(|| "-".into()),
                    usable.join(","),
                ]
            })
            .collect();
        s.push_str(&table(&["#", "CODE", "IANA", "OPENSSL", "VERSIONS"], &rows));
    }
    if let Some(g) = &p.groups {
        s.push_str(&format!("\nGroups: {}\n", g.join(", ")));
    }
    let mut limits = Vec::new();
    if let Some(b) = p.min_rsa_bits {
        limits.push(format!("RSA >= {b} bits"));
    }
    if let Some(b) = p.min_ecdsa_bits {
        limits.push(format!("ECDSA >= {b} bits"));
    }
    if let Some(b) = p.min_dh_bits {
        limits.push(format!("DH >= {b} bits"));
    }
    if !limits.is_empty() {
        s.push_str(&format!("Key sizes: {}\n", limits.join(", ")));
    }
    s
}

#[derive(Serialize)]
struct DiffDoc {
    schema: &'static str,
    tool_version: &'static str,
    #[serde(flatten)]
    diff: PolicyDiff,
}

fn run_diff(a: DiffArgs) -> anyhow::Result<Exit> {
    let pa = tlsfloor_policy::resolve(&a.a)?;
    let pb = tlsfloor_policy::resolve(&a.b)?;
    let d = diff(&pa, &pb);
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&DiffDoc {
                schema: DIFF_SCHEMA,
                tool_version: env!("CARGO_PKG_VERSION"),
                diff: d
            })?
        );
        return Ok(Exit::Ok);
    }
    println!("A: {}\nB: {}", pa.id, pb.id);
    if d.identical {
        println!("identical (same versions, suites, order and groups)");
        return Ok(Exit::Ok);
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    for v in &d.versions_only_a {
        rows.push(vec![
            "A only".into(),
            "protocol".into(),
            v.name().into(),
            String::new(),
        ]);
    }
    for v in &d.versions_only_b {
        rows.push(vec![
            "B only".into(),
            "protocol".into(),
            v.name().into(),
            String::new(),
        ]);
    }
    for (side, list) in [("A only", &d.groups_only_a), ("B only", &d.groups_only_b)] {
        for g in list {
            rows.push(vec![side.into(), "group".into(), g.clone(), String::new()]);
        }
    }
    for (side, list) in [("A only", &d.suites_only_a), ("B only", &d.suites_only_b)] {
        for su in list {
            rows.push(vec![
                side.into(),
                format!("0x{:04x}", su.code),
                su.iana.clone(),
                su.openssl.clone().unwrap_or_else(|| "-".into()),
            ]);
        }
    }
    if !rows.is_empty() {
        print!("{}", table(&["WHERE", "WHAT", "NAME", "OPENSSL"], &rows));
    }
    if !d.same_order {
        println!("The suites both list are in a different order.");
    }
    if let Some(id) = &d.groups_unrestricted_in {
        println!("{id} lists no named groups (any group is allowed in its data).");
    }
    Ok(Exit::Ok)
}
