//! Record framing on arbitrary bytes: never panics, and a parsed record is consistent with
//! its header (consumed = 5 + fragment length, fragment inside the input).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlsfloor_wire::record::{parse_record, plaintext_preview, MAX_RECORD_LEN};

fuzz_target!(|data: &[u8]| {
    let _ = tlsfloor_wire::looks_like_plaintext(data);
    let _ = plaintext_preview(data);
    let mut pos = 0;
    while let Ok(Some((rec, used))) = parse_record(&data[pos..]) {
        assert_eq!(used, 5 + rec.fragment.len());
        assert!(rec.fragment.len() <= MAX_RECORD_LEN);
        assert!(pos + used <= data.len());
        assert_eq!(rec.content_type, data[pos]);
        pos += used;
    }
});
