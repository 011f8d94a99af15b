//! Per-version enumeration: which suites a server accepts (offer all, remove the pick,
//! repeat), in which order it prefers them, and which key-exchange groups it accepts.
//!
//! Only definitive answers count. A question whose answer stays indeterminate is asked
//! again with smaller hellos (its offer split in two, down to single suites in a minimal
//! hello) within a budget; whatever is still unanswered leaves the version `unknown` (when
//! nothing was accepted) or its list marked incomplete.

use crate::group_enum;
use crate::hello::Shape;
use crate::preference::preference;
use crate::probe::{take_budget, Ctx, Outcome, Question, Refusal};
use crate::report::{
    AcceptedSuite, ErrorCode, Preference, ProbeError, ProtocolReport, VersionStatus,
};
use crate::tolerance::{self, Discovery, Plan};
use std::sync::atomic::AtomicU32;
use std::sync::Arc;
use tlsfloor_wire::groups::{LEGACY_EC_GROUPS, TLS13_GROUPS};
use tlsfloor_wire::suites;
use tlsfloor_wire::Version;

/// Extra questions one version may ask by splitting unanswered offers.
const SPLIT_BUDGET: u32 = 8;

/// One accepted suite as found.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pick {
    suite: u16,
    group: Option<String>,
}

/// What enumerating one part (a chunk of the candidates) found.
#[derive(Debug, Default)]
struct PartResult {
    picks: Vec<Pick>,
    chain: Option<Vec<Vec<u8>>>,
    /// Suites whose acceptance is unknown, with the last reason.
    unknown: Vec<u16>,
    error: Option<ProbeError>,
    /// The part was enumerated in one uninterrupted chain (its picks are in server order
    /// when the server decides).
    clean: bool,
    /// The first refusal seen, as text.
    refusal: Option<String>,
}

/// The result of probing one version.
#[derive(Debug)]
pub struct VersionResult {
    /// The report entry.
    pub report: ProtocolReport,
    /// A certificate chain read from a Certificate message (TLS ≤ 1.2), if any.
    pub chain: Option<Vec<Vec<u8>>>,
    /// Middlebox intolerance found while probing this version.
    pub intolerance: Vec<String>,
}

impl VersionResult {
    fn new(v: Version) -> VersionResult {
        VersionResult {
            report: ProtocolReport {
                version: v,
                accepted: false,
                preference: Preference::NotApplicable,
                suites: Vec::new(),
                groups: Vec::new(),
                error: None,
                status: Some(VersionStatus::NotAccepted),
                refused_with: None,
            },
            chain: None,
            intolerance: Vec::new(),
        }
    }

    /// A version nothing definitive was learnt about.
    pub fn unknown(v: Version, e: ProbeError) -> VersionResult {
        let mut r = VersionResult::new(v);
        r.report.status = Some(VersionStatus::Unknown);
        r.report.error = Some(e);
        r
    }
}

/// Splits `codes` into balanced chunks of at most `max` suites.
fn chunks(codes: &[u16], max: usize) -> Vec<Vec<u16>> {
    if codes.is_empty() {
        return Vec::new();
    }
    let n = codes.len();
    let k = n.div_ceil(max.max(1));
    let size = n.div_ceil(k);
    codes.chunks(size).map(<[u16]>::to_vec).collect()
}

/// What a control hello (an alerted offer plus a suite the server accepted) proved.
enum Control {
    /// The control suite was chosen: the server serves this hello shape, so the alert
    /// refused the offer's suites.
    Refused,
    /// A suite of the offer was chosen after all: enumeration goes on from this answer.
    Picked(Outcome),
    /// Nothing proven: the offer must be split.
    Unproven,
}

/// After `offer` drew an unspecific alert (close_notify, internal_error, …) at `v`: asks the
/// same hello with `control`, a suite the server accepted at `v`, appended. One question
/// instead of splitting the offer down to single suites, for servers such as s2n-tls that
/// end every failed handshake with the same alert.
async fn control_check(
    ctx: &Ctx,
    v: Version,
    shape: Shape,
    offer: &[u16],
    control: Option<u16>,
) -> Control {
    let Some(control) = control.filter(|c| !offer.contains(c)) else {
        return Control::Unproven;
    };
    let mut with = offer.to_vec();
    with.push(control);
    let q = Question {
        shape,
        ..Question::new(v, &with)
    };
    match ctx.ask_q(&q, ctx.retries()).await {
        Outcome::Picked { suite, .. } if suite == control => Control::Refused,
        o @ Outcome::Picked { .. } => Control::Picked(o),
        _ => Control::Unproven,
    }
}

/// Enumerates `offer` at `v`: offer, remove the pick, repeat until refusal; an offer whose
/// answer stays indeterminate is split (single suites go to the minimal shape) while
/// `budget` lasts. `first` is the answer to the first offer when the caller already has it;
/// `control` a suite the server accepted at `v`, for [`control_check`].
async fn enumerate_part(
    ctx: Arc<Ctx>,
    v: Version,
    plan: Plan,
    offer: Vec<u16>,
    first: Option<Outcome>,
    control: Option<u16>,
    budget: Arc<AtomicU32>,
) -> PartResult {
    let mut res = PartResult {
        clean: true,
        ..PartResult::default()
    };
    let mut pending = first;
    let mut work: Vec<(Vec<u16>, Shape)> = vec![(offer, plan.shape)];
    while let Some((mut offer, shape)) = work.pop() {
        while !offer.is_empty() {
            let outcome = match pending.take() {
                Some(o) => o,
                None => {
                    let q = Question {
                        shape,
                        ..Question::new(v, &offer)
                    };
                    ctx.ask_q(&q, ctx.retries()).await
                }
            };
            match outcome {
                Outcome::Picked {
                    suite,
                    group,
                    flight,
                    ..
                } => {
                    if res.chain.is_none() {
                        res.chain = flight.certificates;
                    }
                    offer.retain(|&c| c != suite);
                    res.picks.push(Pick { suite, group });
                }
                Outcome::Refused(r) => {
                    res.refusal.get_or_insert_with(|| describe(&r));
                    break;
                }
                Outcome::Alerted(_, name) => {
                    let known = control.or(res.picks.first().map(|p| p.suite));
                    match control_check(&ctx, v, shape, &offer, known).await {
                        Control::Refused => {
                            res.refusal.get_or_insert_with(|| name.to_string());
                            break;
                        }
                        Control::Picked(o) => {
                            res.clean = false;
                            pending = Some(o);
                            continue;
                        }
                        Control::Unproven => {}
                    }
                    res.clean = false;
                    match tolerance::split_offer(&offer) {
                        Some((a, b)) if take_budget(&budget, 2) => {
                            work.push((b, shape));
                            work.push((a, shape));
                        }
                        Some(_) => {
                            res.error = Some(crate::error::probe_error(
                                ErrorCode::UnexpectedAlert,
                                format!(
                                    "the server answered {name} to {} suites, not split further",
                                    offer.len()
                                ),
                            ));
                            res.unknown.extend(offer);
                        }
                        // One suite the server fails with a fatal alert: it cannot do it.
                        None => {
                            res.refusal.get_or_insert_with(|| name.to_string());
                        }
                    }
                    break;
                }
                Outcome::Unknown(e) => {
                    res.clean = false;
                    let can_split = e.code != ErrorCode::Deadline && take_budget(&budget, 2);
                    match tolerance::split_offer(&offer) {
                        Some((a, b)) if can_split => {
                            work.push((b, shape));
                            work.push((a, shape));
                        }
                        None if shape == Shape::Full && can_split => {
                            work.push((offer, Shape::Minimal));
                        }
                        _ => {
                            res.unknown.extend(offer);
                            res.error = Some(e);
                        }
                    }
                    break;
                }
            }
        }
    }
    res
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

fn info(code: u16) -> (&'static str, &'static str) {
    suites::by_code(code).map_or(("", ""), |s| (s.kx, s.auth))
}

/// A refusal as the report says it.
fn describe(r: &Refusal) -> String {
    match r {
        Refusal::Alert(_, name) => name.to_string(),
        Refusal::OtherVersion(v) => format!("{v} ServerHello"),
    }
}

/// The first answer for `v`, after the tolerance ladder when the full hello drew an
/// unexpected alert or nothing definitive: `Err` carries a finished result (version refused
/// or unknown).
async fn opening(
    ctx: &Ctx,
    v: Version,
    all: &[u16],
    result: &mut VersionResult,
) -> Result<(Plan, Option<Outcome>), ()> {
    let parts = plan_chunks(all, Plan::FULL.max_suites);
    let first = ctx.ask_q(&Question::new(v, &parts[0]), ctx.retries()).await;
    match &first {
        Outcome::Refused(r) if r.rejects_version() => {
            result.report.refused_with = Some(describe(r));
            return Err(());
        }
        Outcome::Picked { .. } | Outcome::Refused(_) => return Ok((Plan::FULL, Some(first))),
        Outcome::Alerted(..) | Outcome::Unknown(_) => {}
    }
    match tolerance::discover(ctx, v, &parts[0], &first).await {
        Discovery::Unanswered(e) => {
            *result = VersionResult::unknown(v, e);
            Err(())
        }
        Discovery::Refused(r) => {
            result.report.refused_with = Some(match r {
                Refusal::Alert(_, name) if !r.rejects_version() => {
                    format!("{name} to every hello, minimal ones too")
                }
                _ => describe(&r),
            });
            Err(())
        }
        Discovery::Answered => Ok((Plan::FULL, Some(first))),
        Discovery::Tolerates {
            plan,
            small_only,
            note,
        } => {
            if small_only {
                ctx.use_minimal_hellos();
            }
            result.intolerance.push(note);
            Ok((plan, None))
        }
    }
}

/// How likely a server is to accept `code` (0 most): mainstream ECDHE/DHE/RSA suites with
/// certificate authentication, then anonymous DH/ECDH ones, then static DH/ECDH, export and
/// NULL ones, then PSK, SRP, Kerberos, GOST and the rest. Enumerating in this order puts
/// nearly every accepted suite in the first hello's chunk, so one chain also yields the
/// server's order (no extra order pass).
fn plausibility(code: u16) -> u8 {
    let Some(s) = suites::by_code(code) else {
        return 3;
    };
    let cert_auth = matches!(s.auth, "RSA" | "ECDSA" | "DSS");
    let plain = !s.export && s.enc != "NULL";
    match s.kx {
        "TLS13" => 0,
        "ECDHE" | "DHE" | "RSA" if cert_auth && plain => 0,
        "ECDHE" | "DHE" | "DH" | "ECDH" if s.auth == "anon" && plain => 1,
        _ if cert_auth || matches!(s.auth, "anon" | "NULL") => 2,
        _ => 3,
    }
}

/// The hellos of a version's enumeration: the plausible suites (ranks 0 and 1) together in
/// the first, up to `max`, then the rest in balanced chunks of at most `max`.
fn plan_chunks(all: &[u16], max: usize) -> Vec<Vec<u16>> {
    let plausible = all.iter().take_while(|&&c| plausibility(c) <= 1).count();
    let first = plausible.min(max);
    if first == 0 || first == all.len() {
        return chunks(all, max);
    }
    let mut out = vec![all[..first].to_vec()];
    out.extend(chunks(&all[first..], max));
    out
}

/// The candidates of `v`, most plausible first (code order within a rank).
fn ordered_candidates(v: Version) -> Vec<u16> {
    let mut all = suites::candidates(v);
    all.sort_by_key(|&c| (plausibility(c), c));
    all
}

/// Probes version `v` completely.
pub async fn probe_version(ctx: Arc<Ctx>, v: Version, with_groups: bool) -> VersionResult {
    let all = ordered_candidates(v);
    let mut result = VersionResult::new(v);
    if all.is_empty() {
        return result;
    }
    let Ok((plan, first)) = opening(&ctx, v, &all, &mut result).await else {
        return result;
    };

    // Every chunk is enumerated by its own task, in parallel (bounded by the pacer).
    let budget = Arc::new(AtomicU32::new(SPLIT_BUDGET));
    let control = match &first {
        Some(Outcome::Picked { suite, .. }) => Some(*suite),
        _ => None,
    };
    let mut first = first;
    let handles: Vec<_> = plan_chunks(&all, plan.max_suites)
        .into_iter()
        .map(|part| {
            let task = enumerate_part(
                Arc::clone(&ctx),
                v,
                plan,
                part,
                first.take(),
                control,
                Arc::clone(&budget),
            );
            tokio::spawn(task)
        })
        .collect();
    let mut parts = Vec::with_capacity(handles.len());
    for h in handles {
        parts.push(h.await.unwrap_or_else(|e| PartResult {
            error: Some(crate::error::probe_error(
                ErrorCode::Io,
                format!("internal error in a probe task: {e}"),
            )),
            ..PartResult::default()
        }));
    }
    finish_version(&ctx, v, with_groups, parts, result).await
}

/// Merges the parts and, when something was accepted, learns the order and the groups.
async fn finish_version(
    ctx: &Ctx,
    v: Version,
    with_groups: bool,
    parts: Vec<PartResult>,
    mut result: VersionResult,
) -> VersionResult {
    let mut picks: Vec<Pick> = Vec::new();
    let mut unknown = 0usize;
    let mut last_error = None;
    for r in &parts {
        for p in &r.picks {
            if !picks.iter().any(|q| q.suite == p.suite) {
                picks.push(p.clone());
            }
        }
        unknown += r.unknown.len();
        if r.error.is_some() {
            last_error.clone_from(&r.error);
        }
        if result.chain.is_none() {
            result.chain.clone_from(&r.chain);
        }
    }
    if picks.is_empty() {
        if let Some(e) = last_error {
            return VersionResult {
                intolerance: result.intolerance,
                ..VersionResult::unknown(v, e)
            };
        }
        result.report.refused_with = parts.iter().find_map(|p| p.refusal.clone());
        return result;
    }
    result.report.accepted = true;
    result.report.status = Some(VersionStatus::Accepted);
    let mut errors = Vec::new();
    if let Some(e) = last_error {
        errors.push(crate::error::probe_error(
            e.code,
            format!(
                "enumeration may be incomplete: {unknown} suite(s) got no definitive answer ({})",
                e.message
            ),
        ));
    }

    let mut accepted: Vec<u16> = picks.iter().map(|p| p.suite).collect();
    // One clean chain found every pick: its pick order is the server's order (if it has one).
    let with_picks: Vec<&PartResult> = parts.iter().filter(|p| !p.picks.is_empty()).collect();
    let chain_order = (with_picks.len() == 1 && with_picks[0].clean).then(|| accepted.clone());
    accepted.sort_unstable();

    // SSLv3 hellos carry no extensions, so there is no group list to vary.
    let with_groups = with_groups && v > Version::Ssl30;
    let groups_fut = async {
        if !with_groups {
            return group_enum::Groups::default();
        }
        if v >= Version::Tls13 {
            return group_enum::enumerate(ctx, v, &accepted, TLS13_GROUPS.to_vec(), false).await;
        }
        let ecdhe: Vec<u16> = accepted
            .iter()
            .copied()
            .filter(|&c| info(c).0 == "ECDHE")
            .collect();
        if ecdhe.is_empty() {
            return group_enum::Groups::default();
        }
        let ecdsa_only = ecdhe.iter().all(|&c| info(c).1 == "ECDSA");
        group_enum::enumerate(ctx, v, &ecdhe, LEGACY_EC_GROUPS.to_vec(), ecdsa_only).await
    };
    let pref_fut = preference(ctx, v, &accepted, chain_order.as_deref());
    let (pref, groups) = tokio::join!(pref_fut, groups_fut);
    let (pref, order) = match pref {
        Ok(p) => p,
        Err(e) => {
            errors.push(crate::error::probe_error(
                e.code,
                format!("preference order not determined: {}", e.message),
            ));
            (Preference::NotApplicable, accepted.clone())
        }
    };
    errors.extend(groups.error);
    let mut group_names = groups.found;
    // Finite-field DH sizes seen with DHE suites count as groups too (and, without group
    // enumeration, every group seen while enumerating suites).
    for p in &picks {
        if let Some(g) = &p.group {
            if (!with_groups || g.starts_with("dh")) && !group_names.contains(g) {
                group_names.push(g.clone());
            }
        }
    }
    result.report.error = merge_errors(errors);
    result.report.preference = pref;
    result.report.groups = group_names;
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

/// One error saying everything that is incomplete (the first one's code).
fn merge_errors(errors: Vec<ProbeError>) -> Option<ProbeError> {
    let first = errors.first()?.code;
    let message = errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    Some(ProbeError {
        code: first,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_balanced_and_bounded() {
        let codes: Vec<u16> = (0..300).collect();
        let c = chunks(&codes, 128);
        assert_eq!(c.len(), 3);
        assert!(c.iter().all(|p| p.len() <= 128 && p.len() >= 99));
        let flat: Vec<u16> = c.concat();
        assert_eq!(flat, codes);
        assert_eq!(chunks(&[1, 2], 128).len(), 1);
        assert_eq!(chunks(&codes, 8).len(), 38);
        assert!(chunks(&[], 128).is_empty());
    }

    #[test]
    fn mainstream_suites_come_first() {
        let all = ordered_candidates(Version::Tls12);
        let first: Vec<u16> = all[..128].to_vec();
        for c in [0xc02f, 0xc030, 0x009c, 0x002f, 0x000a, 0xcca8, 0x0005] {
            assert!(first.contains(&c), "0x{c:04x}");
        }
        let psk = all.iter().position(|&c| c == 0x008c).unwrap(); // PSK-AES128-CBC-SHA
        let ecdhe = all.iter().position(|&c| c == 0xc013).unwrap();
        assert!(ecdhe < psk);
        assert_eq!(all.len(), suites::candidates(Version::Tls12).len());
        // The first hello carries the plausible suites, the rest are balanced, all bounded.
        let parts = plan_chunks(&all, 128);
        assert!(parts[0].contains(&0x0034)); // ADH-AES128-SHA
        assert!(parts.iter().all(|p| p.len() <= 128));
        assert_eq!(parts.concat(), all);
        assert_eq!(plan_chunks(&all, 32).concat(), all);
    }

    #[test]
    fn errors_merge_into_one_sentence() {
        let e = |c, m: &str| crate::error::probe_error(c, m);
        let m = merge_errors(vec![e(ErrorCode::Closed, "a"), e(ErrorCode::Timeout, "b")]).unwrap();
        assert_eq!((m.code, m.message.as_str()), (ErrorCode::Closed, "a; b"));
        assert!(merge_errors(Vec::new()).is_none());
    }
}
