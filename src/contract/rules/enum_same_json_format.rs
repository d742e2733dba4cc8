//! `ENUM_SAME_JSON_FORMAT`: A enum's JSON format does not go from ALLOW to LEGACY_BEST_EFFORT.

use super::{Category, Rule};
use super::{Pair, Sink};

pub const RULE: Rule = Rule {
    id: "ENUM_SAME_JSON_FORMAT",
    categories: &[
        Category::File,
        Category::Package,
        Category::WireJson,
        Category::Csr,
    ],
    deprecated: false,
    purpose: "A enum's JSON format does not go from ALLOW to LEGACY_BEST_EFFORT.",
    docs: "## What\n\nA enum's JSON format does not go from ALLOW to LEGACY_BEST_EFFORT.\n\n## Why\n\nThe `json_format` feature decides whether the enum must have a well-defined JSON mapping; relaxing it to LEGACY_BEST_EFFORT lets definitions in that JSON cannot round-trip. proto3 files get ALLOW, proto2 files LEGACY_BEST_EFFORT, so moving a enum from proto3 to proto2 fires this rule.\n\n## Example\n\nBefore:\n\n```proto\nsyntax = \"proto3\";\n```\n\nAfter (reported):\n\n```proto\nsyntax = \"proto2\";\n```\n\n## Fix\n\nKeep the proto3 syntax.\n\nCategories: FILE, PACKAGE, WIRE_JSON, CSR. Same id and verdicts as `buf breaking`.",
    check,
};

fn check(p: &Pair<'_>, out: &mut Sink<'_>) {
    for (old, new) in p.enums() {
        let (Some(old_file), Some(new_file)) = (p.old.file(&old.file), p.new.file(&new.file))
        else {
            continue;
        };
        if old_file.is_proto3() && !new_file.is_proto3() {
            out.new_side(
                &new.file,
                p.loc(&new.file, &new.path),
                new.full_name.clone(),
                format!(
                    "Enum \"{}\" JSON format support changed from ALLOW to LEGACY_BEST_EFFORT.",
                    new.nested_name
                ),
            );
        }
    }
}
