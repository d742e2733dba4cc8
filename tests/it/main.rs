//! The one integration test binary (link time matters on 2 cores).

mod support;

mod add_rule;
mod check;
mod code_shape;
mod config;
mod contract;
mod drift;
mod git;
mod hostile;
mod lint;
mod report;
mod scaffold;
mod scaffold_lint;
mod score;
mod services;
mod sink;
