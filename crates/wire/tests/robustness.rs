//! Truncated, bit-flipped and random inputs give errors (or "need more bytes"), never panics.

use tlsfloor_wire::server::{
    parse_certificate, parse_message, parse_server_hello, parse_server_key_exchange,
};
use tlsfloor_wire::suites::candidates;
use tlsfloor_wire::{
    looks_like_plaintext, parse_alert, parse_record, ClientHelloSpec, HandshakeReader,
    ServerMessage, Version, WireError,
};

/// A TLS 1.2 server flight in one record: ServerHello (ECDHE-RSA-AES128-GCM-SHA256, with
/// renegotiation_info), Certificate (one 10-byte "certificate"), ServerKeyExchange
/// (named_curve secp384r1, 3-byte point, 4-byte signature) and ServerHelloDone.
fn tls12_flight() -> Vec<u8> {
    let mut hs = Vec::new();
    // ServerHello: version, random, empty session id, suite, compression, extensions.
    let mut sh = vec![3, 3];
    sh.extend_from_slice(&[0x5a; 32]);
    sh.extend_from_slice(&[0, 0xc0, 0x2f, 0, 0, 5, 0xff, 0x01, 0, 1, 0]);
    hs.extend_from_slice(&[2, 0, 0, sh.len() as u8]);
    hs.extend_from_slice(&sh);
    // Certificate: list of one 10-byte entry.
    hs.extend_from_slice(&[11, 0, 0, 16, 0, 0, 13, 0, 0, 10]);
    hs.extend_from_slice(b"0123456789");
    // ServerKeyExchange: curve_type 3, group 24, point len 3, sig alg + sig len 2.
    hs.extend_from_slice(&[12, 0, 0, 12, 3, 0, 24, 3, 4, 1, 2, 4, 1, 0, 2, 0xab]);
    hs.extend_from_slice(&[14, 0, 0, 0]);
    let mut rec = vec![22, 3, 3];
    rec.extend_from_slice(&(hs.len() as u16).to_be_bytes());
    rec.extend_from_slice(&hs);
    rec
}

/// Feeds a byte stream through record parsing and handshake reassembly like a scanner
/// would, returning the messages or the first error.
fn read_flight(stream: &[u8]) -> Result<Vec<ServerMessage>, WireError> {
    let mut reader = HandshakeReader::new();
    let mut out = Vec::new();
    let mut pos = 0;
    let mut kx: Option<&'static str> = None;
    while let Some((rec, used)) = parse_record(&stream[pos..])? {
        pos += used;
        match rec.content_type {
            22 => {
                reader.push(rec.fragment)?;
                while let Some(m) = reader.next_message(kx)? {
                    if let ServerMessage::Hello(h) = &m {
                        kx = tlsfloor_wire::suites::by_code(h.cipher).map(|s| s.kx);
                    }
                    out.push(m);
                }
            }
            21 => {
                parse_alert(rec.fragment)?;
            }
            _ => {}
        }
    }
    Ok(out)
}

#[test]
fn the_sample_flight_parses_completely() {
    let msgs = read_flight(&tls12_flight()).unwrap();
    assert_eq!(msgs.len(), 4);
    let ServerMessage::Hello(sh) = &msgs[0] else {
        panic!("{msgs:?}")
    };
    assert_eq!(sh.cipher, 0xc02f);
    assert!(sh.secure_renegotiation());
    assert_eq!(
        msgs[1],
        ServerMessage::Certificate(vec![b"0123456789".to_vec()])
    );
    let ServerMessage::KeyExchange(ske) = &msgs[2] else {
        panic!("{msgs:?}")
    };
    assert_eq!(ske.group, Some(24));
    assert_eq!(msgs[3], ServerMessage::HelloDone);
}

#[test]
fn every_truncation_is_incomplete_or_an_error() {
    let flight = tls12_flight();
    let full = read_flight(&flight).unwrap();
    for cut in 0..flight.len() {
        let partial = &flight[..cut];
        // A cut record is "need more bytes", so fewer messages come out; never a panic.
        let got = read_flight(partial).unwrap();
        assert!(got.len() < full.len(), "cut {cut}");
        // The record's fragment cut short and parsed as if complete must not parse to the
        // same flight.
        if cut > 5 {
            let mut reader = HandshakeReader::new();
            reader.push(&flight[5..cut]).unwrap();
            let mut n = 0;
            while let Ok(Some(_)) = reader.next_message(Some("ECDHE")) {
                n += 1;
            }
            assert!(n < 4, "cut {cut}");
        }
    }
    // Each message body cut anywhere: an error or a smaller value, never the original.
    let sh_body = &flight[9..9 + 45];
    let sh = parse_server_hello(sh_body).unwrap();
    for cut in 0..sh_body.len() {
        match parse_server_hello(&sh_body[..cut]) {
            Err(_) => {}
            Ok(partial) => assert!(cut == 38 && partial != sh, "cut {cut}: {partial:?}"),
        }
    }
    let alert = [2u8, 40];
    assert!(parse_alert(&alert[..1]).is_err() && parse_alert(&alert[..0]).is_err());
}

#[test]
fn client_hello_records_survive_truncation() {
    for v in Version::ALL {
        let rec = ClientHelloSpec::for_version(v, candidates(v)).encode_record();
        assert!(parse_record(&rec).unwrap().is_some());
        for cut in 0..rec.len() {
            assert_eq!(parse_record(&rec[..cut]), Ok(None), "{v} cut {cut}");
        }
    }
}

/// xorshift64*: deterministic pseudo-random bytes without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn exercise_all_parsers(buf: &[u8]) {
    let _ = parse_record(buf);
    let _ = looks_like_plaintext(buf);
    let _ = parse_alert(buf);
    let _ = parse_server_hello(buf);
    let _ = parse_certificate(buf);
    for kx in [
        None,
        Some("ECDHE"),
        Some("DHE"),
        Some("RSA"),
        Some("PSK"),
        Some("DHE_PSK"),
        Some("ECDHE_PSK"),
        Some("SRP"),
    ] {
        let _ = parse_server_key_exchange(buf, kx);
    }
    for typ in [2u8, 11, 12, 14, 13] {
        let _ = parse_message(typ, buf, Some("ECDHE"));
    }
    let _ = read_flight(buf);
}

#[test]
fn random_and_bit_flipped_inputs_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3000 {
        let len = (rng.next() % 300) as usize;
        let mut buf = rng.bytes(len);
        // Bias half the inputs towards plausible TLS headers.
        if len > 5 && rng.next() % 2 == 0 {
            buf[0] = 20 + (rng.next() % 5) as u8;
            buf[1] = 3;
        }
        exercise_all_parsers(&buf);
    }
    let flight = tls12_flight();
    for i in 0..flight.len() {
        for bit in 0..8 {
            let mut f = flight.clone();
            f[i] ^= 1 << bit;
            exercise_all_parsers(&f);
            exercise_all_parsers(&f[5..]);
        }
    }
}
