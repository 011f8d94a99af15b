//! How CloudTrail spells TLS versions in `tlsDetails.tlsVersion`, and which versions a run selects.

use tlsfloor_wire::Version;

/// The `tlsVersion` strings tlsfloor recognises, with the version each one means.
///
/// CloudTrail writes `TLSv1` for TLS 1.0 (as OpenSSL names it), `TLSv1.1`, `TLSv1.2`, `TLSv1.3`.
/// `TLSv1.0` and `SSLv3` are accepted too. Matching is exact (case-sensitive) so that the SQL
/// emitted by `--emit-sql` (an `IN (...)` list of these strings) selects exactly the same records.
pub const SPELLINGS: [(&str, Version); 6] = [
    ("SSLv3", Version::Ssl30),
    ("TLSv1", Version::Tls10),
    ("TLSv1.0", Version::Tls10),
    ("TLSv1.1", Version::Tls11),
    ("TLSv1.2", Version::Tls12),
    ("TLSv1.3", Version::Tls13),
];

/// The version a CloudTrail `tlsVersion` string names, if it is one of [`SPELLINGS`].
#[inline]
pub fn parse_cloudtrail_version(s: &str) -> Option<Version> {
    match s {
        "TLSv1.2" => Some(Version::Tls12),
        "TLSv1.3" => Some(Version::Tls13),
        "TLSv1" | "TLSv1.0" => Some(Version::Tls10),
        "TLSv1.1" => Some(Version::Tls11),
        "SSLv3" => Some(Version::Ssl30),
        _ => None,
    }
}

/// Index of a version in [`Version::ALL`] (oldest first).
#[inline]
pub fn index(v: Version) -> usize {
    match v {
        Version::Ssl30 => 0,
        Version::Tls10 => 1,
        Version::Tls11 => 2,
        Version::Tls12 => 3,
        Version::Tls13 => 4,
    }
}

/// The set of TLS versions whose calls a run reports ("legacy" calls).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    mask: u8,
}

impl Selection {
    /// Every version strictly older than `floor` (`--tls-below`).
    pub fn below(floor: Version) -> Selection {
        let mut mask = 0;
        for v in Version::ALL {
            if v < floor {
                mask |= 1 << index(v);
            }
        }
        Selection { mask }
    }

    /// Exactly the listed versions (`--tls-version`).
    pub fn exactly(versions: &[Version]) -> Selection {
        let mut mask = 0;
        for v in versions {
            mask |= 1 << index(*v);
        }
        Selection { mask }
    }

    /// True when calls at `v` are selected.
    #[inline]
    pub fn contains(self, v: Version) -> bool {
        self.mask & (1 << index(v)) != 0
    }

    /// The selected versions, oldest first.
    pub fn versions(self) -> Vec<Version> {
        Version::ALL
            .into_iter()
            .filter(|v| self.contains(*v))
            .collect()
    }

    /// The CloudTrail spellings of the selected versions (for SQL `IN` lists).
    pub fn spellings(self) -> Vec<&'static str> {
        SPELLINGS
            .iter()
            .filter(|(_, v)| self.contains(*v))
            .map(|(s, _)| *s)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_agree_with_parser() {
        for (s, v) in SPELLINGS {
            assert_eq!(parse_cloudtrail_version(s), Some(v), "{s}");
        }
        assert_eq!(parse_cloudtrail_version("tlsv1.2"), None);
        assert_eq!(parse_cloudtrail_version("TLSv1.4"), None);
    }

    #[test]
    fn below_floor() {
        let s = Selection::below(Version::Tls12);
        assert_eq!(
            s.versions(),
            vec![Version::Ssl30, Version::Tls10, Version::Tls11]
        );
        assert_eq!(s.spellings(), vec!["SSLv3", "TLSv1", "TLSv1.0", "TLSv1.1"]);
        let e = Selection::exactly(&[Version::Tls11]);
        assert!(e.contains(Version::Tls11) && !e.contains(Version::Tls10));
    }
}
