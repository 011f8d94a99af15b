//! A fast reader for CloudTrail log files (`{"Records":[...]}`), the bulk format.
//!
//! Stage 1 classifies the buffer 64 bytes at a time (AVX2 when the CPU has it, SSE2 otherwise
//! on x86_64, a scalar loop elsewhere) into one word of bits per block: its unescaped quotes.
//! It also lists every backslash and finds the first raw control character inside a string.
//! Stage 2 walks the bytes: it never stands inside a string (it enters one at its opening
//! quote and the quote bits give the closing one), so brackets, `:`, `,` and scalars are read
//! where they are. It reads the record fields the audit needs and skips every other value.
//! The keys of records and of the objects read inside them are predicted from the keys read
//! before and checked with one comparison ([`crate::key_memo`]), since CloudTrail writes them
//! in nearly the same order every time; the general path reads any other key.
//!
//! Skipped values are checked as strictly as `serde_json` checks them: the grammar, literals
//! and numbers exactly, no raw control characters and only valid escapes in strings (skipped
//! strings need not be UTF-8, as in `serde_json`'s slice reader). Every string the audit keeps
//! is UTF-8 validated and unescaped exactly. Malformed JSON stops the file with an error after
//! the records already read, as with the serde path; the fuzz target `trail_readers` holds
//! the two readers to the same result on every input.

use crate::key_memo::{KeyMemo, START};
use crate::record::{Bad, Field, Flaw, Identity, Record, RecordSink, TlsDetails};
use std::borrow::Cow;

const EVEN: u64 = 0x5555_5555_5555_5555;

/// Bitmasks of one 64-byte block: quotes, backslashes, control
/// characters (below 0x20: whitespace outside strings, an error inside one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Masks {
    quote: u64,
    backslash: u64,
    control: u64,
    /// Bytes 0x80 and above (not ASCII).
    high: u64,
}

/// Scalar classification of one 64-byte block (reference and non-x86_64 path).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn classify_scalar(block: &[u8; 64]) -> Masks {
    let mut m = Masks {
        quote: 0,
        backslash: 0,
        control: 0,
        high: 0,
    };
    for (i, &b) in block.iter().enumerate() {
        let bit = 1u64 << i;
        if b >= 0x80 {
            m.high |= bit;
        }
        match b {
            b'"' => m.quote |= bit,
            b'\\' => m.backslash |= bit,
            0..=0x1f => m.control |= bit,
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
        control: 0,
        high: 0,
    };
    // SAFETY: SSE2 is part of the x86_64 baseline; the four unaligned 16-byte loads stay
    // inside the 64-byte array.
    unsafe {
        let q = _mm_set1_epi8(b'"' as i8);
        let bs = _mm_set1_epi8(b'\\' as i8);
        let below_space = _mm_set1_epi8(0x1f);
        for k in 0..4 {
            let v = _mm_loadu_si128(block.as_ptr().add(16 * k) as *const __m128i);
            let shift = 16 * k;
            m.quote |= (_mm_movemask_epi8(_mm_cmpeq_epi8(v, q)) as u16 as u64) << shift;
            m.backslash |= (_mm_movemask_epi8(_mm_cmpeq_epi8(v, bs)) as u16 as u64) << shift;
            // Unsigned v <= 0x1f: min(v, 0x1f) == v.
            let ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, below_space), v);
            m.control |= (_mm_movemask_epi8(ctl) as u16 as u64) << shift;
            m.high |= (_mm_movemask_epi8(v) as u16 as u64) << shift;
        }
    }
    m
}

/// [`classify`] with two 32-byte AVX2 loads.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn classify_avx2(block: &[u8; 64]) -> Masks {
    use std::arch::x86_64::*;
    let q = _mm256_set1_epi8(b'"' as i8);
    let bs = _mm256_set1_epi8(b'\\' as i8);
    let below_space = _mm256_set1_epi8(0x1f);
    let mut m = Masks {
        quote: 0,
        backslash: 0,
        control: 0,
        high: 0,
    };
    for k in 0..2 {
        // SAFETY: the two unaligned 32-byte loads stay inside the 64-byte array.
        let v = unsafe { _mm256_loadu_si256(block.as_ptr().add(32 * k) as *const __m256i) };
        let shift = 32 * k;
        let mask = |x: __m256i| (_mm256_movemask_epi8(x) as u32 as u64) << shift;
        m.quote |= mask(_mm256_cmpeq_epi8(v, q));
        m.backslash |= mask(_mm256_cmpeq_epi8(v, bs));
        m.control |= mask(_mm256_cmpeq_epi8(_mm256_min_epu8(v, below_space), v));
        m.high |= mask(v);
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

/// What stage 1 learnt besides the quote bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct QuoteInfo {
    /// False when the buffer ends inside a string.
    pub closed: bool,
    /// The first raw control character (below 0x20) inside a string, which JSON forbids.
    pub first_control_in_string: Option<usize>,
    /// True when every byte is ASCII (then the buffer is UTF-8 without checking).
    pub ascii: bool,
}

/// Fills `quotes` with one word per 64 bytes of `buf` whose bits are its unescaped quotes, and
/// `backslashes` with the positions of all backslashes. `buf` must be shorter than 4 GiB.
pub(crate) fn find_quotes(
    buf: &[u8],
    quotes: &mut Vec<u64>,
    backslashes: &mut Vec<u32>,
) -> QuoteInfo {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("pclmulqdq") {
        // SAFETY: the CPU has AVX2 and PCLMULQDQ, checked just above.
        return unsafe { find_quotes_avx2(buf, quotes, backslashes) };
    }
    find_quotes_with(buf, quotes, backslashes, classify, prefix_xor)
}

/// [`find_quotes`] compiled for AVX2, with 32-byte classification and the quote prefix XOR
/// as one carry-less multiplication.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,bmi1,popcnt,pclmulqdq")]
unsafe fn find_quotes_avx2(
    buf: &[u8],
    quotes: &mut Vec<u64>,
    backslashes: &mut Vec<u32>,
) -> QuoteInfo {
    find_quotes_with(
        buf,
        quotes,
        backslashes,
        // SAFETY: this function only runs on a CPU with AVX2.
        |b| unsafe { classify_avx2(b) },
        // SAFETY: this function only runs on a CPU with PCLMULQDQ.
        |x| unsafe { prefix_xor_clmul(x) },
    )
}

/// [`prefix_xor`] as a carry-less multiplication by all ones (simdjson's method).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "pclmulqdq")]
unsafe fn prefix_xor_clmul(x: u64) -> u64 {
    use std::arch::x86_64::*;
    let v = _mm_set_epi64x(0, x as i64);
    let ones = _mm_set1_epi8(-1);
    _mm_cvtsi128_si64(_mm_clmulepi64_si128(v, ones, 0)) as u64
}

/// Appends `base + i` for every set bit `i` of `bits`, in order.
#[inline(always)]
fn flatten(out: &mut Vec<u32>, base: usize, mut bits: u64) {
    while bits != 0 {
        out.push(base as u32 + bits.trailing_zeros());
        bits &= bits - 1;
    }
}

#[inline(always)]
fn find_quotes_with(
    buf: &[u8],
    quotes: &mut Vec<u64>,
    backslashes: &mut Vec<u32>,
    classify: impl Fn(&[u8; 64]) -> Masks,
    prefix_xor: impl Fn(u64) -> u64,
) -> QuoteInfo {
    debug_assert!(buf.len() <= u32::MAX as usize);
    quotes.clear();
    backslashes.clear();
    quotes.reserve(buf.len().div_ceil(64) + 1);
    let mut prev_escaped = 0u64;
    // All ones while the position reached is inside a string.
    let mut in_string_carry = 0u64;
    let mut first_control_in_string = None;
    let mut high = 0u64;
    // One block: its unescaped quotes.
    macro_rules! block {
        ($k:expr, $chunk:expr) => {{
            let (k, chunk): (usize, &[u8; 64]) = ($k, $chunk);
            let m = classify(chunk);
            high |= m.high;
            let escaped = find_escaped(m.backslash, &mut prev_escaped);
            flatten(backslashes, k * 64, m.backslash);
            let q = m.quote & !escaped;
            // Control characters are rare in compact JSON: only a block that has one needs
            // to know which of its bytes are inside strings.
            if m.control != 0 && first_control_in_string.is_none() {
                let control = m.control & (prefix_xor(q) ^ in_string_carry);
                if control != 0 {
                    first_control_in_string = Some(k * 64 + control.trailing_zeros() as usize);
                }
            }
            if q.count_ones() & 1 == 1 {
                in_string_carry = !in_string_carry;
            }
            q
        }};
    }
    let whole = buf.len() / 64;
    // SAFETY: `[u8; 64]` has the alignment of `u8`, and `whole` blocks of 64 bytes lie within
    // `buf` (what `<[u8]>::as_chunks` does, stable only after this crate's MSRV).
    let chunks: &[[u8; 64]] =
        unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<[u8; 64]>(), whole) };
    let tail = &buf[whole * 64..];
    // Each word written once (no zeroing first); a loop, not a closure, so that the block
    // code keeps this function's target features.
    for (k, chunk) in chunks.iter().enumerate() {
        quotes.push(block!(k, chunk));
    }
    if !tail.is_empty() {
        let mut last = [b' '; 64];
        last[..tail.len()].copy_from_slice(tail);
        quotes.push(block!(buf.len() / 64, &last));
    }
    // One word past the last block, always zero, for `closing_quote`'s two-word look.
    quotes.push(0);
    QuoteInfo {
        closed: in_string_carry == 0,
        first_control_in_string,
        ascii: high == 0,
    }
}

/// The closing quote of the string whose opening quote is at `open`: the next unescaped quote
/// in `quotes` (one word of quote bits per 64 bytes, then one word of zeros). `None` when the
/// input ends first. The word after the opening quote's is looked at without a branch, so a
/// string that crosses one block boundary (a third of them) costs no mispredicted jump.
#[inline(always)]
fn closing_quote(quotes: &[u64], open: usize) -> Option<usize> {
    let from = open + 1;
    let mut block = from / 64;
    let pair = quotes.get(block..block + 2)?;
    let bits = u128::from(pair[0] & (u64::MAX << (from % 64))) | u128::from(pair[1]) << 64;
    if bits != 0 {
        return Some(block * 64 + bits.trailing_zeros() as usize);
    }
    block += 2;
    loop {
        let bits = *quotes.get(block)?;
        if bits != 0 {
            return Some(block * 64 + bits.trailing_zeros() as usize);
        }
        block += 1;
    }
}

/// The first flaw inside strings: a raw control character (found by stage 1) or an escape
/// `serde_json` refuses even in values it skips (anything but `\"` `\\` `\/` `\b` `\f` `\n`
/// `\r` `\t` and `\u` with four hex digits; a lone surrogate is valid here, an error only
/// where the text is used). Escapes are checked once over the backslash positions, so strings
/// need no scan of their own. A backslash outside any string is caught by the grammar.
fn first_flaw(buf: &[u8], backslashes: &[u32], control: Option<usize>) -> Option<usize> {
    let mut i = 0;
    while i < backslashes.len() {
        let at = backslashes[i] as usize;
        let valid = match buf.get(at + 1) {
            Some(b'\\') => {
                i += 1; // the escaped backslash is the next entry
                true
            }
            Some(b'"' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => true,
            Some(b'u') => buf
                .get(at + 2..at + 6)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)),
            _ => false,
        };
        if !valid {
            return Some(control.map_or(at, |c| c.min(at)));
        }
        i += 1;
    }
    control
}

/// The length of `word` at the start of `text`, if it is there.
fn literal_len(text: &[u8], word: &[u8]) -> Option<usize> {
    text.starts_with(word).then_some(word.len())
}

/// The length of the JSON number at the start of `text`, read as `serde_json` reads one:
/// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`, where a digit after a leading `0`, a `.`
/// without digits or an exponent without digits is an error (`None`).
fn number_len(text: &[u8]) -> Option<usize> {
    let digits = |i: usize| text[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    let mut i = usize::from(text.first() == Some(&b'-'));
    match text.get(i) {
        Some(b'0') => {
            i += 1;
            if text.get(i).is_some_and(u8::is_ascii_digit) {
                return None;
            }
        }
        Some(b'1'..=b'9') => i += digits(i),
        _ => return None,
    }
    if text.get(i) == Some(&b'.') {
        let n = digits(i + 1);
        if n == 0 {
            return None;
        }
        i += 1 + n;
    }
    if matches!(text.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(text.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let n = digits(i);
        if n == 0 {
            return None;
        }
        i += n;
    }
    Some(i)
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

/// Walks the buffer with the quote bits of stage 1. `cur` is the byte position just after
/// what was consumed last; it is never inside a string (a string is entered only at its
/// opening quote and left just after its closing one), so brackets, separators and scalars
/// are read from the bytes.
struct Walker<'a, 'i> {
    buf: &'a [u8],
    /// `buf` as text, when it is valid UTF-8 as a whole (then every string is).
    text: Option<&'a str>,
    /// Unescaped quotes, one word of bits per 64 bytes.
    quotes: &'i [u64],
    cur: usize,
    /// Backslash positions, and a cursor into them that only moves forward.
    bs: &'i [u32],
    bs_i: usize,
    /// The hot paths read a string as plain only when it ends before this: the next
    /// backslash (`bs[bs_i]`) or the flaw, whichever comes first; 0 when the buffer is not
    /// UTF-8 (then every string takes the general path).
    plain_below: usize,
    /// Where the first raw control character or invalid escape inside a string is
    /// (`usize::MAX` if none): the string holding it stops the file (as `serde_json` stops
    /// there).
    flaw: usize,
    /// Closing brackets of the values being skipped (any depth, as `serde_json` skips).
    stack: Vec<u8>,
    /// The keys learnt for each kind of object read (see [`Memo`]).
    memos: [KeyMemo; Memo::COUNT],
}

/// The kinds of object whose keys are learnt, each in its own [`KeyMemo`].
#[derive(Debug, Clone, Copy)]
enum Memo {
    Record,
    Identity,
    Tls,
    SessionContext,
    SessionIssuer,
    OnBehalfOf,
}

impl Memo {
    const COUNT: usize = Memo::OnBehalfOf as usize + 1;
}

/// One kind of object: its memo and the ids of its keys.
type KeysOf = (Memo, fn(&[u8]) -> u8);

/// What [`Walker::record`] does with a record's key (0: skips its value).
mod record_key {
    pub const EVENT_TIME: u8 = 1;
    pub const EVENT_SOURCE: u8 = 2;
    pub const EVENT_NAME: u8 = 3;
    pub const EVENT_TYPE: u8 = 4;
    pub const AWS_REGION: u8 = 5;
    pub const SOURCE_IP: u8 = 6;
    pub const USER_AGENT: u8 = 7;
    pub const RECIPIENT_ACCOUNT: u8 = 8;
    pub const EVENT_VERSION: u8 = 9;
    pub const RECORDS: u8 = 10;
    pub const USER_IDENTITY: u8 = 11;
    pub const TLS_DETAILS: u8 = 12;

    /// The id of a record's key.
    pub fn of(k: &[u8]) -> u8 {
        match k {
            b"eventTime" => EVENT_TIME,
            b"eventSource" => EVENT_SOURCE,
            b"eventName" => EVENT_NAME,
            b"eventType" => EVENT_TYPE,
            b"awsRegion" => AWS_REGION,
            b"sourceIPAddress" => SOURCE_IP,
            b"userAgent" => USER_AGENT,
            b"recipientAccountId" => RECIPIENT_ACCOUNT,
            b"eventVersion" => EVENT_VERSION,
            b"Records" => RECORDS,
            b"userIdentity" => USER_IDENTITY,
            b"tlsDetails" => TLS_DETAILS,
            _ => 0,
        }
    }
}

/// What [`Walker::identity`] does with a `userIdentity` key (0: skips its value).
mod identity_key {
    pub const TYPE: u8 = 1;
    pub const PRINCIPAL_ID: u8 = 2;
    pub const ARN: u8 = 3;
    pub const ACCOUNT_ID: u8 = 4;
    pub const INVOKED_BY: u8 = 5;
    pub const ACCESS_KEY_ID: u8 = 6;
    pub const USER_NAME: u8 = 7;
    pub const SESSION_CONTEXT: u8 = 8;
    pub const ON_BEHALF_OF: u8 = 9;

    /// The id of a `userIdentity` key.
    pub fn of(k: &[u8]) -> u8 {
        match k {
            b"type" => TYPE,
            b"principalId" => PRINCIPAL_ID,
            b"arn" => ARN,
            b"accountId" => ACCOUNT_ID,
            b"invokedBy" => INVOKED_BY,
            b"accessKeyId" => ACCESS_KEY_ID,
            b"userName" => USER_NAME,
            b"sessionContext" => SESSION_CONTEXT,
            b"onBehalfOf" => ON_BEHALF_OF,
            _ => 0,
        }
    }
}

/// What [`Walker::tls_details`] does with a `tlsDetails` key (0: skips its value).
mod tls_key {
    pub const VERSION: u8 = 1;
    pub const CIPHER: u8 = 2;
    pub const HOST_HEADER: u8 = 3;

    /// The id of a `tlsDetails` key.
    pub fn of(k: &[u8]) -> u8 {
        match k {
            b"tlsVersion" => VERSION,
            b"cipherSuite" => CIPHER,
            b"clientProvidedHostHeader" => HOST_HEADER,
            _ => 0,
        }
    }
}

/// JSON whitespace, without a branch per character class (a peeked byte above 0x20, the
/// common case, is decided by one comparison).
#[inline(always)]
fn is_ws(b: u8) -> bool {
    const WS: u64 = 1 << b' ' | 1 << b'\t' | 1 << b'\r' | 1 << b'\n';
    b <= b' ' && (WS >> b) & 1 == 1
}

/// Why a string the audit reads could not be decoded.
enum DecodeError {
    /// Invalid JSON (a bad escape, invalid UTF-8): the file stops, as with `serde_json`.
    Json(FastError),
    /// A `\u` escape of half a surrogate pair: only this record is lost.
    LoneSurrogate,
}

impl<'a, 'i> Walker<'a, 'i> {
    fn new(buf: &'a [u8], quotes: &'i [u64], bs: &'i [u32], info: QuoteInfo) -> Self {
        let mut w = Walker {
            buf,
            text: if info.ascii {
                // SAFETY: every byte is below 0x80 (stage 1), and ASCII is UTF-8.
                Some(unsafe { std::str::from_utf8_unchecked(buf) })
            } else {
                std::str::from_utf8(buf).ok()
            },
            quotes,
            cur: 0,
            bs,
            bs_i: 0,
            plain_below: 0,
            flaw: first_flaw(buf, bs, info.first_control_in_string).unwrap_or(usize::MAX),
            stack: Vec::new(),
            memos: Default::default(),
        };
        w.set_plain_below();
        w
    }

    /// Recomputes [`Self::plain_below`] after `bs_i` moved.
    fn set_plain_below(&mut self) {
        let next_backslash = self.bs.get(self.bs_i).map_or(usize::MAX, |&p| p as usize);
        self.plain_below = if self.text.is_some() {
            next_backslash.min(self.flaw)
        } else {
            0
        };
    }

    fn err<T>(&self, pos: usize, what: &'static str) -> R<T> {
        Err(FastError { pos, what })
    }

    /// Takes the bracket at `at` (found by looking at the bytes).
    #[inline(always)]
    fn take(&mut self, at: usize) {
        self.cur = at + 1;
    }

    /// The first non-whitespace byte at or after `cur`.
    #[inline(always)]
    fn peek(&self) -> R<(usize, u8)> {
        first_non_ws(self.buf, self.cur)
    }

    /// Takes a string whose opening quote is at `open` (outside any string) up to its closing
    /// quote. Checks it as `serde_json` does even when skipping (no raw control characters,
    /// valid escapes) and returns its raw content range.
    #[inline(always)]
    fn string(&mut self, open: usize) -> R<(usize, usize)> {
        let close = string_close(self.buf.len(), self.quotes, self.flaw, open)?;
        self.cur = close + 1;
        Ok((open + 1, close))
    }

    /// True when `buf[start..end]` holds a backslash. Calls must come in document order.
    #[inline(always)]
    fn has_backslash(&mut self, start: usize, end: usize) -> bool {
        while self
            .bs
            .get(self.bs_i)
            .is_some_and(|&p| (p as usize) < start)
        {
            self.bs_i += 1;
        }
        self.set_plain_below();
        self.bs.get(self.bs_i).is_some_and(|&p| (p as usize) < end)
    }

    /// The text of the string `buf[start..end]` (escapes already checked by [`Self::string`]).
    fn decode(&mut self, start: usize, end: usize) -> Result<Cow<'a, str>, DecodeError> {
        if !self.has_backslash(start, end) {
            let text = match self.text {
                Some(t) => Some(between_quotes(t, start - 1, end)),
                None => std::str::from_utf8(&self.buf[start..end]).ok(),
            };
            return match text {
                Some(s) => Ok(Cow::Borrowed(s)),
                None => Err(DecodeError::Json(FastError {
                    pos: start,
                    what: "invalid UTF-8 in string",
                })),
            };
        }
        let raw = &self.buf[start - 1..=end];
        if self.text.is_none() && std::str::from_utf8(raw).is_err() {
            return Err(DecodeError::Json(FastError {
                pos: start,
                what: "invalid UTF-8 in string",
            }));
        }
        // Escapes were checked by `string`, and the text is UTF-8: what serde_json can still
        // refuse is a `\u` escape that is half a surrogate pair.
        match serde_json::from_slice::<String>(raw) {
            Ok(s) => Ok(Cow::Owned(s)),
            Err(_) => Err(DecodeError::LoneSurrogate),
        }
    }

    /// [`Self::decode`] where any failure is invalid JSON (a string `serde_json` visits as a
    /// value of unknown type, which it decodes strictly).
    fn decode_strict(&mut self, start: usize, end: usize) -> R<Cow<'a, str>> {
        match self.decode(start, end) {
            Ok(s) => Ok(s),
            Err(DecodeError::Json(e)) => Err(e),
            Err(DecodeError::LoneSurrogate) => self.err(start, "lone surrogate in string"),
        }
    }

    /// Skips a scalar starting at `start` (`true`, `false`, `null` or a number), reading
    /// exactly the bytes `serde_json` reads for it (what follows is the caller's to check);
    /// returns its text.
    #[inline(always)]
    fn skip_scalar(&mut self, start: usize) -> R<&'a [u8]> {
        let text = &self.buf[start..];
        match scalar_len(text) {
            Some(n) => {
                self.cur = start + n;
                Ok(&text[..n])
            }
            None => self.err(start, "invalid value"),
        }
    }

    /// Skips the next value, checking its grammar as strictly as `serde_json` does, at any
    /// depth.
    fn skip_value(&mut self) -> R<()> {
        let (p, _) = self.peek()?;
        self.cur = self.skip_at(p)?;
        Ok(())
    }

    /// Skips the value starting at `p` (not whitespace): strings and scalars at once,
    /// containers in [`skip_container`]. Returns the position just after it.
    #[inline(always)]
    fn skip_at(&mut self, p: usize) -> R<usize> {
        match self.buf[p] {
            b'"' => Ok(string_close(self.buf.len(), self.quotes, self.flaw, p)? + 1),
            b'{' | b'[' => skip_container(self.buf, self.quotes, self.flaw, p, &mut self.stack),
            _ => match scalar_len(&self.buf[p..]) {
                Some(n) => Ok(p + n),
                None => fail(p, "invalid value"),
            },
        }
    }

    /// Skips a value where `serde_json` visits it as a value of unknown type (a wrong-typed
    /// field, a non-object record): strings are decoded strictly and numbers must be finite.
    /// With `whole_utf8` (a string field captured raw first) an object or array must be UTF-8
    /// throughout too.
    fn skip_visited(&mut self, whole_utf8: bool) -> R<()> {
        match self.peek()? {
            (p, b'"') => {
                let (s, e) = self.string(p)?;
                self.decode_strict(s, e).map(|_| ())
            }
            (p, b'{' | b'[') => {
                self.skip_value()?;
                if whole_utf8
                    && self.text.is_none()
                    && std::str::from_utf8(&self.buf[p..self.cur]).is_err()
                {
                    return self.err(p, "invalid UTF-8 in value");
                }
                Ok(())
            }
            (p, _) => {
                let word = self.skip_scalar(p)?;
                let finite = !matches!(word.first(), Some(b'-' | b'0'..=b'9'))
                    || std::str::from_utf8(word)
                        .ok()
                        .and_then(|w| w.parse::<f64>().ok())
                        .is_some_and(f64::is_finite);
                if finite {
                    Ok(())
                } else {
                    self.err(p, "number out of range")
                }
            }
        }
    }

    /// Reads a string-or-null value into `slot`; other types are skipped and noted in `bad`.
    #[inline(never)]
    fn str_field(&mut self, slot: &mut Field<'a>, bad: &mut Bad, name: &'static str) -> R<()> {
        match self.peek()? {
            (p, b'"') => {
                let (s, e) = self.string(p)?;
                match self.decode(s, e) {
                    Ok(text) => *slot = Some(text),
                    Err(DecodeError::LoneSurrogate) => {
                        bad.get_or_insert((name, Flaw::LoneSurrogate));
                    }
                    Err(DecodeError::Json(e)) => return Err(e),
                }
                Ok(())
            }
            (p, b'n') if self.buf[p..].starts_with(b"null") => {
                self.skip_scalar(p)?;
                *slot = None;
                Ok(())
            }
            _ => {
                bad.get_or_insert((name, Flaw::NotAString));
                self.skip_visited(true)
            }
        }
    }

    /// Reads the next key of an object (after `{` or `,`) and its `:`; `None` at `}` (only
    /// when `allow_end`). Keys without escapes are returned without copying.
    #[inline(never)]
    fn key(&mut self, allow_end: bool) -> R<Option<Cow<'a, [u8]>>> {
        let (p, c) = self.peek()?;
        if c == b'}' && allow_end {
            self.take(p);
            return Ok(None);
        }
        if c != b'"' {
            return self.err(p, "expected an object key");
        }
        let (s, e) = self.string(p)?;
        let key = if self.has_backslash(s, e) || self.text.is_none() {
            match self.decode_strict(s, e)? {
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
    #[inline(always)]
    fn more(&mut self, close: u8) -> R<bool> {
        let (p, c) = self.peek()?;
        if c == b',' {
            self.cur = p + 1;
            Ok(true)
        } else if c == close {
            self.take(p);
            Ok(false)
        } else {
            self.err(p, "expected ',' or a closing bracket")
        }
    }

    /// Runs `f` on the walker's cursor set from `at`, and copies it back: the hot paths keep
    /// their cursor in a local (a register), the general paths in the walker.
    #[inline(always)]
    fn synced<T>(&mut self, at: &mut usize, f: impl FnOnce(&mut Self) -> R<T>) -> R<T> {
        self.cur = *at;
        let r = f(self);
        *at = self.cur;
        r
    }

    /// The closing quote of the plain string opening at `at` (no whitespace before it, no
    /// backslash or flaw inside, the buffer UTF-8): the common case, read without the general
    /// path's checks and copies. `None` sends the caller to the general path.
    #[inline(always)]
    fn plain_at(&self, at: usize) -> Option<usize> {
        if self.buf.get(at) != Some(&b'"') {
            return None;
        }
        let close = closing_quote(self.quotes, at)?;
        (close < self.plain_below).then_some(close)
    }

    /// The next key of an object and its `:` (see [`Self::key`]).
    #[inline(always)]
    fn hot_key(&mut self, at: &mut usize, allow_end: bool) -> R<Option<Cow<'a, [u8]>>> {
        if let Some(close) = self.plain_at(*at) {
            if self.buf.get(close + 1) == Some(&b':') {
                let key = &self.buf[*at + 1..close];
                *at = close + 2;
                return Ok(Some(Cow::Borrowed(key)));
            }
        }
        self.synced(at, |w| w.key(allow_end))
    }

    /// A string-or-null value into `slot` (see [`Self::str_field`]).
    #[inline(always)]
    fn hot_str(
        &mut self,
        at: &mut usize,
        slot: &mut Field<'a>,
        bad: &mut Bad,
        name: &'static str,
    ) -> R<()> {
        if let (Some(close), Some(text)) = (self.plain_at(*at), self.text) {
            *slot = Some(Cow::Borrowed(between_quotes(text, *at, close)));
            *at = close + 1;
            return Ok(());
        }
        self.synced(at, |w| w.str_field(slot, bad, name))
    }

    /// Skips the next value (see [`Self::skip_value`]).
    #[inline(always)]
    fn hot_skip(&mut self, at: &mut usize) -> R<()> {
        match self.buf.get(*at) {
            Some(&b) if b > b' ' => {
                *at = self.skip_at(*at)?;
                Ok(())
            }
            _ => self.synced(at, |w| w.skip_value()),
        }
    }

    /// `true` at `,`, `false` at `close` (taken), as [`Self::more`].
    #[inline(always)]
    fn hot_more(&mut self, at: &mut usize, close: u8) -> R<bool> {
        match self.buf.get(*at) {
            Some(b',') => {
                *at += 1;
                return Ok(true);
            }
            Some(&c) if c == close => {
                *at += 1;
                return Ok(false);
            }
            _ => {}
        }
        self.synced(at, |w| w.more(close))
    }

    /// Reads the members of the object whose `{` was just taken: `field` reads the value of
    /// the key it is given (with its id, from `id_of`) and returns true, or returns false to
    /// have it skipped. Keys are read through the memo of `kind` when it predicts them (see
    /// [`crate::key_memo`]) and teach it when it does not. The cursor stays in a local
    /// throughout.
    #[inline(always)]
    fn members(
        &mut self,
        kind: Memo,
        id_of: impl Fn(&[u8]) -> u8,
        mut field: impl FnMut(&mut Self, &mut usize, u8) -> R<bool>,
    ) -> R<()> {
        let buf = self.buf;
        let mut at = self.cur;
        let mut first = true;
        let mut slot = START;
        loop {
            let id = match self.memos[kind as usize].predict(slot, buf, at) {
                Some(hit) => {
                    at += hit.len;
                    slot = hit.slot;
                    hit.id
                }
                None => {
                    let start = at;
                    let Some(key) = self.hot_key(&mut at, first)? else {
                        break;
                    };
                    let id = id_of(&key);
                    slot = self.memos[kind as usize].learn(slot, &buf[start..at], &key, id);
                    id
                }
            };
            first = false;
            if !field(self, &mut at, id)? {
                self.hot_skip(&mut at)?;
            }
            if !self.hot_more(&mut at, b'}')? {
                break;
            }
        }
        self.cur = at;
        Ok(())
    }

    /// Reads a nested `userIdentity` / `tlsDetails` object (or null / wrong type). `field`
    /// reads one member and returns false for members it does not want.
    /// The object is read into `slot` in place (`None` for null or a wrong type).
    fn nested<T: Default>(
        &mut self,
        slot: &mut Option<T>,
        bad: &mut Bad,
        name: &'static str,
        (kind, id_of): KeysOf,
        mut field: impl FnMut(&mut Self, &mut usize, u8, &mut T, &mut Bad) -> R<bool>,
    ) -> R<()> {
        match self.peek()? {
            (p, b'{') => {
                self.take(p);
                if slot.is_some() {
                    *slot = None; // a repeated key: the last one counts, whole
                }
                let v = slot.get_or_insert_with(T::default);
                self.members(kind, id_of, |w, at, id| field(w, at, id, v, bad))
            }
            (p, b'n') if self.buf[p..].starts_with(b"null") => {
                self.skip_scalar(p)?;
                *slot = None;
                Ok(())
            }
            _ => {
                bad.get_or_insert((name, Flaw::NotAString));
                self.skip_visited(false)?;
                *slot = None;
                Ok(())
            }
        }
    }

    fn identity(&mut self, slot: &mut Option<Identity<'a>>, bad: &mut Bad) -> R<()> {
        self.nested(
            slot,
            bad,
            "userIdentity",
            (Memo::Identity, identity_key::of),
            |w, at, key, id: &mut Identity<'a>, bad| {
                use identity_key::*;
                let (slot, name) = match key {
                    TYPE => (&mut id.kind, "userIdentity.type"),
                    PRINCIPAL_ID => (&mut id.principal_id, "userIdentity.principalId"),
                    ARN => (&mut id.arn, "userIdentity.arn"),
                    ACCOUNT_ID => (&mut id.account_id, "userIdentity.accountId"),
                    INVOKED_BY => (&mut id.invoked_by, "userIdentity.invokedBy"),
                    ACCESS_KEY_ID => (&mut id.access_key_id, "userIdentity.accessKeyId"),
                    USER_NAME => (&mut id.user_name, "userIdentity.userName"),
                    SESSION_CONTEXT => {
                        id.session_issuer = w.synced(at, |w| {
                            w.pick(
                                bad,
                                "userIdentity.sessionContext",
                                &[
                                    (Memo::SessionContext, |k| u8::from(k == b"sessionIssuer")),
                                    (Memo::SessionIssuer, |k| u8::from(k == b"arn")),
                                ],
                                &[
                                    "userIdentity.sessionContext.sessionIssuer",
                                    "userIdentity.sessionContext.sessionIssuer.arn",
                                ],
                            )
                        })?;
                        return Ok(true);
                    }
                    ON_BEHALF_OF => {
                        id.on_behalf_of = w.synced(at, |w| {
                            w.pick(
                                bad,
                                "userIdentity.onBehalfOf",
                                &[(Memo::OnBehalfOf, |k| u8::from(k == b"userId"))],
                                &["userIdentity.onBehalfOf.userId"],
                            )
                        })?;
                        return Ok(true);
                    }
                    _ => return Ok(false),
                };
                w.hot_str(at, slot, bad, name)?;
                Ok(true)
            },
        )
    }

    /// The string at the end of `path` inside the object that comes next. Each step of the
    /// path is an object: its memo, and the key id function that gives 1 for the member to go
    /// into. `names` are the full field names of the values along `path`, `name` the object's
    /// own.
    fn pick(
        &mut self,
        bad: &mut Bad,
        name: &'static str,
        path: &'static [KeysOf],
        names: &'static [&'static str],
    ) -> R<Field<'a>> {
        let mut found = None;
        self.nested(
            &mut found,
            bad,
            name,
            path[0],
            |w, at, key, v: &mut Field<'a>, bad| {
                if key != 1 {
                    return Ok(false);
                }
                *v = if path.len() == 1 {
                    let mut s = None;
                    w.hot_str(at, &mut s, bad, names[0])?;
                    s
                } else {
                    w.synced(at, |w| w.pick(bad, names[0], &path[1..], &names[1..]))?
                };
                Ok(true)
            },
        )?;
        Ok(found.flatten())
    }

    fn tls_details(&mut self, slot: &mut Option<TlsDetails<'a>>, bad: &mut Bad) -> R<()> {
        self.nested(
            slot,
            bad,
            "tlsDetails",
            (Memo::Tls, tls_key::of),
            |w, at, key, t: &mut TlsDetails<'a>, bad| {
                let (slot, name) = match key {
                    tls_key::VERSION => (&mut t.version, "tlsDetails.tlsVersion"),
                    tls_key::CIPHER => (&mut t.cipher, "tlsDetails.cipherSuite"),
                    tls_key::HOST_HEADER => {
                        (&mut t.host_header, "tlsDetails.clientProvidedHostHeader")
                    }
                    _ => return Ok(false),
                };
                w.hot_str(at, slot, bad, name)?;
                Ok(true)
            },
        )
    }

    /// Reads one record whose `{` was just taken into `r` (a default one).
    fn record(&mut self, r: &mut Record<'a>) -> R<()> {
        let mut bad = None;
        self.members(Memo::Record, record_key::of, |w, at, key| {
            use record_key::*;
            let (slot, name) = match key {
                EVENT_TIME => (&mut r.event_time, "eventTime"),
                EVENT_SOURCE => (&mut r.event_source, "eventSource"),
                EVENT_NAME => (&mut r.event_name, "eventName"),
                EVENT_TYPE => (&mut r.event_type, "eventType"),
                AWS_REGION => (&mut r.aws_region, "awsRegion"),
                SOURCE_IP => (&mut r.source_ip, "sourceIPAddress"),
                USER_AGENT => (&mut r.user_agent, "userAgent"),
                RECIPIENT_ACCOUNT => (&mut r.recipient_account_id, "recipientAccountId"),
                EVENT_VERSION => {
                    r.has_event_version = true;
                    return Ok(false);
                }
                RECORDS => {
                    r.has_records_key = true;
                    return Ok(false);
                }
                USER_IDENTITY => {
                    w.synced(at, |w| w.identity(&mut r.identity, &mut bad))?;
                    return Ok(true);
                }
                TLS_DETAILS => {
                    w.synced(at, |w| w.tls_details(&mut r.tls, &mut bad))?;
                    return Ok(true);
                }
                _ => return Ok(false),
            };
            w.hot_str(at, slot, &mut bad, name)?;
            Ok(true)
        })?;
        r.bad_field = bad;
        Ok(())
    }

    /// Reads the `Records` array whose `[` was just taken, streaming records to the sink.
    fn records<S: RecordSink<'a>>(&mut self, sink: &mut S) -> R<()> {
        if let (p, b']') = self.peek()? {
            self.take(p);
            return Ok(());
        }
        loop {
            match self.peek()? {
                (p, b'{') => {
                    self.take(p);
                    let mut r = Record::default();
                    self.record(&mut r)?;
                    sink.record(&r);
                }
                _ => {
                    self.skip_visited(false)?;
                    sink.invalid(&"a Records element is not a JSON object");
                }
            }
            if !self.more(b']')? {
                return Ok(());
            }
        }
    }

    /// One log object `{"Records":[...]}` starting at `cur`.
    fn document<S: RecordSink<'a>>(&mut self, sink: &mut S) -> R<bool> {
        let (p, c) = self.peek()?;
        if c != b'{' {
            return self.err(p, "expected '{'");
        }
        self.take(p);
        let mut found = false;
        let mut first = true;
        while let Some(k) = self.key(first)? {
            first = false;
            if &*k == b"Records" {
                match self.peek()? {
                    (p, b'[') => {
                        self.take(p);
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
        Ok(found)
    }

    /// Log objects one after another (`cat a.json b.json`), until something else starts.
    fn documents<S: RecordSink<'a>>(&mut self, sink: &mut S) -> R<usize> {
        loop {
            self.document(sink)?;
            let rest = &self.buf[self.cur..];
            let next = rest.iter().position(|b| !is_ws(*b));
            match next {
                Some(n) if crate::parse::first_key_is_records(&rest[n..]) => {}
                _ => return Ok(self.cur),
            }
        }
    }
}

/// The text between the quotes at `open` and `close` (`open < close`, both quotes in `text`).
#[inline(always)]
fn between_quotes(text: &str, open: usize, close: usize) -> &str {
    debug_assert!(open < close && text.as_bytes()[open] == b'"' && text.as_bytes()[close] == b'"');
    // SAFETY: `open < close < text.len()`; a position just after an ASCII byte and the
    // position of an ASCII byte are both character boundaries of UTF-8 text.
    unsafe { text.get_unchecked(open + 1..close) }
}

/// The first non-whitespace byte at or after `p`.
#[inline(always)]
fn first_non_ws(buf: &[u8], mut p: usize) -> R<(usize, u8)> {
    while let Some(&b) = buf.get(p) {
        if b > b' ' || !is_ws(b) {
            return Ok((p, b));
        }
        p += 1;
    }
    fail(buf.len(), "unexpected end of input")
}

/// The closing quote of the string opening at `open` in a buffer of `len` bytes, checked as
/// `serde_json` checks a string even when skipping it: it ends, and holds no raw control
/// character or invalid escape (`flaw`).
#[inline(always)]
fn string_close(len: usize, quotes: &[u64], flaw: usize, open: usize) -> R<usize> {
    let Some(close) = closing_quote(quotes, open) else {
        return fail(len, "unexpected end of input");
    };
    if flaw < close && flaw > open {
        return fail(flaw, "control character or invalid escape in string");
    }
    Ok(close)
}

/// A stage-2 error at `pos` (kept out of line: errors are rare and the loops are hot).
#[cold]
#[inline(never)]
fn fail<T>(pos: usize, what: &'static str) -> R<T> {
    Err(FastError { pos, what })
}

/// Skips the container whose opening bracket is at `cur0` (after whitespace), at any depth,
/// checking it as [`Walker::skip_value`] promises. Returns the byte position just after it.
/// One loop over locals: `top` is the closing bracket expected next, `outer` those of the
/// containers around it.
fn skip_container(
    buf: &[u8],
    quotes: &[u64],
    flaw: usize,
    cur0: usize,
    outer: &mut Vec<u8>,
) -> R<usize> {
    let mut cur = cur0 + 1;
    // The first non-whitespace byte at or after `$p`.
    macro_rules! peek {
        ($p:expr) => {
            first_non_ws(buf, $p)?
        };
    }
    // The closing quote of the string opening at `$open`.
    macro_rules! string_end {
        ($open:expr) => {
            string_close(buf.len(), quotes, flaw, $open)?
        };
    }
    // An object key at `cur` and its `:`.
    macro_rules! key {
        () => {{
            let (p, c) = peek!(cur);
            if c != b'"' {
                return fail(p, "expected an object key");
            }
            let close = string_end!(p);
            let (cp, cc) = peek!(close + 1);
            if cc != b':' {
                return fail(cp, "expected ':'");
            }
            cur = cp + 1;
        }};
    }
    // At the start of an object member: compact members with string values (`"k":"v"`, most
    // of a skipped object) back to back, each checked as `key!` and a string value check
    // them; then `key!` for a member of any other form. True when it stopped just after a
    // value (its `,` or closing bracket is next), false when `key!` read the key.
    macro_rules! members {
        () => {{
            let mut after = false;
            while buf.get(cur) == Some(&b'"') {
                let Some(kc) = closing_quote(quotes, cur) else {
                    break;
                };
                if buf.get(kc + 1..kc + 3) != Some(b":\"") {
                    break;
                }
                let Some(vc) = closing_quote(quotes, kc + 2) else {
                    break;
                };
                if flaw < vc && flaw > cur {
                    break;
                }
                cur = vc + 1;
                after = true;
                if buf.get(cur..cur + 2) != Some(b",\"") {
                    break;
                }
                cur += 1;
                after = false;
            }
            if !after {
                key!();
            }
            after
        }};
    }
    outer.clear();
    // `{` + 2 is `}` and `[` + 2 is `]`.
    let mut top = buf[cur0] + 2;
    let (q, c) = peek!(cur);
    if c == top {
        return Ok(q + 1);
    }
    let mut need_value = true;
    if top == b'}' {
        cur = q;
        need_value = !members!();
    }
    loop {
        if need_value {
            // A value at `cur`.
            let (p, b) = peek!(cur);
            match b {
                b'"' => cur = string_end!(p) + 1,
                b'{' | b'[' => {
                    let (q, c) = peek!(p + 1);
                    if c == b + 2 {
                        cur = q + 1;
                    } else {
                        outer.push(top);
                        top = b + 2;
                        cur = q;
                        if top == b'}' {
                            need_value = !members!();
                        }
                        continue;
                    }
                }
                _ => match scalar_len(&buf[p..]) {
                    Some(n) => cur = p + n,
                    None => return fail(p, "invalid value"),
                },
            }
        }
        need_value = true;
        // After a value: close what ends here, then the next member or element.
        loop {
            let (p, c) = peek!(cur);
            if c == b',' {
                cur = p + 1;
                if top == b'}' {
                    let (q, _) = peek!(cur);
                    cur = q;
                    if members!() {
                        continue;
                    }
                }
                break;
            }
            if c != top {
                return fail(p, "expected ',' or a closing bracket");
            }
            cur = p + 1;
            match outer.pop() {
                Some(t) => top = t,
                None => return Ok(cur),
            }
        }
    }
}

/// The length of the literal or number at the start of `text`, as `serde_json` reads it.
#[inline(always)]
fn scalar_len(text: &[u8]) -> Option<usize> {
    match text.first() {
        Some(b't') => literal_len(text, b"true"),
        Some(b'f') => literal_len(text, b"false"),
        Some(b'n') => literal_len(text, b"null"),
        _ => number_len(text),
    }
}

type Scratch = (Vec<u64>, Vec<u32>);

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// The fast reader takes buffers its 32-bit backslash positions can address.
pub(crate) fn can_read(doc: &[u8]) -> bool {
    doc.len() <= u32::MAX as usize
}

/// [`parse_containers`] with per-thread reused stage-1 buffers.
pub(crate) fn parse_containers_reusing<'a, S: RecordSink<'a>>(
    doc: &'a [u8],
    sink: &mut S,
) -> Result<usize, String> {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => parse_containers(doc, &mut scratch, sink),
        Err(_) => parse_containers(doc, &mut (Vec::new(), Vec::new()), sink),
    })
}

/// An array of records `[e1,…,ek]` and nothing after it (a piece of a windowed read).
pub(crate) fn parse_array_reusing<'a, S: RecordSink<'a>>(
    doc: &'a [u8],
    sink: &mut S,
) -> Result<(), String> {
    SCRATCH.with(|cell| {
        let mut fresh = (Vec::new(), Vec::new());
        let mut borrowed = cell.try_borrow_mut();
        let (quotes, backslashes) = match borrowed.as_mut() {
            Ok(s) => &mut **s,
            Err(_) => &mut fresh,
        };
        let info = find_quotes(doc, quotes, backslashes);
        let mut w = Walker::new(doc, quotes, backslashes, info);
        let r = match w.peek() {
            Ok((p, b'[')) => {
                w.take(p);
                w.records(sink)
            }
            Ok((p, _)) => w.err(p, "expected '['"),
            Err(e) => Err(e),
        };
        match r {
            Ok(()) if doc[w.cur..].iter().all(|b| is_ws(*b)) => Ok(()),
            Ok(()) => Err(format!(
                "invalid JSON: trailing characters (at byte {})",
                w.cur
            )),
            Err(e) => Err(e.to_string()),
        }
    })
}

/// Parses the log objects `{"Records":[...]}` at the start of `doc` (one, or several back to
/// back), streaming records to the sink. Returns how many bytes they took.
pub(crate) fn parse_containers<'a, S: RecordSink<'a>>(
    doc: &'a [u8],
    scratch: &mut Scratch,
    sink: &mut S,
) -> Result<usize, String> {
    let (quotes, backslashes) = scratch;
    let info = find_quotes(doc, quotes, backslashes);
    let mut w = Walker::new(doc, quotes, backslashes, info);
    match w.documents(sink) {
        Ok(end) => Ok(end),
        Err(e) if !info.closed && e.pos >= doc.len() => Err(format!(
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
        fn record(&mut self, r: &Record<'a>) {
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
        let ok = parse_containers(doc, &mut scratch, &mut c)
            .is_ok_and(|end| doc[end..].iter().all(|b| is_ws(*b)));
        (c, ok)
    }

    const RECS: [&str; 7] = [
        r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a\"b","accountId":"1","sessionContext":{"attributes":{"x":[1,2,{"y":null}]}}},"eventTime":"2024-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"Get{Object}","awsRegion":"us-east-1","sourceIPAddress":"1.2.3.4","userAgent":"ua \\\\ \" , : [ ] { } \u00e9 \ud83d\ude00","requestParameters":{"a":"\\","b":[true,false,null,-1.5e3],"c":{}},"responseElements":null,"tlsDetails":{"tlsVersion":"TLSv1","cipherSuite":"AES128-SHA","clientProvidedHostHeader":"s3.amazonaws.com","x":1},"recipientAccountId":"1"}"#,
        r#"{ "eventTime" : "2024-01-02T00:00:00Z" , "eventName" : null , "eventSource" : 5 , "userIdentity" : "oops" , "tlsDetails" : null }"#,
        r#"{}"#,
        r#"{"userIdentity":null,"tlsDetails":{"tlsVersion":["TLSv1"]},"eventTime":"2024-01-03T00:00:00Z","Records":[1]}"#,
        r#"{"eventName":"é","userAgent":"\u0041\n","x":[[[[]]],{"":""}]}"#,
        r#"7"#,
        r#"{"userIdentity":{"type":"A","arn":"x"},"tlsDetails":{"tlsVersion":"TLSv1"},"userIdentity":{"accountId":"1"},"tlsDetails":null,"eventName":"E","eventName":"F"}"#,
    ];

    #[test]
    fn masks_match_scalar_classification() {
        let mut block = [0u8; 64];
        for (i, b) in block.iter_mut().enumerate() {
            *b = b"\"\\{}[]:,ab \n"[(i * 7 + i / 3) % 12];
        }
        assert_eq!(classify(&block), classify_scalar(&block));
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2.
            assert_eq!(unsafe { classify_avx2(&block) }, classify_scalar(&block));
        }
    }

    #[test]
    fn carry_less_prefix_xor_matches_the_shifts() {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("pclmulqdq") {
            let mut x = 0x9e37_79b9_7f4a_7c15u64;
            for _ in 0..1000 {
                // SAFETY: the CPU has PCLMULQDQ.
                assert_eq!(unsafe { prefix_xor_clmul(x) }, prefix_xor(x), "{x:#x}");
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
            }
            for x in [0, 1, u64::MAX, 1 << 63, EVEN] {
                // SAFETY: as above.
                assert_eq!(unsafe { prefix_xor_clmul(x) }, prefix_xor(x), "{x:#x}");
            }
        }
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
                let (mut quotes, mut bs) = (Vec::new(), Vec::new());
                let closed = find_quotes(doc, &mut quotes, &mut bs).closed;
                // The string opened at 5 must close just before the final `}`.
                let got = closed && closing_quote(&quotes, 5) == Some(at + 1);
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
        assert_eq!(a.records.len(), 6);
        for cut in 0..doc.len() {
            let d = &doc.as_bytes()[..cut];
            let (a, ok_a) = serde_way(d);
            let (b, ok_b) = fast_way(d);
            assert!(!ok_a && !ok_b, "cut {cut}");
            assert_eq!(a, b, "cut {cut}");
        }
    }

    #[test]
    fn strings_across_many_blocks_with_escaped_quotes_read_as_serde_reads_them() {
        for len in (1..260).step_by(7) {
            for quote_every in [0usize, 5, 63, 64] {
                let mut ua = String::new();
                for k in 0..len {
                    if quote_every > 0 && k % quote_every == quote_every - 1 {
                        ua.push_str(r#"\""#);
                    } else {
                        ua.push(char::from(b'a' + (k % 26) as u8));
                    }
                }
                for ws in ["", " ", "\n  "] {
                    let doc = format!(
                        r#"{{"Records":[{{"userAgent":{ws}"{ua}"{ws},"x":[{ws}"{ua}",{{"{ua}":1}}],"eventName":"E"}}]}}"#
                    );
                    let (a, ok_a) = serde_way(doc.as_bytes());
                    let (b, ok_b) = fast_way(doc.as_bytes());
                    assert!(ok_a && ok_b, "len {len} every {quote_every}");
                    assert_eq!(a, b, "len {len} every {quote_every}");
                    assert!(
                        a.records[0].contains("event_name: Some(\"E\")"),
                        "{:?}",
                        a.records
                    );
                    // Cut inside the long strings: both stop the same way.
                    for cut in [doc.len() / 3, doc.len() / 2, doc.len() - 5] {
                        let d = &doc.as_bytes()[..cut];
                        assert_eq!(serde_way(d), fast_way(d), "len {len} cut {cut}");
                    }
                }
            }
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
