//! A bounds-checked cursor over a byte slice: every read returns a [`WireError`] instead of
//! panicking when the input is short.

use crate::error::WireError;

/// Reads big-endian integers and length-prefixed vectors from a slice.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], WireError> {
        if self.remaining() < n {
            return Err(WireError::Truncated {
                what,
                needed: n - self.remaining(),
            });
        }
        let r = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(r)
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, WireError> {
        Ok(self.take(1, what)?[0])
    }

    pub(crate) fn u16(&mut self, what: &'static str) -> Result<u16, WireError> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub(crate) fn u24(&mut self, what: &'static str) -> Result<usize, WireError> {
        let b = self.take(3, what)?;
        Ok((usize::from(b[0]) << 16) | (usize::from(b[1]) << 8) | usize::from(b[2]))
    }

    /// A vector with a one-byte length prefix.
    pub(crate) fn vec8(&mut self, what: &'static str) -> Result<&'a [u8], WireError> {
        let n = usize::from(self.u8(what)?);
        self.take(n, what)
    }

    /// A vector with a two-byte length prefix.
    pub(crate) fn vec16(&mut self, what: &'static str) -> Result<&'a [u8], WireError> {
        let n = usize::from(self.u16(what)?);
        self.take(n, what)
    }

    /// A vector with a three-byte length prefix.
    pub(crate) fn vec24(&mut self, what: &'static str) -> Result<&'a [u8], WireError> {
        let n = self.u24(what)?;
        self.take(n, what)
    }
}

/// Appends `data` with a big-endian length prefix of `width` bytes (1, 2 or 3).
/// Callers guarantee `data.len()` fits; the builder only ever encodes bounded data.
pub(crate) fn put_vec(out: &mut Vec<u8>, width: usize, data: &[u8]) {
    let n = data.len();
    match width {
        1 => out.push(n as u8),
        2 => out.extend_from_slice(&(n as u16).to_be_bytes()),
        _ => out.extend_from_slice(&(n as u32).to_be_bytes()[1..]),
    }
    out.extend_from_slice(data);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_reads_are_errors() {
        let mut r = Reader::new(&[0, 5, 1, 2]);
        assert_eq!(
            r.vec16("x"),
            Err(WireError::Truncated {
                what: "x",
                needed: 3
            })
        );
        let mut r = Reader::new(&[1, 2, 3]);
        assert_eq!(r.u24("y"), Ok(0x010203));
        assert!(r.is_empty());
        assert!(r.u8("z").is_err());
    }
}
