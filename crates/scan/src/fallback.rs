//! TLS_FALLBACK_SCSV (RFC 7507): offer the second-highest accepted version with the SCSV; a
//! server that honours it answers inappropriate_fallback, or an unspecific alert where the
//! same hello without the SCSV is accepted. No definitive answer: `unknown`.

use crate::net::Need;
use crate::probe::{Ctx, Outcome, Refusal, ALERT_INAPPROPRIATE_FALLBACK};
use crate::report::FallbackScsv;
use tlsfloor_wire::suites::TLS_FALLBACK_SCSV;
use tlsfloor_wire::Version;

/// Checks fallback protection given the accepted versions and their accepted suites; also
/// whether an answered SCSV hello at TLS 1.2 (below an accepted TLS 1.3) carries the RFC 8446
/// downgrade sentinel.
pub async fn check(ctx: &Ctx, accepted: &[(Version, Vec<u16>)]) -> (FallbackScsv, Option<bool>) {
    let mut versions: Vec<&(Version, Vec<u16>)> =
        accepted.iter().filter(|(_, s)| !s.is_empty()).collect();
    versions.sort_by_key(|(v, _)| *v);
    if versions.len() < 2 {
        return (FallbackScsv::NotApplicable, None);
    }
    let highest = versions[versions.len() - 1].0;
    let (lower, suites) = versions[versions.len() - 2];
    let mut offer = suites.clone();
    offer.push(TLS_FALLBACK_SCSV);
    match ctx.ask(*lower, &offer, None, Need::Hello).await {
        Outcome::Refused(Refusal::Alert(ALERT_INAPPROPRIATE_FALLBACK, _)) => {
            (FallbackScsv::Supported, None)
        }
        Outcome::Picked { flight, .. } => {
            let sentinel = (highest == Version::Tls13 && *lower == Version::Tls12)
                .then(|| flight.hello.downgrade_sentinel == Some(Version::Tls13));
            (FallbackScsv::NotSupported, sentinel)
        }
        // An unspecific alert (s2n-tls ends a detected fallback with close_notify) is the
        // SCSV's doing when the same hello without it is answered.
        Outcome::Alerted(..) => match ctx.ask(*lower, suites, None, Need::Hello).await {
            Outcome::Picked { .. } => (FallbackScsv::Supported, None),
            _ => (FallbackScsv::Unknown, None),
        },
        // Another refusal of suites the server accepted at this version proves nothing
        // about the SCSV either.
        Outcome::Refused(_) | Outcome::Unknown(_) => (FallbackScsv::Unknown, None),
    }
}
