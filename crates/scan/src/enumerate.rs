//! Per-version enumeration: which suites a server accepts (offer all, remove the pick,
//! repeat), in which order it prefers them, and which key-exchange groups it accepts.

use crate::net::Need;
use crate::probe::{Ctx, Outcome, Refusal};
use crate::report::{AcceptedSuite, Preference, ProbeError, ProtocolReport};
use std::sync::Arc;
use tlsfloor_wire::groups::{group_name, LEGACY_EC_GROUPS, TLS13_GROUPS};
use tlsfloor_wire::suites;
use tlsfloor_wire::Version;

/// Most suites offered in one hello (some servers choke on huge hellos).
pub const MAX_SUITES_PER_HELLO: usize = 128;

/// One accepted suite as found.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pick {
    suite: u16,
    group: Option<String>,
}

/// What one enumeration chain found.
#[derive(Debug, Default)]
struct ChainResult {
    picks: Vec<Pick>,
    chain: Option<Vec<Vec<u8>>>,
    /// Failure of the first probe (nothing learned), or of a later one after a retry.
    error: Option<ProbeError>,
    /// How the first probe was refused, if it was.
    first_refusal: Option<Refusal>,
}

/// The result of probing one version.
#[derive(Debug)]
pub struct VersionResult {
    /// The report entry.
    pub report: ProtocolReport,
    /// A certificate chain read from a Certificate message (TLS ≤ 1.2), if any.
    pub chain: Option<Vec<Vec<u8>>>,
    /// The first probe failed outright (no TLS answer at all).
    pub failure: Option<ProbeError>,
    /// Every answer was a silent close.
    pub closed_only: bool,
}

fn need_for(v: Version) -> Need {
    if v >= Version::Tls13 {
        Need::Hello
    } else {
        Need::Flight
    }
}

/// Splits `codes` into balanced chunks of at most [`MAX_SUITES_PER_HELLO`].
fn chunks(codes: &[u16]) -> Vec<Vec<u16>> {
    if codes.is_empty() {
        return Vec::new();
    }
    let n = codes.len();
    let k = n.div_ceil(MAX_SUITES_PER_HELLO);
    let size = n.div_ceil(k);
    codes.chunks(size).map(<[u16]>::to_vec).collect()
}

/// Offers `offer`, removes the pick, repeats until refusal. `first` is the outcome of the
/// first hello when the caller already sent it.
async fn chain(
    ctx: Arc<Ctx>,
    v: Version,
    mut offer: Vec<u16>,
    first: Option<Outcome>,
) -> ChainResult {
    let mut res = ChainResult::default();
    let mut pending = first;
    let mut retried = false;
    while !offer.is_empty() {
        let outcome = match pending.take() {
            Some(o) => o,
            None => ctx.ask(v, &offer, None, need_for(v)).await,
        };
        match outcome {
            Outcome::Picked {
                suite,
                group,
                flight,
                ..
            } => {
                retried = false;
                if res.chain.is_none() {
                    res.chain = flight.certificates;
                }
                offer.retain(|&c| c != suite);
                res.picks.push(Pick { suite, group });
            }
            Outcome::Refused(r) => {
                if res.picks.is_empty() {
                    res.first_refusal = Some(r);
                }
                break;
            }
            Outcome::Failed(e) => {
                if res.picks.is_empty() || retried {
                    res.error = Some(e);
                    break;
                }
                // A hiccup in the middle of a chain: try the same hello once more.
                retried = true;
            }
        }
    }
    res
}

/// The server's order among `accepted`: offer them all, take the pick, remove, repeat.
async fn order_pass(ctx: &Ctx, v: Version, accepted: &[u16]) -> Vec<u16> {
    let mut offer = accepted.to_vec();
    let mut order = Vec::new();
    while offer.len() > 1 {
        match ctx.ask(v, &offer, None, Need::Hello).await {
            Outcome::Picked { suite, .. } => {
                offer.retain(|&c| c != suite);
                order.push(suite);
            }
            _ => break,
        }
    }
    order.extend(offer);
    order
}

async fn pick_of(ctx: &Ctx, v: Version, offer: &[u16]) -> Option<u16> {
    match ctx.ask(v, offer, None, Need::Hello).await {
        Outcome::Picked { suite, .. } => Some(suite),
        _ => None,
    }
}

/// Decides server vs client preference among `accepted` (registry order), and returns the
/// order to report.
async fn preference(
    ctx: &Arc<Ctx>,
    v: Version,
    accepted: &[u16],
    single_chain_order: Option<&[u16]>,
) -> (Preference, Vec<u16>) {
    if accepted.len() < 2 {
        return (Preference::NotApplicable, accepted.to_vec());
    }
    let fwd = accepted.to_vec();
    let rev: Vec<u16> = accepted.iter().rev().copied().collect();
    let (a, b) = tokio::join!(pick_of(ctx, v, &fwd), pick_of(ctx, v, &rev));
    let (Some(a), Some(b)) = (a, b) else {
        return (Preference::NotApplicable, accepted.to_vec());
    };
    if a == fwd[0] && b == rev[0] {
        // Follows the client in both directions. Check a rotation too when there are
        // three or more suites, so a server preferring exactly these two is not mistaken.
        if accepted.len() >= 3 {
            let mut rot = fwd.clone();
            rot.rotate_left(accepted.len() / 2);
            if pick_of(ctx, v, &rot).await == Some(rot[0]) {
                return (Preference::Client, fwd);
            }
        } else {
            return (Preference::Client, fwd);
        }
    }
    let order = match single_chain_order {
        Some(o) if o.len() == accepted.len() => o.to_vec(),
        _ => order_pass(ctx, v, accepted).await,
    };
    (Preference::Server, order)
}

/// Enumerates accepted groups: offer `groups` with `suites`, remove the chosen group, repeat.
async fn enumerate_groups(
    ctx: &Ctx,
    v: Version,
    suites: &[u16],
    mut groups: Vec<u16>,
) -> Vec<String> {
    let mut found = Vec::new();
    while !groups.is_empty() {
        match ctx.ask(v, suites, Some(groups.clone()), need_for(v)).await {
            Outcome::Picked {
                group_code: Some(g),
                ..
            } if groups.contains(&g) => {
                groups.retain(|&x| x != g);
                found.push(group_name(g));
            }
            _ => break,
        }
    }
    found
}

fn accepted_suite(code: u16, group: Option<String>) -> AcceptedSuite {
    match suites::by_code(code) {
        Some(s) => AcceptedSuite {
            code,
            iana: s.iana.to_string(),
            openssl: s.openssl.map(str::to_string),
            kx: s.kx.to_string(),
            bits: s.bits,
            group,
        },
        None => AcceptedSuite {
            code,
            iana: suites::name(code),
            openssl: None,
            kx: "unknown".into(),
            bits: 0,
            group,
        },
    }
}

fn kx_of(code: u16) -> &'static str {
    suites::by_code(code).map(|s| s.kx).unwrap_or("")
}

/// Probes version `v` completely.
pub async fn probe_version(ctx: Arc<Ctx>, v: Version, with_groups: bool) -> VersionResult {
    let all = suites::candidates(v);
    let parts = chunks(&all);
    let mut result = VersionResult {
        report: ProtocolReport {
            version: v,
            accepted: false,
            preference: Preference::NotApplicable,
            suites: Vec::new(),
            groups: Vec::new(),
            error: None,
        },
        chain: None,
        failure: None,
        closed_only: false,
    };
    let Some(first_part) = parts.first() else {
        return result;
    };

    // The first hello decides whether the version is spoken at all.
    let first = ctx.ask(v, first_part, None, need_for(v)).await;
    match &first {
        Outcome::Failed(e) => {
            result.report.error = Some(e.clone());
            result.failure = Some(e.clone());
            return result;
        }
        Outcome::Refused(r) if r.rejects_version() => return result,
        _ => {}
    }

    // Every chunk is enumerated by its own chain, in parallel (bounded by the semaphore).
    let mut handles = Vec::with_capacity(parts.len());
    let mut first = Some(first);
    for part in parts {
        let ctx = Arc::clone(&ctx);
        let f = first.take();
        handles.push(tokio::spawn(chain(ctx, v, part, f)));
    }
    let mut results = Vec::with_capacity(handles.len());
    for h in handles {
        match h.await {
            Ok(r) => results.push(r),
            Err(e) => results.push(ChainResult {
                error: Some(crate::error::probe_error(
                    crate::report::ErrorCode::Io,
                    format!("internal error in a probe task: {e}"),
                )),
                ..ChainResult::default()
            }),
        }
    }

    let mut picks: Vec<Pick> = Vec::new();
    let mut chains_with_picks = 0;
    for r in &results {
        if !r.picks.is_empty() {
            chains_with_picks += 1;
        }
        for p in &r.picks {
            if !picks.iter().any(|q| q.suite == p.suite) {
                picks.push(p.clone());
            }
        }
        if result.chain.is_none() {
            result.chain = r.chain.clone();
        }
    }
    if picks.is_empty() {
        result.closed_only = results
            .iter()
            .all(|r| r.first_refusal == Some(Refusal::Closed));
        if let Some(e) = results.iter().find_map(|r| r.error.clone()) {
            if results.iter().all(|r| r.error.is_some()) {
                result.failure = Some(e.clone());
            }
            result.report.error = Some(e);
        }
        return result;
    }
    // A chain that broke after learning something makes the list possibly incomplete.
    if let Some(e) = results.iter().find_map(|r| r.error.clone()) {
        result.report.error = Some(crate::error::probe_error(
            e.code,
            format!("enumeration may be incomplete: {}", e.message),
        ));
    }
    result.report.accepted = true;

    let mut accepted: Vec<u16> = picks.iter().map(|p| p.suite).collect();
    let single_chain = if chains_with_picks == 1 {
        Some(accepted.clone())
    } else {
        None
    };
    accepted.sort_unstable();

    // Preference and group enumeration run concurrently.
    let groups_fut = async {
        if !with_groups {
            return Vec::new();
        }
        if v >= Version::Tls13 {
            enumerate_groups(&ctx, v, &accepted, TLS13_GROUPS.to_vec()).await
        } else {
            let ecdhe: Vec<u16> = accepted
                .iter()
                .copied()
                .filter(|&c| kx_of(c) == "ECDHE")
                .collect();
            if ecdhe.is_empty() {
                Vec::new()
            } else {
                enumerate_groups(&ctx, v, &ecdhe, LEGACY_EC_GROUPS.to_vec()).await
            }
        }
    };
    let pref_fut = preference(&ctx, v, &accepted, single_chain.as_deref());
    let ((pref, order), mut groups) = tokio::join!(pref_fut, groups_fut);

    // Finite-field DH sizes seen with DHE suites count as groups too (and, without group
    // enumeration, every group seen while enumerating suites).
    for p in &picks {
        if let Some(g) = &p.group {
            if (!with_groups || g.starts_with("dh")) && !groups.contains(g) {
                groups.push(g.clone());
            }
        }
    }
    result.report.preference = pref;
    result.report.groups = groups;
    result.report.suites = order
        .into_iter()
        .map(|code| {
            let group = picks
                .iter()
                .find(|p| p.suite == code)
                .and_then(|p| p.group.clone());
            accepted_suite(code, group)
        })
        .collect();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_balanced_and_bounded() {
        let codes: Vec<u16> = (0..300).collect();
        let c = chunks(&codes);
        assert_eq!(c.len(), 3);
        assert!(c
            .iter()
            .all(|p| p.len() <= MAX_SUITES_PER_HELLO && p.len() >= 99));
        let flat: Vec<u16> = c.concat();
        assert_eq!(flat, codes);
        assert_eq!(chunks(&[1, 2]).len(), 1);
        assert!(chunks(&[]).is_empty());
    }
}
