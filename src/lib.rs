//! trellis: one binary for the architecture, dependencies, contracts and
//! history of Go and Rust microservice repositories.

pub mod cache;
pub mod cli;
pub mod commands;
pub mod config;
pub mod contract;
pub mod drift;
pub mod error;
pub mod fsutil;
#[cfg(test)]
mod fuzz;
pub mod git;
pub mod gomod;
pub mod lint;
pub mod logging;
pub mod policy;
pub mod process;
pub mod redact;
pub mod registry;
pub mod repo;
pub mod report;
pub mod rules;
pub mod scaffold;
pub mod score;
