//! Every certificate a server has: servers with several (RSA and ECDSA, or DSA) choose one
//! by the client's suites, so at the highest accepted version up to TLS 1.2 one hello per
//! authentication family (its accepted suites only) reads each family's chain. A TLS 1.3-only
//! server chooses by signature algorithm and encrypts the Certificate message: one real
//! handshake per family (RSA-PSS, ECDSA, EdDSA signature algorithms only) reads its chains.

use crate::cert::summarize_chain;
use crate::clock::unix_now;
use crate::net::Need;
use crate::probe::{Ctx, Outcome};
use crate::report::ChainReport;
use tlsfloor_wire::suites;
use tlsfloor_wire::Version;

/// Certificate-authenticated families, in report order.
const FAMILIES: &[&str] = &["RSA", "ECDSA", "DSS"];

/// The chains of each authentication family the server accepted suites for at `v` (TLS ≤ 1.2:
/// the Certificate message is plaintext). One chain per distinct leaf.
pub async fn by_family(ctx: &Ctx, v: Version, accepted: &[u16]) -> Vec<ChainReport> {
    let mut out: Vec<ChainReport> = Vec::new();
    for family in FAMILIES {
        let offer: Vec<u16> = accepted
            .iter()
            .copied()
            .filter(|&c| suites::by_code(c).is_some_and(|s| s.auth == *family))
            .collect();
        if offer.is_empty() {
            continue;
        }
        let Outcome::Picked { flight, .. } = ctx.ask(v, &offer, None, Need::Flight).await else {
            continue;
        };
        let Some(der) = flight.certificates else {
            continue;
        };
        push_distinct(&mut out, family, &der);
    }
    out
}

/// Signature-algorithm families a TLS 1.3 server chooses its certificate by, with the OpenSSL
/// lists that select each.
const TLS13_FAMILIES: &[(&str, &str)] = &[
    (
        "RSA",
        "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512",
    ),
    (
        "ECDSA",
        "ecdsa_secp256r1_sha256:ecdsa_secp384r1_sha384:ecdsa_secp521r1_sha512",
    ),
    ("EdDSA", "ed25519:ed448"),
];

/// The chains of a TLS 1.3-only server, one real handshake per signature family (each paced
/// like a probe). One chain per distinct leaf; a family the server has no certificate for
/// fails its handshake and is left out.
pub async fn tls13_by_family(ctx: &Ctx, sni: Option<String>) -> Vec<ChainReport> {
    let mut out: Vec<ChainReport> = Vec::new();
    for (family, sigalgs) in TLS13_FAMILIES {
        let slot = ctx.acquire().await;
        let got = crate::handshake::fetch_chain_signed(
            ctx.addr,
            &ctx.link,
            sni.clone(),
            ctx.timeout,
            Some(sigalgs),
        )
        .await;
        ctx.release(slot, crate::pacing::Signal::Answered);
        let Ok(der) = got else {
            continue;
        };
        push_distinct(&mut out, family, &der);
    }
    out
}

/// Adds the chain `der` read for `family` unless its leaf is already listed (one chain per
/// distinct leaf) or it has none.
fn push_distinct(out: &mut Vec<ChainReport>, family: &str, der: &[Vec<u8>]) {
    let (certificates, _, _) = summarize_chain(der, unix_now());
    let Some(leaf) = certificates.first().map(|c| &c.sha256) else {
        return;
    };
    if out
        .iter()
        .any(|c| c.certificates.first().map(|x| &x.sha256) == Some(leaf))
    {
        return;
    }
    out.push(ChainReport {
        auth: family.to_string(),
        certificates,
    });
}
