//! One built-in rule per file: its id, its docs and its check.

pub(crate) mod arch_cross_service_import;
pub(crate) mod arch_import_cycle;
pub(crate) mod arch_layer;
pub(crate) mod arch_shared_table;
pub(crate) mod baseline_stale;
pub(crate) mod go_context_background;
pub(crate) mod go_error_last;
pub(crate) mod go_http_client_timeout;
pub(crate) mod go_http_request_context;
pub(crate) mod go_init_func;
pub(crate) mod go_mutable_global;
pub(crate) mod go_naked_return;
pub(crate) mod go_sql_string_building;
pub(crate) mod go_structured_logging;
pub(crate) mod go_too_many_params;
pub(crate) mod layout_contract;
pub(crate) mod layout_entrypoint;
pub(crate) mod parse_degraded;
pub(crate) mod repo_duplicate_module;
pub(crate) mod rust_http_client_timeout;
pub(crate) mod rust_mutable_global;
pub(crate) mod rust_sql_string_building;
pub(crate) mod rust_structured_logging;
pub(crate) mod suppression_reason;
pub(crate) mod unknown_rule;
pub(crate) mod unused_suppression;
