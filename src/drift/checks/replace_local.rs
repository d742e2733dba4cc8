//! drift-replace-local: `replace` directives that point at local paths or forks.

use super::{Ctx, rule};
use crate::drift::gomod::{Replace, is_absolute_path};
use crate::drift::model::{join, normalize};
use crate::report::{Finding, RuleInfo, Severity};

pub const ID: &str = "drift-replace-local";

pub fn info() -> RuleInfo {
    rule(
        ID,
        Severity::Error,
        "A replace directive points outside the repository, at an absolute path, or at a fork",
        r#"
## What it does
Reads every `replace` in go.mod and go.work files:
- a replacement directory outside the repository, or an absolute path: error
  (it only exists on the machine of whoever ran `go mod edit -replace`);
- a replacement directory that has no go.mod: error (the build fails);
- a replacement by a sibling module inside the repository: info (a deliberate
  monorepo link, worth knowing about);
- a replacement by another module at a version (a fork): warning.

## Why is this bad?
A local replace left in a committed go.mod breaks every other checkout and CI;
a fork silently stops receiving upstream fixes.

## Example
```
replace github.com/org/auth => ../../../auth
```

## Fix
`go mod edit -dropreplace github.com/org/auth`, publish the change and require
the new version; or use a go.work file (not committed) for local development.
"#,
    )
}

fn check_one(
    ctx: &Ctx<'_>,
    out: &mut Vec<Finding>,
    file: &str,
    dir: &str,
    service: Option<&str>,
    replace: &Replace,
) {
    let target = match &replace.new_version {
        Some(v) => format!("{} {v}", replace.new_path),
        None => replace.new_path.clone(),
    };
    let what = format!("replace {} => {target}", replace.old_path);
    let (severity, message, help) = if replace.is_local() {
        if is_absolute_path(&replace.new_path) {
            (
                Severity::Error,
                format!("{what}: an absolute path exists only on one machine"),
                format!(
                    "`go mod edit -dropreplace {}` and require a published version, or use an uncommitted go.work",
                    replace.old_path
                ),
            )
        } else {
            match normalize(&join(dir, &replace.new_path)) {
                None => (
                    Severity::Error,
                    format!("{what}: the directory is outside the repository"),
                    format!(
                        "`go mod edit -dropreplace {}` and require a published version, or use an uncommitted go.work",
                        replace.old_path
                    ),
                ),
                Some(target_dir) => {
                    let go_mod = join(&target_dir, "go.mod");
                    match ctx.facts.modules.iter().find(|m| m.manifest == go_mod) {
                        Some(sibling) => (
                            Severity::Info,
                            format!("{what}: uses the sibling module {} from this repository", sibling.name),
                            "fine for a monorepo; publish and require a version when the module is released on its own".to_string(),
                        ),
                        None => (
                            Severity::Error,
                            format!("{what}: {target_dir} has no go.mod in this repository"),
                            "point the replace at a directory with a go.mod, or drop it".to_string(),
                        ),
                    }
                }
            }
        }
    } else {
        (
            Severity::Warning,
            format!("{what}: a fork replaces the upstream module"),
            format!(
                "upstream the change and drop the replace (`go mod edit -dropreplace {}`), or record why in a drift.exceptions entry",
                replace.old_path
            ),
        )
    };
    if severity > Severity::Info
        && let Some(service) = service
        && ctx.excepted(&replace.old_path, service)
    {
        return;
    }
    out.push(
        Finding::new(ID, severity, file, message, &replace.old_path)
            .at(replace.pos.span())
            .service(service)
            .help(help),
    );
}

pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for module in &ctx.facts.modules {
        for replace in &module.parsed.replaces {
            check_one(
                ctx,
                out,
                &module.manifest,
                &module.dir,
                Some(module.name.as_str()),
                replace,
            );
        }
    }
    for work in &ctx.facts.works {
        for replace in &work.parsed.replaces {
            check_one(ctx, out, &work.path, &work.dir, None, replace);
        }
    }
}
