//! `tlsfloor policy …` (not yet implemented).

use crate::exit::Exit;

/// Subcommands of `tlsfloor policy`.
#[derive(Debug, clap::Subcommand)]
pub enum PolicyCommand {
    /// List built-in policies.
    List,
}

/// Runs the subcommand.
pub fn run(_cmd: PolicyCommand) -> anyhow::Result<Exit> {
    anyhow::bail!("`tlsfloor policy` is not implemented yet")
}
