//! HTTP GET with timeouts, retries with backoff and an on-disk cache with a TTL.

use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The version of an answer's record (`STATUS STORED_AT` line, then the body).
const CACHE_FORMAT: u32 = 1;

/// Names the tool and why it asks: crates.io's crawler policy blocks clients
/// it cannot tell apart.
pub(crate) const USER_AGENT: &str = concat!(
    "trellis/",
    env!("CARGO_PKG_VERSION"),
    " (dependency drift checks: trellis drift --upstream)"
);

/// The outcome of one GET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fetch {
    Found(Vec<u8>),
    /// 404 or 410: the server has no such thing (the proxy protocol's "not found").
    NotFound,
    /// Anything else: a server error, a timeout, no connection.
    Failed(Failure),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) reason: String,
    /// No connection could be made at all (as opposed to a bad answer).
    pub(crate) unreachable: bool,
}

impl Fetch {
    pub(crate) fn failed(reason: impl Into<String>, unreachable: bool) -> Fetch {
        Fetch::Failed(Failure {
            reason: reason.into(),
            unreachable,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct HttpOptions {
    pub(crate) timeout: Duration,
    pub(crate) retries: u32,
    /// How long a cached answer is used without asking again.
    pub(crate) ttl: Duration,
    /// Where answers are cached; None disables the cache.
    pub(crate) cache_dir: Option<PathBuf>,
    /// The largest answer read: a bigger one is that lookup failing, so a
    /// hostile or broken server cannot make trellis hold gigabytes.
    pub(crate) max_body: u64,
}

pub(crate) struct Http {
    /// Built on the first request: loading the TLS roots costs time that
    /// runs answered from the cache (or --offline) should not pay.
    client: std::sync::OnceLock<Result<reqwest::blocking::Client, String>>,
    options: HttpOptions,
    uses: CacheUse,
}

/// How the cache answered this run's requests, for `-v`.
#[derive(Default)]
struct CacheUse {
    fresh: AtomicUsize,
    fetched: AtomicUsize,
    stale: AtomicUsize,
}

static TLS_PROVIDER: Once = Once::new();

impl Http {
    pub(crate) fn new(options: HttpOptions) -> Http {
        Http {
            client: std::sync::OnceLock::new(),
            options,
            uses: CacheUse::default(),
        }
    }

    fn client(&self) -> Result<&reqwest::blocking::Client, String> {
        self.client
            .get_or_init(|| {
                TLS_PROVIDER.call_once(|| {
                    // Another part of the program may have installed one already; either is fine.
                    let _ = rustls::crypto::ring::default_provider().install_default();
                });
                reqwest::blocking::Client::builder()
                    .timeout(self.options.timeout)
                    .connect_timeout(self.options.timeout)
                    .user_agent(USER_AGENT)
                    .tls_backend_rustls()
                    .build()
                    .map_err(|e| format!("cannot start the HTTP client: {e}"))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// GET `url`, from the cache when a fresh answer is there.
    pub(crate) fn get(&self, url: &str) -> Fetch {
        self.get_with(url, None, false)
    }

    /// [`Http::get`], with every request that reaches the network (retries
    /// too) spaced by `pacer`: answers from the cache cost nothing. `fresh`
    /// asks the server even when a fresh answer is cached.
    pub(crate) fn get_with(&self, url: &str, pacer: Option<&Pacer>, fresh: bool) -> Fetch {
        if !fresh && let Some(cached) = self.cached(url, false) {
            log::debug!("upstream cache hit: {}", redact(url));
            self.uses.fresh.fetch_add(1, Ordering::Relaxed);
            return cached;
        }
        log::debug!("upstream cache miss: {}", redact(url));
        self.uses.fetched.fetch_add(1, Ordering::Relaxed);
        let fetched = self.fetch(url, pacer);
        match &fetched {
            Fetch::Found(body) => self.store(url, 200, body),
            Fetch::NotFound => self.store(url, 404, &[]),
            // A stale answer beats none when the network fails.
            Fetch::Failed(_) => {
                if let Some(stale) = self.cached(url, true) {
                    log::debug!("upstream cache: stale answer used for {}", redact(url));
                    self.uses.stale.fetch_add(1, Ordering::Relaxed);
                    return stale;
                }
            }
        }
        fetched
    }

    /// One `-v` line on how the cache served this run.
    pub(crate) fn log_cache_use(&self) {
        let count = |c: &AtomicUsize| c.load(Ordering::Relaxed);
        match &self.options.cache_dir {
            Some(dir) => log::info!(
                "upstream cache {}: {} fresh hits, {} misses fetched ({} answered from a stale entry)",
                dir.display(),
                count(&self.uses.fresh),
                count(&self.uses.fetched),
                count(&self.uses.stale)
            ),
            None => log::info!(
                "upstream cache off (no cache directory): {} requests fetched",
                count(&self.uses.fetched)
            ),
        }
    }

    fn fetch(&self, url: &str, pacer: Option<&Pacer>) -> Fetch {
        let client = match self.client() {
            Ok(client) => client,
            Err(reason) => return Fetch::failed(reason, true),
        };
        let mut attempt = 0;
        loop {
            if let Some(pacer) = pacer {
                pacer.wait();
            }
            let sent = client.get(url).send();
            if let Some(pacer) = pacer {
                pacer.finished();
            }
            let outcome = match sent {
                Ok(response) => {
                    let status = response.status().as_u16();
                    match status {
                        200..=299 => match read_capped(response, self.options.max_body) {
                            Ok(body) => return Fetch::Found(body),
                            // The same server gives the same oversized answer again.
                            Err(BodyError::TooLarge) => {
                                return Fetch::failed(too_large(self.options.max_body), false);
                            }
                            Err(BodyError::Read(e)) => Fetch::failed(
                                format!("reading the answer failed: {}", redact(&e)),
                                false,
                            ),
                        },
                        404 | 410 => return Fetch::NotFound,
                        // Client errors will not change on retry.
                        400..=499 => return Fetch::failed(format!("HTTP {status}"), false),
                        _ => Fetch::failed(format!("HTTP {status}"), false),
                    }
                }
                Err(e) if e.is_timeout() => Fetch::failed(
                    format!(
                        "no answer within {:.1}s",
                        self.options.timeout.as_secs_f64()
                    ),
                    false,
                ),
                Err(e) if e.is_connect() => {
                    Fetch::failed(format!("cannot connect: {}", redact(&root_cause(&e))), true)
                }
                Err(e) => Fetch::failed(redact(&root_cause(&e)), false),
            };
            if attempt >= self.options.retries {
                return outcome;
            }
            attempt += 1;
            // 200 ms, 400 ms, 800 ms...: servers that are briefly overloaded recover.
            std::thread::sleep(Duration::from_millis(100 << attempt));
        }
    }

    fn cache_path(&self, url: &str) -> Option<PathBuf> {
        let dir = self.options.cache_dir.as_ref()?;
        let digest = Sha256::digest(url.as_bytes());
        let name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        Some(dir.join(&name[..2]).join(&name[2..]))
    }

    /// A cached answer: fresh ones only, unless `stale_ok`.
    fn cached(&self, url: &str, stale_ok: bool) -> Option<Fetch> {
        let path = self.cache_path(url)?;
        let bytes = crate::cache::read(&path, "http", CACHE_FORMAT)?;
        let newline = bytes.iter().position(|&b| b == b'\n')?;
        let header = std::str::from_utf8(&bytes[..newline]).ok()?;
        let (status, stored_at) = header.split_once(' ')?;
        let stored_at: u64 = stored_at.parse().ok()?;
        let age = now_secs().saturating_sub(stored_at);
        if !stale_ok && age > self.options.ttl.as_secs() {
            return None;
        }
        match status {
            "200" => Some(Fetch::Found(bytes[newline + 1..].to_vec())),
            "404" => Some(Fetch::NotFound),
            _ => None,
        }
    }

    fn store(&self, url: &str, status: u16, body: &[u8]) {
        let Some(path) = self.cache_path(url) else {
            return;
        };
        let mut bytes = format!("{status} {}\n", now_secs()).into_bytes();
        bytes.extend_from_slice(body);
        // The cache is an optimisation: failing to write it is not an error.
        crate::cache::write(&path, "http", CACHE_FORMAT, &bytes);
    }
}

/// Spaces requests to one server: crates.io's crawler policy allows its API
/// at most one request per second. Requests wait in turn, so lookups running
/// in parallel still reach the server one interval apart.
#[derive(Debug)]
pub(crate) struct Pacer {
    interval: Duration,
    last: std::sync::Mutex<Option<std::time::Instant>>,
    sent: AtomicUsize,
}

impl Pacer {
    pub(crate) fn new(interval: Duration) -> Pacer {
        Pacer {
            interval,
            last: std::sync::Mutex::new(None),
            sent: AtomicUsize::new(0),
        }
    }

    /// Blocks until `interval` has passed since the previous request ended.
    fn wait(&self) {
        // A poisoned lock only means another lookup panicked; pacing goes on.
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(previous) = *last {
            let due = previous + self.interval;
            let now = std::time::Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
        }
        *last = Some(std::time::Instant::now());
        self.sent.fetch_add(1, Ordering::Relaxed);
    }

    /// Marks the end of a request: the next waits a whole interval from
    /// here, so the server sees the gap however long the answer took.
    fn finished(&self) {
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *last = Some(std::time::Instant::now());
    }

    /// Requests sent through this pacer so far.
    pub(crate) fn sent(&self) -> usize {
        self.sent.load(Ordering::Relaxed)
    }
}

enum BodyError {
    TooLarge,
    Read(String),
}

/// The body of `response`, refused unread when its declared length is over
/// `max`, and refused as soon as more than `max` bytes arrive (a server may
/// lie about the length or send none).
fn read_capped(response: reqwest::blocking::Response, max: u64) -> Result<Vec<u8>, BodyError> {
    use std::io::Read as _;
    if response.content_length().is_some_and(|len| len > max) {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    response
        .take(max.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(|e| BodyError::Read(root_cause(&e)))?;
    if body.len() as u64 > max {
        return Err(BodyError::TooLarge);
    }
    Ok(body)
}

/// Why an answer over the cap is refused, naming the setting that moves it.
pub(crate) fn too_large(max: u64) -> String {
    format!(
        "the answer is larger than {} (drift.upstream.max-body-mib); refused",
        human_size(max)
    )
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// See [`crate::redact::userinfo`]: proxy and index URLs may carry credentials.
pub(crate) fn redact(text: &str) -> String {
    crate::redact::userinfo(text)
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn root_cause(e: &dyn std::error::Error) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// The default cache directory: $TRELLIS_CACHE_DIR, $XDG_CACHE_HOME/trellis or ~/.cache/trellis.
pub(crate) fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("TRELLIS_CACHE_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("XDG_CACHE_HOME")
                .filter(|v| !v.is_empty())
                .map(|d| PathBuf::from(d).join("trellis"))
        })
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".cache/trellis"))
        })?;
    Some(base.join("http"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(cache_dir: &std::path::Path, ttl: Duration) -> Http {
        Http::new(HttpOptions {
            timeout: Duration::from_secs(1),
            retries: 0,
            ttl,
            cache_dir: Some(cache_dir.to_path_buf()),
            max_body: 1 << 20,
        })
    }

    #[test]
    fn answers_come_back_from_the_cache_until_stale() {
        let dir = tempfile::tempdir().unwrap();
        let url = "https://proxy.example/m/@v/list";
        let fresh = http(dir.path(), Duration::from_secs(3600));
        fresh.store(url, 200, b"v1.0.0\n");
        fresh.store("https://proxy.example/gone", 404, &[]);
        assert_eq!(
            fresh.cached(url, false),
            Some(Fetch::Found(b"v1.0.0\n".to_vec()))
        );
        assert_eq!(
            fresh.cached("https://proxy.example/gone", false),
            Some(Fetch::NotFound)
        );
        // Stored this second: with a zero TTL it is stale only once a second passes,
        // so ask for a stale answer explicitly.
        let expired = http(dir.path(), Duration::ZERO);
        assert_eq!(
            expired.cached(url, true),
            Some(Fetch::Found(b"v1.0.0\n".to_vec()))
        );
    }

    #[test]
    fn entries_of_the_old_headerless_format_are_misses() {
        let dir = tempfile::tempdir().unwrap();
        let url = "https://proxy.example/m/@latest";
        let cache = http(dir.path(), Duration::from_secs(3600));
        let path = cache.cache_path(url).unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("200 {}\n{{}}", now_secs())).unwrap();
        assert_eq!(cache.cached(url, true), None);
    }

    #[test]
    fn a_pacer_spaces_requests_by_its_interval() {
        let pacer = Pacer::new(Duration::from_millis(60));
        let start = std::time::Instant::now();
        for _ in 0..3 {
            pacer.wait();
        }
        // The first goes at once, the next two one interval apart each.
        assert!(start.elapsed() >= Duration::from_millis(120));
        assert_eq!(pacer.sent(), 3);
    }
}
