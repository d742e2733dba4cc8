//! Formats the Rust files a template renders with rustfmt, for templates
//! that ask for it (`rustfmt_edition` in template.yaml).
//!
//! A template alone cannot be `cargo fmt --check` clean: rustfmt breaks a
//! line or joins it by its width, and the width depends on the names of the
//! contract's services, RPCs and messages. So the rendered text goes through
//! rustfmt before anything is hashed, compared or written: `new`, `sync` and
//! `upgrade` (base and target alike) all see the formatted text.

use super::render::RenderedFile;
use crate::error::InputError;
use std::io::Write;
use std::process::{Command, Stdio};

const EDITIONS: &[&str] = &["2015", "2018", "2021", "2024"];

/// Checks the rendered `rustfmt_edition` of template `template`.
pub(crate) fn check_edition(template: &str, edition: &str) -> Result<(), InputError> {
    if EDITIONS.contains(&edition) {
        return Ok(());
    }
    Err(InputError::new(format!(
        "template `{template}`: `rustfmt_edition` renders to `{edition}`, which is no Rust edition"
    ))
    .help(format!(
        "set it in template.yaml to one of {} (or to the template's edition variable)",
        EDITIONS.join(", ")
    )))
}

/// Formats every `.rs` file of `files` in place. Without rustfmt, or when
/// rustfmt rejects a file (the template rendered code that does not parse),
/// the files stay as rendered and a warning says so: the service is still
/// written, and the compiler will name the problem.
pub(crate) fn format(files: &mut [RenderedFile], edition: &str) {
    if !files.iter().any(|f| f.path.ends_with(".rs")) {
        return;
    }
    if crate::fsutil::on_path("rustfmt").is_none() {
        log::warn!(
            "rustfmt is not on PATH: the generated Rust files are written unformatted (run `cargo fmt` in the service)"
        );
        return;
    }
    // An empty rustfmt.toml in a directory of our own: rustfmt looks for its
    // configuration from the working directory up and then in the user's
    // config directory, and a setting found there would make the same
    // template render differently on two machines (and an upgrade's base
    // differ from what `new` wrote).
    let config = match tempfile::tempdir() {
        Ok(dir) if std::fs::write(dir.path().join("rustfmt.toml"), "").is_ok() => dir,
        _ => {
            log::warn!(
                "no temporary directory for rustfmt: the generated Rust files are written unformatted"
            );
            return;
        }
    };
    for file in files.iter_mut().filter(|f| f.path.ends_with(".rs")) {
        match run(&file.content, edition, config.path()) {
            Ok(formatted) => file.content = formatted,
            Err(why) => log::warn!(
                "rustfmt left {} unformatted: {}",
                file.path,
                why.lines().take(5).collect::<Vec<_>>().join(" | ")
            ),
        }
    }
}

/// Reads the source from stdin, so rustfmt formats this one file and does
/// not follow its `mod x;` declarations into files that are not written yet.
fn run(source: &str, edition: &str, config_dir: &std::path::Path) -> Result<String, String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", edition, "--emit", "stdout"])
        .current_dir(config_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run rustfmt: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("rustfmt has no stdin")?;
    let input = source.to_string();
    // Written from a thread: rustfmt may fill its stdout pipe before it has
    // read all of its input.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt did not finish: {e}"))?;
    let written = writer.join().map_err(|_| "writing to rustfmt panicked")?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    written.map_err(|e| format!("writing to rustfmt: {e}"))?;
    String::from_utf8(output.stdout).map_err(|_| "rustfmt wrote text that is not UTF-8".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaffold::template::Owner;

    fn file(path: &str, content: &str) -> RenderedFile {
        RenderedFile {
            path: path.into(),
            content: content.into(),
            owner: Owner::User,
            rpc: None,
        }
    }

    #[test]
    fn rust_files_are_formatted_and_others_left_alone() {
        let mut files = vec![
            file("src/lib.rs", "mod a;\nfn  f( x:u8 )->u8{x}\n"),
            file("README.md", "fn  f( x:u8 )->u8{x}\n"),
        ];
        format(&mut files, "2024");
        assert_eq!(files[0].content, "mod a;\nfn f(x: u8) -> u8 {\n    x\n}\n");
        assert_eq!(files[1].content, "fn  f( x:u8 )->u8{x}\n");
    }

    #[test]
    fn code_that_does_not_parse_stays_as_rendered() {
        let mut files = vec![file("src/lib.rs", "fn f( {\n")];
        format(&mut files, "2021");
        assert_eq!(files[0].content, "fn f( {\n");
    }

    #[test]
    fn an_unknown_edition_is_refused() {
        assert!(check_edition("t", "2024").is_ok());
        let err = check_edition("t", "2027").unwrap_err();
        assert!(err.message.contains("2027"), "{}", err.message);
    }
}
