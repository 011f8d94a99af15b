//! What a run asks: which records are in scope, which TLS versions count as legacy, and how
//! legacy calls are grouped.

use crate::time::{format_time, Epoch};
use crate::tls::Selection;
use std::fmt;
use std::str::FromStr;
use tlsfloor_wire::Version;

/// Most grouping fields a run may use at once (every [`By`] value once).
pub const MAX_BY: usize = 14;

/// A field legacy calls can be grouped by (`--by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum By {
    /// `eventSource`: the service endpoint, e.g. `s3.amazonaws.com`.
    EventSource,
    /// `eventName`: the API action.
    EventName,
    /// The calling principal (see [`crate::record::Record::principal`]).
    Principal,
    /// `sourceIPAddress`.
    SourceIp,
    /// `userAgent` (SDK and version).
    UserAgent,
    /// `recipientAccountId`.
    Account,
    /// `awsRegion`.
    Region,
    /// `tlsDetails.clientProvidedHostHeader`.
    HostHeader,
    /// `tlsDetails.cipherSuite`.
    Cipher,
    /// `tlsDetails.tlsVersion`.
    TlsVersion,
    /// `userIdentity.accessKeyId` (as in the CloudTrail Lake "callers" sample query).
    AccessKey,
    /// `userIdentity.accountId`: the caller's account (not the one that recorded the call).
    CallerAccount,
    /// The role behind an assumed-role session (`sessionContext.sessionIssuer.arn`), so the
    /// sessions of one role group together.
    Role,
    /// `userIdentity.userName`.
    UserName,
}

impl By {
    /// Every field, in the order `--help` lists them.
    pub const ALL: [By; MAX_BY] = [
        By::EventSource,
        By::EventName,
        By::Principal,
        By::SourceIp,
        By::UserAgent,
        By::Account,
        By::Region,
        By::HostHeader,
        By::Cipher,
        By::TlsVersion,
        By::AccessKey,
        By::CallerAccount,
        By::Role,
        By::UserName,
    ];

    /// The default grouping: event source, event name, principal, user agent.
    pub const DEFAULT: [By; 4] = [By::EventSource, By::EventName, By::Principal, By::UserAgent];

    /// The name used on the command line (`event-source`, …).
    pub fn cli_name(self) -> &'static str {
        match self {
            By::EventSource => "event-source",
            By::EventName => "event-name",
            By::Principal => "principal",
            By::SourceIp => "source-ip",
            By::UserAgent => "user-agent",
            By::Account => "account",
            By::Region => "region",
            By::HostHeader => "host-header",
            By::Cipher => "cipher",
            By::TlsVersion => "tls-version",
            By::AccessKey => "access-key",
            By::CallerAccount => "caller-account",
            By::Role => "role",
            By::UserName => "user-name",
        }
    }

    /// The name used in JSON, CSV and SQL output (`event_source`, …).
    pub fn column(self) -> &'static str {
        match self {
            By::EventSource => "event_source",
            By::EventName => "event_name",
            By::Principal => "principal",
            By::SourceIp => "source_ip",
            By::UserAgent => "user_agent",
            By::Account => "account",
            By::Region => "region",
            By::HostHeader => "host_header",
            By::Cipher => "cipher",
            By::TlsVersion => "tls_version",
            By::AccessKey => "access_key",
            By::CallerAccount => "caller_account",
            By::Role => "role",
            By::UserName => "user_name",
        }
    }
}

impl fmt::Display for By {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.cli_name())
    }
}

/// A `--by` value that names no field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown --by field {0:?} (expected one of: event-source, event-name, principal, source-ip, user-agent, account, region, host-header, cipher, tls-version, access-key, caller-account, role, user-name)")]
pub struct UnknownBy(pub String);

impl FromStr for By {
    type Err = UnknownBy;
    fn from_str(s: &str) -> Result<By, UnknownBy> {
        let norm = s.trim().to_ascii_lowercase().replace('_', "-");
        By::ALL
            .into_iter()
            .find(|b| b.cli_name() == norm)
            .ok_or_else(|| UnknownBy(s.to_string()))
    }
}

/// The whole question a run answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// TLS versions reported as legacy.
    pub selection: Selection,
    /// The floor given with `--tls-below` (`None` when `--tls-version` chose versions).
    pub floor: Option<Version>,
    /// Only records at or after this time (inclusive).
    pub since: Option<Epoch>,
    /// Only records before this time (exclusive).
    pub until: Option<Epoch>,
    /// Only these `recipientAccountId` values (empty: all).
    pub accounts: Vec<String>,
    /// Only these `awsRegion` values (empty: all).
    pub regions: Vec<String>,
    /// Only these `eventSource` values (empty: all).
    pub event_sources: Vec<String>,
    /// Grouping fields, in output order (1 to [`MAX_BY`], no repeats).
    pub by: Vec<By>,
    /// How many groups to report (0: all).
    pub top: usize,
}

impl Default for Query {
    fn default() -> Query {
        Query {
            selection: Selection::below(Version::Tls12),
            floor: Some(Version::Tls12),
            since: None,
            until: None,
            accounts: Vec::new(),
            regions: Vec::new(),
            event_sources: Vec::new(),
            by: By::DEFAULT.to_vec(),
            top: 20,
        }
    }
}

/// Turns a short service name into an `eventSource`: `s3` becomes `s3.amazonaws.com`;
/// names with a dot are kept as given.
pub fn normalize_event_source(s: &str) -> String {
    let t = s.trim();
    if t.contains('.') {
        t.to_string()
    } else {
        format!("{t}.amazonaws.com")
    }
}

impl Query {
    /// True when a record with these scope fields is in scope. `time` must be the parsed
    /// `eventTime`.
    #[inline]
    pub fn in_scope(
        &self,
        time: Epoch,
        account: Option<&str>,
        region: Option<&str>,
        source: Option<&str>,
    ) -> bool {
        fn listed(list: &[String], v: Option<&str>) -> bool {
            list.is_empty() || v.is_some_and(|v| list.iter().any(|x| x == v))
        }
        self.since.is_none_or(|s| time >= s)
            && self.until.is_none_or(|u| time < u)
            && listed(&self.accounts, account)
            && listed(&self.regions, region)
            && listed(&self.event_sources, source)
    }

    /// A one-line human description of the scope, for reports.
    pub fn describe_scope(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.since {
            parts.push(format!("since {}", format_time(s)));
        }
        if let Some(u) = self.until {
            parts.push(format!("until {}", format_time(u)));
        }
        if !self.accounts.is_empty() {
            parts.push(format!("account {}", self.accounts.join(",")));
        }
        if !self.regions.is_empty() {
            parts.push(format!("region {}", self.regions.join(",")));
        }
        if !self.event_sources.is_empty() {
            parts.push(format!("event source {}", self.event_sources.join(",")));
        }
        if parts.is_empty() {
            "all records".to_string()
        } else {
            parts.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_names_parse() {
        for b in By::ALL {
            assert_eq!(b.cli_name().parse::<By>().unwrap(), b);
            assert_eq!(b.column().parse::<By>().unwrap(), b);
        }
        assert!("nope".parse::<By>().is_err());
    }

    #[test]
    fn scope() {
        let q = Query {
            since: Some(100),
            until: Some(200),
            accounts: vec!["1".into()],
            ..Query::default()
        };
        assert!(q.in_scope(100, Some("1"), None, None));
        assert!(!q.in_scope(200, Some("1"), None, None));
        assert!(!q.in_scope(150, Some("2"), None, None));
        assert!(!q.in_scope(150, None, None, None));
        assert_eq!(normalize_event_source("s3"), "s3.amazonaws.com");
        assert_eq!(
            normalize_event_source("kms.amazonaws.com"),
            "kms.amazonaws.com"
        );
    }
}
