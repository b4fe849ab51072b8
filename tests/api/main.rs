//! Integration tests of the JSON API and the hosted pages, each against a real
//! server on port 0 with a fresh database. They need nothing from the machine;
//! tests that do live in their own binaries (`e2e`, `postgres`, `sdk`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod auth;
mod branded_pages;
mod branding;
mod cli;
mod client_ip;
mod control_characters;
mod custody;
mod durability;
mod entities;
mod errors;
mod events;
mod form;
mod form_page;
mod helpers;
mod idempotency;
mod languages;
mod logs;
mod openapi;
mod operability;
mod programs;
mod rate_limits;
mod sessions;
mod shapes;
mod slow_clients;
mod tasks;
mod transport;
