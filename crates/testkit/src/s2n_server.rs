//! A loopback TLS server on s2n-tls, the library behind AWS Application and Network Load
//! Balancers, configured by security policy name (`ELBSecurityPolicy-2016-08`,
//! `CloudFront-TLS-1-2-2021`, …) exactly as s2n-tls registers it. It serves the shared
//! test PKI's RSA and ECDSA leaves (s2n picks the one the negotiated suite needs), answers
//! one line of HTTP after the handshake and closes. Runs on its own thread until dropped.
//!
//! s2n-tls blinds failures by default (it waits 10–30 s before closing); the delay is set to
//! `blinding_seconds` (0 for the policy tests, so refusals arrive at once).

use crate::Pki;
use s2n_tls::cert_chain::Builder as ChainBuilder;
use s2n_tls::config::Config;
use s2n_tls::security::Policy;
use s2n_tls_tokio::TlsAcceptor;
use std::net::SocketAddr;
use tokio::io::AsyncWriteExt;
use tokio::sync::oneshot;

/// A running s2n-tls server.
pub struct S2nServer {
    /// `127.0.0.1:PORT`.
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Why a server could not be started.
#[derive(Debug)]
pub struct S2nError(pub String);

impl std::fmt::Display for S2nError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn config(policy: &str, pki: &Pki, blinding_seconds: u32) -> Result<Config, s2n_tls::error::Error> {
    let mut b = Config::builder();
    b.set_security_policy(&Policy::from_version(policy)?)?;
    for (cert, key) in [
        (&pki.rsa_cert, &pki.rsa_key),
        (&pki.ecdsa_cert, &pki.ecdsa_key),
    ] {
        let read = |p: &std::path::Path| std::fs::read(p).expect("read the test PKI");
        let mut chain = ChainBuilder::new()?;
        chain.load_pem(&read(cert), &read(key))?;
        b.load_chain(chain.build()?)?;
    }
    b.set_max_blinding_delay(blinding_seconds)?;
    b.build()
}

impl S2nServer {
    /// Starts a server for `policy` (an s2n-tls security policy name) on 127.0.0.1. An
    /// unknown name is an error, so a test can tell which names this s2n-tls has.
    pub fn start(policy: &str, blinding_seconds: u32) -> Result<S2nServer, S2nError> {
        let cfg = config(policy, Pki::shared(), blinding_seconds)
            .map_err(|e| S2nError(format!("s2n-tls policy {policy}: {e}")))?;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("local addr");
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::spawn(move || serve(listener, cfg, stopped));
        Ok(S2nServer {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

fn serve(listener: std::net::TcpListener, cfg: Config, mut stopped: oneshot::Receiver<()>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
        let acceptor = TlsAcceptor::new(cfg);
        loop {
            let (tcp, _) = tokio::select! {
                _ = &mut stopped => return,
                a = listener.accept() => match a {
                    Ok(a) => a,
                    Err(_) => continue,
                },
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(tcp).await {
                    let _ = tls.write_all(b"HTTP/1.0 200 OK\r\n\r\n").await;
                    let _ = tls.shutdown().await;
                }
            });
        }
    });
}

impl Drop for S2nServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
