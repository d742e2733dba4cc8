//! Writes that never leave a half-written file behind.

use std::io::Write;
use std::path::Path;

/// Writes `contents` to `path` through a temporary file in the same directory
/// and a rename, so a failure leaves the old file (or no file) in place.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(contents)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
