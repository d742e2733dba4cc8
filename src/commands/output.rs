//! Standard output for every command. A write that fails (a full disk behind
//! `> file`, `/dev/full`, a reader that closed the pipe) is the environment's
//! doing, not a bug in trellis: it is tagged here so that `commands::main`
//! reports it as an input/output error (exit 2) naming where stdout goes.

use std::io::{self, Write};

/// Marks an [`io::Error`] as a failed write to standard output.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct StdoutFailed(pub(crate) io::Error);

/// A locked stdout whose errors carry [`StdoutFailed`].
pub(crate) struct Stdout(io::StdoutLock<'static>);

pub(crate) fn stdout() -> Stdout {
    Stdout(io::stdout().lock())
}

fn tag(err: io::Error) -> io::Error {
    io::Error::new(err.kind(), StdoutFailed(err))
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf).map_err(tag)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.write_all(buf).map_err(tag)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush().map_err(tag)
    }
}

/// Writes `text` and flushes, so that a failure is seen here, not lost when
/// the buffer is dropped at exit.
pub(crate) fn print(text: &str) -> io::Result<()> {
    let mut out = stdout();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// The stdout write failure in an error's chain, if there is one.
pub(crate) fn stdout_failure(err: &anyhow::Error) -> Option<&io::Error> {
    err.chain().find_map(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<StdoutFailed>())
            .map(|failed| &failed.0)
    })
}

/// The first plain I/O error in an error's chain.
pub(crate) fn io_failure(err: &anyhow::Error) -> Option<&io::Error> {
    err.chain()
        .find_map(|cause| cause.downcast_ref::<io::Error>())
}

/// Where stdout goes, for the message: `/dev/full`, `pipe:[123]`, a file.
pub(crate) fn stdout_target() -> String {
    #[cfg(target_os = "linux")]
    if let Ok(target) = std::fs::read_link("/proc/self/fd/1") {
        return format!("standard output ({})", target.display());
    }
    "standard output".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tagged_write_failure_is_found_through_anyhow_context() {
        let err: anyhow::Error = anyhow::Error::from(tag(io::Error::from_raw_os_error(28)))
            .context("printing the report");
        let found = stdout_failure(&err).expect("tagged");
        assert_eq!(found.raw_os_error(), Some(28));
        let plain = anyhow::Error::from(io::Error::from_raw_os_error(28));
        assert!(stdout_failure(&plain).is_none());
        assert!(io_failure(&plain).is_some());
    }
}
