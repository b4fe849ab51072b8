//! Integration tests of the JSON API and the hosted pages, each against a real
//! server on port 0 with a fresh database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod auth;
mod cli;
mod entities;
mod errors;
mod form;
mod form_page;
mod helpers;
mod idempotency;
mod programs;
mod sdk;
mod sessions;
mod tasks;
