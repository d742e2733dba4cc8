//! What every layer reads of trellis.yaml, below the jobs: values with where
//! they were written ([`Located`]), globs, rule keys and levels, exceptions,
//! and the sink that applies `rules:` and `exceptions:` to the findings of
//! every job. `crate::config` composes the file from these, the repository's
//! keys and each job's own section.

mod glob;
pub mod selection;
pub(crate) mod sink;

pub(crate) use glob::{Glob, GlobList, Located, ServiceEntry, location_of};
pub(crate) use selection::{DriftException, Exception, RuleKey, level_for};

/// The configuration file trellis reads at the repository root.
pub(crate) const FILE_NAME: &str = "trellis.yaml";
