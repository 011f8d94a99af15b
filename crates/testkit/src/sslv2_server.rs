//! A small SSL 2.0 responder for tests: no maintained server speaks SSL 2.0 any more, so this
//! follows the SSL 2.0 draft (Hickman, 1995) itself, independently of tlsfloor's own encoder:
//! it reads a CLIENT-HELLO and answers a SERVER-HELLO with a certificate and the cipher kinds
//! it shares with the client, or an ERROR (NO-CIPHER-ERROR) when it shares none. Anything
//! that is not an SSL 2.0 CLIENT-HELLO (a TLS hello) is answered by closing, as an SSL 2.0-only
//! server would. Listens on 127.0.0.1 until dropped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A running responder.
pub struct Sslv2Server {
    /// `127.0.0.1:PORT`.
    pub addr: String,
    stop: Arc<AtomicBool>,
}

impl Sslv2Server {
    /// Starts a responder offering `specs` (3-byte cipher kind codes) with the certificate
    /// `cert_der`.
    pub fn start(specs: &[u32], cert_der: Vec<u8>) -> Sslv2Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr").to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, specs) = (stop.clone(), specs.to_vec());
        std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((conn, _)) => {
                        let (specs, cert) = (specs.clone(), cert_der.clone());
                        std::thread::spawn(move || serve(conn, &specs, &cert));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Sslv2Server { addr, stop }
    }
}

impl Drop for Sslv2Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(mut conn: TcpStream, mine: &[u32], cert: &[u8]) {
    let _ = conn.set_nonblocking(false);
    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = [0u8; 2];
    if conn.read_exact(&mut head).is_err() || head[0] & 0x80 == 0 {
        return; // not an SSL 2.0 two-byte record header (a TLS record starts 0x16)
    }
    let len = usize::from(head[0] & 0x7f) << 8 | usize::from(head[1]);
    let mut msg = vec![0u8; len];
    if conn.read_exact(&mut msg).is_err() || msg.len() < 9 || msg[0] != 1 {
        return;
    }
    // CLIENT-HELLO: type, version(2), cipher-specs-length(2), session-id-length(2),
    // challenge-length(2), cipher specs, session id, challenge.
    let specs_len = usize::from(u16::from_be_bytes([msg[3], msg[4]]));
    let Some(offered) = msg.get(9..9 + specs_len) else {
        return;
    };
    let offered: Vec<u32> = offered
        .chunks_exact(3)
        .map(|c| (u32::from(c[0]) << 16) | (u32::from(c[1]) << 8) | u32::from(c[2]))
        .collect();
    let shared: Vec<u32> = mine
        .iter()
        .copied()
        .filter(|s| offered.contains(s))
        .collect();
    let reply = if shared.is_empty() {
        vec![0x80, 0x03, 0x00, 0x00, 0x01] // ERROR, NO-CIPHER-ERROR
    } else {
        let mut body = vec![4u8, 0, 1, 0, 2];
        body.extend((cert.len() as u16).to_be_bytes());
        body.extend(((shared.len() * 3) as u16).to_be_bytes());
        body.extend(16u16.to_be_bytes());
        body.extend(cert);
        for s in &shared {
            body.extend([(s >> 16) as u8, (s >> 8) as u8, *s as u8]);
        }
        body.extend([0x5a; 16]); // connection id
        let mut rec = vec![0x80 | (body.len() >> 8) as u8, body.len() as u8];
        rec.extend(body);
        rec
    };
    let _ = conn.write_all(&reply);
    // Wait for the client to go (it never sends CLIENT-MASTER-KEY).
    let mut rest = [0u8; 64];
    let _ = conn.read(&mut rest);
}
