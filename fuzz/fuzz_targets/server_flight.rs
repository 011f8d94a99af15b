//! A server flight as a scanner reads it: records -> HandshakeReader -> ServerMessage, with
//! the ServerKeyExchange layout taken from the negotiated suite. Never panics; the reader
//! never buffers more than its limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlsfloor_wire::server::MAX_HANDSHAKE_MESSAGE;
use tlsfloor_wire::suites::by_code;
use tlsfloor_wire::{parse_alert, parse_record, HandshakeReader, ServerMessage};

fuzz_target!(|data: &[u8]| {
    let mut reader = HandshakeReader::new();
    let mut kx: Option<&'static str> = None;
    let mut pos = 0;
    while let Ok(Some((rec, used))) = parse_record(&data[pos..]) {
        pos += used;
        match rec.content_type {
            21 => {
                let _ = parse_alert(rec.fragment);
            }
            22 => {
                if reader.push(rec.fragment).is_err() {
                    return;
                }
                assert!(reader.buffered() <= MAX_HANDSHAKE_MESSAGE + 4);
                loop {
                    match reader.next_message(kx) {
                        Ok(Some(ServerMessage::Hello(h))) => {
                            kx = by_code(h.cipher).map(|s| s.kx);
                            let _ = h.version();
                        }
                        Ok(Some(_)) => {}
                        Ok(None) => break,
                        Err(_) => break,
                    }
                }
            }
            _ => {}
        }
    }
    // The raw bytes as one handshake stream too (no record layer).
    let mut raw = HandshakeReader::new();
    if raw.push(data).is_ok() {
        for hint in [
            None,
            Some("ECDHE"),
            Some("DHE"),
            Some("RSA"),
            Some("DHE_PSK"),
        ] {
            let mut r = raw.clone();
            while let Ok(Some(_)) = r.next_message(hint) {}
        }
    }
});
