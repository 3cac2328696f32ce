//! The roles the seeds name, the signed-in user, and the markers endpoints demand. Pure: no I/O,
//! no HTTP (a missing role is a [`MissingRole`]; the error module turns it into the 403).

/// The roles the seeds name; a full unrestricted administrator holds them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    CheckCreate,
    CheckRead,
    CheckList,
    CheckEdit,
    CheckDelete,
    DocumentCreate,
    DocumentRead,
    DocumentList,
    DocumentEdit,
    DocumentDelete,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Role::CheckCreate,
        Role::CheckRead,
        Role::CheckList,
        Role::CheckEdit,
        Role::CheckDelete,
        Role::DocumentCreate,
        Role::DocumentRead,
        Role::DocumentList,
        Role::DocumentEdit,
        Role::DocumentDelete,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::CheckCreate => "CoworkerIdentityCheck-Create",
            Role::CheckRead => "CoworkerIdentityCheck-Read",
            Role::CheckList => "CoworkerIdentityCheck-List",
            Role::CheckEdit => "CoworkerIdentityCheck-Edit",
            Role::CheckDelete => "CoworkerIdentityCheck-Delete",
            Role::DocumentCreate => "CoworkerIdentityCheckDocument-Create",
            Role::DocumentRead => "CoworkerIdentityCheckDocument-Read",
            Role::DocumentList => "CoworkerIdentityCheckDocument-List",
            Role::DocumentEdit => "CoworkerIdentityCheckDocument-Edit",
            Role::DocumentDelete => "CoworkerIdentityCheckDocument-Delete",
        }
    }
}

/// The user a valid bearer token belongs to.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: i64,
    pub email: String,
    pub is_admin: bool,
    pub roles: Vec<String>,
}

/// A user lacks the role a request needs (the 403).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingRole {
    pub user: String,
    pub role: &'static str,
}

impl AuthUser {
    pub fn has(&self, role: Role) -> bool {
        self.is_admin || self.roles.iter().any(|r| r == role.name())
    }

    pub fn require(&self, role: Role) -> Result<(), MissingRole> {
        self.require_any(&[role])
    }

    /// Unless the user holds at least one of `roles`, names the first as missing.
    pub fn require_any(&self, roles: &[Role]) -> Result<(), MissingRole> {
        match roles.iter().find(|role| self.has(**role)) {
            Some(_) => Ok(()),
            None => Err(MissingRole {
                user: self.email.clone(),
                role: roles[0].name(),
            }),
        }
    }
}

/// What an endpoint demands of its user; see [`can`].
pub trait NeedsRole {
    /// Any one of these roles will do.
    const ROLES: &'static [Role];
}

/// The role markers of the endpoints, named after what they allow.
pub mod can {
    use super::{NeedsRole, Role};

    macro_rules! markers {
        ($($(#[$doc:meta])* $name:ident => [$($role:ident),+];)+) => {
            $(
                $(#[$doc])*
                pub struct $name;
                impl NeedsRole for $name {
                    const ROLES: &'static [Role] = &[$(Role::$role),+];
                }
            )+
        };
    }

    markers! {
        CreateCheck => [CheckCreate];
        ReadCheck => [CheckRead];
        ListChecks => [CheckList];
        EditCheck => [CheckEdit];
        DeleteCheck => [CheckDelete];
        CreateDocument => [DocumentCreate];
        ReadDocument => [DocumentRead];
        ListDocuments => [DocumentList];
        EditDocument => [DocumentEdit];
        DeleteDocument => [DocumentDelete];
        /// Uploading is the first step of creating either record.
        Upload => [CheckCreate, DocumentCreate];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administrators_hold_every_role() {
        let admin = AuthUser {
            id: 1,
            email: "a".into(),
            is_admin: true,
            roles: vec![],
        };
        assert!(Role::ALL.iter().all(|r| admin.has(*r)));
        let member = AuthUser {
            id: 2,
            email: "m".into(),
            is_admin: false,
            roles: vec![Role::CheckRead.name().into()],
        };
        assert!(member.require(Role::CheckRead).is_ok());
        assert_eq!(
            member.require(Role::CheckEdit),
            Err(MissingRole {
                user: "m".into(),
                role: "CoworkerIdentityCheck-Edit"
            })
        );
        assert!(
            member
                .require_any(&[Role::DocumentCreate, Role::CheckRead])
                .is_ok()
        );
    }
}
