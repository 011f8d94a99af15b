//! Reading a large input in bounded windows, so memory does not grow with the file.
//!
//! The decompressed stream is read into one buffer of [`Windows::size`] bytes at a time and cut
//! into pieces the readers can parse whole:
//!
//! - outside a log object: complete lines (JSON Lines, pretty-printed records, envelopes),
//!   handed to the line reader, which says how far it got (a value cut by the window end is
//!   read again with the next window);
//! - inside the `Records` array of a log object `{"Records":[...]}` (or a top-level array of
//!   records): as many complete elements as the window holds, framed by bracket counting
//!   outside strings and handed to the readers as an array `[e1,…,ek]` by overwriting the
//!   byte before the first element and the byte after the last one (then restored);
//! - a CloudTrail Lake CSV download: streamed row by row by the CSV reader.
//!
//! A unit (line or element) larger than the window grows the window up to
//! [`Windows::max_unit`]; a larger one stops the file with an error after what was read.

use crate::parse::first_key_is_records;
use std::io::Read;

/// Window sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    /// Bytes read at a time.
    pub size: usize,
    /// The largest single record or line accepted.
    pub max_unit: usize,
}

impl Default for Windows {
    fn default() -> Windows {
        Windows {
            size: 64 << 20,
            max_unit: 512 << 20,
        }
    }
}

/// What the line reader made of a piece of complete lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TopPiece {
    /// Bytes fully read (the rest is read again with more data).
    pub consumed: usize,
    /// A CloudTrail value was seen (what follows is damage, not another format).
    pub seen: bool,
    /// Set when the file ends here: not CloudTrail, or stopped by invalid JSON.
    pub end: Option<crate::parse::Parsed>,
}

/// How the pieces are parsed (by the audit, with a fresh tally per piece).
pub(crate) trait Pieces {
    /// Complete lines outside log objects; `more` when data follows the piece.
    fn top(&mut self, piece: &[u8], seen: bool, more: bool) -> TopPiece;
    /// `[e1,…,ek]`: elements of a `Records` array. `Err` stops the file.
    fn elements(&mut self, piece: &[u8]) -> Result<(), String>;
    /// A Lake CSV download, header first, the rest of the stream after it.
    fn csv(&mut self, rest: &mut dyn Read) -> crate::parse::Parsed;
}

/// The outcome of a windowed read: how parsing ended, the bytes read, and why reading the
/// stream stopped early (damage), if it did.
#[derive(Debug)]
pub(crate) struct Driven {
    pub parsed: crate::parse::Parsed,
    pub bytes: u64,
    pub damage: Option<String>,
}

struct Buffer<R> {
    src: R,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    damage: Option<String>,
    bytes: u64,
}

impl<R: Read> Buffer<R> {
    /// Moves the unread bytes to the front and reads until `want` bytes are buffered (or the
    /// stream ends).
    fn fill(&mut self, want: usize) {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        while !self.eof && self.buf.len() < want {
            let len = self.buf.len();
            self.buf.resize(want, 0);
            match self.src.read(&mut self.buf[len..]) {
                Ok(0) => {
                    self.buf.truncate(len);
                    self.eof = true;
                }
                Ok(n) => {
                    self.buf.truncate(len + n);
                    self.bytes += n as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => self.buf.truncate(len),
                Err(e) => {
                    self.buf.truncate(len);
                    self.damage = Some(e.to_string());
                    self.eof = true;
                }
            }
        }
    }

    fn rest(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    fn skip_ws(&mut self) {
        let n = self.rest().iter().take_while(|b| is_ws(**b)).count();
        self.pos += n;
    }
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

enum Mode {
    Top,
    /// Inside an array of records: `first` until the first element was read; `container`
    /// when the array is a log object's `Records` (a `}` closes it after the `]`).
    Elements {
        first: bool,
        container: bool,
    },
}

/// Reads `src` in windows, handing the pieces to `p`.
pub(crate) fn drive<R: Read>(src: R, w: Windows, p: &mut dyn Pieces) -> Driven {
    let mut b = Buffer {
        src,
        buf: Vec::with_capacity(w.size),
        pos: 0,
        eof: false,
        damage: None,
        bytes: 0,
    };
    let mut want = w.size;
    let mut mode = Mode::Top;
    let mut seen = false;
    let parsed = loop {
        b.fill(want);
        b.skip_ws();
        if b.rest().is_empty() && b.eof {
            break crate::parse::Parsed::Complete;
        }
        let step = match mode {
            Mode::Top => top_step(&mut b, &mut mode, &mut seen, p),
            Mode::Elements { first, container } => {
                elements_step(&mut b, &mut mode, first, container, &mut seen, p)
            }
        };
        match step {
            Step::Progress => want = w.size,
            Step::NeedMore if b.eof => {
                break crate::parse::Parsed::Stopped(
                    "invalid JSON: the input ends inside a value".into(),
                )
            }
            Step::NeedMore if want >= w.max_unit => {
                break crate::parse::Parsed::Stopped(format!(
                    "a single record or line is larger than {} MiB",
                    w.max_unit >> 20
                ))
            }
            Step::NeedMore => want = (want * 2).min(w.max_unit),
            Step::End(parsed) => break parsed,
        }
    };
    Driven {
        parsed,
        bytes: b.bytes,
        damage: b.damage,
    }
}

enum Step {
    Progress,
    NeedMore,
    End(crate::parse::Parsed),
}

/// Outside log objects: a log object or array starts, or complete lines are read.
fn top_step<R: Read>(
    b: &mut Buffer<R>,
    mode: &mut Mode,
    seen: &mut bool,
    p: &mut dyn Pieces,
) -> Step {
    let rest = b.rest();
    if rest.len() < 16 && !b.eof {
        return Step::NeedMore;
    }
    if first_key_is_records(rest) {
        let open = match records_array_start(rest) {
            None => return Step::NeedMore,
            Some(Ok(open)) => open,
            Some(Err(())) => {
                return Step::End(crate::parse::Parsed::Stopped(
                    "invalid JSON: Records is not an array".into(),
                ))
            }
        };
        // The position stays at the `[`: the first piece is framed by it.
        b.pos += open - 1;
        *seen = true;
        *mode = Mode::Elements {
            first: true,
            container: true,
        };
        return Step::Progress;
    }
    if rest[0] == b'[' && !*seen {
        *seen = true;
        *mode = Mode::Elements {
            first: true,
            container: false,
        };
        return Step::Progress;
    }
    if !*seen && crate::lake::is_csv_header(rest.split(|&c| c == b'\n').next().unwrap_or(rest)) {
        let (buffered, src) = (&b.buf[b.pos..], &mut b.src);
        let mut chained = std::io::Read::chain(buffered, src);
        return Step::End(p.csv(&mut chained));
    }
    let cut = if b.eof {
        rest.len()
    } else {
        match memchr::memrchr(b'\n', rest) {
            Some(i) => i + 1,
            None => return Step::NeedMore,
        }
    };
    let more = !b.eof || cut < rest.len();
    let r = p.top(&rest[..cut], *seen, more);
    *seen = r.seen;
    b.pos += r.consumed;
    if let Some(end) = r.end {
        return Step::End(end);
    }
    if r.consumed == 0 {
        return Step::NeedMore;
    }
    Step::Progress
}

/// The offset just after the `[` of `{"Records":[` in `b`: `None` when more bytes are needed,
/// `Some(Err)` when `Records` is not followed by `:` and an array.
fn records_array_start(b: &[u8]) -> Option<Result<usize, ()>> {
    let ws = |i: usize| {
        b.get(i..)
            .map(|r| r.iter().take_while(|c| is_ws(**c)).count())
    };
    let mut i = 1 + ws(1)? + "\"Records\"".len();
    i += ws(i)?;
    if *b.get(i)? != b':' {
        return Some(Err(()));
    }
    i += 1;
    i += ws(i)?;
    Some(if *b.get(i)? == b'[' {
        Ok(i + 1)
    } else {
        Err(())
    })
}

/// Inside an array of records: the complete elements in the window, as one array piece.
fn elements_step<R: Read>(
    b: &mut Buffer<R>,
    mode: &mut Mode,
    first: bool,
    container: bool,
    seen: &mut bool,
    p: &mut dyn Pieces,
) -> Step {
    let rest = b.rest();
    let lead = rest.first().copied();
    let after_lead = rest.iter().skip(1).take_while(|c| is_ws(**c)).count() + 1;
    match lead {
        Some(b']') if !first => {
            b.pos += 1;
            *mode = Mode::Top;
            return close_container(b, container);
        }
        Some(b'[') if first && rest.get(after_lead) == Some(&b']') => {
            b.pos += after_lead + 1;
            *mode = Mode::Top;
            return close_container(b, container);
        }
        Some(b'[') if first => {}
        Some(b',') if !first => {}
        _ => {
            return Step::End(crate::parse::Parsed::Stopped(
                "invalid JSON: expected ',' or ']' in the Records array".into(),
            ));
        }
    }
    // The piece starts at the `[` or `,` before the first element.
    let start = b.pos;
    let end = match last_element_end(&b.buf[start + 1..], b.eof) {
        Some(n) => start + 1 + n,
        None => return Step::NeedMore,
    };
    if b.buf[start + 1..end].iter().all(|c| is_ws(*c)) {
        return Step::End(crate::parse::Parsed::Stopped(
            "invalid JSON: an empty element in the Records array".into(),
        ));
    }
    *seen = true;
    let (saved_open, saved_close) = (b.buf[start], b.buf.get(end).copied());
    b.buf[start] = b'[';
    if end < b.buf.len() {
        b.buf[end] = b']';
    } else {
        b.buf.push(b']');
    }
    let r = p.elements(&b.buf[start..=end]);
    b.buf[start] = saved_open;
    match saved_close {
        Some(c) => b.buf[end] = c,
        None => {
            b.buf.pop();
        }
    }
    if let Err(e) = r {
        return Step::End(crate::parse::Parsed::Stopped(e));
    }
    b.pos = end;
    *mode = Mode::Elements {
        first: false,
        container,
    };
    Step::Progress
}

/// After the `]` of a log object's `Records`: other keys may follow, then `}`.
fn close_container<R: Read>(b: &mut Buffer<R>, container: bool) -> Step {
    if !container {
        return Step::Progress;
    }
    b.skip_ws();
    match b.rest().first() {
        Some(b'}') => {
            b.pos += 1;
            Step::Progress
        }
        None if b.eof => Step::End(crate::parse::Parsed::Stopped(
            "invalid JSON: the log object is not closed".into(),
        )),
        None => Step::NeedMore,
        Some(_) => Step::End(crate::parse::Parsed::Stopped(
            "keys after Records in a log object too large to read whole are not supported".into(),
        )),
    }
}

/// In `b` (elements after a `[` or `,`), the offset just past the last element that is
/// complete and followed by `,` or `]` within `b`; `None` when not even one is. At the end of
/// the stream everything left is handed over, so the reader reports what is wrong with it.
fn last_element_end(b: &[u8], eof: bool) -> Option<usize> {
    let mut i = 0;
    let mut last = None;
    loop {
        i += b.get(i..)?.iter().take_while(|c| is_ws(**c)).count();
        let Some(end) = value_end(&b[i..]) else {
            return if eof && !b.is_empty() {
                Some(b.len())
            } else {
                last
            };
        };
        let after = i + end;
        let ws = b[after..].iter().take_while(|c| is_ws(**c)).count();
        match b.get(after + ws) {
            Some(b',') => {
                last = Some(after);
                i = after + ws + 1;
            }
            Some(b']') => return Some(after),
            None if eof => return Some(b.len()),
            None => return last,
            Some(_) => return Some(if eof { b.len() } else { after }),
        }
    }
}

/// The length of the JSON value at the start of `b` (by bracket counting outside strings, or
/// up to a delimiter for scalars); `None` when it does not end in `b`.
fn value_end(b: &[u8]) -> Option<usize> {
    match b.first()? {
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = 0;
            while i < b.len() {
                match b[i] {
                    b'"' => i += string_len(&b[i..])? - 1,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        b'"' => string_len(b),
        _ => {
            let n = b
                .iter()
                .take_while(|c| !matches!(c, b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n'))
                .count();
            (n < b.len()).then_some(n)
        }
    }
}

/// The length of the string starting at `b[0] == '"'`, quotes included.
fn string_len(b: &[u8]) -> Option<usize> {
    let mut i = 1;
    loop {
        let off = memchr::memchr2(b'"', b'\\', &b[i..])?;
        i += off;
        if b[i] == b'\\' {
            i += 2;
            if i > b.len() {
                return None;
            }
        } else {
            return Some(i + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_framed_at_complete_boundaries() {
        let b = br#"{"a":"x,]"} , {"b":[1,{"c":"\""}]},{"d"#;
        let n = last_element_end(b, false).unwrap();
        assert_eq!(&b[..n], br#"{"a":"x,]"} , {"b":[1,{"c":"\""}]}"#);
        assert_eq!(last_element_end(br#"{"a":1"#, false), None);
        assert_eq!(last_element_end(br#"{"a":1}]"#, false), Some(7));
        assert_eq!(last_element_end(b"17,18", false), Some(2));
        assert_eq!(last_element_end(br#"{"a":1"#, true), Some(6));
    }
}
