//! The SQLite database: opening it, the schema and its migrations, and the demo data seeded on the
//! first start of a database (and the demo users added since, given once to an older database).
//!
//! One connection behind a mutex: a local server for one person and the tests needs no pool, and a
//! single writer makes every write's transaction trivially isolated.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};

use crate::auth::password;
use crate::auth::roles::Role;
use crate::config::DatabaseLocation;

/// Each entry moves the schema one version on; `PRAGMA user_version` says how many have run.
/// Append only: a database created by an older build is migrated by running the entries it lacks.
const MIGRATIONS: &[&str] = &[
    // 1: the whole schema of the first release.
    r#"
    CREATE TABLE businesses (
        id   INTEGER PRIMARY KEY,
        name TEXT NOT NULL
    );
    CREATE TABLE coworkers (
        id           INTEGER PRIMARY KEY,
        business_id  INTEGER NOT NULL REFERENCES businesses(id),
        full_name    TEXT NOT NULL,
        coworker_type TEXT,
        company_name TEXT,
        billing_name TEXT,
        email        TEXT
    );
    CREATE TABLE users (
        id            INTEGER PRIMARY KEY,
        email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        is_admin      INTEGER NOT NULL DEFAULT 0,
        coworker_id   INTEGER REFERENCES coworkers(id)
    );
    CREATE TABLE user_roles (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role    TEXT NOT NULL,
        PRIMARY KEY (user_id, role)
    );
    CREATE TABLE tokens (
        digest     TEXT PRIMARY KEY,
        kind       TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
        user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        expires_at INTEGER NOT NULL
    );
    CREATE TABLE identity_checks (
        id                                 INTEGER PRIMARY KEY AUTOINCREMENT,
        unique_id                          TEXT NOT NULL UNIQUE,
        business_id                        INTEGER NOT NULL REFERENCES businesses(id),
        coworker_id                        INTEGER NOT NULL REFERENCES coworkers(id),
        name                               TEXT NOT NULL,
        identity_check_provider            INTEGER NOT NULL,
        identity_document_type             INTEGER NOT NULL,
        identity_document_number           TEXT,
        identity_document_issued_by        TEXT,
        identity_document_expiration_date  TEXT,
        address_document_type              INTEGER NOT NULL,
        verification_type                  INTEGER NOT NULL,
        description                        TEXT,
        verification_status                INTEGER NOT NULL,
        last_error                         TEXT,
        billed                             INTEGER NOT NULL DEFAULT 0,
        proposal_guid                      TEXT,
        coworker_contract_guid             TEXT,
        contract_contact_guid              TEXT,
        stripe_verification_session_id     TEXT,
        identity_check_group_guid          TEXT,
        identity_check_provider1           INTEGER NOT NULL DEFAULT 0,
        verification_type1                 INTEGER NOT NULL DEFAULT 0,
        description1                       TEXT,
        identity_check_provider2           INTEGER NOT NULL DEFAULT 0,
        verification_type2                 INTEGER NOT NULL DEFAULT 0,
        description2                       TEXT,
        system_id                          TEXT,
        created_on                         TEXT NOT NULL,
        updated_on                         TEXT NOT NULL,
        updated_by                         TEXT
    );
    CREATE INDEX identity_checks_coworker ON identity_checks(coworker_id);
    CREATE TABLE identity_check_documents (
        id                        INTEGER PRIMARY KEY AUTOINCREMENT,
        unique_id                 TEXT NOT NULL UNIQUE,
        coworker_id               INTEGER NOT NULL REFERENCES coworkers(id),
        check_id                  INTEGER NOT NULL REFERENCES identity_checks(id) ON DELETE CASCADE,
        name                      TEXT NOT NULL,
        photo_file                TEXT,
        document_file             TEXT,
        additional_document_file  TEXT,
        verification_status       INTEGER NOT NULL,
        notes                     TEXT,
        system_id                 TEXT,
        created_on                TEXT NOT NULL,
        updated_on                TEXT NOT NULL,
        updated_by                TEXT
    );
    CREATE INDEX identity_check_documents_check ON identity_check_documents(check_id);
    CREATE INDEX identity_check_documents_coworker ON identity_check_documents(coworker_id);
    CREATE TABLE uploads (
        name         TEXT PRIMARY KEY,
        user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        content_type TEXT NOT NULL,
        size         INTEGER NOT NULL,
        created_on   TEXT NOT NULL
    );
    "#,
    // 2: MasStack's identifications with identity document (seed 004). The organisations are
    // reference data rather than demo data, so they come with the schema and reach old databases.
    // EXPIRED is never stored: it is a pending identification read after its `expires_at`.
    r#"
    CREATE TABLE masstack_orgs (
        name TEXT PRIMARY KEY
    );
    INSERT INTO masstack_orgs (name) VALUES ('masmovil'), ('yoigo');
    CREATE TABLE masstack_identifications (
        id                 TEXT PRIMARY KEY,
        org_id             TEXT NOT NULL REFERENCES masstack_orgs(name),
        state              TEXT NOT NULL CHECK (state IN ('PENDING', 'COMPLETED', 'CANCELLED')),
        name               TEXT,
        last_name          TEXT,
        document_number    TEXT NOT NULL,
        document_type      TEXT NOT NULL,
        country            TEXT,
        configuration_name TEXT,
        expires_in         TEXT NOT NULL,
        expires_at         TEXT NOT NULL,
        scoring_provider   TEXT,
        created_at         TEXT NOT NULL,
        created_by         INTEGER REFERENCES users(id) ON DELETE SET NULL,
        cancel_reason      TEXT,
        updated_at         TEXT NOT NULL
    );
    CREATE INDEX masstack_identifications_org ON masstack_identifications(org_id);
    "#,
    // 3: no schema change. The demo users `member2@` and `gateway@` came with it; a database that
    // was seeded before is given the demo users it lacks when it migrates past this version (see
    // `seed_demo_data`: password hashes are computed in Rust, so SQL cannot insert them).
    "",
    // 4: hardening. Tokens belong to a family (a sign-in and its refreshes) and a refresh token is
    // spent once used, so a reuse is noticed; an older token is a family of its own. Uploads
    // carry their time in seconds, for the retention sweep.
    r#"
    ALTER TABLE tokens ADD COLUMN family TEXT;
    ALTER TABLE tokens ADD COLUMN used INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX tokens_family ON tokens(family);
    ALTER TABLE uploads ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
    UPDATE uploads SET created_at = COALESCE(CAST(strftime('%s', created_on) AS INTEGER), 0);
    CREATE INDEX uploads_created_at ON uploads(created_at);
    "#,
];

/// The schema version with which [`DEMO_USERS`] last grew.
const DEMO_USERS_VERSION: i64 = 3;

/// A demo user as seeded and as announced on start.
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub email: &'static str,
    pub password: &'static str,
    pub is_admin: bool,
    pub roles: &'static [Role],
    pub coworker_id: Option<i64>,
}

impl DemoUser {
    /// The roles as printed: an administrator holds every role.
    pub fn role_names(&self) -> Vec<&'static str> {
        let roles: &[Role] = if self.is_admin { Role::ALL } else { self.roles };
        let mut names: Vec<&'static str> = roles.iter().map(|r| r.name()).collect();
        if self.is_admin {
            names.insert(0, "FullUnrestrictedAdministrator");
        }
        names
    }
}

/// What the component needs of a member. List lets it find a record whose answer was lost before
/// it retries, so a retry never creates a second check or document.
const MEMBER_ROLES: &[Role] = &[
    Role::CheckCreate,
    Role::CheckRead,
    Role::CheckList,
    Role::DocumentCreate,
    Role::DocumentRead,
    Role::DocumentList,
];

/// Fixed so the README can list them; this server is for a developer's machine and tests only.
/// Append new ones: tests and tools find a user by the start of its login, the first match winning.
pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        email: "admin@example.com",
        password: "admin-demo-password",
        is_admin: true,
        roles: &[],
        coworker_id: None,
    },
    DemoUser {
        email: "reviewer@example.com",
        password: "reviewer-demo-password",
        is_admin: false,
        roles: &[
            Role::CheckRead,
            Role::CheckList,
            Role::CheckEdit,
            Role::DocumentRead,
            Role::DocumentList,
            Role::DocumentEdit,
        ],
        coworker_id: None,
    },
    DemoUser {
        email: "member@example.com",
        password: "member-demo-password",
        is_admin: false,
        roles: MEMBER_ROLES,
        coworker_id: Some(1),
    },
    // A second member of business 1, so that one member's records can be shown (and tested) to
    // stay out of another's reach.
    DemoUser {
        email: "member2@example.com",
        password: "member2-demo-password",
        is_admin: false,
        roles: MEMBER_ROLES,
        coworker_id: Some(2),
    },
    // The gateway's upstream account. A Nexudus App asks for the roles it needs rather than being
    // an unrestricted administrator: Edit fills a member's answers into an operator-requested
    // check; it never deletes, nor edits a document.
    DemoUser {
        email: "gateway@example.com",
        password: "gateway-demo-password",
        is_admin: false,
        roles: &[
            Role::CheckCreate,
            Role::CheckRead,
            Role::CheckList,
            Role::CheckEdit,
            Role::DocumentCreate,
            Role::DocumentRead,
            Role::DocumentList,
        ],
        coworker_id: None,
    },
];

const DEMO_BUSINESSES: &[(i64, &str)] = &[(1, "Coworking Central"), (2, "Harbour Hub")];

/// (Id, BusinessId, FullName, CoworkerType, CompanyName, BillingName, e-mail)
type DemoCoworker = (
    i64,
    i64,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
);
const DEMO_COWORKERS: &[DemoCoworker] = &[
    (
        1,
        1,
        "Alex Member",
        "Member",
        Some("Alex Studio Ltd"),
        "Alex Member",
        "member@example.com",
    ),
    (
        2,
        1,
        "Bea Traveller",
        "Member",
        None,
        "Bea Traveller",
        "member2@example.com",
    ),
    (
        3,
        2,
        "Chris Teamwork",
        "TeamMember",
        Some("Harbour Startups"),
        "Harbour Startups Ltd",
        "chris@example.com",
    ),
    (
        4,
        2,
        "Dana Resident",
        "Member",
        Some("Dana Design"),
        "Dana Design SL",
        "dana@example.com",
    ),
];

/// The shared connection.
#[derive(Clone)]
pub struct Db {
    connection: Arc<Mutex<Connection>>,
}

impl Db {
    /// Opens (creating when needed) and migrates the database, seeding demo data into a new one.
    pub fn open(location: &DatabaseLocation) -> Result<Db, String> {
        let mut connection = match location {
            DatabaseLocation::Memory => Connection::open_in_memory(),
            DatabaseLocation::File(path) => {
                create_parent(path)?;
                Connection::open(path)
            }
        }
        .map_err(|err| format!("cannot open the database: {err}"))?;
        connection
            .execute_batch("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")
            .map_err(|err| format!("cannot configure the database: {err}"))?;
        if matches!(location, DatabaseLocation::File(_)) {
            // WAL keeps a reader of the file (a developer's sqlite3 shell) from blocking the server.
            connection
                .query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
                .map_err(|err| format!("cannot configure the database: {err}"))?;
        }
        let found = migrate(&mut connection)
            .map_err(|err| format!("cannot migrate the database: {err}"))?;
        seed_demo_data(&mut connection, found)
            .map_err(|err| format!("cannot seed the demo data: {err}"))?;
        Ok(Db {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `work` on the connection off the async threads (SQLite calls block), holding the one
    /// lock: keep slow work (hashing, file I/O) out of `work`. The handlers' form, with their
    /// error type, is `Db::call` (in `state`).
    pub async fn run<T, F>(&self, work: F) -> Result<T, TaskFailed>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> T + Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            let mut guard = connection
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            work(&mut guard)
        })
        .await
        .map_err(|err| TaskFailed(err.to_string()))
    }
}

/// A database task that did not run to its end (it panicked or was cancelled).
#[derive(Debug, Clone)]
pub struct TaskFailed(pub String);

impl std::fmt::Display for TaskFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "database task failed: {}", self.0)
    }
}

fn create_parent(path: &Path) -> Result<(), String> {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => std::fs::create_dir_all(parent)
            .map_err(|err| format!("cannot create {}: {err}", parent.display())),
        _ => Ok(()),
    }
}

/// Runs the migrations the database lacks and returns the version it had before.
fn migrate(connection: &mut Connection) -> rusqlite::Result<i64> {
    let version: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let done = usize::try_from(version).unwrap_or(0);
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(done) {
        let transaction = connection.transaction()?;
        transaction.execute_batch(migration)?;
        transaction.pragma_update(None, "user_version", index as i64 + 1)?;
        transaction.commit()?;
    }
    Ok(version)
}

/// Seeds a database without users. A database that already has users is never re-seeded, so a
/// developer's own data is never overwritten; but one that was at a version before
/// [`DEMO_USERS_VERSION`] (`found`) is given, once, the demo users it lacks, so that the users
/// announced at start can sign in there too. A demo user whose login is taken, or whose coworker
/// is gone, is left out.
fn seed_demo_data(connection: &mut Connection, found: i64) -> rusqlite::Result<()> {
    let users: i64 = connection.query_row("SELECT COUNT(*) FROM users", [], |row| row.get(0))?;
    if users > 0 {
        if found >= DEMO_USERS_VERSION {
            return Ok(());
        }
        let transaction = connection.transaction()?;
        for user in DEMO_USERS {
            let taken = transaction
                .query_row("SELECT 1 FROM users WHERE email = ?1", [user.email], |_| {
                    Ok(())
                })
                .optional()?
                .is_some();
            let coworker_gone = match user.coworker_id {
                Some(id) => !exists(&transaction, "coworkers", id)?,
                None => false,
            };
            if !taken && !coworker_gone {
                insert_demo_user(&transaction, user)?;
            }
        }
        return transaction.commit();
    }
    let transaction = connection.transaction()?;
    for (id, name) in DEMO_BUSINESSES {
        transaction.execute(
            "INSERT INTO businesses (id, name) VALUES (?1, ?2)",
            params![id, name],
        )?;
    }
    for (id, business, full_name, kind, company, billing, email) in DEMO_COWORKERS {
        transaction.execute(
            "INSERT INTO coworkers (id, business_id, full_name, coworker_type, company_name, billing_name, email)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![id, business, full_name, kind, company, billing, email],
        )?;
    }
    for user in DEMO_USERS {
        insert_demo_user(&transaction, user)?;
    }
    transaction.commit()
}

fn insert_demo_user(c: &Connection, user: &DemoUser) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO users (email, password_hash, is_admin, coworker_id) VALUES (?1, ?2, ?3, ?4)",
        params![
            user.email,
            password::hash_password(user.password),
            user.is_admin,
            user.coworker_id
        ],
    )?;
    let user_id = c.last_insert_rowid();
    for role in user.roles {
        c.execute(
            "INSERT INTO user_roles (user_id, role) VALUES (?1, ?2)",
            params![user_id, role.name()],
        )?;
    }
    Ok(())
}

/// Whether a row with this id exists in `table` (a constant of ours, never user input).
pub fn exists(connection: &Connection, table: &'static str, id: i64) -> rusqlite::Result<bool> {
    connection
        .query_row(
            &format!("SELECT 1 FROM {table} WHERE id = ?1"),
            [id],
            |_| Ok(()),
        )
        .optional()
        .map(|found| found.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_database_is_migrated_and_seeded_once() {
        let mut connection = Connection::open_in_memory().unwrap();
        let found = migrate(&mut connection).unwrap();
        assert_eq!(found, 0);
        seed_demo_data(&mut connection, found).unwrap();
        // A second start finds the data and leaves it alone.
        let found = migrate(&mut connection).unwrap();
        assert_eq!(found, MIGRATIONS.len() as i64);
        seed_demo_data(&mut connection, found).unwrap();
        let version: i64 = connection
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        let users: i64 = connection
            .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
            .unwrap();
        assert_eq!(users, DEMO_USERS.len() as i64);
        let coworkers: i64 = connection
            .query_row("SELECT COUNT(*) FROM coworkers", [], |r| r.get(0))
            .unwrap();
        assert_eq!(coworkers, DEMO_COWORKERS.len() as i64);
        assert!(exists(&connection, "businesses", 2).unwrap());
        assert!(!exists(&connection, "businesses", 3).unwrap());
    }

    #[test]
    fn a_first_release_database_gains_masstack_and_keeps_its_data() {
        let mut connection = Connection::open_in_memory().unwrap();
        connection.execute_batch(MIGRATIONS[0]).unwrap();
        connection.pragma_update(None, "user_version", 1).unwrap();
        seed_demo_data(&mut connection, 0).unwrap();
        assert_eq!(migrate(&mut connection).unwrap(), 1);
        let users: i64 = connection
            .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
            .unwrap();
        assert_eq!(users, DEMO_USERS.len() as i64);
        let mut statement = connection
            .prepare("SELECT name FROM masstack_orgs ORDER BY name")
            .unwrap();
        let orgs: Vec<String> = statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(orgs, ["masmovil", "yoigo"]);
        let stored_states = connection.execute(
            "INSERT INTO masstack_identifications (id, org_id, state, document_number, document_type,
                 expires_in, expires_at, created_at, updated_at)
             VALUES ('x', 'masmovil', 'EXPIRED', '1', 'NIF', 'P1D', 't', 't', 't')",
            [],
        );
        assert!(stored_states.is_err(), "EXPIRED is derived, never stored");
    }

    /// A database as a build of schema version 2 created and seeded it.
    fn at_version_2() -> Connection {
        let connection = Connection::open_in_memory().unwrap();
        for migration in &MIGRATIONS[..2] {
            connection.execute_batch(migration).unwrap();
        }
        connection.pragma_update(None, "user_version", 2).unwrap();
        let mut connection = connection;
        seed_demo_data(&mut connection, 0).unwrap();
        connection
    }

    fn logins(connection: &Connection) -> Vec<String> {
        let mut statement = connection
            .prepare("SELECT email FROM users ORDER BY id")
            .unwrap();
        statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn roles_of(connection: &Connection, login: &str) -> Vec<String> {
        let mut statement = connection
            .prepare(
                "SELECT r.role FROM user_roles r JOIN users u ON u.id = r.user_id
                 WHERE u.email = ?1 ORDER BY r.role",
            )
            .unwrap();
        statement
            .query_map([login], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn a_database_seeded_before_the_new_demo_users_gains_them_once() {
        let mut connection = at_version_2();
        // As an older build left it: without the two later demo users, at version 2, and with a
        // user of the developer's own.
        connection
            .execute_batch(
                "DELETE FROM users WHERE email IN ('member2@example.com', 'gateway@example.com');
                 INSERT INTO users (email, password_hash) VALUES ('mine@example.com', 'x');
                 PRAGMA user_version = 2;",
            )
            .unwrap();
        let found = migrate(&mut connection).unwrap();
        assert_eq!(found, 2);
        seed_demo_data(&mut connection, found).unwrap();
        let mut expected: Vec<String> = DEMO_USERS[..3].iter().map(|u| u.email.into()).collect();
        expected.extend(
            [
                "mine@example.com",
                "member2@example.com",
                "gateway@example.com",
            ]
            .map(String::from),
        );
        assert_eq!(logins(&connection), expected);
        let member2_coworker: i64 = connection
            .query_row(
                "SELECT coworker_id FROM users WHERE email = 'member2@example.com'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(member2_coworker, 2);
        assert_eq!(roles_of(&connection, "gateway@example.com").len(), 7);
        assert!(
            password::verify_password(
                "gateway-demo-password",
                &connection
                    .query_row(
                        "SELECT password_hash FROM users WHERE email = 'gateway@example.com'",
                        [],
                        |row| row.get::<_, String>(0),
                    )
                    .unwrap()
            ),
            "the added user signs in with its announced password"
        );

        // Only once: a demo user the developer then removes stays removed.
        connection
            .execute("DELETE FROM users WHERE email = 'gateway@example.com'", [])
            .unwrap();
        let found = migrate(&mut connection).unwrap();
        seed_demo_data(&mut connection, found).unwrap();
        assert!(!logins(&connection).contains(&"gateway@example.com".to_string()));
    }

    #[test]
    fn a_demo_user_whose_login_is_taken_or_coworker_gone_is_left_out() {
        let mut connection = at_version_2();
        connection
            .execute_batch(
                "DELETE FROM users WHERE email IN ('member2@example.com', 'gateway@example.com');
                 DELETE FROM coworkers WHERE id = 2;
                 INSERT INTO users (email, password_hash) VALUES ('GATEWAY@example.com', 'mine');
                 PRAGMA user_version = 2;",
            )
            .unwrap();
        let found = migrate(&mut connection).unwrap();
        seed_demo_data(&mut connection, found).unwrap();
        let logins = logins(&connection);
        assert!(
            !logins.contains(&"member2@example.com".to_string()),
            "{logins:?}"
        );
        assert_eq!(logins.len(), 4, "{logins:?}");
        assert!(
            roles_of(&connection, "gateway@example.com").is_empty(),
            "the developer's user is untouched"
        );
    }

    #[test]
    fn the_member_holds_only_what_the_component_needs() {
        let member = DEMO_USERS
            .iter()
            .find(|u| u.email == "member@example.com")
            .unwrap();
        assert_eq!(
            member.role_names(),
            [
                "CoworkerIdentityCheck-Create",
                "CoworkerIdentityCheck-Read",
                "CoworkerIdentityCheck-List",
                "CoworkerIdentityCheckDocument-Create",
                "CoworkerIdentityCheckDocument-Read",
                "CoworkerIdentityCheckDocument-List"
            ]
        );
        let admin = DEMO_USERS.iter().find(|u| u.is_admin).unwrap();
        assert_eq!(admin.role_names().len(), Role::ALL.len() + 1);
        let member2 = DEMO_USERS
            .iter()
            .find(|u| u.email == "member2@example.com")
            .unwrap();
        assert_eq!(member2.role_names(), member.role_names());
        assert_eq!(
            (member.coworker_id, member2.coworker_id),
            (Some(1), Some(2))
        );
        let coworker_2_business = DEMO_COWORKERS.iter().find(|c| c.0 == 2).unwrap().1;
        assert_eq!(coworker_2_business, 1, "both members belong to business 1");
    }

    #[test]
    fn the_gateway_holds_the_roles_it_forwards_and_no_more() {
        let gateway = DEMO_USERS
            .iter()
            .find(|u| u.email == "gateway@example.com")
            .unwrap();
        assert!(!gateway.is_admin);
        assert_eq!(gateway.coworker_id, None);
        assert_eq!(
            gateway.role_names(),
            [
                "CoworkerIdentityCheck-Create",
                "CoworkerIdentityCheck-Read",
                "CoworkerIdentityCheck-List",
                "CoworkerIdentityCheck-Edit",
                "CoworkerIdentityCheckDocument-Create",
                "CoworkerIdentityCheckDocument-Read",
                "CoworkerIdentityCheckDocument-List"
            ]
        );
    }
}
