//! Errors from loading, parsing and looking up policies.

use std::path::PathBuf;

/// Why a policy could not be loaded or found.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// A cipher-suite name (or code) that the registry does not know.
    #[error(
        "{origin}:{line}: unknown cipher suite {name:?} (expected an IANA name like \
         TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, an OpenSSL name like ECDHE-RSA-AES128-GCM-SHA256, \
         or a code like 0xc02f)"
    )]
    UnknownSuite {
        /// The file (or `built-in`) the name came from.
        origin: String,
        /// 1-based line of the name.
        line: usize,
        /// The name as written.
        name: String,
    },
    /// A suite listed where it cannot apply (e.g. a TLS 1.2 suite under `tls13_ciphers`).
    #[error("{origin}:{line}: {message}")]
    MisplacedSuite {
        /// The file (or `built-in`) the name came from.
        origin: String,
        /// 1-based line of the name.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A protocol version string that names no known version.
    #[error("{origin}:{line}: unknown protocol version {name:?} (expected SSLv3, TLSv1.0 … TLSv1.3 or 1.0 … 1.3)")]
    UnknownVersion {
        /// The file (or `built-in`) the name came from.
        origin: String,
        /// 1-based line of the name.
        line: usize,
        /// The version as written.
        name: String,
    },
    /// The TOML did not parse or has fields of the wrong type / unknown fields.
    #[error("{origin}: {message}")]
    Syntax {
        /// The file (or `built-in`) being parsed.
        origin: String,
        /// The parser's message (includes line and column).
        message: String,
    },
    /// A semantic problem with a policy (empty protocol list, duplicate id, …).
    #[error("{origin}: policy {policy:?}: {message}")]
    Invalid {
        /// The file (or `built-in`) being parsed.
        origin: String,
        /// The policy's name.
        policy: String,
        /// What is wrong.
        message: String,
    },
    /// A policy file could not be read.
    #[error("cannot read policy file {path}: {source}")]
    Read {
        /// The path given.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// No built-in policy has that name, and no such file exists.
    #[error(
        "no built-in policy named {name:?} and no such file{hint} (see `tlsfloor policy list`)"
    )]
    NotFound {
        /// The name as given.
        name: String,
        /// ", did you mean …?" or empty.
        hint: String,
    },
    /// Several built-in policies share that name; an id is needed.
    #[error("policy name {name:?} is ambiguous; use one of the ids: {}", candidates.join(", "))]
    Ambiguous {
        /// The name as given.
        name: String,
        /// Ids of the policies with that name.
        candidates: Vec<String>,
    },
}
