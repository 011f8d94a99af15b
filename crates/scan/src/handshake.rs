//! One real handshake with OpenSSL to read the certificate chain when no plaintext
//! Certificate message was seen (TLS 1.3 encrypts it).

use crate::net::{self, Link};
use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};
use tlsfloor_localtls::DeadlineStream;

/// All five TLS 1.3 suites, so CCM-only servers are reachable too.
const TLS13_SUITES: &str = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:\
TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256";

fn fetch_blocking(
    stream: TcpStream,
    sni: Option<&str>,
    deadline: Instant,
    sigalgs: Option<&str>,
) -> Result<Vec<Vec<u8>>, String> {
    // RC4 and other old suites live in OpenSSL 3's legacy provider.
    tlsfloor_localtls::acceptor::load_legacy_algorithms();
    let stream = DeadlineStream::new(stream, deadline);
    let mut b = SslConnector::builder(SslMethod::tls_client()).map_err(|e| e.to_string())?;
    b.set_verify(SslVerifyMode::NONE);
    b.set_security_level(0);
    b.set_ciphersuites(TLS13_SUITES)
        .map_err(|e| e.to_string())?;
    b.set_cipher_list("ALL:COMPLEMENTOFALL:@SECLEVEL=0")
        .map_err(|e| e.to_string())?;
    if let Some(list) = sigalgs {
        // One certificate family: TLS 1.3 only, these signature algorithms only.
        b.set_min_proto_version(Some(openssl::ssl::SslVersion::TLS1_3))
            .map_err(|e| e.to_string())?;
        b.set_sigalgs_list(list).map_err(|e| e.to_string())?;
    }
    let connector = b.build();
    let mut cfg = connector.configure().map_err(|e| e.to_string())?;
    cfg.set_verify_hostname(false);
    cfg.set_use_server_name_indication(sni.is_some());
    let tls = cfg
        .connect(sni.unwrap_or("invalid"), stream)
        .map_err(|e| format!("TLS handshake: {e}"))?;
    let chain = match tls.ssl().peer_cert_chain() {
        Some(stack) => stack.iter().filter_map(|c| c.to_der().ok()).collect(),
        None => match tls.ssl().peer_certificate() {
            Some(c) => c.to_der().map(|d| vec![d]).unwrap_or_default(),
            None => Vec::new(),
        },
    };
    if chain.is_empty() {
        return Err("the server sent no certificate".into());
    }
    Ok(chain)
}

/// Completes one handshake with `addr` (over the same connect path and upgrade as the
/// probes) and returns the chain the server sent (leaf first), all of it within `timeout`.
pub async fn fetch_chain(
    addr: SocketAddr,
    link: &Link,
    sni: Option<String>,
    timeout: Duration,
) -> Result<Vec<Vec<u8>>, String> {
    fetch_chain_signed(addr, link, sni, timeout, None).await
}

/// [`fetch_chain`] in TLS 1.3 offering only the signature algorithms `sigalgs` (an OpenSSL
/// list such as `ecdsa_secp256r1_sha256:ed25519`), when given: the server must answer with
/// the certificate of that family.
pub async fn fetch_chain_signed(
    addr: SocketAddr,
    link: &Link,
    sni: Option<String>,
    timeout: Duration,
    sigalgs: Option<&'static str>,
) -> Result<Vec<Vec<u8>>, String> {
    let deadline = Instant::now() + timeout;
    let stream = net::open(
        addr,
        link,
        tokio::time::Instant::from_std(deadline),
        timeout,
    )
    .await
    .map_err(|e| e.message)?;
    let stream = stream
        .into_std()
        .and_then(|s| s.set_nonblocking(false).map(|()| s))
        .map_err(|e| format!("connection: {e}"))?;
    tokio::task::spawn_blocking(move || fetch_blocking(stream, sni.as_deref(), deadline, sigalgs))
        .await
        .map_err(|e| format!("internal error: {e}"))?
}
