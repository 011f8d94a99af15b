//! Every certificate a server has: servers with several (RSA and ECDSA, or DSA) choose one
//! by the client's suites, so at the highest accepted version up to TLS 1.2 one hello per
//! authentication family (its accepted suites only) reads each family's chain.

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
        let (certificates, _, _) = summarize_chain(&der, unix_now());
        let leaf = certificates.first().map(|c| c.sha256.clone());
        if leaf.is_none()
            || out
                .iter()
                .any(|c| c.certificates.first().map(|x| &x.sha256) == leaf.as_ref())
        {
            continue;
        }
        out.push(ChainReport {
            auth: family.to_string(),
            certificates,
        });
    }
    out
}
