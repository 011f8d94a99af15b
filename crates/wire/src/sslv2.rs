//! SSL 2.0: the probe CLIENT-HELLO and what a server answers to it (SSL 2.0 draft,
//! Hickman 1995). A TLS server that understands the SSLv2-compatible hello answers with a TLS
//! record (an alert, or a ServerHello for a TLS version): that is a refusal of SSL 2.0, never
//! SSL 2.0. Only a well-formed SERVER-HELLO with version 0x0002 is SSL 2.0 accepted.

/// An SSL 2.0 cipher kind (3 bytes on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CipherSpec {
    /// The 24-bit code, e.g. `0x010080`.
    pub code: u32,
    /// The name in the SSL 2.0 draft, e.g. `SSL_CK_RC4_128_WITH_MD5`.
    pub name: &'static str,
}

/// Every SSL 2.0 cipher kind of the draft (and OpenSSL's list), strongest first.
pub const CIPHER_SPECS: [CipherSpec; 7] = [
    CipherSpec {
        code: 0x0700c0,
        name: "SSL_CK_DES_192_EDE3_CBC_WITH_MD5",
    },
    CipherSpec {
        code: 0x050080,
        name: "SSL_CK_IDEA_128_CBC_WITH_MD5",
    },
    CipherSpec {
        code: 0x030080,
        name: "SSL_CK_RC2_128_CBC_WITH_MD5",
    },
    CipherSpec {
        code: 0x010080,
        name: "SSL_CK_RC4_128_WITH_MD5",
    },
    CipherSpec {
        code: 0x060040,
        name: "SSL_CK_DES_64_CBC_WITH_MD5",
    },
    CipherSpec {
        code: 0x040080,
        name: "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5",
    },
    CipherSpec {
        code: 0x020080,
        name: "SSL_CK_RC4_128_EXPORT40_WITH_MD5",
    },
];

/// The name of an SSL 2.0 cipher kind (`None` for codes outside the draft).
pub fn cipher_spec_name(code: u32) -> Option<&'static str> {
    CIPHER_SPECS.iter().find(|c| c.code == code).map(|c| c.name)
}

/// An SSL 2.0 CLIENT-HELLO offering `specs`, with a 16-byte `challenge`.
pub fn client_hello(specs: &[u32], challenge: [u8; 16]) -> Vec<u8> {
    let mut body = vec![1, 0x00, 0x02]; // MSG-CLIENT-HELLO, version 2
    body.extend(((specs.len() * 3) as u16).to_be_bytes());
    body.extend(0u16.to_be_bytes()); // no session id
    body.extend(16u16.to_be_bytes());
    for s in specs {
        body.extend(&s.to_be_bytes()[1..]);
    }
    body.extend(challenge);
    let mut rec = vec![0x80 | (body.len() >> 8) as u8, body.len() as u8];
    rec.extend(body);
    rec
}

/// What a server answered to an SSL 2.0 CLIENT-HELLO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// An SSL 2.0 SERVER-HELLO: the cipher kinds it chose from the offer and its certificate.
    Accepted {
        /// The cipher kinds the server listed.
        specs: Vec<u32>,
        /// The certificate (DER), as sent.
        certificate: Vec<u8>,
    },
    /// An SSL 2.0 ERROR message (e.g. 0x0001 NO-CIPHER-ERROR): a refusal.
    Sslv2Error(u16),
    /// A TLS alert record (its description): the server speaks TLS and refused SSL 2.0.
    TlsAlert(u8),
    /// A TLS handshake record: the server answered with TLS (never SSL 2.0).
    TlsHandshake,
}

/// Why bytes are not (yet) an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerError {
    /// More bytes are needed.
    Incomplete,
    /// The bytes are neither SSL 2.0 nor TLS.
    Garbage(&'static str),
}

/// Reads the server's first message from `b`.
pub fn parse_answer(b: &[u8]) -> Result<Answer, AnswerError> {
    let first = *b.first().ok_or(AnswerError::Incomplete)?;
    if first == 0x15 || first == 0x16 {
        // A TLS record: 5-byte header, version 3.x. s2n-tls answers with an alert whose record
        // version echoes the hello's 0x0002, with the usual 2-byte alert body.
        if b.len() < 5 {
            return Err(AnswerError::Incomplete);
        }
        let sslv2_echo = first == 0x15 && b[1..5] == [0, 2, 0, 2];
        if b[1] != 3 && !sslv2_echo {
            return Err(AnswerError::Garbage(
                "a record with a version that is not 3.x",
            ));
        }
        if first == 0x16 {
            return Ok(Answer::TlsHandshake);
        }
        return match b.get(6) {
            Some(&d) => Ok(Answer::TlsAlert(d)),
            None => Err(AnswerError::Incomplete),
        };
    }
    // SSL 2.0 record header: 2 bytes (high bit set) or 3 bytes (padding).
    let (len, at) = if first & 0x80 != 0 {
        (
            usize::from(first & 0x7f) << 8 | usize::from(*b.get(1).ok_or(AnswerError::Incomplete)?),
            2,
        )
    } else if first & 0x40 == 0 && b.len() >= 3 {
        (usize::from(first & 0x3f) << 8 | usize::from(b[1]), 3)
    } else if b.len() < 3 {
        return Err(AnswerError::Incomplete);
    } else {
        return Err(AnswerError::Garbage("not an SSL 2.0 record header"));
    };
    let msg = b.get(at..at + len).ok_or(AnswerError::Incomplete)?;
    match msg.first() {
        Some(0) if msg.len() == 3 => Ok(Answer::Sslv2Error(u16::from_be_bytes([msg[1], msg[2]]))),
        Some(4) => server_hello(msg),
        _ => Err(AnswerError::Garbage("neither SERVER-HELLO nor ERROR")),
    }
}

/// MSG-SERVER-HELLO: session-id-hit, certificate type, version, certificate length, cipher
/// specs length, connection-id length, then the three fields.
fn server_hello(msg: &[u8]) -> Result<Answer, AnswerError> {
    if msg.len() < 11 {
        return Err(AnswerError::Garbage(
            "a SERVER-HELLO shorter than its header",
        ));
    }
    let u16_at = |i: usize| usize::from(u16::from_be_bytes([msg[i], msg[i + 1]]));
    if u16_at(3) != 0x0002 {
        return Err(AnswerError::Garbage(
            "a SERVER-HELLO for a version other than 2",
        ));
    }
    let (cert_len, specs_len, conn_len) = (u16_at(5), u16_at(7), u16_at(9));
    if specs_len % 3 != 0 || specs_len == 0 || !(16..=32).contains(&conn_len) {
        return Err(AnswerError::Garbage("SERVER-HELLO lengths out of range"));
    }
    if msg.len() != 11 + cert_len + specs_len + conn_len {
        return Err(AnswerError::Garbage("SERVER-HELLO lengths do not add up"));
    }
    let certificate = msg[11..11 + cert_len].to_vec();
    let specs = msg[11 + cert_len..11 + cert_len + specs_len]
        .chunks(3)
        .map(|c| u32::from(c[0]) << 16 | u32::from(c[1]) << 8 | u32::from(c[2]))
        .collect();
    Ok(Answer::Accepted { specs, certificate })
}

/// A SERVER-HELLO carrying `certificate` and `specs` (for test responders).
pub fn server_hello_bytes(certificate: &[u8], specs: &[u32], connection_id: [u8; 16]) -> Vec<u8> {
    let mut body = vec![4, 0, 1, 0x00, 0x02]; // no session hit, X.509 certificate, version 2
    body.extend((certificate.len() as u16).to_be_bytes());
    body.extend(((specs.len() * 3) as u16).to_be_bytes());
    body.extend(16u16.to_be_bytes());
    body.extend(certificate);
    for s in specs {
        body.extend(&s.to_be_bytes()[1..]);
    }
    body.extend(connection_id);
    let mut rec = vec![0x80 | (body.len() >> 8) as u8, body.len() as u8];
    rec.extend(body);
    rec
}

/// The cipher kinds a CLIENT-HELLO (`b`, whole record) offers, or `None` when it is not one.
pub fn parse_client_hello_specs(b: &[u8]) -> Option<Vec<u32>> {
    if b.len() < 2 || b[0] & 0x80 == 0 {
        return None;
    }
    let len = usize::from(b[0] & 0x7f) << 8 | usize::from(b[1]);
    let msg = b.get(2..2 + len)?;
    if msg.len() < 9 || msg[0] != 1 {
        return None;
    }
    let specs_len = usize::from(u16::from_be_bytes([msg[3], msg[4]]));
    let specs = msg.get(9..9 + specs_len)?;
    Some(
        specs
            .chunks_exact(3)
            .map(|c| u32::from(c[0]) << 16 | u32::from(c[1]) << 8 | u32::from(c[2]))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_hello_round_trips_and_tls_is_never_sslv2() {
        let all: Vec<u32> = CIPHER_SPECS.iter().map(|c| c.code).collect();
        let hello = client_hello(&all, [7; 16]);
        assert_eq!(parse_client_hello_specs(&hello), Some(all.clone()));
        let sh = server_hello_bytes(b"cert-der", &[0x010080, 0x0700c0], [1; 16]);
        assert_eq!(
            parse_answer(&sh),
            Ok(Answer::Accepted {
                specs: vec![0x010080, 0x0700c0],
                certificate: b"cert-der".to_vec()
            })
        );
        for cut in 0..sh.len() {
            assert_eq!(
                parse_answer(&sh[..cut]),
                Err(AnswerError::Incomplete),
                "cut {cut}"
            );
        }
        // What OpenSSL 3 and GnuTLS answer: a TLS protocol_version alert.
        assert_eq!(
            parse_answer(&[0x15, 3, 3, 0, 2, 2, 70]),
            Ok(Answer::TlsAlert(70))
        );
        // What s2n-tls answers: the alert in a record that echoes version 0x0002.
        assert_eq!(
            parse_answer(&[0x15, 0, 2, 0, 2, 2, 70]),
            Ok(Answer::TlsAlert(70))
        );
        for other in [[0x15, 0, 2, 0, 9], [0x16, 0, 2, 0, 2], [0x15, 2, 0, 0, 2]] {
            assert!(
                matches!(parse_answer(&other), Err(AnswerError::Garbage(_))),
                "{other:?}"
            );
        }
        assert_eq!(parse_answer(&[0x16, 3, 1, 0, 40]), Ok(Answer::TlsHandshake));
        assert_eq!(parse_answer(&[0x80, 3, 0, 0, 1]), Ok(Answer::Sslv2Error(1)));
        assert!(matches!(
            parse_answer(b"HTTP/1.1 400"),
            Err(AnswerError::Garbage(_))
        ));
        let mut v3 = sh.clone();
        v3[6] = 3; // version 0x0003 in a SERVER-HELLO
        assert!(matches!(parse_answer(&v3), Err(AnswerError::Garbage(_))));
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            let n = (x % 48) as usize;
            let b: Vec<u8> = (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    [0x80, 0x04, 0x00, 0x02, 0x15, 0x03, 0x16, 0x10, 0xff][(x % 9) as usize]
                })
                .collect();
            let _ = parse_answer(&b);
            let _ = parse_client_hello_specs(&b);
        }
    }
}
