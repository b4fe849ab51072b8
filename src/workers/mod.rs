//! Background loops.

pub mod expiry;
