//! End-to-end journeys: headless Chromium, driven through WebDriver, completes
//! onboarding on a real server, checked with axe-core on every page state.
//!
//! Needs Debian's `chromium` and `chromium-driver`, and `axe-core` from npm
//! (`npm install --no-save axe-core`). Without them the tests are skipped with
//! one line saying so, except when `CI` is set: then they must run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod browser;
mod journeys;
mod receiver;
