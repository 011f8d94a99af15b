//! Adaptive pacing of the connections to one target: at most `limit` at once and at least
//! `gap` between two new ones, both adjusted as answers come back (AIMD). An indeterminate
//! answer (silent close, reset, timeout) halves the limit and widens the gap, once per
//! "epoch" so a burst of failures from connections already in flight counts once; a run of
//! definitive answers raises the limit by one (never above the level that last failed, for a
//! while) and narrows the gap again (never below the gap that last failed).

use crate::report::Pacing;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// Widest spacing between new connections the pacer backs off to.
pub const MAX_GAP: Duration = Duration::from_millis(250);
/// First spacing used once the target shows trouble.
const FIRST_GAP: Duration = Duration::from_millis(10);
/// Definitive answers at the ceiling before the ceiling is probed one higher.
const CEILING_PROBE_AFTER: u32 = 48;

#[derive(Debug)]
struct State {
    limit: usize,
    ceiling: usize,
    /// The lowest ceiling a dropped connection ever set: what the target tolerated.
    lowest_ceiling: usize,
    configured: usize,
    in_flight: usize,
    gap: Duration,
    gap_floor: Duration,
    next_start: Instant,
    streak: u32,
    at_ceiling: u32,
    epoch: u64,
    stats: Pacing,
}

/// The pacer of one target.
#[derive(Debug)]
pub struct Pacer {
    state: Mutex<State>,
    wake: Notify,
}

/// What an answer says about the target's capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// A definitive answer (or a deterministic one, such as an alert): all is well.
    Answered,
    /// A silent close, reset or refused connect: a connection or rate limit; back off in
    /// both concurrency and spacing.
    Dropped,
    /// No answer in time: an overloaded server or a blackhole; lower concurrency only
    /// (spacing does not help a server that is slow, and a blackhole is not a rate limit).
    Slow,
}

/// A connection slot; give it back with [`Pacer::finish`].
#[derive(Debug)]
pub struct Slot {
    epoch: u64,
    in_flight_at_start: usize,
}

impl Pacer {
    /// A pacer allowing `connections` simultaneous connections and no spacing at first.
    pub fn new(connections: usize) -> Pacer {
        let n = connections.max(1);
        Pacer {
            state: Mutex::new(State {
                limit: n,
                ceiling: n,
                lowest_ceiling: n,
                configured: n,
                in_flight: 0,
                gap: Duration::ZERO,
                gap_floor: Duration::ZERO,
                next_start: Instant::now(),
                streak: 0,
                at_ceiling: 0,
                epoch: 0,
                stats: Pacing {
                    max_connections: n,
                    ..Pacing::default()
                },
            }),
            wake: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the counters inconsistent in a way
        // that matters more than losing the scan, so take the state as it is.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for a connection slot under the current limit and spacing.
    pub async fn acquire(&self) -> Slot {
        loop {
            let notified = self.wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let wait_until = {
                let mut s = self.lock();
                let now = Instant::now();
                if s.in_flight < s.limit && now >= s.next_start {
                    s.in_flight += 1;
                    s.next_start = now + s.gap;
                    s.stats.connections += 1;
                    return Slot {
                        epoch: s.epoch,
                        in_flight_at_start: s.in_flight,
                    };
                }
                (s.in_flight < s.limit).then_some(s.next_start)
            };
            match wait_until {
                Some(t) => tokio::time::sleep_until(t).await,
                None => notified.await,
            }
        }
    }

    /// Gives `slot` back with what its answer says.
    pub fn finish(&self, slot: Slot, signal: Signal) {
        {
            let mut s = self.lock();
            s.in_flight = s.in_flight.saturating_sub(1);
            match signal {
                Signal::Answered => s.on_definitive(),
                Signal::Dropped => s.on_indeterminate(&slot, true),
                Signal::Slow => s.on_indeterminate(&slot, false),
            }
        }
        self.wake.notify_waiters();
    }

    /// Counts one probe sent again.
    pub fn count_retry(&self) {
        self.lock().stats.retries += 1;
    }

    /// What pacing was needed so far.
    pub fn report(&self) -> Pacing {
        let s = self.lock();
        let mut p = s.stats.clone();
        // The level the target pushed back to, not the one being probed upwards now.
        p.max_connections = s.lowest_ceiling;
        p.interval_ms = s.gap.as_millis() as u64;
        p
    }
}

impl State {
    fn on_definitive(&mut self) {
        self.streak += 1;
        if self.streak < (2 * self.limit as u32).max(4) {
            return;
        }
        self.streak = 0;
        if self.limit < self.ceiling {
            self.limit += 1;
        } else if self.ceiling < self.configured {
            self.at_ceiling += 1;
            if self.at_ceiling * 4 >= CEILING_PROBE_AFTER {
                self.at_ceiling = 0;
                self.ceiling += 1;
            }
        }
        if self.gap > self.gap_floor {
            self.gap = (self.gap * 3 / 4).max(self.gap_floor);
            if self.gap < Duration::from_millis(1) {
                self.gap = Duration::ZERO;
            }
        }
    }

    fn on_indeterminate(&mut self, slot: &Slot, widen_gap: bool) {
        self.stats.indeterminate += 1;
        self.stats.throttled = true;
        self.streak = 0;
        self.at_ceiling = 0;
        if widen_gap && slot.in_flight_at_start > 1 {
            // This many at once was too many (or the failure is unrelated: the ceiling is
            // probed upwards again after a run of definitive answers).
            self.ceiling = self.ceiling.min(slot.in_flight_at_start - 1).max(1);
            self.lowest_ceiling = self.lowest_ceiling.min(self.ceiling);
        }
        self.limit = self.limit.min(self.ceiling);
        if slot.epoch != self.epoch {
            return; // already backed off for this burst
        }
        self.epoch += 1;
        self.limit = (self.limit / 2).clamp(1, self.ceiling);
        if widen_gap {
            self.gap_floor = self.gap_floor.max(self.gap);
            self.gap = (self.gap * 2).clamp(FIRST_GAP, MAX_GAP);
            self.next_start = Instant::now() + self.gap;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn limit_halves_once_per_burst_and_recovers_below_the_failing_level() {
        let p = Pacer::new(8);
        let slots: Vec<Slot> = futures_join(&p, 8).await;
        // As behind a limit of 3: the first three are answered, the other five closed at
        // once. One back-off for the burst, and the ceiling is the level that worked.
        for (i, s) in slots.into_iter().enumerate() {
            p.finish(
                s,
                if i < 3 {
                    Signal::Answered
                } else {
                    Signal::Dropped
                },
            );
        }
        {
            let s = p.lock();
            assert_eq!(s.ceiling, 3);
            assert_eq!(s.limit, 1);
            assert_eq!(s.gap, FIRST_GAP);
            assert_eq!(s.stats.indeterminate, 5);
        }
        // Definitive answers narrow the gap again and never raise the limit past the
        // ceiling before the ceiling itself is probed.
        for _ in 0..40 {
            let s = p.acquire().await;
            p.finish(s, Signal::Answered);
        }
        let s = p.lock();
        assert_eq!(s.limit, 3);
        assert!(s.gap < FIRST_GAP);
        assert!(s.stats.throttled);
    }

    #[tokio::test]
    async fn a_lone_failure_widens_the_gap_but_keeps_the_ceiling() {
        let p = Pacer::new(1);
        let s = p.acquire().await;
        p.finish(s, Signal::Dropped);
        let s = p.acquire().await;
        p.finish(s, Signal::Dropped);
        let s = p.acquire().await;
        p.finish(s, Signal::Slow); // a timeout does not widen the gap
        let r = p.report();
        assert_eq!(r.max_connections, 1);
        assert_eq!(r.interval_ms, 20);
        assert_eq!(r.connections, 3);
    }

    #[tokio::test]
    async fn untroubled_targets_report_the_configured_limit() {
        let p = Pacer::new(8);
        for _ in 0..20 {
            let s = p.acquire().await;
            p.finish(s, Signal::Answered);
        }
        let r = p.report();
        assert!(!r.throttled);
        assert_eq!(
            (r.max_connections, r.interval_ms, r.connections),
            (8, 0, 20)
        );
    }

    async fn futures_join(p: &Pacer, n: usize) -> Vec<Slot> {
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(p.acquire().await);
        }
        out
    }
}
