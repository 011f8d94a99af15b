//! Turning I/O and codec failures into the report's [`ProbeError`] with clear messages.

use crate::report::{ErrorCode, ProbeError};
use std::io;
use std::net::SocketAddr;
use std::time::Duration;
use tlsfloor_wire::error::WireError;

/// Builds a [`ProbeError`].
pub fn probe_error(code: ErrorCode, message: impl Into<String>) -> ProbeError {
    ProbeError {
        code,
        message: message.into(),
    }
}

/// Classifies a failed TCP connect to `addr`.
pub fn connect_error(addr: SocketAddr, e: &io::Error) -> ProbeError {
    use io::ErrorKind as K;
    let (code, what) = match e.kind() {
        K::ConnectionRefused => (
            ErrorCode::Refused,
            "connection refused (nothing listens there)",
        ),
        K::TimedOut => (ErrorCode::Timeout, "connect timed out"),
        K::HostUnreachable | K::NetworkUnreachable | K::AddrNotAvailable => {
            (ErrorCode::Unreachable, "host or network unreachable")
        }
        K::ConnectionReset | K::ConnectionAborted => {
            (ErrorCode::Reset, "connection reset during connect")
        }
        _ => match e.raw_os_error() {
            // EHOSTUNREACH, ENETUNREACH on Linux
            Some(113) | Some(101) => (ErrorCode::Unreachable, "host or network unreachable"),
            _ => (ErrorCode::Io, "connect failed"),
        },
    };
    probe_error(code, format!("{addr}: {what} ({e})"))
}

/// A connect that did not finish within `timeout`.
pub fn connect_timeout(addr: SocketAddr, timeout: Duration) -> ProbeError {
    probe_error(
        ErrorCode::Timeout,
        format!(
            "{addr}: TCP connect timed out after {} (host down or filtered?)",
            fmt_duration(timeout)
        ),
    )
}

/// No TLS answer within `timeout` after the ClientHello was sent.
pub fn read_timeout(addr: SocketAddr, timeout: Duration) -> ProbeError {
    probe_error(
        ErrorCode::Timeout,
        format!(
            "{addr}: no answer to the ClientHello within {} (the port accepts TCP but does not speak TLS, or the server is stuck)",
            fmt_duration(timeout)
        ),
    )
}

/// An I/O error while sending the hello or reading the answer.
pub fn stream_error(addr: SocketAddr, e: &io::Error) -> ProbeError {
    use io::ErrorKind as K;
    match e.kind() {
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => probe_error(
            ErrorCode::Reset,
            format!("{addr}: connection reset by the server during the handshake ({e})"),
        ),
        K::TimedOut => probe_error(ErrorCode::Timeout, format!("{addr}: {e}")),
        _ => probe_error(ErrorCode::Io, format!("{addr}: I/O error: {e}")),
    }
}

/// A codec error on what the server sent.
pub fn wire_error(addr: SocketAddr, e: &WireError) -> ProbeError {
    match e {
        WireError::NotTls { .. } | WireError::Sslv2 => {
            probe_error(ErrorCode::NotTls, format!("{addr}: {e}"))
        }
        _ => probe_error(
            ErrorCode::Malformed,
            format!("{addr}: the server sent invalid TLS: {e}"),
        ),
    }
}

/// `1.5s`, `200ms`.
pub fn fmt_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms % 1000 == 0 {
        format!("{}s", ms / 1000)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_connect_errors() {
        let addr: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert_eq!(connect_error(addr, &refused).code, ErrorCode::Refused);
        let unreach = io::Error::from_raw_os_error(113);
        assert_eq!(connect_error(addr, &unreach).code, ErrorCode::Unreachable);
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        assert_eq!(stream_error(addr, &reset).code, ErrorCode::Reset);
        let not_tls = WireError::NotTls {
            reason: "HTTP".into(),
        };
        assert_eq!(wire_error(addr, &not_tls).code, ErrorCode::NotTls);
        let bad = WireError::malformed("alert", "short");
        assert_eq!(wire_error(addr, &bad).code, ErrorCode::Malformed);
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(fmt_duration(Duration::from_millis(200)), "200ms");
        assert_eq!(fmt_duration(Duration::from_secs(5)), "5s");
        assert_eq!(fmt_duration(Duration::from_millis(1500)), "1.5s");
    }
}
