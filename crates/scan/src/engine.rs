//! Orchestration: scan one target (all versions in parallel, then fallback SCSV and the
//! certificate), and many targets with bounded concurrency, each failure contained.

use crate::cert::{hostname_matches, summarize_chain};
use crate::clock::{rfc3339, unix_now};
use crate::enumerate::{probe_version, VersionResult};
use crate::error::probe_error;
use crate::probe::Ctx;
use crate::report::{ErrorCode, FallbackScsv, ProbeError, ScanReport, TargetReport, SCAN_SCHEMA};
use crate::target::Target;
use crate::{fallback, handshake, net};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tlsfloor_wire::Version;
use tokio::sync::Semaphore;

/// How to scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Bound on each TCP connect and on waiting for each answer.
    pub timeout: Duration,
    /// Simultaneous connections to one target.
    pub connections_per_target: usize,
    /// Targets scanned at once.
    pub concurrency: usize,
    /// Versions to probe.
    pub versions: Vec<Version>,
    /// Enumerate accepted key-exchange groups (TLS 1.2 ECDHE, TLS 1.3).
    pub groups: bool,
    /// Read the certificate chain (with a real handshake when TLS 1.3 hides it).
    pub certificates: bool,
    /// Scan every address a host name resolves to, each as its own report (otherwise only
    /// the first, IPv4 preferred, and the rest are listed in `other_addresses`).
    pub all_addresses: bool,
    /// Fixed addresses for `host:port` pairs instead of DNS (like curl's `--resolve`); the
    /// SNI is still the host name.
    pub resolve: Vec<ResolveOverride>,
}

/// Addresses to use for one `host:port` instead of asking DNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveOverride {
    /// Host name, as in the target (compared case-insensitively).
    pub host: String,
    /// Port.
    pub port: u16,
    /// Addresses to connect to, in order.
    pub addrs: Vec<std::net::IpAddr>,
}

impl ResolveOverride {
    /// Parses curl's form `HOST:PORT:ADDR[,ADDR…]` (IPv6 addresses may be bracketed).
    pub fn parse(s: &str) -> Result<ResolveOverride, String> {
        let mut parts = s.splitn(3, ':');
        let (Some(host), Some(port), Some(addrs)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!("{s:?}: expected HOST:PORT:ADDR[,ADDR...]"));
        };
        if host.is_empty() {
            return Err(format!("{s:?}: empty host"));
        }
        let port: u16 = port
            .parse()
            .map_err(|_| format!("{s:?}: {port:?} is not a port number"))?;
        let addrs = addrs
            .split(',')
            .map(|a| {
                let a = a.trim().trim_start_matches('[').trim_end_matches(']');
                a.parse()
                    .map_err(|_| format!("{s:?}: {a:?} is not an IP address"))
            })
            .collect::<Result<Vec<std::net::IpAddr>, String>>()?;
        Ok(ResolveOverride {
            host: host.to_ascii_lowercase(),
            port,
            addrs,
        })
    }
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            timeout: Duration::from_secs(5),
            connections_per_target: 8,
            concurrency: 16,
            versions: Version::ALL.to_vec(),
            groups: true,
            certificates: true,
            all_addresses: false,
            resolve: Vec::new(),
        }
    }
}

/// A target to scan, or a target string that could not be parsed (reported as an error).
#[derive(Debug, Clone)]
pub enum TargetInput {
    /// A parsed target.
    Parsed(Target),
    /// An unparsable target and why.
    Invalid {
        /// The text as given.
        input: String,
        /// The parse error.
        reason: String,
    },
}

fn empty_report(input: &str, host: &str, port: u16, sni: Option<String>) -> TargetReport {
    TargetReport {
        target: input.to_string(),
        host: host.to_string(),
        port,
        sni,
        address: None,
        duration_ms: 0,
        error: None,
        protocols: Vec::new(),
        fallback_scsv: FallbackScsv::NotApplicable,
        certificates: Vec::new(),
        hostname_match: None,
        certificate_errors: Vec::new(),
        other_addresses: Vec::new(),
    }
}

fn display_addr(addr: std::net::SocketAddr) -> String {
    addr.to_string()
}

/// Picks the target-level error when no version was accepted: the most telling failure.
fn target_error(results: &[VersionResult]) -> Option<ProbeError> {
    if results.iter().any(|r| r.report.accepted) {
        return None;
    }
    let rank = |c: ErrorCode| match c {
        ErrorCode::Refused | ErrorCode::Unreachable | ErrorCode::Dns | ErrorCode::BadTarget => 0,
        ErrorCode::NotTls => 1,
        ErrorCode::Malformed => 2,
        ErrorCode::Timeout => 3,
        ErrorCode::Reset => 4,
        ErrorCode::Io => 5,
    };
    let failures: Vec<&ProbeError> = results.iter().filter_map(|r| r.failure.as_ref()).collect();
    let refused_by_tls = results
        .iter()
        .any(|r| r.failure.is_none() && !r.closed_only);
    if !failures.is_empty() && !refused_by_tls {
        return failures.into_iter().min_by_key(|e| rank(e.code)).cloned();
    }
    if failures.is_empty() && results.iter().all(|r| r.closed_only) && !results.is_empty() {
        return Some(probe_error(
            ErrorCode::Reset,
            "the server closed or reset every connection without a TLS answer (not a TLS service, or it drops all these hellos)",
        ));
    }
    None
}

/// The addresses of `target`: from `--resolve` overrides, else DNS (IPv4 first).
async fn addresses(target: &Target, opts: &ScanOptions) -> Result<Vec<SocketAddr>, ProbeError> {
    let pinned = opts
        .resolve
        .iter()
        .find(|o| o.port == target.port && o.host.eq_ignore_ascii_case(&target.host));
    match pinned {
        Some(o) => Ok(o
            .addrs
            .iter()
            .map(|&ip| SocketAddr::new(ip, target.port))
            .collect()),
        None => net::resolve(&target.host_port(), opts.timeout).await,
    }
}

/// The report of a target whose addresses could not be found.
fn unresolved(target: &Target, error: ProbeError, started: Instant) -> TargetReport {
    let mut report = empty_report(&target.input, &target.host, target.port, target.sni.clone());
    report.error = Some(error);
    report.duration_ms = started.elapsed().as_millis() as u64;
    report
}

/// Scans one target: its first address (IPv4 preferred), listing the others in
/// `other_addresses`. See [`scan_target_addresses`] to scan each address.
pub async fn scan_target(target: &Target, opts: &ScanOptions) -> TargetReport {
    let started = Instant::now();
    match addresses(target, opts).await {
        Ok(addrs) => {
            let mut report = scan_address(target, addrs[0], opts, started).await;
            report.other_addresses = addrs[1..].iter().map(|a| display_addr(*a)).collect();
            report
        }
        Err(e) => unresolved(target, e, started),
    }
}

/// Scans one target as `opts.all_addresses` asks: every resolved address as its own report
/// (in resolution order), or only the first ([`scan_target`]).
pub async fn scan_target_addresses(target: &Target, opts: &ScanOptions) -> Vec<TargetReport> {
    if !opts.all_addresses {
        return vec![scan_target(target, opts).await];
    }
    let started = Instant::now();
    match addresses(target, opts).await {
        Ok(addrs) => {
            let mut out = Vec::with_capacity(addrs.len());
            for addr in addrs {
                out.push(scan_address(target, addr, opts, Instant::now()).await);
            }
            out
        }
        Err(e) => vec![unresolved(target, e, started)],
    }
}

/// Scans `target` at one socket address.
async fn scan_address(
    target: &Target,
    addr: SocketAddr,
    opts: &ScanOptions,
    started: Instant,
) -> TargetReport {
    let mut report = empty_report(&target.input, &target.host, target.port, target.sni.clone());
    report.address = Some(display_addr(addr));
    let ctx = Arc::new(Ctx::new(
        addr,
        target.sni.clone(),
        opts.timeout,
        opts.connections_per_target,
    ));

    let mut handles = Vec::new();
    let mut versions = opts.versions.clone();
    versions.sort();
    versions.dedup();
    for &v in &versions {
        let ctx = Arc::clone(&ctx);
        let groups = opts.groups;
        handles.push((v, tokio::spawn(probe_version(ctx, v, groups))));
    }
    let mut results = Vec::new();
    for (v, h) in handles {
        match h.await {
            Ok(r) => results.push(r),
            Err(e) => {
                let err = probe_error(ErrorCode::Io, format!("internal error probing {v}: {e}"));
                results.push(VersionResult {
                    report: crate::report::ProtocolReport {
                        version: v,
                        accepted: false,
                        preference: crate::report::Preference::NotApplicable,
                        suites: Vec::new(),
                        groups: Vec::new(),
                        error: Some(err.clone()),
                    },
                    chain: None,
                    failure: Some(err),
                    closed_only: false,
                })
            }
        }
    }

    if let Some(e) = target_error(&results) {
        report.error = Some(e);
        report.duration_ms = started.elapsed().as_millis() as u64;
        return report;
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
    let any_accepted = !accepted.is_empty();

    let fallback_fut = fallback::check(&ctx, &accepted);
    let chain_fut = async {
        if !opts.certificates || !any_accepted {
            return Ok(None);
        }
        match plain_chain {
            Some(c) => Ok(Some(c)),
            None => handshake::fetch_chain(addr, target.sni.clone(), opts.timeout)
                .await
                .map(Some),
        }
    };
    let (fallback, chain) = tokio::join!(fallback_fut, chain_fut);
    report.fallback_scsv = fallback;
    let name = target.sni.clone().unwrap_or_else(|| target.host.clone());
    record_chain(&mut report, chain, &name, unix_now());
    report.protocols = results.into_iter().map(|r| r.report).collect();
    report.duration_ms = started.elapsed().as_millis() as u64;
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

/// Scans `inputs` with at most `opts.concurrency` targets at once; `on_done` is called as
/// each target finishes (for progress display). Results are in input order.
pub async fn scan_all<F>(inputs: Vec<TargetInput>, opts: ScanOptions, on_done: F) -> ScanReport
where
    F: Fn(&TargetReport) + Send + Sync + 'static,
{
    let started_at = rfc3339(unix_now());
    let started = Instant::now();
    let opts = Arc::new(opts);
    let gate = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let on_done = Arc::new(on_done);
    let mut handles = Vec::with_capacity(inputs.len());
    for input in inputs {
        let opts = Arc::clone(&opts);
        let gate = Arc::clone(&gate);
        let on_done = Arc::clone(&on_done);
        let fallback_report = match &input {
            TargetInput::Parsed(t) => empty_report(&t.input, &t.host, t.port, t.sni.clone()),
            TargetInput::Invalid { input, .. } => empty_report(input, input, 0, None),
        };
        let h = tokio::spawn(async move {
            let reports = match input {
                TargetInput::Invalid { input, reason } => {
                    let mut r = empty_report(&input, &input, 0, None);
                    r.error = Some(probe_error(ErrorCode::BadTarget, reason));
                    vec![r]
                }
                TargetInput::Parsed(t) => {
                    let _permit = gate.acquire().await.ok();
                    scan_target_addresses(&t, &opts).await
                }
            };
            // One progress step per input, whatever the number of addresses.
            if let Some(first) = reports.first() {
                on_done(first);
            }
            reports
        });
        handles.push((fallback_report, h));
    }
    let mut targets = Vec::with_capacity(handles.len());
    for (mut fallback_report, h) in handles {
        match h.await {
            Ok(reports) => targets.extend(reports),
            Err(e) => {
                fallback_report.error = Some(probe_error(
                    ErrorCode::Io,
                    format!("internal error while scanning: {e}"),
                ));
                targets.push(fallback_report);
            }
        }
    }
    ScanReport {
        schema: SCAN_SCHEMA.to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        started_at,
        duration_ms: started.elapsed().as_millis() as u64,
        targets,
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
    fn resolve_overrides_parse_like_curl() {
        let o = ResolveOverride::parse("LB.example:443:10.0.0.1,[2001:db8::1], ::1").unwrap();
        assert_eq!(o.host, "lb.example");
        assert_eq!(o.port, 443);
        let want: Vec<std::net::IpAddr> = vec![
            "10.0.0.1".parse().unwrap(),
            "2001:db8::1".parse().unwrap(),
            "::1".parse().unwrap(),
        ];
        assert_eq!(o.addrs, want);
        for bad in [
            "lb.example:443",
            ":443:10.0.0.1",
            "lb:https:10.0.0.1",
            "lb:443:10.0.0.300",
        ] {
            assert!(ResolveOverride::parse(bad).is_err(), "{bad}");
        }
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
