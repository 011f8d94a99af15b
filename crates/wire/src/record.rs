//! TLS record framing: split a byte stream into records, telling "need more bytes" apart from
//! "this is not TLS".

use crate::error::WireError;

/// Record content type: change_cipher_spec.
pub const CONTENT_CHANGE_CIPHER_SPEC: u8 = 20;
/// Record content type: alert.
pub const CONTENT_ALERT: u8 = 21;
/// Record content type: handshake.
pub const CONTENT_HANDSHAKE: u8 = 22;
/// Record content type: application_data.
pub const CONTENT_APPLICATION_DATA: u8 = 23;
/// Record content type: heartbeat (RFC 6520).
pub const CONTENT_HEARTBEAT: u8 = 24;

/// Largest plaintext fragment a record may carry (2^14, RFC 5246 §6.2.1).
pub const MAX_PLAINTEXT_LEN: usize = 16384;
/// Largest fragment accepted on the wire: 2^14 + 2048 (RFC 5246 §6.2.3, ciphertext bound).
pub const MAX_RECORD_LEN: usize = MAX_PLAINTEXT_LEN + 2048;
/// Length of a record header (type, version, length).
pub const RECORD_HEADER_LEN: usize = 5;

/// One TLS record, borrowed from the input buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// Content type (20..=24).
    pub content_type: u8,
    /// The record-layer version, e.g. 0x0303.
    pub version: u16,
    /// The record's payload.
    pub fragment: &'a [u8],
}

/// Parses the record at the start of `buf`.
///
/// Returns `Ok(Some((record, consumed)))` for a complete record, `Ok(None)` when more bytes are
/// needed, and an error when the bytes cannot be TLS: an unknown content type (with a readable
/// hint for plaintext answers such as `HTTP/1.1 400`), an SSLv2 record header, a record
/// version whose major byte is not 3, or a length above 2^14 + 2048. The verdict is given as
/// early as possible: one byte is enough to reject an HTTP answer.
pub fn parse_record(buf: &[u8]) -> Result<Option<(Record<'_>, usize)>, WireError> {
    let Some(&content_type) = buf.first() else {
        return Ok(None);
    };
    if !(CONTENT_CHANGE_CIPHER_SPEC..=CONTENT_HEARTBEAT).contains(&content_type) {
        if content_type & 0x80 != 0 {
            // SSLv2 2-byte header: length, then the message type (4 = SERVER-HELLO, 0 = ERROR).
            match buf.get(2) {
                None => return Ok(None),
                Some(0) | Some(4) => return Err(WireError::Sslv2),
                Some(_) => {}
            }
        }
        return Err(WireError::NotTls {
            reason: describe_non_tls(buf),
        });
    }
    if let Some(&major) = buf.get(1) {
        if major != 3 {
            return Err(WireError::NotTls {
                reason: format!(
                    "record header with content type {content_type} but protocol major version {major} (expected 3)"
                ),
            });
        }
    }
    if buf.len() < RECORD_HEADER_LEN {
        return Ok(None);
    }
    let version = u16::from_be_bytes([buf[1], buf[2]]);
    let length = usize::from(u16::from_be_bytes([buf[3], buf[4]]));
    if length > MAX_RECORD_LEN {
        return Err(WireError::RecordOverflow {
            length,
            max: MAX_RECORD_LEN,
        });
    }
    let end = RECORD_HEADER_LEN + length;
    if buf.len() < end {
        return Ok(None);
    }
    Ok(Some((
        Record {
            content_type,
            version,
            fragment: &buf[RECORD_HEADER_LEN..end],
        },
        end,
    )))
}

/// Wraps `payload` in records of `content_type` and `version`, splitting it into fragments of
/// at most 2^14 bytes. An empty payload gives one empty record.
pub fn encode_records(content_type: u8, version: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + RECORD_HEADER_LEN);
    let mut chunks: Vec<&[u8]> = payload.chunks(MAX_PLAINTEXT_LEN).collect();
    if chunks.is_empty() {
        chunks.push(&[]);
    }
    for chunk in chunks {
        out.push(content_type);
        out.extend_from_slice(&version.to_be_bytes());
        out.extend_from_slice(&(chunk.len() as u16).to_be_bytes());
        out.extend_from_slice(chunk);
    }
    out
}

/// True when `buf` starts like a plaintext protocol (an HTTP answer, an SMTP/FTP/POP/IMAP
/// banner, an SSH version string …) rather than a TLS record. TLS records start with a
/// control byte (20..=24), so printable text is never TLS.
pub fn looks_like_plaintext(buf: &[u8]) -> bool {
    let head = &buf[..buf.len().min(16)];
    !head.is_empty()
        && head[0].is_ascii_graphic()
        && head
            .iter()
            .all(|&b| b.is_ascii_graphic() || matches!(b, b' ' | b'\r' | b'\n' | b'\t'))
}

/// The first line of a plaintext answer, sanitised and shortened for an error message.
pub fn plaintext_preview(buf: &[u8]) -> String {
    let line: String = buf
        .iter()
        .take(80)
        .take_while(|&&b| b != b'\r' && b != b'\n')
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                char::from(b)
            } else {
                '.'
            }
        })
        .collect();
    line
}

fn describe_non_tls(buf: &[u8]) -> String {
    if looks_like_plaintext(buf) {
        let preview = plaintext_preview(buf);
        let what = guess_protocol(buf);
        format!("the peer answered in plaintext{what}: {preview:?}")
    } else {
        let n = buf.len().min(8);
        format!(
            "unexpected bytes {} (byte 0 is not a TLS content type 20..=24)",
            hex::encode(&buf[..n])
        )
    }
}

fn guess_protocol(buf: &[u8]) -> &'static str {
    let starts = |p: &[u8]| buf.len() >= p.len() && buf[..p.len()].eq_ignore_ascii_case(p);
    if starts(b"HTTP/") {
        " (HTTP)"
    } else if starts(b"SSH-") {
        " (SSH)"
    } else if starts(b"220") {
        " (SMTP/FTP banner; scan with --starttls smtp or --starttls ftp)"
    } else if starts(b"+OK") {
        " (POP3 banner; scan with --starttls pop3)"
    } else if starts(b"* OK") {
        " (IMAP banner; scan with --starttls imap)"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_and_partial_records() {
        let rec = [22, 3, 1, 0, 2, 0xaa, 0xbb, 21];
        let (r, used) = parse_record(&rec).unwrap().unwrap();
        assert_eq!(used, 7);
        assert_eq!(r.content_type, 22);
        assert_eq!(r.version, 0x0301);
        assert_eq!(r.fragment, &[0xaa, 0xbb]);
        for cut in 0..7 {
            assert_eq!(parse_record(&rec[..cut]), Ok(None), "cut {cut}");
        }
    }

    #[test]
    fn http_is_not_tls() {
        let err = parse_record(b"HTTP/1.1 400 Bad Request\r\n\r\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("HTTP/1.1 400 Bad Request"), "{msg}");
        assert!(matches!(parse_record(b"H"), Err(WireError::NotTls { .. })));
        assert!(looks_like_plaintext(b"220 mail.example ESMTP\r\n"));
        assert!(!looks_like_plaintext(&[22, 3, 3, 0, 1]));
    }

    #[test]
    fn sslv2_overflow_and_bad_version() {
        // SSLv2 SERVER-HELLO header: 0x80|len_hi, len_lo, msg type 4.
        assert_eq!(
            parse_record(&[0x80, 0x2e, 0x04, 0x00]),
            Err(WireError::Sslv2)
        );
        assert_eq!(parse_record(&[0x80, 0x2e]), Ok(None));
        assert_eq!(
            parse_record(&[22, 3, 3, 0x48, 0x01]),
            Err(WireError::RecordOverflow {
                length: 0x4801,
                max: MAX_RECORD_LEN
            })
        );
        assert!(matches!(
            parse_record(&[22, 2, 0]),
            Err(WireError::NotTls { .. })
        ));
    }

    #[test]
    fn encode_splits_large_payloads() {
        let payload = vec![7u8; MAX_PLAINTEXT_LEN + 10];
        let out = encode_records(22, 0x0301, &payload);
        let (a, n) = parse_record(&out).unwrap().unwrap();
        assert_eq!(a.fragment.len(), MAX_PLAINTEXT_LEN);
        let (b, m) = parse_record(&out[n..]).unwrap().unwrap();
        assert_eq!(b.fragment.len(), 10);
        assert_eq!(n + m, out.len());
    }
}
