//! The SSL 2.0 probe: one SSL 2.0 CLIENT-HELLO offering every cipher kind, over the target's
//! link, paced and retried like the TLS probes; its answer read by [`tlsfloor_wire::sslv2`].
//!
//! A silent close (or reset) of that hello proves nothing by itself. [`settle`] asks a control
//! in the same framing: an SSLv2-format hello for a TLS version and suites the server accepted
//! in TLS framing. Answered, the server reads SSL 2.0 framing and its close refused SSL 2.0;
//! closed in the same way, the server does not read SSL 2.0 framing at all, which SSL 2.0
//! needs. Anything else leaves SSL 2.0 unknown.

use crate::error::{probe_error, read_timeout, stream_error};
use crate::net;
use crate::pacing::Signal;
use crate::probe::Ctx;
use crate::report::{ErrorCode, ProbeError, Sslv2Report, Sslv2Spec, VersionStatus};
use tlsfloor_wire::alert::description_name;
use tlsfloor_wire::code_point;
use tlsfloor_wire::sslv2::{self, Answer, AnswerError};
use tlsfloor_wire::Version;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

/// Probes SSL 2.0 on `ctx`'s target, paced and retried like every TLS probe.
pub async fn probe(ctx: &Ctx) -> Sslv2Report {
    let all: Vec<u32> = sslv2::CIPHER_SPECS.iter().map(|c| c.code).collect();
    match ask_retried(ctx, || sslv2::client_hello(&all, rand::random())).await {
        Ok(a) => report(a),
        Err(e) => Sslv2Report {
            status: VersionStatus::Unknown,
            refused_with: None,
            cipher_specs: Vec::new(),
            error: Some(e),
        },
    }
}

/// Settles an SSL 2.0 hello that was closed without an answer, with the control hello for
/// `control` (a TLS version up to 1.2 and suites the server accepted at it; see the module
/// comment). Any other report is returned as it is.
pub async fn settle(
    ctx: &Ctx,
    r: Sslv2Report,
    control: Option<(Version, Vec<u16>)>,
) -> Sslv2Report {
    let silent = |e: &ProbeError| matches!(e.code, ErrorCode::Closed | ErrorCode::Reset);
    let (Some(e), Some((v, suites))) = (&r.error, control) else {
        return r;
    };
    if r.status != VersionStatus::Unknown || !silent(e) || v > Version::Tls12 {
        return r;
    }
    let hello = || sslv2::compatible_client_hello(v.wire(), &suites, rand::random());
    let why = match ask_retried(ctx, hello).await {
        Ok(Answer::TlsHandshake | Answer::TlsAlert(_) | Answer::Sslv2Error(_)) => {
            "silent_close_control_answered"
        }
        Err(c) if silent(&c) => "silent_close_framing_refused",
        _ => return r,
    };
    Sslv2Report {
        status: VersionStatus::NotAccepted,
        refused_with: Some(why.into()),
        cipher_specs: Vec::new(),
        error: None,
    }
}

/// Sends the hello `make` builds, paced and retried until the answer is definitive.
async fn ask_retried(ctx: &Ctx, make: impl Fn() -> Vec<u8>) -> Result<Answer, ProbeError> {
    let once = || async {
        let slot = ctx.acquire().await;
        let answer = ask(ctx, &make()).await;
        let signal = match &answer {
            Err(e) if e.code == ErrorCode::Timeout => Signal::Slow,
            Err(_) => Signal::Dropped,
            Ok(_) => Signal::Answered,
        };
        ctx.release(slot, signal);
        answer
    };
    ctx.with_retries(ctx.retries(), once).await
}

fn report(a: Answer) -> Sslv2Report {
    let refused = |why: String| Sslv2Report {
        status: VersionStatus::NotAccepted,
        refused_with: Some(why),
        cipher_specs: Vec::new(),
        error: None,
    };
    match a {
        Answer::Accepted { specs, .. } => Sslv2Report {
            status: VersionStatus::Accepted,
            refused_with: None,
            cipher_specs: specs
                .into_iter()
                .map(|c| Sslv2Spec {
                    code: c,
                    hex: code_point::hex(c, 6),
                    name: sslv2::cipher_spec_name(c)
                        .map_or_else(|| code_point::hex(c, 6), str::to_string),
                })
                .collect(),
            error: None,
        },
        Answer::Sslv2Error(code) => refused(format!("sslv2_error_{code:#06x}")),
        Answer::TlsAlert(d) => refused(description_name(d).to_string()),
        Answer::TlsHandshake => refused("tls_handshake".into()),
    }
}

/// One connection, one hello in SSL 2.0 framing, the first message back.
async fn ask(ctx: &Ctx, hello: &[u8]) -> Result<Answer, ProbeError> {
    let limit = ctx.timeout;
    let deadline = (Instant::now() + limit).min(ctx.deadline());
    let mut stream = net::open(ctx.addr, &ctx.link, deadline, limit).await?;
    match tokio::time::timeout_at(deadline, stream.write_all(hello)).await {
        Err(_) => return Err(read_timeout(ctx.addr, limit)),
        Ok(Err(e)) => return Err(stream_error(ctx.addr, &e)),
        Ok(Ok(())) => {}
    }
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
            Err(_) => return Err(read_timeout(ctx.addr, limit)),
            Ok(Err(e)) => return Err(stream_error(ctx.addr, &e)),
            Ok(Ok(0)) => {
                return Err(probe_error(
                    ErrorCode::Closed,
                    "the server closed the connection without answering the SSLv2 hello",
                ))
            }
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
        }
        match sslv2::parse_answer(&buf) {
            Ok(a) => return Ok(a),
            Err(AnswerError::Incomplete) if buf.len() < 64 * 1024 => continue,
            Err(AnswerError::Incomplete) => {
                return Err(probe_error(
                    ErrorCode::Malformed,
                    "an SSLv2 answer longer than 64 KiB",
                ))
            }
            Err(AnswerError::Garbage(why)) => {
                return Err(probe_error(
                    ErrorCode::Malformed,
                    format!("the answer to the SSLv2 hello is neither SSLv2 nor TLS: {why}"),
                ))
            }
        }
    }
}
