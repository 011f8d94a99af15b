//! Running an audit: files in parallel (rayon), one reused buffer per worker thread, per-file
//! outcomes, and the final [`TrailReport`].

use crate::agg::{FileTally, Tally};
use crate::error::TrailError;
use crate::input::{
    discover, load, open_stream, Buffers, InputFile, Limits, WalkOptions, WalkProblem,
};
use crate::other_aws::classify;
use crate::parse::{parse_buffer, parse_elements_piece, parse_top_piece, Parsed, Reader};
use crate::query::Query;
use crate::report::{
    DayCount, FileSummary, Group, GroupKey, OtherFiles, Problem, ProblemKind, QueryEcho,
    RecordSummary, ServiceLegacy, TrailReport, Verdict, VersionCount, TRAIL_SCHEMA,
};
use crate::time::{format_day, format_time};
use crate::tls::index;
use crate::window::{drive, Pieces, TopPiece};
use rayon::prelude::*;
use std::cell::RefCell;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;
use tlsfloor_wire::Version;

/// Told about progress as files finish (called from worker threads).
pub trait Progress: Sync {
    /// One file of `bytes` bytes on disk is done.
    fn file_done(&self, bytes: u64);
}

/// A [`Progress`] that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn file_done(&self, _bytes: u64) {}
}

/// The files a run will read.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Files to read.
    pub files: Vec<InputFile>,
    /// Directory entries that could not be listed.
    pub walk_problems: Vec<WalkProblem>,
}

impl Plan {
    /// Finds the files under `paths` with the default walk (see [`discover`]). Fails when a
    /// path does not exist or nothing at all is found.
    pub fn new(paths: &[PathBuf]) -> Result<Plan, TrailError> {
        Plan::walk(paths, &WalkOptions::default())
    }

    /// [`Plan::new`] with links, includes and excludes as in `opts`.
    pub fn walk(paths: &[PathBuf], opts: &WalkOptions) -> Result<Plan, TrailError> {
        let (files, walk_problems) = discover(paths, opts)?;
        if files.is_empty() && walk_problems.is_empty() {
            return Err(TrailError::NoFiles);
        }
        Ok(Plan {
            files,
            walk_problems,
        })
    }

    /// Total bytes on disk.
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// How one file went.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Status {
    Clean,
    Partial(String),
    Skipped(String),
    /// Other AWS data, not CloudTrail events: not a problem.
    Other(&'static str),
}

#[derive(Debug, Clone)]
struct Outcome {
    path: PathBuf,
    status: Status,
    valid: u64,
    invalid: u64,
    first_invalid: Option<String>,
    bytes_read: u64,
    bytes_json: u64,
}

thread_local! {
    static BUFFERS: RefCell<Buffers> = RefCell::new(Buffers::default());
}

fn process(file: &InputFile, q: &Query, limits: &Limits, tally: &mut Tally) -> Outcome {
    let mut out = Outcome {
        path: file.path.clone(),
        status: Status::Clean,
        valid: 0,
        invalid: 0,
        first_invalid: None,
        bytes_read: 0,
        bytes_json: 0,
    };
    match limits.read_whole(&file.path, file.size) {
        Ok(true) => process_whole(file, q, tally, out),
        Ok(false) => process_streamed(file, q, limits, tally, out),
        Err(e) => {
            out.status = Status::Skipped(format!("cannot read: {e}"));
            out
        }
    }
}

/// How a file's parse ended, with decompression damage, as a file status.
fn status_of(
    parsed: Parsed,
    damage: Option<String>,
    other: impl FnOnce() -> Option<&'static str>,
    insights_only: bool,
    path: &Path,
) -> Status {
    match (parsed, damage) {
        (Parsed::NotCloudTrail(why), None) => match other() {
            Some(kind) => Status::Other(kind),
            None => Status::Skipped(why),
        },
        (Parsed::NotCloudTrail(why), Some(d)) => Status::Skipped(format!("{d}; {why}")),
        (Parsed::Stopped(why), Some(d)) => Status::Partial(format!("{d}; {why}")),
        (Parsed::Stopped(why), None) => Status::Partial(why),
        (Parsed::Complete, Some(d)) => Status::Partial(d),
        (Parsed::Complete, None) if insights_only => Status::Other(
            if path
                .components()
                .any(|c| c.as_os_str() == "CloudTrail-Insight")
            {
                "CloudTrail Insights events"
            } else {
                "AWS events that are not API calls"
            },
        ),
        (Parsed::Complete, None) => Status::Clean,
    }
}

/// Adds one file tally (of the whole file or of a piece) to the outcome and the thread tally.
fn absorb(out: &mut Outcome, mut ft: FileTally<'_, '_>, tally: &mut Tally) -> (u64, u64) {
    out.invalid += ft.counters.invalid;
    out.valid += ft.counters.records - ft.counters.invalid;
    if out.first_invalid.is_none() {
        out.first_invalid = ft.first_invalid.take();
    }
    let seen = (ft.counters.records, ft.counters.not_events);
    ft.merge_into(tally);
    seen
}

fn process_whole(file: &InputFile, q: &Query, tally: &mut Tally, mut out: Outcome) -> Outcome {
    BUFFERS.with(|cell| {
        let mut bufs = cell.borrow_mut();
        let loaded = match load(&file.path, &mut bufs) {
            Ok(l) => l,
            Err(e) => {
                out.status = Status::Skipped(format!("cannot read: {e}"));
                return out;
            }
        };
        out.bytes_read = file.size;
        out.bytes_json = loaded.data.len() as u64;
        if loaded.data.is_empty() {
            if let Some(d) = loaded.damage {
                out.status = Status::Skipped(d);
            }
            return out;
        }
        let mut ft = FileTally::new(q);
        let parsed = parse_buffer(loaded.data, &mut ft);
        let insights_only = ft.counters.records == 0 && ft.counters.not_events > 0;
        let other = || classify(&file.path, loaded.data);
        out.status = status_of(parsed, loaded.damage, other, insights_only, &file.path);
        if !matches!(out.status, Status::Skipped(_)) {
            absorb(&mut out, ft, tally);
        }
        out
    })
}

/// The pieces of a streamed file, each counted with a fresh tally merged at once.
struct Streamed<'q, 't> {
    q: &'q Query,
    tally: &'t mut Tally,
    out: Outcome,
    reader: Reader,
    state: (bool, bool),
    records: u64,
    not_events: u64,
    head: Vec<u8>,
}

impl Streamed<'_, '_> {
    fn add(&mut self, ft: FileTally<'_, '_>) {
        let (records, not_events) = absorb(&mut self.out, ft, self.tally);
        self.records += records;
        self.not_events += not_events;
    }
}

impl Pieces for Streamed<'_, '_> {
    fn top(&mut self, piece: &[u8], seen: bool, more: bool) -> TopPiece {
        if self.head.is_empty() {
            self.head = piece[..piece.len().min(4096)].to_vec();
        }
        let mut ft = FileTally::new(self.q);
        self.state.0 = seen;
        let (consumed, end) = parse_top_piece(piece, &mut ft, self.reader, &mut self.state, more);
        self.add(ft);
        TopPiece {
            consumed,
            seen: self.state.0,
            end,
        }
    }

    fn elements(&mut self, piece: &[u8]) -> Result<(), String> {
        let mut ft = FileTally::new(self.q);
        let r = parse_elements_piece(piece, &mut ft, self.reader);
        self.add(ft);
        r
    }

    fn csv(&mut self, rest: &mut dyn std::io::Read) -> Parsed {
        let mut ft = FileTally::new(self.q);
        let p = crate::lake::read_csv(rest, &mut ft);
        self.add(ft);
        p
    }
}

fn process_streamed(
    file: &InputFile,
    q: &Query,
    limits: &Limits,
    tally: &mut Tally,
    mut out: Outcome,
) -> Outcome {
    let src = match open_stream(&file.path) {
        Ok(s) => s,
        Err(e) => {
            out.status = Status::Skipped(format!("cannot read: {e}"));
            return out;
        }
    };
    out.bytes_read = file.size;
    let mut pieces = Streamed {
        q,
        tally,
        out,
        reader: Reader::from_env(),
        state: (false, false),
        records: 0,
        not_events: 0,
        head: Vec::new(),
    };
    let driven = drive(src, limits.windows, &mut pieces);
    let insights_only = pieces.records == 0 && pieces.not_events > 0;
    let head = std::mem::take(&mut pieces.head);
    let mut out = pieces.out;
    out.bytes_json = driven.bytes;
    let damage = driven
        .damage
        .map(|d| format!("{d} after {} decompressed bytes", driven.bytes));
    out.status = status_of(
        driven.parsed,
        damage,
        || classify(&file.path, &head),
        insights_only,
        &file.path,
    );
    out
}

type Acc = (Tally, Vec<Outcome>);

/// Reads every file of `plan` and answers `q`. `jobs` sets the number of worker threads
/// (default: one per core).
pub fn run(
    plan: &Plan,
    q: &Query,
    jobs: Option<usize>,
    progress: &dyn Progress,
) -> Result<TrailReport, TrailError> {
    run_with(plan, q, jobs, progress, &Limits::from_env())
}

/// [`run`] with the given whole-file and window sizes.
pub fn run_with(
    plan: &Plan,
    q: &Query,
    jobs: Option<usize>,
    progress: &dyn Progress,
    limits: &Limits,
) -> Result<TrailReport, TrailError> {
    let started = Instant::now();
    // The report is built on the same threads: its sort and formatting use every worker.
    let work = || -> TrailReport {
        let (tally, mut outcomes) = tally_files(plan, q, limits, progress);
        outcomes.sort_by(|a, b| a.path.cmp(&b.path));
        build_report(
            plan,
            q,
            tally,
            &outcomes,
            started.elapsed().as_millis() as u64,
        )
    };
    match jobs {
        Some(n) => Ok(rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map_err(|e| TrailError::Threads(e.to_string()))?
            .install(work)),
        None => Ok(work()),
    }
}

/// Reads every file of `plan` on the current thread pool. Each worker thread adds its files to
/// its own tally, so a run merges one tally per thread at the end, not one per piece of work
/// (a tree of merges that moved every group several times).
fn tally_files(plan: &Plan, q: &Query, limits: &Limits, progress: &dyn Progress) -> Acc {
    let slots: Vec<Mutex<Acc>> = (0..rayon::current_num_threads().max(1))
        .map(|_| Mutex::default())
        .collect();
    plan.files.par_iter().for_each(|f| {
        let i = rayon::current_thread_index().unwrap_or(0) % slots.len();
        // Only worker `i` takes slot `i`, and `process` runs no rayon work of its own (a
        // worker never re-enters while it holds its slot): the lock is never contended. A
        // poisoned lock (a panic in another file) still holds the files finished before.
        let mut slot = slots[i].lock().unwrap_or_else(|e| e.into_inner());
        let (tally, outs) = &mut *slot;
        outs.push(process(f, q, limits, tally));
        drop(slot);
        progress.file_done(f.size);
    });
    let mut all: Acc = Default::default();
    for slot in slots {
        let (t, outs) = slot.into_inner().unwrap_or_else(|e| e.into_inner());
        all.0.merge(t);
        all.1.extend(outs);
    }
    all
}

fn build_report(
    plan: &Plan,
    q: &Query,
    tally: Tally,
    outcomes: &[Outcome],
    duration_ms: u64,
) -> TrailReport {
    let c = &tally.counters;
    let mut files = FileSummary {
        total: (plan.files.len()) as u64,
        ..FileSummary::default()
    };
    let mut problems = Vec::new();
    let mut other: Vec<OtherFiles> = Vec::new();
    for w in &plan.walk_problems {
        files.skipped += 1;
        problems.push(Problem {
            path: w.path.display().to_string(),
            kind: ProblemKind::Skipped,
            reason: w.reason.clone(),
            records_counted: 0,
            invalid_records: 0,
        });
    }
    for o in outcomes {
        files.bytes_read += o.bytes_read;
        files.bytes_json += o.bytes_json;
        let invalid_note = o.first_invalid.as_ref().map(|r| {
            format!(
                "{} invalid record{} skipped (first: {r})",
                o.invalid,
                if o.invalid == 1 { "" } else { "s" }
            )
        });
        let (kind, reason) = match &o.status {
            Status::Clean => match invalid_note {
                None => {
                    files.clean += 1;
                    continue;
                }
                Some(n) => {
                    files.with_invalid_records += 1;
                    (ProblemKind::InvalidRecords, n)
                }
            },
            Status::Partial(why) => {
                files.partial += 1;
                let mut r = format!(
                    "{why}; the {} record{} read before the damage {} counted",
                    o.valid,
                    if o.valid == 1 { "" } else { "s" },
                    if o.valid == 1 { "is" } else { "are" }
                );
                if let Some(n) = invalid_note {
                    r.push_str("; ");
                    r.push_str(&n);
                }
                (ProblemKind::Partial, r)
            }
            Status::Skipped(why) => {
                files.skipped += 1;
                (ProblemKind::Skipped, why.clone())
            }
            Status::Other(kind) => {
                files.not_events += 1;
                match other.iter_mut().find(|o| o.kind == *kind) {
                    Some(o) => o.files += 1,
                    None => other.push(OtherFiles {
                        kind: kind.to_string(),
                        files: 1,
                        example: o.path.display().to_string(),
                    }),
                }
                continue;
            }
        };
        problems.push(Problem {
            path: o.path.display().to_string(),
            kind,
            reason,
            records_counted: o.valid,
            invalid_records: o.invalid,
        });
    }

    let mut tls_versions = Vec::new();
    for v in Version::ALL {
        let n = c.versions[index(v)];
        if n > 0 || q.selection.contains(v) || v >= Version::Tls12 {
            tls_versions.push(VersionCount {
                tls_version: v.name().to_string(),
                recognised: true,
                legacy: q.selection.contains(v),
                calls: n,
            });
        }
    }
    for (s, n) in &c.other_versions {
        tls_versions.push(VersionCount {
            tls_version: s.clone(),
            recognised: false,
            legacy: false,
            calls: *n,
        });
    }

    let services = services(q, &tally);
    let groups_total = tally.groups.len() as u64;
    // Sorted and formatted on every core (the workers are done): a run's tens of thousands
    // of groups took a serial tail of tens of milliseconds. Keys are unique, so the unstable
    // sort is deterministic.
    let mut groups: Vec<_> = tally.groups.into_iter().collect();
    groups.par_sort_unstable_by(|(ka, sa), (kb, sb)| {
        sb.calls.cmp(&sa.calls).then_with(|| ka.cmp(kb))
    });
    if q.top > 0 {
        groups.truncate(q.top);
    }
    let groups = groups
        .into_par_iter()
        .map(|(k, s)| Group {
            key: GroupKey(q.by.iter().map(|b| b.column().to_string()).zip(k).collect()),
            calls: s.calls,
            first_seen: format_time(s.first),
            last_seen: format_time(s.last),
        })
        .collect();
    let mut days: Vec<_> = c.per_day.iter().map(|(d, n)| (*d, *n)).collect();
    days.sort();
    let per_day = days
        .into_iter()
        .map(|(d, n)| DayCount {
            day: format_day(d),
            calls: n,
        })
        .collect();

    let input_skipped = !problems.is_empty();
    TrailReport {
        schema: TRAIL_SCHEMA.to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        duration_ms,
        query: QueryEcho {
            tls_below: q.floor.map(|v| v.name().to_string()),
            legacy_versions: q
                .selection
                .versions()
                .iter()
                .map(|v| v.name().to_string())
                .collect(),
            since: q.since.map(format_time),
            until: q.until.map(format_time),
            accounts: q.accounts.clone(),
            regions: q.regions.clone(),
            event_sources: q.event_sources.clone(),
            by: q.by.iter().map(|b| b.column().to_string()).collect(),
            top: q.top as u64,
        },
        files,
        records: RecordSummary {
            read: c.records,
            invalid: c.invalid,
            out_of_scope: c.out_of_scope,
            in_scope: c.in_scope,
            without_tls_details: c.no_tls_details,
            tls_details_without_version: c.tls_without_version,
            not_events: c.not_events,
            legacy: c.legacy,
        },
        tls_versions,
        services,
        other_files: other,
        groups_total,
        groups,
        per_day,
        problems,
        verdict: Verdict::new(c.legacy > 0, input_skipped),
    }
}

/// Legacy calls per service, most first, then by name.
fn services(q: &Query, tally: &Tally) -> Vec<ServiceLegacy> {
    let mut out: Vec<ServiceLegacy> = tally
        .services
        .iter()
        .filter(|(_, s)| s.legacy > 0)
        .map(|(name, s)| ServiceLegacy {
            event_source: name.clone(),
            by_version: q
                .selection
                .versions()
                .into_iter()
                .map(|v| (v.name().to_string(), s.versions[index(v)]))
                .collect(),
            legacy_calls: s.legacy,
            calls: s.calls,
            legacy_percent: (10_000.0 * s.legacy as f64 / s.calls as f64).round() / 100.0,
        })
        .collect();
    out.sort_by(|a, b| {
        b.legacy_calls
            .cmp(&a.legacy_calls)
            .then_with(|| a.event_source.cmp(&b.event_source))
    });
    out
}
