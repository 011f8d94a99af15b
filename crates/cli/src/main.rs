//! `tlsfloor`: find and end legacy TLS on servers, clients and cloud API callers.
//!
//! Exit codes (documented in docs/exit-codes.md): 0 all good, 1 findings/policy violations,
//! 2 usage or runtime error, 3 some targets unreachable / some inputs skipped.

mod cmd;
mod exit;
mod output;
mod process;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Find and end legacy TLS (SSLv3, TLS 1.0, TLS 1.1).
#[derive(Debug, Parser)]
#[command(name = "tlsfloor", version, about, long_about = None)]
struct Cli {
    /// When to colour the output: auto (a terminal, and `NO_COLOR` unset), always, never.
    #[arg(long, global = true, value_enum, default_value_t = output::ColorChoice::Auto)]
    color: output::ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Enumerate the protocol versions and cipher suites servers accept.
    Scan(cmd::scan::Args),
    /// Start built-in local servers of known configuration and scan them (offline).
    Demo(cmd::demo::Args),
    /// List, show and compare built-in security policies.
    #[command(subcommand)]
    Policy(cmd::policy::PolicyCommand),
    /// Judge a saved scan JSON against a policy, offline.
    Check(cmd::check::Args),
    /// Run a TLS server that speaks only legacy versions and records what clients offer.
    Trap(cmd::trap::Args),
    /// Run a client command against legacy-only traps and report whether it refuses them.
    CheckClient(cmd::check_client::Args),
    /// Audit CloudTrail logs for API calls made over TLS 1.0/1.1.
    Trail(cmd::trail::Args),
    /// Explain why a client and a server fail (or succeed) to negotiate TLS.
    Diagnose(cmd::diagnose::Args),
    /// What changed between two scan reports (exit 1 when anything regressed).
    Diff(cmd::diff::Args),
    /// One self-contained HTML page from saved scan, trail, check-client and diagnose JSON.
    Report(cmd::report::Args),
}

fn main() -> ExitCode {
    process::quiet_on_closed_stdout();
    process::raise_open_files_limit();
    let cli = Cli::parse();
    output::set_color(cli.color);
    let result = match cli.command {
        Command::Scan(a) => cmd::scan::run(a),
        Command::Demo(a) => cmd::demo::run(a),
        Command::Policy(a) => cmd::policy::run(a),
        Command::Check(a) => cmd::check::run(a),
        Command::Trap(a) => cmd::trap::run(a),
        Command::CheckClient(a) => cmd::check_client::run(a),
        Command::Trail(a) => cmd::trail::run(a),
        Command::Diagnose(a) => cmd::diagnose::run(a),
        Command::Diff(a) => cmd::diff::run(a),
        Command::Report(a) => cmd::report::run(a),
    };
    match result {
        Ok(code) => code.into(),
        Err(e) => {
            eprintln!("tlsfloor: error: {e:#}");
            exit::Exit::Error.into()
        }
    }
}
