//! How long to wait before asking again: automatic retries after a network failure, and status
//! polling that slows down while nothing changes. Pure arithmetic, so the schedules are tested here
//! and the browser only sleeps; the randomness (jitter) is handed in.

/// Network failures retried without asking the member, before *Try again* is offered.
pub const AUTO_RETRIES: u32 = 2;

/// The first automatic retry waits about this long; each further one twice as long.
const RETRY_BASE_MS: u32 = 1_000;

/// Polling never waits longer than this between two questions.
pub const POLL_MAX_SECONDS: u32 = 120;

/// A laptop following a hand-off asks this often at first. The member is holding the phone in
/// front of it: the laptop should notice within seconds that the phone opened the link or sent.
pub const HANDOFF_POLL_SECONDS: u32 = 2;
/// ...and never waits longer than this: at most about 110 questions over a hand-off's 15 minutes,
/// each answered from the gateway's own state, never from Nexudus.
pub const HANDOFF_POLL_MAX_SECONDS: u32 = 8;

/// The wait before automatic retry number `retry` (0 for the first), spread by `jitter` (a random
/// number in `0.0..1.0`) over half to one and a half times the nominal wait, so that many members
/// cut off by the same outage do not all come back in the same instant.
pub fn retry_delay_ms(retry: u32, jitter: f64) -> u32 {
    let nominal = RETRY_BASE_MS.saturating_mul(1 << retry.min(10));
    // `clamp` lets NaN through, and a NaN wait would be no wait at all.
    let jitter = if jitter.is_nan() { 0.5 } else { jitter };
    let spread = 0.5 + jitter.clamp(0.0, 1.0);
    (f64::from(nominal) * spread) as u32
}

/// The wait before the next status question, after `unchanged` answers in a row that changed
/// nothing: `every` seconds at first, doubling up to [`POLL_MAX_SECONDS`] (never less than `every`,
/// if the host asked for slower polling than that).
pub fn poll_delay_seconds(every: u32, unchanged: u32) -> u32 {
    poll_delay_seconds_up_to(every, unchanged, POLL_MAX_SECONDS)
}

/// [`poll_delay_seconds`] with another ceiling than [`POLL_MAX_SECONDS`].
pub fn poll_delay_seconds_up_to(every: u32, unchanged: u32, max: u32) -> u32 {
    let every = every.max(1);
    every
        .saturating_mul(1 << unchanged.min(16))
        .min(max.max(every))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_within_their_spread() {
        assert_eq!(retry_delay_ms(0, 0.5), 1_000);
        assert_eq!(retry_delay_ms(1, 0.5), 2_000);
        assert_eq!(retry_delay_ms(0, 0.0), 500);
        assert_eq!(retry_delay_ms(1, 0.999_999), 2_999);
        // Out-of-range randomness is clamped, never a negative or huge wait.
        assert_eq!(retry_delay_ms(0, -3.0), 500);
        assert_eq!(retry_delay_ms(0, 7.0), 1_500);
        assert!(retry_delay_ms(u32::MAX, 1.0) <= 1_536_000);
    }

    #[test]
    fn polling_doubles_while_nothing_changes_up_to_two_minutes() {
        let waits: Vec<u32> = (0..7).map(|n| poll_delay_seconds(10, n)).collect();
        assert_eq!(waits, [10, 20, 40, 80, 120, 120, 120]);
        assert_eq!(poll_delay_seconds(10, u32::MAX), 120);
        assert_eq!(poll_delay_seconds(0, 0), 1);
        // A host that asked for slower polling keeps its own pace.
        assert_eq!(poll_delay_seconds(300, 3), 300);
    }

    #[test]
    fn a_hand_off_is_followed_closely() {
        let waits: Vec<u32> = (0..5)
            .map(|n| poll_delay_seconds_up_to(HANDOFF_POLL_SECONDS, n, HANDOFF_POLL_MAX_SECONDS))
            .collect();
        assert_eq!(waits, [2, 4, 8, 8, 8]);
    }
}
