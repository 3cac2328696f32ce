//! Invitations: how a member reaches a check the operator requested. An invitation is a short code
//! (and a link carrying it), single-use and expiring, that is exchanged for a member token of that
//! member. Guessing is bounded per client: five wrong codes lock the client out for 15 minutes.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use idcheck_core::invitation::{ALPHABET, CODE_LENGTH, normalise};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::error::GatewayError;
use crate::member::Member;
use crate::store::{Db, unix_now};

const WRONG_CODES_ALLOWED: u32 = 5;
pub const LOCK_OUT: Duration = Duration::from_secs(15 * 60);
/// The most clients the lock-out table holds: past it, the one idle longest is forgotten first, so
/// no number of addresses grows it without bound.
pub const MAX_CLIENTS: usize = 10_000;

/// What the member is asked to verify, as the operator requested it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verify {
    Identity,
    Address,
    Both,
}

impl Verify {
    pub fn name(self) -> &'static str {
        match self {
            Verify::Identity => "identity",
            Verify::Address => "address",
            Verify::Both => "both",
        }
    }

    fn parse(text: &str) -> Option<Verify> {
        [Verify::Identity, Verify::Address, Verify::Both]
            .into_iter()
            .find(|v| v.name() == text)
    }
}

/// One requested check: its id and `VerificationType` number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RequestedCheck {
    pub id: i64,
    pub verification_type: u16,
}

/// What a redeemed code hands over.
#[derive(Debug, Clone, PartialEq)]
pub struct Redeemed {
    pub member: Member,
    pub verify: Verify,
    pub checks: Vec<RequestedCheck>,
}

/// A fresh random code.
pub fn new_code() -> String {
    let mut bytes = [0u8; CODE_LENGTH];
    getrandom::fill(&mut bytes).expect("the operating system has no random source");
    // 256 is a multiple of 8 but not of 24: drawing from 240 values keeps every letter equally
    // likely, by drawing again past them.
    bytes
        .iter()
        .map(|&b| {
            let mut b = b;
            while usize::from(b) >= 240 {
                let mut again = [0u8; 1];
                getrandom::fill(&mut again).expect("the operating system has no random source");
                b = again[0];
            }
            ALPHABET[usize::from(b) % ALPHABET.len()] as char
        })
        .collect()
}

/// Stores an invitation and returns its code.
pub async fn create(
    db: &Db,
    member: Member,
    verify: Verify,
    checks: Vec<RequestedCheck>,
    lifetime: Duration,
) -> Result<(String, i64), GatewayError> {
    let checks =
        serde_json::to_string(&checks).map_err(|err| GatewayError::Internal(err.to_string()))?;
    db.call(move |c| {
        let expires_at = unix_now() + lifetime.as_secs() as i64;
        // A collision is astronomically unlikely; a fresh code settles it anyway.
        loop {
            let code = new_code();
            let inserted = c.execute(
                "INSERT OR IGNORE INTO invitations (code, coworker_id, business_id, verify, checks, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![code, member.coworker_id, member.business_id, verify.name(), checks, expires_at],
            )?;
            if inserted == 1 {
                return Ok((code, expires_at));
            }
        }
    })
    .await
}

/// Uses up an invitation: the one answer for a live, unused code; `None` for any other (and for
/// text that cannot be a code).
pub async fn redeem(db: &Db, written: &str) -> Result<Option<Redeemed>, GatewayError> {
    let Some(code) = normalise(written) else {
        return Ok(None);
    };
    db.call(move |c| {
        let transaction = c.transaction()?;
        let now = unix_now();
        let found = transaction
            .query_row(
                "SELECT coworker_id, business_id, verify, checks FROM invitations WHERE code = ?1 AND redeemed_at IS NULL AND expires_at > ?2",
                params![code, now],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                    ))
                },
            )
            .optional()?;
        let Some((coworker_id, business_id, verify, checks)) = found else {
            return Ok(None);
        };
        transaction.execute(
            "UPDATE invitations SET redeemed_at = ?1 WHERE code = ?2",
            params![now, code],
        )?;
        transaction.commit()?;
        Ok(Some(Redeemed {
            member: Member { coworker_id, business_id },
            verify: Verify::parse(&verify).unwrap_or(Verify::Identity),
            checks: serde_json::from_str(&checks).unwrap_or_default(),
        }))
    })
    .await
}

/// Wrong codes per client: per IPv4 address, and per IPv6 /64 (the block one subscriber holds, in
/// which any one can pick a new address at will).
#[derive(Default)]
pub struct Lockouts {
    clients: Mutex<HashMap<IpAddr, Failures>>,
}

struct Failures {
    count: u32,
    last: Instant,
    locked_until: Option<Instant>,
    /// Digests of the distinct wrong codes counted (at most [`WRONG_CODES_ALLOWED`]): the same
    /// wrong code again (sent twice, or tried as an invitation and then as a hand-off, as a kiosk's
    /// code screen does) is no new guess.
    seen: Vec<String>,
}

/// The key a client's failures are counted under.
fn client_key(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V4(_) => client,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
    }
}

impl Lockouts {
    /// Refuses a client that is locked out.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), GatewayError> {
        let client = client_key(client);
        let mut clients = self.lock(now);
        match clients.get(&client).and_then(|f| f.locked_until) {
            Some(until) if until > now => Err(locked(until - now)),
            Some(_) => {
                clients.remove(&client);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Counts a wrong code; the error to answer with (the lock-out on the last allowed one).
    pub fn wrong_code(&self, client: IpAddr, now: Instant) -> GatewayError {
        self.count_wrong(client, now, None)
    }

    /// Counts the wrong code `written` unless this client already got that very code wrong (any
    /// case, spaces and dashes ignored), which only tells them again that it is wrong.
    pub fn wrong_written_code(&self, client: IpAddr, now: Instant, written: &str) -> GatewayError {
        let code = normalise(written).unwrap_or_else(|| written.trim().to_ascii_lowercase());
        self.count_wrong(client, now, Some(crate::member::digest(&code)))
    }

    fn count_wrong(&self, client: IpAddr, now: Instant, code: Option<String>) -> GatewayError {
        let client = client_key(client);
        let mut clients = self.lock(now);
        if clients.len() >= MAX_CLIENTS && !clients.contains_key(&client) {
            let idlest = clients
                .iter()
                .min_by_key(|(_, f)| f.last)
                .map(|(ip, _)| *ip);
            if let Some(idlest) = idlest {
                clients.remove(&idlest);
            }
        }
        let failures = clients.entry(client).or_insert(Failures {
            count: 0,
            last: now,
            locked_until: None,
            seen: Vec::new(),
        });
        failures.last = now;
        let again = code
            .as_ref()
            .is_some_and(|code| failures.seen.contains(code));
        if !again {
            failures.count += 1;
            if let Some(code) = code
                && failures.seen.len() < WRONG_CODES_ALLOWED as usize
            {
                failures.seen.push(code);
            }
        }
        if failures.count >= WRONG_CODES_ALLOWED {
            failures.locked_until = Some(now + LOCK_OUT);
            return locked(LOCK_OUT);
        }
        let mut violation =
            idcheck_core::violation::Violation::invalid_choice("Code", serde_json::Value::Null);
        violation.message = "is not a valid invitation code, or it was used or has expired".into();
        GatewayError::Validation(vec![violation])
    }

    pub fn forgive(&self, client: IpAddr, now: Instant) {
        self.lock(now).remove(&client_key(client));
    }

    /// How many clients the table holds at `now` (idle ones forgotten).
    pub fn tracked(&self, now: Instant) -> usize {
        self.lock(now).len()
    }

    /// The table, with clients idle for a whole lock-out forgotten: it never grows without bound.
    fn lock(&self, now: Instant) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Failures>> {
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        clients.retain(|_, f| {
            f.locked_until.is_some_and(|until| until > now) || now.duration_since(f.last) < LOCK_OUT
        });
        clients
    }
}

fn locked(wait: Duration) -> GatewayError {
    GatewayError::LockedOut {
        retry_after_secs: wait.as_secs().max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_eight_unambiguous_characters() {
        for _ in 0..200 {
            let code = new_code();
            assert_eq!(code.len(), CODE_LENGTH);
            assert!(code.bytes().all(|b| ALPHABET.contains(&b)), "{code}");
            assert!(!code.contains(['0', 'O', '1', 'I', 'L', '5', 'S', '8', 'B', '2', 'Z']));
        }
    }

    #[tokio::test]
    async fn an_invitation_is_used_once_and_not_after_it_expires() {
        let db = Db::open(&crate::config::Database::Memory).unwrap();
        let member = Member {
            coworker_id: 2,
            business_id: 1,
        };
        let checks = vec![RequestedCheck {
            id: 7,
            verification_type: 1,
        }];
        let (code, _) = create(
            &db,
            member,
            Verify::Identity,
            checks.clone(),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
        let redeemed = redeem(&db, &code.to_lowercase())
            .await
            .unwrap()
            .expect("a live code");
        assert_eq!(
            redeemed,
            Redeemed {
                member,
                verify: Verify::Identity,
                checks
            }
        );
        assert_eq!(redeem(&db, &code).await.unwrap(), None, "single use");
        let (expired, _) = create(&db, member, Verify::Both, vec![], Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(redeem(&db, &expired).await.unwrap(), None, "expired");
    }

    #[test]
    fn five_wrong_codes_lock_a_client_out_for_fifteen_minutes() {
        let lockouts = Lockouts::default();
        let (client, other): (IpAddr, IpAddr) =
            ("127.0.0.1".parse().unwrap(), "127.0.0.2".parse().unwrap());
        let now = Instant::now();
        for _ in 0..4 {
            assert!(lockouts.check(client, now).is_ok());
            assert!(matches!(
                lockouts.wrong_code(client, now),
                GatewayError::Validation(_)
            ));
        }
        assert!(matches!(
            lockouts.wrong_code(client, now),
            GatewayError::LockedOut {
                retry_after_secs: 900
            }
        ));
        assert!(
            lockouts
                .check(client, now + Duration::from_secs(60))
                .is_err()
        );
        assert!(
            lockouts.check(other, now).is_ok(),
            "other clients are not affected"
        );
        assert!(
            lockouts
                .check(client, now + LOCK_OUT + Duration::from_secs(1))
                .is_ok()
        );
    }

    #[test]
    fn the_same_wrong_code_again_is_no_new_guess() {
        let lockouts = Lockouts::default();
        let client: IpAddr = "127.0.0.3".parse().unwrap();
        let now = Instant::now();
        // One typo sent ten times, in any form: one guess.
        for written in ["KXXX-XXXX", "kxxxxxxx", " KXXX XXXX "]
            .iter()
            .cycle()
            .take(10)
        {
            assert!(matches!(
                lockouts.wrong_written_code(client, now, written),
                GatewayError::Validation(_)
            ));
        }
        // Four more distinct codes make five: locked out.
        for code in ["KAAAAAAA", "KCCCCCCC", "KDDDDDDD"] {
            assert!(matches!(
                lockouts.wrong_written_code(client, now, code),
                GatewayError::Validation(_)
            ));
        }
        assert!(matches!(
            lockouts.wrong_written_code(client, now, "KEEEEEEE"),
            GatewayError::LockedOut { .. }
        ));
    }
}
