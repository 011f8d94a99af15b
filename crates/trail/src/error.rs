//! Errors that stop a whole run (bad input files never do: they are reported per file).

use std::path::PathBuf;

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum TrailError {
    /// A path given on the command line does not exist or cannot be read.
    #[error("{}: {source}", path.display())]
    Path {
        /// The path as given.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The paths given contain no files at all.
    #[error("no files found under the given paths")]
    NoFiles,
    /// A `--include` / `--exclude` glob does not parse.
    #[error("bad glob {0}")]
    Pattern(String),
    /// The worker thread pool could not be created.
    #[error("cannot start worker threads: {0}")]
    Threads(String),
}
