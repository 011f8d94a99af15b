//! A blocking socket whose every read and write must finish before one deadline: a peer
//! that drips bytes cannot stretch per-read timeouts forever. Used for the scanner's real
//! handshake and for every trap connection.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A [`TcpStream`] bounded by a total deadline.
#[derive(Debug)]
pub struct DeadlineStream {
    inner: TcpStream,
    deadline: Instant,
}

fn past_deadline() -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        "the handshake did not finish within the probe deadline",
    )
}

/// A socket timeout (EAGAIN on Linux) is the deadline passing.
fn deadline_error(e: io::Error) -> io::Error {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => past_deadline(),
        _ => e,
    }
}

impl DeadlineStream {
    /// Wraps `inner`; every operation must end before `deadline`.
    pub fn new(inner: TcpStream, deadline: Instant) -> DeadlineStream {
        DeadlineStream { inner, deadline }
    }

    /// The socket.
    pub fn get_ref(&self) -> &TcpStream {
        &self.inner
    }

    /// Time left before the deadline, or an error once it has passed.
    pub fn remaining(&self) -> io::Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(past_deadline());
        }
        Ok(left)
    }
}

impl Read for DeadlineStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.remaining()?;
        self.inner.set_read_timeout(Some(left))?;
        self.inner.read(buf).map_err(deadline_error)
    }
}

impl Write for DeadlineStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let left = self.remaining()?;
        self.inner.set_write_timeout(Some(left))?;
        self.inner.write(buf).map_err(deadline_error)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dripping_peer_cannot_outlast_the_deadline() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            for _ in 0..100 {
                if s.write_all(b"x").is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let s = TcpStream::connect(addr).unwrap();
        let mut d = DeadlineStream::new(s, Instant::now() + Duration::from_millis(700));
        let mut got = 0;
        let mut buf = [0u8; 1];
        let err = loop {
            match d.read(&mut buf) {
                Ok(0) => panic!("closed"),
                Ok(n) => got += n,
                Err(e) => break e,
            }
        };
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(got < 100, "read {got} bytes past the deadline");
    }
}
