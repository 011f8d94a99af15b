//! The same report as a query, for Athena (over the standard CloudTrail table), CloudTrail
//! Lake (over an event data store) or CloudWatch Logs Insights (over a log group CloudTrail
//! delivers to), honouring the same filters and grouping.
//!
//! Four SQL statements are emitted, separated by `;`: legacy calls per service, totals by TLS
//! version, legacy calls grouped by `--by` (top N ordered by calls, then the key columns, NULL
//! first, as tlsfloor orders them) and legacy calls per day. `TLSv1` and `TLSv1.0` are one
//! version, as in tlsfloor's report. The Athena dialect only uses SQL that Trino and DuckDB
//! both accept, so the tests run it unchanged in DuckDB.

use crate::query::{By, Query};
use crate::time::{format_day, format_time, Epoch};
use tlsfloor_wire::Version;

/// How an Athena CloudTrail table is partitioned (the two layouts of the AWS documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Partitions {
    /// No partition predicates.
    #[default]
    None,
    /// Partition columns `region`, `year`, `month`, `day` (strings, as in the S3 path).
    RegionDate,
    /// Partition projection: `region` and `timestamp` (`yyyy/MM/dd`).
    Projection,
}

/// Which engine the query is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialect {
    /// Amazon Athena over the CloudTrail table of the documentation's DDL (`eventtime` is a
    /// string), named `table` (`db.table` allowed; each part is quoted).
    Athena {
        /// Table name, e.g. `cloudtrail_logs`.
        table: String,
        /// Partition layout, for partition predicates from `--since/--until/--region`.
        partitions: Partitions,
    },
    /// CloudTrail Lake over the event data store `eds` (`eventtime` is a timestamp).
    Lake {
        /// Event data store ID.
        eds: String,
    },
}

/// Why a query could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SqlError {
    /// The table or event data store name cannot be used safely.
    #[error("{0}")]
    Name(String),
}

/// Quotes a string literal (doubling single quotes).
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Quotes an identifier (doubling double quotes).
fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn in_list(col: &str, values: &[String]) -> String {
    let v: Vec<String> = values.iter().map(|s| lit(s)).collect();
    format!("{col} IN ({})", v.join(", "))
}

/// The TLS version with `TLSv1` read as `TLSv1.0`, as tlsfloor counts it.
const VERSION_SQL: &str =
    "CASE WHEN tlsdetails.tlsversion = 'TLSv1' THEN 'TLSv1.0' ELSE tlsdetails.tlsversion END";

impl Dialect {
    fn from(&self) -> Result<String, SqlError> {
        match self {
            Dialect::Athena { table, .. } => {
                if table.is_empty() || table.split('.').any(str::is_empty) {
                    return Err(SqlError::Name(format!(
                        "table name {table:?} is empty or has an empty part"
                    )));
                }
                Ok(table.split('.').map(ident).collect::<Vec<_>>().join("."))
            }
            Dialect::Lake { eds } => {
                let ok =
                    !eds.is_empty() && eds.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
                if !ok {
                    return Err(SqlError::Name(format!(
                        "event data store ID {eds:?}: expected letters, digits and '-' (the ID or the last part of its ARN)"
                    )));
                }
                Ok(eds.clone())
            }
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

    /// Partition predicates implied by the scope. CloudTrail files land in the folder of the
    /// day they were delivered, which can be the day after the event: the upper bound keeps
    /// one more day, and the event-time conditions still decide.
    fn partition_conditions(&self, q: &Query) -> Vec<String> {
        let Dialect::Athena { partitions, .. } = self else {
            return Vec::new();
        };
        if *partitions == Partitions::None {
            return Vec::new();
        }
        let mut c = Vec::new();
        if !q.regions.is_empty() {
            c.push(in_list("region", &q.regions));
        }
        let folder = |t: Epoch| format_day(t.div_euclid(86_400)).replace('-', "/");
        let path = match partitions {
            Partitions::RegionDate => "year || '/' || month || '/' || day",
            _ => "\"timestamp\"",
        };
        if let Some(s) = q.since {
            c.push(format!("{path} >= {}", lit(&folder(s))));
        }
        if let Some(u) = q.until {
            c.push(format!("{path} <= {}", lit(&folder(u + 86_400))));
        }
        c
    }
}

/// The principal rule of [`crate::record::Record::principal`] as a SQL expression.
pub const PRINCIPAL_SQL: &str = "COALESCE(NULLIF(useridentity.arn, ''), NULLIF(useridentity.invokedby, ''), \
CASE WHEN NULLIF(useridentity.username, '') IS NOT NULL THEN COALESCE(NULLIF(useridentity.type, ''), 'Unknown') || ':' || useridentity.username \
WHEN NULLIF(useridentity.onbehalfof.userid, '') IS NOT NULL THEN COALESCE(NULLIF(useridentity.type, ''), 'Unknown') || ':' || useridentity.onbehalfof.userid \
WHEN NULLIF(useridentity.accountid, '') IS NOT NULL THEN COALESCE(NULLIF(useridentity.type, ''), 'Unknown') || ':' || useridentity.accountid \
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
        By::TlsVersion => VERSION_SQL,
        By::AccessKey => "useridentity.accesskeyid",
        By::CallerAccount => "useridentity.accountid",
        By::Role => "useridentity.sessioncontext.sessionissuer.arn",
        By::UserName => "useridentity.username",
    }
}

/// `WHERE` conditions selecting valid, in-scope records.
fn scope_conditions(q: &Query, d: &Dialect) -> Vec<String> {
    let mut c = d.partition_conditions(q);
    c.extend([
        "eventtime IS NOT NULL".to_string(),
        "eventsource IS NOT NULL".to_string(),
        "eventname IS NOT NULL".to_string(),
    ]);
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

fn spellings_of(versions: &[Version]) -> Vec<String> {
    crate::tls::SPELLINGS
        .iter()
        .filter(|(_, v)| versions.contains(v))
        .map(|(s, _)| lit(s))
        .collect()
}

fn legacy_condition(q: &Query) -> String {
    let spellings = spellings_of(&q.selection.versions());
    if spellings.is_empty() {
        "FALSE".to_string()
    } else {
        format!("tlsdetails.tlsversion IN ({})", spellings.join(", "))
    }
}

fn where_clause(conds: &[String]) -> String {
    format!("WHERE {}", conds.join("\n  AND "))
}

/// The column name of a version's count in the per-service statement (`tls1_0`, …).
pub fn version_column(v: Version) -> &'static str {
    match v {
        Version::Ssl30 => "sslv3",
        Version::Tls10 => "tls1_0",
        Version::Tls11 => "tls1_1",
        Version::Tls12 => "tls1_2",
        Version::Tls13 => "tls1_3",
    }
}

fn services_statement(q: &Query, from: &str, scope: &[String]) -> String {
    let legacy = legacy_condition(q);
    let mut cols = vec!["eventsource AS event_source".to_string()];
    for v in q.selection.versions() {
        cols.push(format!(
            "SUM(CASE WHEN tlsdetails.tlsversion IN ({}) THEN 1 ELSE 0 END) AS {}",
            spellings_of(&[v]).join(", "),
            version_column(v)
        ));
    }
    cols.push(format!(
        "SUM(CASE WHEN {legacy} THEN 1 ELSE 0 END) AS legacy_calls"
    ));
    cols.push("COUNT(*) AS calls".to_string());
    format!(
        "SELECT {}\nFROM {from}\n{}\nGROUP BY eventsource\nHAVING SUM(CASE WHEN {legacy} THEN 1 ELSE 0 END) > 0\nORDER BY legacy_calls DESC, event_source;\n\n",
        cols.join(",\n  "),
        where_clause(scope)
    )
}

fn groups_statement(q: &Query, from: &str, legacy: &[String]) -> String {
    let cols: Vec<String> =
        q.by.iter()
            .map(|b| format!("{} AS {}", by_expr(*b), b.column()))
            .collect();
    let group: Vec<&str> = q.by.iter().map(|b| by_expr(*b)).collect();
    let order: Vec<String> =
        q.by.iter()
            .map(|b| format!("{} NULLS FIRST", b.column()))
            .collect();
    format!(
        "SELECT {},\n  COUNT(*) AS calls, MIN(eventtime) AS first_seen, MAX(eventtime) AS last_seen\nFROM {from}\n{}\nGROUP BY {}\nORDER BY calls DESC, {}{};\n\n",
        cols.join(",\n  "),
        where_clause(legacy),
        group.join(",\n  "),
        order.join(", "),
        if q.top > 0 {
            format!("\nLIMIT {}", q.top)
        } else {
            String::new()
        }
    )
}

/// The four statements, each ending with `;`.
pub fn emit(q: &Query, d: &Dialect) -> Result<String, SqlError> {
    let from = d.from()?;
    let scope = scope_conditions(q, d);
    let mut legacy = scope.clone();
    legacy.push(legacy_condition(q));
    let mut out = format!(
        "-- tlsfloor trail: the same report as `tlsfloor trail` ({} dialect).\n\
         -- Scope: {}. Legacy versions: {} (TLSv1 is TLSv1.0).\n\n",
        match d {
            Dialect::Athena { .. } => "Athena",
            Dialect::Lake { .. } => "CloudTrail Lake",
        },
        q.describe_scope(),
        q.selection.spellings().join(", ")
    );
    out.push_str("-- 1. Legacy calls per service: calls at each legacy version, all its calls.\n");
    out.push_str(&services_statement(q, &from, &scope));
    out.push_str("-- 2. In-scope calls by TLS version (NULL: no tlsDetails or no tlsVersion).\n");
    out.push_str(&format!(
        "SELECT {VERSION_SQL} AS tls_version, COUNT(*) AS calls\nFROM {from}\n{}\nGROUP BY {VERSION_SQL}\nORDER BY calls DESC, tls_version NULLS FIRST;\n\n",
        where_clause(&scope)
    ));
    out.push_str("-- 3. Legacy calls by group, with first and last seen.\n");
    out.push_str(&groups_statement(q, &from, &legacy));
    out.push_str("-- 4. Legacy calls per day (UTC).\n");
    out.push_str(&format!(
        "SELECT {day} AS day, COUNT(*) AS calls\nFROM {from}\n{}\nGROUP BY {day}\nORDER BY day;\n",
        where_clause(&legacy),
        day = d.day_expr()
    ));
    Ok(out)
}

/// The report as CloudWatch Logs Insights queries over a log group CloudTrail delivers to (one
/// query per `#` heading; Logs Insights runs one at a time). The time range is not part of a
/// Logs Insights query: it is printed as the `aws logs start-query` bounds to use.
pub fn emit_logs_insights(q: &Query) -> String {
    let versions: Vec<String> = q
        .selection
        .spellings()
        .iter()
        .map(|s| format!("\"{s}\""))
        .collect();
    let mut filters = vec![format!(
        "filter tlsDetails.tlsVersion in [{}]",
        versions.join(", ")
    )];
    let quoted = |v: &[String]| -> String {
        v.iter()
            .map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !q.accounts.is_empty() {
        filters.push(format!(
            "filter recipientAccountId in [{}]",
            quoted(&q.accounts)
        ));
    }
    if !q.regions.is_empty() {
        filters.push(format!("filter awsRegion in [{}]", quoted(&q.regions)));
    }
    if !q.event_sources.is_empty() {
        filters.push(format!(
            "filter eventSource in [{}]",
            quoted(&q.event_sources)
        ));
    }
    let filters = filters.join("\n| ");
    let fields: Vec<String> =
        q.by.iter()
            .map(|b| format!("{} as {}", insights_expr(*b), b.column()))
            .collect();
    let names: Vec<&str> = q.by.iter().map(|b| b.column()).collect();
    let limit = if q.top > 0 {
        format!("\n| limit {}", q.top)
    } else {
        String::new()
    };
    let range = match (q.since, q.until) {
        (None, None) => "the whole retention period".to_string(),
        (s, u) => format!(
            "--start-time {} --end-time {}",
            s.map_or("<start>".to_string(), |t| t.to_string()),
            u.map_or("<now>".to_string(), |t| (t - 1).to_string())
        ),
    };
    format!(
        "# tlsfloor trail as CloudWatch Logs Insights queries. Time range: {range}.\n\
         # Scope: {scope}. TLSv1 and TLSv1.0 are both TLS 1.0.\n\n\
         # 1. Legacy calls per service.\n\
         {filters}\n| stats count(*) as legacy_calls by eventSource\n| sort legacy_calls desc\n\n\
         # 2. Legacy calls by group.\n\
         {filters}\n| fields {fields}\n| stats count(*) as calls, min(eventTime) as first_seen, max(eventTime) as last_seen by {names}\n| sort calls desc{limit}\n\n\
         # 3. Legacy calls per day (UTC).\n\
         {filters}\n| stats count(*) as calls by bin(1d)\n",
        scope = q.describe_scope(),
        fields = fields.join(", "),
        names = names.join(", "),
    )
}

/// A grouping field in Logs Insights (which has no `NULLIF`: empty ARNs are not skipped).
fn insights_expr(b: By) -> &'static str {
    match b {
        By::EventSource => "eventSource",
        By::EventName => "eventName",
        By::Principal => "coalesce(userIdentity.arn, userIdentity.invokedBy, userIdentity.userName, userIdentity.onBehalfOf.userId, userIdentity.accountId, userIdentity.principalId, userIdentity.type)",
        By::SourceIp => "sourceIPAddress",
        By::UserAgent => "userAgent",
        By::Account => "recipientAccountId",
        By::Region => "awsRegion",
        By::HostHeader => "tlsDetails.clientProvidedHostHeader",
        By::Cipher => "tlsDetails.cipherSuite",
        By::TlsVersion => "tlsDetails.tlsVersion",
        By::AccessKey => "userIdentity.accessKeyId",
        By::CallerAccount => "userIdentity.accountId",
        By::Role => "userIdentity.sessionContext.sessionIssuer.arn",
        By::UserName => "userIdentity.userName",
    }
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
                partitions: Partitions::None,
            },
        )
        .unwrap();
        assert!(s.contains("eventtime >= '2024-01-01T00:00:00Z'"), "{s}");
        assert!(s.contains("recipientaccountid IN ('111122223333')"));
        assert!(s.contains("'o''brien.amazonaws.com'"));
        assert!(s.contains("tlsdetails.tlsversion IN ('SSLv3', 'TLSv1', 'TLSv1.0', 'TLSv1.1')"));
        assert!(s.contains("LIMIT 5"));
        assert_eq!(s.matches(';').count(), 4);
        assert!(s.contains("FROM \"cloudtrail_logs\""));
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
        )
        .unwrap();
        assert!(s.contains("FROM abc-123"));
        assert!(s.contains("eventtime < '2024-02-01 00:00:00'"), "{s}");
        assert!(s.contains("tlsdetails.tlsversion IN ('TLSv1.1')"));
        assert!(s.contains("date_format(eventtime, '%Y-%m-%d')"));
    }

    #[test]
    fn partition_predicates_keep_a_day_of_delivery_margin() {
        let q = Query {
            since: crate::time::parse_bound("2024-05-02"),
            until: crate::time::parse_bound("2024-05-04T12:00:00Z"),
            regions: vec!["eu-west-1".into()],
            ..Query::default()
        };
        let athena = |partitions| {
            emit(
                &q,
                &Dialect::Athena {
                    table: "db.cloudtrail_logs".into(),
                    partitions,
                },
            )
            .unwrap()
        };
        let s = athena(Partitions::RegionDate);
        assert!(s.contains("FROM \"db\".\"cloudtrail_logs\""), "{s}");
        assert!(
            s.contains("year || '/' || month || '/' || day >= '2024/05/02'"),
            "{s}"
        );
        assert!(
            s.contains("year || '/' || month || '/' || day <= '2024/05/05'"),
            "{s}"
        );
        assert!(s.contains("WHERE region IN ('eu-west-1')"), "{s}");
        let s = athena(Partitions::Projection);
        assert!(s.contains("\"timestamp\" >= '2024/05/02'"), "{s}");
        assert!(!athena(Partitions::None).contains("WHERE region IN"));
    }

    #[test]
    fn names_that_would_break_the_statement_are_refused() {
        let bad_eds = Dialect::Lake {
            eds: "x; DROP".into(),
        };
        assert!(emit(&Query::default(), &bad_eds).is_err());
        let bad_table = Dialect::Athena {
            table: "db.".into(),
            partitions: Partitions::None,
        };
        assert!(emit(&Query::default(), &bad_table).is_err());
        let quoted = Dialect::Athena {
            table: "we\"ird".into(),
            partitions: Partitions::None,
        };
        assert!(emit(&Query::default(), &quoted)
            .unwrap()
            .contains("FROM \"we\"\"ird\""));
    }

    #[test]
    fn logs_insights_has_the_filters_and_the_groups() {
        let q = Query {
            since: crate::time::parse_bound("2024-05-01"),
            event_sources: vec!["s3.amazonaws.com".into()],
            by: vec![By::EventSource, By::Role],
            top: 7,
            ..Query::default()
        };
        let s = emit_logs_insights(&q);
        assert!(
            s.contains(
                "filter tlsDetails.tlsVersion in [\"SSLv3\", \"TLSv1\", \"TLSv1.0\", \"TLSv1.1\"]"
            ),
            "{s}"
        );
        assert!(s.contains("filter eventSource in [\"s3.amazonaws.com\"]"));
        assert!(s.contains("by event_source, role"), "{s}");
        assert!(s.contains("| limit 7"));
        assert!(s.contains("--start-time 1714521600"), "{s}");
    }
}
