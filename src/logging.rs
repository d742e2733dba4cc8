//! `-v` output: a stderr logger for the `log` facade and stage timings.
//!
//! Without `-v` no logger is installed, so every `log::info!` costs one
//! relaxed atomic load and stderr stays exactly as it was. A hand-written
//! logger is a few lines; env_logger would add a regex engine and its own
//! environment variable for what `-v`/`-vv` already say.

use std::io::Write;
use std::time::{Duration, Instant};

struct StderrLogger {
    started: Instant,
}

impl log::Log for StderrLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        shown(metadata.target(), metadata.level(), log::max_level())
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let line = format_line(
            self.started.elapsed(),
            record.level(),
            record.target(),
            record.args(),
        );
        // One write per line: lines from rayon workers do not interleave.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }

    fn flush(&self) {}
}

/// Dependencies (ignore, globset, reqwest) log every file and glob at
/// debug: their lines would bury ours, so only `-vvv` shows them.
fn shown(target: &str, level: log::Level, max: log::LevelFilter) -> bool {
    let ours = target == "trellis" || target.starts_with("trellis::");
    level <= max && (ours || max == log::LevelFilter::Trace)
}

/// `[  0.042s info  lint] message`: the time since start lets a reader add
/// up where a slow run went without a profiler.
fn format_line(
    elapsed: Duration,
    level: log::Level,
    target: &str,
    message: &std::fmt::Arguments<'_>,
) -> String {
    let module = target.strip_prefix("trellis::").unwrap_or(target);
    let level = level.as_str().to_ascii_lowercase();
    format!(
        "[{:>8.3}s {level:<5} {module}] {message}\n",
        elapsed.as_secs_f64()
    )
}

/// The most detailed level `-v` repeated `count` times asks for; `None` for no `-v`.
pub(crate) fn level_for(count: u8) -> Option<log::LevelFilter> {
    match count {
        0 => None,
        1 => Some(log::LevelFilter::Info),
        2 => Some(log::LevelFilter::Debug),
        _ => Some(log::LevelFilter::Trace),
    }
}

/// Installs the stderr logger for `-v` (`count` is how often it was given).
pub(crate) fn init(count: u8) {
    let Some(level) = level_for(count) else {
        return;
    };
    let logger = Box::leak(Box::new(StderrLogger {
        started: Instant::now(),
    }));
    // Fails only when a logger is already installed (a second `main` in
    // tests); that one keeps logging.
    if log::set_logger(logger).is_ok() {
        log::set_max_level(level);
    }
}

/// Runs one named stage and logs how long it took (at info, so `-v` shows
/// where time goes).
pub(crate) fn timed<T>(stage: &str, run: impl FnOnce() -> T) -> T {
    if !log::log_enabled!(log::Level::Info) {
        return run();
    }
    let started = Instant::now();
    let result = run();
    log::info!(target: "trellis::timing", "{stage}: {}", format_duration(started.elapsed()));
    result
}

fn format_duration(duration: Duration) -> String {
    let millis = duration.as_secs_f64() * 1000.0;
    if millis < 10.0 {
        format!("{millis:.2} ms")
    } else {
        format!("{millis:.0} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_v_asks_for_more_detail() {
        assert_eq!(level_for(0), None);
        assert_eq!(level_for(1), Some(log::LevelFilter::Info));
        assert_eq!(level_for(2), Some(log::LevelFilter::Debug));
        assert_eq!(level_for(9), Some(log::LevelFilter::Trace));
    }

    #[test]
    fn dependencies_speak_only_at_the_most_detail() {
        let debug = log::LevelFilter::Debug;
        assert!(shown("trellis::lint::cache", log::Level::Debug, debug));
        assert!(!shown("trellis::lint", log::Level::Trace, debug));
        assert!(!shown("ignore::walk", log::Level::Debug, debug));
        assert!(shown(
            "ignore::walk",
            log::Level::Debug,
            log::LevelFilter::Trace
        ));
    }

    #[test]
    fn lines_name_the_module_without_the_crate() {
        let line = format_line(
            Duration::from_millis(1500),
            log::Level::Info,
            "trellis::lint::cache",
            &format_args!("12 hits"),
        );
        assert_eq!(line, "[   1.500s info  lint::cache] 12 hits\n");
    }

    #[test]
    fn short_stages_keep_their_fractions() {
        assert_eq!(format_duration(Duration::from_micros(2500)), "2.50 ms");
        assert_eq!(format_duration(Duration::from_millis(250)), "250 ms");
    }
}
