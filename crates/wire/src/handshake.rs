//! Reassembles handshake messages from record fragments: a message may span several records,
//! and several messages may share one record.

use crate::error::WireError;
use crate::server::{parse_message, ServerMessage};

/// The largest handshake message the reader accepts (1 MiB; real flights are far smaller).
pub const MAX_HANDSHAKE_MESSAGE: usize = 1 << 20;

/// A pure reassembler of handshake messages. Feed it the fragments of handshake records
/// with [`push`](Self::push), take messages with [`next_message`](Self::next_message).
#[derive(Debug, Clone, Default)]
pub struct HandshakeReader {
    buf: Vec<u8>,
}

impl HandshakeReader {
    /// An empty reader.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends the fragment of a handshake record. Fails when more than
    /// [`MAX_HANDSHAKE_MESSAGE`] + 4 bytes would be buffered.
    pub fn push(&mut self, fragment: &[u8]) -> Result<(), WireError> {
        let total = self.buf.len() + fragment.len();
        if total > MAX_HANDSHAKE_MESSAGE + 4 {
            return Err(WireError::MessageTooLarge {
                length: total,
                max: MAX_HANDSHAKE_MESSAGE,
            });
        }
        self.buf.extend_from_slice(fragment);
        Ok(())
    }

    /// Bytes buffered but not yet returned as a message.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next complete message as (handshake type, body), or `None` if it is not complete
    /// yet. Fails when a message announces more than [`MAX_HANDSHAKE_MESSAGE`] bytes.
    pub fn next_raw(&mut self) -> Result<Option<(u8, Vec<u8>)>, WireError> {
        if self.buf.len() < 4 {
            return Ok(None);
        }
        let len = (usize::from(self.buf[1]) << 16)
            | (usize::from(self.buf[2]) << 8)
            | usize::from(self.buf[3]);
        if len > MAX_HANDSHAKE_MESSAGE {
            return Err(WireError::MessageTooLarge {
                length: len,
                max: MAX_HANDSHAKE_MESSAGE,
            });
        }
        if self.buf.len() < 4 + len {
            return Ok(None);
        }
        let typ = self.buf[0];
        let body = self.buf[4..4 + len].to_vec();
        self.buf.drain(..4 + len);
        Ok(Some((typ, body)))
    }

    /// The next complete message, parsed. `kx_hint` is the negotiated suite's key exchange
    /// ([`CipherSuite::kx`](crate::suites::CipherSuite::kx)), needed to read a
    /// ServerKeyExchange. A message that fails to parse is consumed and reported as an error.
    pub fn next_message(
        &mut self,
        kx_hint: Option<&str>,
    ) -> Result<Option<ServerMessage>, WireError> {
        match self.next_raw()? {
            None => Ok(None),
            Some((typ, body)) => parse_message(typ, &body, kx_hint).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_shares_records() {
        // HelloDone (14, empty) + Other(13) with a 3-byte body, fed in odd pieces.
        let flight = [14, 0, 0, 0, 13, 0, 0, 3, 1, 2, 3];
        let mut r = HandshakeReader::new();
        r.push(&flight[..2]).unwrap();
        assert_eq!(r.next_message(None), Ok(None));
        r.push(&flight[2..6]).unwrap();
        assert_eq!(r.next_message(None), Ok(Some(ServerMessage::HelloDone)));
        assert_eq!(r.next_message(None), Ok(None));
        r.push(&flight[6..]).unwrap();
        assert_eq!(r.next_message(None), Ok(Some(ServerMessage::Other(13))));
        assert_eq!(r.buffered(), 0);
    }

    #[test]
    fn oversized_messages_are_refused() {
        let mut r = HandshakeReader::new();
        r.push(&[11, 0x7f, 0xff, 0xff]).unwrap();
        assert!(matches!(
            r.next_message(None),
            Err(WireError::MessageTooLarge { .. })
        ));
        let mut r = HandshakeReader::new();
        assert!(r.push(&vec![0u8; MAX_HANDSHAKE_MESSAGE + 5]).is_err());
    }
}
