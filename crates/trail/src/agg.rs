//! Counting: per-file tallies keyed by strings borrowed from the file buffer, merged into owned
//! per-thread tallies when the file is done.

use crate::query::{By, Query, MAX_BY};
use crate::record::{describe_flaw, Record, RecordSink};
use crate::time::{day_of, Epoch, EventTimes};
use crate::tls::{index, parse_cloudtrail_version};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

/// A small, fast, non-cryptographic hasher (the FxHash mix) for group keys.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.hash = (self.hash.rotate_left(5) ^ w).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    /// Eight bytes at a time; a tail is read as one (overlapping) fixed-size word, never
    /// copied byte by byte (keys are hashed once per record).
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let word = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("8 bytes"));
        let half = |b: &[u8]| u64::from(u32::from_le_bytes(b.try_into().expect("4 bytes")));
        let n = bytes.len();
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(word(c));
        }
        match chunks.remainder().len() {
            0 => {}
            _ if n >= 8 => self.add(word(&bytes[n - 8..])),
            4.. => self.add(half(&bytes[..4]) | half(&bytes[n - 4..]) << 32),
            _ => self.add(
                u64::from(bytes[0]) | u64::from(bytes[n / 2]) << 8 | u64::from(bytes[n - 1]) << 16,
            ),
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` using [`FxHasher`].
pub type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Calls, first and last seen of one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Number of calls.
    pub calls: u64,
    /// Earliest `eventTime`.
    pub first: Epoch,
    /// Latest `eventTime`.
    pub last: Epoch,
}

impl Stats {
    fn one(t: Epoch) -> Stats {
        Stats {
            calls: 1,
            first: t,
            last: t,
        }
    }
    #[inline]
    fn add(&mut self, t: Epoch) {
        self.calls += 1;
        self.first = self.first.min(t);
        self.last = self.last.max(t);
    }
    fn merge(&mut self, o: &Stats) {
        self.calls += o.calls;
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
    }
}

/// Record counters; all counts are of JSON objects read as records.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counters {
    /// Records read (valid and invalid).
    pub records: u64,
    /// Records skipped as invalid (missing or malformed required fields, bad JSON lines).
    pub invalid: u64,
    /// Valid records outside `--since/--until/--account/--region/--event-source`.
    pub out_of_scope: u64,
    /// Valid records in scope.
    pub in_scope: u64,
    /// In-scope records without a `tlsDetails` object.
    pub no_tls_details: u64,
    /// In-scope records whose `tlsDetails` has no `tlsVersion`.
    pub tls_without_version: u64,
    /// In-scope records per recognised version, indexed like [`tlsfloor_wire::Version::ALL`].
    pub versions: [u64; 5],
    /// In-scope records whose `tlsVersion` is not a recognised spelling, by that string.
    pub other_versions: BTreeMap<String, u64>,
    /// In-scope records at a selected (legacy) version.
    pub legacy: u64,
    /// Legacy calls per UTC day (days since 1970-01-01).
    pub per_day: FxHashMap<i64, u64>,
    /// Values that are AWS data but not API calls (CloudTrail Insights events, EventBridge
    /// events of other sources): neither records nor invalid.
    pub not_events: u64,
}

/// In-scope calls of one service (`eventSource`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ServiceCounts {
    /// All its in-scope calls (with or without `tlsDetails`).
    pub calls: u64,
    /// Its legacy calls.
    pub legacy: u64,
    /// Its calls per recognised version, indexed like [`tlsfloor_wire::Version::ALL`].
    pub versions: [u64; 5],
}

impl ServiceCounts {
    fn merge(&mut self, o: &ServiceCounts) {
        self.calls += o.calls;
        self.legacy += o.legacy;
        for (a, b) in self.versions.iter_mut().zip(o.versions) {
            *a += b;
        }
    }
}

impl Counters {
    /// Adds another set of counters to this one.
    pub fn merge(&mut self, o: &Counters) {
        self.records += o.records;
        self.invalid += o.invalid;
        self.out_of_scope += o.out_of_scope;
        self.in_scope += o.in_scope;
        self.no_tls_details += o.no_tls_details;
        self.tls_without_version += o.tls_without_version;
        for (a, b) in self.versions.iter_mut().zip(o.versions) {
            *a += b;
        }
        for (k, v) in &o.other_versions {
            *self.other_versions.entry(k.clone()).or_default() += v;
        }
        self.legacy += o.legacy;
        for (k, v) in &o.per_day {
            *self.per_day.entry(*k).or_default() += v;
        }
        self.not_events += o.not_events;
    }
}

/// A group key owned by a tally: one value per `--by` field (`None`: field absent or null).
pub type OwnedKey = Vec<Option<String>>;

/// Owned, mergeable results of any number of files.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    /// Record counters.
    pub counters: Counters,
    /// Legacy calls per group.
    pub groups: FxHashMap<OwnedKey, Stats>,
    /// In-scope calls per service.
    pub services: FxHashMap<String, ServiceCounts>,
}

impl Tally {
    /// Adds another tally to this one.
    pub fn merge(&mut self, mut o: Tally) {
        // The smaller tally's groups go into the larger's: the last merge of a run, which
        // one thread does while the others wait, moves as few groups as it can.
        if o.groups.len() > self.groups.len() {
            std::mem::swap(self, &mut o);
        }
        self.counters.merge(&o.counters);
        for (k, s) in o.services {
            self.services.entry(k).or_default().merge(&s);
        }
        if self.groups.is_empty() {
            self.groups = o.groups;
            return;
        }
        for (k, s) in o.groups {
            match self.groups.get_mut(&k) {
                Some(e) => e.merge(&s),
                None => {
                    self.groups.insert(k, s);
                }
            }
        }
    }
}

type BorrowedKey<'a> = [Option<Cow<'a, str>>; MAX_BY];

/// The tally of one file while it is parsed; keys borrow from the file's buffer.
pub struct FileTally<'a, 'q> {
    query: &'q Query,
    /// Counters of this file.
    pub counters: Counters,
    groups: FxHashMap<BorrowedKey<'a>, Stats>,
    services: FxHashMap<Cow<'a, str>, ServiceCounts>,
    /// The first invalid record's reason, with its position (1-based record number).
    pub first_invalid: Option<String>,
    times: EventTimes,
}

impl<'a, 'q> FileTally<'a, 'q> {
    /// An empty tally for one file.
    pub fn new(query: &'q Query) -> FileTally<'a, 'q> {
        FileTally {
            query,
            counters: Counters::default(),
            groups: FxHashMap::default(),
            services: FxHashMap::default(),
            first_invalid: None,
            times: EventTimes::default(),
        }
    }

    /// Moves this file's results into an owned tally.
    pub fn merge_into(self, t: &mut Tally) {
        t.counters.merge(&self.counters);
        for (k, s) in self.services {
            match t.services.get_mut(k.as_ref()) {
                Some(e) => e.merge(&s),
                None => {
                    t.services.insert(k.into_owned(), s);
                }
            }
        }
        let n = self.query.by.len();
        for (k, s) in self.groups {
            let owned: OwnedKey = k[..n]
                .iter()
                .map(|v| v.as_ref().map(|c| c.to_string()))
                .collect();
            match t.groups.get_mut(&owned) {
                Some(e) => e.merge(&s),
                None => {
                    t.groups.insert(owned, s);
                }
            }
        }
    }

    fn note_invalid(&mut self, reason: &dyn fmt::Display) {
        self.counters.invalid += 1;
        if self.first_invalid.is_none() {
            self.first_invalid = Some(format!("record {}: {reason}", self.counters.records));
        }
    }

    fn key(&self, r: &Record<'a>) -> BorrowedKey<'a> {
        let mut key: BorrowedKey<'a> = Default::default();
        for (slot, by) in key.iter_mut().zip(&self.query.by) {
            *slot = match by {
                By::EventSource => r.event_source.clone(),
                By::EventName => r.event_name.clone(),
                By::Principal => Some(r.principal()),
                By::SourceIp => r.source_ip.clone(),
                By::UserAgent => r.user_agent.clone(),
                By::Account => r.recipient_account_id.clone(),
                By::Region => r.aws_region.clone(),
                By::HostHeader => r.tls.as_ref().and_then(|t| t.host_header.clone()),
                By::Cipher => r.tls.as_ref().and_then(|t| t.cipher.clone()),
                By::TlsVersion => r.tls.as_ref().and_then(|t| t.version.clone()).map(|v| {
                    // TLSv1 and TLSv1.0 are one version, one group.
                    match parse_cloudtrail_version(&v) {
                        Some(known) => Cow::Borrowed(known.name()),
                        None => v,
                    }
                }),
                By::AccessKey => r.identity.as_ref().and_then(|i| i.access_key_id.clone()),
                By::CallerAccount => r.identity.as_ref().and_then(|i| i.account_id.clone()),
                By::Role => r.identity.as_ref().and_then(|i| i.session_issuer.clone()),
                By::UserName => r.identity.as_ref().and_then(|i| i.user_name.clone()),
            };
        }
        key
    }
}

impl<'a> RecordSink<'a> for FileTally<'a, '_> {
    fn record(&mut self, r: &Record<'a>) {
        if r.is_insight() {
            self.counters.not_events += 1;
            return;
        }
        self.counters.records += 1;
        if let Some((name, flaw)) = r.bad_field {
            return self.note_invalid(&describe_flaw(name, flaw));
        }
        let Some(et) = r.event_time.as_deref() else {
            return self.note_invalid(&"missing eventTime");
        };
        let Some(t) = self.times.parse(et) else {
            return self.note_invalid(&format_args!("eventTime {et:?} is not a timestamp"));
        };
        let Some(source) = r.event_source.clone() else {
            return self.note_invalid(&"missing eventSource");
        };
        if r.event_name.is_none() {
            return self.note_invalid(&"missing eventName");
        }
        if !self.query.in_scope(
            t,
            r.recipient_account_id.as_deref(),
            r.aws_region.as_deref(),
            r.event_source.as_deref(),
        ) {
            self.counters.out_of_scope += 1;
            return;
        }
        self.counters.in_scope += 1;
        let service = self.services.entry(source).or_default();
        service.calls += 1;
        let Some(tls) = &r.tls else {
            self.counters.no_tls_details += 1;
            return;
        };
        let Some(vs) = tls.version.as_deref() else {
            self.counters.tls_without_version += 1;
            return;
        };
        let Some(v) = parse_cloudtrail_version(vs) else {
            *self
                .counters
                .other_versions
                .entry(vs.to_string())
                .or_default() += 1;
            return;
        };
        self.counters.versions[index(v)] += 1;
        service.versions[index(v)] += 1;
        if !self.query.selection.contains(v) {
            return;
        }
        service.legacy += 1;
        self.counters.legacy += 1;
        *self.counters.per_day.entry(day_of(t)).or_default() += 1;
        let key = self.key(r);
        match self.groups.get_mut(&key) {
            Some(s) => s.add(t),
            None => {
                self.groups.insert(key, Stats::one(t));
            }
        }
    }

    fn invalid(&mut self, reason: &dyn fmt::Display) {
        self.counters.records += 1;
        self.note_invalid(reason);
    }

    fn not_event(&mut self, _what: &dyn fmt::Display) {
        self.counters.not_events += 1;
    }
}
