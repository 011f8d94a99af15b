//! Cipher-suite preference: offer the accepted suites in several orders (code order,
//! reversed, rotated, and a modern client's order) and compare the picks. `server` when every
//! order gets the same pick, `client` when each gets its own first suite, `mixed` otherwise (the server's choice depends on the client's order, as Go's
//! crypto/tls and OpenSSL's `-prioritize_chacha` do with ChaCha20 versus AES-GCM).

use crate::net::Need;
use crate::probe::{Ctx, Outcome};
use crate::report::{Preference, ProbeError};
use tlsfloor_wire::Version;

/// The suite order of a typical modern client (Chrome/Firefox): the order reported for a
/// `mixed` server is the one such a client gets. Suites not listed follow in code order.
const MODERN_CLIENT_ORDER: &[u16] = &[
    0x1301, 0x1303, 0x1302, // TLS 1.3
    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, // ECDHE AEAD
    0xc009, 0xc013, 0xc00a, 0xc014, // ECDHE CBC
    0x009c, 0x009d, 0x002f, 0x0035, // RSA
];

/// `accepted` reordered as a modern client would offer them.
pub fn modern_order(accepted: &[u16]) -> Vec<u16> {
    let mut out: Vec<u16> = MODERN_CLIENT_ORDER
        .iter()
        .copied()
        .filter(|c| accepted.contains(c))
        .collect();
    let mut rest: Vec<u16> = accepted
        .iter()
        .copied()
        .filter(|c| !out.contains(c))
        .collect();
    rest.sort_unstable();
    out.extend(rest);
    out
}

async fn pick_of(ctx: &Ctx, v: Version, offer: &[u16]) -> Result<u16, ProbeError> {
    match ctx.ask(v, offer, None, Need::Hello).await {
        Outcome::Picked { suite, .. } => Ok(suite),
        Outcome::Refused(_) | Outcome::Alerted(..) => Err(crate::error::probe_error(
            crate::report::ErrorCode::UnexpectedAlert,
            "the server refused a hello of suites it had accepted one by one, so its order is not known",
        )),
        Outcome::Unknown(e) => Err(e),
    }
}

/// The sequence of picks as `offer` is offered, the pick removed, and so on.
pub async fn order_pass(ctx: &Ctx, v: Version, offer: &[u16]) -> Result<Vec<u16>, ProbeError> {
    let mut offer = offer.to_vec();
    let mut order = Vec::new();
    while offer.len() > 1 {
        let suite = pick_of(ctx, v, &offer).await?;
        offer.retain(|&c| c != suite);
        order.push(suite);
    }
    order.extend(offer);
    Ok(order)
}

/// Decides the preference among `accepted` (code order) and returns the order to report.
/// `chain_order` is the pick order of an uninterrupted enumeration in code order, which is
/// the server's order when the server decides.
pub async fn preference(
    ctx: &Ctx,
    v: Version,
    accepted: &[u16],
    chain_order: Option<&[u16]>,
) -> Result<(Preference, Vec<u16>), ProbeError> {
    if accepted.len() < 2 {
        return Ok((Preference::NotApplicable, accepted.to_vec()));
    }
    let fwd = accepted.to_vec();
    let rev: Vec<u16> = fwd.iter().rev().copied().collect();
    let mut rot = fwd.clone();
    rot.rotate_left(fwd.len() / 2);
    // A modern client's order too: servers such as Go's crypto/tls choose by the first suite
    // of the client's list they know (AES-GCM or not), which code order never starts with.
    let modern = modern_order(accepted);
    let (a, b) = tokio::join!(pick_of(ctx, v, &fwd), pick_of(ctx, v, &rev));
    let (a, b) = (a?, b?);
    let (c, m) = tokio::join!(
        async {
            match fwd.len() >= 3 {
                true => pick_of(ctx, v, &rot).await.map(Some),
                false => Ok(None),
            }
        },
        pick_of(ctx, v, &modern)
    );
    let (c, m) = (c?, m?);
    let follows_client =
        a == fwd[0] && b == rev[0] && c.is_none_or(|c| c == rot[0]) && m == modern[0];
    if follows_client {
        return Ok((Preference::Client, fwd));
    }
    if a == b && c.is_none_or(|c| c == a) && m == a {
        let order = match chain_order {
            Some(o) if o.len() == accepted.len() && o.first() == Some(&a) => o.to_vec(),
            _ => order_pass(ctx, v, &fwd).await?,
        };
        return Ok((Preference::Server, order));
    }
    Ok((
        Preference::Mixed,
        order_pass(ctx, v, &modern_order(accepted)).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modern_order_puts_known_suites_first_then_code_order() {
        assert_eq!(
            modern_order(&[0x0035, 0x1302, 0x1301, 0x1303, 0x0001, 0xc02f]),
            vec![0x1301, 0x1303, 0x1302, 0xc02f, 0x0035, 0x0001]
        );
    }
}
