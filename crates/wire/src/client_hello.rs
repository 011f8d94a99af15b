//! Builds probe ClientHellos for SSLv3 … TLS 1.3 with exactly the suites, groups and
//! extensions a scan needs (RFC 5246 §7.4.1.2, RFC 8446 §4.1.2).

use crate::groups::{LEGACY_EC_GROUPS, TLS13_GROUPS};
use crate::reader::put_vec;
use crate::record::{encode_records, CONTENT_HANDSHAKE};
use crate::suites::TLS_EMPTY_RENEGOTIATION_INFO_SCSV;
use crate::version::Version;

/// Handshake type of ClientHello.
pub const HANDSHAKE_CLIENT_HELLO: u8 = 1;

/// Extension type: server_name (RFC 6066).
pub const EXT_SERVER_NAME: u16 = 0;
/// Extension type: supported_groups (RFC 8422 / RFC 8446).
pub const EXT_SUPPORTED_GROUPS: u16 = 10;
/// Extension type: ec_point_formats (RFC 8422).
pub const EXT_EC_POINT_FORMATS: u16 = 11;
/// Extension type: signature_algorithms (RFC 5246 / RFC 8446).
pub const EXT_SIGNATURE_ALGORITHMS: u16 = 13;
/// Extension type: application_layer_protocol_negotiation (RFC 7301).
pub const EXT_ALPN: u16 = 16;
/// Extension type: padding (RFC 7685).
pub const EXT_PADDING: u16 = 21;
/// Extension type: extended_master_secret (RFC 7627).
pub const EXT_EXTENDED_MASTER_SECRET: u16 = 23;
/// Extension type: session_ticket (RFC 5077).
pub const EXT_SESSION_TICKET: u16 = 35;
/// Extension type: supported_versions (RFC 8446).
pub const EXT_SUPPORTED_VERSIONS: u16 = 43;
/// Extension type: psk_key_exchange_modes (RFC 8446).
pub const EXT_PSK_KEY_EXCHANGE_MODES: u16 = 45;
/// Extension type: key_share (RFC 8446).
pub const EXT_KEY_SHARE: u16 = 51;
/// Extension type: renegotiation_info (RFC 5746).
pub const EXT_RENEGOTIATION_INFO: u16 = 0xff01;

/// A broad signature_algorithms list: every scheme a server might need to sign with,
/// including legacy SHA-1/MD5/SHA-224 and DSA ones, so the list never decides the outcome.
pub const BROAD_SIGNATURE_ALGORITHMS: &[u16] = &[
    0x0403, 0x0503, 0x0603, // ecdsa_secp256r1_sha256, _secp384r1_sha384, _secp521r1_sha512
    0x0807, 0x0808, // ed25519, ed448
    0x081a, 0x081b, 0x081c, // ecdsa_brainpoolP256r1tls13_sha256 … P512
    0x0804, 0x0805, 0x0806, // rsa_pss_rsae_sha256/384/512
    0x0809, 0x080a, 0x080b, // rsa_pss_pss_sha256/384/512
    0x0401, 0x0501, 0x0601, // rsa_pkcs1_sha256/384/512
    0x0303, 0x0301, 0x0302, // ecdsa_sha224, rsa_sha224, dsa_sha224
    0x0402, 0x0502, 0x0602, // dsa_sha256/384/512
    0x0203, 0x0201, 0x0202, // ecdsa_sha1, rsa_pkcs1_sha1, dsa_sha1
    0x0101, // rsa_md5
];

/// One key_share entry (RFC 8446 §4.2.8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyShare {
    /// The named group.
    pub group: u16,
    /// The public value (key_exchange), encoded as the group requires.
    pub public: Vec<u8>,
}

// The P-256 base point G, uncompressed (SEC 1 §2.3.3): a valid public key (private key 1).
const P256_G: [u8; 65] = [
    0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40,
    0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2,
    0x96, 0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e,
    0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51,
    0xf5,
];

// The P-384 base point G, uncompressed.
const P384_G: [u8; 97] = [
    0x04, 0xaa, 0x87, 0xca, 0x22, 0xbe, 0x8b, 0x05, 0x37, 0x8e, 0xb1, 0xc7, 0x1e, 0xf3, 0x20, 0xad,
    0x74, 0x6e, 0x1d, 0x3b, 0x62, 0x8b, 0xa7, 0x9b, 0x98, 0x59, 0xf7, 0x41, 0xe0, 0x82, 0x54, 0x2a,
    0x38, 0x55, 0x02, 0xf2, 0x5d, 0xbf, 0x55, 0x29, 0x6c, 0x3a, 0x54, 0x5e, 0x38, 0x72, 0x76, 0x0a,
    0xb7, 0x36, 0x17, 0xde, 0x4a, 0x96, 0x26, 0x2c, 0x6f, 0x5d, 0x9e, 0x98, 0xbf, 0x92, 0x92, 0xdc,
    0x29, 0xf8, 0xf4, 0x1d, 0xbd, 0x28, 0x9a, 0x14, 0x7c, 0xe9, 0xda, 0x31, 0x13, 0xb5, 0xf0, 0xb8,
    0xc0, 0x0a, 0x60, 0xb1, 0xce, 0x1d, 0x7e, 0x81, 0x9d, 0x7a, 0x43, 0x1d, 0x7c, 0x90, 0xea, 0x0e,
    0x5f,
];

impl KeyShare {
    /// A syntactically valid public value for `group`, enough to make a server answer with a
    /// ServerHello (the probe never finishes the handshake, so no private key is needed):
    /// the curve's base point for x25519, x448, secp256r1 and secp384r1, and the generator 2
    /// (left-padded to the prime's size) for the RFC 7919 ffdhe groups. `None` for other groups.
    pub fn placeholder(group: u16) -> Option<KeyShare> {
        let public = match group {
            29 => {
                let mut k = vec![0u8; 32];
                k[0] = 9; // RFC 7748 base point u = 9 (little-endian)
                k
            }
            30 => {
                let mut k = vec![0u8; 56];
                k[0] = 5; // RFC 7748 base point u = 5
                k
            }
            23 => P256_G.to_vec(),
            24 => P384_G.to_vec(),
            256..=260 => {
                let len = [256usize, 384, 512, 768, 1024][usize::from(group - 256)];
                let mut k = vec![0u8; len];
                k[len - 1] = 2;
                k
            }
            _ => return None,
        };
        Some(KeyShare { group, public })
    }
}

/// Everything a probe ClientHello contains. Build one with [`ClientHelloSpec::for_version`]
/// and adjust fields; [`encode_handshake`](Self::encode_handshake) /
/// [`encode_record`](Self::encode_record) give the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHelloSpec {
    /// Version in the record header(s), e.g. 0x0301.
    pub record_version: u16,
    /// ClientHello.client_version (legacy_version in TLS 1.3).
    pub client_version: u16,
    /// ClientHello.random.
    pub random: [u8; 32],
    /// legacy_session_id (at most 32 bytes are sent).
    pub session_id: Vec<u8>,
    /// Cipher suite codes, in preference order (SCSVs included as given).
    pub suites: Vec<u16>,
    /// server_name host name. Not sent when it is an IP address literal (RFC 6066 §3).
    pub sni: Option<String>,
    /// supported_groups (empty: extension not sent).
    pub groups: Vec<u16>,
    /// Send ec_point_formats with `uncompressed`.
    pub ec_point_formats: bool,
    /// signature_algorithms (empty: extension not sent).
    pub signature_algorithms: Vec<u16>,
    /// supported_versions (empty: extension not sent).
    pub supported_versions: Vec<u16>,
    /// key_share entries. The extension is sent when this is non-empty or when
    /// `supported_versions` offers TLS 1.3 (an empty list asks for a HelloRetryRequest).
    pub key_shares: Vec<KeyShare>,
    /// Signal secure renegotiation: the renegotiation_info extension, or, when `extensions`
    /// is false, the `TLS_EMPTY_RENEGOTIATION_INFO_SCSV` suite (appended if missing).
    pub renegotiation_info: bool,
    /// Send extended_master_secret.
    pub extended_master_secret: bool,
    /// Send an empty session_ticket extension.
    pub session_ticket: bool,
    /// ALPN protocol names (empty: extension not sent; names that are empty or longer than
    /// 255 bytes are skipped).
    pub alpn: Vec<String>,
    /// Send psk_key_exchange_modes with psk_dhe_ke.
    pub psk_key_exchange_modes: bool,
    /// False: no extension block at all (SSLv3 style); every extension field is ignored.
    ///
    /// When true and the encoded handshake message would be 256–511 bytes long, a padding
    /// extension (RFC 7685) is appended to make it 512 bytes: some TLS terminators (F5) hang
    /// on ClientHellos of that size.
    pub extensions: bool,
}

impl ClientHelloSpec {
    /// Probe defaults for `v` offering `suites`:
    /// - SSLv3: versions 0x0300, no extensions.
    /// - TLS 1.0/1.1: record 0x0301, supported_groups (the EC groups of
    ///   [`LEGACY_EC_GROUPS`]), ec_point_formats, renegotiation_info; set `sni` yourself.
    /// - TLS 1.2: the same plus a broad signature_algorithms list
    ///   ([`BROAD_SIGNATURE_ALGORITHMS`]) and extended_master_secret.
    /// - TLS 1.3: client_version 0x0303, supported_versions `[0x0304]`, [`TLS13_GROUPS`],
    ///   signature_algorithms, psk_key_exchange_modes, and an empty key_share list for the
    ///   caller to fill (see [`KeyShare::placeholder`]).
    ///
    /// `random` is all zero: the caller sets it.
    pub fn for_version(v: Version, suites: Vec<u16>) -> Self {
        let mut spec = ClientHelloSpec {
            record_version: 0x0301,
            client_version: v.wire(),
            random: [0; 32],
            session_id: Vec::new(),
            suites,
            sni: None,
            groups: LEGACY_EC_GROUPS.to_vec(),
            ec_point_formats: true,
            signature_algorithms: Vec::new(),
            supported_versions: Vec::new(),
            key_shares: Vec::new(),
            renegotiation_info: true,
            extended_master_secret: false,
            session_ticket: false,
            alpn: Vec::new(),
            psk_key_exchange_modes: false,
            extensions: true,
        };
        match v {
            Version::Ssl30 => {
                spec.record_version = 0x0300;
                spec.extensions = false;
                spec.groups.clear();
                spec.ec_point_formats = false;
                spec.renegotiation_info = false;
            }
            Version::Tls10 | Version::Tls11 => {}
            Version::Tls12 => {
                spec.signature_algorithms = BROAD_SIGNATURE_ALGORITHMS.to_vec();
                spec.extended_master_secret = true;
            }
            Version::Tls13 => {
                spec.client_version = 0x0303;
                spec.groups = TLS13_GROUPS.to_vec();
                spec.ec_point_formats = false;
                spec.renegotiation_info = false;
                spec.signature_algorithms = BROAD_SIGNATURE_ALGORITHMS.to_vec();
                spec.supported_versions = vec![0x0304];
                spec.psk_key_exchange_modes = true;
            }
        }
        spec
    }

    /// The ClientHello handshake message: type 1, 24-bit length, body.
    pub fn encode_handshake(&self) -> Vec<u8> {
        let body = self.encode_body();
        let mut out = Vec::with_capacity(body.len() + 4);
        out.push(HANDSHAKE_CLIENT_HELLO);
        put_vec(&mut out, 3, &body);
        out
    }

    /// [`encode_handshake`](Self::encode_handshake) wrapped in handshake record(s) with
    /// `record_version`, split into several records when longer than 2^14 bytes.
    pub fn encode_record(&self) -> Vec<u8> {
        encode_records(
            CONTENT_HANDSHAKE,
            self.record_version,
            &self.encode_handshake(),
        )
    }

    fn encode_body(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(512);
        b.extend_from_slice(&self.client_version.to_be_bytes());
        b.extend_from_slice(&self.random);
        put_vec(&mut b, 1, &self.session_id[..self.session_id.len().min(32)]);

        let mut suites: Vec<u16> = self.suites.clone();
        if !self.extensions
            && self.renegotiation_info
            && !suites.contains(&TLS_EMPTY_RENEGOTIATION_INFO_SCSV)
        {
            suites.push(TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
        }
        suites.truncate(0x7fff);
        put_vec(&mut b, 2, &u16s(&suites));
        put_vec(&mut b, 1, &[0]); // compression_methods: null only

        if self.extensions {
            let mut ext = self.encode_extensions();
            if !ext.is_empty() {
                // RFC 7685 padding, as BoringSSL/NSS do: some TLS terminators (F5) hang on
                // ClientHello messages of 256..=511 bytes, so grow those to 512.
                let unpadded = 4 + b.len() + 2 + ext.len();
                if (256..512).contains(&unpadded) {
                    let pad = (512 - unpadded).saturating_sub(4).max(1);
                    self::ext(&mut ext, EXT_PADDING, &vec![0; pad]);
                }
                put_vec(&mut b, 2, &ext);
            }
        }
        b
    }

    fn encode_extensions(&self) -> Vec<u8> {
        let mut e = Vec::new();
        if let Some(host) = self.sni.as_deref().filter(|h| is_dns_name(h)) {
            let mut list = vec![0u8]; // name_type host_name
            put_vec(&mut list, 2, host.as_bytes());
            let mut data = Vec::new();
            put_vec(&mut data, 2, &list);
            ext(&mut e, EXT_SERVER_NAME, &data);
        }
        if !self.groups.is_empty() {
            ext(&mut e, EXT_SUPPORTED_GROUPS, &vec16(&u16s(&self.groups)));
        }
        if self.ec_point_formats {
            ext(&mut e, EXT_EC_POINT_FORMATS, &[1, 0]); // uncompressed
        }
        if !self.signature_algorithms.is_empty() {
            let data = vec16(&u16s(&self.signature_algorithms));
            ext(&mut e, EXT_SIGNATURE_ALGORITHMS, &data);
        }
        let protos: Vec<&String> = self
            .alpn
            .iter()
            .filter(|p| !p.is_empty() && p.len() <= 255)
            .collect();
        if !protos.is_empty() {
            let mut list = Vec::new();
            for p in protos {
                put_vec(&mut list, 1, p.as_bytes());
            }
            ext(&mut e, EXT_ALPN, &vec16(&list));
        }
        if self.extended_master_secret {
            ext(&mut e, EXT_EXTENDED_MASTER_SECRET, &[]);
        }
        if self.session_ticket {
            ext(&mut e, EXT_SESSION_TICKET, &[]);
        }
        if !self.supported_versions.is_empty() {
            let mut data = Vec::new();
            let versions = &self.supported_versions[..self.supported_versions.len().min(127)];
            put_vec(&mut data, 1, &u16s(versions));
            ext(&mut e, EXT_SUPPORTED_VERSIONS, &data);
        }
        if self.psk_key_exchange_modes {
            ext(&mut e, EXT_PSK_KEY_EXCHANGE_MODES, &[1, 1]); // psk_dhe_ke
        }
        if !self.key_shares.is_empty() || self.supported_versions.contains(&0x0304) {
            let mut list = Vec::new();
            for ks in &self.key_shares {
                list.extend_from_slice(&ks.group.to_be_bytes());
                put_vec(&mut list, 2, &ks.public);
            }
            ext(&mut e, EXT_KEY_SHARE, &vec16(&list));
        }
        if self.renegotiation_info {
            ext(&mut e, EXT_RENEGOTIATION_INFO, &[0]); // empty renegotiated_connection
        }
        e
    }
}

fn u16s(v: &[u16]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_be_bytes()).collect()
}

fn vec16(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 2);
    put_vec(&mut out, 2, data);
    out
}

fn ext(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
    out.extend_from_slice(&typ.to_be_bytes());
    put_vec(out, 2, data);
}

/// A host name that may go into server_name: not an IP literal, not empty, not too long.
fn is_dns_name(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host.parse::<std::net::IpAddr>().is_err()
        && !host.starts_with('[')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslv3_has_no_extension_block() {
        let mut spec = ClientHelloSpec::for_version(Version::Ssl30, vec![0x000a]);
        spec.sni = Some("example.com".into());
        let hs = spec.encode_handshake();
        // type + len(3) + version(2) + random(32) + sid len(1) + suites(2+2) + comp(1+1)
        assert_eq!(hs.len(), 4 + 2 + 32 + 1 + 4 + 2);
        assert_eq!(&hs[..6], &[1, 0, 0, 41, 3, 0]);
        let rec = spec.encode_record();
        assert_eq!(&rec[..5], &[22, 3, 0, 0, 45]);
    }

    #[test]
    fn scsv_replaces_extension_without_extensions() {
        let mut spec = ClientHelloSpec::for_version(Version::Ssl30, vec![0x0004]);
        spec.renegotiation_info = true;
        let hs = spec.encode_handshake();
        assert_eq!(&hs[39..45], &[0, 4, 0, 4, 0, 0xff]);
    }

    #[test]
    fn ip_literal_is_not_sent_as_sni() {
        let mut spec = ClientHelloSpec::for_version(Version::Tls12, vec![0xc02f]);
        spec.sni = Some("127.0.0.1".into());
        let without = spec.encode_handshake();
        spec.sni = None;
        assert_eq!(without, spec.encode_handshake());
    }

    #[test]
    fn large_hello_is_split_into_records() {
        let mut spec = ClientHelloSpec::for_version(Version::Tls13, vec![0x1301]);
        spec.key_shares.push(KeyShare {
            group: 0x11ec,
            public: vec![0x42; 20000],
        });
        let rec = spec.encode_record();
        let hs = spec.encode_handshake();
        assert!(hs.len() > 16384);
        assert_eq!(rec.len(), hs.len() + 10);
        assert_eq!(&rec[3..5], &16384u16.to_be_bytes());
    }

    #[test]
    fn hellos_of_256_to_511_bytes_are_padded_to_512() {
        let mut padded = 0;
        for n in 1..300 {
            let spec = ClientHelloSpec::for_version(Version::Tls10, vec![0x002f; n]);
            let hs = spec.encode_handshake();
            assert!(
                !(256..512).contains(&hs.len()),
                "{n} suites: {} bytes",
                hs.len()
            );
            if hs.len() == 512 {
                padded += 1;
            }
        }
        assert!(padded > 50, "{padded}");
        // No extensions => no padding.
        let spec = ClientHelloSpec::for_version(Version::Ssl30, vec![0x002f; 150]);
        assert_eq!(spec.encode_handshake().len(), 4 + 2 + 32 + 1 + 302 + 2);
    }

    #[test]
    fn placeholders_have_the_group_sizes() {
        assert_eq!(KeyShare::placeholder(29).unwrap().public.len(), 32);
        assert_eq!(KeyShare::placeholder(23).unwrap().public.len(), 65);
        assert_eq!(KeyShare::placeholder(24).unwrap().public.len(), 97);
        assert_eq!(KeyShare::placeholder(257).unwrap().public.len(), 384);
        assert!(KeyShare::placeholder(0x11ec).is_none());
    }
}
