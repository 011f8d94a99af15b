//! Judging scan results against a policy: shared by `tlsfloor scan` and `tlsfloor check`.
//! (Contract stub: the policy work fills in `apply`.)

use crate::exit::Exit;
use tlsfloor_scan::report::ScanReport;

/// Policy options, flattened into `scan` and `check`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PolicyArgs {
    /// Lowest acceptable protocol version, e.g. `1.2`.
    #[arg(long, value_name = "VERSION")]
    pub min_version: Option<tlsfloor_wire::Version>,
    /// A built-in policy name (see `tlsfloor policy list`) or a policy TOML file.
    #[arg(long, value_name = "NAME|FILE")]
    pub policy: Option<String>,
}

impl PolicyArgs {
    /// True when any policy option was given.
    pub fn is_set(&self) -> bool {
        self.min_version.is_some() || self.policy.is_some()
    }
}

/// Judges `report` against the policy options, prints the verdicts (JSON when `json`), and
/// returns the exit status: `Ok` all pass, `Findings` some fail.
pub fn apply(_report: &ScanReport, args: &PolicyArgs, _json: bool) -> anyhow::Result<Exit> {
    if !args.is_set() {
        return Ok(Exit::Ok);
    }
    anyhow::bail!("policy checks are not implemented yet")
}
