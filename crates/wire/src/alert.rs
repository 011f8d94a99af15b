//! TLS alerts (RFC 8446 §6, RFC 5246 §7.2): parsing and readable names.

use crate::error::WireError;
use std::fmt;

/// Alert level: warning.
pub const ALERT_LEVEL_WARNING: u8 = 1;
/// Alert level: fatal.
pub const ALERT_LEVEL_FATAL: u8 = 2;

/// close_notify (0).
pub const ALERT_CLOSE_NOTIFY: u8 = 0;
/// unexpected_message (10).
pub const ALERT_UNEXPECTED_MESSAGE: u8 = 10;
/// bad_record_mac (20).
pub const ALERT_BAD_RECORD_MAC: u8 = 20;
/// record_overflow (22).
pub const ALERT_RECORD_OVERFLOW: u8 = 22;
/// handshake_failure (40): typically "no cipher suite in common".
pub const ALERT_HANDSHAKE_FAILURE: u8 = 40;
/// bad_certificate (42).
pub const ALERT_BAD_CERTIFICATE: u8 = 42;
/// illegal_parameter (47).
pub const ALERT_ILLEGAL_PARAMETER: u8 = 47;
/// decode_error (50).
pub const ALERT_DECODE_ERROR: u8 = 50;
/// decrypt_error (51).
pub const ALERT_DECRYPT_ERROR: u8 = 51;
/// protocol_version (70): the server refuses the offered version.
pub const ALERT_PROTOCOL_VERSION: u8 = 70;
/// insufficient_security (71): e.g. only weak suites offered.
pub const ALERT_INSUFFICIENT_SECURITY: u8 = 71;
/// internal_error (80).
pub const ALERT_INTERNAL_ERROR: u8 = 80;
/// inappropriate_fallback (86): TLS_FALLBACK_SCSV seen on a downgraded connection.
pub const ALERT_INAPPROPRIATE_FALLBACK: u8 = 86;
/// user_canceled (90).
pub const ALERT_USER_CANCELED: u8 = 90;
/// missing_extension (109).
pub const ALERT_MISSING_EXTENSION: u8 = 109;
/// unsupported_extension (110).
pub const ALERT_UNSUPPORTED_EXTENSION: u8 = 110;
/// unrecognized_name (112): SNI host unknown to the server.
pub const ALERT_UNRECOGNIZED_NAME: u8 = 112;
/// no_application_protocol (120).
pub const ALERT_NO_APPLICATION_PROTOCOL: u8 = 120;

/// One alert message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Alert {
    /// 1 = warning, 2 = fatal.
    pub level: u8,
    /// The AlertDescription code.
    pub description: u8,
}

impl Alert {
    /// The RFC name of the description (`handshake_failure`, `protocol_version`, …), or
    /// `unknown` for unassigned codes.
    pub fn description_name(&self) -> &'static str {
        description_name(self.description)
    }

    /// True for level 2 (fatal).
    pub fn is_fatal(&self) -> bool {
        self.level == ALERT_LEVEL_FATAL
    }
}

impl fmt::Display for Alert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            ALERT_LEVEL_WARNING => "warning",
            ALERT_LEVEL_FATAL => "fatal",
            _ => "unknown-level",
        };
        write!(
            f,
            "{level} alert {} ({})",
            self.description_name(),
            self.description
        )
    }
}

/// The RFC name of an AlertDescription code, or `unknown`.
pub fn description_name(code: u8) -> &'static str {
    known_description_name(code).unwrap_or("unknown")
}

/// The RFC name of an AlertDescription code, or `None` for a code the IANA registry does not
/// assign.
pub fn known_description_name(code: u8) -> Option<&'static str> {
    Some(match code {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        21 => "decryption_failed",
        22 => "record_overflow",
        30 => "decompression_failure",
        40 => "handshake_failure",
        41 => "no_certificate",
        42 => "bad_certificate",
        43 => "unsupported_certificate",
        44 => "certificate_revoked",
        45 => "certificate_expired",
        46 => "certificate_unknown",
        47 => "illegal_parameter",
        48 => "unknown_ca",
        49 => "access_denied",
        50 => "decode_error",
        51 => "decrypt_error",
        60 => "export_restriction",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        100 => "no_renegotiation",
        109 => "missing_extension",
        110 => "unsupported_extension",
        111 => "certificate_unobtainable",
        112 => "unrecognized_name",
        113 => "bad_certificate_status_response",
        114 => "bad_certificate_hash_value",
        115 => "unknown_psk_identity",
        116 => "certificate_required",
        120 => "no_application_protocol",
        121 => "ech_required",
        _ => return None,
    })
}

/// Parses the first alert of an alert record's fragment. A fragment may hold several
/// plaintext alerts (an even length whose levels are all 1 or 2); anything else — a level
/// other than warning/fatal, an odd length — is rejected as malformed (it is most likely an
/// encrypted alert).
pub fn parse_alert(fragment: &[u8]) -> Result<Alert, WireError> {
    if fragment.len() < 2 {
        return Err(WireError::Truncated {
            what: "alert",
            needed: 2 - fragment.len(),
        });
    }
    let valid_level = |l: u8| l == ALERT_LEVEL_WARNING || l == ALERT_LEVEL_FATAL;
    if fragment.len() % 2 != 0 || !fragment.chunks(2).all(|c| valid_level(c[0])) {
        return Err(WireError::malformed(
            "alert",
            format!(
                "{} byte(s) that are not plaintext alerts (level must be 1 or 2; encrypted alert?)",
                fragment.len()
            ),
        ));
    }
    Ok(Alert {
        level: fragment[0],
        description: fragment[1],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_names() {
        let a = parse_alert(&[2, 40]).unwrap();
        assert!(a.is_fatal());
        assert_eq!(a.description, ALERT_HANDSHAKE_FAILURE);
        assert_eq!(a.description_name(), "handshake_failure");
        assert_eq!(a.to_string(), "fatal alert handshake_failure (40)");
        assert_eq!(parse_alert(&[1, 112, 2, 70]).unwrap().description, 112);
        assert_eq!(description_name(200), "unknown");
        assert_eq!(known_description_name(70), Some("protocol_version"));
        assert_eq!(known_description_name(200), None);
    }

    #[test]
    fn rejects_bad_alerts() {
        assert!(matches!(parse_alert(&[]), Err(WireError::Truncated { .. })));
        assert!(matches!(
            parse_alert(&[2]),
            Err(WireError::Truncated { .. })
        ));
        assert!(matches!(
            parse_alert(&[7, 40]),
            Err(WireError::Malformed { .. })
        ));
        assert!(matches!(
            parse_alert(&[2, 40, 1]),
            Err(WireError::Malformed { .. })
        ));
    }
}
