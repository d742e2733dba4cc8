//! What a template or a contract may cost: bytes read, bytes rendered,
//! rendering time, how long a git template may take to fetch, and how long
//! a post-generation step may run. Each has
//! a flag (and an environment variable) on `trellis new service` and
//! `trellis sync`; docs/scaffold.md lists them.

use crate::error::InputError;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Largest template file, manifest or contract read.
    pub(crate) max_input_bytes: u64,
    /// Largest total of rendered files.
    pub(crate) max_output_bytes: u64,
    /// Longest time rendering may take (a template loop must not run forever).
    pub(crate) render_timeout: Duration,
    /// Longest wait for a git server to accept the connection.
    pub(crate) git_connect_timeout: Duration,
    /// Longest a git template fetch may take, and may stall.
    pub(crate) git_timeout: Duration,
    /// Longest one post-generation step (`buf generate`, `go mod tidy`) may
    /// run: they download, and a hung proxy must not hang trellis.
    pub(crate) step_timeout: Duration,
}

pub(crate) const DEFAULT_MAX_INPUT_BYTES: u64 = 4 * 1024 * 1024;
pub(crate) const DEFAULT_MAX_OUTPUT_BYTES: u64 = 64 * 1024 * 1024;
pub(crate) const DEFAULT_RENDER_TIMEOUT_SECS: u64 = 30;
pub(crate) const DEFAULT_GIT_CONNECT_TIMEOUT_SECS: u64 = 30;
pub(crate) const DEFAULT_GIT_TIMEOUT_SECS: u64 = 300;
pub(crate) const DEFAULT_STEP_TIMEOUT_SECS: u64 = 600;

/// Deeper than any real template; a bound for walking `files/`.
pub(crate) const MAX_TEMPLATE_DEPTH: usize = 32;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
            max_output_bytes: DEFAULT_MAX_OUTPUT_BYTES,
            render_timeout: Duration::from_secs(DEFAULT_RENDER_TIMEOUT_SECS),
            git_connect_timeout: Duration::from_secs(DEFAULT_GIT_CONNECT_TIMEOUT_SECS),
            git_timeout: Duration::from_secs(DEFAULT_GIT_TIMEOUT_SECS),
            step_timeout: Duration::from_secs(DEFAULT_STEP_TIMEOUT_SECS),
        }
    }
}

/// Why a file was not read.
#[derive(Debug)]
pub(crate) enum ReadRefused {
    /// A FIFO, a device, a socket: opening or reading it could block
    /// forever (`/dev/zero`, a pipe nobody writes to).
    NotRegular,
    TooLarge,
    Io(std::io::Error),
}

impl std::fmt::Display for ReadRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadRefused::NotRegular => f.write_str("not a regular file"),
            ReadRefused::TooLarge => f.write_str("larger than the limit"),
            ReadRefused::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Reads a regular file (a link to one is followed) of at most `limit`
/// bytes as UTF-8. The type is checked before opening, because opening a
/// FIFO already blocks, and again on the open file.
pub(crate) fn read_regular(path: &Path, limit: u64) -> Result<String, ReadRefused> {
    let meta = std::fs::metadata(path).map_err(ReadRefused::Io)?;
    if !meta.is_file() {
        return Err(ReadRefused::NotRegular);
    }
    if meta.len() > limit {
        return Err(ReadRefused::TooLarge);
    }
    let file = std::fs::File::open(path).map_err(ReadRefused::Io)?;
    if !file.metadata().map_err(ReadRefused::Io)?.is_file() {
        return Err(ReadRefused::NotRegular);
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadRefused::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadRefused::TooLarge);
    }
    String::from_utf8(bytes)
        .map_err(|e| ReadRefused::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}

/// [`read_regular`] with the refusal as an input error naming the file
/// and the flag that raises the limit.
pub(crate) fn read_input(path: &Path, shown: &str, limit: u64) -> Result<String, InputError> {
    read_regular(path, limit).map_err(|refused| {
        let help = match refused {
            ReadRefused::NotRegular => "pass a regular file (not a pipe, device or directory)".to_string(),
            ReadRefused::TooLarge => format!(
                "the limit is {limit} bytes; raise it with --max-input-bytes (TRELLIS_MAX_INPUT_BYTES)"
            ),
            ReadRefused::Io(_) => "check that the file exists, is readable and is UTF-8 text".to_string(),
        };
        InputError::new(format!("cannot read {shown}: {refused}"))
            .in_file(shown)
            .help(help)
    })
}

/// Runs `work` on its own thread and gives up after `timeout`. The thread
/// cannot be stopped, but the process exits on the error soon after, which
/// ends it.
pub(crate) fn within<T: Send + 'static>(
    timeout: Duration,
    what: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, InputError> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("render".to_string())
        .spawn(move || {
            let _ = sender.send(work());
        })
        .map_err(|e| InputError::new(format!("cannot start {what}: {e}")))?;
    receiver.recv_timeout(timeout).map_err(|_| {
        InputError::new(format!(
            "{what} took longer than {} s",
            timeout.as_secs_f64()
        ))
        .help("a template loop that never ends, or a very large contract; raise the budget with --render-timeout (TRELLIS_RENDER_TIMEOUT) if it is legitimate")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_within_the_limit_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.proto");
        std::fs::write(&path, "syntax = \"proto3\";\n").unwrap();
        assert!(read_regular(&path, 100).is_ok());
        assert!(matches!(read_regular(&path, 5), Err(ReadRefused::TooLarge)));
        assert!(matches!(
            read_regular(dir.path(), 100),
            Err(ReadRefused::NotRegular)
        ));
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_refused_without_reading() {
        // /dev/zero never ends; reading it would fill memory.
        assert!(matches!(
            read_regular(Path::new("/dev/zero"), 100),
            Err(ReadRefused::NotRegular)
        ));
    }

    #[test]
    fn work_over_budget_is_an_input_error() {
        let err = within(Duration::from_millis(50), "rendering", || {
            std::thread::sleep(Duration::from_secs(5));
        })
        .unwrap_err();
        assert!(
            err.message.contains("rendering took longer"),
            "{}",
            err.message
        );
        assert_eq!(within(Duration::from_secs(5), "x", || 7).unwrap(), 7);
    }
}
