//! An async accept loop on tokio and a small ready-made TLS server.
//!
//! Each accepted connection is handed, as a blocking `std::net::TcpStream`, to a handler run
//! on tokio's blocking pool: OpenSSL's blocking API with socket timeouts is simple and bounded,
//! and many clients can be served at once.

use crate::{build_acceptor, LocalTlsError, Pki, ServerConfig};
use openssl::ssl::SslAcceptor;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A per-connection handler: gets the (blocking) stream and the peer address.
pub type Handler = Arc<dyn Fn(TcpStream, SocketAddr) + Send + Sync + 'static>;

/// The next connection on `listener`; on an accept error (e.g. EMFILE) it backs off briefly
/// and tries again instead of spinning or giving up.
pub async fn accept_next(listener: &TcpListener) -> (tokio::net::TcpStream, SocketAddr) {
    loop {
        match listener.accept().await {
            Ok(x) => return x,
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Accepts connections on `listener` forever, running `handler` for each on the blocking pool.
/// Must be called inside a tokio runtime; abort the returned task to stop accepting.
pub fn accept_loop(listener: TcpListener, handler: Handler) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let (stream, peer) = accept_next(&listener).await;
            let Ok(std_stream) = stream.into_std() else {
                continue;
            };
            if std_stream.set_nonblocking(false).is_err() {
                continue;
            }
            let h = handler.clone();
            tokio::task::spawn_blocking(move || h(std_stream, peer));
        }
    })
}

/// Binds `addr` (use 127.0.0.1 unless you mean otherwise).
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, LocalTlsError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| LocalTlsError::Io {
            context: format!("cannot listen on {addr}"),
            source,
        })
}

/// A TLS server on 127.0.0.1 with a fixed configuration, for demos and tests: completes the
/// handshake, then (when `http`) answers one HTTP request with a short text page naming the
/// negotiated version and cipher. Stops when dropped.
#[derive(Debug)]
pub struct LocalServer {
    /// Where it listens.
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl LocalServer {
    /// Starts a server for `cfg` on 127.0.0.1 (an ephemeral port). Call inside a tokio runtime.
    pub async fn start(
        pki: &Pki,
        cfg: &ServerConfig,
        http: bool,
    ) -> Result<LocalServer, LocalTlsError> {
        let acceptor = Arc::new(build_acceptor(pki, cfg)?);
        let listener = bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let addr = listener.local_addr().map_err(|source| LocalTlsError::Io {
            context: "local address".into(),
            source,
        })?;
        let handler: Handler = Arc::new(move |s, _| serve_one(&acceptor, s, http));
        Ok(LocalServer {
            addr,
            task: accept_loop(listener, handler),
        })
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn serve_one(acceptor: &SslAcceptor, stream: TcpStream, http: bool) {
    let t = Some(Duration::from_secs(10));
    if stream.set_read_timeout(t).is_err() || stream.set_write_timeout(t).is_err() {
        return;
    }
    let Ok(mut tls) = acceptor.accept(stream) else {
        return;
    };
    if http {
        let mut buf = [0u8; 4096];
        let mut seen = Vec::new();
        while !seen.windows(4).any(|w| w == b"\r\n\r\n") && seen.len() < 16384 {
            match tls.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
        let body = format!(
            "Protocol: {}\nCipher: {}\n",
            tls.ssl().version_str(),
            tls.ssl().current_cipher().map(|c| c.name()).unwrap_or("?")
        );
        let resp = format!(
            "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = tls.write_all(resp.as_bytes());
    }
    let _ = tls.shutdown();
}
