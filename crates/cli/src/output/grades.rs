//! Weakness marks for suites and certificates, and their legend: each kind is named so that
//! anonymous, NULL, export, RC4, DES, 3DES, small DH, RSA key transport, SHA-1 and expired are
//! told apart in every table that lists suites or certificates.

use super::Style;

/// A weakness and how bad it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    /// Short label shown in the table (`RC4`, `DH<2048`, …).
    pub label: &'static str,
    /// The legend's explanation.
    pub meaning: &'static str,
    /// Broken (red) rather than weak (yellow).
    pub broken: bool,
}

const fn mark(label: &'static str, meaning: &'static str, broken: bool) -> Mark {
    Mark {
        label,
        meaning,
        broken,
    }
}

const ANON: Mark = mark("ANON", "anonymous: no server authentication", true);
const NULL: Mark = mark("NULL", "no encryption", true);
const EXPORT: Mark = mark("EXPORT", "export-grade (40/56-bit) cipher or key", true);
const RC4: Mark = mark("RC4", "RC4 stream cipher (RFC 7465 forbids it)", true);
const DES: Mark = mark("DES", "single DES (56-bit)", true);
const TRIPLE_DES: Mark = mark("3DES", "3DES, 64-bit blocks (Sweet32)", false);
const SMALL_DH: Mark = mark("DH<2048", "finite-field DH group under 2048 bits", false);
const RSA_KX: Mark = mark("RSA-KX", "RSA key transport: no forward secrecy", false);
/// A certificate signed with SHA-1 (or MD5).
pub const SHA1_CERT: Mark = mark("SHA-1", "certificate signed with SHA-1 or MD5", true);
/// An expired certificate.
pub const EXPIRED: Mark = mark("EXPIRED", "certificate expired", true);

/// The weaknesses of suite `code` negotiated with `group` (`dh1024`, `x25519`, …).
pub fn suite_marks(code: u16, group: Option<&str>) -> Vec<Mark> {
    let mut out = Vec::new();
    if let Some(s) = tlsfloor_wire::suites::by_code(code) {
        let enc = s.enc;
        let checks = [
            (s.auth == "anon", ANON),
            (enc == "NULL", NULL),
            (
                s.export
                    || enc.ends_with("-40")
                    || enc.ends_with("-56")
                    || enc.starts_with("DES40"),
                EXPORT,
            ),
            (enc.starts_with("RC4"), RC4),
            (enc == "DES-CBC", DES),
            (enc.starts_with("3DES"), TRIPLE_DES),
            (s.kx == "RSA" && s.auth != "PSK", RSA_KX),
        ];
        out.extend(checks.into_iter().filter(|(hit, _)| *hit).map(|(_, m)| m));
    }
    let small_dh = group
        .and_then(|g| g.strip_prefix("dh"))
        .and_then(|b| b.parse::<u32>().ok())
        .is_some_and(|bits| bits < 2048);
    if small_dh {
        out.push(SMALL_DH);
    }
    out
}

/// The marks as one coloured cell (empty when none).
pub fn cell(marks: &[Mark], st: Style) -> String {
    let parts: Vec<String> = marks
        .iter()
        .map(|m| {
            if m.broken {
                st.red(m.label)
            } else {
                st.yellow(m.label)
            }
        })
        .collect();
    parts.join(",")
}

/// `text` followed by its marks' cell, when it has marks; the marks are added to `seen` for
/// the legend.
pub fn marked(text: &str, marks: &[Mark], seen: &mut Vec<Mark>, st: Style) -> String {
    seen.extend_from_slice(marks);
    if marks.is_empty() {
        text.to_string()
    } else {
        format!("{text} {}", cell(marks, st))
    }
}

/// `  marks: RC4 = RC4 stream cipher …; …` for the marks seen, or empty.
pub fn legend(seen: &[Mark], st: Style) -> String {
    let mut uniq: Vec<Mark> = Vec::new();
    for m in seen {
        if !uniq.contains(m) {
            uniq.push(*m);
        }
    }
    if uniq.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = uniq
        .iter()
        .map(|m| format!("{} = {}", cell(&[*m], st), m.meaning))
        .collect();
    format!("  {} {}\n", st.bold("marks:"), parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(code: u16, group: Option<&str>) -> Vec<&'static str> {
        suite_marks(code, group).iter().map(|m| m.label).collect()
    }

    #[test]
    fn each_weakness_is_named_apart() {
        assert_eq!(labels(0x0005, None), ["RC4", "RSA-KX"]); // RC4-SHA
        assert_eq!(labels(0x000a, None), ["3DES", "RSA-KX"]); // DES-CBC3-SHA
        assert_eq!(labels(0x0009, None), ["DES", "RSA-KX"]); // DES-CBC-SHA
        assert_eq!(labels(0x0034, None), ["ANON"]); // ADH-AES128-SHA
        assert_eq!(labels(0x0002, None), ["NULL", "RSA-KX"]); // NULL-SHA
        assert!(labels(0x0003, None).contains(&"EXPORT")); // EXP-RC4-MD5
        assert_eq!(labels(0x0033, Some("dh1024")), ["DH<2048"]);
        assert!(labels(0x0033, Some("dh2048")).is_empty());
        assert!(labels(0xc02f, Some("x25519")).is_empty());
        assert!(labels(0x1301, None).is_empty());
    }
}
