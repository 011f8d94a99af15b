//! `tlsfloor scan` (not yet implemented).

use crate::exit::Exit;

/// Arguments of `tlsfloor scan`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the subcommand.
pub fn run(_args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`tlsfloor scan` is not implemented yet")
}
