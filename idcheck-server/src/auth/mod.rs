//! Who is calling, and what they may do: four concerns, one module each, none of which imports
//! another's parent.
//!
//! - [`password`]: Argon2id hashes, verifying in equal time whether or not the user exists.
//! - [`tokens`]: opaque bearer tokens, stored as digests; access tokens of an hour, refresh tokens
//!   rotated in families (reusing a spent one revokes the family), revocation.
//! - [`roles`]: the seeds' roles and the signed-in user; pure, no I/O.
//! - [`request`]: the middleware that turns `Authorization` into that user (and applies the rate
//!   limits), and the extractors handlers take.

pub mod password;
pub mod request;
pub mod roles;
pub mod tokens;
