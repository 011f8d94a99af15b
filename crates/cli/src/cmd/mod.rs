//! One module per subcommand; each exposes clap `Args` and `run(args) -> anyhow::Result<Exit>`.

pub mod check;
pub mod check_client;
pub mod client_run;
pub mod demo;
pub mod diagnose;
pub mod diff;
pub mod policy;
pub mod policy_gate;
pub mod report;
pub mod scan;
pub mod trail;
pub mod trap;
