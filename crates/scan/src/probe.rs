//! One probe = one connection = one ClientHello, and what its answer proves: a pick, a
//! definitive refusal, or nothing (`Unknown`). Indeterminate answers are retried (bounded,
//! with backoff, through the target's [`Pacer`]); only definitive ones may remove a suite or
//! mark a version not accepted.

use crate::error::probe_error;
use crate::hello::{self, Shape};
use crate::net::{self, Answer, Flight, Need};
use crate::pacing::{Pacer, Signal};
use crate::report::{ErrorCode, ProbeError};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tlsfloor_wire::groups::group_name;
use tlsfloor_wire::Version;
use tokio::time::Instant;

/// protocol_version alert: the server does not speak the offered version.
pub const ALERT_PROTOCOL_VERSION: u8 = 70;
/// inappropriate_fallback alert (RFC 7507).
pub const ALERT_INAPPROPRIATE_FALLBACK: u8 = 86;
/// handshake_failure alert: no acceptable set of parameters.
pub const ALERT_HANDSHAKE_FAILURE: u8 = 40;
/// insufficient_security alert: the offer is too weak for the server.
pub const ALERT_INSUFFICIENT_SECURITY: u8 = 71;
/// illegal_parameter alert.
pub const ALERT_ILLEGAL_PARAMETER: u8 = 47;
/// unrecognized_name alert (RFC 6066): the server wants another SNI.
pub const ALERT_UNRECOGNIZED_NAME: u8 = 112;

/// Alerts that are a server's definitive "no" to a hello.
const REFUSAL_ALERTS: &[u8] = &[
    ALERT_HANDSHAKE_FAILURE,
    ALERT_PROTOCOL_VERSION,
    ALERT_INSUFFICIENT_SECURITY,
    ALERT_ILLEGAL_PARAMETER,
    ALERT_INAPPROPRIATE_FALLBACK,
];

/// How a probe's retries and deadlines are bounded for one target.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bound on one probe (connect, send, read the answer: all of it).
    pub timeout: Duration,
    /// Retries of one question after an indeterminate answer (timeouts get at most one).
    pub retries: u32,
    /// Retries allowed for the whole target, so a hostile server cannot multiply the work.
    pub retry_budget: u32,
    /// When the whole target must be done.
    pub deadline: Instant,
}

/// Shared per-target probing context: where to connect, what SNI to send, the pacer and
/// the limits.
#[derive(Debug)]
pub struct Ctx {
    /// The socket address probed.
    pub addr: SocketAddr,
    /// How connections reach TLS (direct or an in-band upgrade).
    pub link: net::Link,
    /// SNI to send, if any.
    pub sni: Option<String>,
    /// Bound on each probe.
    pub timeout: Duration,
    limits: Limits,
    pacer: Pacer,
    retries_left: AtomicU32,
    /// The path only answers small hellos (learnt by the tolerance ladder at some version):
    /// every later question to this target uses the minimal shape.
    minimal_only: std::sync::atomic::AtomicBool,
}

/// A definitive refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A refusal alert (description code and name).
    Alert(u8, &'static str),
    /// A ServerHello for a lower protocol version: the server's highest is below the offer.
    OtherVersion(String),
}

impl Refusal {
    /// True when the refusal says the version itself is not spoken (rather than the suites).
    pub fn rejects_version(&self) -> bool {
        matches!(
            self,
            Refusal::Alert(ALERT_PROTOCOL_VERSION, _) | Refusal::OtherVersion(_)
        )
    }
}

/// The meaning of one answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The server chose `suite` at the offered version.
    Picked {
        /// The chosen suite.
        suite: u16,
        /// The key-exchange group code, when the answer names one.
        group_code: Option<u16>,
        /// A display name for the key exchange (`x25519`, `dh2048`, …).
        group: Option<String>,
        /// Everything read.
        flight: Box<Flight>,
    },
    /// The hello was definitively refused.
    Refused(Refusal),
    /// A fatal alert that is not by itself a refusal (internal_error, decode_error, …): the
    /// server spoke, but this offer may have failed for a reason of its own. Callers confirm
    /// with smaller offers before it counts as a refusal.
    Alerted(u8, &'static str),
    /// Nothing was learnt: timeout, reset, silent close, garbled or impossible answer.
    Unknown(ProbeError),
}

impl Outcome {
    /// True for a ServerHello or a refusal: an answer that proves something.
    pub fn is_definitive(&self) -> bool {
        matches!(self, Outcome::Picked { .. } | Outcome::Refused(_))
    }
}

/// One question to a server: a hello and how much of the answer to read.
#[derive(Debug, Clone)]
pub struct Question<'a> {
    /// The version offered.
    pub version: Version,
    /// The suites offered.
    pub suites: &'a [u16],
    /// The groups offered (the shape's default when `None`).
    pub groups: Option<Vec<u16>>,
    /// How much of the flight to read.
    pub need: Need,
    /// How the hello is built.
    pub shape: Shape,
}

impl<'a> Question<'a> {
    /// A full-shape question for `version` offering `suites`, reading what the version needs.
    pub fn new(version: Version, suites: &'a [u16]) -> Question<'a> {
        Question {
            version,
            suites,
            groups: None,
            need: need_for(version),
            shape: Shape::Full,
        }
    }
}

/// How much of the flight a version's enumeration reads: through ServerHelloDone for
/// TLS ≤ 1.2 (certificate, key exchange), the ServerHello for TLS 1.3.
pub fn need_for(v: Version) -> Need {
    if v >= Version::Tls13 {
        Need::Hello
    } else {
        Need::Flight
    }
}

impl Ctx {
    /// A context for one target.
    pub fn new(
        addr: SocketAddr,
        link: net::Link,
        sni: Option<String>,
        connections: usize,
        limits: Limits,
    ) -> Ctx {
        Ctx {
            addr,
            link,
            sni,
            timeout: limits.timeout,
            limits,
            pacer: Pacer::new(connections),
            retries_left: AtomicU32::new(limits.retry_budget),
            minimal_only: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// From now on, build every hello to this target in the minimal shape (a middlebox that
    /// drops large hellos does so at every version).
    pub fn use_minimal_hellos(&self) {
        self.minimal_only.store(true, Ordering::Relaxed);
    }

    fn shape_for(&self, q: &Question<'_>) -> Shape {
        if self.minimal_only.load(Ordering::Relaxed) {
            Shape::Minimal
        } else {
            q.shape
        }
    }

    /// The pacing needed so far.
    pub fn pacing(&self) -> crate::report::Pacing {
        self.pacer.report()
    }

    /// A paced connection slot for work outside [`ask`](Self::ask) (the real handshake);
    /// give it back with [`release`](Self::release).
    pub async fn acquire(&self) -> crate::pacing::Slot {
        self.pacer.acquire().await
    }

    /// Gives back a slot from [`acquire`](Self::acquire).
    pub fn release(&self, slot: crate::pacing::Slot, signal: Signal) {
        self.pacer.finish(slot, signal);
    }

    /// Retries of one question after an indeterminate answer.
    pub fn retries(&self) -> u32 {
        self.limits.retries
    }

    /// The target deadline.
    pub fn deadline(&self) -> Instant {
        self.limits.deadline
    }

    /// Full-shape hello for `v` with `suites` (and `groups`, or the default list), retried
    /// until definitive or out of retries.
    pub async fn ask(
        &self,
        v: Version,
        suites: &[u16],
        groups: Option<Vec<u16>>,
        need: Need,
    ) -> Outcome {
        let q = Question {
            version: v,
            suites,
            groups,
            need,
            shape: Shape::Full,
        };
        self.ask_q(&q, self.limits.retries).await
    }

    /// Asks `q`, sending it again up to `retries` times (one for timeouts) while the answer
    /// is indeterminate and retryable, with exponential backoff and within the target's
    /// retry budget and deadline.
    pub async fn ask_q(&self, q: &Question<'_>, retries: u32) -> Outcome {
        let once = || async {
            match self.ask_once(q).await {
                Outcome::Unknown(e) => Err(e),
                definitive => Ok(definitive),
            }
        };
        self.with_retries(retries, once)
            .await
            .unwrap_or_else(Outcome::Unknown)
    }

    /// Runs `attempt` (one connection's question: `Err` is an indeterminate answer) until it
    /// gives an answer, retrying with backoff within `retries` and the target's retry budget.
    /// How often an error is worth retrying depends on its kind. Every probe, TLS or SSL 2.0,
    /// retries through this one loop.
    pub async fn with_retries<T, F, Fut>(
        &self,
        retries: u32,
        mut attempt: F,
    ) -> Result<T, ProbeError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, ProbeError>>,
    {
        let mut done = 0u32;
        loop {
            if Instant::now() >= self.limits.deadline {
                return Err(deadline_error());
            }
            let e = match attempt().await {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            if done >= self.retries_for(&e, retries) || !self.take_retry() {
                return Err(e);
            }
            done += 1;
            self.pacer.count_retry();
            let backoff = Duration::from_millis(25 << done.min(5))
                + Duration::from_millis(rand::random::<u64>() % 25);
            let wake = (Instant::now() + backoff).min(self.limits.deadline);
            tokio::time::sleep_until(wake).await;
        }
    }

    /// How many retries an indeterminate answer `e` is worth (at most `retries`).
    fn retries_for(&self, e: &ProbeError, retries: u32) -> u32 {
        match e.code {
            ErrorCode::Timeout => retries.min(1),
            ErrorCode::NotTls
            | ErrorCode::ProtocolViolation
            | ErrorCode::SniRequired
            | ErrorCode::StarttlsUnsupported
            | ErrorCode::Deadline => 0,
            ErrorCode::Malformed | ErrorCode::UnexpectedAlert => retries.min(1),
            // Behind a completed upgrade a silent close is the server's way of refusing.
            ErrorCode::Closed if self.link.starttls.is_some() => retries.min(1),
            _ => retries,
        }
    }

    fn take_retry(&self) -> bool {
        take_budget(&self.retries_left, 1)
    }

    /// One connection, one hello, one interpreted answer.
    async fn ask_once(&self, q: &Question<'_>) -> Outcome {
        if Instant::now() >= self.limits.deadline {
            return Outcome::Unknown(deadline_error());
        }
        let bytes = hello::build(
            q.version,
            q.suites.to_vec(),
            self.sni.as_deref(),
            q.groups.clone(),
            self.shape_for(q),
        );
        let slot = self.pacer.acquire().await;
        let now = Instant::now();
        if now >= self.limits.deadline {
            self.pacer.finish(slot, Signal::Answered);
            return Outcome::Unknown(deadline_error());
        }
        let deadline = (now + self.limits.timeout).min(self.limits.deadline);
        let answer = net::exchange(
            self.addr,
            &self.link,
            &bytes,
            deadline,
            self.limits.timeout,
            q.need,
        )
        .await;
        // A close after the server completed an in-band upgrade is its TLS layer ending the
        // handshake without an alert (Dovecot does this): still unknown, but not congestion.
        let closed_after_upgrade =
            self.link.starttls.is_some() && matches!(answer, Ok(net::Answer::Closed));
        let outcome = match answer {
            Err(e) if deadline == self.limits.deadline && e.code == ErrorCode::Timeout => {
                Outcome::Unknown(deadline_error())
            }
            Err(e) => Outcome::Unknown(e),
            Ok(a) => classify(q.version, q.suites, a),
        };
        let signal = if closed_after_upgrade {
            Signal::Answered
        } else {
            pacing_signal(&outcome)
        };
        self.pacer.finish(slot, signal);
        outcome
    }
}

/// What an outcome says about the target's capacity. Alerts, HTTP replies and protocol
/// violations are deterministic, not congestion.
fn pacing_signal(o: &Outcome) -> Signal {
    match o {
        Outcome::Unknown(e) => match e.code {
            ErrorCode::Timeout => Signal::Slow,
            ErrorCode::NotTls
            | ErrorCode::ProtocolViolation
            | ErrorCode::SniRequired
            | ErrorCode::StarttlsUnsupported
            | ErrorCode::Deadline
            | ErrorCode::UnexpectedAlert => Signal::Answered,
            _ => Signal::Dropped,
        },
        _ => Signal::Answered,
    }
}

/// Takes `n` from `budget` if it has that many left.
pub(crate) fn take_budget(budget: &AtomicU32, n: u32) -> bool {
    budget
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(n))
        .is_ok()
}

fn deadline_error() -> ProbeError {
    probe_error(
        ErrorCode::Deadline,
        "the per-target deadline passed before an answer (raise --target-timeout)",
    )
}

/// The group an answer names: TLS 1.3 key_share / HelloRetryRequest, or the
/// ServerKeyExchange's named curve or DH prime size.
fn flight_group(f: &Flight) -> (Option<u16>, Option<String>) {
    if let Some(g) = f.hello.key_share_group {
        return (Some(g), Some(group_name(g)));
    }
    if let Some(ske) = &f.key_exchange {
        if let Some(g) = ske.group {
            return (Some(g), Some(group_name(g)));
        }
        if let Some(bits) = ske.dh_bits {
            return (None, Some(format!("dh{bits}")));
        }
    }
    (None, None)
}

fn violation(msg: String) -> Outcome {
    Outcome::Unknown(probe_error(ErrorCode::ProtocolViolation, msg))
}

/// What a ServerHello's version means for a hello offering only `v`: `Ok(None)` it is `v`,
/// `Ok(Some(name))` a lower version (a refusal of `v`), `Err` a version never offered.
fn hello_version(v: Version, f: &Flight) -> Result<Option<String>, String> {
    let h = &f.hello;
    let offered_max = v.wire();
    let chosen = match (v >= Version::Tls13, h.selected_version) {
        (true, Some(0x0304)) => return Ok(None),
        (true, Some(other)) => {
            return Err(format!(
                "the server selected version 0x{other:04x}, which was not offered"
            ))
        }
        (false, Some(other)) => {
            return Err(format!(
                "the server sent supported_versions (0x{other:04x}) to a hello that offered none"
            ))
        }
        (true, None) => h.legacy_version.min(0x0304),
        (false, None) => h.legacy_version,
    };
    let legacy_max = if v >= Version::Tls13 {
        0x0303
    } else {
        offered_max
    };
    if chosen == offered_max && v < Version::Tls13 {
        return Ok(None);
    }
    match Version::from_wire(chosen) {
        Some(lower) if chosen <= legacy_max => Ok(Some(lower.name().to_string())),
        _ => Err(format!(
            "the server answered with version 0x{chosen:04x} to a hello offering at most {}",
            v.name()
        )),
    }
}

/// Interprets an answer to a hello for `v` offering `offered`.
pub fn classify(v: Version, offered: &[u16], answer: Answer) -> Outcome {
    match answer {
        Answer::Closed => Outcome::Unknown(probe_error(
            ErrorCode::Closed,
            "the server closed the connection without a TLS answer (no alert)",
        )),
        Answer::Alert(a) if REFUSAL_ALERTS.contains(&a.description) => {
            Outcome::Refused(Refusal::Alert(a.description, a.description_name()))
        }
        Answer::Alert(a) if a.description == ALERT_UNRECOGNIZED_NAME => {
            Outcome::Unknown(probe_error(
                ErrorCode::SniRequired,
                "the server answered unrecognized_name: it does not serve this SNI (try --sni NAME)",
            ))
        }
        // close_notify before any ServerHello: the TLS stack read the hello and ended the
        // connection without a reason. s2n-tls (the library behind AWS load balancers) answers
        // every failed handshake this way. Like any unspecific alert it counts as a refusal
        // only once a control hello of the same shape is answered (see `enumerate`).
        Answer::Alert(a) => Outcome::Alerted(a.description, a.description_name()),
        Answer::Hello(f) => match hello_version(v, &f) {
            Err(msg) => violation(msg),
            Ok(Some(lower)) => Outcome::Refused(Refusal::OtherVersion(lower)),
            Ok(None) if !offered.contains(&f.hello.cipher) => violation(format!(
                "the server selected cipher suite 0x{:04x}, which was not offered",
                f.hello.cipher
            )),
            Ok(None) if f.hello.compression != 0 => violation(format!(
                "the server selected compression method {}, which was not offered",
                f.hello.compression
            )),
            Ok(None) => {
                let (group_code, group) = flight_group(&f);
                Outcome::Picked {
                    suite: f.hello.cipher,
                    group_code,
                    group,
                    flight: f,
                }
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tlsfloor_wire::server::{Alert, ServerHello};

    fn hello(legacy: u16, selected: Option<u16>, cipher: u16) -> Answer {
        Answer::Hello(Box::new(Flight {
            hello: ServerHello {
                legacy_version: legacy,
                random: [0; 32],
                session_id: Vec::new(),
                cipher,
                compression: 0,
                extensions: Vec::new(),
                selected_version: selected,
                key_share_group: None,
                hello_retry_request: false,
                downgrade_sentinel: None,
            },
            certificates: None,
            key_exchange: None,
        }))
    }

    fn code(o: &Outcome) -> Option<ErrorCode> {
        match o {
            Outcome::Unknown(e) => Some(e.code),
            _ => None,
        }
    }

    #[test]
    fn only_refusal_alerts_and_lower_versions_are_definitive() {
        let alert = |d| {
            Answer::Alert(Alert {
                level: 2,
                description: d,
            })
        };
        for d in [40, 70, 71, 47] {
            assert!(
                classify(Version::Tls12, &[1], alert(d)).is_definitive(),
                "{d}"
            );
        }
        for d in [80, 50, 10, 49] {
            assert!(
                matches!(classify(Version::Tls12, &[1], alert(d)), Outcome::Alerted(x, _) if x == d),
                "{d}"
            );
        }
        assert!(matches!(
            classify(Version::Tls12, &[1], alert(0)),
            Outcome::Alerted(0, "close_notify")
        ));
        assert_eq!(
            code(&classify(Version::Tls12, &[1], alert(112))),
            Some(ErrorCode::SniRequired)
        );
        assert_eq!(
            code(&classify(Version::Tls12, &[1], Answer::Closed)),
            Some(ErrorCode::Closed)
        );
        assert_eq!(
            classify(Version::Tls12, &[0x2f], hello(0x0301, None, 0x2f)),
            Outcome::Refused(Refusal::OtherVersion("TLSv1.0".into()))
        );
        // TLS 1.3 offered, TLS 1.2 chosen through legacy_version: a refusal of 1.3.
        assert_eq!(
            classify(Version::Tls13, &[0x2f], hello(0x0303, None, 0x2f)),
            Outcome::Refused(Refusal::OtherVersion("TLSv1.2".into()))
        );
    }

    #[test]
    fn answers_outside_the_offer_are_protocol_violations() {
        let pv = Some(ErrorCode::ProtocolViolation);
        // A higher version than offered.
        assert_eq!(
            code(&classify(
                Version::Tls10,
                &[0x2f],
                hello(0x0303, None, 0x2f)
            )),
            pv
        );
        assert_eq!(
            code(&classify(
                Version::Ssl30,
                &[0x2f],
                hello(0x0301, None, 0x2f)
            )),
            pv
        );
        // supported_versions in answer to a hello without it, or an unoffered one.
        assert_eq!(
            code(&classify(
                Version::Tls12,
                &[0x2f],
                hello(0x0303, Some(0x0304), 0x2f)
            )),
            pv
        );
        assert_eq!(
            code(&classify(
                Version::Tls13,
                &[0x1301],
                hello(0x0303, Some(0x0305), 0x1301)
            )),
            pv
        );
        // A suite never offered.
        assert_eq!(
            code(&classify(
                Version::Tls12,
                &[0x2f],
                hello(0x0303, None, 0x35)
            )),
            pv
        );
        assert!(matches!(
            classify(
                Version::Tls13,
                &[0x1301],
                hello(0x0303, Some(0x0304), 0x1301)
            ),
            Outcome::Picked { suite: 0x1301, .. }
        ));
    }
}
