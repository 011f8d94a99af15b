//! Code points (cipher suites, groups, extensions, SSL 2.0 cipher kinds) in tlsfloor's JSON:
//! written as integers, with `0x…` hex beside them where a person reads them. Older documents
//! wrote some codes as `"0x…"` strings; [`deserialize`] reads both.

use serde::{Deserialize, Deserializer};

/// `0x` and the code in hex, zero-padded to `digits` digits (`hex(0xc02f, 4)` is `0xc02f`).
pub fn hex(code: u32, digits: usize) -> String {
    format!("0x{code:0digits$x}")
}

/// Reads a code point written as an integer or as a `"0x…"` hex string.
pub fn deserialize<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<u64>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Code {
        Number(u64),
        Hex(String),
    }
    let n = match Code::deserialize(d)? {
        Code::Number(n) => n,
        Code::Hex(s) => u64::from_str_radix(s.trim_start_matches("0x"), 16)
            .map_err(|_| serde::de::Error::custom(format!("bad code point {s:?}")))?,
    };
    T::try_from(n).map_err(|_| serde::de::Error::custom(format!("code point {n} out of range")))
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct S {
        #[serde(deserialize_with = "super::deserialize")]
        code: u16,
    }

    fn read(json: &str) -> Result<u16, serde_json::Error> {
        serde_json::from_str::<S>(json).map(|s| s.code)
    }

    #[test]
    fn integers_and_hex_strings_read_alike() {
        assert_eq!(read(r#"{"code": 49199}"#).unwrap(), 0xc02f);
        assert_eq!(read(r#"{"code": "0xc02f"}"#).unwrap(), 0xc02f);
        assert!(read(r#"{"code": 70000}"#).is_err());
        assert!(read(r#"{"code": "0xzz"}"#).is_err());
        assert_eq!(super::hex(0x010080, 6), "0x010080");
        assert_eq!(super::hex(0x2f, 4), "0x002f");
    }
}
