//! Byte-exact vectors: ClientHellos assembled by hand from the RFC 5246 / RFC 8446 field
//! layout, the RFC 8448 ServerHello, and round trips through tls-parser (an independent
//! parser) to prove real parsers accept what the builder produces.

use tls_parser::{
    parse_tls_client_hello_extensions, parse_tls_plaintext, TlsExtensionType, TlsMessage,
    TlsMessageHandshake,
};
use tlsfloor_wire::client_hello::KeyShare;
use tlsfloor_wire::server::{parse_server_hello, ServerMessage};
use tlsfloor_wire::suites::candidates;
use tlsfloor_wire::{ClientHelloSpec, HandshakeReader, Version};

fn unhex(s: &str) -> Vec<u8> {
    let clean: String = s
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect();
    hex::decode(clean).expect("test vector is valid hex")
}

#[test]
fn tls12_client_hello_matches_hand_assembled_bytes() {
    let mut spec = ClientHelloSpec::for_version(Version::Tls12, vec![0xc02f, 0x009c]);
    spec.random = core::array::from_fn(|i| i as u8);
    spec.sni = Some("a.example".into());
    spec.groups = vec![29, 23];
    spec.signature_algorithms = vec![0x0403, 0x0804];
    spec.alpn = vec!["h2".into()];
    assert!(spec.ec_point_formats && spec.renegotiation_info && spec.extended_master_secret);

    let expected = unhex(
        "
        16 03 01 00 6f          // record: handshake, version 0x0301, length 111
        01 00 00 6b             // handshake: client_hello, length 107
        03 03                   // client_version TLS 1.2
        00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f
        10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f  // random
        00                      // session_id: empty
        00 04 c0 2f 00 9c       // cipher_suites: 2 suites
        01 00                   // compression_methods: null
        00 3e                   // extensions: 62 bytes
        00 00 00 0e 00 0c 00 00 09 61 2e 65 78 61 6d 70 6c 65  // server_name host_name a.example
        00 0a 00 06 00 04 00 1d 00 17                          // supported_groups x25519 secp256r1
        00 0b 00 02 01 00                                      // ec_point_formats uncompressed
        00 0d 00 06 00 04 04 03 08 04                          // signature_algorithms
        00 10 00 05 00 03 02 68 32                             // ALPN h2
        00 17 00 00                                            // extended_master_secret
        ff 01 00 01 00                                         // renegotiation_info (empty)
        ",
    );
    assert_eq!(hex::encode(spec.encode_record()), hex::encode(&expected));
    assert_eq!(spec.encode_handshake(), expected[5..]);
}

#[test]
fn tls13_client_hello_matches_hand_assembled_bytes() {
    let mut spec = ClientHelloSpec::for_version(Version::Tls13, vec![0x1301]);
    spec.random = [0xaa; 32];
    spec.session_id = vec![0x55; 32];
    spec.groups = vec![29];
    spec.signature_algorithms = vec![0x0804];
    spec.key_shares = vec![KeyShare {
        group: 29,
        public: vec![0x11; 32],
    }];

    let expected = unhex(
        "
        16 03 01 00 96          // record: handshake, version 0x0301, length 150
        01 00 00 92             // client_hello, length 146
        03 03                   // legacy_version TLS 1.2
        aa aa aa aa aa aa aa aa aa aa aa aa aa aa aa aa
        aa aa aa aa aa aa aa aa aa aa aa aa aa aa aa aa  // random
        20 55 55 55 55 55 55 55 55 55 55 55 55 55 55 55 55
           55 55 55 55 55 55 55 55 55 55 55 55 55 55 55 55  // legacy_session_id (32)
        00 02 13 01             // cipher_suites: TLS_AES_128_GCM_SHA256
        01 00                   // compression: null
        00 47                   // extensions: 71 bytes
        00 0a 00 04 00 02 00 1d // supported_groups x25519
        00 0d 00 04 00 02 08 04 // signature_algorithms rsa_pss_rsae_sha256
        00 2b 00 03 02 03 04    // supported_versions TLS 1.3
        00 2d 00 02 01 01       // psk_key_exchange_modes psk_dhe_ke
        00 33 00 26 00 24 00 1d 00 20  // key_share: x25519, 32-byte key
        11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11
        11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11
        ",
    );
    assert_eq!(hex::encode(spec.encode_record()), hex::encode(&expected));
}

/// Parses `record` with tls-parser and returns (version, suites, extension types).
fn tls_parser_view(record: &[u8]) -> (u16, Vec<u16>, Option<Vec<u16>>) {
    let (rest, plain) = parse_tls_plaintext(record).expect("tls-parser accepts the record");
    assert!(rest.is_empty(), "tls-parser left {} bytes", rest.len());
    assert_eq!(plain.msg.len(), 1);
    let TlsMessage::Handshake(TlsMessageHandshake::ClientHello(ch)) = &plain.msg[0] else {
        panic!("tls-parser did not see a ClientHello: {:?}", plain.msg[0]);
    };
    let exts = ch.ext.map(|raw| {
        let (rest, list) = parse_tls_client_hello_extensions(raw).expect("extensions parse");
        assert!(rest.is_empty(), "extension bytes left over");
        list.iter().map(|e| TlsExtensionType::from(e).0).collect()
    });
    (ch.version.0, ch.ciphers.iter().map(|c| c.0).collect(), exts)
}

#[test]
fn tls_parser_accepts_every_default_probe() {
    for v in Version::ALL {
        let mut spec = ClientHelloSpec::for_version(v, candidates(v));
        spec.random = [0x42; 32];
        spec.sni = Some("localhost".into());
        spec.alpn = vec!["http/1.1".into()];
        if v == Version::Tls13 {
            spec.key_shares = [29, 23, 24]
                .iter()
                .filter_map(|&g| KeyShare::placeholder(g))
                .collect();
        }
        let (version, suites, exts) = tls_parser_view(&spec.encode_record());
        assert_eq!(version, spec.client_version, "{v}");
        assert_eq!(suites, spec.suites, "{v}");
        match v {
            Version::Ssl30 => assert_eq!(exts, None),
            Version::Tls13 => {
                let exts = exts.expect("extensions");
                for want in [0u16, 10, 13, 16, 43, 45, 51] {
                    assert!(
                        exts.contains(&want),
                        "{v}: extension {want} missing: {exts:?}"
                    );
                }
            }
            _ => {
                let exts = exts.expect("extensions");
                for want in [0u16, 10, 11, 0xff01] {
                    assert!(
                        exts.contains(&want),
                        "{v}: extension {want} missing: {exts:?}"
                    );
                }
                assert_eq!(exts.contains(&13), v == Version::Tls12, "{v}");
            }
        }
    }
}

#[test]
fn padding_extension_is_last_and_parsed_by_tls_parser() {
    let mut seen = 0;
    for n in 1..300 {
        let spec = ClientHelloSpec::for_version(Version::Tls11, vec![0x0035; n]);
        let rec = spec.encode_record();
        let (_, _, exts) = tls_parser_view(&rec);
        let exts = exts.expect("extensions");
        let hs_len = rec.len() - 5;
        assert!(!(256..512).contains(&hs_len), "{n}: {hs_len}");
        if exts.last() == Some(&21) {
            seen += 1;
            assert!((512..=516).contains(&hs_len), "{n}: {hs_len}");
        } else {
            assert!(!exts.contains(&21));
        }
    }
    assert!(seen > 50, "{seen}");
}

/// RFC 8448 §3 (simple 1-RTT handshake): the server's ServerHello, 90 octets.
const RFC8448_SERVER_HELLO: &str = "
    02 00 00 56 03 03 a6 af 06 a4 12 18 60
    dc 5e 6e 60 24 9c d3 4c 95 93 0c 8a c5 cb 14 34 da c1 55 77 2e
    d3 e2 69 28 00 13 01 00 00 2e 00 33 00 24 00 1d 00 20 c9 82 88
    76 11 20 95 fe 66 76 2b db f7 c6 72 e1 56 d6 cc 25 3b 83 3d f1
    dd 69 b1 b0 4e 75 1f 0f 00 2b 00 02 03 04";

#[test]
fn rfc8448_server_hello() {
    let msg = unhex(RFC8448_SERVER_HELLO);
    assert_eq!(msg.len(), 90);
    let sh = parse_server_hello(&msg[4..]).unwrap();
    assert_eq!(sh.legacy_version, 0x0303);
    assert_eq!(&sh.random[..4], &[0xa6, 0xaf, 0x06, 0xa4]);
    assert!(sh.session_id.is_empty());
    assert_eq!(sh.cipher, 0x1301);
    assert_eq!(sh.compression, 0);
    assert_eq!(sh.selected_version, Some(0x0304));
    assert_eq!(sh.version(), Some(Version::Tls13));
    assert_eq!(sh.key_share_group, Some(29));
    assert!(!sh.hello_retry_request);
    assert_eq!(sh.downgrade_sentinel, None);
    let types: Vec<u16> = sh.extensions.iter().map(|(t, _)| *t).collect();
    assert_eq!(types, vec![51, 43]);

    // The same message through the reassembler, split at every possible point.
    for cut in 0..=msg.len() {
        let mut r = HandshakeReader::new();
        r.push(&msg[..cut]).unwrap();
        if cut < msg.len() {
            assert_eq!(r.next_message(None), Ok(None), "cut {cut}");
        }
        r.push(&msg[cut..]).unwrap();
        match r.next_message(None) {
            Ok(Some(ServerMessage::Hello(h))) => assert_eq!(h, sh),
            other => panic!("cut {cut}: {other:?}"),
        }
    }
}
