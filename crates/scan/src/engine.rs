//! Orchestration: scan one target (all versions in parallel, then fallback SCSV and the
//! certificate), and many targets with bounded concurrency, each failure contained.

use crate::clock::{rfc3339, unix_now};
use crate::error::probe_error;
use crate::net;
use crate::report::{ErrorCode, ProbeError, ScanReport, TargetReport, SCAN_SCHEMA};
use crate::target::Target;
use crate::target_scan::scan_address;
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
    /// Probe SSL 2.0 too (when SSLv3 is among `versions`).
    pub sslv2: bool,
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
    /// Retries of one question after an indeterminate answer (timeouts get at most one).
    pub retries: u32,
    /// Bound on one target (one address) as a whole; `None`: 5 × timeout × versions. What
    /// is not learnt by then is reported `unknown` and the target incomplete.
    pub target_timeout: Option<Duration>,
    /// Trust anchors for judging chains; `None`: no trust verdict.
    pub trust: Option<crate::trust::TrustAnchors>,
    /// In-band upgrade for targets whose URL scheme does not name one (`--starttls`).
    pub starttls: StartTls,
}

/// The `--starttls` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StartTls {
    /// Direct TLS (unless the target's URL scheme names a protocol).
    #[default]
    Off,
    /// This protocol for every target.
    Always(tlsfloor_wire::starttls::Protocol),
    /// By well-known port (25, 587, 143, 110, 21, 389, 5222, 5432, 3306); direct TLS on others.
    Auto,
}

impl StartTls {
    /// The upgrade for `t`: its URL scheme's, else this setting's.
    pub fn for_target(self, t: &Target) -> Option<tlsfloor_wire::starttls::Protocol> {
        if t.scheme_set {
            return t.starttls;
        }
        match self {
            StartTls::Off => None,
            StartTls::Always(p) => Some(p),
            StartTls::Auto => tlsfloor_wire::starttls::Protocol::for_port(t.port),
        }
    }
}

impl ScanOptions {
    /// The per-target deadline in force: `target_timeout`, or 5 × timeout × versions.
    pub fn target_budget(&self) -> Duration {
        self.target_timeout
            .unwrap_or(self.timeout * 5 * self.versions.len().max(1) as u32)
    }
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
            sslv2: true,
            groups: true,
            certificates: true,
            all_addresses: false,
            resolve: Vec::new(),
            retries: 3,
            target_timeout: None,
            trust: None,
            starttls: StartTls::Off,
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

/// A report with nothing learnt yet.
pub(crate) fn empty_report(
    input: &str,
    host: &str,
    port: u16,
    sni: Option<String>,
) -> TargetReport {
    TargetReport::new(input, host, port, sni)
}

pub(crate) fn display_addr(addr: std::net::SocketAddr) -> String {
    addr.to_string()
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
    report.complete = false;
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

/// Scans `inputs` with at most `opts.concurrency` targets at once; `on_done` is called as
/// each target finishes (for progress display). Results are in input order.
pub async fn scan_all<F>(inputs: Vec<TargetInput>, opts: ScanOptions, on_done: F) -> ScanReport
where
    F: Fn(&TargetReport) + Send + Sync + 'static,
{
    scan_all_until(inputs, opts, on_done, std::future::pending()).await
}

/// [`scan_all`] that stops when `stop` completes (Ctrl-C): the targets finished by then are
/// reported as they are, the others as `interrupted` (error code `interrupted`), and the
/// report's `interrupted` is set.
pub async fn scan_all_until<F, S>(
    inputs: Vec<TargetInput>,
    opts: ScanOptions,
    on_done: F,
    stop: S,
) -> ScanReport
where
    F: Fn(&TargetReport) + Send + Sync + 'static,
    S: std::future::Future<Output = ()>,
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
        let placeholder = match &input {
            TargetInput::Parsed(t) => empty_report(&t.input, &t.host, t.port, t.sni.clone()),
            TargetInput::Invalid { input, .. } => empty_report(input, input, 0, None),
        };
        let h = tokio::spawn(async move {
            let reports = match input {
                TargetInput::Invalid { input, reason } => {
                    let mut r = empty_report(&input, &input, 0, None);
                    r.error = Some(probe_error(ErrorCode::BadTarget, reason));
                    r.complete = false;
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
        handles.push((placeholder, h));
    }
    let mut stop = std::pin::pin!(stop);
    let mut interrupted = false;
    let mut targets = Vec::with_capacity(handles.len());
    for (placeholder, mut h) in handles {
        if !interrupted {
            tokio::select! {
                r = &mut h => {
                    targets.extend(joined(placeholder, r));
                    continue;
                }
                () = &mut stop => interrupted = true,
            }
        }
        if h.is_finished() {
            targets.extend(joined(placeholder, h.await));
        } else {
            h.abort();
            let mut r = placeholder;
            r.error = Some(probe_error(
                ErrorCode::Interrupted,
                "interrupted (Ctrl-C) before this target finished",
            ));
            r.interrupted = true;
            r.complete = false;
            targets.push(r);
        }
    }
    ScanReport {
        schema: SCAN_SCHEMA.to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        started_at,
        duration_ms: started.elapsed().as_millis() as u64,
        targets,
        interrupted,
    }
}

/// The reports of a finished target task, or an internal error in `placeholder`.
fn joined(
    mut placeholder: TargetReport,
    r: Result<Vec<TargetReport>, tokio::task::JoinError>,
) -> Vec<TargetReport> {
    match r {
        Ok(reports) => reports,
        Err(e) => {
            placeholder.error = Some(probe_error(
                ErrorCode::Io,
                format!("internal error while scanning: {e}"),
            ));
            placeholder.complete = false;
            vec![placeholder]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starttls_setting_yields_to_the_url_scheme_and_auto_goes_by_port() {
        use tlsfloor_wire::starttls::Protocol;
        let t = |s: &str| crate::parse_target(s, None).unwrap();
        assert_eq!(StartTls::Auto.for_target(&t("mx:25")), Some(Protocol::Smtp));
        assert_eq!(
            StartTls::Auto.for_target(&t("db:5432")),
            Some(Protocol::Postgres)
        );
        assert_eq!(StartTls::Auto.for_target(&t("www:443")), None);
        assert_eq!(
            StartTls::Always(Protocol::Imap).for_target(&t("mail:10143")),
            Some(Protocol::Imap)
        );
        assert_eq!(
            StartTls::Always(Protocol::Imap).for_target(&t("imaps://mail")),
            None
        );
        assert_eq!(
            StartTls::Off.for_target(&t("smtp://mx")),
            Some(Protocol::Smtp)
        );
        assert_eq!(StartTls::Off.for_target(&t("mx:25")), None);
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
}
