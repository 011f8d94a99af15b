//! A stream that first replays bytes already read from a socket, then reads the socket; it
//! also keeps a copy of what it reads from the socket (bounded), to find the client's alert.

use std::io::{Read, Result, Write};

/// Most bytes kept from the socket for alert detection.
const CAPTURE_LIMIT: usize = 64 * 1024;

/// Replays `prefix`, then reads from `inner`; writes go straight to `inner`.
#[derive(Debug)]
pub struct Replay<S> {
    prefix: Vec<u8>,
    pos: usize,
    inner: S,
    captured: Vec<u8>,
    capturing: bool,
}

impl<S> Replay<S> {
    /// A stream replaying `prefix` before `inner`.
    pub fn new(prefix: Vec<u8>, inner: S) -> Replay<S> {
        Replay {
            prefix,
            pos: 0,
            inner,
            captured: Vec::new(),
            capturing: true,
        }
    }

    /// The bytes read from `inner` so far (after the prefix), up to 64 KiB.
    pub fn captured(&self) -> &[u8] {
        &self.captured
    }

    /// Stops keeping a copy of what is read (after the handshake).
    pub fn stop_capture(&mut self) {
        self.capturing = false;
        self.captured = Vec::new();
    }

    /// The wrapped stream.
    pub fn inner(&self) -> &S {
        &self.inner
    }
}

impl<S: Read> Read for Replay<S> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if self.pos < self.prefix.len() {
            let n = buf.len().min(self.prefix.len() - self.pos);
            buf[..n].copy_from_slice(&self.prefix[self.pos..self.pos + n]);
            self.pos += n;
            return Ok(n);
        }
        let n = self.inner.read(buf)?;
        if self.capturing && self.captured.len() < CAPTURE_LIMIT {
            let room = CAPTURE_LIMIT - self.captured.len();
            self.captured.extend_from_slice(&buf[..n.min(room)]);
        }
        Ok(n)
    }
}

impl<S: Write> Write for Replay<S> {
    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replays_prefix_then_inner_and_captures_only_inner() {
        let mut r = Replay::new(b"abc".to_vec(), &b"defg"[..]);
        let mut out = Vec::new();
        let mut buf = [0u8; 2];
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        assert_eq!(out, b"abcdefg");
        assert_eq!(r.captured(), b"defg");
    }
}
