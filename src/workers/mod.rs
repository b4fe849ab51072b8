//! Background loops.

pub mod expiry;
pub mod webhooks;
