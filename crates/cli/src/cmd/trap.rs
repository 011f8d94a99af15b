//! `tlsfloor trap` (not yet implemented).

use crate::exit::Exit;

/// Arguments of `tlsfloor trap`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the subcommand.
pub fn run(_args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`tlsfloor trap` is not implemented yet")
}
