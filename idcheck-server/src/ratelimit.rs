//! Rate limiting as Nexudus does it: a throttled request gets HTTP 409 with `Retry-After`.
//!
//! Limits are kept per key (the authenticated user, or the client address when there is none) in
//! memory: a restart forgets them, which is what a local server wants. The table is bounded: a
//! client idle past every window is forgotten (swept every [`SWEEP_EVERY`] checks), and past
//! [`MAX_CLIENTS`] keys the least recently seen are dropped, so a flood of new addresses cannot
//! grow it without end.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(60 * 60);
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// The most keys kept at once.
pub const MAX_CLIENTS: usize = 10_000;
/// Idle keys are swept after this many checks.
pub const SWEEP_EVERY: u64 = 1024;

/// The configurable limits; 0 turns a single limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub writes_per_minute: u32,
    pub writes_per_day: u32,
    pub min_interval_ms: u64,
    pub requests_per_minute: u32,
    pub requests_per_hour: u32,
}

impl Default for RateLimits {
    /// The limits Nexudus documents.
    fn default() -> Self {
        RateLimits {
            writes_per_minute: 60,
            writes_per_day: 5000,
            min_interval_ms: 100,
            requests_per_minute: 120,
            requests_per_hour: 5000,
        }
    }
}

impl RateLimits {
    pub fn off() -> Self {
        RateLimits {
            writes_per_minute: 0,
            writes_per_day: 0,
            min_interval_ms: 0,
            requests_per_minute: 0,
            requests_per_hour: 0,
        }
    }

    pub fn is_off(&self) -> bool {
        *self == Self::off()
    }

    /// Applies `KEY=N,KEY=N`; keys may use `_` or `-`.
    pub fn apply_overrides(&mut self, text: &str) -> Result<(), String> {
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| format!("--rate-limit takes KEY=N, not `{pair}`"))?;
            let number: u64 = value
                .trim()
                .parse()
                .map_err(|_| format!("--rate-limit {key} takes a whole number, not `{value}`"))?;
            let small =
                || u32::try_from(number).map_err(|_| format!("--rate-limit {key} is too large"));
            match key.trim().replace('-', "_").as_str() {
                "writes_per_minute" => self.writes_per_minute = small()?,
                "writes_per_day" => self.writes_per_day = small()?,
                "min_interval_ms" => self.min_interval_ms = number,
                "requests_per_minute" => self.requests_per_minute = small()?,
                "requests_per_hour" => self.requests_per_hour = small()?,
                other => {
                    return Err(format!(
                        "unknown rate limit `{other}`; known: writes_per_minute, writes_per_day, \
                         min_interval_ms, requests_per_minute, requests_per_hour"
                    ));
                }
            }
        }
        Ok(())
    }
}

#[derive(Default)]
struct History {
    requests: VecDeque<Instant>,
    writes: VecDeque<Instant>,
}

impl History {
    /// The last time this key was seen.
    fn last_seen(&self) -> Option<Instant> {
        match (self.requests.back(), self.writes.back()) {
            (Some(a), Some(b)) => Some(*a.max(b)),
            (a, b) => a.or(b).copied(),
        }
    }

    /// Whether nothing of it counts any more: every window it could fill has passed.
    fn is_idle(&self, now: Instant) -> bool {
        self.requests
            .back()
            .is_none_or(|&t| now.saturating_duration_since(t) >= HOUR)
            && self
                .writes
                .back()
                .is_none_or(|&t| now.saturating_duration_since(t) >= DAY)
    }
}

#[derive(Default)]
struct Table {
    histories: HashMap<String, History>,
    checks: u64,
}

/// Remembers recent requests per key and decides whether the next one may pass.
pub struct RateLimiter {
    limits: RateLimits,
    table: Mutex<Table>,
}

impl RateLimiter {
    pub fn new(limits: RateLimits) -> Self {
        RateLimiter {
            limits,
            table: Mutex::new(Table::default()),
        }
    }

    /// How many keys are remembered.
    pub fn len(&self) -> usize {
        self.lock().histories.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Forgets idle keys, then, when [`MAX_CLIENTS`] are still kept, the least recently seen
    /// tenth (so a flood of new keys pays for one sort per many keys, not one per key).
    fn sweep(table: &mut Table, now: Instant) {
        table.histories.retain(|_, history| !history.is_idle(now));
        let excess = if table.histories.len() >= MAX_CLIENTS {
            table.histories.len() - MAX_CLIENTS * 9 / 10
        } else {
            0
        };
        if excess > 0 {
            let mut seen: Vec<(Option<Instant>, String)> = table
                .histories
                .iter()
                .map(|(key, history)| (history.last_seen(), key.clone()))
                .collect();
            seen.sort();
            for (_, key) in seen.into_iter().take(excess) {
                table.histories.remove(&key);
            }
        }
    }

    /// Records a request by `key` at `now`, or answers how long to wait. A refused request is not
    /// recorded, so a client that waits `Retry-After` gets through.
    pub fn check(&self, key: &str, is_write: bool, now: Instant) -> Result<(), Duration> {
        if self.limits.is_off() {
            return Ok(());
        }
        let mut table = self.lock();
        table.checks += 1;
        if table.checks.is_multiple_of(SWEEP_EVERY)
            || (table.histories.len() >= MAX_CLIENTS && !table.histories.contains_key(key))
        {
            Self::sweep(&mut table, now);
        }
        let history = table.histories.entry(key.to_string()).or_default();
        forget_before(&mut history.requests, now, HOUR);
        forget_before(&mut history.writes, now, DAY);

        let mut wait = Duration::ZERO;
        if self.limits.min_interval_ms > 0
            && let Some(&last) = history.requests.back()
        {
            let interval = Duration::from_millis(self.limits.min_interval_ms);
            wait = wait.max((last + interval).saturating_duration_since(now));
        }
        wait = wait.max(window_wait(
            &history.requests,
            now,
            MINUTE,
            self.limits.requests_per_minute,
        ));
        wait = wait.max(window_wait(
            &history.requests,
            now,
            HOUR,
            self.limits.requests_per_hour,
        ));
        if is_write {
            wait = wait.max(window_wait(
                &history.writes,
                now,
                MINUTE,
                self.limits.writes_per_minute,
            ));
            wait = wait.max(window_wait(
                &history.writes,
                now,
                DAY,
                self.limits.writes_per_day,
            ));
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        history.requests.push_back(now);
        if is_write {
            history.writes.push_back(now);
        }
        Ok(())
    }
}

fn forget_before(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times
        .front()
        .is_some_and(|&t| now.saturating_duration_since(t) >= window)
    {
        times.pop_front();
    }
}

/// How long until fewer than `limit` of `times` fall in the `window` ending now (zero if already).
fn window_wait(times: &VecDeque<Instant>, now: Instant, window: Duration, limit: u32) -> Duration {
    if limit == 0 {
        return Duration::ZERO;
    }
    let start = times.partition_point(|&t| now.saturating_duration_since(t) >= window);
    let in_window = times.len() - start;
    let limit = limit as usize;
    if in_window < limit {
        return Duration::ZERO;
    }
    // The request that must leave the window before one more fits.
    let leaving = times[times.len() - limit];
    (leaving + window).saturating_duration_since(now)
}

/// `Retry-After` carries whole seconds; round up so a client that obeys it is let through.
pub fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(f: impl FnOnce(&mut RateLimits)) -> RateLimits {
        let mut limits = RateLimits::off();
        f(&mut limits);
        limits
    }

    #[test]
    fn min_interval_refuses_a_quick_second_request() {
        let limiter = RateLimiter::new(limits(|l| l.min_interval_ms = 100));
        let t0 = Instant::now();
        assert_eq!(limiter.check("u", false, t0), Ok(()));
        let wait = limiter
            .check("u", false, t0 + Duration::from_millis(30))
            .unwrap_err();
        assert_eq!(wait, Duration::from_millis(70));
        assert_eq!(
            limiter.check("u", false, t0 + Duration::from_millis(100)),
            Ok(())
        );
        // Another key has its own history.
        assert_eq!(
            limiter.check("v", false, t0 + Duration::from_millis(101)),
            Ok(())
        );
    }

    #[test]
    fn writes_per_minute_counts_only_writes() {
        let limiter = RateLimiter::new(limits(|l| l.writes_per_minute = 2));
        let t0 = Instant::now();
        assert_eq!(limiter.check("u", true, t0), Ok(()));
        assert_eq!(
            limiter.check("u", true, t0 + Duration::from_secs(1)),
            Ok(())
        );
        assert_eq!(
            limiter.check("u", false, t0 + Duration::from_secs(2)),
            Ok(())
        );
        let wait = limiter
            .check("u", true, t0 + Duration::from_secs(3))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(57));
        assert_eq!(retry_after_secs(wait), 57);
        assert_eq!(
            limiter.check("u", true, t0 + Duration::from_secs(60)),
            Ok(())
        );
    }

    #[test]
    fn requests_per_minute_and_hour() {
        let limiter = RateLimiter::new(limits(|l| {
            l.requests_per_minute = 3;
            l.requests_per_hour = 4;
        }));
        let t0 = Instant::now();
        for i in 0..3 {
            assert_eq!(
                limiter.check("u", false, t0 + Duration::from_secs(i)),
                Ok(())
            );
        }
        assert!(
            limiter
                .check("u", false, t0 + Duration::from_secs(10))
                .is_err()
        );
        assert_eq!(
            limiter.check("u", false, t0 + Duration::from_secs(61)),
            Ok(())
        );
        let wait = limiter
            .check("u", false, t0 + Duration::from_secs(130))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(3600 - 130));
    }

    #[test]
    fn retry_after_rounds_up_to_at_least_one_second() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(3)), 3);
    }

    #[test]
    fn overrides_parse_and_reject() {
        let mut limits = RateLimits::default();
        limits
            .apply_overrides("requests-per-hour=7, writes_per_day=0")
            .unwrap();
        assert_eq!(limits.requests_per_hour, 7);
        assert_eq!(limits.writes_per_day, 0);
        assert!(limits.apply_overrides("writes_per_minute").is_err());
        assert!(limits.apply_overrides("writes_per_minute=x").is_err());
    }

    #[test]
    fn idle_clients_are_forgotten_and_the_table_stays_bounded() {
        let limiter = RateLimiter::new(RateLimits::default());
        let start = Instant::now();
        for n in 0..10 {
            limiter.check(&format!("ip:{n}"), true, start).unwrap();
        }
        assert_eq!(limiter.len(), 10);
        // A day and more later, a sweep forgets all of them.
        let later = start + DAY + MINUTE;
        for n in 0..SWEEP_EVERY {
            let _ = limiter.check("user:1", false, later + Duration::from_millis(n * 200));
        }
        assert_eq!(limiter.len(), 1);
        for n in 0..(MAX_CLIENTS as u64 + 50) {
            let _ = limiter.check(&format!("flood:{n}"), false, later);
        }
        assert!(limiter.len() <= MAX_CLIENTS + 1, "{}", limiter.len());
    }
}
