//! The Nexudus identity-check records, enums and envelopes, with the JSON names, enum numbers and
//! shapes of the API documents (`shared/seeds` 000–003). These types are the contract: a client
//! that works against the local server must work against Nexudus unchanged.
//!
//! Rust fields are `snake_case`; the JSON names are the seeds' `PascalCase` ones.

mod enums;
mod envelopes;
mod records;

pub use enums::{
    AddressDocumentType, ApiEnum, IdentityCheckProvider, IdentityDocumentType, VerificationStatus,
    VerificationType,
};
pub use envelopes::{
    ApiValidationError, CreatedValue, ListEnvelope, SortDirection, Tristate, WriteEnvelope,
};
pub use records::{
    Business, Coworker, CoworkerIdentityCheck, CoworkerIdentityCheckDocument,
    NewCoworkerIdentityCheck, NewCoworkerIdentityCheckDocument,
};
