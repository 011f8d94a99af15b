//! `tlsfloor trail` (not yet implemented).

use crate::exit::Exit;

/// Arguments of `tlsfloor trail`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the subcommand.
pub fn run(_args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`tlsfloor trail` is not implemented yet")
}
