//! Running another program with a deadline and bounded output: `go mod
//! tidy` after `drift --fix`, a template's post-generation steps. Either may
//! download from the network or hang on a prompt, so neither may block
//! trellis forever nor fill its memory with output.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Output kept from each of stdout and stderr; the rest is read and dropped
/// so the program never blocks on a full pipe.
pub(crate) const MAX_OUTPUT_BYTES: u64 = 64 << 10;

/// A program that ran to its end.
#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) status: ExitStatus,
    /// At most [`MAX_OUTPUT_BYTES`] of each, lossily decoded.
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// Why a program did not run to its end.
#[derive(Debug)]
pub(crate) enum RunError {
    /// It could not be started (not found, not executable).
    Spawn(std::io::Error),
    /// It ran past the deadline and was killed.
    TimedOut(Duration),
    Wait(std::io::Error),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Spawn(e) => write!(f, "cannot start it: {e}"),
            RunError::TimedOut(after) => write!(f, "did not finish in {} s", after.as_secs()),
            RunError::Wait(e) => write!(f, "cannot wait for it: {e}"),
        }
    }
}

/// Runs `command` with no stdin, killing it after `timeout`.
pub(crate) fn run_bounded(mut command: Command, timeout: Duration) -> Result<Finished, RunError> {
    // Its own process group, so a timeout ends what it started too (go runs
    // git, which would otherwise hold the pipes open and the thread waiting).
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(RunError::Spawn)?;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    // After a timeout the readers are not joined: a descendant that left
    // the group may still hold a pipe, and nothing it writes is wanted.
    let status = wait_until(&mut child, Instant::now() + timeout, timeout)?;
    Ok(Finished {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

fn wait_until(
    child: &mut Child,
    deadline: Instant,
    timeout: Duration,
) -> Result<ExitStatus, RunError> {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if Instant::now() >= deadline => {
                kill_group(child);
                let _ = child.kill();
                let _ = child.wait();
                return Err(RunError::TimedOut(timeout));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(RunError::Wait(e)),
        }
    }
}

#[cfg(unix)]
fn kill_group(child: &Child) {
    if let Ok(group) = i32::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals that process group;
        // it touches no memory of ours.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
    }
}

#[cfg(not(unix))]
fn kill_group(_child: &Child) {}

fn drain(pipe: Option<impl Read + Send + 'static>) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let Some(mut pipe) = pipe else {
            return String::new();
        };
        let mut kept = Vec::new();
        let _ = (&mut pipe).take(MAX_OUTPUT_BYTES).read_to_end(&mut kept);
        let _ = std::io::copy(&mut pipe, &mut std::io::sink());
        String::from_utf8_lossy(&kept).into_owned()
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        command
    }

    #[test]
    fn a_finished_program_gives_its_status_and_both_outputs() {
        let done = run_bounded(
            sh("echo out; echo err >&2; exit 3"),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(done.status.code(), Some(3));
        assert_eq!(done.stdout, "out\n");
        assert_eq!(done.stderr, "err\n");
    }

    #[test]
    fn a_program_past_its_deadline_is_killed() {
        let started = Instant::now();
        let err = run_bounded(sh("sleep 30"), Duration::from_millis(200)).unwrap_err();
        assert!(matches!(err, RunError::TimedOut(_)), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_timeout_ends_the_programs_children_too() {
        let started = Instant::now();
        // The shell forks sleep (two commands), and sleep holds stdout open.
        let err = run_bounded(sh("sleep 30; echo done"), Duration::from_millis(200)).unwrap_err();
        assert!(matches!(err, RunError::TimedOut(_)), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn output_past_the_cap_is_dropped_without_blocking_the_program() {
        // 1 MiB on stdout: more than a pipe holds, so an unread pipe would hang it.
        let done = run_bounded(
            sh("head -c 1048576 /dev/zero | tr '\\0' x"),
            Duration::from_secs(30),
        )
        .unwrap();
        assert!(done.status.success());
        assert_eq!(done.stdout.len() as u64, MAX_OUTPUT_BYTES);
    }

    #[test]
    fn a_missing_program_is_a_spawn_error() {
        let err = run_bounded(
            Command::new("/nonexistent/trellis-no-such-program"),
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert!(matches!(err, RunError::Spawn(_)), "{err}");
    }
}
