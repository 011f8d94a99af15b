//! CloudTrail Lake query results: `aws cloudtrail get-query-results` JSON (`QueryResultRows`,
//! rows of `{column: value}` cells) and the console's CSV download (a header row).
//!
//! Columns are matched by name, case-insensitively, as the Lake sample queries name them: a
//! selected field keeps its last name (`tlsDetails.tlsVersion` is the column `tlsVersion`) and
//! the dotted name is accepted too. Whole structs (`SELECT tlsDetails`, `SELECT *`) come as
//! `{tlsversion=TLSv1.2, ciphersuite=…}` text and are read member by member. A row is an event
//! only when it carries the event's time, source and name; aggregate rows (`COUNT(*)`) are
//! invalid records, never calls.

use crate::parse::Parsed;
use crate::record::{Field, Identity, Record, RecordSink, TlsDetails};
use std::borrow::Cow;

/// The record of one result row, from `(column, value)` pairs (empty values are null).
pub(crate) fn record_from_columns<'c>(
    cols: impl IntoIterator<Item = (&'c str, Option<String>)>,
) -> Record<'static> {
    let mut r = Record::default();
    let mut id = Identity::default();
    let mut tls = TlsDetails::default();
    for (name, value) in cols {
        let value = value.filter(|v| !v.is_empty());
        let lower = name.to_ascii_lowercase();
        if lower == "tlsdetails" || lower == "useridentity" {
            for (k, v) in struct_members(value.as_deref().unwrap_or("")) {
                set(&mut r, &mut id, &mut tls, &format!("{lower}.{k}"), Some(v));
            }
            continue;
        }
        set(&mut r, &mut id, &mut tls, &lower, value);
    }
    if id != Identity::default() {
        r.identity = Some(id);
    }
    if tls != TlsDetails::default() {
        r.tls = Some(tls);
    }
    r
}

fn set(
    r: &mut Record<'static>,
    id: &mut Identity<'static>,
    tls: &mut TlsDetails<'static>,
    name: &str,
    v: Option<String>,
) {
    let slot: &mut Field<'static> = match name {
        "eventversion" => {
            r.has_event_version = v.is_some();
            return;
        }
        "eventtime" => &mut r.event_time,
        "eventsource" => &mut r.event_source,
        "eventname" => &mut r.event_name,
        "eventtype" => &mut r.event_type,
        "awsregion" => &mut r.aws_region,
        "sourceipaddress" => &mut r.source_ip,
        "useragent" => &mut r.user_agent,
        "recipientaccountid" => &mut r.recipient_account_id,
        "tlsversion" | "tlsdetails.tlsversion" => &mut tls.version,
        "ciphersuite" | "tlsdetails.ciphersuite" => &mut tls.cipher,
        "clientprovidedhostheader" | "tlsdetails.clientprovidedhostheader" => &mut tls.host_header,
        "type" | "useridentity.type" => &mut id.kind,
        "principalid" | "useridentity.principalid" => &mut id.principal_id,
        "arn" | "useridentity.arn" => &mut id.arn,
        "accountid" | "useridentity.accountid" => &mut id.account_id,
        "invokedby" | "useridentity.invokedby" => &mut id.invoked_by,
        "accesskeyid" | "useridentity.accesskeyid" => &mut id.access_key_id,
        "username" | "useridentity.username" => &mut id.user_name,
        "useridentity.sessioncontext.sessionissuer.arn" => &mut id.session_issuer,
        _ => return,
    };
    *slot = v.map(Cow::Owned);
}

/// The members of a struct rendered as `{key=value, key={…}, …}` (top level only).
fn struct_members(text: &str) -> Vec<(String, String)> {
    let inner = text.trim().trim_start_matches('{').trim_end_matches('}');
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let bytes = inner.as_bytes();
    for i in 0..=bytes.len() {
        let at_end = i == bytes.len();
        if !at_end {
            match bytes[i] {
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        if at_end || (bytes[i] == b',' && depth == 0) {
            let part = inner[start..i].trim();
            if let Some((k, v)) = part.split_once('=') {
                if !v.is_empty() && v != "null" {
                    out.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
                }
            }
            start = i + 1;
        }
    }
    out
}

/// The rows of `QueryResultRows` (its JSON text).
pub(crate) fn read_rows<'a, S: RecordSink<'a>>(rows: &str, sink: &mut S) -> Result<(), String> {
    type Cell = std::collections::BTreeMap<String, serde_json::Value>;
    let rows: Vec<Vec<Cell>> =
        serde_json::from_str(rows).map_err(|e| format!("invalid QueryResultRows: {e}"))?;
    for row in rows {
        let cols: Vec<(String, Option<String>)> = row
            .into_iter()
            .flat_map(|cell| cell.into_iter())
            .map(|(k, v)| {
                let v = match v {
                    serde_json::Value::Null => None,
                    serde_json::Value::String(s) => Some(s),
                    other => Some(other.to_string()),
                };
                (k, v)
            })
            .collect();
        sink.record(&record_from_columns(
            cols.iter().map(|(k, v)| (k.as_str(), v.clone())),
        ));
    }
    Ok(())
}

/// True when `line` is the header of a Lake result download: comma-separated column names
/// that include the event's source and name.
pub(crate) fn is_csv_header(line: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(line) else {
        return false;
    };
    let cols: Vec<String> = text
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    let has = |n: &str| cols.iter().any(|c| c == n);
    cols.len() >= 2 && has("eventsource") && has("eventname")
}

/// A Lake result CSV download, header first (read as a stream: rows are owned).
pub(crate) fn read_csv<'a, S: RecordSink<'a>>(data: impl std::io::Read, sink: &mut S) -> Parsed {
    let mut rd = csv::ReaderBuilder::new().flexible(true).from_reader(data);
    let header: Vec<String> = match rd.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => return Parsed::Stopped(format!("invalid CSV header: {e}")),
    };
    for (i, row) in rd.records().enumerate() {
        match row {
            Ok(row) => {
                let cols = header
                    .iter()
                    .zip(row.iter())
                    .map(|(h, v)| (h.as_str(), Some(v.to_string())));
                sink.record(&record_from_columns(cols));
            }
            Err(e) => sink.invalid(&format_args!("CSV row {}: {e}", i + 2)),
        }
    }
    Parsed::Complete
}
