//! The state machine of an identification: where it is in its life, what may happen to it next
//! (the administrator's cancel, the actor's `validate`), and how expiry ends a pending one. The
//! server keeps the state and the clock; this only says which moves are allowed.

use super::string_enum::string_enum;

string_enum! {
    /// Where an identification is in its life. Only a pending one can still change.
    IdentificationState {
        /// Created, waiting for the person to identify themselves.
        Pending = "PENDING",
        /// The person was identified (the actor's `validate`).
        Completed = "COMPLETED",
        /// An administrator cancelled it.
        Cancelled = "CANCELLED",
        /// It was still pending when `expires_at` passed.
        Expired = "EXPIRED",
    }
}

/// What can happen to an identification after it is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentificationAction {
    /// The administrator's cancel, with a reason.
    Cancel,
    /// The actor's `validate`: the person has been identified.
    Validate,
}

impl IdentificationState {
    /// Whether nothing can change it any more: everything but `Pending`.
    pub const fn is_final(self) -> bool {
        !matches!(self, Self::Pending)
    }

    /// The state after `action`, or `None` when this state forbids it (the API's 409).
    pub const fn after(self, action: IdentificationAction) -> Option<Self> {
        match (self, action) {
            (Self::Pending, IdentificationAction::Cancel) => Some(Self::Cancelled),
            (Self::Pending, IdentificationAction::Validate) => Some(Self::Completed),
            _ => None,
        }
    }

    /// The state as seen once `expires_at` has or has not passed: expiry only ends a pending
    /// identification, so a completed or cancelled one keeps its state for ever.
    pub const fn as_of(self, past_expiry: bool) -> Self {
        match self {
            Self::Pending if past_expiry => Self::Expired,
            state => state,
        }
    }
}
