//! One module per step of the flow, in the order the member meets them.

pub mod capture;
pub mod details;
pub mod document;
pub mod purpose;
pub mod review;
pub mod submitted;
pub mod welcome;
