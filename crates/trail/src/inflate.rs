//! gzip members inflated whole by libdeflate (the fastest inflater measured here, see
//! bench/trail/), through the one call its safe wrapper crate lacks: `gzip_decompress_ex`,
//! which says where a member ends, so files of several members are read to the last one.

use libdeflate_sys as sys;
use std::ptr::NonNull;

/// One libdeflate decompressor (reused; not shared between threads).
pub(crate) struct Inflater(NonNull<sys::libdeflate_decompressor>);

// SAFETY: a libdeflate decompressor holds no thread-affine state; it is only used through
// `&mut self`, so never from two threads at once.
unsafe impl Send for Inflater {}

/// Why a member was not inflated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MemberError {
    /// Corrupt or truncated data (the caller finds out which, and what came before).
    BadData,
    /// The member inflates to more than the room given.
    NoRoom,
}

impl Inflater {
    /// A new decompressor.
    pub(crate) fn new() -> Inflater {
        // SAFETY: plain allocation call; a null result is handled.
        let p = unsafe { sys::libdeflate_alloc_decompressor() };
        Inflater(NonNull::new(p).expect("libdeflate_alloc_decompressor: out of memory"))
    }

    /// Inflates the gzip member at the start of `input` into the spare capacity of `out`
    /// (at most `room` bytes). Returns the bytes of `input` the member took; `out` grows by
    /// what it inflated to.
    pub(crate) fn member(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
        room: usize,
    ) -> Result<usize, MemberError> {
        out.reserve(room);
        let spare = out.spare_capacity_mut();
        let (mut used_in, mut used_out) = (0usize, 0usize);
        // SAFETY: the input pointer and length come from a slice; the output pointer and
        // length from the vector's spare capacity (at least `room` bytes, written by
        // libdeflate and never read before it reports how many it wrote); the decompressor
        // is valid and used by this thread only.
        let r = unsafe {
            sys::libdeflate_gzip_decompress_ex(
                self.0.as_ptr(),
                input.as_ptr().cast(),
                input.len(),
                spare.as_mut_ptr().cast(),
                spare.len().min(room),
                &mut used_in,
                &mut used_out,
            )
        };
        match r {
            sys::libdeflate_result_LIBDEFLATE_SUCCESS => {
                // SAFETY: libdeflate wrote `used_out` bytes (at most the room given).
                unsafe { out.set_len(out.len() + used_out) };
                Ok(used_in)
            }
            sys::libdeflate_result_LIBDEFLATE_INSUFFICIENT_SPACE => Err(MemberError::NoRoom),
            _ => Err(MemberError::BadData),
        }
    }
}

impl Drop for Inflater {
    fn drop(&mut self) {
        // SAFETY: allocated by `libdeflate_alloc_decompressor`, freed once.
        unsafe { sys::libdeflate_free_decompressor(self.0.as_ptr()) }
    }
}

/// The uncompressed size a gzip file's trailer gives for its last member (modulo 4 GiB).
pub(crate) fn size_hint(input: &[u8]) -> usize {
    match input.len().checked_sub(4) {
        Some(at) if input.len() >= 18 => {
            u32::from_le_bytes([input[at], input[at + 1], input[at + 2], input[at + 3]]) as usize
        }
        _ => 0,
    }
}
