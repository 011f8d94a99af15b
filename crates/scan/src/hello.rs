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

/// A probe hello: `suites` at version `v`, SNI `sni`, offering `groups` (the wire crate's
/// per-version default list when `None`). TLS 1.3 hellos carry real key shares for x25519
/// and secp256r1 when those groups are offered.
pub fn build(v: Version, suites: Vec<u16>, sni: Option<&str>, groups: Option<Vec<u16>>) -> Vec<u8> {
    let mut spec = ClientHelloSpec::for_version(v, suites);
    spec.random = rand::random::<[u8; 32]>();
    if spec.extensions {
        spec.sni = sni.map(str::to_string);
        if let Some(g) = groups {
            spec.groups = g;
        }
        if v >= Version::Tls13 {
            spec.key_shares = key_shares(&spec.groups);
        }
    }
    spec.encode_record()
}
