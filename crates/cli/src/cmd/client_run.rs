//! Running a client command under control: in its own process group (so a timeout, Ctrl-C
//! or the end of the run kills every process it started), finished as soon as the direct
//! child exits (a grandchild holding the pipes open cannot stall the run), and with only a
//! bounded tail of its output kept in memory (a client printing gigabytes costs nothing).

use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};

/// Bytes of each output stream kept (the end of it).
pub const TAIL_BYTES: usize = 64 * 1024;

/// How a run ended.
#[derive(Debug, Default)]
pub struct RunOutput {
    /// The exit code (`None` when killed by a signal or timed out).
    pub exit_status: Option<i32>,
    /// The command ran past the timeout and was killed.
    pub timed_out: bool,
    /// The end of standard error, as text.
    pub stderr: String,
    /// Why the command could not be run at all.
    pub spawn_error: Option<String>,
}

/// The last `max` bytes of a stream, read to its end (or until the task is dropped).
async fn tail_of(mut r: impl AsyncRead + Unpin, max: usize) -> Vec<u8> {
    let mut keep: Vec<u8> = Vec::with_capacity(8192);
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match r.read(&mut buf).await {
            Ok(0) | Err(_) => return keep,
            Ok(n) => {
                keep.extend_from_slice(&buf[..n]);
                if keep.len() > 2 * max {
                    keep.drain(..keep.len() - max);
                }
            }
        }
    }
}

/// Kills every process in group `pgid`.
fn kill_group(pgid: u32) {
    if let Ok(pgid) = i32::try_from(pgid) {
        // SAFETY: killpg with a group id we created; failure (already gone) is harmless.
        unsafe {
            libc::killpg(pgid, libc::SIGKILL);
        }
    }
}

/// Runs `argv` (no shell) with `envs` added, for at most `timeout`.
pub async fn run(argv: &[String], envs: &[(&str, String)], timeout: Duration) -> RunOutput {
    let Some((prog, rest)) = argv.split_first() else {
        return RunOutput {
            spawn_error: Some("empty command".into()),
            ..RunOutput::default()
        };
    };
    let mut cmd = tokio::process::Command::new(prog);
    cmd.args(rest)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return RunOutput {
                spawn_error: Some(format!("cannot run {prog:?}: {e}")),
                ..RunOutput::default()
            }
        }
    };
    let pgid = child.id();
    let out = child
        .stdout
        .take()
        .map(|s| tokio::spawn(tail_of(s, TAIL_BYTES)));
    let err = child
        .stderr
        .take()
        .map(|s| tokio::spawn(tail_of(s, TAIL_BYTES)));
    let guard = GroupGuard(pgid);
    let (exit_status, timed_out, wait_error) =
        match tokio::time::timeout(timeout, child.wait()).await {
            Ok(Ok(st)) => (st.code(), false, None),
            Ok(Err(e)) => (None, false, Some(format!("waiting for {prog:?}: {e}"))),
            Err(_) => (None, true, None),
        };
    // The run is over: whatever the client left behind goes too, which also closes the
    // pipes a grandchild may hold.
    drop(guard);
    let stderr = match err {
        Some(h) => collect(h).await,
        None => Vec::new(),
    };
    if let Some(h) = out {
        drop(collect(h).await);
    }
    RunOutput {
        exit_status,
        timed_out,
        stderr: tail_text(&String::from_utf8_lossy(&stderr), 1000),
        spawn_error: wait_error,
    }
}

/// Kills the process group when dropped (end of run, timeout, or the run being abandoned on
/// Ctrl-C).
struct GroupGuard(Option<u32>);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if let Some(pgid) = self.0 {
            kill_group(pgid);
        }
    }
}

/// A reader task's bytes, given a moment after the group was killed.
async fn collect(h: tokio::task::JoinHandle<Vec<u8>>) -> Vec<u8> {
    let abort = h.abort_handle();
    match tokio::time::timeout(Duration::from_secs(2), h).await {
        Ok(Ok(v)) => v,
        _ => {
            abort.abort();
            Vec::new()
        }
    }
}

/// The last `max` characters of `s`, trimmed.
pub fn tail_text(s: &str, max: usize) -> String {
    let s = s.trim_end();
    let n = s.chars().count();
    s.chars().skip(n.saturating_sub(max)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), script.into()]
    }

    /// True while `pid` is a live (not zombie) process.
    fn alive(pid: &str) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| !s.contains(") Z "))
            .unwrap_or(false)
    }

    /// Waits (bounded) for `pid` to be gone; true when it is.
    fn gone(pid: &str) -> bool {
        for _ in 0..250 {
            if !alive(pid) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    #[tokio::test]
    async fn a_grandchild_holding_the_pipes_does_not_stall_the_run_and_is_killed() {
        let out = run(
            &sh("sleep 1000 & echo $! >&2; exit 3"),
            &[],
            Duration::from_secs(120),
        )
        .await;
        assert_eq!(out.exit_status, Some(3));
        assert!(!out.timed_out, "the run waited for the grandchild's pipes");
        let pid = out.stderr.trim().to_string();
        assert!(gone(&pid), "grandchild {pid} still running");
    }

    #[tokio::test]
    async fn a_timeout_kills_the_whole_group() {
        let out = run(
            &sh("sleep 1000 & echo $! >&2; sleep 1000"),
            &[],
            Duration::from_secs(2),
        )
        .await;
        assert!(out.timed_out);
        let pid = out.stderr.trim().to_string();
        assert!(!pid.is_empty());
        assert!(gone(&pid), "background sleep {pid} survived the timeout");
    }

    #[tokio::test]
    async fn output_is_kept_as_a_bounded_tail() {
        let out = run(
            &sh("yes x | head -c 3000000 >&2; echo END >&2"),
            &[],
            Duration::from_secs(60),
        )
        .await;
        assert_eq!(out.exit_status, Some(0));
        assert!(
            out.stderr.ends_with("x\nEND"),
            "{:?}",
            &out.stderr[out.stderr.len() - 10..]
        );
        assert!(out.stderr.chars().count() <= 1000);
    }

    #[tokio::test]
    async fn a_missing_program_is_a_spawn_error() {
        let out = run(
            &["/nonexistent/tlsfloor-client".to_string()],
            &[],
            Duration::from_secs(5),
        )
        .await;
        assert!(out.spawn_error.unwrap().contains("cannot run"));
    }
}
