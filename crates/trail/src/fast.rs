//! A fast reader for CloudTrail log files (`{"Records":[...]}`), the bulk format.
//!
//! Stage 1 indexes the buffer 64 bytes at a time (SSE2 on x86_64, a scalar loop elsewhere):
//! the positions of closing quotes and of the brackets `{ } [ ]` outside strings (opening
//! quotes, `:` and `,` are found by looking at the bytes after each token). Stage 2 walks that index: it reads the record fields the audit needs and skips every
//! other value by counting brackets over the index, without looking at its bytes.
//!
//! Compared with `serde_json` it checks less inside skipped values: strings must be terminated
//! and brackets must match, but scalars (`true`, numbers, …) are only checked to be made of
//! plausible characters and skipped strings are not UTF-8 validated. Every string the audit
//! keeps is UTF-8 validated and unescaped exactly. Malformed structure stops the file with an
//! error after the records already read, as with the serde path.

use crate::record::{Field, Identity, Record, RecordSink, TlsDetails};
use std::borrow::Cow;

const EVEN: u64 = 0x5555_5555_5555_5555;

/// Bitmasks of one 64-byte block: quotes, backslashes, structural characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Masks {
    quote: u64,
    backslash: u64,
    structural: u64,
}

/// Scalar classification of one 64-byte block (reference and non-x86_64 path).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn classify_scalar(block: &[u8; 64]) -> Masks {
    let mut m = Masks {
        quote: 0,
        backslash: 0,
        structural: 0,
    };
    for (i, &b) in block.iter().enumerate() {
        let bit = 1u64 << i;
        match b {
            b'"' => m.quote |= bit,
            b'\\' => m.backslash |= bit,
            b'{' | b'}' | b'[' | b']' => m.structural |= bit,
            _ => {}
        }
    }
    m
}

#[cfg(target_arch = "x86_64")]
fn classify(block: &[u8; 64]) -> Masks {
    use std::arch::x86_64::*;
    let mut m = Masks {
        quote: 0,
        backslash: 0,
        structural: 0,
    };
    // SAFETY: SSE2 is part of the x86_64 baseline; the four unaligned 16-byte loads stay
    // inside the 64-byte array.
    unsafe {
        let q = _mm_set1_epi8(b'"' as i8);
        let bs = _mm_set1_epi8(b'\\' as i8);
        let s: [__m128i; 4] = [
            _mm_set1_epi8(b'{' as i8),
            _mm_set1_epi8(b'}' as i8),
            _mm_set1_epi8(b'[' as i8),
            _mm_set1_epi8(b']' as i8),
        ];
        for k in 0..4 {
            let v = _mm_loadu_si128(block.as_ptr().add(16 * k) as *const __m128i);
            let shift = 16 * k;
            m.quote |= (_mm_movemask_epi8(_mm_cmpeq_epi8(v, q)) as u16 as u64) << shift;
            m.backslash |= (_mm_movemask_epi8(_mm_cmpeq_epi8(v, bs)) as u16 as u64) << shift;
            let st = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, s[0]), _mm_cmpeq_epi8(v, s[1])),
                _mm_or_si128(_mm_cmpeq_epi8(v, s[2]), _mm_cmpeq_epi8(v, s[3])),
            );
            m.structural |= (_mm_movemask_epi8(st) as u16 as u64) << shift;
        }
    }
    m
}

#[cfg(not(target_arch = "x86_64"))]
fn classify(block: &[u8; 64]) -> Masks {
    classify_scalar(block)
}

/// Characters escaped by a preceding odd run of backslashes (simdjson's branchless method).
/// `prev` carries "the next block's first character is escaped" across blocks.
fn find_escaped(backslash: u64, prev: &mut u64) -> u64 {
    if backslash == 0 {
        let e = *prev;
        *prev = 0;
        return e;
    }
    let backslash = backslash & !*prev;
    let follows_escape = (backslash << 1) | *prev;
    let odd_starts = backslash & !EVEN & !follows_escape;
    let (seq_even, overflow) = odd_starts.overflowing_add(backslash);
    *prev = u64::from(overflow);
    let invert = seq_even << 1;
    (EVEN ^ invert) & follows_escape
}

fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// Fills `index` with the positions of closing quotes and of brackets outside strings, and
/// `backslashes` with the positions of all backslashes. Returns false when the buffer ends inside a string.
pub(crate) fn build_index(buf: &[u8], index: &mut Vec<u32>, backslashes: &mut Vec<u32>) -> bool {
    index.clear();
    backslashes.clear();
    index.reserve(buf.len() / 4 + 64);
    let mut prev_escaped = 0u64;
    let mut in_string_carry = 0u64;
    let mut block = [b' '; 64];
    let mut base = 0usize;
    while base < buf.len() {
        let end = (base + 64).min(buf.len());
        let chunk: &[u8; 64] = if end - base == 64 {
            match buf[base..end].try_into() {
                Ok(c) => c,
                Err(_) => return false,
            }
        } else {
            block.fill(b' ');
            block[..end - base].copy_from_slice(&buf[base..end]);
            &block
        };
        let m = classify(chunk);
        let escaped = find_escaped(m.backslash, &mut prev_escaped);
        let mut bs = m.backslash;
        while bs != 0 {
            backslashes.push((base + bs.trailing_zeros() as usize) as u32);
            bs &= bs - 1;
        }
        let quotes = m.quote & !escaped;
        let in_string = prefix_xor(quotes) ^ in_string_carry;
        in_string_carry = ((in_string as i64) >> 63) as u64;
        // Closing quotes are the quotes where `in_string` drops back to 0; opening quotes are
        // found by looking at the bytes, so only closing ones are indexed.
        let mut bits = (m.structural | quotes) & !in_string;
        while bits != 0 {
            index.push((base + bits.trailing_zeros() as usize) as u32);
            bits &= bits - 1;
        }
        base += 64;
    }
    in_string_carry == 0
}

/// A stage-2 error: where and what.
#[derive(Debug)]
pub(crate) struct FastError {
    pos: usize,
    what: &'static str,
}

impl std::fmt::Display for FastError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid JSON at byte {}: {}", self.pos, self.what)
    }
}

type R<T> = Result<T, FastError>;

/// Walks the index. `cur` is the byte position just after what was consumed last.
struct Walker<'a, 'i> {
    buf: &'a [u8],
    /// `buf` as text, when it is valid UTF-8 as a whole (then every string is).
    text: Option<&'a str>,
    idx: &'i [u32],
    i: usize,
    cur: usize,
    /// Backslash positions, and a cursor into them that only moves forward.
    bs: &'i [u32],
    bs_i: usize,
}

#[inline]
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

impl<'a> Walker<'a, '_> {
    fn err<T>(&self, pos: usize, what: &'static str) -> R<T> {
        Err(FastError { pos, what })
    }

    /// Takes the next index entry, which must be at `at` (found by looking at the bytes).
    #[inline]
    fn take(&mut self, at: usize) -> R<()> {
        match self.idx.get(self.i) {
            Some(&p) if p as usize == at => {
                self.i += 1;
                self.cur = at + 1;
                Ok(())
            }
            _ => self.err(at, "unexpected character"),
        }
    }

    /// Takes the next index entry, whatever it is.
    #[inline]
    fn tok(&mut self) -> R<(usize, u8)> {
        match self.idx.get(self.i) {
            Some(&p) => {
                self.i += 1;
                let p = p as usize;
                self.cur = p + 1;
                Ok((p, self.buf[p]))
            }
            None => self.err(self.buf.len(), "unexpected end of input"),
        }
    }

    /// The first non-whitespace byte at or after `cur`.
    #[inline]
    fn peek(&self) -> R<(usize, u8)> {
        let mut p = self.cur;
        while let Some(&b) = self.buf.get(p) {
            if !is_ws(b) {
                return Ok((p, b));
            }
            p += 1;
        }
        self.err(self.buf.len(), "unexpected end of input")
    }

    /// Takes a string whose opening quote is at `open` (outside any string); its closing quote
    /// is the next index entry. Returns its raw content range.
    #[inline]
    fn string(&mut self, open: usize) -> R<(usize, usize)> {
        let (close, c) = self.tok()?;
        if c != b'"' || close <= open {
            return self.err(open, "unterminated string");
        }
        Ok((open + 1, close))
    }

    /// True when `buf[start..end]` holds a backslash. Calls must come in document order.
    #[inline]
    fn has_backslash(&mut self, start: usize, end: usize) -> bool {
        while self
            .bs
            .get(self.bs_i)
            .is_some_and(|&p| (p as usize) < start)
        {
            self.bs_i += 1;
        }
        self.bs.get(self.bs_i).is_some_and(|&p| (p as usize) < end)
    }

    fn decode(&mut self, start: usize, end: usize) -> R<Cow<'a, str>> {
        if !self.has_backslash(start, end) {
            let text = match self.text {
                Some(t) => t.get(start..end),
                None => std::str::from_utf8(&self.buf[start..end]).ok(),
            };
            return match text {
                Some(s) => Ok(Cow::Borrowed(s)),
                None => self.err(start, "invalid UTF-8 in string"),
            };
        }
        match serde_json::from_slice::<String>(&self.buf[start - 1..=end]) {
            Ok(s) => Ok(Cow::Owned(s)),
            Err(_) => self.err(start, "invalid string escape"),
        }
    }

    /// Skips a scalar starting at `start` (`true`, `false`, `null` or a number).
    fn skip_scalar(&mut self, start: usize) -> R<()> {
        let text = &self.buf[start..];
        let n = text
            .iter()
            .take_while(|b| !matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n'))
            .count();
        let word = &text[..n];
        let plausible = match word.first() {
            Some(b't') => word == b"true",
            Some(b'f') => word == b"false",
            Some(b'n') => word == b"null",
            Some(b'-' | b'0'..=b'9') => word
                .iter()
                .all(|b| matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')),
            _ => false,
        };
        if !plausible {
            return self.err(start, "invalid value");
        }
        self.cur = start + n;
        Ok(())
    }

    /// Skips the rest of an object or array whose opening bracket was just taken.
    fn skip_nested(&mut self, open: u8) -> R<()> {
        let mut stack: u64 = u64::from(open == b'{');
        let mut depth = 1u32;
        loop {
            let (p, c) = self.tok()?;
            match c {
                // The end of a string inside the skipped value.
                b'"' => {}
                b'{' | b'[' => {
                    if depth >= 64 {
                        return self.err(p, "nesting deeper than 64 levels");
                    }
                    stack = (stack << 1) | u64::from(c == b'{');
                    depth += 1;
                }
                _ => {
                    // `}` or `]`
                    if (stack & 1 == 1) != (c == b'}') {
                        return self.err(p, "mismatched bracket");
                    }
                    stack >>= 1;
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// Skips the next value.
    fn skip_value(&mut self) -> R<()> {
        let (p, b) = self.peek()?;
        match b {
            b'"' => self.string(p).map(|_| ()),
            b'{' | b'[' => {
                self.take(p)?;
                self.skip_nested(b)
            }
            _ => self.skip_scalar(p),
        }
    }

    /// Reads a string-or-null value into `slot`; other types are skipped and noted in `bad`.
    fn str_field(
        &mut self,
        slot: &mut Field<'a>,
        bad: &mut Option<&'static str>,
        name: &'static str,
    ) -> R<()> {
        match self.peek()? {
            (p, b'"') => {
                let (s, e) = self.string(p)?;
                *slot = Some(self.decode(s, e)?);
                Ok(())
            }
            (p, b'n') => {
                self.skip_scalar(p)?;
                *slot = None;
                Ok(())
            }
            _ => {
                bad.get_or_insert(name);
                self.skip_value()
            }
        }
    }

    /// Reads the next key of an object (after `{` or `,`) and its `:`; `None` at `}` (only
    /// when `allow_end`). Keys without escapes are returned without copying or validation
    /// beyond the comparison the caller makes.
    fn key(&mut self, allow_end: bool) -> R<Option<Cow<'a, [u8]>>> {
        let (p, c) = self.peek()?;
        if c == b'}' && allow_end {
            self.take(p)?;
            return Ok(None);
        }
        if c != b'"' {
            return self.err(p, "expected an object key");
        }
        let (s, e) = self.string(p)?;
        let key = if self.has_backslash(s, e) {
            match self.decode(s, e)? {
                Cow::Borrowed(k) => Cow::Borrowed(k.as_bytes()),
                Cow::Owned(k) => Cow::Owned(k.into_bytes()),
            }
        } else {
            Cow::Borrowed(&self.buf[s..e])
        };
        let (cp, cc) = self.peek()?;
        if cc != b':' {
            return self.err(cp, "expected ':'");
        }
        self.cur = cp + 1;
        Ok(Some(key))
    }

    /// After a member or element: `true` at `,`, `false` at the closing bracket (taken).
    #[inline]
    fn more(&mut self, close: u8) -> R<bool> {
        let (p, c) = self.peek()?;
        if c == b',' {
            self.cur = p + 1;
            Ok(true)
        } else if c == close {
            self.take(p)?;
            Ok(false)
        } else {
            self.err(p, "expected ',' or a closing bracket")
        }
    }

    /// Reads a nested `userIdentity` / `tlsDetails` object (or null / wrong type). `field`
    /// reads one member and returns false for members it does not want.
    fn nested<T: Default>(
        &mut self,
        bad: &mut Option<&'static str>,
        name: &'static str,
        mut field: impl FnMut(&mut Self, &[u8], &mut T, &mut Option<&'static str>) -> R<bool>,
    ) -> R<Option<T>> {
        match self.peek()? {
            (p, b'{') => {
                self.take(p)?;
                let mut v = T::default();
                let mut first = true;
                while let Some(k) = self.key(first)? {
                    first = false;
                    if !field(self, &k, &mut v, bad)? {
                        self.skip_value()?;
                    }
                    if !self.more(b'}')? {
                        break;
                    }
                }
                Ok(Some(v))
            }
            (p, b'n') => {
                self.skip_scalar(p)?;
                Ok(None)
            }
            _ => {
                bad.get_or_insert(name);
                self.skip_value()?;
                Ok(None)
            }
        }
    }

    /// Reads one record whose `{` was just taken.
    fn record(&mut self) -> R<Record<'a>> {
        let mut r = Record::default();
        let mut bad = None;
        let mut first = true;
        while let Some(k) = self.key(first)? {
            first = false;
            match &*k {
                b"eventTime" => self.str_field(&mut r.event_time, &mut bad, "eventTime")?,
                b"eventSource" => self.str_field(&mut r.event_source, &mut bad, "eventSource")?,
                b"eventName" => self.str_field(&mut r.event_name, &mut bad, "eventName")?,
                b"awsRegion" => self.str_field(&mut r.aws_region, &mut bad, "awsRegion")?,
                b"sourceIPAddress" => {
                    self.str_field(&mut r.source_ip, &mut bad, "sourceIPAddress")?
                }
                b"userAgent" => self.str_field(&mut r.user_agent, &mut bad, "userAgent")?,
                b"recipientAccountId" => {
                    self.str_field(&mut r.recipient_account_id, &mut bad, "recipientAccountId")?
                }
                b"eventVersion" => {
                    r.has_event_version = true;
                    self.skip_value()?;
                }
                b"Records" => {
                    r.has_records_key = true;
                    self.skip_value()?;
                }
                b"userIdentity" => {
                    r.identity = self.nested(
                        &mut bad,
                        "userIdentity",
                        |w, k, id: &mut Identity<'a>, bad| {
                            let (slot, name) = match k {
                                b"type" => (&mut id.kind, "userIdentity.type"),
                                b"principalId" => {
                                    (&mut id.principal_id, "userIdentity.principalId")
                                }
                                b"arn" => (&mut id.arn, "userIdentity.arn"),
                                b"accountId" => (&mut id.account_id, "userIdentity.accountId"),
                                b"invokedBy" => (&mut id.invoked_by, "userIdentity.invokedBy"),
                                _ => return Ok(false),
                            };
                            w.str_field(slot, bad, name)?;
                            Ok(true)
                        },
                    )?;
                }
                b"tlsDetails" => {
                    r.tls = self.nested(
                        &mut bad,
                        "tlsDetails",
                        |w, k, t: &mut TlsDetails<'a>, bad| {
                            let (slot, name) = match k {
                                b"tlsVersion" => (&mut t.version, "tlsDetails.tlsVersion"),
                                b"cipherSuite" => (&mut t.cipher, "tlsDetails.cipherSuite"),
                                b"clientProvidedHostHeader" => {
                                    (&mut t.host_header, "tlsDetails.clientProvidedHostHeader")
                                }
                                _ => return Ok(false),
                            };
                            w.str_field(slot, bad, name)?;
                            Ok(true)
                        },
                    )?;
                }
                _ => self.skip_value()?,
            }
            if !self.more(b'}')? {
                break;
            }
        }
        r.bad_field = bad;
        Ok(r)
    }

    /// Reads the `Records` array whose `[` was just taken, streaming records to the sink.
    fn records<S: RecordSink<'a>>(&mut self, sink: &mut S) -> R<()> {
        if let (p, b']') = self.peek()? {
            return self.take(p);
        }
        loop {
            match self.peek()? {
                (p, b'{') => {
                    self.take(p)?;
                    let r = self.record()?;
                    sink.record(r);
                }
                _ => {
                    self.skip_value()?;
                    sink.invalid(&"a Records element is not a JSON object");
                }
            }
            if !self.more(b']')? {
                return Ok(());
            }
        }
    }

    /// The whole log object `{"Records":[...]}`, then only whitespace.
    fn document<S: RecordSink<'a>>(&mut self, sink: &mut S) -> R<bool> {
        let (p, c) = self.peek()?;
        if c != b'{' {
            return self.err(p, "expected '{'");
        }
        self.take(p)?;
        let mut found = false;
        let mut first = true;
        while let Some(k) = self.key(first)? {
            first = false;
            if &*k == b"Records" {
                match self.peek()? {
                    (p, b'[') => {
                        self.take(p)?;
                        self.records(sink)?;
                        found = true;
                    }
                    (p, _) => return self.err(p, "Records is not an array"),
                }
            } else {
                self.skip_value()?;
            }
            if !self.more(b'}')? {
                break;
            }
        }
        if self.i < self.idx.len() || !self.buf[self.cur..].iter().all(|b| is_ws(*b)) {
            return self.err(self.cur, "trailing characters after the log object");
        }
        Ok(found)
    }
}

type Scratch = (Vec<u32>, Vec<u32>);

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// [`parse_container`] with a per-thread reused index buffer.
pub(crate) fn parse_container_reusing<'a, S: RecordSink<'a>>(
    doc: &'a [u8],
    sink: &mut S,
) -> Result<bool, String> {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => parse_container(doc, &mut scratch, sink),
        Err(_) => parse_container(doc, &mut (Vec::new(), Vec::new()), sink),
    })
}

/// Parses a whole `{"Records":[...]}` document, streaming records to the sink. Returns whether
/// a `Records` key was found.
pub(crate) fn parse_container<'a, S: RecordSink<'a>>(
    doc: &'a [u8],
    scratch: &mut Scratch,
    sink: &mut S,
) -> Result<bool, String> {
    let (index, backslashes) = scratch;
    let closed = build_index(doc, index, backslashes);
    let mut w = Walker {
        buf: doc,
        text: std::str::from_utf8(doc).ok(),
        idx: index,
        i: 0,
        cur: 0,
        bs: backslashes,
        bs_i: 0,
    };
    match w.document(sink) {
        Ok(found) if closed => Ok(found),
        Ok(_) => Err("invalid JSON: unterminated string".to_string()),
        Err(e) if !closed && e.pos >= doc.len() => Err(format!(
            "invalid JSON: input ends inside a string (at byte {})",
            doc.len()
        )),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{ContainerSeed, RecordSink};
    use serde::de::DeserializeSeed;
    use std::fmt;

    #[derive(Default, Debug, PartialEq)]
    struct Collect {
        records: Vec<String>,
        invalid: usize,
    }

    impl<'a> RecordSink<'a> for Collect {
        fn record(&mut self, r: Record<'a>) {
            self.records.push(format!("{r:?}"));
        }
        fn invalid(&mut self, _: &dyn fmt::Display) {
            self.invalid += 1;
        }
    }

    fn serde_way(doc: &[u8]) -> (Collect, bool) {
        let mut c = Collect::default();
        let mut de = serde_json::Deserializer::from_slice(doc);
        let ok = ContainerSeed { sink: &mut c }
            .deserialize(&mut de)
            .and_then(|_| de.end())
            .is_ok();
        (c, ok)
    }

    fn fast_way(doc: &[u8]) -> (Collect, bool) {
        let mut c = Collect::default();
        let mut scratch = (Vec::new(), Vec::new());
        let ok = parse_container(doc, &mut scratch, &mut c).is_ok();
        (c, ok)
    }

    const RECS: [&str; 6] = [
        r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a\"b","accountId":"1","sessionContext":{"attributes":{"x":[1,2,{"y":null}]}}},"eventTime":"2024-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"Get{Object}","awsRegion":"us-east-1","sourceIPAddress":"1.2.3.4","userAgent":"ua \\\\ \" , : [ ] { } \u00e9 \ud83d\ude00","requestParameters":{"a":"\\","b":[true,false,null,-1.5e3],"c":{}},"responseElements":null,"tlsDetails":{"tlsVersion":"TLSv1","cipherSuite":"AES128-SHA","clientProvidedHostHeader":"s3.amazonaws.com","x":1},"recipientAccountId":"1"}"#,
        r#"{ "eventTime" : "2024-01-02T00:00:00Z" , "eventName" : null , "eventSource" : 5 , "userIdentity" : "oops" , "tlsDetails" : null }"#,
        r#"{}"#,
        r#"{"userIdentity":null,"tlsDetails":{"tlsVersion":["TLSv1"]},"eventTime":"2024-01-03T00:00:00Z","Records":[1]}"#,
        r#"{"eventName":"é","userAgent":"\u0041\n","x":[[[[]]],{"":""}]}"#,
        r#"7"#,
    ];

    #[test]
    fn index_masks_match_scalar_classification() {
        let mut block = [0u8; 64];
        for (i, b) in block.iter_mut().enumerate() {
            *b = b"\"\\{}[]:,ab \n"[(i * 7 + i / 3) % 12];
        }
        assert_eq!(classify(&block), classify_scalar(&block));
    }

    #[test]
    fn escapes_across_blocks() {
        // Backslash runs of every length crossing a block boundary.
        for run in 0..6 {
            for at in 58..66 {
                let mut s = [b' '; 140];
                s[0] = b'{';
                s[1] = b'"';
                s[2] = b'k';
                s[3] = b'"';
                s[4] = b':';
                s[5] = b'"';
                for i in 0..run {
                    s[at - run + i] = b'\\';
                }
                s[at] = b'"';
                s[at + 1] = b'"';
                s[at + 2] = b'}';
                let doc = &s[..at + 3];
                let want = serde_json::from_slice::<serde_json::Value>(doc).is_ok();
                let (mut idx, mut bs) = (Vec::new(), Vec::new());
                let closed = build_index(doc, &mut idx, &mut bs);
                let got = closed && idx.last().is_some_and(|&p| doc[p as usize] == b'}');
                assert_eq!(got, want, "run {run} at {at}");
            }
        }
    }

    #[test]
    fn same_records_as_serde_including_every_truncation() {
        let doc = format!(
            "{{\"x\":{{\"Records\":1}},\"Records\":[{}]}}",
            RECS.join(",\n")
        );
        let (a, ok_a) = serde_way(doc.as_bytes());
        let (b, ok_b) = fast_way(doc.as_bytes());
        assert!(ok_a && ok_b);
        assert_eq!(a, b);
        assert_eq!(a.records.len(), 5);
        for cut in 0..doc.len() {
            let d = &doc.as_bytes()[..cut];
            let (a, ok_a) = serde_way(d);
            let (b, ok_b) = fast_way(d);
            assert!(!ok_a && !ok_b, "cut {cut}");
            assert_eq!(a, b, "cut {cut}");
        }
    }

    #[test]
    fn structural_errors_stop() {
        for bad in [
            r#"{"Records":[{"a":1]}"#,
            r#"{"Records":[{"a" 1}]}"#,
            r#"{"Records":[{"a":tru}]}"#,
            r#"{"Records":[{"a":1}]} x"#,
            r#"{"Records":[{"a":1},]}"#,
            r#"{"Records":{}}"#,
        ] {
            let (_, ok_a) = serde_way(bad.as_bytes());
            let (_, ok_b) = fast_way(bad.as_bytes());
            assert!(!ok_a && !ok_b, "{bad}");
        }
    }
}
