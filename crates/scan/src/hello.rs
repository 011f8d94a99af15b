//! Building probe ClientHellos: the wire crate's per-version defaults plus SNI, the groups
//! to offer and, for TLS 1.3, real key shares (x25519 and a P-256 point made by OpenSSL).

use openssl::bn::BigNumContext;
use openssl::ec::{EcGroup, EcKey, PointConversionForm};
use openssl::nid::Nid;
use std::sync::OnceLock;
use tlsfloor_wire::client_hello::{ClientHelloSpec, KeyShare};
use tlsfloor_wire::Version;

/// x25519 (RFC 8446 code point).
pub const X25519: u16 = 29;
/// secp256r1 (RFC 8446 code point).
pub const SECP256R1: u16 = 23;

fn p256_point() -> Option<Vec<u8>> {
    static POINT: OnceLock<Option<Vec<u8>>> = OnceLock::new();
    POINT
        .get_or_init(|| {
            let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).ok()?;
            let key = EcKey::generate(&group).ok()?;
            let mut ctx = BigNumContext::new().ok()?;
            key.public_key()
                .to_bytes(&group, PointConversionForm::UNCOMPRESSED, &mut ctx)
                .ok()
        })
        .clone()
}

/// Real key shares for whichever of x25519 / secp256r1 are in `groups`.
pub fn key_shares(groups: &[u16]) -> Vec<KeyShare> {
    let mut out = Vec::new();
    if groups.contains(&X25519) {
        out.push(KeyShare {
            group: X25519,
            public: rand::random::<[u8; 32]>().to_vec(),
        });
    }
    if groups.contains(&SECP256R1) {
        if let Some(p) = p256_point() {
            out.push(KeyShare {
                group: SECP256R1,
                public: p,
            });
        }
    }
    out
}

/// The short signature_algorithms list of a minimal hello: the schemes nearly every server
/// certificate can sign with.
const MINIMAL_SIGALGS: &[u16] = &[
    0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0807, 0x0201, 0x0203,
];
/// The groups of a minimal hello: x25519, secp256r1, secp384r1.
const MINIMAL_GROUPS: &[u16] = &[29, 23, 24];

/// How a probe hello is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shape {
    /// Every extension a probe wants (broad signature algorithms and groups, padding).
    #[default]
    Full,
    /// As few and as short extensions as the version needs (short signature algorithm and
    /// group lists, one key share, no padding or extended_master_secret), so a hello with a
    /// few suites stays under 256 bytes: the fallback for middleboxes that drop larger ones.
    Minimal,
}

/// A probe hello: `suites` at version `v`, SNI `sni`, offering `groups` (the wire crate's
/// per-version default list, or the minimal list, when `None`). TLS 1.3 hellos carry real
/// key shares for x25519 and (in the full shape) secp256r1 when those groups are offered.
pub fn build(
    v: Version,
    suites: Vec<u16>,
    sni: Option<&str>,
    groups: Option<Vec<u16>>,
    shape: Shape,
) -> Vec<u8> {
    spec(v, suites, sni, groups, shape).encode_record()
}

/// The [`ClientHelloSpec`] behind [`build`] (random filled in).
pub fn spec(
    v: Version,
    suites: Vec<u16>,
    sni: Option<&str>,
    groups: Option<Vec<u16>>,
    shape: Shape,
) -> ClientHelloSpec {
    let mut spec = ClientHelloSpec::for_version(v, suites);
    spec.random = rand::random::<[u8; 32]>();
    if !spec.extensions {
        return spec;
    }
    spec.sni = sni.map(str::to_string);
    if shape == Shape::Minimal {
        spec.groups = MINIMAL_GROUPS.to_vec();
        spec.extended_master_secret = false;
        if !spec.signature_algorithms.is_empty() {
            spec.signature_algorithms = MINIMAL_SIGALGS.to_vec();
        }
    }
    if let Some(g) = groups {
        spec.groups = g;
    }
    if v >= Version::Tls13 {
        spec.key_shares = key_shares(&spec.groups);
        if shape == Shape::Minimal {
            spec.key_shares.truncate(1);
        }
    }
    spec
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_hellos_with_a_few_suites_stay_under_256_bytes() {
        let sni = Some("a-rather-long-host-name.example.com");
        for v in Version::ALL {
            let few: Vec<u16> = tlsfloor_wire::suites::candidates(v)
                .into_iter()
                .take(8)
                .collect();
            let hs = spec(v, few.clone(), sni, None, Shape::Minimal).encode_handshake();
            assert!(hs.len() < 256, "{v}: {} bytes", hs.len());
            let full = spec(v, few, sni, None, Shape::Full).encode_handshake();
            assert!(full.len() >= hs.len(), "{v}");
        }
    }

    #[test]
    fn minimal_tls13_hello_keeps_one_real_key_share() {
        let s = spec(Version::Tls13, vec![0x1301], None, None, Shape::Minimal);
        assert_eq!(s.key_shares.len(), 1);
        assert_eq!(s.key_shares[0].group, X25519);
        assert_eq!(s.groups, MINIMAL_GROUPS);
    }
}
