//! Scanning one target at one socket address: an opening connect, every version in
//! parallel, then fallback SCSV and the certificate chain, all within the per-target
//! deadline; and the target's verdict from what was proven.

use crate::cert::{hostname_matches, summarize_chain};
use crate::clock::unix_now;
use crate::engine::{display_addr, empty_report, ScanOptions};
use crate::enumerate::{probe_version, VersionResult};
use crate::error::probe_error;
use crate::pacing::Signal;
use crate::probe::{Ctx, Limits};
use crate::report::{ErrorCode, ProbeError, TargetReport, VersionStatus};
use crate::target::Target;
use crate::{chains, fallback, handshake, net};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tlsfloor_wire::Version;
use tokio::time::Instant;

/// Retries allowed for one whole target (on top of each question's own limit).
const TARGET_RETRY_BUDGET: u32 = 120;

/// How telling a version's error is as the target's error (lower: more telling).
fn rank(c: ErrorCode) -> u8 {
    match c {
        ErrorCode::SniRequired => 0,
        ErrorCode::Refused | ErrorCode::Unreachable | ErrorCode::Dns | ErrorCode::BadTarget => 1,
        ErrorCode::NotTls | ErrorCode::StarttlsUnsupported => 2,
        ErrorCode::Malformed | ErrorCode::ProtocolViolation => 3,
        ErrorCode::Timeout => 4,
        ErrorCode::Reset | ErrorCode::Closed => 5,
        ErrorCode::UnexpectedAlert => 6,
        ErrorCode::Io => 7,
        ErrorCode::Deadline | ErrorCode::Interrupted => 8,
    }
}

/// Closed and reset read the same at target level.
fn normalized(c: ErrorCode) -> ErrorCode {
    match c {
        ErrorCode::Closed => ErrorCode::Reset,
        other => other,
    }
}

/// The target-level error when no version was accepted: `sni_required` when any hello was
/// answered unrecognized_name, else the most telling error when no version got a
/// definitive answer at all. `None` when something was accepted or definitively refused.
fn target_error(results: &[VersionResult], sni: Option<&str>) -> Option<ProbeError> {
    if results.iter().any(|r| r.report.accepted) {
        return None;
    }
    let errors: Vec<&ProbeError> = results
        .iter()
        .filter(|r| r.report.status() == VersionStatus::Unknown)
        .filter_map(|r| r.report.error.as_ref())
        .collect();
    if errors.iter().any(|e| e.code == ErrorCode::SniRequired) {
        let sent = sni.map_or("no SNI".to_string(), |s| format!("SNI {s:?}"));
        return Some(probe_error(
            ErrorCode::SniRequired,
            format!(
                "the server answers unrecognized_name to hellos with {sent}: it serves other names; scan with --sni NAME"
            ),
        ));
    }
    if errors.len() < results.len() || errors.is_empty() {
        return None;
    }
    // The commonest reason across versions (a stray timeout among resets does not make a
    // resetting server look silent), the most telling one on a tie.
    let count = |c: ErrorCode| {
        errors
            .iter()
            .filter(|e| normalized(e.code) == normalized(c))
            .count()
    };
    let best = errors
        .iter()
        .copied()
        .min_by_key(|e| (std::cmp::Reverse(count(e.code)), rank(e.code)))?;
    let mut e = match best.code {
        ErrorCode::Closed | ErrorCode::Reset => probe_error(
            ErrorCode::Reset,
            "the server closed or reset every connection without a TLS answer (not a TLS service, or it drops all these hellos)",
        ),
        _ => best.clone(),
    };
    if sni.is_none() && matches!(e.code, ErrorCode::Reset | ErrorCode::UnexpectedAlert) {
        e.message
            .push_str(" (no SNI was sent: if the server needs a name, give --sni NAME)");
    }
    Some(e)
}

/// Runs every version's probe in parallel; a version still running at `hard_stop` is
/// stopped and reported unknown.
async fn probe_versions(
    ctx: &Arc<Ctx>,
    versions: &[Version],
    groups: bool,
    hard_stop: Instant,
) -> Vec<VersionResult> {
    let handles: Vec<_> = versions
        .iter()
        .map(|&v| (v, tokio::spawn(probe_version(Arc::clone(ctx), v, groups))))
        .collect();
    let mut results = Vec::with_capacity(handles.len());
    for (v, mut h) in handles {
        let r = match tokio::time::timeout_at(hard_stop, &mut h).await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => VersionResult::unknown(
                v,
                probe_error(ErrorCode::Io, format!("internal error probing {v}: {e}")),
            ),
            Err(_) => {
                h.abort();
                VersionResult::unknown(
                    v,
                    probe_error(
                        ErrorCode::Deadline,
                        "the per-target deadline passed before this version was finished",
                    ),
                )
            }
        };
        results.push(r);
    }
    results
}

/// One real handshake for the chain, paced like the probes and retried a little.
async fn read_chain(
    ctx: &Ctx,
    sni: Option<String>,
    timeout: Duration,
) -> Result<Vec<Vec<u8>>, String> {
    let mut last = Err("the per-target deadline passed before the handshake".to_string());
    for attempt in 0..=ctx.retries().min(2) {
        let left = ctx.deadline().saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let slot = ctx.acquire().await;
        last = handshake::fetch_chain(ctx.addr, &ctx.link, sni.clone(), timeout.min(left)).await;
        ctx.release(
            slot,
            if last.is_ok() {
                Signal::Answered
            } else {
                Signal::Slow
            },
        );
        if last.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
    }
    last
}

/// Scans `target` at one socket address.
pub async fn scan_address(
    target: &Target,
    addr: SocketAddr,
    opts: &ScanOptions,
    started: std::time::Instant,
) -> TargetReport {
    let mut report = empty_report(&target.input, &target.host, target.port, target.sni.clone());
    report.address = Some(display_addr(addr));
    let deadline = Instant::now() + opts.target_budget();
    let link = net::Link {
        starttls: opts.starttls.for_target(target),
        host: target.sni.clone().unwrap_or_else(|| target.host.clone()),
    };
    report.starttls = link.starttls.map(|p| p.name().to_string());
    let ctx = Arc::new(Ctx::new(
        addr,
        link,
        target.sni.clone(),
        opts.connections_per_target,
        Limits {
            timeout: opts.timeout,
            retries: opts.retries,
            retry_budget: TARGET_RETRY_BUDGET,
            deadline,
        },
    ));
    // Is anything there at all? A target that does not take a connection now is an error,
    // not a list of versions that timed out.
    // (The socket is closed at once: single-threaded servers such as `openssl s_server`
    // serve one connection at a time.)
    // With STARTTLS the opening connection runs the upgrade too: a service that does not
    // offer it is one clear error, not a list of unknown versions.
    let slot = ctx.acquire().await;
    let opening_deadline = Instant::now() + opts.timeout;
    let opened = net::open(addr, &ctx.link, opening_deadline, opts.timeout)
        .await
        .map(drop);
    ctx.release(slot, Signal::Answered);
    if let Err(e) = opened {
        return finish(report, Some(e), &ctx, started);
    }

    let mut versions = opts.versions.clone();
    versions.sort();
    versions.dedup();
    // SSL 2.0 beside the TLS versions, when SSLv3 is scanned (a legacy scan).
    let sslv2 = async {
        if opts.sslv2 && versions.contains(&Version::Ssl30) {
            Some(crate::sslv2_probe::probe(&ctx).await)
        } else {
            None
        }
    };
    let (results, sslv2) = tokio::join!(
        probe_versions(&ctx, &versions, opts.groups, deadline + opts.timeout * 2),
        sslv2
    );
    let sslv2_accepted = sslv2
        .as_ref()
        .is_some_and(|s| s.status == VersionStatus::Accepted);
    report.sslv2 = sslv2;
    if let Some(e) = target_error(&results, target.sni.as_deref()).filter(|_| !sslv2_accepted) {
        return finish(report, Some(e), &ctx, started);
    }

    let accepted: Vec<(Version, Vec<u16>)> = results
        .iter()
        .filter(|r| r.report.accepted)
        .map(|r| {
            (
                r.report.version,
                r.report.suites.iter().map(|s| s.code).collect(),
            )
        })
        .collect();
    // Prefer the chain seen at the highest plaintext-certificate version.
    let plain_chain = results.iter().rev().find_map(|r| r.chain.clone());
    // Suites that authenticate without a certificate (PSK, anonymous, SRP): when nothing
    // else is accepted the server has no certificate to show.
    let certless = |c: &u16| {
        tlsfloor_wire::suites::by_code(*c)
            .is_some_and(|s| matches!(s.auth, "PSK" | "anon" | "SRP" | "NULL"))
    };
    let only_certless = accepted
        .iter()
        .all(|(_, suites)| !suites.is_empty() && suites.iter().all(certless));
    let chain_fut = async {
        if !opts.certificates || accepted.is_empty() {
            return Ok(None);
        }
        if only_certless && plain_chain.is_none() {
            return Err(
                "no certificate: every accepted suite authenticates without one (PSK, \
                 anonymous or SRP)"
                    .to_string(),
            );
        }
        match plain_chain {
            Some(c) => Ok(Some(c)),
            None => read_chain(&ctx, target.sni.clone(), opts.timeout)
                .await
                .map(Some),
        }
    };
    // Each certificate family's chain, at the highest version up to TLS 1.2 that has suites.
    let chains_fut = async {
        let classic = accepted
            .iter()
            .rev()
            .find(|(v, s)| *v <= Version::Tls12 && !s.is_empty());
        let tls13 = accepted.iter().any(|(v, _)| *v == Version::Tls13);
        match classic {
            Some((v, suites)) if opts.certificates => chains::by_family(&ctx, *v, suites).await,
            None if opts.certificates && tls13 => {
                chains::tls13_by_family(&ctx, target.sni.clone()).await
            }
            _ => Vec::new(),
        }
    };
    let (fallback, chain, all_chains) =
        tokio::join!(fallback::check(&ctx, &accepted), chain_fut, chains_fut);
    report.chains = all_chains;
    (report.fallback_scsv, report.downgrade_sentinel) = fallback;
    let name = target.sni.clone().unwrap_or_else(|| target.host.clone());
    let der = chain.as_ref().ok().cloned().flatten();
    record_chain(&mut report, chain, &name, unix_now());
    if let (Some(der), Some(anchors)) = (der, &opts.trust) {
        report.trust = Some(anchors.judge(&der, &report.certificates, report.hostname_match));
    }
    for r in results {
        report.intolerance.extend(r.intolerance);
        report.protocols.push(r.report);
    }
    finish(report, None, &ctx, started)
}

/// Sets the error, pacing, duration and completeness of a finished report.
fn finish(
    mut report: TargetReport,
    error: Option<ProbeError>,
    ctx: &Ctx,
    started: std::time::Instant,
) -> TargetReport {
    report.error = error;
    report.pacing = Some(ctx.pacing());
    report.duration_ms = started.elapsed().as_millis() as u64;
    report.complete = report.is_complete();
    report
}

/// Puts the outcome of reading the chain into `report`: the summaries and host name verdict,
/// and every reason a certificate is missing in `certificate_errors`, so an empty chain is
/// never silent. `chain` is `Ok(None)` when no chain was sought (nothing accepted).
fn record_chain(
    report: &mut TargetReport,
    chain: Result<Option<Vec<Vec<u8>>>, String>,
    name: &str,
    now: i64,
) {
    match chain {
        Ok(Some(chain)) => {
            let (certs, leaf, errors) = summarize_chain(&chain, now);
            report.certificates = certs;
            report.hostname_match = leaf.map(|n| hostname_matches(&n, name));
            report
                .certificate_errors
                .extend(errors.iter().map(ToString::to_string));
        }
        Ok(None) => {}
        Err(msg) => report
            .certificate_errors
            .push(format!("certificate chain not read: {msg}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::asn1::Asn1Time;
    use openssl::ec::{EcGroup, EcKey};
    use openssl::hash::MessageDigest;
    use openssl::nid::Nid;
    use openssl::pkey::PKey;
    use openssl::x509::extension::SubjectAlternativeName;
    use openssl::x509::{X509NameBuilder, X509};

    /// A self-signed ECDSA certificate for `dns`, as DER.
    fn cert_der(dns: &str) -> Vec<u8> {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        let key = PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap();
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", dns).unwrap();
        let name = name.build();
        let mut b = X509::builder().unwrap();
        b.set_version(2).unwrap();
        b.set_subject_name(&name).unwrap();
        b.set_issuer_name(&name).unwrap();
        b.set_pubkey(&key).unwrap();
        b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        b.set_not_after(&Asn1Time::days_from_now(30).unwrap())
            .unwrap();
        let san = SubjectAlternativeName::new()
            .dns(dns)
            .build(&b.x509v3_context(None, None))
            .unwrap();
        b.append_extension(san).unwrap();
        b.sign(&key, MessageDigest::sha256()).unwrap();
        b.build().to_der().unwrap()
    }

    fn version(v: Version, status: VersionStatus, code: Option<ErrorCode>) -> VersionResult {
        let mut r = VersionResult::unknown(v, probe_error(ErrorCode::Io, ""));
        r.report.status = Some(status);
        r.report.accepted = status == VersionStatus::Accepted;
        r.report.error = code.map(|c| probe_error(c, "x"));
        r
    }

    #[test]
    fn target_errors_need_every_version_unanswered() {
        use VersionStatus::*;
        let closed = Some(ErrorCode::Closed);
        let all_closed = [
            version(Version::Tls10, Unknown, closed),
            version(Version::Tls12, Unknown, closed),
        ];
        let e = target_error(&all_closed, None).expect("error");
        assert_eq!(e.code, ErrorCode::Reset);
        assert!(e.message.contains("--sni"), "{}", e.message);
        // One definitive refusal: no target error, the unknown version stays unknown.
        let mixed = [
            version(Version::Tls10, NotAccepted, None),
            version(Version::Tls12, Unknown, closed),
        ];
        assert_eq!(target_error(&mixed, Some("a.example")), None);
        // unrecognized_name anywhere, nothing accepted: the server wants another name.
        let sni = [
            version(Version::Tls10, NotAccepted, None),
            version(Version::Tls12, Unknown, Some(ErrorCode::SniRequired)),
        ];
        let e = target_error(&sni, Some("a.example")).expect("error");
        assert_eq!(e.code, ErrorCode::SniRequired);
        assert!(e.message.contains("\"a.example\""), "{}", e.message);
        // Something accepted: never a target error.
        let ok = [
            version(Version::Tls12, Accepted, None),
            version(Version::Tls13, Unknown, closed),
        ];
        assert_eq!(target_error(&ok, None), None);
        // Everything definitively refused: no error either (the server accepts no version).
        let none = [version(Version::Tls10, NotAccepted, None)];
        assert_eq!(target_error(&none, None), None);
    }

    fn report() -> TargetReport {
        empty_report("t.example", "t.example", 443, Some("t.example".into()))
    }

    #[test]
    fn a_failed_chain_fetch_is_recorded_with_its_reason() {
        let mut r = report();
        record_chain(
            &mut r,
            Err("TLS handshake: unexpected eof".into()),
            "t.example",
            0,
        );
        assert!(r.certificates.is_empty());
        assert_eq!(r.hostname_match, None);
        assert_eq!(
            r.certificate_errors,
            vec!["certificate chain not read: TLS handshake: unexpected eof".to_string()]
        );
    }

    #[test]
    fn unparsable_certificates_are_named_and_good_ones_kept() {
        let mut r = report();
        let chain = vec![cert_der("t.example"), vec![0x30, 0x03, 0x02]];
        record_chain(&mut r, Ok(Some(chain)), "t.example", unix_now());
        assert_eq!(r.certificates.len(), 1);
        assert_eq!(r.hostname_match, Some(true));
        assert_eq!(r.certificate_errors.len(), 1);
        assert!(
            r.certificate_errors[0].starts_with("certificate 1 of the chain could not be parsed"),
            "{:?}",
            r.certificate_errors
        );
    }

    #[test]
    fn nothing_sought_means_nothing_recorded() {
        let mut r = report();
        record_chain(&mut r, Ok(None), "t.example", 0);
        assert!(r.certificates.is_empty() && r.certificate_errors.is_empty());
        let mut ok = report();
        record_chain(
            &mut ok,
            Ok(Some(vec![cert_der("other.example")])),
            "t.example",
            0,
        );
        assert_eq!(ok.hostname_match, Some(false));
        assert!(ok.certificate_errors.is_empty());
    }
}
