//! `tlsfloor check-client` (not yet implemented).

use crate::exit::Exit;

/// Arguments of `tlsfloor check-client`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the subcommand.
pub fn run(_args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`tlsfloor check-client` is not implemented yet")
}
