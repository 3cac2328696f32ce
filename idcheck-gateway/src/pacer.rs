//! Paces what the gateway sends to Nexudus so that all members together stay inside the operator's
//! one allowance (one request per 100 ms, 120 a minute, 5,000 an hour; writes 60 a minute), instead
//! of each member's burst earning 409s.
//!
//! Each request reserves the earliest instant every limit allows, then sleeps until it. Reserving
//! (not just checking) is what keeps concurrent requests from all taking the same free slot. The
//! spacing carries a margin, because requests reserved 100 ms apart can reach the upstream closer
//! together than that when one of them is delayed on the way. At most `queue` requests wait; the
//! next one is refused at once with how long to wait, which the member sees as Nexudus' own 409.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::GatewayError;

/// One limit: at most `count` requests in any `window`.
#[derive(Debug, Clone, Copy)]
struct Window {
    count: usize,
    window: Duration,
}

#[derive(Debug, Clone)]
pub struct Limits {
    pub min_interval: Duration,
    all: Vec<Window>,
    writes: Vec<Window>,
}

impl Limits {
    /// Nexudus' documented limits, with `margin` added to every spacing.
    pub fn nexudus(margin: Duration) -> Limits {
        let window = |count, seconds| Window {
            count,
            window: Duration::from_secs(seconds) + margin,
        };
        Limits {
            min_interval: Duration::from_millis(100) + margin,
            all: vec![window(120, 60), window(5000, 3600)],
            writes: vec![window(60, 60), window(5000, 24 * 3600)],
        }
    }
}

#[derive(Default)]
struct State {
    /// Reserved instants, oldest first (reservations only grow, so the deques stay sorted).
    all: VecDeque<Instant>,
    writes: VecDeque<Instant>,
    /// The upstream asked us to hold everything until then (its `Retry-After`).
    hold_until: Option<Instant>,
    waiting: usize,
}

pub struct Pacer {
    limits: Limits,
    queue: usize,
    state: Mutex<State>,
}

/// A place in the queue; dropping it (the member gave up, the request finished) frees the place.
pub struct Slot<'a> {
    pacer: &'a Pacer,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut state = self.pacer.lock();
        state.waiting = state.waiting.saturating_sub(1);
    }
}

impl Pacer {
    pub fn new(limits: Limits, queue: usize) -> Pacer {
        Pacer {
            limits,
            queue,
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Waits for this request's turn, or refuses it at once when the queue is full.
    pub async fn turn(&self, is_write: bool) -> Result<Slot<'_>, GatewayError> {
        let at = {
            let mut state = self.lock();
            let now = Instant::now();
            let at = self.earliest(&state, now, is_write);
            if state.waiting >= self.queue && at > now {
                let wait = at - now;
                return Err(GatewayError::Busy {
                    retry_after_secs: wait.as_secs() + 1,
                });
            }
            state.all.push_back(at);
            if is_write {
                state.writes.push_back(at);
            }
            forget_older(&mut state.all, now, Duration::from_secs(3600 + 60));
            forget_older(&mut state.writes, now, Duration::from_secs(24 * 3600 + 60));
            state.waiting += 1;
            at
        };
        let slot = Slot { pacer: self };
        tokio::time::sleep_until(at).await;
        Ok(slot)
    }

    /// The upstream throttled us anyway (another client of the same account, a stricter limit):
    /// hold every request until its `Retry-After` has passed.
    pub fn hold_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut state = self.lock();
        state.hold_until = Some(state.hold_until.map_or(until, |held| held.max(until)));
    }

    /// The earliest instant at or after `now` that every limit allows.
    fn earliest(&self, state: &State, now: Instant, is_write: bool) -> Instant {
        let mut at = now;
        if let Some(held) = state.hold_until {
            at = at.max(held);
        }
        if let Some(&last) = state.all.back() {
            at = at.max(last + self.limits.min_interval);
        }
        let mut apply = |history: &VecDeque<Instant>, windows: &[Window]| {
            for window in windows {
                // With `count` reservations in the window already, the next one must come a whole
                // window after the `count`-th most recent.
                if history.len() >= window.count {
                    let oldest_in_window = history[history.len() - window.count];
                    at = at.max(oldest_in_window + window.window);
                }
            }
        };
        apply(&state.all, &self.limits.all);
        if is_write {
            apply(&state.writes, &self.limits.writes);
        }
        at
    }
}

fn forget_older(history: &mut VecDeque<Instant>, now: Instant, keep: Duration) {
    while history.front().is_some_and(|&at| at + keep < now) {
        history.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(min_ms: u64, per_minute: usize, writes_per_minute: usize) -> Limits {
        Limits {
            min_interval: Duration::from_millis(min_ms),
            all: vec![Window {
                count: per_minute,
                window: Duration::from_secs(60),
            }],
            writes: vec![Window {
                count: writes_per_minute,
                window: Duration::from_secs(60),
            }],
        }
    }

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_by_the_minimum_interval() {
        let pacer = Pacer::new(limits(100, 1000, 1000), 100);
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..5 {
            let _slot = pacer.turn(false).await.unwrap();
            times.push(Instant::now() - start);
        }
        let expected: Vec<Duration> = (0..5).map(|i| Duration::from_millis(100 * i)).collect();
        assert_eq!(times, expected);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_requests_each_get_their_own_slot_and_a_window_is_never_exceeded() {
        let pacer = std::sync::Arc::new(Pacer::new(limits(10, 5, 3), 100));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for i in 0..10 {
            let pacer = pacer.clone();
            tasks.push(tokio::spawn(async move {
                let _slot = pacer.turn(i % 2 == 0).await.unwrap();
                (Instant::now() - start, i % 2 == 0)
            }));
        }
        let mut seen = Vec::new();
        for task in tasks {
            seen.push(task.await.unwrap());
        }
        seen.sort();
        let times: Vec<Duration> = seen.iter().map(|(t, _)| *t).collect();
        for pair in times.windows(2) {
            assert!(pair[1] - pair[0] >= Duration::from_millis(10), "{times:?}");
        }
        // No 60-second window holds more than 5 requests or 3 writes.
        for (i, (t, _)) in seen.iter().enumerate() {
            let in_window = seen
                .iter()
                .filter(|(u, _)| *u >= *t && *u < *t + Duration::from_secs(60));
            assert!(in_window.clone().count() <= 5, "window at {i}: {seen:?}");
            assert!(
                in_window.filter(|(_, w)| *w).count() <= 3,
                "writes at {i}: {seen:?}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_queue_refuses_at_once_with_how_long_to_wait() {
        let pacer = std::sync::Arc::new(Pacer::new(limits(1000, 1000, 1000), 2));
        let first = pacer.turn(false).await.unwrap();
        let waiting = {
            let pacer = pacer.clone();
            tokio::spawn(async move { pacer.turn(false).await.map(|_| ()) })
        };
        tokio::task::yield_now().await;
        match pacer.turn(false).await {
            Err(GatewayError::Busy { retry_after_secs }) => assert!(retry_after_secs >= 1),
            Err(other) => panic!("refused with {other:?}"),
            Ok(_) => panic!("a full queue let a request in"),
        }
        drop(first);
        waiting.await.unwrap().unwrap();
        // Places were given back: the pacer takes requests again.
        assert!(pacer.turn(false).await.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn an_upstream_retry_after_holds_every_request() {
        let pacer = Pacer::new(limits(1, 1000, 1000), 10);
        let start = Instant::now();
        pacer.hold_for(Duration::from_secs(3));
        let _slot = pacer.turn(false).await.unwrap();
        assert!(Instant::now() - start >= Duration::from_secs(3));
    }
}
