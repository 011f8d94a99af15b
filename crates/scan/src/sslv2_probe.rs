//! The SSL 2.0 probe: one SSL 2.0 CLIENT-HELLO offering every cipher kind, over the target's
//! link, paced and retried like the TLS probes; its answer read by [`tlsfloor_wire::sslv2`].

use crate::error::{probe_error, read_timeout, stream_error};
use crate::net;
use crate::pacing::Signal;
use crate::probe::Ctx;
use crate::report::{ErrorCode, ProbeError, Sslv2Report, Sslv2Spec, VersionStatus};
use tlsfloor_wire::alert::description_name;
use tlsfloor_wire::code_point;
use tlsfloor_wire::sslv2::{self, Answer, AnswerError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

/// Probes SSL 2.0 on `ctx`'s target, paced and retried like every TLS probe.
pub async fn probe(ctx: &Ctx) -> Sslv2Report {
    let once = || async {
        let slot = ctx.acquire().await;
        let answer = ask(ctx).await;
        let signal = match &answer {
            Err(e) if e.code == ErrorCode::Timeout => Signal::Slow,
            Err(_) => Signal::Dropped,
            Ok(_) => Signal::Answered,
        };
        ctx.release(slot, signal);
        answer
    };
    match ctx.with_retries(ctx.retries(), once).await {
        Ok(a) => report(a),
        Err(e) => Sslv2Report {
            status: VersionStatus::Unknown,
            refused_with: None,
            cipher_specs: Vec::new(),
            error: Some(e),
        },
    }
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

/// One connection, one SSL 2.0 hello, the first message back.
async fn ask(ctx: &Ctx) -> Result<Answer, ProbeError> {
    let limit = ctx.timeout;
    let deadline = (Instant::now() + limit).min(ctx.deadline());
    let mut stream = net::open(ctx.addr, &ctx.link, deadline, limit).await?;
    let all: Vec<u32> = sslv2::CIPHER_SPECS.iter().map(|c| c.code).collect();
    let hello = sslv2::client_hello(&all, rand::random());
    match tokio::time::timeout_at(deadline, stream.write_all(&hello)).await {
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
                    "the server closed the connection without answering the SSLv2 hello (servers \
                     that do not read SSL 2.0 framing do this; --no-sslv2 leaves SSL 2.0 out)",
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
