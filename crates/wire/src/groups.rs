//! TLS named groups (RFC 8446 §4.2.7, RFC 8422, RFC 7919 and the hybrid post-quantum groups):
//! names, lookup and the list a probe offers.

/// Every named group worth offering in a probe, in preference order: modern curves first,
/// then the hybrid post-quantum groups, NIST and legacy binary / Koblitz / Brainpool curves,
/// then the RFC 7919 finite-field groups.
pub const ALL_GROUPS: &[u16] = &[
    29, 23, 24, 25, 30, // x25519, secp256r1, secp384r1, secp521r1, x448
    0x11ec, 0x11eb, 0x11ed, // X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024
    26, 27, 28, 31, 32, 33, // brainpool (TLS 1.2 and TLS 1.3 code points)
    22, 21, 20, 19, 18, 17, 16, 15, // secp256k1 … secp160k1
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, // sect163k1 … sect571r1
    256, 257, 258, 259, 260, // ffdhe2048 … ffdhe8192
];

/// The elliptic-curve groups of [`ALL_GROUPS`] valid in TLS 1.0–1.2 (no finite-field groups,
/// which would make RFC 7919 servers restrict DHE, and no TLS 1.3-only hybrids).
pub const LEGACY_EC_GROUPS: &[u16] = &[
    29, 23, 24, 25, 30, 26, 27, 28, 22, 21, 20, 19, 18, 17, 16, 15, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    11, 12, 13, 14,
];

/// The groups TLS 1.3 defines or commonly deploys (for a TLS 1.3 probe's supported_groups).
pub const TLS13_GROUPS: &[u16] = &[
    29, 23, 24, 25, 30, 0x11ec, 0x11eb, 0x11ed, 31, 32, 33, 256, 257, 258, 259, 260,
];

const NAMES: &[(u16, &str)] = &[
    (1, "sect163k1"),
    (2, "sect163r1"),
    (3, "sect163r2"),
    (4, "sect193r1"),
    (5, "sect193r2"),
    (6, "sect233k1"),
    (7, "sect233r1"),
    (8, "sect239k1"),
    (9, "sect283k1"),
    (10, "sect283r1"),
    (11, "sect409k1"),
    (12, "sect409r1"),
    (13, "sect571k1"),
    (14, "sect571r1"),
    (15, "secp160k1"),
    (16, "secp160r1"),
    (17, "secp160r2"),
    (18, "secp192k1"),
    (19, "secp192r1"),
    (20, "secp224k1"),
    (21, "secp224r1"),
    (22, "secp256k1"),
    (23, "secp256r1"),
    (24, "secp384r1"),
    (25, "secp521r1"),
    (26, "brainpoolP256r1"),
    (27, "brainpoolP384r1"),
    (28, "brainpoolP512r1"),
    (29, "x25519"),
    (30, "x448"),
    (31, "brainpoolP256r1tls13"),
    (32, "brainpoolP384r1tls13"),
    (33, "brainpoolP512r1tls13"),
    (34, "GC256A"),
    (35, "GC256B"),
    (36, "GC256C"),
    (37, "GC256D"),
    (38, "GC512A"),
    (39, "GC512B"),
    (40, "GC512C"),
    (41, "curveSM2"),
    (256, "ffdhe2048"),
    (257, "ffdhe3072"),
    (258, "ffdhe4096"),
    (259, "ffdhe6144"),
    (260, "ffdhe8192"),
    (0x0200, "MLKEM512"),
    (0x0201, "MLKEM768"),
    (0x0202, "MLKEM1024"),
    (0x11eb, "SecP256r1MLKEM768"),
    (0x11ec, "X25519MLKEM768"),
    (0x11ed, "SecP384r1MLKEM1024"),
    (0x6399, "X25519Kyber768Draft00"),
    (0x639a, "SecP256r1Kyber768Draft00"),
    (0xff01, "arbitrary_explicit_prime_curves"),
    (0xff02, "arbitrary_explicit_char2_curves"),
];

const ALIASES: &[(&str, u16)] = &[
    ("p-256", 23),
    ("prime256v1", 23),
    ("p-384", 24),
    ("p-521", 25),
    ("p-224", 21),
    ("p-192", 19),
    ("prime192v1", 19),
    ("curve25519", 29),
    ("curve448", 30),
];

/// The group's IANA name (`x25519`, `secp256r1`, `ffdhe2048`, `X25519MLKEM768`, …), or `None`
/// for a code this table does not know (GREASE values included).
pub fn known_group_name(code: u16) -> Option<&'static str> {
    NAMES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// The group's name (`x25519`, `secp256r1`, `ffdhe2048`, `X25519MLKEM768`, …), else `0x1234`.
pub fn group_name(code: u16) -> String {
    known_group_name(code)
        .map(str::to_string)
        .unwrap_or_else(|| format!("0x{code:04x}"))
}

/// The code of a group name (case-insensitive; also `P-256`, `prime256v1`, `0x001d`).
pub fn group_by_name(name: &str) -> Option<u16> {
    let name = name.trim();
    if let Some(hex) = name.strip_prefix("0x").or_else(|| name.strip_prefix("0X")) {
        return u16::from_str_radix(hex, 16).ok();
    }
    NAMES
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(name))
        .map(|(c, _)| *c)
        .or_else(|| {
            ALIASES
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, c)| *c)
        })
}

/// True for the RFC 7919 finite-field groups (256..=511).
pub fn is_ffdhe(code: u16) -> bool {
    (256..512).contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &g in ALL_GROUPS {
            let n = group_name(g);
            assert!(!n.starts_with("0x"), "{g} has no name");
            assert_eq!(group_by_name(&n), Some(g), "{n}");
        }
        assert_eq!(group_name(29), "x25519");
        assert_eq!(group_name(0x11ec), "X25519MLKEM768");
        assert_eq!(group_name(0x1234), "0x1234");
        assert_eq!(known_group_name(23), Some("secp256r1"));
        assert_eq!(known_group_name(0x1234), None);
        assert_eq!(known_group_name(0x0a0a), None);
        assert_eq!(group_by_name("P-256"), Some(23));
        assert_eq!(group_by_name("X25519"), Some(29));
        assert_eq!(group_by_name("0x001d"), Some(29));
        assert_eq!(group_by_name("nope"), None);
    }

    #[test]
    fn subsets_are_subsets() {
        for g in LEGACY_EC_GROUPS.iter().chain(TLS13_GROUPS) {
            assert!(ALL_GROUPS.contains(g));
        }
        assert!(LEGACY_EC_GROUPS.iter().all(|&g| !is_ffdhe(g)));
    }
}
