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

/// How directories are walked.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Follow symbolic links to directories (links to files are always followed). Loops are
    /// detected and reported, never followed twice.
    pub follow_links: bool,
    /// Read only files found by walking whose path matches one of these globs (all when empty).
    pub include: Vec<Pattern>,
    /// Never read files, nor walk directories, whose path matches one of these globs.
    pub exclude: Vec<Pattern>,
}

/// A `--include` / `--exclude` glob. A pattern without `/` is matched against the file or
/// directory name; a pattern with `/` against the path below the directory given on the
/// command line (`**` crosses directories).
#[derive(Debug, Clone)]
pub struct Pattern {
    text: String,
    by_name: bool,
    glob: globset::GlobMatcher,
}

impl Pattern {
    /// Parses a glob.
    pub fn new(text: &str) -> Result<Pattern, TrailError> {
        let glob = globset::GlobBuilder::new(text)
            .literal_separator(true)
            .build()
            .map_err(|e| TrailError::Pattern(format!("{text:?}: {e}")))?;
        Ok(Pattern {
            text: text.to_string(),
            by_name: !text.contains('/'),
            glob: glob.compile_matcher(),
        })
    }

    /// The glob as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn matches(&self, relative: &Path) -> bool {
        if self.by_name {
            relative.file_name().is_some_and(|n| self.glob.is_match(n))
        } else {
            self.glob.is_match(relative)
        }
    }
}

/// Identity of a file or directory on disk, so that one reached twice is read once.
type FileId = (u64, u64);

fn file_id(meta: &fs::Metadata) -> FileId {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

/// The state of one discovery: what was found and what was already seen.
struct Walk<'o> {
    opts: &'o WalkOptions,
    files: Vec<InputFile>,
    problems: Vec<WalkProblem>,
    seen_files: std::collections::HashSet<FileId>,
    seen_dirs: std::collections::HashSet<FileId>,
}

/// Lists the files to read: each path that is a file, and every regular file below each path
/// that is a directory (recursively, in name order), except hidden entries (names starting
/// with `.`), `CloudTrail-Digest` directories and what `opts` filters out. A file reached twice
/// (overlapping paths, hard or symbolic links) is listed once. A path that does not exist is
/// an error.
pub fn discover(
    paths: &[PathBuf],
    opts: &WalkOptions,
) -> Result<(Vec<InputFile>, Vec<WalkProblem>), TrailError> {
    let mut w = Walk {
        opts,
        files: Vec::new(),
        problems: Vec::new(),
        seen_files: Default::default(),
        seen_dirs: Default::default(),
    };
    for p in paths {
        let meta = fs::metadata(p).map_err(|e| TrailError::Path {
            path: p.clone(),
            source: e,
        })?;
        if meta.is_dir() {
            w.dir(p, p, &meta, 0);
        } else if w.seen_files.insert(file_id(&meta)) {
            w.files.push(InputFile {
                path: p.clone(),
                size: meta.len(),
            });
        }
    }
    Ok((w.files, w.problems))
}

impl Walk<'_> {
    fn problem(&mut self, path: &Path, reason: String) {
        self.problems.push(WalkProblem {
            path: path.to_path_buf(),
            reason,
        });
    }

    fn dir(&mut self, root: &Path, dir: &Path, meta: &fs::Metadata, depth: usize) {
        if !self.seen_dirs.insert(file_id(meta)) {
            return; // reached before: through an overlapping path or a link
        }
        if depth > MAX_DEPTH {
            self.problem(
                dir,
                format!("directory nesting deeper than {MAX_DEPTH} levels"),
            );
            return;
        }
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => return self.problem(dir, format!("cannot list directory: {e}")),
        };
        let mut names: Vec<fs::DirEntry> = Vec::new();
        for entry in entries {
            match entry {
                Ok(en) => names.push(en),
                Err(e) => self.problem(dir, format!("cannot list directory: {e}")),
            }
        }
        names.sort_by_key(fs::DirEntry::file_name);
        for en in names {
            self.entry(root, &en, depth);
        }
    }

    /// One directory entry. Its type comes from the listing and its metadata from a lookup
    /// relative to the directory (one system call, no walk of the whole path); only a link
    /// is looked up by path, to follow it.
    fn entry(&mut self, root: &Path, en: &fs::DirEntry, depth: usize) {
        let path = en.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            return;
        };
        if name.starts_with('.') || SKIPPED_DIRS.contains(&name) {
            return;
        }
        let relative = path.strip_prefix(root).unwrap_or(&path);
        if self.opts.exclude.iter().any(|p| p.matches(relative)) {
            return;
        }
        let is_link = en.file_type().is_ok_and(|t| t.is_symlink());
        let meta = if is_link {
            fs::metadata(&path)
        } else {
            en.metadata()
        };
        match meta {
            Ok(m) if m.is_dir() => {
                if is_link && !self.opts.follow_links {
                    return;
                }
                // A link back up the tree (a loop) or to a directory walked through another
                // path is not walked again: `dir` skips directories already seen.
                self.dir(root, &path, &m, depth + 1)
            }
            Ok(m) if m.is_file() => {
                let included = self.opts.include.is_empty()
                    || self.opts.include.iter().any(|p| p.matches(relative));
                if included && self.seen_files.insert(file_id(&m)) {
                    self.files.push(InputFile {
                        path,
                        size: m.len(),
                    });
                }
            }
            Ok(_) => {}
            Err(e) => self.problem(&path, format!("cannot read: {e}")),
        }
    }
}

/// Reads a file whole (into the reused buffers) or as a stream (in windows), by its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Plain files up to this size are read whole; gzip files up to an eighth of it.
    pub whole_max: u64,
    /// Windows for the streamed files.
    pub windows: crate::window::Windows,
}

impl Limits {
    /// The defaults, or the window size `TLSFLOOR_TRAIL_WINDOW` (bytes) when set, for tests
    /// and tuning: files larger than one window are then streamed.
    pub fn from_env() -> Limits {
        let mut l = Limits {
            whole_max: 256 << 20,
            windows: crate::window::Windows::default(),
        };
        if let Some(n) = std::env::var("TLSFLOOR_TRAIL_WINDOW")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|n| *n >= 64)
        {
            l.windows.size = n;
            l.whole_max = n as u64;
        }
        l
    }

    /// True when the file at `path` of `size` bytes is read whole.
    pub fn read_whole(&self, path: &Path, size: u64) -> std::io::Result<bool> {
        let mut magic = [0u8; 2];
        let n = fs::File::open(path)?.read(&mut magic)?;
        let gzip = n == 2 && magic == [0x1f, 0x8b];
        Ok(size
            <= if gzip {
                self.whole_max / 8
            } else {
                self.whole_max
            })
    }
}

/// The decompressed content of the file at `path`, as a stream: gzip members one after the
/// other (zero padding after the last one is not damage), or the bytes as they are.
pub fn open_stream(path: &Path) -> std::io::Result<Box<dyn Read>> {
    let mut f = std::io::BufReader::with_capacity(1 << 20, fs::File::open(path)?);
    let gzip = std::io::BufRead::fill_buf(&mut f)?.starts_with(&[0x1f, 0x8b]);
    if gzip {
        Ok(Box::new(Members::new(f)))
    } else {
        Ok(Box::new(f))
    }
}

/// gzip members back to back, read as one stream.
enum Members<R: std::io::BufRead> {
    /// Between members (or before the first): the raw bytes.
    Between(R),
    /// Inside a member.
    Member(Box<flate2::bufread::GzDecoder<R>>),
    /// After an error.
    Failed,
}

impl<R: std::io::BufRead> Members<R> {
    fn new(src: R) -> Members<R> {
        Members::Between(src)
    }
}

/// True when `src` is at its end or only zero padding is left (consumed).
fn at_end_or_padding<R: std::io::BufRead>(src: &mut R) -> std::io::Result<bool> {
    loop {
        let head = src.fill_buf()?;
        if head.is_empty() {
            return Ok(true);
        }
        let zeros = head.iter().take_while(|b| **b == 0).count();
        if zeros == 0 {
            return Ok(false);
        }
        src.consume(zeros);
    }
}

impl<R: std::io::BufRead> Read for Members<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        loop {
            match std::mem::replace(self, Members::Failed) {
                Members::Member(mut m) => {
                    let n = m.read(out)?;
                    if n > 0 || out.is_empty() {
                        *self = Members::Member(m);
                        return Ok(n);
                    }
                    *self = Members::Between(m.into_inner());
                }
                Members::Between(mut src) => {
                    if at_end_or_padding(&mut src)? {
                        *self = Members::Between(src);
                        return Ok(0);
                    }
                    if !src.fill_buf()?.starts_with(&[0x1f, 0x8b]) {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::InvalidData,
                            "corrupt gzip: data after a gzip member is not gzip",
                        ));
                    }
                    *self = Members::Member(Box::new(flate2::bufread::GzDecoder::new(src)));
                }
                Members::Failed => return Err(std::io::Error::other("gzip stream already failed")),
            }
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
    if bufs.raw.is_empty()
        && path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
    {
        return Ok(Loaded {
            data: &bufs.raw,
            gzip: true,
            damage: Some(
                "empty file: a .gz log file is never zero bytes (an interrupted upload or copy?)"
                    .into(),
            ),
        });
    }
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

thread_local! {
    static INFLATER: std::cell::RefCell<crate::inflate::Inflater> =
        std::cell::RefCell::new(crate::inflate::Inflater::new());
}

/// The most one member may inflate to through libdeflate (which needs the room up front);
/// larger members are inflated by the streaming path.
const MAX_ROOM: usize = 1 << 30;

/// Inflates every gzip member of `input` into `out`. Returns why decompression stopped early,
/// if it did; `out` then holds what was decompressed before the damage. Zero padding after the
/// last member is not damage.
fn gunzip(input: &[u8], out: &mut Vec<u8>) -> Option<String> {
    let mut rest = input;
    while !rest.is_empty() {
        if rest.iter().all(|&b| b == 0) {
            break; // zero padding after the last member (tape and block-device copies)
        }
        if !rest.starts_with(&[0x1f, 0x8b]) {
            return Some(format!(
                "corrupt gzip after {} decompressed bytes: data after the last gzip member is not gzip",
                out.len()
            ));
        }
        let used = match inflate_member(rest, out) {
            Some(n) => n,
            None => match stream_member(rest, out) {
                Ok(n) => n,
                Err(why) => return Some(why),
            },
        };
        rest = &rest[used.min(rest.len())..];
    }
    None
}

/// One member through libdeflate: the bytes it took, or `None` (nothing kept in `out`) when
/// it is damaged or too large, for the streaming path to handle.
fn inflate_member(input: &[u8], out: &mut Vec<u8>) -> Option<usize> {
    // The trailer is exact for a file of one member (the usual case); otherwise the room
    // doubles until the member fits.
    let mut room = crate::inflate::size_hint(input)
        .max(input.len().saturating_mul(4))
        .clamp(64 << 10, MAX_ROOM);
    let start = out.len();
    INFLATER.with(|cell| {
        let mut inflater = cell.try_borrow_mut().ok()?;
        loop {
            match inflater.member(input, out, room) {
                Ok(used) => return Some(used),
                Err(crate::inflate::MemberError::NoRoom) if room < MAX_ROOM => {
                    out.truncate(start);
                    room = (room * 2).min(MAX_ROOM);
                }
                Err(_) => {
                    out.truncate(start);
                    return None;
                }
            }
        }
    })
}

/// One member with the streaming inflater: the bytes it took, or why it stopped (what was
/// inflated before the damage stays in `out`).
fn stream_member(rest: &[u8], out: &mut Vec<u8>) -> Result<usize, String> {
    let mut d = Decompress::new_gzip(15);
    loop {
        if out.capacity() - out.len() < 32 * 1024 {
            out.reserve(out.len().max(256 * 1024));
        }
        let (in_before, out_before) = (d.total_in(), d.total_out());
        let pos = in_before as usize;
        match d.decompress_vec(&rest[pos.min(rest.len())..], out, FlushDecompress::None) {
            Err(e) => {
                return Err(format!(
                    "corrupt gzip after {} decompressed bytes: {e}",
                    out.len()
                ))
            }
            Ok(Status::StreamEnd) => return Ok(d.total_in() as usize),
            Ok(_) => {
                let stalled = d.total_in() == in_before && d.total_out() == out_before;
                if stalled && d.total_in() as usize >= rest.len() {
                    return Err(format!(
                        "gzip stream truncated after {} decompressed bytes",
                        out.len()
                    ));
                }
                if stalled {
                    return Err(format!(
                        "corrupt gzip after {} decompressed bytes: inflate made no progress",
                        out.len()
                    ));
                }
            }
        }
    }
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
