//! The same report as SQL, for Athena (over the standard CloudTrail table) or CloudTrail Lake
//! (over an event data store), honouring the same filters and grouping.
//!
//! Three statements are emitted, separated by `;`: totals by TLS version, legacy calls grouped
//! by `--by`, and legacy calls per day. The Athena dialect only uses SQL that Trino and DuckDB
//! both accept (`COALESCE`, `NULLIF`, `CASE`, `||`, `substr`, `IN`, string comparison on the
//! ISO-8601 `eventtime` strings), so the tests run it unchanged in DuckDB.

use crate::query::{By, Query};
use crate::time::{format_time, Epoch};

/// Which engine the SQL is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialect {
    /// Amazon Athena over the CloudTrail table created by the console/docs DDL
    /// (`eventtime` is a string), named `table`.
    Athena {
        /// Table name, e.g. `cloudtrail_logs`.
        table: String,
    },
    /// CloudTrail Lake over the event data store `eds` (`eventtime` is a timestamp).
    Lake {
        /// Event data store ID.
        eds: String,
    },
}

/// Quotes a string literal (doubling single quotes).
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn in_list(col: &str, values: &[String]) -> String {
    let v: Vec<String> = values.iter().map(|s| lit(s)).collect();
    format!("{col} IN ({})", v.join(", "))
}

impl Dialect {
    fn from(&self) -> String {
        match self {
            Dialect::Athena { table } => table.clone(),
            Dialect::Lake { eds } => eds.clone(),
        }
    }

    fn time_literal(&self, t: Epoch) -> String {
        match self {
            Dialect::Athena { .. } => lit(&format_time(t)),
            Dialect::Lake { .. } => lit(&format_time(t).replace('T', " ").replace('Z', "")),
        }
    }

    fn day_expr(&self) -> &'static str {
        match self {
            Dialect::Athena { .. } => "substr(eventtime, 1, 10)",
            Dialect::Lake { .. } => "date_format(eventtime, '%Y-%m-%d')",
        }
    }
}

/// The principal rule of [`crate::record::Record::principal`] as a SQL expression.
pub const PRINCIPAL_SQL: &str = "COALESCE(NULLIF(useridentity.arn, ''), NULLIF(useridentity.invokedby, ''), \
CASE WHEN NULLIF(useridentity.accountid, '') IS NOT NULL THEN COALESCE(NULLIF(useridentity.type, ''), 'Unknown') || ':' || useridentity.accountid \
WHEN NULLIF(useridentity.principalid, '') IS NOT NULL THEN COALESCE(NULLIF(useridentity.type, ''), 'Unknown') || ':' || useridentity.principalid \
ELSE COALESCE(NULLIF(useridentity.type, ''), 'Unknown') END)";

/// The SQL expression for a grouping field.
pub fn by_expr(b: By) -> &'static str {
    match b {
        By::EventSource => "eventsource",
        By::EventName => "eventname",
        By::Principal => PRINCIPAL_SQL,
        By::SourceIp => "sourceipaddress",
        By::UserAgent => "useragent",
        By::Account => "recipientaccountid",
        By::Region => "awsregion",
        By::HostHeader => "tlsdetails.clientprovidedhostheader",
        By::Cipher => "tlsdetails.ciphersuite",
        By::TlsVersion => "tlsdetails.tlsversion",
    }
}

/// `WHERE` conditions selecting valid, in-scope records.
fn scope_conditions(q: &Query, d: &Dialect) -> Vec<String> {
    let mut c = vec![
        "eventtime IS NOT NULL".to_string(),
        "eventsource IS NOT NULL".to_string(),
        "eventname IS NOT NULL".to_string(),
    ];
    if let Some(s) = q.since {
        c.push(format!("eventtime >= {}", d.time_literal(s)));
    }
    if let Some(u) = q.until {
        c.push(format!("eventtime < {}", d.time_literal(u)));
    }
    if !q.accounts.is_empty() {
        c.push(in_list("recipientaccountid", &q.accounts));
    }
    if !q.regions.is_empty() {
        c.push(in_list("awsregion", &q.regions));
    }
    if !q.event_sources.is_empty() {
        c.push(in_list("eventsource", &q.event_sources));
    }
    c
}

fn legacy_condition(q: &Query) -> String {
    let spellings: Vec<String> = q.selection.spellings().iter().map(|s| lit(s)).collect();
    if spellings.is_empty() {
        "FALSE".to_string()
    } else {
        format!("tlsdetails.tlsversion IN ({})", spellings.join(", "))
    }
}

fn where_clause(conds: &[String]) -> String {
    format!("WHERE {}", conds.join("\n  AND "))
}

/// The three statements, each ending with `;`.
pub fn emit(q: &Query, d: &Dialect) -> String {
    let from = d.from();
    let scope = scope_conditions(q, d);
    let mut legacy = scope.clone();
    legacy.push(legacy_condition(q));
    let mut out = String::new();
    out.push_str(&format!(
        "-- tlsfloor trail: the same report as `tlsfloor trail` ({} dialect).\n\
         -- Scope: {}. Legacy versions: {}.\n\n",
        match d {
            Dialect::Athena { .. } => "Athena",
            Dialect::Lake { .. } => "CloudTrail Lake",
        },
        q.describe_scope(),
        q.selection.spellings().join(", ")
    ));

    out.push_str("-- 1. In-scope calls by TLS version (NULL: no tlsDetails or no tlsVersion).\n");
    out.push_str(&format!(
        "SELECT tlsdetails.tlsversion AS tls_version, COUNT(*) AS calls\nFROM {from}\n{}\nGROUP BY tlsdetails.tlsversion\nORDER BY calls DESC;\n\n",
        where_clause(&scope)
    ));

    let cols: Vec<String> =
        q.by.iter()
            .map(|b| format!("{} AS {}", by_expr(*b), b.column()))
            .collect();
    let group: Vec<&str> = q.by.iter().map(|b| by_expr(*b)).collect();
    out.push_str("-- 2. Legacy calls by group, with first and last seen.\n");
    out.push_str(&format!(
        "SELECT {},\n  COUNT(*) AS calls, MIN(eventtime) AS first_seen, MAX(eventtime) AS last_seen\nFROM {from}\n{}\nGROUP BY {}\nORDER BY calls DESC{};\n\n",
        cols.join(",\n  "),
        where_clause(&legacy),
        group.join(",\n  "),
        if q.top > 0 {
            format!("\nLIMIT {}", q.top)
        } else {
            String::new()
        }
    ));

    out.push_str("-- 3. Legacy calls per day (UTC).\n");
    out.push_str(&format!(
        "SELECT {day} AS day, COUNT(*) AS calls\nFROM {from}\n{}\nGROUP BY {day}\nORDER BY day;\n",
        where_clause(&legacy),
        day = d.day_expr()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::Selection;
    use tlsfloor_wire::Version;

    #[test]
    fn athena_has_filters_and_groups() {
        let q = Query {
            since: crate::time::parse_bound("2024-01-01"),
            accounts: vec!["111122223333".into()],
            event_sources: vec!["o'brien.amazonaws.com".into()],
            top: 5,
            ..Query::default()
        };
        let s = emit(
            &q,
            &Dialect::Athena {
                table: "cloudtrail_logs".into(),
            },
        );
        assert!(s.contains("eventtime >= '2024-01-01T00:00:00Z'"), "{s}");
        assert!(s.contains("recipientaccountid IN ('111122223333')"));
        assert!(s.contains("'o''brien.amazonaws.com'"));
        assert!(s.contains("tlsdetails.tlsversion IN ('SSLv3', 'TLSv1', 'TLSv1.0', 'TLSv1.1')"));
        assert!(s.contains("LIMIT 5"));
        assert_eq!(s.matches(';').count(), 3);
    }

    #[test]
    fn lake_uses_timestamps_and_eds() {
        let q = Query {
            until: crate::time::parse_bound("2024-02-01"),
            selection: Selection::exactly(&[Version::Tls11]),
            floor: None,
            ..Query::default()
        };
        let s = emit(
            &q,
            &Dialect::Lake {
                eds: "abc-123".into(),
            },
        );
        assert!(s.contains("FROM abc-123"));
        assert!(s.contains("eventtime < '2024-02-01 00:00:00'"), "{s}");
        assert!(s.contains("tlsdetails.tlsversion IN ('TLSv1.1')"));
        assert!(s.contains("date_format(eventtime, '%Y-%m-%d')"));
    }
}
