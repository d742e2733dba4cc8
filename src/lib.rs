//! trellis: one binary for the architecture, dependencies, contracts and
//! history of Go and Rust microservice repositories.

// Anything not used outside the crate says so: `pub(crate)`.
#![warn(unreachable_pub)]

mod cache;
pub mod cli;
pub mod commands;
pub mod config;
pub mod contract;
pub mod drift;
pub mod error;
mod fsutil;
#[cfg(test)]
mod fuzz;
pub mod git;
pub mod gomod;
pub mod lint;
mod logging;
pub mod policy;
mod process;
mod redact;
mod registry;
pub mod repo;
pub mod report;
pub mod rules;
mod scaffold;
mod score;
