//! Handling one trap connection: read the ClientHello, complete (or fail) a real OpenSSL
//! handshake restricted to the trap's versions, optionally serve HTTP, and describe the result.

use crate::alert::{find_plaintext_alert, missing_alert_bytes};
use crate::hello::HelloError;
use crate::record::{ConnectionRecord, Offer, Outcome, SCHEMA};
use crate::replay::Replay;
use crate::TrapConfig;
use openssl::ssl::{ErrorCode, HandshakeError, SslAcceptor, SslRef, SslStream, SslVersion};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tlsfloor_localtls::DeadlineStream;
use tlsfloor_wire::alert::known_description_name;
use tlsfloor_wire::fingerprint::{parse_client_hello, AssembledHello};
use tlsfloor_wire::Version;

/// OpenSSL's library code for libssl (`ERR_LIB_SSL`).
const ERR_LIB_SSL: i32 = 20;
/// OpenSSL reports a received alert as reason `1000 + description` (`SSL_AD_REASON_OFFSET`).
const SSL_AD_REASON_OFFSET: i32 = 1000;

/// What a connection handler needs.
pub struct ConnContext {
    /// The trap's configuration.
    pub config: TrapConfig,
    /// The restricted acceptor.
    pub acceptor: SslAcceptor,
    /// The trap's listening address (for the record).
    pub listen: SocketAddr,
}

/// When and from where a connection was accepted.
#[derive(Debug, Clone, Copy)]
pub struct Accepted {
    /// The client's address.
    pub peer: SocketAddr,
    /// Wall-clock accept time.
    pub at: SystemTime,
    /// Monotonic accept time (durations and the deadline count from it).
    pub instant: Instant,
}

impl Accepted {
    /// Now, for `peer`.
    pub fn now(peer: SocketAddr) -> Accepted {
        Accepted {
            peer,
            at: SystemTime::now(),
            instant: Instant::now(),
        }
    }

    /// The connection's total deadline: the hello wait plus two I/O timeouts (handshake and
    /// HTTP request), from accept, so a client dripping bytes cannot hold a worker longer.
    pub fn deadline(&self, ctx: &ConnContext) -> Instant {
        self.instant + ctx.config.hello_timeout + ctx.config.io_timeout * 2
    }
}

/// The record of a connection accepted at `acc` that ended with `outcome`.
pub fn record(
    ctx: &ConnContext,
    acc: &Accepted,
    outcome: Outcome,
    offer: Option<Offer>,
    http_request: Option<String>,
) -> ConnectionRecord {
    ConnectionRecord {
        schema: SCHEMA.to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        unix_time: acc
            .at
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0),
        peer: acc.peer.to_string(),
        listen: ctx.listen.to_string(),
        trap_versions: ctx.config.versions(),
        outcome,
        http_request,
        duration_ms: u64::try_from(acc.instant.elapsed().as_millis()).unwrap_or(u64::MAX),
        offer,
    }
}

/// The outcome of a ClientHello that could not be read.
pub fn hello_failure(e: HelloError) -> Outcome {
    match e {
        HelloError::Closed { .. } => Outcome::ClosedWithoutAlert {
            stage: "client_hello".into(),
        },
        HelloError::Timeout { .. } => Outcome::Timeout {
            stage: "client_hello".into(),
        },
        HelloError::Parse(e) => Outcome::NotTls {
            detail: e.to_string(),
        },
        HelloError::Io(e) => Outcome::Error {
            detail: e.to_string(),
        },
    }
}

/// Handles a connection whose ClientHello (`bytes`, `hello`) was read already: the real
/// handshake and the HTTP answer, on a blocking socket bounded by the connection deadline.
pub fn after_hello(
    ctx: &ConnContext,
    stream: TcpStream,
    acc: &Accepted,
    bytes: Vec<u8>,
    hello: &AssembledHello,
) -> ConnectionRecord {
    let offer = match parse_client_hello(&hello.message, hello.record_version) {
        Ok(info) => Offer::from_hello(&info),
        Err(e) => {
            let outcome = Outcome::NotTls {
                detail: e.to_string(),
            };
            return record(ctx, acc, outcome, None, None);
        }
    };
    let mut http = None;
    let outcome = handshake(ctx, stream, acc, bytes, &offer, &mut http);
    record(ctx, acc, outcome, Some(offer), http)
}

fn handshake(
    ctx: &ConnContext,
    stream: TcpStream,
    acc: &Accepted,
    bytes: Vec<u8>,
    offer: &Offer,
    http_out: &mut Option<String>,
) -> Outcome {
    let _ = stream.set_nodelay(true);
    let sock = DeadlineStream::new(stream, acc.deadline(ctx));
    match ctx.acceptor.accept(Replay::new(bytes, sock)) {
        Ok(mut tls) => {
            tls.get_mut().stop_capture();
            let outcome = completed(tls.ssl());
            if ctx.config.http {
                *http_out = serve_http(&mut tls, ctx, Some(offer), &outcome);
            }
            let _ = tls.shutdown();
            outcome
        }
        Err(HandshakeError::SetupFailure(e)) => Outcome::Error {
            detail: format!("OpenSSL setup: {e}"),
        },
        Err(HandshakeError::WouldBlock(_)) => Outcome::Timeout {
            stage: "handshake".into(),
        },
        Err(HandshakeError::Failure(mid)) => {
            let mut captured = mid.get_ref().captured().to_vec();
            top_up_alert(&mut captured, mid.get_ref().inner().get_ref());
            classify_failure(mid.error(), &captured)
        }
    }
}

/// OpenSSL may reject an alert record by its header alone (wrong record version) without
/// reading the alert; read the missing bytes (briefly) so the alert can still be reported.
fn top_up_alert(captured: &mut Vec<u8>, sock: &TcpStream) {
    let missing = missing_alert_bytes(captured);
    if missing == 0 || sock.set_read_timeout(Some(Duration::from_secs(1))).is_err() {
        return;
    }
    let mut buf = vec![0u8; missing];
    let mut reader = sock;
    if reader.read_exact(&mut buf).is_ok() {
        captured.extend_from_slice(&buf);
    }
}

fn completed(ssl: &SslRef) -> Outcome {
    let v = ssl.version2();
    let version = [
        (SslVersion::SSL3, Version::Ssl30),
        (SslVersion::TLS1, Version::Tls10),
        (SslVersion::TLS1_1, Version::Tls11),
        (SslVersion::TLS1_2, Version::Tls12),
        (SslVersion::TLS1_3, Version::Tls13),
    ]
    .into_iter()
    .find(|(s, _)| Some(*s) == v)
    .map(|(_, v)| v);
    let Some(version) = version else {
        return Outcome::Error {
            detail: format!(
                "handshake completed at unknown version {}",
                ssl.version_str()
            ),
        };
    };
    let cipher = ssl.current_cipher();
    Outcome::HandshakeCompleted {
        version,
        cipher: cipher.map(|c| c.name().to_string()).unwrap_or_default(),
        cipher_iana: cipher.and_then(|c| c.standard_name()).map(str::to_string),
        alpn: ssl
            .selected_alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned()),
    }
}

/// Decides why a handshake failed: the client's alert (raw bytes first, then OpenSSL's error
/// queue), a timeout, the client hanging up, or the trap's own refusal.
pub fn classify_failure(err: &openssl::ssl::Error, captured: &[u8]) -> Outcome {
    if let Some((_level, desc)) = find_plaintext_alert(captured) {
        return client_alert(desc, "record");
    }
    if let Some(stack) = err.ssl_error() {
        for e in stack.errors() {
            let r = e.reason_code();
            if e.library_code() == ERR_LIB_SSL
                && (SSL_AD_REASON_OFFSET..SSL_AD_REASON_OFFSET + 256).contains(&r)
            {
                if let Ok(desc) = u8::try_from(r - SSL_AD_REASON_OFFSET) {
                    return client_alert(desc, "openssl");
                }
            }
        }
    }
    if let Some(io) = err.io_error() {
        return match io.kind() {
            ErrorKind::WouldBlock | ErrorKind::TimedOut => Outcome::Timeout {
                stage: "handshake".into(),
            },
            ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::BrokenPipe
            | ErrorKind::UnexpectedEof => Outcome::ClosedWithoutAlert {
                stage: "handshake".into(),
            },
            _ => Outcome::Error {
                detail: io.to_string(),
            },
        };
    }
    if let Some(stack) = err.ssl_error() {
        let reasons: Vec<String> = stack
            .errors()
            .iter()
            .filter_map(|e| e.reason().map(str::to_string))
            .collect();
        if reasons.iter().any(|r| r.contains("unexpected eof")) {
            return Outcome::ClosedWithoutAlert {
                stage: "handshake".into(),
            };
        }
        if !reasons.is_empty() {
            return Outcome::ServerRefused {
                reason: reasons.join("; "),
            };
        }
    }
    if err.code() == ErrorCode::SYSCALL || err.code() == ErrorCode::ZERO_RETURN {
        return Outcome::ClosedWithoutAlert {
            stage: "handshake".into(),
        };
    }
    Outcome::Error {
        detail: err.to_string(),
    }
}

fn client_alert(desc: u8, source: &str) -> Outcome {
    Outcome::ClientAlert {
        alert: desc,
        alert_name: known_description_name(desc).map(str::to_string),
        source: source.into(),
    }
}

/// Reads one HTTP request head and answers it with a JSON page of the connection details;
/// returns the request line.
fn serve_http<S: Read + Write>(
    tls: &mut SslStream<S>,
    ctx: &ConnContext,
    offer: Option<&Offer>,
    outcome: &Outcome,
) -> Option<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > 32 * 1024 {
            break;
        }
        match tls.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&head);
    let line = text.lines().next().unwrap_or_default().to_string();
    let page = serde_json::json!({
        "schema": "tlsfloor.trap.page/v1",
        "tool_version": env!("CARGO_PKG_VERSION"),
        "trap_versions": ctx.config.versions(),
        "request": line,
        "negotiated": outcome,
        "offer": offer,
    });
    let body = serde_json::to_string_pretty(&page).unwrap_or_else(|_| "{}".into()) + "\n";
    let resp = format!(
        "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tls.write_all(resp.as_bytes());
    let _ = tls.flush();
    Some(line)
}
