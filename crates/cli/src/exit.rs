//! Process exit codes, shared by every subcommand (see docs/exit-codes.md).

use std::process::ExitCode;

/// The exit statuses tlsfloor uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything checked passed.
    Ok = 0,
    /// Findings: a policy was violated, a client accepted legacy TLS, legacy callers found.
    Findings = 1,
    /// Usage error or a failure that stopped the command.
    Error = 2,
    /// Work finished but some targets were unreachable or some inputs were skipped.
    Incomplete = 3,
    /// Interrupted by Ctrl-C (SIGINT); what was finished was printed.
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}
