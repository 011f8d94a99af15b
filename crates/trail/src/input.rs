//! Finding log files under the given paths and reading one file (gunzipped when it starts with
//! the gzip magic bytes) into a reusable buffer.

use crate::error::TrailError;
use flate2::{Decompress, FlushDecompress, Status};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A file to read, with its size on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// Path as found.
    pub path: PathBuf,
    /// Size in bytes on disk (compressed size for `.gz`).
    pub size: u64,
}

/// A path that could not be listed while walking directories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkProblem {
    /// The path.
    pub path: PathBuf,
    /// Why it was skipped.
    pub reason: String,
}

/// Directory names never descended into: CloudTrail digest files are signatures, not events.
const SKIPPED_DIRS: [&str; 1] = ["CloudTrail-Digest"];

const MAX_DEPTH: usize = 64;

/// Lists the files to read: each path that is a file, and every regular file below each path
/// that is a directory (recursively, in name order), except hidden entries (names starting
/// with `.`) and `CloudTrail-Digest` directories. A path that does not exist is an error.
pub fn discover(paths: &[PathBuf]) -> Result<(Vec<InputFile>, Vec<WalkProblem>), TrailError> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for p in paths {
        let meta = fs::metadata(p).map_err(|e| TrailError::Path {
            path: p.clone(),
            source: e,
        })?;
        if meta.is_dir() {
            walk(p, 0, &mut files, &mut problems);
        } else {
            files.push(InputFile {
                path: p.clone(),
                size: meta.len(),
            });
        }
    }
    Ok((files, problems))
}

fn walk(dir: &Path, depth: usize, files: &mut Vec<InputFile>, problems: &mut Vec<WalkProblem>) {
    if depth > MAX_DEPTH {
        problems.push(WalkProblem {
            path: dir.to_path_buf(),
            reason: format!("directory nesting deeper than {MAX_DEPTH} levels"),
        });
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(WalkProblem {
                path: dir.to_path_buf(),
                reason: format!("cannot list directory: {e}"),
            });
            return;
        }
    };
    let mut names: Vec<PathBuf> = Vec::new();
    for entry in entries {
        match entry {
            Ok(en) => names.push(en.path()),
            Err(e) => problems.push(WalkProblem {
                path: dir.to_path_buf(),
                reason: format!("cannot list directory: {e}"),
            }),
        }
    }
    names.sort();
    for path in names {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.starts_with('.') || SKIPPED_DIRS.contains(&name) {
            continue;
        }
        match fs::metadata(&path) {
            Ok(m) if m.is_dir() => walk(&path, depth + 1, files, problems),
            Ok(m) if m.is_file() => files.push(InputFile {
                path,
                size: m.len(),
            }),
            Ok(_) => {}
            Err(e) => problems.push(WalkProblem {
                path,
                reason: format!("cannot read: {e}"),
            }),
        }
    }
}

/// Buffers reused across the files one worker reads.
#[derive(Debug, Default)]
pub struct Buffers {
    raw: Vec<u8>,
    out: Vec<u8>,
}

/// The content of one file, after decompression.
#[derive(Debug)]
pub struct Loaded<'b> {
    /// The (decompressed) bytes.
    pub data: &'b [u8],
    /// True when the file was gzip-compressed.
    pub gzip: bool,
    /// Set when decompression failed part-way (truncated or corrupt gzip); `data` holds what
    /// was decompressed before the failure.
    pub damage: Option<String>,
}

/// Reads `path` into `bufs`, gunzipping when the content starts with `1f 8b`.
pub fn load<'b>(path: &Path, bufs: &'b mut Buffers) -> std::io::Result<Loaded<'b>> {
    bufs.raw.clear();
    let mut f = fs::File::open(path)?;
    f.read_to_end(&mut bufs.raw)?;
    if !bufs.raw.starts_with(&[0x1f, 0x8b]) {
        return Ok(Loaded {
            data: &bufs.raw,
            gzip: false,
            damage: None,
        });
    }
    bufs.out.clear();
    let damage = gunzip(&bufs.raw, &mut bufs.out);
    Ok(Loaded {
        data: &bufs.out,
        gzip: true,
        damage,
    })
}

/// Inflates every gzip member of `input` into `out` (whose spare capacity is written directly,
/// without zero-filling). Returns why decompression stopped early, if it did; `out` then holds
/// what was decompressed before the damage.
fn gunzip(input: &[u8], out: &mut Vec<u8>) -> Option<String> {
    // CloudTrail JSON compresses roughly 10:1; reserve once to avoid regrowth.
    let want = input.len().saturating_mul(12).max(64 * 1024);
    if out.capacity() < want {
        out.reserve(want);
    }
    let mut rest = input;
    while !rest.is_empty() {
        if !rest.starts_with(&[0x1f, 0x8b]) {
            return Some(format!(
                "corrupt gzip after {} decompressed bytes: data after the last gzip member is not gzip",
                out.len()
            ));
        }
        let mut d = Decompress::new_gzip(15);
        loop {
            if out.capacity() - out.len() < 32 * 1024 {
                out.reserve(out.len().max(256 * 1024));
            }
            let (in_before, out_before) = (d.total_in(), d.total_out());
            let pos = in_before as usize;
            match d.decompress_vec(&rest[pos.min(rest.len())..], out, FlushDecompress::None) {
                Err(e) => {
                    return Some(format!(
                        "corrupt gzip after {} decompressed bytes: {e}",
                        out.len()
                    ))
                }
                Ok(Status::StreamEnd) => break,
                Ok(_) => {
                    let stalled = d.total_in() == in_before && d.total_out() == out_before;
                    if stalled && d.total_in() as usize >= rest.len() {
                        return Some(format!(
                            "gzip stream truncated after {} decompressed bytes",
                            out.len()
                        ));
                    }
                    if stalled {
                        return Some(format!(
                            "corrupt gzip after {} decompressed bytes: inflate made no progress",
                            out.len()
                        ));
                    }
                }
            }
        }
        rest = &rest[(d.total_in() as usize).min(rest.len())..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn members_truncation_and_garbage() {
        let a: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let mut two = gz(&a);
        two.extend(gz(b"tail"));
        let mut out = Vec::new();
        assert_eq!(gunzip(&two, &mut out), None);
        assert_eq!(out.len(), a.len() + 4);
        assert!(out.ends_with(b"tail"));

        let one = gz(&a);
        for cut in [10, one.len() / 2, one.len() - 4] {
            let mut out = Vec::new();
            let why = gunzip(&one[..cut], &mut out).expect("damage");
            assert!(why.contains("truncated"), "{why}");
            assert!(out.len() < a.len() || cut > one.len() - 8);
            assert_eq!(out[..], a[..out.len()]);
        }

        let mut bad = one.clone();
        let n = bad.len();
        bad[n - 6] ^= 0xff; // CRC
        let mut out = Vec::new();
        assert!(gunzip(&bad, &mut out).is_some());

        let mut out = Vec::new();
        assert!(gunzip(b"\x1f\x8b\x08\x00garbage-garbage", &mut out).is_some());
    }
}
