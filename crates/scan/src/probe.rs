//! One probe = one connection = one ClientHello, and what its answer means for the version
//! and suites offered: a pick, a refusal, or a failure.

use crate::hello;
use crate::net::{self, Answer, Flight, Need};
use crate::report::ProbeError;
use std::net::SocketAddr;
use std::time::Duration;
use tlsfloor_wire::groups::group_name;
use tlsfloor_wire::Version;
use tokio::sync::Semaphore;

/// protocol_version alert: the server does not speak the offered version.
pub const ALERT_PROTOCOL_VERSION: u8 = 70;
/// inappropriate_fallback alert (RFC 7507).
pub const ALERT_INAPPROPRIATE_FALLBACK: u8 = 86;

/// Shared per-target probing context: where to connect, what SNI to send, and a limit on
/// simultaneous connections.
#[derive(Debug)]
pub struct Ctx {
    /// The socket address probed.
    pub addr: SocketAddr,
    /// SNI to send, if any.
    pub sni: Option<String>,
    /// Bound on the connect and on waiting for the answer.
    pub timeout: Duration,
    permits: Semaphore,
}

/// Why a hello was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A TLS alert (description code and name).
    Alert(u8, &'static str),
    /// A ServerHello for another protocol version.
    OtherVersion(String),
    /// The server closed or reset the connection without a word.
    Closed,
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
    /// The hello was refused.
    Refused(Refusal),
    /// The probe failed (timeout, not TLS, malformed …).
    Failed(ProbeError),
}

impl Ctx {
    /// A context allowing `connections` simultaneous probes.
    pub fn new(
        addr: SocketAddr,
        sni: Option<String>,
        timeout: Duration,
        connections: usize,
    ) -> Ctx {
        Ctx {
            addr,
            sni,
            timeout,
            permits: Semaphore::new(connections.max(1)),
        }
    }

    /// Sends one hello for `v` with `suites` (and `groups`, or the default list) and
    /// interprets the answer.
    pub async fn ask(
        &self,
        v: Version,
        suites: &[u16],
        groups: Option<Vec<u16>>,
        need: Need,
    ) -> Outcome {
        let bytes = hello::build(v, suites.to_vec(), self.sni.as_deref(), groups);
        let answer = {
            // The semaphore is never closed, so acquiring cannot fail; if it ever did, the
            // probe would just run without a permit.
            let _permit = self.permits.acquire().await.ok();
            net::exchange(self.addr, &bytes, self.timeout, need).await
        };
        match answer {
            Err(e) => Outcome::Failed(e),
            Ok(a) => classify(v, suites, a),
        }
    }
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

/// Interprets an answer to a hello for `v` offering `offered`.
pub fn classify(v: Version, offered: &[u16], answer: Answer) -> Outcome {
    match answer {
        Answer::Closed => Outcome::Refused(Refusal::Closed),
        Answer::Alert(a) => Outcome::Refused(Refusal::Alert(a.description, a.description_name())),
        Answer::Hello(f) => {
            let got = f.hello.version();
            if got != Some(v) {
                let name = match got {
                    Some(g) => g.name().to_string(),
                    None => format!(
                        "0x{:04x}",
                        f.hello.selected_version.unwrap_or(f.hello.legacy_version)
                    ),
                };
                return Outcome::Refused(Refusal::OtherVersion(name));
            }
            if !offered.contains(&f.hello.cipher) {
                return Outcome::Failed(crate::error::probe_error(
                    crate::report::ErrorCode::Malformed,
                    format!(
                        "the server selected cipher suite 0x{:04x}, which was not offered",
                        f.hello.cipher
                    ),
                ));
            }
            let (group_code, group) = flight_group(&f);
            Outcome::Picked {
                suite: f.hello.cipher,
                group_code,
                group,
                flight: f,
            }
        }
    }
}
