//! Starting a trap: bind, build the restricted acceptor, accept connections concurrently and
//! send one [`ConnectionRecord`] per connection to a channel.
//!
//! Each connection's ClientHello is read asynchronously with its deadline, so idle and
//! slow-hello clients cost a task, not a worker thread; only the real handshake and the
//! HTTP answer run on the blocking pool, bounded by the connection's total deadline.
//! Connections still open when the trap stops are recorded too ([`Trap::unfinished`]).

use crate::conn::{after_hello, hello_failure, record, Accepted, ConnContext};
use crate::hello::read_client_hello_async;
use crate::{ConnectionRecord, Outcome, TrapConfig, TrapError};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tlsfloor_localtls::{build_acceptor, Pki, ServerConfig};
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

/// Connections accepted and not yet recorded, by id.
type Open = Arc<Mutex<HashMap<u64, Accepted>>>;

/// A running trap. Stops accepting when dropped.
#[derive(Debug)]
pub struct Trap {
    /// Where it listens.
    pub addr: SocketAddr,
    task: JoinHandle<()>,
    in_flight: Arc<AtomicUsize>,
    seen: Arc<AtomicUsize>,
    open: Open,
    ctx: Arc<ConnContext>,
}

impl std::fmt::Debug for ConnContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnContext")
            .field("listen", &self.listen)
            .finish_non_exhaustive()
    }
}

/// Handles one accepted connection: the hello asynchronously, the rest on the blocking pool.
async fn serve(
    ctx: Arc<ConnContext>,
    mut stream: tokio::net::TcpStream,
    acc: Accepted,
) -> ConnectionRecord {
    let deadline = tokio::time::Instant::from_std(acc.instant + ctx.config.hello_timeout);
    let (bytes, hello) =
        match read_client_hello_async(&mut stream, deadline, ctx.config.hello_timeout).await {
            Ok(x) => x,
            Err(e) => return record(&ctx, &acc, hello_failure(e), None, None),
        };
    let std_stream = match stream
        .into_std()
        .and_then(|s| s.set_nonblocking(false).map(|()| s))
    {
        Ok(s) => s,
        Err(e) => {
            let outcome = Outcome::Error {
                detail: format!("cannot hand the socket over: {e}"),
            };
            return record(&ctx, &acc, outcome, None, None);
        }
    };
    let c = Arc::clone(&ctx);
    match tokio::task::spawn_blocking(move || after_hello(&c, std_stream, &acc, bytes, &hello))
        .await
    {
        Ok(r) => r,
        Err(e) => {
            let outcome = Outcome::Error {
                detail: format!("internal error: {e}"),
            };
            record(&ctx, &acc, outcome, None, None)
        }
    }
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
                context: format!("cannot listen on {}", config.listen),
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
        let open: Open = Arc::default();
        let task = tokio::spawn(accept_loop(
            listener,
            Arc::clone(&ctx),
            sink,
            (Arc::clone(&in_flight), Arc::clone(&seen), Arc::clone(&open)),
        ));
        Ok(Trap {
            addr,
            task,
            in_flight,
            seen,
            open,
            ctx,
        })
    }

    /// Records for the connections accepted but not finished (to log when the trap stops).
    pub fn unfinished(&self) -> Vec<ConnectionRecord> {
        let open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let mut accepted: Vec<&Accepted> = open.values().collect();
        accepted.sort_by_key(|a| a.instant);
        accepted
            .into_iter()
            .map(|acc| {
                let outcome = Outcome::Error {
                    detail: "the trap stopped before this connection finished".into(),
                };
                record(&self.ctx, acc, outcome, None, None)
            })
            .collect()
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

/// Accepts forever; each connection is served on its own task and recorded to `sink`.
async fn accept_loop(
    listener: tokio::net::TcpListener,
    ctx: Arc<ConnContext>,
    sink: UnboundedSender<ConnectionRecord>,
    (in_flight, seen, open): (Arc<AtomicUsize>, Arc<AtomicUsize>, Open),
) {
    let ids = AtomicU64::new(0);
    loop {
        let (stream, peer) = tlsfloor_localtls::accept_next(&listener).await;
        let acc = Accepted::now(peer);
        let id = ids.fetch_add(1, Ordering::Relaxed);
        in_flight.fetch_add(1, Ordering::SeqCst);
        seen.fetch_add(1, Ordering::SeqCst);
        open.lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, acc);
        let (ctx, sink, in_flight, open) = (
            Arc::clone(&ctx),
            sink.clone(),
            Arc::clone(&in_flight),
            Arc::clone(&open),
        );
        tokio::spawn(async move {
            let r = serve(ctx, stream, acc).await;
            // Remove before sending: a record is either sent or listed as unfinished.
            open.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
            let _ = sink.send(r);
            in_flight.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

impl Drop for Trap {
    fn drop(&mut self) {
        self.task.abort();
    }
}
