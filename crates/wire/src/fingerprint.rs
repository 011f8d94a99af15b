//! Parse a client's ClientHello (as read from the wire) and compute its JA3 and JA4
//! fingerprints. Pure: bytes in, values or typed errors out.
//!
//! - [`assemble_client_hello`] collects the first handshake message from a byte stream made of
//!   TLS records (the message may span several records); it says when more bytes are needed.
//! - [`parse_client_hello`] decodes the handshake message with `tls-parser` into a
//!   [`ClientHelloInfo`].
//! - [`ClientHelloInfo::ja3`] / [`ClientHelloInfo::ja4`] follow the published specifications
//!   (salesforce/ja3 README; FoxIO-LLC/ja4 `technical_details/JA4.md`), including their
//!   GREASE rules.

use md5::{Digest as _, Md5};
use serde::Serialize;
use sha2::Sha256;
use tls_parser::{TlsExtension, TlsMessage, TlsMessageHandshake};

use crate::error::WireError;
use crate::record::{parse_record, CONTENT_HANDSHAKE};

/// Why bytes could not be read as a ClientHello.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FingerprintError {
    /// The first record is not a TLS handshake record (e.g. plain HTTP, or SSLv2 framing).
    #[error("not a TLS handshake record (first bytes {0})")]
    NotTls(String),
    /// The client used the SSLv2-compatible ClientHello framing, which tlsfloor does not decode.
    #[error("SSLv2-format ClientHello is not supported")]
    Sslv2Hello,
    /// A record or the handshake message is malformed.
    #[error("malformed ClientHello: {0}")]
    Malformed(String),
    /// The first handshake message is not a ClientHello.
    #[error("first handshake message has type {0}, not ClientHello (1)")]
    NotClientHello(u8),
    /// The ClientHello is larger than the limit tlsfloor accepts.
    #[error("ClientHello larger than {0} bytes")]
    TooLarge(usize),
}

/// Largest ClientHello handshake message accepted (a few PQ key shares fit well within).
pub const MAX_CLIENT_HELLO: usize = 64 * 1024;

/// A ClientHello handshake message reassembled from the records that carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssembledHello {
    /// The version field of the first record header (e.g. 0x0301).
    pub record_version: u16,
    /// The complete handshake message: type (1), 24-bit length, body.
    pub message: Vec<u8>,
    /// How many bytes of the input the records carrying it occupy.
    pub consumed: usize,
}

/// Reassembles the first handshake message from `buf`, a byte stream starting at a record
/// boundary. `Ok(None)` means more bytes are needed.
pub fn assemble_client_hello(buf: &[u8]) -> Result<Option<AssembledHello>, FingerprintError> {
    if let Some(&b0) = buf.first() {
        if b0 & 0x80 != 0 && buf.get(2) == Some(&1) {
            return Err(FingerprintError::Sslv2Hello);
        }
        if b0 != CONTENT_HANDSHAKE {
            let head: Vec<String> = buf.iter().take(8).map(|b| format!("{b:02x}")).collect();
            return Err(FingerprintError::NotTls(head.join(" ")));
        }
    }
    let mut pos = 0usize;
    let mut message: Vec<u8> = Vec::new();
    let mut record_version = None;
    loop {
        let rest = &buf[pos..];
        // Checked before the framing so that any other record type reads as "not part of a
        // ClientHello" rather than as a framing error.
        if let Some(&t) = rest.first() {
            if t != CONTENT_HANDSHAKE {
                return Err(FingerprintError::Malformed(format!(
                    "record of type {t} inside the ClientHello"
                )));
            }
        }
        let (record, used) = match parse_record(rest) {
            Ok(Some(r)) => r,
            Ok(None) => return Ok(None),
            // The content type is a handshake's, so the framing only rejects the version.
            Err(WireError::NotTls { .. }) => {
                return Err(FingerprintError::NotTls(match rest.get(1..3) {
                    Some(v) => format!("record version 0x{:02x}{:02x}", v[0], v[1]),
                    None => format!("record version major {}", rest.get(1).unwrap_or(&0)),
                }))
            }
            Err(WireError::RecordOverflow { length, .. }) => {
                return Err(FingerprintError::Malformed(format!(
                    "record length {length}"
                )))
            }
            Err(e) => return Err(FingerprintError::Malformed(e.to_string())),
        };
        if record.fragment.is_empty() {
            return Err(FingerprintError::Malformed("record length 0".into()));
        }
        record_version.get_or_insert(record.version);
        message.extend_from_slice(record.fragment);
        pos += used;
        if message.len() >= 4 {
            if message[0] != 1 {
                return Err(FingerprintError::NotClientHello(message[0]));
            }
            let body_len = (usize::from(message[1]) << 16)
                | (usize::from(message[2]) << 8)
                | usize::from(message[3]);
            if body_len + 4 > MAX_CLIENT_HELLO {
                return Err(FingerprintError::TooLarge(MAX_CLIENT_HELLO));
            }
            if message.len() >= body_len + 4 {
                if message.len() > body_len + 4 {
                    // Another handshake message follows in the same record: not a ClientHello
                    // flight any client sends; keep only the ClientHello.
                    message.truncate(body_len + 4);
                }
                return Ok(Some(AssembledHello {
                    record_version: record_version.unwrap_or(0),
                    message,
                    consumed: pos,
                }));
            }
        }
    }
}

/// True for the GREASE values of RFC 8701 (0x0a0a, 0x1a1a, … 0xfafa): the codec's one check,
/// [`crate::suites::is_grease`], re-exported here for fingerprint users.
pub use crate::suites::is_grease;

/// One extension of a ClientHello, in the order the client sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfferedExtension {
    /// The extension type code.
    pub code: u16,
    /// Its registered name, when tlsfloor knows it (`grease` for GREASE values).
    pub name: Option<&'static str>,
    /// Length of its data in bytes.
    pub len: usize,
}

/// What a client offered in its ClientHello. Lists keep the client's order and include GREASE
/// values (the fingerprints drop them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientHelloInfo {
    /// Version field of the first record header.
    pub record_version: u16,
    /// `legacy_version` (the ClientHello version field).
    pub legacy_version: u16,
    /// Contents of the supported_versions extension (43), if sent.
    pub supported_versions: Option<Vec<u16>>,
    /// Cipher suite codes.
    pub cipher_suites: Vec<u16>,
    /// Compression methods.
    pub compression_methods: Vec<u8>,
    /// Extensions in order.
    pub extensions: Vec<OfferedExtension>,
    /// supported_groups (10), formerly elliptic_curves.
    pub groups: Vec<u16>,
    /// ec_point_formats (11).
    pub ec_point_formats: Vec<u8>,
    /// signature_algorithms (13).
    pub signature_algorithms: Vec<u16>,
    /// ALPN protocol names (16), lossily decoded as UTF-8.
    pub alpn: Vec<String>,
    /// The first ALPN protocol name's raw bytes (JA4 uses them).
    #[serde(skip)]
    pub alpn_first_raw: Option<Vec<u8>>,
    /// The host name from server_name (0), if sent.
    pub sni: Option<String>,
}

/// Decodes a ClientHello handshake message (type, 24-bit length, body), e.g.
/// [`AssembledHello::message`]. `record_version` is only carried along.
pub fn parse_client_hello(
    message: &[u8],
    record_version: u16,
) -> Result<ClientHelloInfo, FingerprintError> {
    let msg = match tls_parser::parse_tls_message_handshake(message) {
        Ok((_, msg)) => msg,
        Err(e) => return Err(FingerprintError::Malformed(format!("{e:?}"))),
    };
    let ch = match msg {
        TlsMessage::Handshake(TlsMessageHandshake::ClientHello(ch)) => ch,
        _ => {
            return Err(FingerprintError::NotClientHello(
                message.first().copied().unwrap_or(0),
            ))
        }
    };
    let mut info = ClientHelloInfo {
        record_version,
        legacy_version: ch.version.0,
        supported_versions: None,
        cipher_suites: ch.ciphers.iter().map(|c| c.0).collect(),
        compression_methods: ch.comp.iter().map(|c| c.0).collect(),
        extensions: Vec::new(),
        groups: Vec::new(),
        ec_point_formats: Vec::new(),
        signature_algorithms: Vec::new(),
        alpn: Vec::new(),
        alpn_first_raw: None,
        sni: None,
    };
    let mut rest = ch.ext.unwrap_or_default();
    while !rest.is_empty() {
        let (Some(code), Some(len)) = (be16(rest, 0), be16(rest, 2)) else {
            return Err(FingerprintError::Malformed(
                "truncated extension header".into(),
            ));
        };
        let end = 4 + usize::from(len);
        let Some(raw) = rest.get(..end) else {
            return Err(FingerprintError::Malformed(format!(
                "extension 0x{code:04x} overruns the ClientHello"
            )));
        };
        rest = &rest[end..];
        info.extensions.push(OfferedExtension {
            code,
            name: extension_name(code),
            len: usize::from(len),
        });
        if is_grease(code) {
            continue;
        }
        // Content of the extensions tlsfloor reports; one undecodable extension only loses
        // its content, never the whole ClientHello.
        if let Ok((_, ext)) = tls_parser::parse_tls_client_hello_extension(raw) {
            apply_extension(&mut info, ext);
        }
    }
    Ok(info)
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn apply_extension(info: &mut ClientHelloInfo, ext: TlsExtension<'_>) {
    match ext {
        TlsExtension::SNI(names) => {
            info.sni = names
                .iter()
                .find(|(t, _)| t.0 == 0)
                .map(|(_, n)| String::from_utf8_lossy(n).into_owned());
        }
        TlsExtension::EllipticCurves(groups) => info.groups = groups.iter().map(|g| g.0).collect(),
        TlsExtension::EcPointFormats(f) => info.ec_point_formats = f.to_vec(),
        TlsExtension::SignatureAlgorithms(s) => info.signature_algorithms = s,
        TlsExtension::ALPN(protos) => {
            info.alpn_first_raw = protos.first().map(|p| p.to_vec());
            info.alpn = protos
                .iter()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect();
        }
        TlsExtension::SupportedVersions(v) => {
            info.supported_versions = Some(v.iter().map(|v| v.0).collect())
        }
        _ => {}
    }
}

fn dash_join<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    items.map(|v| v.to_string()).collect::<Vec<_>>().join("-")
}

fn hex4_join(items: &[u16]) -> String {
    items
        .iter()
        .map(|v| format!("{v:04x}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn sha256_12(s: &str) -> String {
    let digest = Sha256::digest(s.as_bytes());
    hex::encode(digest)[..12].to_string()
}

impl ClientHelloInfo {
    /// The JA3 string: `SSLVersion,Ciphers,Extensions,EllipticCurves,EcPointFormats`, decimal
    /// values joined by `-`, GREASE values removed.
    pub fn ja3_string(&self) -> String {
        let nogrease = |v: &&u16| !is_grease(**v);
        format!(
            "{},{},{},{},{}",
            self.legacy_version,
            dash_join(self.cipher_suites.iter().filter(nogrease)),
            dash_join(
                self.extensions
                    .iter()
                    .map(|e| e.code)
                    .filter(|c| !is_grease(*c))
            ),
            dash_join(self.groups.iter().filter(nogrease)),
            dash_join(self.ec_point_formats.iter()),
        )
    }

    /// The JA3 fingerprint: lowercase hex MD5 of [`ja3_string`](Self::ja3_string).
    pub fn ja3(&self) -> String {
        hex::encode(Md5::digest(self.ja3_string().as_bytes()))
    }

    /// The highest non-GREASE version in supported_versions, else `legacy_version`.
    pub fn max_offered_version(&self) -> u16 {
        self.supported_versions
            .as_ref()
            .and_then(|v| v.iter().copied().filter(|v| !is_grease(*v)).max())
            .unwrap_or(self.legacy_version)
    }

    /// The first part of JA4 (`t13d1516h2`), for TLS over TCP.
    fn ja4_a(&self) -> String {
        let version = match self.max_offered_version() {
            0x0304 => "13",
            0x0303 => "12",
            0x0302 => "11",
            0x0301 => "10",
            0x0300 => "s3",
            0x0002 => "s2",
            0xfeff => "d1",
            0xfefd => "d2",
            0xfefc => "d3",
            _ => "00",
        };
        let sni = if self.extensions.iter().any(|e| e.code == 0) {
            'd'
        } else {
            'i'
        };
        let ciphers = self
            .cipher_suites
            .iter()
            .filter(|c| !is_grease(**c))
            .count()
            .min(99);
        let exts = self
            .extensions
            .iter()
            .filter(|e| !is_grease(e.code))
            .count()
            .min(99);
        format!(
            "t{version}{sni}{ciphers:02}{exts:02}{}",
            ja4_alpn(self.alpn_first_raw.as_deref())
        )
    }

    /// Cipher codes without GREASE: sorted (JA4, JA4_r) or in the client's order (JA4_o,
    /// JA4_ro).
    fn ja4_ciphers(&self, sorted: bool) -> Vec<u16> {
        let mut c: Vec<u16> = self
            .cipher_suites
            .iter()
            .copied()
            .filter(|c| !is_grease(*c))
            .collect();
        if sorted {
            c.sort_unstable();
        }
        c
    }

    /// Extension codes without GREASE: sorted and without SNI and ALPN (JA4, JA4_r), or all
    /// in the client's order (JA4_o, JA4_ro).
    fn ja4_extensions(&self, sorted: bool) -> Vec<u16> {
        let mut e: Vec<u16> = self
            .extensions
            .iter()
            .map(|e| e.code)
            .filter(|c| !is_grease(*c) && (!sorted || (*c != 0x0000 && *c != 0x0010)))
            .collect();
        if sorted {
            e.sort_unstable();
        }
        e
    }

    fn ja4_sigalgs(&self) -> Vec<u16> {
        self.signature_algorithms
            .iter()
            .copied()
            .filter(|s| !is_grease(*s))
            .collect()
    }

    /// The raw form `a_ciphers_extensions[_sigalgs]`, sorted or in the client's order.
    fn ja4_raw(&self, sorted: bool) -> String {
        let mut s = format!(
            "{}_{}_{}",
            self.ja4_a(),
            hex4_join(&self.ja4_ciphers(sorted)),
            hex4_join(&self.ja4_extensions(sorted))
        );
        let sig = self.ja4_sigalgs();
        if !sig.is_empty() {
            s.push('_');
            s.push_str(&hex4_join(&sig));
        }
        s
    }

    /// The hashed form `a_sha(ciphers)_sha(extensions[_sigalgs])`.
    fn ja4_hashed(&self, sorted: bool) -> String {
        let ciphers = self.ja4_ciphers(sorted);
        let b = if ciphers.is_empty() {
            "000000000000".to_string()
        } else {
            sha256_12(&hex4_join(&ciphers))
        };
        let exts = self.ja4_extensions(sorted);
        let c = if exts.is_empty() {
            "000000000000".to_string()
        } else {
            let mut s = hex4_join(&exts);
            let sig = self.ja4_sigalgs();
            if !sig.is_empty() {
                s.push('_');
                s.push_str(&hex4_join(&sig));
            }
            sha256_12(&s)
        };
        format!("{}_{b}_{c}", self.ja4_a())
    }

    /// The raw (unhashed, sorted) JA4: `a_ciphers_extensions[_sigalgs]`.
    pub fn ja4_r(&self) -> String {
        self.ja4_raw(true)
    }

    /// The JA4 fingerprint (TLS over TCP), e.g. `t13d1516h2_8daaf6152771_e5627efa2ab1`.
    pub fn ja4(&self) -> String {
        self.ja4_hashed(true)
    }

    /// JA4_o: JA4 over the client's original cipher and extension order (SNI and ALPN kept),
    /// which tells apart clients that differ only in order.
    pub fn ja4_o(&self) -> String {
        self.ja4_hashed(false)
    }

    /// JA4_ro: the raw form of [`ja4_o`](Self::ja4_o).
    pub fn ja4_ro(&self) -> String {
        self.ja4_raw(false)
    }
}

/// The two ALPN characters of JA4_a for the first ALPN value (`00` when absent or empty).
fn ja4_alpn(first: Option<&[u8]>) -> String {
    let Some(v) = first.filter(|v| !v.is_empty()) else {
        return "00".into();
    };
    let (f, l) = (v[0], v[v.len() - 1]);
    if f.is_ascii_alphanumeric() && l.is_ascii_alphanumeric() {
        format!("{}{}", f as char, l as char)
    } else {
        let h = hex::encode(v);
        let hb = h.as_bytes();
        format!("{}{}", hb[0] as char, hb[hb.len() - 1] as char)
    }
}

/// The registered name of a TLS extension type, `grease` for GREASE values.
pub fn extension_name(code: u16) -> Option<&'static str> {
    if is_grease(code) {
        return Some("grease");
    }
    Some(match code {
        0 => "server_name",
        1 => "max_fragment_length",
        5 => "status_request",
        10 => "supported_groups",
        11 => "ec_point_formats",
        13 => "signature_algorithms",
        14 => "use_srtp",
        15 => "heartbeat",
        16 => "application_layer_protocol_negotiation",
        17 => "status_request_v2",
        18 => "signed_certificate_timestamp",
        21 => "padding",
        22 => "encrypt_then_mac",
        23 => "extended_master_secret",
        27 => "compress_certificate",
        28 => "record_size_limit",
        34 => "delegated_credentials",
        35 => "session_ticket",
        41 => "pre_shared_key",
        42 => "early_data",
        43 => "supported_versions",
        44 => "cookie",
        45 => "psk_key_exchange_modes",
        47 => "certificate_authorities",
        49 => "post_handshake_auth",
        50 => "signature_algorithms_cert",
        51 => "key_share",
        57 => "quic_transport_parameters",
        13172 => "next_protocol_negotiation",
        17513 | 17613 => "application_settings",
        0xfe0d => "encrypted_client_hello",
        0xff01 => "renegotiation_info",
        _ => return None,
    })
}

/// The registered name of a supported group (named curve / FFDHE group), if known, from the
/// codec's one group table ([`crate::groups::known_group_name`]); `grease` for GREASE values.
pub fn group_name(code: u16) -> Option<&'static str> {
    if is_grease(code) {
        return Some("grease");
    }
    crate::groups::known_group_name(code)
}

/// The registered name of a TLS 1.2/1.3 signature scheme, if known.
pub fn signature_scheme_name(code: u16) -> Option<&'static str> {
    if is_grease(code) {
        return Some("grease");
    }
    Some(match code {
        0x0201 => "rsa_pkcs1_sha1",
        0x0203 => "ecdsa_sha1",
        0x0303 => "ecdsa_sha224",
        0x0301 => "rsa_pkcs1_sha224",
        0x0401 => "rsa_pkcs1_sha256",
        0x0403 => "ecdsa_secp256r1_sha256",
        0x0501 => "rsa_pkcs1_sha384",
        0x0503 => "ecdsa_secp384r1_sha384",
        0x0601 => "rsa_pkcs1_sha512",
        0x0603 => "ecdsa_secp521r1_sha512",
        0x0804 => "rsa_pss_rsae_sha256",
        0x0805 => "rsa_pss_rsae_sha384",
        0x0806 => "rsa_pss_rsae_sha512",
        0x0807 => "ed25519",
        0x0808 => "ed448",
        0x0809 => "rsa_pss_pss_sha256",
        0x080a => "rsa_pss_pss_sha384",
        0x080b => "rsa_pss_pss_sha512",
        0x081a => "ecdsa_brainpoolP256r1tls13_sha256",
        0x081b => "ecdsa_brainpoolP384r1tls13_sha384",
        0x081c => "ecdsa_brainpoolP512r1tls13_sha512",
        0x0202 => "dsa_sha1",
        0x0402 => "dsa_sha256",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a ClientHello record by hand (the bytes are written out, not produced by code
    /// under test).
    fn build_hello(legacy: u16, ciphers: &[u16], exts: &[(u16, Vec<u8>)]) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend_from_slice(&legacy.to_be_bytes());
        body.extend_from_slice(&[0x11; 32]); // random
        body.push(0); // session id
        body.extend_from_slice(&((ciphers.len() * 2) as u16).to_be_bytes());
        for c in ciphers {
            body.extend_from_slice(&c.to_be_bytes());
        }
        body.extend_from_slice(&[1, 0]); // null compression
        if !exts.is_empty() {
            let mut e = Vec::new();
            for (code, data) in exts {
                e.extend_from_slice(&code.to_be_bytes());
                e.extend_from_slice(&(data.len() as u16).to_be_bytes());
                e.extend_from_slice(data);
            }
            body.extend_from_slice(&(e.len() as u16).to_be_bytes());
            body.extend_from_slice(&e);
        }
        let mut msg = vec![1, 0, (body.len() >> 8) as u8, body.len() as u8];
        msg.extend_from_slice(&body);
        let mut rec = vec![22, 3, 1, (msg.len() >> 8) as u8, msg.len() as u8];
        rec.extend_from_slice(&msg);
        rec
    }

    fn u16_list(prefix_len_bytes: usize, items: &[u16]) -> Vec<u8> {
        let n = items.len() * 2;
        let mut v = if prefix_len_bytes == 2 {
            (n as u16).to_be_bytes().to_vec()
        } else {
            vec![n as u8]
        };
        for i in items {
            v.extend_from_slice(&i.to_be_bytes());
        }
        v
    }

    fn parse(rec: &[u8]) -> ClientHelloInfo {
        let a = assemble_client_hello(rec).unwrap().unwrap();
        assert_eq!(a.consumed, rec.len());
        parse_client_hello(&a.message, a.record_version).unwrap()
    }

    /// The JA3 README example: `769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0
    /// --> ada70206e40642a3e4461f35503241d5`. The ClientHello below offers exactly those values
    /// (TLS 1.0 = 769; extensions server_name, supported_groups, ec_point_formats), plus GREASE
    /// values that JA3 must ignore.
    #[test]
    fn ja3_matches_the_readme_example() {
        let sni = {
            let name = b"example.com";
            let mut entry = vec![0u8];
            entry.extend_from_slice(&(name.len() as u16).to_be_bytes());
            entry.extend_from_slice(name);
            let mut v = (entry.len() as u16).to_be_bytes().to_vec();
            v.extend_from_slice(&entry);
            v
        };
        let rec = build_hello(
            0x0301,
            &[
                0x0a0a, 47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4,
            ],
            &[
                (0x2a2a, vec![]),
                (0, sni),
                (10, u16_list(2, &[0x4a4a, 23, 24, 25])),
                (11, vec![1, 0]),
            ],
        );
        let info = parse(&rec);
        assert_eq!(info.sni.as_deref(), Some("example.com"));
        assert_eq!(
            info.ja3_string(),
            "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0"
        );
        // Hand computation: md5("769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0")
        // is the value the JA3 README publishes for this string.
        assert_eq!(info.ja3(), "ada70206e40642a3e4461f35503241d5");
    }

    /// The second README example: no extensions => empty trailing fields.
    #[test]
    fn ja3_without_extensions() {
        let rec = build_hello(0x0301, &[4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99], &[]);
        let info = parse(&rec);
        assert_eq!(info.ja3_string(), "769,4-5-10-9-100-98-3-6-19-18-99,,,");
        assert_eq!(info.ja3(), "de350869b8c85de67a350c8d186f11e6");
        // JA4 with no extensions: version from legacy_version, no SNI, 11 ciphers, 0 exts.
        assert!(info.ja4().starts_with("t10i110000_"));
        assert!(info.ja4().ends_with("_000000000000"));
    }

    /// The JA4 technical_details example: ciphers, extensions (in the order given there) and
    /// signature algorithms, with SNI and ALPN h2. Published: `t13d1516h2_8daaf6152771_e5627efa2ab1`.
    #[test]
    fn ja4_matches_the_spec_example() {
        let ciphers = [
            0x1a1a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
            0xc014, 0x009c, 0x009d, 0x002f, 0x0035,
        ];
        let sni = {
            let mut entry = vec![0u8, 0, 11];
            entry.extend_from_slice(b"example.com");
            let mut v = (entry.len() as u16).to_be_bytes().to_vec();
            v.extend_from_slice(&entry);
            v
        };
        let alpn = {
            let mut v = vec![0, 12, 2];
            v.extend_from_slice(b"h2");
            v.push(8);
            v.extend_from_slice(b"http/1.1");
            v
        };
        let sigalgs = [
            0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601,
        ];
        let order: [u16; 16] = [
            0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012,
            0x002b, 0xff01, 0x000b, 0x000a, 0x0015,
        ];
        let mut exts: Vec<(u16, Vec<u8>)> = vec![(0xdada, vec![])];
        for code in order {
            let data = match code {
                0x0000 => sni.clone(),
                0x0010 => alpn.clone(),
                0x000d => u16_list(2, &sigalgs),
                0x002b => u16_list(1, &[0x3a3a, 0x0304, 0x0303]),
                0x000a => u16_list(2, &[0x001d, 0x0017]),
                0x000b => vec![1, 0],
                _ => vec![],
            };
            exts.push((code, data));
        }
        let info = parse(&build_hello(0x0303, &ciphers, &exts));
        assert_eq!(info.alpn, vec!["h2".to_string(), "http/1.1".to_string()]);
        assert_eq!(info.supported_versions, Some(vec![0x3a3a, 0x0304, 0x0303]));
        assert_eq!(
            info.ja4_r(),
            "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_\
             0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_\
             0403,0804,0401,0503,0805,0501,0806,0601"
        );
        assert_eq!(info.ja4(), "t13d1516h2_8daaf6152771_e5627efa2ab1");
        // Original order: ciphers and extensions as sent, SNI (0000) and ALPN (0010) kept. The
        // cipher hash of this order is the one published with JA4_o samples (acb858a92679).
        assert_eq!(
            info.ja4_ro(),
            "t13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_\
             001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_\
             0403,0804,0401,0503,0805,0501,0806,0601"
        );
        assert!(
            info.ja4_o().starts_with("t13d1516h2_acb858a92679_"),
            "{}",
            info.ja4_o()
        );
        assert_ne!(info.ja4_o(), info.ja4());
    }

    /// The spec's hash of the extension list without signature algorithms: `6d807ffa2a79`.
    #[test]
    fn ja4_extension_hash_without_sigalgs() {
        assert_eq!(
            sha256_12("0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01"),
            "6d807ffa2a79"
        );
    }

    #[test]
    fn ja4_alpn_rules_from_the_spec() {
        assert_eq!(ja4_alpn(Some(b"h2")), "h2");
        assert_eq!(ja4_alpn(Some(b"http/1.1")), "h1");
        assert_eq!(ja4_alpn(Some(b"x")), "xx");
        assert_eq!(ja4_alpn(None), "00");
        assert_eq!(ja4_alpn(Some(b"")), "00");
        assert_eq!(ja4_alpn(Some(&[0xab])), "ab");
        assert_eq!(ja4_alpn(Some(&[0xab, 0xcd])), "ad");
        assert_eq!(ja4_alpn(Some(&[0x30, 0xab])), "3b");
        assert_eq!(ja4_alpn(Some(&[0x30, 0x31, 0xab, 0xcd])), "3d");
        assert_eq!(ja4_alpn(Some(&[0x30, 0xab, 0xcd, 0x31])), "01");
    }

    #[test]
    fn group_names_come_from_the_group_table() {
        assert_eq!(group_name(29), Some("x25519"));
        assert_eq!(group_name(23), Some("secp256r1"));
        assert_eq!(group_name(0x11ec), Some("X25519MLKEM768"));
        assert_eq!(group_name(0x3a3a), Some("grease"));
        assert_eq!(group_name(0x1234), None);
        for code in 0..=u16::MAX {
            if !is_grease(code) {
                assert_eq!(group_name(code), crate::groups::known_group_name(code));
            }
        }
    }

    #[test]
    fn framing_errors_are_typed() {
        // Record-layer major version 2 after a handshake content type.
        assert_eq!(
            assemble_client_hello(&[22, 2, 0, 0, 1, 1]),
            Err(FingerprintError::NotTls("record version 0x0200".into()))
        );
        // Longer than 2^14 + 2048.
        assert_eq!(
            assemble_client_hello(&[22, 3, 1, 0x48, 0x01]),
            Err(FingerprintError::Malformed("record length 18433".into()))
        );
        assert_eq!(
            assemble_client_hello(&[22, 3, 1, 0, 0]),
            Err(FingerprintError::Malformed("record length 0".into()))
        );
        // A first fragment, then an alert record instead of the rest of the ClientHello.
        assert_eq!(
            assemble_client_hello(&[22, 3, 1, 0, 4, 1, 0, 0, 9, 21, 3, 1, 0, 2, 2, 40]),
            Err(FingerprintError::Malformed(
                "record of type 21 inside the ClientHello".into()
            ))
        );
    }

    #[test]
    fn grease_values() {
        for v in [0x0a0a, 0x1a1a, 0xfafa] {
            assert!(is_grease(v));
        }
        for v in [0x0a1a, 0x1301, 0x0000, 0xff01] {
            assert!(!is_grease(v));
        }
    }

    #[test]
    fn reassembles_a_hello_split_over_records_and_asks_for_more() {
        let rec = build_hello(0x0303, &[0x1301, 0xc02f], &[(23, vec![])]);
        let msg = &rec[5..];
        let (a, b) = msg.split_at(10);
        let mut split = vec![22, 3, 1, 0, a.len() as u8];
        split.extend_from_slice(a);
        split.extend_from_slice(&[22, 3, 1, 0, b.len() as u8]);
        split.extend_from_slice(b);
        for cut in 0..split.len() {
            assert_eq!(assemble_client_hello(&split[..cut]), Ok(None), "cut {cut}");
        }
        let asm = assemble_client_hello(&split).unwrap().unwrap();
        assert_eq!(asm.message, msg);
        assert_eq!(asm.consumed, split.len());
        let info = parse_client_hello(&asm.message, asm.record_version).unwrap();
        assert_eq!(info.cipher_suites, vec![0x1301, 0xc02f]);
        assert_eq!(info.extensions[0].name, Some("extended_master_secret"));
    }

    #[test]
    fn rejects_non_tls_and_garbage_without_panicking() {
        assert!(matches!(
            assemble_client_hello(b"GET / HTTP/1.1\r\n"),
            Err(FingerprintError::NotTls(_))
        ));
        assert_eq!(
            assemble_client_hello(&[0x80, 0x2e, 0x01, 0x00, 0x02]),
            Err(FingerprintError::Sslv2Hello)
        );
        assert!(matches!(
            assemble_client_hello(&[22, 3, 1, 0, 4, 2, 0, 0, 0]),
            Err(FingerprintError::NotClientHello(2))
        ));
        assert!(parse_client_hello(&[1, 0, 0, 3, 3, 3, 0], 0x0301).is_err());
        // Truncated extension block inside an otherwise complete message.
        let mut rec = build_hello(0x0303, &[0x1301], &[(23, vec![])]);
        let n = rec.len();
        rec[n - 1] = 9; // claims a longer extension
        rec.push(0);
        let fixed_len = (rec.len() - 5) as u16;
        rec[3..5].copy_from_slice(&fixed_len.to_be_bytes());
        let body_len = rec.len() - 9;
        rec[6] = (body_len >> 16) as u8;
        rec[7] = (body_len >> 8) as u8;
        rec[8] = body_len as u8;
        if let Ok(Some(a)) = assemble_client_hello(&rec) {
            assert!(parse_client_hello(&a.message, a.record_version).is_err());
        }
        // Every prefix of every mutation is handled without a panic.
        let good = build_hello(0x0303, &[0x1301, 0x0a0a], &[(0, vec![0, 0]), (43, vec![2])]);
        for i in 5..good.len() {
            let mut m = good.clone();
            m[i] ^= 0xff;
            if let Ok(Some(a)) = assemble_client_hello(&m) {
                let _ = parse_client_hello(&a.message, a.record_version);
            }
        }
    }
}
