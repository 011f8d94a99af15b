//! Starting a trap: bind, build the restricted acceptor, accept connections concurrently and
//! send one [`ConnectionRecord`] per connection to a channel.

use crate::conn::{handle, ConnContext};
use crate::{ConnectionRecord, TrapConfig, TrapError};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tlsfloor_localtls::{accept_loop, build_acceptor, Pki, ServerConfig};
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

/// A running trap. Stops accepting when dropped.
#[derive(Debug)]
pub struct Trap {
    /// Where it listens.
    pub addr: SocketAddr,
    task: JoinHandle<()>,
    in_flight: Arc<AtomicUsize>,
    seen: Arc<AtomicUsize>,
}

impl Trap {
    /// Binds `config.listen` and starts accepting; each connection's record goes to `sink`.
    /// Must be called inside a tokio runtime.
    pub async fn start(
        config: TrapConfig,
        pki: &Pki,
        sink: UnboundedSender<ConnectionRecord>,
    ) -> Result<Trap, TrapError> {
        let acceptor = build_acceptor(
            pki,
            &ServerConfig {
                min_version: config.min_version,
                max_version: config.max_version,
                ciphers: config.ciphers.clone(),
                alpn: vec!["http/1.1".into()],
            },
        )?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| TrapError::Io {
                context: format!("bind {}", config.listen),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| TrapError::Io {
            context: "local address".into(),
            source,
        })?;
        let ctx = Arc::new(ConnContext {
            config,
            acceptor,
            listen: addr,
        });
        let in_flight = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(AtomicUsize::new(0));
        let (f, s) = (in_flight.clone(), seen.clone());
        let task = accept_loop(
            listener,
            Arc::new(move |stream, peer| {
                f.fetch_add(1, Ordering::SeqCst);
                s.fetch_add(1, Ordering::SeqCst);
                let record = handle(&ctx, stream, peer);
                let _ = sink.send(record);
                f.fetch_sub(1, Ordering::SeqCst);
            }),
        );
        Ok(Trap {
            addr,
            task,
            in_flight,
            seen,
        })
    }

    /// Connections being handled right now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.seen.load(Ordering::SeqCst)
    }

    /// Waits (up to `max`) until no connection is being handled, after a short grace period
    /// for connections the client made just before it exited.
    pub async fn settle(&self, max: Duration) {
        let deadline = Instant::now() + max;
        tokio::time::sleep(Duration::from_millis(100)).await;
        while self.in_flight() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Trap {
    fn drop(&mut self) {
        self.task.abort();
    }
}
