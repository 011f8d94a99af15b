//! The fast and the serde CloudTrail readers on arbitrary bytes: never panic, and always
//! count the same records, the same invalid values and end the same way.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(diff) = tlsfloor_trail::differential::compare(data) {
        panic!("the readers disagree on {:?}:\n{diff}", String::from_utf8_lossy(data));
    }
});
