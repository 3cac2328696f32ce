//! One module per step of the flow, in the order the member meets them.

pub mod welcome;
