//! The one integration test binary (link time matters on 2 cores).

mod support;

mod config;
mod drift;
mod git;
mod report;
mod services;
