//! Names derived from the service name and the contract, spelled the way Go
//! and protoc-gen-go spell them.

use crate::error::InputError;
use heck::{ToLowerCamelCase, ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

const GO_KEYWORDS: &[&str] = &[
    "break",
    "case",
    "chan",
    "const",
    "continue",
    "default",
    "defer",
    "else",
    "fallthrough",
    "for",
    "func",
    "go",
    "goto",
    "if",
    "import",
    "interface",
    "map",
    "package",
    "range",
    "return",
    "select",
    "struct",
    "switch",
    "type",
    "var",
];

/// Identifiers a generated local variable must not shadow.
const GO_PREDECLARED: &[&str] = &[
    "any", "append", "bool", "byte", "cap", "clear", "close", "complex", "copy", "delete", "error",
    "false", "float32", "float64", "int", "len", "make", "max", "min", "new", "nil", "panic",
    "print", "println", "real", "recover", "rune", "string", "true", "uint",
];

/// File name suffixes the Go toolchain reads as build constraints or tests.
const GO_FILE_SUFFIXES: &[&str] = &[
    "test",
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
    "zos",
    "386",
    "amd64",
    "arm",
    "arm64",
    "loong64",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "ppc64",
    "ppc64le",
    "riscv64",
    "s390x",
    "wasm",
];

/// A service name becomes a directory, a binary under cmd/ and a proto
/// package, so it is lower-case words joined by single hyphens.
pub(crate) fn validate_service_name(name: &str) -> Result<(), InputError> {
    let help = "use lower-case letters and digits, words joined by `-`, starting with a letter (for example `payment` or `order-service`)";
    if name.is_empty() {
        return Err(InputError::new("the service name is empty").help(help));
    }
    if name.len() > 63 {
        return Err(InputError::new(format!(
            "invalid service name `{name}`: longer than 63 characters"
        ))
        .help(help));
    }
    let mut previous_hyphen = true;
    for (index, c) in name.chars().enumerate() {
        let ok = match c {
            'a'..='z' => true,
            '0'..='9' => index > 0,
            '-' => !previous_hyphen,
            _ => false,
        };
        if !ok {
            return Err(InputError::new(format!(
                "invalid service name `{name}`: `{c}` at position {} is not allowed there",
                index + 1
            ))
            .help(help));
        }
        previous_hyphen = c == '-';
    }
    if previous_hyphen {
        return Err(
            InputError::new(format!("invalid service name `{name}`: ends with `-`")).help(help),
        );
    }
    if GO_KEYWORDS.contains(&name) {
        return Err(
            InputError::new(format!("invalid service name `{name}`: it is a Go keyword"))
                .help(help),
        );
    }
    Ok(())
}

/// The Go identifier protoc-gen-go derives from a proto name (GoCamelCase):
/// `_x` and `.x` become `X`, other dots become `_`, a leading `_` becomes `X`.
pub(crate) fn go_camel_case(name: &str) -> String {
    let bytes = name.as_bytes();
    let mut out = String::with_capacity(name.len());
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let next_lower = bytes.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
        if c == b'.' {
            if !next_lower {
                out.push('_');
            }
        } else if c == b'_' && (i == 0 || bytes[i - 1] == b'.') {
            out.push('X');
        } else if c == b'_' && next_lower {
            // dropped: the next letter is capitalised below
        } else if c.is_ascii_digit() {
            out.push(c as char);
        } else {
            out.push(c.to_ascii_uppercase() as char);
            while bytes.get(i + 1).is_some_and(|n| n.is_ascii_lowercase()) {
                i += 1;
                out.push(bytes[i] as char);
            }
        }
        i += 1;
    }
    out
}

pub(crate) fn snake(name: &str) -> String {
    name.to_snake_case()
}

pub(crate) fn env_prefix(service: &str) -> String {
    service.to_shouty_snake_case()
}

/// English plural of a CamelCase noun, good enough for resource names.
pub(crate) fn plural(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    if lower.ends_with('y')
        && !["ay", "ey", "iy", "oy", "uy"]
            .iter()
            .any(|end| lower.ends_with(end))
    {
        format!("{}ies", &word[..word.len() - 1])
    } else if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|end| lower.ends_with(end))
    {
        format!("{word}es")
    } else {
        format!("{word}s")
    }
}

/// The resource a starter service owns: `order-service` owns `Order`.
pub(crate) fn resource_from_service(service: &str) -> String {
    let mut base = service;
    for suffix in ["-service", "-svc", "-api", "-server"] {
        if let Some(stripped) = base.strip_suffix(suffix) {
            base = stripped;
            break;
        }
    }
    if base.is_empty() || base == "service" {
        return "Item".to_string();
    }
    base.to_upper_camel_case()
}

/// A Go local variable name for `word` that is neither a keyword nor a
/// predeclared identifier.
pub(crate) fn go_var(word: &str) -> String {
    let var = word.to_lower_camel_case();
    if GO_KEYWORDS.contains(&var.as_str()) || GO_PREDECLARED.contains(&var.as_str()) {
        format!("{var}Value")
    } else {
        var
    }
}

/// A file stem that Go reads as an ordinary source file: no `_test`, `_linux`
/// or `_amd64` ending.
pub(crate) fn safe_go_file_stem(stem: &str) -> String {
    match stem.rsplit_once('_') {
        Some((_, last)) if GO_FILE_SUFFIXES.contains(&last) => format!("{stem}_rpc"),
        _ => stem.to_string(),
    }
}

/// The proto package for a service: `order-service` -> `order_service.v1`.
pub(crate) fn proto_package(service: &str) -> String {
    format!("{}.v1", service.replace('-', "_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names() {
        for ok in ["payment", "order-service", "a1", "x-2y"] {
            assert!(validate_service_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "Payment", "1abc", "-a", "a-", "a--b", "a_b", "a.b", "../x", "func", "a b",
        ] {
            assert!(validate_service_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn camel_case_matches_protoc_gen_go() {
        assert_eq!(go_camel_case("GetPayment"), "GetPayment");
        assert_eq!(go_camel_case("get_payment"), "GetPayment");
        assert_eq!(go_camel_case("Outer.Inner"), "Outer_Inner");
        assert_eq!(go_camel_case("_hidden"), "XHidden");
        assert_eq!(go_camel_case("v2_item"), "V2Item");
        assert_eq!(go_camel_case("foo_1bar"), "Foo_1Bar");
    }

    #[test]
    fn plurals_and_resources() {
        assert_eq!(plural("Payment"), "Payments");
        assert_eq!(plural("Inventory"), "Inventories");
        assert_eq!(plural("Day"), "Days");
        assert_eq!(plural("Box"), "Boxes");
        assert_eq!(resource_from_service("order-service"), "Order");
        assert_eq!(resource_from_service("user-profile"), "UserProfile");
        assert_eq!(resource_from_service("service"), "Item");
        assert_eq!(go_var("Map"), "mapValue");
        assert_eq!(safe_go_file_stem("run_test"), "run_test_rpc");
        assert_eq!(safe_go_file_stem("get_windows"), "get_windows_rpc");
        assert_eq!(safe_go_file_stem("get_payment"), "get_payment");
    }
}
