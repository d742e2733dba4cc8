use crate::lint::rule::{Rule, RuleMeta, Target};
use crate::report::Severity;

/// Raised by the lint engine itself; this file holds its id and docs.
pub struct ParseDegraded;

pub static META: RuleMeta = RuleMeta {
    id: "parse-degraded",
    target: Target::Engine,
    default_severity: Severity::Warning,
    summary: "A file could not be parsed completely (or is binary / not UTF-8); it was checked as far as it parsed",
    docs: r#"
## What
Reported for every Go file that tree-sitter parses with errors (with the position
of the first error), every Rust file syn cannot parse, every source file that is
not valid UTF-8 (checked after lossy decoding) and every binary file with a
source extension (not checked). No file is skipped silently.

Go function bodies that hold nothing any enabled rule looks for are only
tokenised, not parsed (about twice as fast), so a syntax error inside one
is not reported unless it unbalances the brackets or leaves a string or comment
open. Set `lint.parse-all-bodies: true` to parse every body.

## Why
Rules cannot see code that did not parse, so a clean result for a degraded file
means less than it says. Common causes are syntax the grammar does not know yet
(for example Go 1.26 `new(expr)`), merge-conflict markers and generated or
truncated files.

## Example
```go
func f() {
	x := <<<<<<< HEAD
```

## Fix
Fix the syntax error; for generated files, mark them `// Code generated ... DO NOT EDIT.`
so they are skipped, or exclude the path in trellis.yaml.
"#,
};

impl Rule for ParseDegraded {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
