//! Sockets: resolve a target, connect with a timeout, send one ClientHello and read the
//! server's first flight (ServerHello … ServerHelloDone), an alert, or nothing.

use crate::error::{
    connect_error, connect_timeout, probe_error, read_timeout, stream_error, wire_error,
};
use crate::report::{ErrorCode, ProbeError};
use std::net::SocketAddr;
use std::time::Duration;
use tlsfloor_wire::record::parse_record;
use tlsfloor_wire::server::{
    parse_alert, Alert, HandshakeReader, ServerHello, ServerKeyExchange, ServerMessage,
};
use tlsfloor_wire::starttls::{Protocol, Step as UpStep, Upgrade};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout, Instant};

/// More than any sane first flight (a long certificate chain is ~20 KB).
const MAX_FLIGHT_BYTES: usize = 256 * 1024;

/// Resolves `host:port` (with a timeout) to socket addresses, IPv4 first.
pub async fn resolve(host_port: &str, limit: Duration) -> Result<Vec<SocketAddr>, ProbeError> {
    let lookup = tokio::net::lookup_host(host_port.to_string());
    match timeout(limit, lookup).await {
        Err(_) => Err(probe_error(
            ErrorCode::Dns,
            format!("resolving {host_port} timed out"),
        )),
        Ok(Err(e)) => Err(probe_error(
            ErrorCode::Dns,
            format!("cannot resolve {host_port}: {e}"),
        )),
        Ok(Ok(addrs)) => {
            let mut v: Vec<SocketAddr> = addrs.collect();
            v.sort_by_key(|a| a.is_ipv6());
            v.dedup();
            if v.is_empty() {
                Err(probe_error(
                    ErrorCode::Dns,
                    format!("{host_port} resolved to no address"),
                ))
            } else {
                Ok(v)
            }
        }
    }
}

/// How a connection reaches TLS: directly, or after an in-band upgrade (STARTTLS and its
/// relatives, see [`tlsfloor_wire::starttls`]) that every probe and the real handshake run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Link {
    /// The protocol upgraded in band, if any.
    pub starttls: Option<Protocol>,
    /// The server's name, for protocols that send it (XMPP's stream header).
    pub host: String,
}

/// Opens a connection ready for a ClientHello before `deadline` (`limit` is only quoted in
/// errors): TCP, then the link's plaintext upgrade.
pub async fn open(
    addr: SocketAddr,
    link: &Link,
    deadline: Instant,
    limit: Duration,
) -> Result<TcpStream, ProbeError> {
    let mut stream = connect_by(addr, deadline, limit).await?;
    if let Some(proto) = link.starttls {
        upgrade(&mut stream, proto, &link.host, addr, deadline, limit).await?;
    }
    Ok(stream)
}

/// Runs the plaintext upgrade of `proto` on `stream`.
async fn upgrade(
    stream: &mut TcpStream,
    proto: Protocol,
    host: &str,
    addr: SocketAddr,
    deadline: Instant,
    limit: Duration,
) -> Result<(), ProbeError> {
    let mut up = Upgrade::new(proto, host);
    let mut step = up.start();
    let mut buf = [0u8; 4096];
    loop {
        step = match step {
            UpStep::Send(bytes) => {
                match tokio::time::timeout_at(deadline, stream.write_all(&bytes)).await {
                    Err(_) => return Err(read_timeout(addr, limit)),
                    Ok(Err(e)) => return Err(stream_error(addr, &e)),
                    Ok(Ok(())) => up.sent(),
                }
            }
            UpStep::Read => match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
                Err(_) => {
                    return Err(probe_error(
                        ErrorCode::Timeout,
                        format!(
                            "{addr}: no complete {proto} answer within {} before the upgrade to TLS",
                            crate::error::fmt_duration(limit)
                        ),
                    ))
                }
                Ok(Err(e)) => return Err(stream_error(addr, &e)),
                Ok(Ok(0)) => {
                    return Err(probe_error(
                        ErrorCode::Closed,
                        format!("{addr}: the server closed the connection during the {proto} upgrade to TLS"),
                    ))
                }
                Ok(Ok(n)) => up.feed(&buf[..n]),
            },
            UpStep::Ready => return Ok(()),
            UpStep::Unsupported(why) => {
                return Err(probe_error(
                    ErrorCode::StarttlsUnsupported,
                    format!("{addr}: no {proto} upgrade to TLS: {why}"),
                ))
            }
        };
    }
}

/// Opens a TCP connection before `deadline` (`limit` is only quoted in the error).
pub async fn connect_by(
    addr: SocketAddr,
    deadline: Instant,
    limit: Duration,
) -> Result<TcpStream, ProbeError> {
    match tokio::time::timeout_at(deadline, TcpStream::connect(addr)).await {
        Err(_) => Err(connect_timeout(addr, limit)),
        Ok(Err(e)) => Err(connect_error(addr, &e)),
        Ok(Ok(s)) => {
            let _ = s.set_nodelay(true);
            // Close with RST: probes never finish the handshake, and this keeps thousands of
            // probe sockets from piling up in TIME_WAIT.
            let _ = s.set_zero_linger();
            Ok(s)
        }
    }
}

/// The part of a server's first flight a probe cares about.
#[derive(Debug, Clone, PartialEq)]
pub struct Flight {
    /// The ServerHello (or HelloRetryRequest).
    pub hello: ServerHello,
    /// The Certificate message's chain (TLS ≤ 1.2), leaf first, if one was read.
    pub certificates: Option<Vec<Vec<u8>>>,
    /// The ServerKeyExchange (TLS ≤ 1.2, (EC)DHE suites), if one was read.
    pub key_exchange: Option<ServerKeyExchange>,
}

/// What a server answered to one ClientHello.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A ServerHello (possibly a HelloRetryRequest), with what followed it.
    Hello(Box<Flight>),
    /// A TLS alert before any ServerHello (a refusal).
    Alert(Alert),
    /// The server closed or reset the connection without sending a byte (a silent refusal).
    Closed,
}

/// How much of the flight to wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Stop at the ServerHello.
    Hello,
    /// Read through ServerHelloDone (certificate and key exchange) for TLS ≤ 1.2.
    Flight,
}

enum Step {
    Done(Answer),
    More,
}

struct FlightReader {
    reader: HandshakeReader,
    flight: Option<Flight>,
    kx: Option<&'static str>,
    need: Need,
    warnings: Vec<Alert>,
}

impl FlightReader {
    fn new(need: Need) -> Self {
        FlightReader {
            reader: HandshakeReader::default(),
            flight: None,
            kx: None,
            need,
            warnings: Vec::new(),
        }
    }

    /// True when everything read so far (`used` of `total` bytes) were warning alerts.
    fn only_warnings(&self, used: usize, total: usize) -> bool {
        self.flight.is_none() && !self.warnings.is_empty() && used == total
    }

    fn finish(&mut self) -> Option<Answer> {
        self.flight.take().map(|f| Answer::Hello(Box::new(f)))
    }

    /// Feeds one record; returns `Done` once the answer is complete.
    fn record(
        &mut self,
        content_type: u8,
        fragment: &[u8],
    ) -> Result<Step, tlsfloor_wire::error::WireError> {
        match content_type {
            21 => {
                if let Some(a) = self.finish() {
                    return Ok(Step::Done(a));
                }
                let alert = parse_alert(fragment)?;
                // A warning (e.g. unrecognized_name from a server that then goes on with its
                // default certificate) is not an answer; close_notify ends the conversation.
                if alert.level == 1 && alert.description != 0 {
                    self.warnings.push(alert);
                    return Ok(Step::More);
                }
                Ok(Step::Done(Answer::Alert(alert)))
            }
            22 => {
                self.reader.push(fragment)?;
                while let Some(msg) = self.reader.next_message(self.kx)? {
                    match msg {
                        ServerMessage::Hello(h) => {
                            self.kx = tlsfloor_wire::suites::by_code(h.cipher)
                                .map(|s| s.key_exchange_layout());
                            let tls13 = h.hello_retry_request
                                || h.selected_version.is_some_and(|v| v >= 0x0304);
                            self.flight = Some(Flight {
                                hello: h,
                                certificates: None,
                                key_exchange: None,
                            });
                            if self.need == Need::Hello || tls13 {
                                return Ok(Step::Done(self.finish().unwrap_or(Answer::Closed)));
                            }
                        }
                        ServerMessage::Certificate(chain) => {
                            if let Some(f) = self.flight.as_mut() {
                                f.certificates = Some(chain);
                            }
                        }
                        ServerMessage::KeyExchange(ske) => {
                            if let Some(f) = self.flight.as_mut() {
                                f.key_exchange = Some(ske);
                            }
                        }
                        ServerMessage::HelloDone => {
                            if let Some(a) = self.finish() {
                                return Ok(Step::Done(a));
                            }
                        }
                        ServerMessage::Other(_) => {}
                    }
                }
                Ok(Step::More)
            }
            _ => {
                // ChangeCipherSpec / application data: the plaintext part is over.
                if let Some(a) = self.finish() {
                    return Ok(Step::Done(a));
                }
                Err(tlsfloor_wire::error::WireError::malformed(
                    "server flight",
                    format!("record of content type {content_type} before any ServerHello"),
                ))
            }
        }
    }
}

/// Connects to `addr`, sends `hello` and reads the answer, all of it before `deadline`
/// (`limit` is the per-probe timeout, quoted in errors): a server that drips its answer
/// byte by byte cannot hold the probe longer.
pub async fn exchange(
    addr: SocketAddr,
    link: &Link,
    hello: &[u8],
    deadline: Instant,
    limit: Duration,
    need: Need,
) -> Result<Answer, ProbeError> {
    let mut stream = open(addr, link, deadline, limit).await?;
    match tokio::time::timeout_at(deadline, stream.write_all(hello)).await {
        Err(_) => return Err(read_timeout(addr, limit)),
        Ok(Err(e)) => {
            return match e.kind() {
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe => {
                    Ok(Answer::Closed)
                }
                _ => Err(stream_error(addr, &e)),
            }
        }
        Ok(Ok(())) => {}
    }

    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    let mut start = 0usize;
    let mut chunk = vec![0u8; 16 * 1024];
    let mut fr = FlightReader::new(need);
    loop {
        let n = match tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
            Err(_) => {
                return match fr.finish() {
                    Some(a) => Ok(a),
                    None if buf.is_empty() => Err(read_timeout(addr, limit)),
                    None => Err(probe_error(
                        ErrorCode::Timeout,
                        format!(
                            "{addr}: the server sent {} byte(s) but no complete answer within {}",
                            buf.len(),
                            crate::error::fmt_duration(limit)
                        ),
                    )),
                };
            }
            Ok(Err(e)) => {
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
                ) {
                    0
                } else {
                    return Err(stream_error(addr, &e));
                }
            }
            Ok(Ok(n)) => n,
        };
        if n == 0 {
            return match fr.finish() {
                Some(a) => Ok(a),
                None if buf.is_empty() || fr.only_warnings(start, buf.len()) => Ok(Answer::Closed),
                None => Err(probe_error(
                    ErrorCode::Malformed,
                    format!(
                        "{addr}: the server closed the connection after {} byte(s), in the middle of a TLS record or message",
                        buf.len()
                    ),
                )),
            };
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > MAX_FLIGHT_BYTES {
            return Err(probe_error(
                ErrorCode::Malformed,
                format!("{addr}: more than {MAX_FLIGHT_BYTES} bytes without a complete ServerHello flight"),
            ));
        }
        loop {
            match parse_record(&buf[start..]) {
                Err(e) => {
                    if let Some(a) = fr.finish() {
                        return Ok(a);
                    }
                    return Err(wire_error(addr, &e));
                }
                Ok(None) => break,
                Ok(Some((rec, used))) => {
                    let step = fr.record(rec.content_type, rec.fragment);
                    start += used;
                    match step {
                        Ok(Step::Done(a)) => return Ok(a),
                        Ok(Step::More) => {}
                        Err(e) => {
                            if let Some(a) = fr.finish() {
                                return Ok(a);
                            }
                            return Err(wire_error(addr, &e));
                        }
                    }
                }
            }
        }
    }
}
