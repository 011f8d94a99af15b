//! Key-exchange group enumeration: offer the groups with accepted suites, remove the chosen
//! group, repeat until a definitive refusal. In TLS ≤ 1.2 the supported_groups list also
//! limits the curve of an ECDSA certificate (RFC 8422 §5.1), so when removing a group makes
//! an ECDSA-only server refuse, that group is kept at the end of the list and enumeration
//! goes on: the other groups stay discoverable.

use crate::probe::{Ctx, Outcome, Question};
use crate::report::ProbeError;
use tlsfloor_wire::groups::group_name;
use tlsfloor_wire::Version;

/// Groups found, and the error that cut enumeration short, if any.
#[derive(Debug, Default)]
pub struct Groups {
    /// Accepted groups, in the order they were chosen.
    pub found: Vec<String>,
    /// Why the list may be incomplete.
    pub error: Option<ProbeError>,
}

/// Enumerates the groups of `offer` the server accepts at `v` with `suites`. With
/// `keep_certificate_curve`, a group whose removal turns acceptance into refusal is kept
/// (last) in later offers.
pub async fn enumerate(
    ctx: &Ctx,
    v: Version,
    suites: &[u16],
    mut offer: Vec<u16>,
    keep_certificate_curve: bool,
) -> Groups {
    let mut out = Groups::default();
    let mut pinned: Option<u16> = None;
    let mut last: Option<u16> = None;
    while !offer.is_empty() {
        let mut list = offer.clone();
        list.extend(pinned);
        let q = Question {
            groups: Some(list.clone()),
            ..Question::new(v, suites)
        };
        match ctx.ask_q(&q, ctx.retries()).await {
            Outcome::Picked {
                group_code: Some(g),
                ..
            } if list.contains(&g) => {
                if Some(g) == pinned {
                    break; // the server prefers the certificate's curve to all the rest
                }
                offer.retain(|&x| x != g);
                out.found.push(group_name(g));
                last = Some(g);
            }
            // A ServerHello with no key exchange after it (OpenSSL picks ECDHE-PSK without a
            // shared group, then fails before its ServerKeyExchange): the handshake cannot
            // complete, so this group list was not served.
            Outcome::Picked {
                group_code: None,
                flight,
                ..
            } if v < Version::Tls13 && flight.key_exchange.is_none() => {
                if keep_certificate_curve && pinned.is_none() && last.is_some() {
                    pinned = last;
                } else {
                    break;
                }
            }
            Outcome::Picked { group_code, .. } => {
                out.error = Some(crate::error::probe_error(
                    crate::report::ErrorCode::ProtocolViolation,
                    format!(
                        "group enumeration: the server chose {} outside the offered groups",
                        group_code.map_or("no named group".to_string(), group_name)
                    ),
                ));
                break;
            }
            Outcome::Refused(_) | Outcome::Alerted(..)
                if keep_certificate_curve && pinned.is_none() && last.is_some() =>
            {
                pinned = last;
            }
            Outcome::Refused(_) | Outcome::Alerted(..) => break,
            Outcome::Unknown(e) => {
                out.error = Some(crate::error::probe_error(
                    e.code,
                    format!("group enumeration may be incomplete: {}", e.message),
                ));
                break;
            }
        }
    }
    out
}
