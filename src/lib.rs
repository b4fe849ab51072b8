//! Hosted Onboarding: a self-hostable service, wire-compatible with Increase's
//! Entity Onboarding Sessions API, that onboards a platform's customers through
//! a hosted web form.

pub mod api;
pub mod cli;
pub mod clock;
pub mod config;
pub mod custody;
pub mod domain;
pub mod edge;
pub mod links;
pub mod operator;
pub mod probes;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod usecases;
pub mod web;
pub mod workers;
