//! Check bodies shared by rules of one family (file options, deletions,
//! type and cardinality groups), so each rule file states only what differs.

use super::{FieldPair, Pair, Sink, short_name};
use crate::contract::model::{Cardinality, FileInfo, Loc, Model};
use prost_types::FileOptions;
use prost_types::field_descriptor_proto::Type;

/// A file option changed: `File option "go_package" changed from "a" to "b".`
pub(crate) fn file_option(
    p: &Pair<'_>,
    out: &mut Sink<'_>,
    option: &str,
    value: fn(&FileOptions) -> String,
) {
    for (old, new) in p.files() {
        let (before, after) = (value(&old.options), value(&new.options));
        if before != after {
            out.new_side(
                &new.name,
                new.option_statement(option),
                format!("{}:{option}", new.name),
                format!(
                    "File option \"{option}\" changed from {} to {}.",
                    go_quote(&before),
                    go_quote(&after)
                ),
            );
        }
    }
}

pub(crate) fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_string()
}

pub(crate) fn flag(value: bool) -> String {
    value.to_string()
}

/// What kind of element a deletion rule looks at.
#[derive(Clone, Copy)]
pub(crate) enum Element {
    Message,
    Enum,
    Service,
    Extension,
}

impl Element {
    fn noun(self) -> &'static str {
        match self {
            Element::Message => "message",
            Element::Enum => "enum",
            Element::Service => "service",
            Element::Extension => "extension",
        }
    }

    fn names(self, file: &FileInfo) -> &[String] {
        match self {
            Element::Message => &file.messages,
            Element::Enum => &file.enums,
            Element::Service => &file.services,
            Element::Extension => &file.extensions,
        }
    }

    /// Where the element `full` is defined on the side `model`: its file and source path.
    fn definition<'m>(self, model: &'m Model, full: &str) -> Option<(&'m str, Vec<i32>)> {
        match self {
            Element::Message => model
                .messages
                .get(full)
                .map(|m| (m.file.as_str(), m.path.clone())),
            Element::Enum => model
                .enums
                .get(full)
                .map(|e| (e.file.as_str(), e.path.clone())),
            Element::Service => model
                .services
                .get(full)
                .map(|s| (s.file.as_str(), s.path.clone())),
            Element::Extension => model
                .extensions
                .get(full)
                .map(|x| (x.file.as_str(), x.field.path.clone())),
        }
    }

    /// The name buf prints: nested name inside the file for types, else the full name.
    fn display(self, model: &Model, full: &str, package: &str) -> String {
        match self {
            Element::Message => model.messages.get(full).map(|m| m.nested_name.clone()),
            Element::Enum => model.enums.get(full).map(|e| e.nested_name.clone()),
            Element::Service => model.services.get(full).map(|s| s.name.clone()),
            Element::Extension => Some(local(full, package).to_string()),
        }
        .unwrap_or_else(|| full.to_string())
    }
}

/// The name of an element inside its package: `Outer.Inner`.
fn local<'a>(full: &'a str, package: &str) -> &'a str {
    if package.is_empty() {
        full
    } else {
        full.strip_prefix(package)
            .and_then(|rest| rest.strip_prefix('.'))
            .unwrap_or(full)
    }
}

/// Where buf points for a deleted element of a file: the nearest enclosing
/// message still in the new file, else nowhere (line 1, column 1).
fn nearest_ancestor_in_file(p: &Pair<'_>, local_name: &str, new_file: &FileInfo) -> Option<Loc> {
    let parts: Vec<&str> = local_name.split('.').collect();
    for end in (1..parts.len()).rev() {
        let candidate = parts[..end].join(".");
        let full = if new_file.package.is_empty() {
            candidate
        } else {
            format!("{}.{candidate}", new_file.package)
        };
        if let Some(message) = p.new.messages.get(&full)
            && message.file == new_file.name
        {
            return new_file.loc(&message.path);
        }
    }
    None
}

/// Points the hit just added at the old definition of `full`.
fn previously(p: &Pair<'_>, out: &mut Sink<'_>, element: Element, full: &str) {
    if let Some((file, path)) = element.definition(p.old, full) {
        out.previously(file, p.old_loc(file, &path));
    }
}

/// `*_NO_DELETE`: an element left the file that held it. Elements are
/// paired by their name inside the file, so a package rename is not a deletion here.
pub(crate) fn deleted_from_file(p: &Pair<'_>, out: &mut Sink<'_>, element: Element) {
    for (old_file, new_file) in p.files() {
        let remaining: std::collections::HashSet<&str> = element
            .names(new_file)
            .iter()
            .map(|full| local(full, &new_file.package))
            .collect();
        for full in element.names(old_file) {
            let local_name = local(full, &old_file.package);
            if remaining.contains(local_name) {
                continue;
            }
            let loc = match element {
                Element::Service => None,
                _ => nearest_ancestor_in_file(p, local_name, new_file),
            };
            out.new_side(
                &new_file.name,
                loc,
                format!("{}:{full}", old_file.name),
                format!(
                    "Previously present {} \"{}\" was deleted from file.",
                    element.noun(),
                    element.display(p.old, full, &old_file.package)
                ),
            );
            previously(p, out, element, full);
        }
    }
}

/// `PACKAGE_*_NO_DELETE`: an element left its package (moving between the
/// package's files is fine). Like buf, a package whose new files declare no
/// message, enum or extension at all is not looked at for that kind; for
/// services it is.
pub(crate) fn deleted_from_package(p: &Pair<'_>, out: &mut Sink<'_>, element: Element) {
    for (package, old_files) in &p.old.packages {
        let Some(new_files) = p.new.packages.get(package) else {
            continue; // the whole package is gone: PACKAGE_NO_DELETE says so
        };
        let mut remaining = std::collections::HashSet::new();
        for name in new_files {
            if let Some(file) = p.new.file(name) {
                remaining.extend(element.names(file).iter().map(String::as_str));
            }
        }
        if remaining.is_empty() && !matches!(element, Element::Service) {
            continue;
        }
        for old_name in old_files {
            let Some(old_file) = p.old.file(old_name) else {
                continue;
            };
            for full in element.names(old_file) {
                if remaining.contains(full.as_str()) {
                    continue;
                }
                let message = format!(
                    "Previously present {} \"{}\" was deleted from package \"{package}\".",
                    element.noun(),
                    element.display(p.old, full, package)
                );
                let key = format!("{package}:{full}");
                match p.new.file(old_name) {
                    Some(new_file) => {
                        let (file, loc) =
                            package_deletion_anchor(p, element, full, package, new_file);
                        out.new_side(&file, loc, key, message);
                    }
                    // The file went with it: buf knows no place on the new side.
                    None => out.old_side(old_name, None, key, message),
                }
                previously(p, out, element, full);
            }
        }
    }
}

/// Where buf reports an element deleted from its package whose file still
/// exists: a nested message at its nearest enclosing message anywhere in
/// the package, a nested enum or extension at its nearest enclosing message
/// in that same file; else line 1 of the file.
fn package_deletion_anchor(
    p: &Pair<'_>,
    element: Element,
    full: &str,
    package: &str,
    new_file: &FileInfo,
) -> (String, Option<Loc>) {
    let in_file = || (new_file.name.clone(), None);
    match element {
        Element::Service => in_file(),
        Element::Enum | Element::Extension => {
            let loc = nearest_ancestor_in_file(p, local(full, package), new_file);
            (new_file.name.clone(), loc)
        }
        Element::Message => {
            let mut candidate = full;
            while let Some((parent, _)) = candidate.rsplit_once('.') {
                if parent.len() <= package.len() {
                    break;
                }
                if let Some(message) = p.new.messages.get(parent)
                    && p.new.files.contains_key(&message.file)
                {
                    return (message.file.clone(), p.loc(&message.file, &message.path));
                }
                candidate = parent;
            }
            in_file()
        }
    }
}

/// The part of a field's type buf compares: the kind, then the type name.
pub(crate) fn type_description(field: &crate::contract::model::FieldInfo) -> String {
    field.kind_name().to_string()
}

/// `changed type from "int32" to "int64"` or, for named types, from one full name to another.
pub(crate) fn changed_type(pair: &FieldPair<'_>, extra: &str) -> String {
    let (before, after) = if pair.old.kind == pair.new.kind {
        (pair.old.type_name.clone(), pair.new.type_name.clone())
    } else {
        (type_description(pair.old), type_description(pair.new))
    };
    format!(
        "{} changed type from \"{before}\" to \"{after}\".{extra}",
        pair.subject()
    )
}

pub(crate) fn named(kind: Type) -> bool {
    matches!(kind, Type::Message | Type::Enum | Type::Group)
}

/// buf's wire compatibility groups of field kinds.
pub(crate) fn wire_group(kind: Type) -> u8 {
    match kind {
        Type::Int32 | Type::Int64 | Type::Uint32 | Type::Uint64 | Type::Bool => 1,
        Type::Sint32 | Type::Sint64 => 2,
        Type::String => 3,
        Type::Bytes => 4,
        Type::Fixed32 | Type::Sfixed32 => 5,
        Type::Fixed64 | Type::Sfixed64 => 6,
        Type::Double => 7,
        Type::Float => 8,
        Type::Group => 9,
        Type::Message => 10,
        Type::Enum => 11,
    }
}

/// buf's wire+JSON compatibility groups of field kinds.
pub(crate) fn wire_json_group(kind: Type) -> u8 {
    match kind {
        Type::Int32 | Type::Uint32 => 1,
        Type::Int64 | Type::Uint64 => 2,
        Type::Fixed32 | Type::Sfixed32 => 3,
        Type::Fixed64 | Type::Sfixed64 => 4,
        other => 10 + other as u8,
    }
}

/// An enum field whose enum changed is still wire compatible when the short
/// names match and every old value number is still there.
pub(crate) fn enum_wire_compatible(p: &Pair<'_>, pair: &FieldPair<'_>) -> bool {
    if short_name(&pair.old.type_name) != short_name(&pair.new.type_name) {
        return false;
    }
    let (Some(old_enum), Some(new_enum)) = (
        p.old.enums.get(&pair.old.type_name),
        p.new.enums.get(&pair.new.type_name),
    ) else {
        return false;
    };
    old_enum
        .values
        .iter()
        .all(|v| new_enum.values.iter().any(|n| n.number == v.number))
}

pub(crate) fn wire_cardinality_group(cardinality: Cardinality) -> u8 {
    match cardinality {
        Cardinality::OptionalExplicit | Cardinality::OptionalImplicit => 1,
        Cardinality::Required => 2,
        Cardinality::Repeated | Cardinality::Map => 3,
    }
}

pub(crate) fn wire_json_cardinality_group(cardinality: Cardinality) -> u8 {
    match cardinality {
        Cardinality::OptionalExplicit | Cardinality::OptionalImplicit => 1,
        Cardinality::Required => 2,
        Cardinality::Repeated => 3,
        Cardinality::Map => 4,
    }
}

/// Reports a cardinality change when `group` puts the two in different groups.
pub(crate) fn cardinality(p: &Pair<'_>, out: &mut Sink<'_>, group: fn(Cardinality) -> u8) {
    for pair in p.fields() {
        if pair.in_map_entry {
            continue;
        }
        if group(pair.old.cardinality) != group(pair.new.cardinality) {
            out.new_side(
                pair.file(),
                p.loc(pair.file(), &pair.new.path),
                pair.key(),
                format!(
                    "{} changed cardinality from \"{}\" to \"{}\".",
                    pair.subject(),
                    pair.old.cardinality.describe(),
                    pair.new.cardinality.describe()
                ),
            );
        }
    }
}

/// Where a field's type is written, else the field. A map entry's key and
/// value are written in the map field's `map<K, V>`, where buf points.
pub(crate) fn type_loc(p: &Pair<'_>, pair: &FieldPair<'_>) -> Option<Loc> {
    let written = match pair.in_map_entry {
        true => pair.new.sub_path(6),
        false => pair.new.type_path(),
    };
    p.loc(pair.file(), &written)
        .or_else(|| p.loc(pair.file(), &pair.new.path))
}

/// `*_NO_DELETE` of fields: `unless` decides whether a deletion is excused.
pub(crate) fn deleted_fields(
    p: &Pair<'_>,
    out: &mut Sink<'_>,
    suffix: fn(&crate::contract::model::FieldInfo) -> String,
    excused: fn(&crate::contract::model::MessageInfo, &crate::contract::model::FieldInfo) -> bool,
) {
    for (old_message, new_message) in p.messages() {
        for old_field in &old_message.fields {
            if new_message.field(old_field.number).is_some() || excused(new_message, old_field) {
                continue;
            }
            out.new_side(
                &new_message.file,
                p.loc(&new_message.file, &new_message.path),
                format!("{}.{}", new_message.full_name, old_field.number),
                format!(
                    "Previously present field \"{}\" with name \"{}\" on message \"{}\" was deleted{}.",
                    old_field.number,
                    old_field.name,
                    short_name(&new_message.full_name),
                    suffix(old_field)
                ),
            );
            out.previously(
                &old_message.file,
                p.old_loc(&old_message.file, &old_field.path),
            );
        }
    }
}

/// `*_NO_DELETE` of enum values, by number.
pub(crate) fn deleted_enum_values(
    p: &Pair<'_>,
    out: &mut Sink<'_>,
    suffix: fn(i32, &str) -> String,
    excused: fn(&crate::contract::model::EnumInfo, i32, &str) -> bool,
) {
    for (old_enum, new_enum) in p.enums() {
        let mut seen = std::collections::HashSet::new();
        for value in &old_enum.values {
            if !seen.insert(value.number) {
                continue;
            }
            if new_enum.values.iter().any(|v| v.number == value.number)
                || excused(new_enum, value.number, &value.name)
            {
                continue;
            }
            out.new_side(
                &new_enum.file,
                p.loc(&new_enum.file, &new_enum.path),
                format!("{}.{}", new_enum.full_name, value.number),
                format!(
                    "Previously present enum value \"{}\" on enum \"{}\" was deleted{}.",
                    value.number,
                    short_name(&new_enum.full_name),
                    suffix(value.number, &value.name)
                ),
            );
            out.previously(&old_enum.file, p.old_loc(&old_enum.file, &value.path));
        }
    }
}

/// The largest field number (`max` in a message's ranges).
pub(crate) const MAX_FIELD_NUMBER: i32 = 536_870_911;

/// `[2]`, `[2,4]`: buf's way to print an inclusive range.
pub(crate) fn range_text(start: i32, end_inclusive: i32, max: i32) -> String {
    let end = if end_inclusive == max {
        "max".to_string()
    } else {
        end_inclusive.to_string()
    };
    if start == end_inclusive {
        format!("[{end}]")
    } else {
        format!("[{start},{end}]")
    }
}

/// A string as Go's `%q` prints it, which is how buf quotes option values.
pub(crate) use crate::gomod::go_quote;

/// Inclusive ranges of `old` not covered by `new`.
pub(crate) fn missing_values(old: (i32, i32), new: &[(i32, i32)]) -> Vec<(i32, i32)> {
    let mut cover: Vec<(i64, i64)> = new.iter().map(|(s, e)| (*s as i64, *e as i64)).collect();
    cover.sort_unstable();
    let mut missing = Vec::new();
    let mut cursor = old.0 as i64;
    let end = old.1 as i64;
    for (start, stop) in cover {
        if stop < cursor {
            continue;
        }
        if start > end {
            break;
        }
        if start > cursor {
            missing.push((cursor as i32, (start - 1) as i32));
        }
        cursor = cursor.max(stop + 1);
        if cursor > end {
            break;
        }
    }
    if cursor <= end {
        missing.push((cursor as i32, end as i32));
    }
    missing
}

/// Reports reserved names of `old_names` that `new_names` no longer has:
/// `Previously present reserved name "note" on message "M" was deleted.`
pub(crate) fn lost_reserved_names(
    out: &mut Sink<'_>,
    (file, loc): (&str, Option<Loc>),
    full_name: &str,
    owner: &str,
    old_names: &[String],
    new_names: &[String],
) {
    for name in old_names {
        if !new_names.contains(name) {
            out.new_side(
                file,
                loc,
                format!("{full_name}:{name}"),
                format!("Previously present reserved name \"{name}\" on {owner} was deleted."),
            );
        }
    }
}

/// Reports old ranges that lost values: `Previously present reserved range "[11]" on message "M" is missing values: [11] were removed.`
pub(crate) fn lost_ranges(
    out: &mut Sink<'_>,
    max: i32,
    (file, loc): (&str, Option<Loc>),
    what: &str,
    owner: &str,
    old: &[(i32, i32)],
    new: &[(i32, i32)],
) {
    for range in old {
        let missing = missing_values(*range, new);
        if missing.is_empty() {
            continue;
        }
        let values: Vec<String> = missing
            .iter()
            .map(|(s, e)| range_text(*s, *e, max))
            .collect();
        out.new_side(
            file,
            loc,
            format!("{owner}:{what}:{}:{}", range.0, range.1),
            format!(
                "Previously present {what} \"{}\" on {owner} is missing values: {} were removed.",
                range_text(range.0, range.1, max),
                values.join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_values_of_ranges() {
        assert_eq!(missing_values((10, 11), &[(10, 10)]), vec![(11, 11)]);
        assert_eq!(missing_values((1, 5), &[(2, 3)]), vec![(1, 1), (4, 5)]);
        assert!(missing_values((1, 5), &[(1, 9)]).is_empty());
        assert_eq!(
            missing_values((1000, 536_870_911), &[(1000, 1999)]),
            vec![(2000, 536_870_911)]
        );
    }
}
