//! Reading a client's ClientHello off a socket, with a deadline: asynchronously in the trap
//! (an idle or slow client then holds no worker thread), or off a blocking socket.

use std::io::{ErrorKind, Read};
use std::time::{Duration, Instant};
use tlsfloor_wire::fingerprint::{assemble_client_hello, AssembledHello, FingerprintError};

/// Why no ClientHello could be read.
#[derive(Debug, thiserror::Error)]
pub enum HelloError {
    /// The client closed the connection before a complete ClientHello (after `bytes` bytes).
    #[error("client closed the connection after {bytes} bytes, before a complete ClientHello")]
    Closed {
        /// Bytes received.
        bytes: usize,
    },
    /// The deadline passed (after `bytes` bytes).
    #[error("no complete ClientHello within {secs:.1} s ({bytes} bytes received)")]
    Timeout {
        /// Bytes received.
        bytes: usize,
        /// The deadline in seconds.
        secs: f64,
    },
    /// The bytes are not a TLS ClientHello.
    #[error(transparent)]
    Parse(#[from] FingerprintError),
    /// The socket failed.
    #[error("reading the ClientHello: {0}")]
    Io(std::io::Error),
}

/// Something `read_client_hello` can read with a deadline.
pub trait TimedRead: Read {
    /// Sets the read timeout of the next reads.
    fn set_timeout(&self, t: Duration) -> std::io::Result<()>;
}

impl TimedRead for std::net::TcpStream {
    fn set_timeout(&self, t: Duration) -> std::io::Result<()> {
        self.set_read_timeout(Some(t))
    }
}

/// Reads whole records from `stream` until the first handshake message is complete, within
/// `timeout`. Returns every byte read (to replay to OpenSSL) and the reassembled message.
pub fn read_client_hello<S: TimedRead>(
    stream: &mut S,
    timeout: Duration,
) -> Result<(Vec<u8>, AssembledHello), HelloError> {
    let deadline = Instant::now() + timeout;
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(hello) = assemble_client_hello(&buf)? {
            return Ok((buf, hello));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let timed_out = HelloError::Timeout {
            bytes: buf.len(),
            secs: timeout.as_secs_f64(),
        };
        if left.is_zero() {
            return Err(timed_out);
        }
        stream.set_timeout(left).map_err(HelloError::Io)?;
        match stream.read(&mut chunk) {
            Ok(0) => return Err(HelloError::Closed { bytes: buf.len() }),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(timed_out)
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
                ) =>
            {
                return Err(HelloError::Closed { bytes: buf.len() })
            }
            Err(e) => return Err(HelloError::Io(e)),
        }
    }
}

/// [`read_client_hello`] on an async socket, all of it before `deadline`.
pub async fn read_client_hello_async(
    stream: &mut tokio::net::TcpStream,
    deadline: tokio::time::Instant,
    timeout: Duration,
) -> Result<(Vec<u8>, AssembledHello), HelloError> {
    use tokio::io::AsyncReadExt;
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(hello) = assemble_client_hello(&buf)? {
            return Ok((buf, hello));
        }
        let read = tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await;
        match read {
            Err(_) => {
                return Err(HelloError::Timeout {
                    bytes: buf.len(),
                    secs: timeout.as_secs_f64(),
                })
            }
            Ok(Ok(0)) => return Err(HelloError::Closed { bytes: buf.len() }),
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            Ok(Err(e)) if e.kind() == ErrorKind::Interrupted => {}
            Ok(Err(e))
                if matches!(
                    e.kind(),
                    ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
                ) =>
            {
                return Err(HelloError::Closed { bytes: buf.len() })
            }
            Ok(Err(e)) => return Err(HelloError::Io(e)),
        }
    }
}
