//! `FILE_SAME_PHP_METADATA_NAMESPACE`: A file's `php_metadata_namespace` option did not change.

use super::shared::{self, text};
use super::{Category, Rule};
use super::{Pair, Sink};
use crate::registry::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FileSamePhpMetadataNamespace.as_str(),
    categories: &[Category::File, Category::Package],
    deprecated: false,
    purpose: "A file's `php_metadata_namespace` option did not change.",
    docs: include_str!("file_same_php_metadata_namespace.md"),
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    shared::file_option(p, out, "php_metadata_namespace", |o| {
        text(o.php_metadata_namespace.as_deref())
    });
}
