//! The one error type of the codec: every parse failure is a [`WireError`] a user can read.

/// Why bytes could not be decoded (or a message could not be built).
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum WireError {
    /// The peer does not speak SSLv3/TLS at all (plaintext banner, HTTP answer, other protocol).
    #[error("not TLS: {reason}")]
    NotTls {
        /// What was seen instead, e.g. `plaintext "HTTP/1.1 400 Bad Request"`.
        reason: String,
    },
    /// The peer answered with an SSL 2.0 record: it speaks SSLv2 only (or answered in SSLv2).
    #[error("the peer answered with an SSL 2.0 record (it speaks SSLv2, not SSLv3/TLS)")]
    Sslv2,
    /// The input ended inside a structure whose length says more bytes must follow.
    #[error("truncated {what}: {needed} more byte(s) needed")]
    Truncated {
        /// Which structure was cut short, e.g. `ServerHello session_id`.
        what: &'static str,
        /// How many bytes were missing.
        needed: usize,
    },
    /// The bytes are complete but break the protocol's rules.
    #[error("malformed {what}: {detail}")]
    Malformed {
        /// Which structure is wrong, e.g. `alert`.
        what: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// A record header announces more than 2^14 + 2048 bytes (RFC 5246 §6.2.3).
    #[error("TLS record of {length} bytes exceeds the protocol maximum of {max}")]
    RecordOverflow {
        /// The announced length.
        length: usize,
        /// The maximum allowed.
        max: usize,
    },
    /// A handshake message is larger than tlsfloor is willing to buffer.
    #[error("handshake message of {length} bytes exceeds tlsfloor's limit of {max}")]
    MessageTooLarge {
        /// The announced (or buffered) length.
        length: usize,
        /// tlsfloor's limit.
        max: usize,
    },
}

impl WireError {
    /// Shorthand for [`WireError::Malformed`].
    pub fn malformed(what: &'static str, detail: impl Into<String>) -> WireError {
        WireError::Malformed {
            what,
            detail: detail.into(),
        }
    }
}
