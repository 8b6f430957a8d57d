//! Self-contained widgets of the lab: each needs only a [`crate::lab::Lab`] in context.

pub mod architecture;
pub mod lazy;
