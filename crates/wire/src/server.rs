//! Parses what a server answers to a probe: ServerHello (including HelloRetryRequest and the
//! RFC 8446 downgrade markers), Certificate, the parameter prefix of ServerKeyExchange,
//! ServerHelloDone, and alerts. Handshake reassembly lives in [`HandshakeReader`].

use crate::error::WireError;
use crate::reader::Reader;
use crate::version::Version;

pub use crate::alert::*;
pub use crate::handshake::{HandshakeReader, MAX_HANDSHAKE_MESSAGE};

/// Handshake type: server_hello (also HelloRetryRequest in TLS 1.3).
pub const HANDSHAKE_SERVER_HELLO: u8 = 2;
/// Handshake type: certificate.
pub const HANDSHAKE_CERTIFICATE: u8 = 11;
/// Handshake type: server_key_exchange.
pub const HANDSHAKE_SERVER_KEY_EXCHANGE: u8 = 12;
/// Handshake type: server_hello_done.
pub const HANDSHAKE_SERVER_HELLO_DONE: u8 = 14;

/// ServerHello.random of a HelloRetryRequest: SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3).
pub const HELLO_RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// The first 7 bytes of the RFC 8446 §4.1.3 downgrade markers ("DOWNGRD").
pub const DOWNGRADE_PREFIX: [u8; 7] = *b"DOWNGRD";

/// One handshake message from the server's flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerMessage {
    /// ServerHello or HelloRetryRequest.
    Hello(ServerHello),
    /// Certificate: DER certificates, leaf first.
    Certificate(Vec<Vec<u8>>),
    /// ServerKeyExchange (parameter prefix only).
    KeyExchange(ServerKeyExchange),
    /// ServerHelloDone.
    HelloDone,
    /// Any other handshake message, by type (e.g. 13 CertificateRequest, 22 CertificateStatus).
    Other(u8),
}

/// A parsed ServerHello / HelloRetryRequest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHello {
    /// server_version / legacy_version.
    pub legacy_version: u16,
    /// ServerHello.random.
    pub random: [u8; 32],
    /// session_id / legacy_session_id_echo.
    pub session_id: Vec<u8>,
    /// The chosen cipher suite.
    pub cipher: u16,
    /// The chosen compression method (0 = null).
    pub compression: u8,
    /// Every extension as (type, data), in order.
    pub extensions: Vec<(u16, Vec<u8>)>,
    /// The version chosen in supported_versions (TLS 1.3), if present.
    pub selected_version: Option<u16>,
    /// The group in key_share (the server's share, or the group a HelloRetryRequest asks for).
    pub key_share_group: Option<u16>,
    /// True when random is the HelloRetryRequest value SHA-256("HelloRetryRequest").
    pub hello_retry_request: bool,
    /// The RFC 8446 §4.1.3 downgrade marker in the last 8 bytes of random, as the newest
    /// version it proves the server supports: `DOWNGRD\x01` => [`Version::Tls13`] (server
    /// negotiated TLS 1.2 but supports 1.3), `DOWNGRD\x00` => [`Version::Tls12`] (server
    /// negotiated TLS 1.1 or below but supports at least 1.2).
    pub downgrade_sentinel: Option<Version>,
}

impl ServerHello {
    /// The negotiated version: `selected_version` when present, else `legacy_version`
    /// (`None` when that code is not a version tlsfloor knows).
    pub fn version(&self) -> Option<Version> {
        Version::from_wire(self.selected_version.unwrap_or(self.legacy_version))
    }

    /// The data of the first extension of type `typ`.
    pub fn extension(&self, typ: u16) -> Option<&[u8]> {
        self.extensions
            .iter()
            .find(|(t, _)| *t == typ)
            .map(|(_, d)| d.as_slice())
    }

    /// True when the server sent renegotiation_info (RFC 5746 secure renegotiation).
    pub fn secure_renegotiation(&self) -> bool {
        self.extension(crate::client_hello::EXT_RENEGOTIATION_INFO)
            .is_some()
    }

    /// True when the server sent extended_master_secret (RFC 7627).
    pub fn extended_master_secret(&self) -> bool {
        self.extension(crate::client_hello::EXT_EXTENDED_MASTER_SECRET)
            .is_some()
    }
}

/// The key-exchange parameters a ServerKeyExchange announces (its prefix only: the
/// signature is not parsed or checked).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServerKeyExchange {
    /// ECDHE: the named curve (`None` for explicit curves).
    pub group: Option<u16>,
    /// DHE: the size of the prime p in bits.
    pub dh_bits: Option<u16>,
    /// RSA export suites: the size of the temporary RSA modulus in bits.
    pub rsa_bits: Option<u16>,
}

/// Parses a ServerHello body (after the 4-byte handshake header).
pub fn parse_server_hello(body: &[u8]) -> Result<ServerHello, WireError> {
    const W: &str = "ServerHello";
    let mut r = Reader::new(body);
    let legacy_version = r.u16(W)?;
    let mut random = [0u8; 32];
    random.copy_from_slice(r.take(32, "ServerHello random")?);
    let session_id = r.vec8("ServerHello session_id")?.to_vec();
    if session_id.len() > 32 {
        return Err(WireError::malformed(
            W,
            format!("session_id of {} bytes (max 32)", session_id.len()),
        ));
    }
    let cipher = r.u16(W)?;
    let compression = r.u8(W)?;
    let mut extensions = Vec::new();
    if !r.is_empty() {
        let mut er = Reader::new(r.vec16("ServerHello extensions")?);
        if !r.is_empty() {
            return Err(WireError::malformed(
                W,
                format!("{} trailing byte(s) after the extensions", r.remaining()),
            ));
        }
        while !er.is_empty() {
            let typ = er.u16("ServerHello extension")?;
            let data = er.vec16("ServerHello extension")?;
            extensions.push((typ, data.to_vec()));
        }
    }
    let hello_retry_request = random == HELLO_RETRY_REQUEST_RANDOM;
    let mut selected_version = None;
    let mut key_share_group = None;
    for (typ, data) in &extensions {
        match *typ {
            crate::client_hello::EXT_SUPPORTED_VERSIONS => {
                if data.len() != 2 {
                    return Err(WireError::malformed(
                        W,
                        format!("supported_versions of {} bytes (expected 2)", data.len()),
                    ));
                }
                selected_version = Some(u16::from_be_bytes([data[0], data[1]]));
            }
            crate::client_hello::EXT_KEY_SHARE => {
                let mut kr = Reader::new(data);
                key_share_group = Some(kr.u16("ServerHello key_share")?);
                if !hello_retry_request {
                    kr.vec16("ServerHello key_share")?;
                }
            }
            _ => {}
        }
    }
    let downgrade_sentinel = if hello_retry_request || random[24..31] != DOWNGRADE_PREFIX {
        None
    } else {
        match random[31] {
            1 => Some(Version::Tls13),
            0 => Some(Version::Tls12),
            _ => None,
        }
    };
    Ok(ServerHello {
        legacy_version,
        random,
        session_id,
        cipher,
        compression,
        extensions,
        selected_version,
        key_share_group,
        hello_retry_request,
        downgrade_sentinel,
    })
}

/// Parses a Certificate body into DER certificates, leaf first. Accepts the TLS 1.0–1.2
/// layout and, failing that, the TLS 1.3 one (request context and per-entry extensions).
pub fn parse_certificate(body: &[u8]) -> Result<Vec<Vec<u8>>, WireError> {
    parse_certificate_12(body).or_else(|e| parse_certificate_13(body).map_err(|_| e))
}

fn parse_certificate_12(body: &[u8]) -> Result<Vec<Vec<u8>>, WireError> {
    let mut r = Reader::new(body);
    let mut list = Reader::new(r.vec24("Certificate list")?);
    if !r.is_empty() {
        return Err(WireError::malformed(
            "Certificate",
            format!("{} trailing byte(s)", r.remaining()),
        ));
    }
    let mut certs = Vec::new();
    while !list.is_empty() {
        certs.push(list.vec24("Certificate entry")?.to_vec());
    }
    Ok(certs)
}

fn parse_certificate_13(body: &[u8]) -> Result<Vec<Vec<u8>>, WireError> {
    let mut r = Reader::new(body);
    r.vec8("Certificate request_context")?;
    let mut list = Reader::new(r.vec24("Certificate list")?);
    if !r.is_empty() {
        return Err(WireError::malformed("Certificate", "trailing bytes"));
    }
    let mut certs = Vec::new();
    while !list.is_empty() {
        certs.push(list.vec24("Certificate entry")?.to_vec());
        list.vec16("Certificate entry extensions")?;
    }
    Ok(certs)
}

/// Parses the parameter prefix of a ServerKeyExchange body. `kx` is the negotiated suite's
/// [`CipherSuite::kx`](crate::suites::CipherSuite::kx) — the layout depends on it:
/// `ECDHE`/`ECDH` (ECParameters), `DHE`/`DH` (ServerDHParams), `RSA` (export RSA key),
/// `PSK` (identity hint), and the combined `DHE_PSK`/`ECDHE_PSK`/`RSA_PSK` (hint first).
/// With `None` or an unknown kx the layout is guessed (EC when the first byte is 3, else DH),
/// and an unparseable body gives an empty [`ServerKeyExchange`] rather than an error.
pub fn parse_server_key_exchange(
    body: &[u8],
    kx: Option<&str>,
) -> Result<ServerKeyExchange, WireError> {
    let kx = kx.map(str::to_ascii_uppercase);
    let mut r = Reader::new(body);
    match kx.as_deref() {
        Some("ECDHE" | "ECDH") => ec_params(&mut r),
        Some("DHE" | "DH") => dh_params(&mut r),
        Some("RSA") => rsa_params(&mut r),
        Some("PSK" | "RSA_PSK") => {
            r.vec16("ServerKeyExchange psk_identity_hint")?;
            Ok(ServerKeyExchange::default())
        }
        Some("DHE_PSK") => {
            r.vec16("ServerKeyExchange psk_identity_hint")?;
            dh_params(&mut r)
        }
        Some("ECDHE_PSK") => {
            r.vec16("ServerKeyExchange psk_identity_hint")?;
            ec_params(&mut r)
        }
        _ => {
            let guess = if body.first() == Some(&3) {
                ec_params(&mut r)
            } else {
                dh_params(&mut r)
            };
            Ok(guess.unwrap_or_default())
        }
    }
}

fn ec_params(r: &mut Reader<'_>) -> Result<ServerKeyExchange, WireError> {
    const W: &str = "ServerKeyExchange ECParameters";
    match r.u8(W)? {
        3 => {
            let group = r.u16(W)?;
            let point = r.vec8("ServerKeyExchange ECPoint")?;
            if point.is_empty() {
                return Err(WireError::malformed(W, "empty public point"));
            }
            Ok(ServerKeyExchange {
                group: Some(group),
                ..Default::default()
            })
        }
        1 | 2 => Ok(ServerKeyExchange::default()), // explicit curves: no named group
        t => Err(WireError::malformed(W, format!("unknown curve_type {t}"))),
    }
}

fn dh_params(r: &mut Reader<'_>) -> Result<ServerKeyExchange, WireError> {
    let p = r.vec16("ServerKeyExchange dh_p")?;
    r.vec16("ServerKeyExchange dh_g")?;
    r.vec16("ServerKeyExchange dh_Ys")?;
    match bit_length(p) {
        0 => Err(WireError::malformed(
            "ServerKeyExchange",
            "DH prime p is zero",
        )),
        bits => Ok(ServerKeyExchange {
            dh_bits: Some(bits),
            ..Default::default()
        }),
    }
}

fn rsa_params(r: &mut Reader<'_>) -> Result<ServerKeyExchange, WireError> {
    let modulus = r.vec16("ServerKeyExchange rsa_modulus")?;
    r.vec16("ServerKeyExchange rsa_exponent")?;
    Ok(ServerKeyExchange {
        rsa_bits: Some(bit_length(modulus)),
        ..Default::default()
    })
}

/// Bit length of a big-endian unsigned integer (leading zero bytes ignored), saturating at
/// `u16::MAX`.
pub fn bit_length(be: &[u8]) -> u16 {
    let Some(first) = be.iter().position(|&b| b != 0) else {
        return 0;
    };
    let bits = (be.len() - first - 1) * 8 + (8 - be[first].leading_zeros() as usize);
    u16::try_from(bits).unwrap_or(u16::MAX)
}

/// Parses one handshake message body of type `typ` into a [`ServerMessage`]; `kx_hint` is
/// used for ServerKeyExchange (see [`parse_server_key_exchange`]).
pub fn parse_message(
    typ: u8,
    body: &[u8],
    kx_hint: Option<&str>,
) -> Result<ServerMessage, WireError> {
    Ok(match typ {
        HANDSHAKE_SERVER_HELLO => ServerMessage::Hello(parse_server_hello(body)?),
        HANDSHAKE_CERTIFICATE => ServerMessage::Certificate(parse_certificate(body)?),
        HANDSHAKE_SERVER_KEY_EXCHANGE => {
            ServerMessage::KeyExchange(parse_server_key_exchange(body, kx_hint)?)
        }
        HANDSHAKE_SERVER_HELLO_DONE => ServerMessage::HelloDone,
        other => ServerMessage::Other(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn hrr_random_is_sha256_of_its_name() {
        let digest = Sha256::digest(b"HelloRetryRequest");
        assert_eq!(digest.as_slice(), &HELLO_RETRY_REQUEST_RANDOM);
    }

    #[test]
    fn bit_lengths() {
        assert_eq!(bit_length(&[]), 0);
        assert_eq!(bit_length(&[0, 0]), 0);
        assert_eq!(bit_length(&[0, 1]), 1);
        assert_eq!(bit_length(&[0x80, 0]), 16);
        assert_eq!(bit_length(&[0, 0x7f, 0xff]), 15);
    }

    #[test]
    fn downgrade_markers() {
        let mut body = vec![3, 3];
        let mut random = [7u8; 32];
        random[24..31].copy_from_slice(b"DOWNGRD");
        random[31] = 1;
        body.extend_from_slice(&random);
        body.extend_from_slice(&[0, 0xc0, 0x2f, 0]);
        let sh = parse_server_hello(&body).unwrap();
        assert_eq!(sh.downgrade_sentinel, Some(Version::Tls13));
        assert_eq!(sh.version(), Some(Version::Tls12));
        assert!(sh.extensions.is_empty());
        body[33] = 0;
        assert_eq!(
            parse_server_hello(&body).unwrap().downgrade_sentinel,
            Some(Version::Tls12)
        );
        body[33] = 2;
        assert_eq!(parse_server_hello(&body).unwrap().downgrade_sentinel, None);
    }

    #[test]
    fn key_exchange_layouts() {
        // ECParameters: named_curve(3) secp384r1(24), point len 3.
        let ec = [3, 0, 24, 3, 4, 1, 2, 0xde, 0xad];
        assert_eq!(
            parse_server_key_exchange(&ec, Some("ECDHE")).unwrap().group,
            Some(24)
        );
        assert_eq!(
            parse_server_key_exchange(&ec, None).unwrap().group,
            Some(24)
        );
        // ServerDHParams: p = 0x00ff (8 bits after the leading zero byte), g = 2, Ys = 5.
        let dh = [0, 2, 0, 0xff, 0, 1, 2, 0, 1, 5];
        assert_eq!(
            parse_server_key_exchange(&dh, Some("DHE")).unwrap().dh_bits,
            Some(8)
        );
        let mut dh_psk = vec![0, 1, b'h'];
        dh_psk.extend_from_slice(&dh);
        assert_eq!(
            parse_server_key_exchange(&dh_psk, Some("DHE_PSK"))
                .unwrap()
                .dh_bits,
            Some(8)
        );
        assert!(parse_server_key_exchange(&dh[..5], Some("DHE")).is_err());
        assert!(parse_server_key_exchange(&[9, 0, 24], Some("ECDHE")).is_err());
        assert_eq!(
            parse_server_key_exchange(&[0xff], None).unwrap(),
            ServerKeyExchange::default()
        );
    }

    #[test]
    fn certificates_both_layouts() {
        // TLS 1.2: list len 7 = (3 + 2) + (3 + 0)... two entries "ab" and "".
        let c12 = [0, 0, 8, 0, 0, 2, b'a', b'b', 0, 0, 0];
        assert_eq!(
            parse_certificate(&c12).unwrap(),
            vec![b"ab".to_vec(), Vec::new()]
        );
        // TLS 1.3: empty context, one entry "xy" with no extensions.
        let c13 = [0, 0, 0, 7, 0, 0, 2, b'x', b'y', 0, 0];
        assert_eq!(parse_certificate(&c13).unwrap(), vec![b"xy".to_vec()]);
        assert!(parse_certificate(&[0, 0, 9, 0]).is_err());
    }
}
