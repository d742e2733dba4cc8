//! The static registry: every built-in rule, one line each.

use super::rule::Rule;
use super::rules::*;

static RULES: &[&dyn Rule] = &[
    &go_structured_logging::GoStructuredLogging,
    &go_http_client_timeout::GoHttpClientTimeout,
    &go_http_request_context::GoHttpRequestContext,
    &go_sql_string_building::GoSqlStringBuilding,
    &go_mutable_global::GoMutableGlobal,
    &go_init_func::GoInitFunc,
    &go_context_background::GoContextBackground,
    &go_too_many_params::GoTooManyParams,
    &go_naked_return::GoNakedReturn,
    &go_error_last::GoErrorLast,
    &rust_structured_logging::RustStructuredLogging,
    &rust_sql_string_building::RustSqlStringBuilding,
    &rust_http_client_timeout::RustHttpClientTimeout,
    &rust_mutable_global::RustMutableGlobal,
    &arch_layer::ArchLayer,
    &arch_cross_service_import::ArchCrossServiceImport,
    &arch_import_cycle::ArchImportCycle,
    &arch_shared_table::ArchSharedTable,
    &layout_entrypoint::LayoutEntrypoint,
    &layout_contract::LayoutContract,
    &repo_duplicate_module::RepoDuplicateModule,
    &parse_degraded::ParseDegraded,
    &unknown_rule::UnknownRule,
    &unused_suppression::UnusedSuppression,
    &suppression_reason::SuppressionReason,
    &baseline_stale::BaselineStale,
];

pub fn all() -> &'static [&'static dyn Rule] {
    RULES
}

pub fn find(id: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.meta().id == id)
}
