//! TLS alert names, and finding the client's alert in the raw bytes it sent.

/// The RFC 5246/8446 name of an alert description, if registered.
pub fn alert_name(code: u8) -> Option<&'static str> {
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
        112 => "unrecognized_name",
        113 => "bad_certificate_status_response",
        115 => "unknown_psk_identity",
        116 => "certificate_required",
        120 => "no_application_protocol",
        _ => return None,
    })
}

/// The first plaintext alert `(level, description)` in `bytes`, a stream of TLS records the
/// client sent after its ClientHello. Stops at a ChangeCipherSpec (later alerts are
/// encrypted) and at anything that is not a well-formed record.
pub fn find_plaintext_alert(bytes: &[u8]) -> Option<(u8, u8)> {
    let mut pos = 0;
    while let Some(h) = bytes.get(pos..pos + 5) {
        let len = usize::from(u16::from_be_bytes([h[3], h[4]]));
        if h[1] != 3 {
            return None;
        }
        match h[0] {
            21 if len == 2 => {
                let body = bytes.get(pos + 5..pos + 7)?;
                return Some((body[0], body[1]));
            }
            20 => return None,
            21..=23 => {}
            _ => return None,
        }
        pos += 5 + len;
    }
    None
}

/// When `bytes` ends inside an alert record (OpenSSL may stop after a record header it
/// rejects, e.g. a TLS 1.2 alert record on a TLS 1.0 connection), how many more bytes would
/// complete it; 0 otherwise.
pub fn missing_alert_bytes(bytes: &[u8]) -> usize {
    let mut pos = 0;
    while pos < bytes.len() {
        let Some(h) = bytes.get(pos..pos + 5) else {
            return 0;
        };
        let len = usize::from(u16::from_be_bytes([h[3], h[4]]));
        if h[0] == 20 {
            return 0;
        }
        let end = pos + 5 + len;
        if end > bytes.len() {
            return if h[0] == 21 && len == 2 {
                end - bytes.len()
            } else {
                0
            };
        }
        pos = end;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_alert_after_handshake_records() {
        let mut b = vec![22, 3, 1, 0, 3, 1, 2, 3];
        b.extend_from_slice(&[21, 3, 1, 0, 2, 2, 70]);
        assert_eq!(find_plaintext_alert(&b), Some((2, 70)));
        assert_eq!(alert_name(70), Some("protocol_version"));
    }

    #[test]
    fn ignores_encrypted_alerts_and_garbage() {
        let b = [20, 3, 3, 0, 1, 1, 21, 3, 3, 0, 2, 2, 40];
        assert_eq!(find_plaintext_alert(&b), None);
        assert_eq!(find_plaintext_alert(b"GET /"), None);
        assert_eq!(find_plaintext_alert(&[21, 3, 1, 0, 2, 2]), None);
        assert_eq!(missing_alert_bytes(&[21, 3, 3, 0, 2]), 2);
        assert_eq!(
            missing_alert_bytes(&[22, 3, 3, 0, 1, 9, 21, 3, 3, 0, 2, 2]),
            1
        );
        assert_eq!(missing_alert_bytes(&[22, 3, 3, 0, 9]), 0);
        assert_eq!(missing_alert_bytes(&[]), 0);
    }
}
