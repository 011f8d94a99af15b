//! Finding the client's alert in the raw bytes it sent after its ClientHello. Record framing
//! and alert parsing are the wire crate's ([`parse_record`], [`parse_alert`]); alert names are
//! [`tlsfloor_wire::alert::known_description_name`].

use tlsfloor_wire::alert::parse_alert;
use tlsfloor_wire::record::{
    parse_record, Record, CONTENT_ALERT, CONTENT_APPLICATION_DATA, CONTENT_CHANGE_CIPHER_SPEC,
    CONTENT_HANDSHAKE, RECORD_HEADER_LEN,
};

/// Where a walk over the plaintext records stopped.
enum End<'a> {
    /// At a ChangeCipherSpec (what follows is encrypted) or at bytes that are not a record.
    Stop,
    /// At an incomplete record (or the end of the input): the bytes from its start.
    Partial(&'a [u8]),
}

/// The complete records at the start of `bytes` before the first ChangeCipherSpec or the first
/// malformed record, and where the walk ended.
fn plaintext_records(bytes: &[u8]) -> (Vec<Record<'_>>, End<'_>) {
    let mut records = Vec::new();
    let mut rest = bytes;
    loop {
        match parse_record(rest) {
            Ok(Some((record, used))) if record.content_type != CONTENT_CHANGE_CIPHER_SPEC => {
                records.push(record);
                rest = &rest[used..];
            }
            Ok(None) => return (records, End::Partial(rest)),
            Ok(Some(_)) | Err(_) => return (records, End::Stop),
        }
    }
}

/// The first plaintext alert `(level, description)` in `bytes`, a stream of TLS records the
/// client sent after its ClientHello. Stops at a ChangeCipherSpec (later alerts are
/// encrypted), at anything that is not a well-formed record, and at an alert record that does
/// not hold plaintext alerts.
pub fn find_plaintext_alert(bytes: &[u8]) -> Option<(u8, u8)> {
    for record in plaintext_records(bytes).0 {
        match record.content_type {
            CONTENT_ALERT => {
                let alert = parse_alert(record.fragment).ok()?;
                return Some((alert.level, alert.description));
            }
            CONTENT_HANDSHAKE | CONTENT_APPLICATION_DATA => {}
            _ => return None,
        }
    }
    None
}

/// When `bytes` ends inside an alert record (OpenSSL may stop after a record header it
/// rejects, e.g. a TLS 1.2 alert record on a TLS 1.0 connection), how many more bytes would
/// complete it; 0 otherwise.
pub fn missing_alert_bytes(bytes: &[u8]) -> usize {
    let End::Partial(rest) = plaintext_records(bytes).1 else {
        return 0;
    };
    match rest.get(..RECORD_HEADER_LEN) {
        // A complete header of a 2-byte alert record whose body is cut short.
        Some(h) if h[0] == CONTENT_ALERT && u16::from_be_bytes([h[3], h[4]]) == 2 => {
            (RECORD_HEADER_LEN + 2).saturating_sub(rest.len())
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_alert_after_handshake_records() {
        let mut b = vec![22, 3, 1, 0, 3, 1, 2, 3];
        b.extend_from_slice(&[21, 3, 1, 0, 2, 2, 70]);
        assert_eq!(find_plaintext_alert(&b), Some((2, 70)));
        assert_eq!(
            tlsfloor_wire::alert::known_description_name(70),
            Some("protocol_version")
        );
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
        assert_eq!(missing_alert_bytes(&[20, 3, 3, 0, 1, 1, 21, 3, 3, 0, 2]), 0);
    }

    #[test]
    fn alert_records_that_are_not_plaintext_alerts_stop_the_search() {
        // Level 7 is neither warning nor fatal: not a plaintext alert.
        assert_eq!(find_plaintext_alert(&[21, 3, 3, 0, 2, 7, 40]), None);
        // Odd length: not a sequence of plaintext alerts.
        assert_eq!(find_plaintext_alert(&[21, 3, 3, 0, 3, 2, 40, 0]), None);
        // Two alerts in one record: the first is reported.
        assert_eq!(
            find_plaintext_alert(&[21, 3, 3, 0, 4, 1, 0, 2, 70]),
            Some((1, 0))
        );
        // A heartbeat record is not part of a handshake: stop.
        assert_eq!(
            find_plaintext_alert(&[24, 3, 3, 0, 1, 1, 21, 3, 3, 0, 2, 2, 40]),
            None
        );
    }
}
