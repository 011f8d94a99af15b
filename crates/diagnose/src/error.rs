//! Errors of the diagnose crate.

/// Why a client or server description could not be built.
#[derive(Debug, thiserror::Error)]
pub enum DiagnoseError {
    /// The built-in client profile data is broken (a bug; caught by the tests).
    #[error("built-in client profiles are invalid: {0}")]
    BadProfileData(String),
    /// No built-in client profile has this id or name.
    #[error("unknown client profile {0:?} (see `tlsfloor diagnose --list-clients`)")]
    UnknownClient(String),
    /// A hex string could not be decoded.
    #[error("invalid hex: {0}")]
    BadHex(String),
    /// The bytes are not a ClientHello tlsfloor can read.
    #[error("cannot read the ClientHello: {0}")]
    BadClientHello(String),
    /// A JA3 string is malformed.
    #[error("invalid JA3 string: {0}")]
    BadJa3(String),
    /// A trap JSON line could not be used.
    #[error("invalid trap record: {0}")]
    BadTrapRecord(String),
    /// A scan report could not be used.
    #[error("unusable scan report: {0}")]
    BadScan(String),
    /// The description offers nothing to negotiate with.
    #[error("{0}")]
    Empty(String),
}
