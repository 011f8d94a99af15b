//! Test-only front ends that sit in front of a real TLS server on 127.0.0.1 and behave like
//! the middleboxes and load balancers found in real fleets: connection and rate limits,
//! resets after a number of connections, hellos dropped by size, alerts turned into silent
//! closes, legacy hellos blackholed, SSL 2.0 hellos dropped, a server that drips its answer,
//! one stalled connection. They never answer TLS themselves: every definitive answer comes
//! from the real server behind them.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How a front end misbehaves.
#[derive(Debug, Clone)]
pub enum Quirk {
    /// More than N connections at once: the extra ones are reset at once.
    ConnectionLimit(usize),
    /// More than N new connections within any second: the extra ones are reset.
    RateLimit(usize),
    /// Every connection after the first N is reset.
    ResetAfter(usize),
    /// A ClientHello offering more than N cipher suites gets the connection closed silently.
    CloseHellosOverSuites(usize),
    /// A ClientHello record larger than N bytes gets no answer (held until the client leaves).
    HoldHellosOverBytes(usize),
    /// A TLS alert from the server is not passed on: the client connection is just closed.
    AlertsToSilentClose,
    /// A ClientHello for a version below TLS 1.2 (no supported_versions, legacy version
    /// below 0x0303) gets no answer.
    BlackholeLegacy,
    /// After the first N bytes, the server's answer is passed on one byte per interval.
    DripAfter(usize, Duration),
    /// The Nth connection (1-based) is accepted and never answered.
    StallNth(usize),
    /// An SSL 2.0 CLIENT-HELLO (SSL 2.0 framing, version 0x0002) gets the connection closed
    /// silently; TLS-framed hellos are relayed.
    CloseSslv2Hellos,
}

/// A running front end; stops accepting when dropped.
#[derive(Debug)]
pub struct FrontEnd {
    /// `127.0.0.1:PORT` to scan.
    pub addr: String,
    /// Connections accepted so far.
    pub accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Drop for FrontEnd {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect_timeout(
            &self.addr.parse().expect("front end address"),
            Duration::from_millis(200),
        );
    }
}

struct Shared {
    quirk: Quirk,
    backend: SocketAddr,
    active: AtomicUsize,
    accepted: Arc<AtomicUsize>,
    recent: Mutex<VecDeque<Instant>>,
}

impl FrontEnd {
    /// Starts a front end with `quirk` in front of `backend` (e.g. a [`crate::Peer`]'s addr).
    pub fn start(backend: &str, quirk: Quirk) -> FrontEnd {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind front end");
        let addr = listener
            .local_addr()
            .expect("front end address")
            .to_string();
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Shared {
            quirk,
            backend: backend.parse().expect("backend address"),
            active: AtomicUsize::new(0),
            accepted: Arc::clone(&accepted),
            recent: Mutex::new(VecDeque::new()),
        });
        let stop2 = Arc::clone(&stop);
        thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let shared = Arc::clone(&shared);
                thread::spawn(move || shared.serve(conn));
            }
        });
        FrontEnd {
            addr,
            accepted,
            stop,
        }
    }
}

/// Closes `s` with a reset (SO_LINGER 0) instead of a FIN.
fn reset(s: TcpStream) {
    let _ = socket_linger_zero(&s);
    drop(s);
}

fn socket_linger_zero(s: &TcpStream) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket descriptor and a correctly sized, initialised linger value.
    let rc = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            std::ptr::addr_of!(linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Holds `s` open without answering until the client goes away (or a minute passes).
fn hold(mut s: TcpStream) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(60)));
    let mut buf = [0u8; 4096];
    while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
}

/// Reads the client's first record: a TLS record ([`read_record`]), or, when its first byte
/// has the high bit set, an SSL 2.0 one (a 2-byte header with a 15-bit length).
fn read_hello(s: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut first = [0u8; 1];
    if s.peek(&mut first)? == 0 || first[0] & 0x80 == 0 {
        return read_record(s);
    }
    let mut rec = vec![0u8; 2];
    s.read_exact(&mut rec)?;
    let len = usize::from(u16::from_be_bytes([rec[0] & 0x7f, rec[1]]));
    rec.resize(2 + len, 0);
    s.read_exact(&mut rec[2..])?;
    Ok(rec)
}

/// The version of an SSL 2.0-framed CLIENT-HELLO (0x0002 for SSL 2.0 itself), if `rec` is one.
fn sslv2_hello_version(rec: &[u8]) -> Option<u16> {
    match rec {
        [b0, _, 1, hi, lo, ..] if b0 & 0x80 != 0 => Some(u16::from_be_bytes([*hi, *lo])),
        _ => None,
    }
}

/// Reads one whole TLS record (header + body) from `s`.
fn read_record(s: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut head = [0u8; 5];
    s.read_exact(&mut head)?;
    let len = usize::from(u16::from_be_bytes([head[3], head[4]]));
    let mut rec = head.to_vec();
    rec.resize(5 + len, 0);
    s.read_exact(&mut rec[5..])?;
    Ok(rec)
}

/// What a ClientHello record offers: (legacy version, suite count, has supported_versions).
fn hello_facts(rec: &[u8]) -> Option<(u16, usize, bool)> {
    let body = rec.get(5..)?;
    if rec.first() != Some(&22) || body.first() != Some(&1) {
        return None;
    }
    let h = body.get(4..)?;
    let version = u16::from_be_bytes([*h.first()?, *h.get(1)?]);
    let sid_len = usize::from(*h.get(34)?);
    let mut at = 35 + sid_len;
    let suites_len = usize::from(u16::from_be_bytes([*h.get(at)?, *h.get(at + 1)?]));
    at += 2 + suites_len;
    let comp_len = usize::from(*h.get(at)?);
    at += 1 + comp_len;
    let mut has_sv = false;
    if let (Some(a), Some(b)) = (h.get(at), h.get(at + 1)) {
        let end = (at + 2 + usize::from(u16::from_be_bytes([*a, *b]))).min(h.len());
        at += 2;
        while at + 4 <= end {
            let typ = u16::from_be_bytes([h[at], h[at + 1]]);
            let len = usize::from(u16::from_be_bytes([h[at + 2], h[at + 3]]));
            has_sv |= typ == 43;
            at += 4 + len;
        }
    }
    Some((version, suites_len / 2, has_sv))
}

impl Shared {
    fn serve(&self, client: TcpStream) {
        let n = self.accepted.fetch_add(1, Ordering::SeqCst) + 1;
        let active = self.active.fetch_add(1, Ordering::SeqCst) + 1;
        self.handle(client, n, active);
        self.active.fetch_sub(1, Ordering::SeqCst);
    }

    fn over_rate(&self, limit: usize) -> bool {
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        while recent
            .front()
            .is_some_and(|t| now.duration_since(*t) > Duration::from_secs(1))
        {
            recent.pop_front();
        }
        if recent.len() >= limit {
            return true;
        }
        recent.push_back(now);
        false
    }

    fn handle(&self, mut client: TcpStream, n: usize, active: usize) {
        match self.quirk {
            Quirk::ConnectionLimit(max) if active > max => return reset(client),
            Quirk::RateLimit(max) if self.over_rate(max) => return reset(client),
            Quirk::ResetAfter(max) if n > max => return reset(client),
            Quirk::StallNth(k) if n == k => return hold(client),
            _ => {}
        }
        let _ = client.set_read_timeout(Some(Duration::from_secs(30)));
        let Ok(hello) = read_hello(&mut client) else {
            return;
        };
        let facts = hello_facts(&hello);
        let v2 = sslv2_hello_version(&hello);
        if matches!(self.quirk, Quirk::CloseSslv2Hellos) && v2 == Some(0x0002) {
            return drop(client);
        }
        match (&self.quirk, facts) {
            (Quirk::CloseHellosOverSuites(max), Some((_, suites, _))) if suites > *max => {
                return drop(client)
            }
            (Quirk::HoldHellosOverBytes(max), _) if hello.len() - 5 > *max => return hold(client),
            (Quirk::BlackholeLegacy, Some((v, _, false))) if v < 0x0303 => return hold(client),
            _ => {}
        }
        let Ok(mut server) = TcpStream::connect(self.backend) else {
            return;
        };
        if server.write_all(&hello).is_err() {
            return;
        }
        let (Ok(mut c2), Ok(mut s2)) = (client.try_clone(), server.try_clone()) else {
            return;
        };
        let up = thread::spawn(move || {
            let _ = io::copy(&mut c2, &mut s2);
            let _ = s2.shutdown(Shutdown::Write);
        });
        self.pass_down(&mut server, &mut client);
        let _ = client.shutdown(Shutdown::Both);
        let _ = server.shutdown(Shutdown::Both);
        let _ = up.join();
    }

    /// Copies the server's bytes to the client, applying the down-stream quirks.
    fn pass_down(&self, server: &mut TcpStream, client: &mut TcpStream) {
        let mut sent = 0usize;
        loop {
            let rec = match self.quirk {
                Quirk::AlertsToSilentClose | Quirk::DripAfter(..) => match read_record(server) {
                    Ok(r) => r,
                    Err(_) => return,
                },
                _ => {
                    let mut buf = [0u8; 16 * 1024];
                    match server.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf[..n].to_vec(),
                    }
                }
            };
            match self.quirk {
                Quirk::AlertsToSilentClose if rec[0] == 21 => return,
                Quirk::DripAfter(after, every) => {
                    for &b in &rec {
                        if sent >= after {
                            thread::sleep(every);
                        }
                        if client.write_all(&[b]).is_err() {
                            return;
                        }
                        sent += 1;
                    }
                    continue;
                }
                _ => {}
            }
            if client.write_all(&rec).is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_facts_reads_version_suites_and_supported_versions() {
        // record(22, 0x0301) + ClientHello(version 0x0301, random, sid 0, 2 suites, comp 1,
        // extensions: supported_versions).
        let mut h = vec![0x03, 0x01];
        h.extend([0u8; 32]);
        h.push(0);
        h.extend([0, 4, 0xc0, 0x2f, 0x00, 0x2f, 1, 0]);
        h.extend([0, 7, 0, 43, 0, 3, 2, 3, 4]);
        let mut body = vec![1, 0, 0, h.len() as u8];
        body.extend(&h);
        let mut rec = vec![22, 3, 1, 0, body.len() as u8];
        rec.extend(&body);
        assert_eq!(hello_facts(&rec), Some((0x0301, 2, true)));
        assert_eq!(hello_facts(&rec[..20]), None);
        assert_eq!(hello_facts(&[21, 3, 1, 0, 2, 2, 40]), None);
        assert_eq!(sslv2_hello_version(&rec), None);
        assert_eq!(sslv2_hello_version(&[0x80, 3, 1, 0, 2]), Some(0x0002));
        assert_eq!(sslv2_hello_version(&[0x80, 3, 1, 3, 3]), Some(0x0303));
        assert_eq!(sslv2_hello_version(&[0x80, 3, 1]), None);
    }
}
