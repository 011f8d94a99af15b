//! Process-wide settings made once at start: how a closed standard output ends the
//! program, and how many files it may open.

/// Restores the default action of SIGPIPE, which Rust's runtime ignores: when standard output
/// is a pipe whose reader has gone (`tlsfloor scan … | head`), the next write ends the process
/// quietly, as for any Unix filter, instead of panicking in `println!`. Sockets are not
/// affected: Rust's and OpenSSL's (through Rust streams) writes use `MSG_NOSIGNAL`.
pub fn quiet_on_closed_stdout() {
    // SAFETY: setting a signal disposition to its default has no preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Raises the soft open-files limit to the hard limit, so wide scans do not fail with "Too
/// many open files". Returns the soft limit in force afterwards (`None` if unknown).
pub fn raise_open_files_limit() -> Option<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid, initialised struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return None;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim = raised;
            }
        }
    }
    Some(lim.rlim_cur)
}

/// The async runtime of the commands that serve clients (trap, check-client): each TLS
/// handshake and HTTP answer runs on the blocking pool, bounded by its connection deadline,
/// and the pool is large enough that hundreds of slow clients cannot starve new ones.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(4096)
        .thread_stack_size(1024 * 1024)
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the async runtime: {e}"))
}

/// Waits for Ctrl-C (SIGINT) or SIGTERM; forever if neither can be watched.
pub async fn interrupted() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    let int = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        () = term => {}
        () = int => {}
    }
}

/// Removes a file when dropped (throwaway CA files, also after Ctrl-C or SIGTERM, since the
/// command returns through its owner).
#[derive(Debug)]
pub struct RemoveOnDrop(pub Option<std::path::PathBuf>);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(p) = &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Targets scanned at once so that `concurrency` × `connections` sockets (plus a margin for
/// files, DNS and the runtime) fit in the open-files limit; at least 1.
pub fn fit_concurrency(concurrency: usize, connections: usize, open_files: Option<u64>) -> usize {
    let Some(limit) = open_files else {
        return concurrency.max(1);
    };
    // Each target may hold `connections` probe sockets plus one real handshake.
    let per_target = connections as u64 + 2;
    let usable = limit.saturating_sub(64);
    let fits = (usable / per_target).max(1);
    concurrency
        .min(usize::try_from(fits).unwrap_or(usize::MAX))
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrency_fits_the_open_files_limit() {
        assert_eq!(fit_concurrency(16, 8, Some(1_048_576)), 16);
        assert_eq!(fit_concurrency(500, 8, Some(1024)), 96);
        assert_eq!(fit_concurrency(16, 8, Some(70)), 1);
        assert_eq!(fit_concurrency(16, 8, None), 16);
    }

    #[test]
    fn the_limit_is_raised_to_the_hard_limit() {
        let soft = raise_open_files_limit().expect("getrlimit");
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: as above.
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) }, 0);
        assert_eq!(soft, lim.rlim_cur);
        assert_eq!(lim.rlim_cur, lim.rlim_max);
    }
}
