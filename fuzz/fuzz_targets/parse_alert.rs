//! Alert parsing on arbitrary bytes: never panics; an accepted alert has a valid level and
//! comes from the first two bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlsfloor_wire::parse_alert;

fuzz_target!(|data: &[u8]| {
    if let Ok(alert) = parse_alert(data) {
        assert!(alert.level == 1 || alert.level == 2);
        assert_eq!([alert.level, alert.description], [data[0], data[1]]);
        let _ = alert.description_name();
        let _ = alert.to_string();
    }
});
