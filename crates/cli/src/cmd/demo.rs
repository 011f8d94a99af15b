//! `tlsfloor demo` (not yet implemented).

use crate::exit::Exit;

/// Arguments of `tlsfloor demo`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the subcommand.
pub fn run(_args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`tlsfloor demo` is not implemented yet")
}
