//! The one integration test binary (link time matters on 2 cores).

mod support;

mod action;
mod add_rule;
mod check;
mod code_shape;
mod config;
mod contract;
mod drift;
mod git;
mod hostile;
mod install;
mod lint;
mod module_graph;
mod packaging;
mod report;
mod scaffold;
mod scaffold_client;
mod scaffold_faults;
mod scaffold_go_version;
mod scaffold_lint;
mod scaffold_rust;
mod scaffold_shared_contract;
mod scaffold_sync;
mod scaffold_validate;
mod scaffold_workspace;
mod score;
mod services;
mod sink;
mod upgrade;
