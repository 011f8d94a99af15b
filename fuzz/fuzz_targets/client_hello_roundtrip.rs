//! Builds a ClientHello from fuzzer-chosen fields, encodes it, and checks that tls-parser
//! (an independent parser) reads back the same version, suites and session id.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tls_parser::{
    parse_tls_client_hello_extensions, parse_tls_plaintext, TlsMessage, TlsMessageHandshake,
};
use tlsfloor_wire::client_hello::KeyShare;
use tlsfloor_wire::{ClientHelloSpec, Version};

/// Reads fields from the fuzzer input, yielding zeros once it is exhausted.
struct Input<'a>(&'a [u8]);
impl Input<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
    fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }
    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = usize::from(self.u8()).min(max).min(self.0.len());
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        a.to_vec()
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let v = Version::ALL[usize::from(input.u8()) % Version::ALL.len()];
    let n_suites = usize::from(input.u8() % 64) + 1;
    let suites: Vec<u16> = (0..n_suites).map(|_| input.u16()).collect();
    let mut spec = ClientHelloSpec::for_version(v, suites);
    let flags = input.u8();
    spec.random.iter_mut().for_each(|b| *b = input.u8());
    spec.session_id = input.bytes(40);
    spec.extensions = v == Version::Ssl30 || flags & 1 == 0;
    spec.session_ticket = flags & 2 != 0;
    spec.renegotiation_info = flags & 4 != 0;
    let sni = input.bytes(64);
    if flags & 8 != 0 {
        spec.sni = Some(String::from_utf8_lossy(&sni).into_owned());
    }
    if flags & 16 != 0 {
        spec.alpn = vec![String::from_utf8_lossy(&input.bytes(32)).into_owned()];
    }
    if flags & 32 != 0 {
        spec.groups = (0..input.u8() % 8).map(|_| input.u16()).collect();
    }
    if flags & 64 != 0 {
        let group = input.u16();
        spec.key_shares.push(KeyShare {
            group,
            public: input.bytes(200),
        });
    }

    let record = spec.encode_record();
    let (rest, plain) = parse_tls_plaintext(&record).expect("tls-parser accepts our record");
    assert!(rest.is_empty());
    let Some(TlsMessage::Handshake(TlsMessageHandshake::ClientHello(ch))) = plain.msg.first()
    else {
        panic!("not a ClientHello: {:?}", plain.msg);
    };
    assert_eq!(ch.version.0, spec.client_version);
    assert_eq!(ch.random, &spec.random[..]);
    let sid_len = spec.session_id.len().min(32);
    assert_eq!(ch.session_id.unwrap_or(&[]), &spec.session_id[..sid_len]);
    let got: Vec<u16> = ch.ciphers.iter().map(|c| c.0).collect();
    assert_eq!(&got[..spec.suites.len()], &spec.suites[..]);
    if let Some(ext) = ch.ext {
        assert!(spec.extensions);
        let (rest, _) = parse_tls_client_hello_extensions(ext).expect("extensions parse");
        assert!(rest.is_empty());
    }
});
