//! The cipher-suite registry as data: every IANA-registered suite with its IANA and OpenSSL
//! names, key exchange, authentication, bulk cipher, key size, MAC and the protocol versions
//! it may be negotiated in. The table itself is generated (`suites_data.rs`, made by
//! `scripts/gen-suites.py` from committed sources in `scripts/data/`).

use crate::suites_data::SUITES;
use crate::version::Version;
use serde::Serialize;

/// `TLS_EMPTY_RENEGOTIATION_INFO_SCSV` (RFC 5746): signals secure renegotiation support.
pub const TLS_EMPTY_RENEGOTIATION_INFO_SCSV: u16 = 0x00ff;
/// `TLS_FALLBACK_SCSV` (RFC 7507): marks a deliberate version-fallback retry.
pub const TLS_FALLBACK_SCSV: u16 = 0x5600;

/// One registered cipher suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct CipherSuite {
    /// The 16-bit code on the wire.
    pub code: u16,
    /// The IANA name, e.g. `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`.
    pub iana: &'static str,
    /// The OpenSSL name, e.g. `ECDHE-RSA-AES128-GCM-SHA256` (OpenSSL 1.0.2 names for suites
    /// OpenSSL 3 no longer builds), if OpenSSL has one.
    pub openssl: Option<&'static str>,
    /// Key exchange: `RSA`, `DHE`, `ECDHE`, `DH`, `ECDH`, `PSK`, `SRP`, `KRB5`, `ECCPWD`,
    /// `GOST`, `TLS13` (negotiated separately in TLS 1.3) or `NULL`. Suites combining a key
    /// exchange with PSK (`DHE_PSK`, `ECDHE_PSK`, `RSA_PSK`) have that key exchange here and
    /// `PSK` as [`auth`](Self::auth).
    pub kx: &'static str,
    /// Authentication: `RSA`, `ECDSA`, `DSS`, `anon`, `PSK`, `SRP`, `KRB5`, `ECCPWD`, `GOST`,
    /// `TLS13` or `NULL`.
    pub auth: &'static str,
    /// Bulk cipher, e.g. `AES-128-GCM`, `3DES-EDE-CBC`, `RC4-128`, `CHACHA20-POLY1305`, `NULL`.
    pub enc: &'static str,
    /// Key bits of the bulk cipher (168 for 3DES, 40 for export ciphers, 0 for NULL).
    pub bits: u16,
    /// Record MAC: `MD5`, `SHA1`, `SHA256`, `SHA384`, `AEAD`, `NULL`, …
    pub mac: &'static str,
    /// Oldest version the suite may be negotiated in.
    pub min_version: Version,
    /// Newest version the suite may be negotiated in.
    pub max_version: Version,
    /// An export-grade suite (40/56-bit, including the EXPORT1024 drafts).
    pub export: bool,
}

impl CipherSuite {
    /// The ServerKeyExchange layout of this suite, as
    /// [`parse_server_key_exchange`](crate::server::parse_server_key_exchange) names it: the
    /// key exchange, with `_PSK` for the PSK variants (whose parameters follow an identity
    /// hint): `DHE_PSK`, `ECDHE_PSK`, `RSA_PSK`, plain `PSK`.
    pub fn key_exchange_layout(&self) -> &'static str {
        match (self.auth, self.kx) {
            ("PSK", "DHE") => "DHE_PSK",
            ("PSK", "ECDHE") => "ECDHE_PSK",
            ("PSK", "RSA") => "RSA_PSK",
            ("PSK", _) => "PSK",
            (_, kx) => kx,
        }
    }

    /// True when the suite may be negotiated in `v`.
    pub fn allowed_in(&self, v: Version) -> bool {
        self.min_version <= v && v <= self.max_version
    }

    /// True for AEAD suites (GCM, CCM, ChaCha20-Poly1305, …).
    pub fn is_aead(&self) -> bool {
        self.mac == "AEAD"
    }

    /// True for anonymous (unauthenticated) suites.
    pub fn is_anonymous(&self) -> bool {
        self.auth == "anon"
    }

    /// True when the key exchange gives forward secrecy (ephemeral DH/ECDH, or TLS 1.3).
    pub fn forward_secret(&self) -> bool {
        matches!(self.kx, "DHE" | "ECDHE" | "TLS13")
            || (self.auth == "anon" && matches!(self.kx, "DH" | "ECDH"))
    }

    /// The OpenSSL name if there is one, else the IANA name.
    pub fn display_name(&self) -> &'static str {
        self.openssl.unwrap_or(self.iana)
    }
}

/// Every registered suite, sorted by code. SCSVs are not suites and are not listed.
pub fn all() -> &'static [CipherSuite] {
    SUITES
}

/// The suite with this code.
pub fn by_code(code: u16) -> Option<&'static CipherSuite> {
    SUITES
        .binary_search_by_key(&code, |s| s.code)
        .ok()
        .map(|i| &SUITES[i])
}

/// The suite with this IANA or OpenSSL name (case-insensitive). Also accepts legacy `SSL_`
/// prefixed IANA-style names (`SSL_RSA_WITH_RC4_128_MD5`) and both OpenSSL spellings of
/// ephemeral DH (`EDH-RSA-DES-CBC3-SHA` / `DHE-RSA-DES-CBC3-SHA`).
pub fn by_name(name: &str) -> Option<&'static CipherSuite> {
    let name = name.trim();
    let find = |n: &str| {
        SUITES.iter().find(|s| {
            s.iana.eq_ignore_ascii_case(n) || s.openssl.is_some_and(|o| o.eq_ignore_ascii_case(n))
        })
    };
    if let Some(s) = find(name) {
        return Some(s);
    }
    let upper = name.to_ascii_uppercase();
    if let Some(rest) = upper.strip_prefix("SSL_") {
        return find(&format!("TLS_{rest}"));
    }
    if let Some(rest) = upper.strip_prefix("DHE-") {
        return find(&format!("EDH-{rest}"));
    }
    if let Some(rest) = upper.strip_prefix("EDH-") {
        return find(&format!("DHE-{rest}"));
    }
    None
}

/// Every suite a server could legally pick at `v`, in code order: for TLS 1.3 the TLS 1.3
/// suites; for SSLv3..TLS 1.2 every non-TLS-1.3 suite allowed at `v` (AEAD and SHA-256/384
/// suites only from TLS 1.2, export suites at most TLS 1.0). Excludes the SCSVs and
/// `TLS_NULL_WITH_NULL_NULL` (which must never be negotiated).
pub fn candidates(v: Version) -> Vec<u16> {
    SUITES
        .iter()
        .filter(|s| s.code != 0x0000 && s.allowed_in(v))
        .map(|s| s.code)
        .collect()
}

/// A printable name for any code: the suite's IANA name, an SCSV's name, `GREASE(0x0a0a)`,
/// or the hex code.
pub fn name(code: u16) -> String {
    match code {
        TLS_EMPTY_RENEGOTIATION_INFO_SCSV => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV".to_string(),
        TLS_FALLBACK_SCSV => "TLS_FALLBACK_SCSV".to_string(),
        c if is_grease(c) => format!("GREASE(0x{c:04x})"),
        c => by_code(c)
            .map(|s| s.iana.to_string())
            .unwrap_or_else(|| format!("0x{c:04x}")),
    }
}

/// True for GREASE values (RFC 8701): 0x0a0a, 0x1a1a, … 0xfafa. The one GREASE check of the
/// codec ([`crate::fingerprint::is_grease`] re-exports it).
pub const fn is_grease(code: u16) -> bool {
    code & 0x0f0f == 0x0a0a && (code >> 8) == (code & 0xff)
}

#[cfg(test)]
mod tests {
    #[test]
    fn psk_suites_name_their_key_exchange_layout() {
        let layout = |c: u16| by_code(c).map(|s| s.key_exchange_layout());
        assert_eq!(layout(0xc037), Some("ECDHE_PSK"));
        assert_eq!(layout(0x00b2), Some("DHE_PSK"));
        assert_eq!(layout(0x0094), Some("RSA_PSK"));
        assert_eq!(layout(0x008c), Some("PSK"));
        assert_eq!(layout(0xc02f), Some("ECDHE"));
    }

    use super::*;

    #[test]
    fn sorted_unique_and_no_scsv() {
        assert!(all().windows(2).all(|w| w[0].code < w[1].code));
        assert!(by_code(TLS_EMPTY_RENEGOTIATION_INFO_SCSV).is_none());
        assert!(by_code(TLS_FALLBACK_SCSV).is_none());
        assert!(all().len() > 300);
    }

    #[test]
    fn well_known_suites() {
        let s = by_code(0xc02f).unwrap();
        assert_eq!(s.iana, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        assert_eq!(s.openssl, Some("ECDHE-RSA-AES128-GCM-SHA256"));
        assert_eq!(
            (s.kx, s.auth, s.enc, s.bits, s.mac),
            ("ECDHE", "RSA", "AES-128-GCM", 128, "AEAD")
        );
        assert_eq!(s.min_version, Version::Tls12);
        let d = by_name("edh-rsa-des-cbc3-sha").unwrap();
        assert_eq!(d.code, 0x0016);
        assert_eq!(by_name("DHE-RSA-DES-CBC3-SHA").unwrap().code, 0x0016);
        assert_eq!(by_name("SSL_RSA_WITH_RC4_128_MD5").unwrap().code, 0x0004);
        assert_eq!(by_name("EXP-RC4-MD5").unwrap().code, 0x0003);
        assert!(by_name("EXP-RC4-MD5").unwrap().export);
        assert_eq!(by_name("DES-CBC-SHA").unwrap().code, 0x0009);
        assert_eq!(by_name("RC4-MD5").unwrap().enc, "RC4-128");
        assert_eq!(by_name("des-cbc3-sha").unwrap().enc, "3DES-EDE-CBC");
        assert_eq!(by_name("TLS_AES_128_GCM_SHA256").unwrap().code, 0x1301);
        assert!(by_name("NOPE").is_none());
    }

    #[test]
    fn version_ranges() {
        for code in 0x1301..=0x1305 {
            let s = by_code(code).unwrap();
            assert_eq!(
                (s.min_version, s.max_version),
                (Version::Tls13, Version::Tls13)
            );
        }
        for s in all() {
            if s.kx != "TLS13" && (s.is_aead() || (s.mac.starts_with("SHA") && s.mac != "SHA1")) {
                assert!(s.min_version >= Version::Tls10, "{}", s.iana);
                if s.auth != "PSK" {
                    assert_eq!(s.min_version, Version::Tls12, "{}", s.iana);
                }
            }
            if s.export {
                assert_eq!(s.max_version, Version::Tls10, "{}", s.iana);
            }
        }
        assert_eq!(by_code(0x000a).unwrap().min_version, Version::Ssl30);
    }

    #[test]
    fn candidate_lists() {
        let c13 = candidates(Version::Tls13);
        assert!(c13.contains(&0x1301) && !c13.contains(&0xc02f));
        let c12 = candidates(Version::Tls12);
        assert!(c12.contains(&0xc02f) && c12.contains(&0x000a) && !c12.contains(&0x1301));
        assert!(
            !c12.contains(&0x0003),
            "export suites are not legal in TLS 1.2"
        );
        let c10 = candidates(Version::Tls10);
        assert!(!c10.contains(&0xc02f) && c10.contains(&0xc013) && c10.contains(&0x0003));
        let c3 = candidates(Version::Ssl30);
        assert!(c3.contains(&0x0004) && !c3.contains(&0x003c));
        for v in Version::ALL {
            let c = candidates(v);
            assert!(
                !c.contains(&TLS_EMPTY_RENEGOTIATION_INFO_SCSV) && !c.contains(&TLS_FALLBACK_SCSV)
            );
            assert!(!c.contains(&0x0000));
        }
    }

    #[test]
    fn names_for_any_code() {
        assert_eq!(name(0x5600), "TLS_FALLBACK_SCSV");
        assert_eq!(name(0x2a2a), "GREASE(0x2a2a)");
        assert_eq!(name(0xfeed), "0xfeed");
        assert_eq!(name(0x002f), "TLS_RSA_WITH_AES_128_CBC_SHA");
    }
}
