//! The server's clock: ISO 8601 timestamps for `CreatedOn` / `UpdatedOn` and MasStack's
//! `created_at` / `expires_at`.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since 1970-01-01T00:00:00Z.
pub fn unix_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Now as the seeds write it, `2025-01-15T10:30:00Z`.
pub fn now_iso() -> String {
    format_unix(unix_seconds())
}

/// `seconds` since the epoch as the seeds write instants (see the core's `format_unix_seconds`).
pub fn format_unix(seconds: i64) -> String {
    idcheck_core::date::format_unix_seconds(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_the_seeds() {
        assert_eq!(format_unix(0), "1970-01-01T00:00:00Z");
        // 2025-01-15T10:30:00Z, the seeds' UpdatedOn.
        assert_eq!(format_unix(1_736_937_000), "2025-01-15T10:30:00Z");
        assert_eq!(format_unix(951_782_399), "2000-02-28T23:59:59Z");
    }
}
