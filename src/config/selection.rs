//! Checks of the top-level `rules:` and `exceptions:` keys (their types are
//! [`crate::policy`]'s) against the rules of every job.

use crate::error::{InputError, did_you_mean};
use crate::policy::RuleKey;
use crate::policy::selection::is_prefix;
use std::path::Path;

/// Checks `rules:` and `exceptions:` of one file: every key names a rule of
/// some job (or of `lint.custom` in the same file), every exception has one
/// target and a reason.
pub(crate) fn validate(config: &super::Config, path: &Path, text: &str) -> Result<(), InputError> {
    if config.rules.is_empty() && config.exceptions.is_empty() {
        return Ok(());
    }
    let mut known: Vec<String> = crate::registry::RuleId::ALL
        .iter()
        .map(|rule| rule.as_str().to_string())
        .collect();
    known.extend(config.lint.custom.iter().map(|c| c.id.value.clone()));
    let error = |message: String, location: Option<(u32, u32)>| {
        let mut err = InputError::new(message)
            .in_file(path)
            .with_source(text.to_string());
        if let Some((line, column)) = location {
            err = err.at(line, column);
        }
        err
    };
    let check_key = |key: &RuleKey, section: &str| -> Result<(), InputError> {
        if known.iter().any(|id| key.rank(id).is_some()) {
            return Ok(());
        }
        let what = if is_prefix(&key.id) {
            "is a prefix of no rule id"
        } else {
            "is not a rule id"
        };
        let hint = match did_you_mean(&key.id, known.iter().map(String::as_str)) {
            Some(close) => format!("did you mean `{close}`? `trellis rules` lists every rule id"),
            None => "`trellis rules` lists every rule id; a prefix ends in `-` or `_` (`drift-`, `FIELD_`)".to_string(),
        };
        Err(error(
            format!("`{section}` names `{}`, which {what}", key.id),
            key.location,
        )
        .help(hint))
    };
    for key in config.rules.keys() {
        check_key(key, "rules")?;
    }
    for exception in &config.exceptions {
        check_key(&exception.rule, "exceptions")?;
        let at = exception.rule.location;
        let by_place = exception.path.is_some();
        let by_subject = exception.module.is_some() || exception.service.is_some();
        if by_place == by_subject {
            return Err(error(
                format!(
                    "the exception for `{}` needs either `path`, or `module` and/or `service`",
                    exception.rule.id
                ),
                at,
            )
            .help("write one exception per path glob, module or service; a `module` may be narrowed to one `service`"));
        }
        if exception.reason.trim().is_empty() {
            return Err(error(
                format!(
                    "the exception for `{}` has an empty `reason`",
                    exception.rule.id
                ),
                at,
            )
            .help("say why these findings are accepted; reports count excepted findings"));
        }
        if let Some(glob) = &exception.path
            && let Err(e) = glob.compile()
        {
            return Err(error(
                format!("invalid glob `{}`: {}", glob.pattern, e.kind()),
                glob.location.or(at),
            )
            .help("globs use `*`, `**`, `?`, `[abc]` and `{a,b}`"));
        }
    }
    Ok(())
}
