//! `tlsfloor check` (not yet implemented).

use crate::exit::Exit;

/// Arguments of `tlsfloor check`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the subcommand.
pub fn run(_args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`tlsfloor check` is not implemented yet")
}
