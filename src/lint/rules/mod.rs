//! One built-in rule per file: its id, its docs and its check.

pub mod arch_cross_service_import;
pub mod arch_import_cycle;
pub mod arch_layer;
pub mod arch_shared_table;
pub mod baseline_stale;
pub mod go_context_background;
pub mod go_error_last;
pub mod go_http_client_timeout;
pub mod go_http_request_context;
pub mod go_init_func;
pub mod go_mutable_global;
pub mod go_naked_return;
pub mod go_sql_string_building;
pub mod go_structured_logging;
pub mod go_too_many_params;
pub mod layout_contract;
pub mod layout_entrypoint;
pub mod parse_degraded;
pub mod repo_duplicate_module;
pub mod rust_http_client_timeout;
pub mod rust_mutable_global;
pub mod rust_sql_string_building;
pub mod rust_structured_logging;
pub mod suppression_reason;
pub mod unknown_rule;
pub mod unused_suppression;
