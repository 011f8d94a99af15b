//! Object keys learnt as the fast reader meets them, to read the next key of a record with one
//! comparison.
//!
//! CloudTrail writes the members of a record (and of its `userIdentity`, `tlsDetails`, …)
//! in nearly the same order every time. A [`KeyMemo`] holds, for one kind of object, the keys
//! it has seen as their raw bytes `"name":`, each with the two keys that followed it most recently. The
//! reader compares the 32 bytes at its cursor with the key predicted after the one it just
//! read: when they match, the key, its closing quote and its `:` are known without looking for
//! them, and so is what the reader does with it (the key's `id`). Any other case (whitespace,
//! an escape, a key not seen before or in another order) takes the general path, which then
//! teaches the memo.
//!
//! A prediction is exact, never a guess that is trusted: a learnt key holds no quote,
//! backslash or control character, so bytes equal to it are that string, unescaped and valid,
//! and its closing quote is the one the quote bits would give.

/// The most keys one memo learns (one slot is the object's start).
const SLOTS: usize = 32;

/// The longest raw key learnt: `"` + name + `":`, compared 16 bytes at a time.
const WIDTH: usize = 32;

/// A slot that is no key: after a key that could not be learnt nothing is predicted.
pub(crate) const NONE: u8 = u8::MAX;

/// The slot of an object's start (before its first key).
pub(crate) const START: u8 = 0;

/// One learnt key: its raw bytes (zero past `len`), the bits of its bytes among 32, what the
/// reader does with it, and the slots of the two keys that came after it most recently.
#[derive(Debug, Clone, Copy)]
struct Learnt {
    text: [u8; WIDTH],
    mask: u32,
    len: u8,
    id: u8,
    next: [u8; 2],
}

impl Default for Learnt {
    fn default() -> Self {
        Learnt {
            text: [0; WIDTH],
            mask: 0,
            len: 0,
            id: 0,
            next: [NONE; 2],
        }
    }
}

/// The keys learnt for one kind of object.
#[derive(Debug, Clone)]
pub(crate) struct KeyMemo {
    keys: [Learnt; SLOTS],
    used: u8,
}

impl Default for KeyMemo {
    fn default() -> Self {
        KeyMemo {
            keys: [Learnt::default(); SLOTS],
            used: 1, // slot 0 is the object's start
        }
    }
}

/// A key the memo predicted at the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    /// Its slot (what to predict from next).
    pub slot: u8,
    /// Bytes from the opening quote to just after the `:`.
    pub len: usize,
    /// What the reader does with the key.
    pub id: u8,
}

/// One bit per byte of `window` equal to the same byte of `text`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn equal_bytes(window: &[u8; WIDTH], text: &[u8; WIDTH]) -> u32 {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of the x86_64 baseline; the four unaligned 16-byte loads stay
    // inside the two 32-byte arrays.
    unsafe {
        let half = |a: &[u8; WIDTH], i: usize| _mm_loadu_si128(a.as_ptr().add(i).cast());
        let lo = _mm_movemask_epi8(_mm_cmpeq_epi8(half(window, 0), half(text, 0))) as u16;
        let hi = _mm_movemask_epi8(_mm_cmpeq_epi8(half(window, 16), half(text, 16))) as u16;
        u32::from(lo) | u32::from(hi) << 16
    }
}

/// One bit per byte of `window` equal to the same byte of `text`.
#[cfg(not(target_arch = "x86_64"))]
fn equal_bytes(window: &[u8; WIDTH], text: &[u8; WIDTH]) -> u32 {
    let mut bits = 0;
    for (i, (a, b)) in window.iter().zip(text).enumerate() {
        bits |= u32::from(a == b) << i;
    }
    bits
}

impl KeyMemo {
    /// The key learnt to come after `slot` (either of the last two that did), if `buf` holds
    /// it at `at`.
    #[inline(always)]
    pub(crate) fn predict(&self, slot: u8, buf: &[u8], at: usize) -> Option<Hit> {
        let next = self.keys.get(usize::from(slot))?.next;
        let window: &[u8; WIDTH] = buf.get(at..at + WIDTH)?.try_into().ok()?;
        let hit = |n: u8| {
            let k = self.keys.get(usize::from(n))?;
            (equal_bytes(window, &k.text) & k.mask == k.mask).then_some(Hit {
                slot: n,
                len: usize::from(k.len),
                id: k.id,
            })
        };
        hit(next[0]).or_else(|| hit(next[1]))
    }

    /// Learns that the raw key `raw` (its bytes from the opening quote to just after the `:`)
    /// with name `name` came after `prev`. Returns its slot, or [`NONE`] when it is not plain
    /// (`"name":` with no escape, quote or control character), too long, or the memo is full.
    pub(crate) fn learn(&mut self, prev: u8, raw: &[u8], name: &[u8], id: u8) -> u8 {
        let plain = raw.len() == name.len() + 3
            && raw.len() <= WIDTH
            && raw[0] == b'"'
            && raw[raw.len() - 2..] == *b"\":"
            && raw[1..raw.len() - 2] == *name
            && !name.iter().any(|&b| b == b'"' || b == b'\\' || b < 0x20);
        if !plain {
            return NONE;
        }
        let mut text = [0u8; WIDTH];
        text[..raw.len()].copy_from_slice(raw);
        let used = usize::from(self.used);
        let slot = match (1..used).find(|&i| self.keys[i].text == text) {
            Some(i) => i as u8,
            None if used < SLOTS => {
                self.keys[used] = Learnt {
                    text,
                    mask: u32::MAX >> (WIDTH - raw.len()),
                    len: raw.len() as u8,
                    id,
                    next: [NONE; 2],
                };
                self.used += 1;
                used as u8
            }
            None => return NONE,
        };
        if let Some(p) = self.keys.get_mut(usize::from(prev)) {
            if p.next[0] != slot {
                p.next = [slot, p.next[0]];
            }
        }
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn padded(s: &str) -> Vec<u8> {
        let mut v = s.as_bytes().to_vec();
        v.resize(v.len() + WIDTH, b' ');
        v
    }

    #[test]
    fn predicts_the_key_that_came_next_last_time() {
        let mut m = KeyMemo::default();
        let a = m.learn(START, b"\"eventTime\":", b"eventTime", 1);
        let b = m.learn(a, b"\"eventSource\":", b"eventSource", 2);
        assert_ne!(a, NONE);
        assert_ne!(b, NONE);
        let buf = padded("\"eventTime\":\"x\",\"eventSource\":\"y\"");
        let hit = m.predict(START, &buf, 0).expect("first key");
        assert_eq!((hit.slot, hit.len, hit.id), (a, 12, 1));
        let hit = m.predict(a, &buf, 16).expect("second key");
        assert_eq!((hit.slot, hit.len, hit.id), (b, 14, 2));
        // Nothing learnt after the second key, nor after a key not learnt.
        assert_eq!(m.predict(b, &buf, 0), None);
        assert_eq!(m.predict(NONE, &buf, 0), None);
    }

    #[test]
    fn a_different_byte_anywhere_in_the_key_is_no_match() {
        let mut m = KeyMemo::default();
        m.learn(START, b"\"arn\":", b"arn", 3);
        for bad in [
            "\"arm\":",
            "\"arn\" :",
            "\"arn\\\":",
            "\"ar\":\"",
            " \"arn\":",
        ] {
            assert_eq!(m.predict(START, &padded(bad), 0), None, "{bad}");
        }
        // Bytes after the key do not matter.
        assert!(m.predict(START, &padded("\"arn\":null"), 0).is_some());
        // Too close to the end of the buffer for a 32-byte look: the general path.
        assert_eq!(m.predict(START, b"\"arn\":\"x\"}", 0), None);
    }

    #[test]
    fn only_plain_short_keys_are_learnt() {
        let mut m = KeyMemo::default();
        assert_eq!(m.learn(START, b"\"a\\\"b\":", b"a\"b", 1), NONE);
        assert_eq!(m.learn(START, b"\"ab\" :", b"ab", 1), NONE);
        assert_eq!(m.learn(START, b"\"a\x01\":", b"a\x01", 1), NONE);
        let long = format!("\"{}\":", "k".repeat(WIDTH - 2));
        assert_eq!(
            m.learn(START, long.as_bytes(), &long.as_bytes()[1..WIDTH - 1], 1),
            NONE
        );
        let most = format!("\"{}\":", "k".repeat(WIDTH - 3));
        assert_ne!(
            m.learn(START, most.as_bytes(), &most.as_bytes()[1..WIDTH - 2], 1),
            NONE
        );
    }

    #[test]
    fn a_key_met_again_keeps_its_slot_and_a_full_memo_learns_no_more() {
        let mut m = KeyMemo::default();
        let a = m.learn(START, b"\"a\":", b"a", 1);
        assert_eq!(m.learn(a, b"\"a\":", b"a", 1), a);
        let mut prev = a;
        for i in 0..SLOTS {
            let raw = format!("\"k{i}\":");
            prev = m.learn(prev, raw.as_bytes(), &raw.as_bytes()[1..raw.len() - 2], 0);
        }
        assert_eq!(prev, NONE, "more keys than slots");
    }
}
