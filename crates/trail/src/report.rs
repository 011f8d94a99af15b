//! The result of a run: what `tlsfloor trail --json` prints (schema [`TRAIL_SCHEMA`],
//! documented in docs/trail.md).

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Schema identifier written in every trail report. Fields may be added; existing fields keep
/// their names and meaning while this stays the same.
pub const TRAIL_SCHEMA: &str = "tlsfloor.trail/v1";

/// A whole `tlsfloor trail` run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrailReport {
    /// Always [`TRAIL_SCHEMA`].
    pub schema: String,
    /// tlsfloor version that produced the report.
    pub tool_version: String,
    /// Wall time of the run in milliseconds.
    pub duration_ms: u64,
    /// The question asked.
    pub query: QueryEcho,
    /// What happened to the input files.
    pub files: FileSummary,
    /// Record counts.
    pub records: RecordSummary,
    /// In-scope calls per `tlsDetails.tlsVersion`, oldest first, then unrecognised spellings.
    pub tls_versions: Vec<VersionCount>,
    /// Legacy calls per service, most first (services without legacy calls are left out).
    pub services: Vec<ServiceLegacy>,
    /// Files that are other AWS data, by kind.
    pub other_files: Vec<OtherFiles>,
    /// Number of distinct groups of legacy calls (before `top` truncation).
    pub groups_total: u64,
    /// Legacy calls grouped by `query.by`, most calls first, at most `query.top` entries.
    pub groups: Vec<Group>,
    /// Legacy calls per UTC day, oldest first.
    pub per_day: Vec<DayCount>,
    /// Files that were skipped, read partly, or held invalid records.
    pub problems: Vec<Problem>,
    /// The outcome and the exit code it maps to.
    pub verdict: Verdict,
}

/// The run's parameters, echoed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryEcho {
    /// The `--tls-below` floor (`TLSv1.2`), or `null` when `--tls-version` was used.
    pub tls_below: Option<String>,
    /// The versions counted as legacy, e.g. `["SSLv3", "TLSv1.0", "TLSv1.1"]`.
    pub legacy_versions: Vec<String>,
    /// `--since`, as `YYYY-MM-DDTHH:MM:SSZ`.
    pub since: Option<String>,
    /// `--until`, as `YYYY-MM-DDTHH:MM:SSZ`.
    pub until: Option<String>,
    /// `--account` values.
    pub accounts: Vec<String>,
    /// `--region` values.
    pub regions: Vec<String>,
    /// `--event-source` values.
    pub event_sources: Vec<String>,
    /// Grouping columns (`event_source`, `event_name`, `principal`, …).
    pub by: Vec<String>,
    /// Maximum groups reported (0: all).
    pub top: u64,
}

/// File counts and bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSummary {
    /// Files found.
    pub total: u64,
    /// Files read completely with every record valid.
    pub clean: u64,
    /// Files read completely but holding invalid records.
    pub with_invalid_records: u64,
    /// Files read only up to damage (truncated gzip, broken JSON); records before it counted.
    pub partial: u64,
    /// Files not read at all (unreadable, not CloudTrail JSON).
    pub skipped: u64,
    /// Files recognised as other AWS data (CloudTrail Insights, AWS Config, S3 or load balancer
    /// access logs, VPC flow logs, digests): not CloudTrail events, not a problem.
    pub not_events: u64,
    /// Bytes read from disk.
    pub bytes_read: u64,
    /// Bytes of JSON parsed (after decompression).
    pub bytes_json: u64,
}

/// Record counts. `read = invalid + out_of_scope + in_scope`;
/// `in_scope = without_tls_details + tls_details_without_version + sum(tls_versions.calls)`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordSummary {
    /// Records read.
    pub read: u64,
    /// Records skipped as invalid.
    pub invalid: u64,
    /// Valid records outside the time/account/region/event-source filters.
    pub out_of_scope: u64,
    /// Valid records inside the filters.
    pub in_scope: u64,
    /// In-scope records without `tlsDetails` (older logs, services that do not record it).
    pub without_tls_details: u64,
    /// In-scope records whose `tlsDetails` lacks `tlsVersion`.
    pub tls_details_without_version: u64,
    /// Values that are AWS data but not API calls (CloudTrail Insights events, EventBridge
    /// events of other sources), not counted in `read`.
    pub not_events: u64,
    /// In-scope records at a legacy version.
    pub legacy: u64,
}

/// Legacy calls of one service (`eventSource`), as the CloudTrail Lake sample query counts
/// them: calls at each legacy version, all its in-scope calls, and the legacy share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceLegacy {
    /// The `eventSource`, e.g. `s3.amazonaws.com`.
    pub event_source: String,
    /// Legacy calls per selected version (`TLSv1.0`: n, …; TLSv1 counts as TLSv1.0).
    pub by_version: std::collections::BTreeMap<String, u64>,
    /// All legacy calls of the service.
    pub legacy_calls: u64,
    /// All in-scope calls of the service (any version, with or without `tlsDetails`).
    pub calls: u64,
    /// `legacy_calls / calls`, in percent (two decimals).
    pub legacy_percent: f64,
}

/// Files of one kind of other AWS data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherFiles {
    /// What they are (`CloudTrail Insights events`, `AWS Config history`, …).
    pub kind: String,
    /// How many.
    pub files: u64,
    /// One of them.
    pub example: String,
}

/// Calls at one `tlsVersion`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionCount {
    /// `TLSv1.0` … `TLSv1.3`, `SSLv3`, or an unrecognised string as found.
    pub tls_version: String,
    /// False for strings tlsfloor does not recognise.
    pub recognised: bool,
    /// Whether these calls count as legacy.
    pub legacy: bool,
    /// Number of calls.
    pub calls: u64,
}

/// The values of one group's `--by` fields, in `--by` order (a JSON object).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupKey(pub Vec<(String, Option<String>)>);

impl GroupKey {
    /// The value of a column, if the key has it.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(c, _)| c == column)
            .and_then(|(_, v)| v.as_deref())
    }
}

impl Serialize for GroupKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for GroupKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = GroupKey;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of group fields")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<GroupKey, A::Error> {
                let mut v = Vec::new();
                while let Some((k, val)) = m.next_entry::<String, Option<String>>()? {
                    v.push((k, val));
                }
                Ok(GroupKey(v))
            }
        }
        d.deserialize_map(V)
    }
}

/// Legacy calls sharing the same `--by` values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// The group's field values (`null`: field absent in the records).
    pub key: GroupKey,
    /// Number of calls.
    pub calls: u64,
    /// Earliest `eventTime`, `YYYY-MM-DDTHH:MM:SSZ`.
    pub first_seen: String,
    /// Latest `eventTime`, `YYYY-MM-DDTHH:MM:SSZ`.
    pub last_seen: String,
}

/// Legacy calls on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    /// Number of calls.
    pub calls: u64,
}

/// What went wrong with one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// Not read at all; nothing counted.
    Skipped,
    /// Read up to damage; records before it counted.
    Partial,
    /// Read completely; some records invalid and not counted.
    InvalidRecords,
}

/// One file with a problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The file (or directory) path.
    pub path: String,
    /// What kind of problem.
    pub kind: ProblemKind,
    /// Why, in words.
    pub reason: String,
    /// Valid records counted from this file.
    pub records_counted: u64,
    /// Invalid records skipped in this file.
    pub invalid_records: u64,
}

/// The outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// Some in-scope call used a legacy version.
    pub legacy_found: bool,
    /// Some input was skipped: a file skipped or read partly, or invalid records.
    pub input_skipped: bool,
    /// The process exit code: 1 when `legacy_found` (whether or not input was skipped),
    /// else 3 when `input_skipped`, else 0.
    pub exit_code: u8,
}

impl Verdict {
    /// Derives the exit code from the two flags.
    pub fn new(legacy_found: bool, input_skipped: bool) -> Verdict {
        let exit_code = if legacy_found {
            1
        } else if input_skipped {
            3
        } else {
            0
        };
        Verdict {
            legacy_found,
            input_skipped,
            exit_code,
        }
    }
}
