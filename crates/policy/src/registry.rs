//! The bridge to the cipher-suite registry in `tlsfloor_wire::suites`: resolves names and codes
//! into [`Suite`] values the policy model keeps.

use crate::model::Suite;
use tlsfloor_wire::suites::{self, CipherSuite};

fn to_suite(cs: &CipherSuite) -> Suite {
    Suite {
        code: cs.code,
        iana: cs.iana.to_string(),
        openssl: cs.openssl.map(str::to_string),
        auth: cs.auth.to_string(),
        min_version: cs.min_version,
        max_version: cs.max_version,
    }
}

/// The suite with this IANA code, if the registry knows it.
pub fn by_code(code: u16) -> Option<Suite> {
    suites::by_code(code).map(to_suite)
}

/// Resolves an IANA name, an OpenSSL name or a hex code (`0xc02f`, `c02f`, `0xC0,0x2F`).
pub fn resolve(name: &str) -> Option<Suite> {
    let t = name.trim();
    if let Some(code) = parse_code(t) {
        return by_code(code);
    }
    suites::by_name(t).map(to_suite)
}

/// Parses `0xc02f`, `0xC0,0x2F` or `{0xC0,0x2F}` as a suite code.
fn parse_code(s: &str) -> Option<u16> {
    let s = s.trim_matches(|c| c == '{' || c == '}').replace(' ', "");
    let lower = s.to_ascii_lowercase();
    if let Some((a, b)) = lower.split_once(',') {
        let a = u8::from_str_radix(a.strip_prefix("0x")?, 16).ok()?;
        let b = u8::from_str_radix(b.strip_prefix("0x")?, 16).ok()?;
        return Some(u16::from_be_bytes([a, b]));
    }
    let hex = lower.strip_prefix("0x")?;
    if hex.is_empty() || hex.len() > 4 {
        return None;
    }
    u16::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes() {
        assert_eq!(parse_code("0xc02f"), Some(0xc02f));
        assert_eq!(parse_code("0xC0,0x2F"), Some(0xc02f));
        assert_eq!(parse_code("{0xC0, 0x2F}"), Some(0xc02f));
        assert_eq!(parse_code("c02f"), None);
        assert_eq!(parse_code("0x12345"), None);
    }
}
