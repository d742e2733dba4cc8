//! The Go front end: tree-sitter-go, one parser per worker thread, and the
//! facts rules share (imports with their local names, calls, functions).

pub(crate) use crate::repo::go_imports::{Import, default_name, quick_imports};
use crate::report::Span;
use std::cell::RefCell;
use tree_sitter::{Node, Parser, Tree};

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Makes tree-sitter allocate its trees with mimalloc, like the rest of the
/// binary. Only for the binary's `main`, before any parser exists: memory
/// allocated by one allocator must never be freed by the other.
pub fn use_mimalloc_for_trees() {
    use libmimalloc_sys as mi;
    unsafe extern "C" fn malloc(size: usize) -> *mut std::ffi::c_void {
        unsafe { mi::mi_malloc(size) }
    }
    unsafe extern "C" fn calloc(count: usize, size: usize) -> *mut std::ffi::c_void {
        unsafe { mi::mi_calloc(count, size) }
    }
    unsafe extern "C" fn realloc(p: *mut std::ffi::c_void, size: usize) -> *mut std::ffi::c_void {
        unsafe { mi::mi_realloc(p, size) }
    }
    unsafe extern "C" fn free(p: *mut std::ffi::c_void) {
        unsafe { mi::mi_free(p) }
    }
    // SAFETY: called once at the start of main, before tree-sitter allocates.
    unsafe { tree_sitter::set_allocator(Some(malloc), Some(calloc), Some(realloc), Some(free)) };
}

pub(crate) fn language() -> tree_sitter::Language {
    tree_sitter_go::LANGUAGE.into()
}

/// Parses Go source with this thread's parser.
#[cfg(test)]
pub(crate) fn parse(source: &str) -> Option<Tree> {
    parse_ranges(source, &[])
}

/// Parses only these ranges of the source (all of it when empty); nodes keep
/// the file's positions.
pub(crate) fn parse_ranges(source: &str, ranges: &[tree_sitter::Range]) -> Option<Tree> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut parser = Parser::new();
            parser.set_language(&language()).ok()?;
            *slot = Some(parser);
        }
        let parser = slot.as_mut()?;
        parser.set_included_ranges(ranges).ok()?;
        parser.parse(source, None)
    })
}

/// Go grammar field names resolved to ids once: tree-sitter's by-name lookup
/// compares the name with every field name of the grammar on each call, and
/// rules ask for fields of every call and function.
struct FieldIds {
    ids: Vec<(&'static str, std::num::NonZeroU16)>,
}

static FIELD_IDS: std::sync::LazyLock<FieldIds> = std::sync::LazyLock::new(|| {
    let language = language();
    let ids = (1..=language.field_count() as u16)
        .filter_map(|id| {
            let name = language.field_name_for_id(id)?;
            Some((name, std::num::NonZeroU16::new(id)?))
        })
        .collect();
    FieldIds { ids }
});

fn field_id(name: &str) -> Option<std::num::NonZeroU16> {
    FIELD_IDS
        .ids
        .iter()
        .find(|(n, _)| n.len() == name.len() && *n == name)
        .map(|(_, id)| *id)
}

/// Field access for Go nodes by name, through resolved field ids.
pub(crate) trait GoNode<'t> {
    fn field(&self, name: &str) -> Option<Node<'t>>;
    fn fields<'c>(
        &self,
        name: &str,
        cursor: &'c mut tree_sitter::TreeCursor<'t>,
    ) -> impl Iterator<Item = Node<'t>> + 'c
    where
        't: 'c;
}

impl<'t> GoNode<'t> for Node<'t> {
    fn field(&self, name: &str) -> Option<Node<'t>> {
        self.child_by_field_id(field_id(name)?.get())
    }

    fn fields<'c>(
        &self,
        name: &str,
        cursor: &'c mut tree_sitter::TreeCursor<'t>,
    ) -> impl Iterator<Item = Node<'t>> + 'c
    where
        't: 'c,
    {
        // A name the grammar does not have matches no child.
        let id = field_id(name).unwrap_or(std::num::NonZeroU16::MAX);
        self.children_by_field_id(id, cursor)
    }
}

/// What the collecting walk does with a node, by grammar symbol id (aliases
/// included), so the walk compares small integers rather than kind names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Collect {
    Nothing,
    PackageClause,
    ImportSpec,
    Call,
    Selector,
    CompositeLiteral,
    Function,
    VarSpec,
    ConstSpec,
    Assignment,
    /// Types, parameter lists, comments and string literals: nothing a rule
    /// collects is inside them, so the walk does not descend.
    Opaque,
}

static COLLECT_BY_SYMBOL: std::sync::LazyLock<Vec<Collect>> = std::sync::LazyLock::new(|| {
    let language = language();
    (0..language.node_kind_count() as u16)
        .map(|id| match language.node_kind_for_id(id) {
            Some("package_clause") if language.node_kind_is_named(id) => Collect::PackageClause,
            Some("import_spec") => Collect::ImportSpec,
            Some("call_expression") => Collect::Call,
            Some("selector_expression") => Collect::Selector,
            Some("composite_literal") => Collect::CompositeLiteral,
            Some("function_declaration" | "method_declaration" | "func_literal") => {
                Collect::Function
            }
            Some("var_spec") => Collect::VarSpec,
            Some("const_spec") => Collect::ConstSpec,
            Some("short_var_declaration" | "assignment_statement") => Collect::Assignment,
            // Nothing the rules ask the walk for is inside these: types hold
            // no calls, selectors (`pkg.T` is a qualified_type, resolved on
            // demand) or assignments. Array types are walked: their length
            // is an expression.
            Some(
                "parameter_list"
                | "type_parameter_list"
                | "type_declaration"
                | "struct_type"
                | "interface_type"
                | "qualified_type"
                | "pointer_type"
                | "slice_type"
                | "map_type"
                | "channel_type"
                | "function_type"
                | "generic_type"
                | "type_arguments"
                | "comment"
                | "interpreted_string_literal"
                | "raw_string_literal",
            ) => Collect::Opaque,
            _ => Collect::Nothing,
        })
        .collect()
});

/// A direct child of the file that Go does not allow there: anything but a
/// package clause, an import or a declaration (or a comment, or an ERROR
/// node, which the walk reports already).
pub(crate) fn is_top_level_statement(node: Node<'_>) -> bool {
    !node.is_error()
        && !matches!(
            node.kind(),
            "package_clause"
                | "import_declaration"
                | "function_declaration"
                | "method_declaration"
                | "type_declaration"
                | "var_declaration"
                | "const_declaration"
                | "comment"
        )
}

/// A basic literal (string, rune, number) or `true`/`false`: a value the
/// rules can read as data without knowing what any name stands for. Each
/// rule adds what else it counts as data (`nil`, names, comments, ...).
pub(crate) fn is_go_literal_kind(kind: &str) -> bool {
    matches!(
        kind,
        "interpreted_string_literal"
            | "raw_string_literal"
            | "int_literal"
            | "float_literal"
            | "rune_literal"
            | "true"
            | "false"
    )
}

/// Whether a Go file is a test file (`go test` builds it, `go build` does not).
pub(crate) fn is_test_path(path: &str) -> bool {
    path.ends_with("_test.go")
}

/// Code that only tests build on or run: test-support packages (`dbtest`,
/// `testutil`, `grpctesting`) and harnesses under test directories (`test/`,
/// `tests/`, `e2e/`, `testdata/`, `testing/`, `integration_test/`). It is never deployed,
/// so rules about how a running service behaves (timeouts, logging, request
/// contexts) do not apply to it.
pub(crate) fn is_test_support(path: &str, package: &str) -> bool {
    // Words that end in "test" without being about tests.
    let word = matches!(
        package,
        "latest" | "contest" | "protest" | "attest" | "fastest" | "greatest" | "shortest"
    );
    let test_package = !word
        && (package.ends_with("test")
            || package.ends_with("testutil")
            || package.ends_with("testing"));
    test_package || {
        let mut directories = path.split('/').rev().skip(1);
        directories.any(|d| {
            matches!(
                d,
                "test" | "tests" | "e2e" | "testdata" | "testing" | "integration_test"
            )
        })
    }
}

/// Whether a file says it is generated (`// Code generated ... DO NOT EDIT.`,
/// the convention of `go generate`), looked for before the package clause.
pub(crate) fn is_generated(path: &str, source: &str) -> bool {
    // Kitex writes everything under kitex_gen/, k-consts.go without a header.
    if path.ends_with(".pb.go") || path.split('/').any(|part| part == "kitex_gen") {
        return true;
    }
    for line in source.lines() {
        let line = line.trim();
        if line.starts_with("package ") {
            return false;
        }
        if is_generated_marker(line) {
            return true;
        }
    }
    false
}

/// `// Code generated ... DO NOT EDIT.`; goctl writes `DO NOT EDIT!`, swag
/// `// Package docs Code generated by swaggo/swag. DO NOT EDIT` (or
/// `GENERATED BY SWAG; DO NOT EDIT`), go-bindata `... DO NOT EDIT. (@generated)`:
/// a line comment that says both, in any case, is as generated as Go's form.
pub(crate) fn is_generated_marker(line: &str) -> bool {
    if !line.starts_with("//") {
        return false;
    }
    let lower = line.to_ascii_lowercase();
    lower.contains("generated") && lower.contains("do not edit")
}

/// A parsed Go file with the node lists rules look at, gathered in one walk.
pub struct GoFile<'a> {
    pub(crate) path: &'a str,
    /// The service owning the file.
    pub(crate) service: Option<&'a str>,
    pub(crate) source: &'a str,
    pub(crate) tree: &'a Tree,
    pub(crate) package: String,
    pub(crate) imports: Vec<Import>,
    pub(crate) is_test: bool,
    pub(crate) calls: Vec<Node<'a>>,
    pub(crate) selectors: Vec<Node<'a>>,
    /// What each of `selectors` names, resolved once: every rule about calls
    /// asks for the same ones.
    selector_targets: Vec<Option<(usize, &'a str)>>,
    pub(crate) composite_literals: Vec<Node<'a>>,
    /// function_declaration, method_declaration and func_literal nodes.
    pub(crate) functions: Vec<Node<'a>>,
    /// Top-level var_spec nodes.
    pub(crate) global_vars: Vec<Node<'a>>,
    /// short_var_declaration, assignment_statement and var_spec nodes, for
    /// rules that follow a variable back to the value it was given.
    pub(crate) assignments: Vec<Node<'a>>,
    /// Names of package-level constants.
    pub(crate) constants: Vec<String>,
    /// Nodes that failed to parse (ERROR or MISSING).
    pub(crate) errors: Vec<Node<'a>>,
}

impl<'a> GoFile<'a> {
    pub(crate) fn new(
        path: &'a str,
        service: Option<&'a str>,
        source: &'a str,
        tree: &'a Tree,
    ) -> GoFile<'a> {
        let mut file = GoFile {
            path,
            service,
            source,
            tree,
            package: String::new(),
            imports: Vec::new(),
            is_test: is_test_path(path),
            calls: Vec::new(),
            selectors: Vec::new(),
            selector_targets: Vec::new(),
            composite_literals: Vec::new(),
            functions: Vec::new(),
            global_vars: Vec::new(),
            assignments: Vec::new(),
            constants: Vec::new(),
            errors: Vec::new(),
        };
        file.collect();
        file.find_top_level_statements();
        file.selector_targets = file.selectors.iter().map(|s| file.resolve(*s)).collect();
        file
    }

    fn collect(&mut self) {
        let root = self.tree.root_node();
        let look_for_errors = root.has_error();
        let collect_by_symbol = &*COLLECT_BY_SYMBOL;
        // A cursor walk in pre-order: every list comes out in source order.
        let mut cursor = root.walk();
        loop {
            let node = cursor.node();
            if look_for_errors && (node.is_error() || node.is_missing()) {
                self.errors.push(node);
            }
            let what = collect_by_symbol
                .get(usize::from(node.kind_id()))
                .copied()
                .unwrap_or(Collect::Nothing);
            match what {
                Collect::Nothing => {}
                Collect::PackageClause => {
                    if let Some(name) = node.named_child(0) {
                        self.package = self.text(name).to_string();
                    }
                }
                Collect::ImportSpec => self.add_import(node),
                Collect::Call => self.calls.push(node),
                Collect::Selector => self.selectors.push(node),
                Collect::CompositeLiteral => self.composite_literals.push(node),
                Collect::Function => self.functions.push(node),
                // Deeper than source_file > var_declaration > var_spec_list > var_spec
                // is inside a function: no need to ask for parents.
                Collect::VarSpec => {
                    self.assignments.push(node);
                    if cursor.depth() <= 3 && is_top_level(node) {
                        self.global_vars.push(node);
                    }
                }
                Collect::Assignment => self.assignments.push(node),
                Collect::ConstSpec if cursor.depth() <= 3 && is_top_level(node) => {
                    let mut c = node.walk();
                    for name in node.fields("name", &mut c) {
                        self.constants.push(self.text(name).to_string());
                    }
                }
                Collect::ConstSpec => {}
                Collect::Opaque => {
                    // Syntax errors are still looked for inside.
                    if !(look_for_errors && node.has_error()) {
                        while !cursor.goto_next_sibling() {
                            if !cursor.goto_parent() {
                                return;
                            }
                        }
                        continue;
                    }
                }
            }
            if cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return;
                }
            }
        }
    }

    /// tree-sitter-go accepts statements at file level (`x := 1`), which Go
    /// rejects: they count as syntax errors, so the file is reported as
    /// degraded whether or not the skim left the bodies out.
    fn find_top_level_statements(&mut self) {
        let root = self.tree.root_node();
        let mut cursor = root.walk();
        let mut found = false;
        for node in root.named_children(&mut cursor) {
            if is_top_level_statement(node) {
                self.errors.push(node);
                found = true;
            }
        }
        if found {
            self.errors.sort_by_key(|node| node.start_byte());
        }
    }

    fn add_import(&mut self, spec: Node<'a>) {
        let Some(path_node) = spec.field("path") else {
            return;
        };
        let path = unquote(self.text(path_node));
        let local = match spec.field("name") {
            Some(name) => self.text(name).to_string(),
            None => default_name(&path),
        };
        self.imports.push(Import {
            span: self.span(path_node),
            path,
            local,
        });
    }

    pub(crate) fn text(&self, node: Node<'_>) -> &'a str {
        node.utf8_text(self.source.as_bytes()).unwrap_or("")
    }

    /// 1-based span with columns in characters.
    pub(crate) fn span(&self, node: Node<'_>) -> Span {
        let start = node.start_position();
        let end = node.end_position();
        Span {
            line: start.row as u32 + 1,
            column: char_column(self.source, node.start_byte(), start.column),
            end_line: end.row as u32 + 1,
            end_column: char_column(self.source, node.end_byte(), end.column),
        }
    }

    /// The package-qualified type of a parameter, through one pointer:
    /// `ctx context.Context` and `r *http.Request` give `("context",
    /// "Context")` and `("net/http", "Request")`.
    pub(crate) fn parameter_type(&self, parameter: Node<'_>) -> Option<(&str, &'a str)> {
        let mut ty = parameter.field("type")?;
        if ty.kind() == "pointer_type"
            && let Some(inner) = ty.named_child(0)
        {
            ty = inner;
        }
        self.qualified(ty)
    }

    /// Whether a parameter is the `*testing.T`/`B`/`F` or `testing.TB` a
    /// test helper takes.
    pub(crate) fn is_testing_handle(&self, parameter: Node<'_>) -> bool {
        matches!(
            self.parameter_type(parameter),
            Some(("testing", "T" | "B" | "F" | "TB"))
        )
    }

    /// `pkg.Name` with `pkg` resolved through the imports: ("net/http", "Get").
    pub(crate) fn qualified(&self, node: Node<'_>) -> Option<(&str, &'a str)> {
        let resolved = match self.collected_selector(node) {
            Some(index) => self.selector_targets[index],
            None => self.resolve(node),
        };
        resolved.map(|(import, name)| (self.imports[import].path.as_str(), name))
    }

    /// The index in `selectors` of this node, if the walk collected it.
    fn collected_selector(&self, node: Node<'_>) -> Option<usize> {
        let start = node.start_byte();
        let first = self.selectors.partition_point(|s| s.start_byte() < start);
        // `a.b.c` nests selectors that start at the same byte.
        self.selectors[first..]
            .iter()
            .take_while(|s| s.start_byte() == start)
            .position(|s| s.id() == node.id())
            .map(|offset| first + offset)
    }

    /// `qualified`, as the index of the import and the name.
    fn resolve(&self, node: Node<'_>) -> Option<(usize, &'a str)> {
        let (package, name) = match node.kind() {
            "selector_expression" => (node.field("operand")?, node.field("field")?),
            "qualified_type" => (node.field("package")?, node.field("name")?),
            _ => return None,
        };
        if !matches!(package.kind(), "identifier" | "package_identifier") {
            return None;
        }
        let local = self.text(package);
        let import = self.imports.iter().position(|i| i.local == local)?;
        Some((import, self.text(name)))
    }

    /// The callee of a call as (import path, name) when it is a package function.
    pub(crate) fn callee(&self, call: Node<'_>) -> Option<(&str, &'a str)> {
        self.qualified(call.field("function")?)
    }

    /// The argument expressions of a call.
    pub(crate) fn arguments(&self, call: Node<'a>) -> Vec<Node<'a>> {
        let Some(args) = call.field("arguments") else {
            return Vec::new();
        };
        let mut cursor = args.walk();
        args.named_children(&mut cursor)
            .filter(|n| n.kind() != "comment")
            .collect()
    }

    /// The function (declaration or literal) a node is inside, innermost first.
    pub(crate) fn enclosing_function(&self, node: Node<'a>) -> Option<Node<'a>> {
        // `functions` is in source order, and of the functions around a node
        // the innermost starts last: no walk up through parents, which
        // tree-sitter finds by descending from the root each time.
        let starts_before = self
            .functions
            .partition_point(|f| f.start_byte() <= node.start_byte());
        self.functions[..starts_before]
            .iter()
            .rev()
            .find(|f| f.id() != node.id() && f.end_byte() >= node.end_byte())
            .copied()
    }

    pub(crate) fn is_main_package(&self) -> bool {
        self.package == "main"
    }
}

fn is_top_level(node: Node<'_>) -> bool {
    let mut current = node.parent();
    while let Some(n) = current {
        match n.kind() {
            "source_file" => return true,
            "var_declaration" | "var_spec_list" | "const_declaration" | "const_spec_list" => {}
            _ => return false,
        }
        current = n.parent();
    }
    false
}

/// The 1-based character column of a byte offset, given its byte column.
pub(crate) fn char_column(source: &str, byte: usize, byte_column: usize) -> u32 {
    let line_start = byte.saturating_sub(byte_column);
    source
        .get(line_start..byte)
        .map_or(byte_column + 1, |s| s.chars().count() + 1) as u32
}

/// The value of a Go string literal (quotes removed, simple escapes decoded).
pub(crate) fn unquote(literal: &str) -> String {
    let inner = literal
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| literal.strip_prefix('`').and_then(|s| s.strip_suffix('`')))
        .unwrap_or(literal);
    inner.replace("\\\"", "\"").replace("\\\\", "\\")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve() {
        let src = "package x\n\nimport (\n\tstdlog \"log\"\n\t\"net/http\"\n)\n\nfunc f() { stdlog.Printf(\"x\"); http.Get(\"u\") }\n";
        let tree = parse(src).unwrap();
        let file = GoFile::new("x.go", None, src, &tree);
        let callees: Vec<_> = file.calls.iter().filter_map(|c| file.callee(*c)).collect();
        assert_eq!(callees, vec![("log", "Printf"), ("net/http", "Get")]);
        assert!(file.errors.is_empty());
        assert_eq!(file.package, "x");
    }

    #[test]
    fn statements_at_file_level_are_syntax_errors() {
        // tree-sitter-go parses these; the Go compiler rejects them.
        let src = "package x\n\nx := 1\n\nfunc f() {}\n\nf()\n";
        let tree = parse(src).unwrap();
        assert!(!tree.root_node().has_error());
        let file = GoFile::new("x.go", None, src, &tree);
        let lines: Vec<u32> = file.errors.iter().map(|e| file.span(*e).line).collect();
        assert_eq!(lines, vec![3, 7]);
        let clean = "package x\n\n// A comment.\nimport \"fmt\"\n\nconst c = 1\n\nvar v = fmt.Sprint(c)\n\ntype t int\n\nfunc (t) m() {}\n";
        let tree = parse(clean).unwrap();
        assert!(GoFile::new("x.go", None, clean, &tree).errors.is_empty());
    }

    #[test]
    fn quick_imports_match_the_parser() {
        let src = "// Package x.\npackage x\n\nimport \"fmt\"\n\n/* block\n comment */\nimport (\n\tstdlog \"log\" // logging\n\t_ \"embed\"\n\n\t\"example.com/a/b/v2\"\n)\n\nfunc f() { import_ := 1 }\n";
        let tree = parse(src).unwrap();
        let file = GoFile::new("x.go", None, src, &tree);
        assert_eq!(quick_imports(src), file.imports);
    }

    #[test]
    fn the_innermost_function_encloses_a_node() {
        let src = "package x\n\nfunc outer() {\n\ta()\n\tf := func() {\n\t\tb()\n\t}\n\tc()\n}\n\nfunc other() { d() }\n";
        let tree = parse(src).unwrap();
        let file = GoFile::new("x.go", None, src, &tree);
        let enclosing = |callee: &str| {
            let call = file
                .calls
                .iter()
                .find(|c| file.text(c.field("function").unwrap()) == callee)
                .unwrap();
            let function = file.enclosing_function(*call).unwrap();
            (function.kind(), file.span(function).line)
        };
        assert_eq!(enclosing("a"), ("function_declaration", 3));
        assert_eq!(enclosing("b"), ("func_literal", 5));
        assert_eq!(enclosing("c"), ("function_declaration", 3));
        assert_eq!(enclosing("d"), ("function_declaration", 11));
        // A function is not its own enclosing function.
        let literal = file.functions[1];
        assert_eq!(file.enclosing_function(literal), Some(file.functions[0]));
        assert_eq!(file.enclosing_function(file.functions[0]), None);
    }

    #[test]
    fn generated_files() {
        assert!(is_generated("a/b.pb.go", "package b"));
        assert!(is_generated(
            "rpc/kitex_gen/shop/item/k-consts.go",
            "package item\n"
        ));
        assert!(is_generated(
            "a/b.go",
            "// Code generated by sqlc. DO NOT EDIT.\n\npackage b\n"
        ));
        assert!(!is_generated(
            "a/b.go",
            "package b\n// Code generated by x. DO NOT EDIT.\n"
        ));
        // The forms swag and go-bindata write.
        for header in [
            "// Package docs Code generated by swaggo/swag. DO NOT EDIT",
            "// Package docs GENERATED BY SWAG; DO NOT EDIT",
            "// Code generated for package data by go-bindata DO NOT EDIT. (@generated)",
        ] {
            assert!(is_generated(
                "docs/docs.go",
                &format!("{header}\npackage docs\n")
            ));
        }
        assert!(!is_generated(
            "a/b.go",
            "// Package b is edited by hand; see gen.go for what is generated.\npackage b\n"
        ));
    }

    #[test]
    fn columns_count_characters() {
        let src = "package x\nvar s = \"é\" + y\n";
        let tree = parse(src).unwrap();
        let file = GoFile::new("x.go", None, src, &tree);
        let y = file.global_vars[0];
        let value = y.field("value").unwrap();
        let binary = value.named_child(0).unwrap();
        let right = binary.field("right").unwrap();
        assert_eq!(file.span(right).column, 15);
    }
}
