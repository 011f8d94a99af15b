//! Records inside other JSON documents, recognised by their keys:
//!
//! - `aws cloudtrail lookup-events` output: `{"Events":[{"CloudTrailEvent":"<record as a JSON
//!   string>"}, …]}`;
//! - `aws logs filter-log-events` / `get-log-events` output: `{"events":[{"message":"<record>"}]}`;
//! - CloudWatch Logs subscription data (as Firehose writes it to S3, gzip, often several objects
//!   back to back): `{"messageType":"DATA_MESSAGE","logEvents":[{"message":"<record>"}]}`;
//!   `CONTROL_MESSAGE` objects hold no events;
//! - EventBridge events for CloudTrail (`"detail-type": "AWS API Call via CloudTrail"`, …): the
//!   record is `detail`;
//! - CloudTrail Lake query results (`aws cloudtrail get-query-results`): `QueryResultRows`, rows
//!   of `{column: value}` cells, read by [`crate::lake`].

use crate::record::{MaybeRecord, Record, RecordSink};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "Events", default, borrow)]
    lookup: Option<Vec<LookupEvent<'a>>>,
    #[serde(rename = "events", default, borrow)]
    log_events: Option<Vec<LogEvent<'a>>>,
    #[serde(rename = "messageType", default, borrow)]
    message_type: Option<Cow<'a, str>>,
    #[serde(rename = "logEvents", default, borrow)]
    subscription: Option<Vec<LogEvent<'a>>>,
    #[serde(rename = "detail-type", default, borrow)]
    detail_type: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    detail: Option<&'a RawValue>,
    #[serde(rename = "QueryResultRows", default, borrow)]
    lake_rows: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct LookupEvent<'a> {
    #[serde(rename = "CloudTrailEvent", default, borrow)]
    event: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct LogEvent<'a> {
    #[serde(default, borrow)]
    message: Option<Cow<'a, str>>,
}

/// Reads the records of `obj` (one JSON object) when it is one of the envelopes above:
/// `None` when it is not.
pub(crate) fn read<'a, S: RecordSink<'a>>(
    obj: &'a [u8],
    sink: &mut S,
) -> Option<Result<(), String>> {
    let env: Envelope<'a> = serde_json::from_slice(obj).ok()?;
    if let Some(events) = env.lookup {
        let texts = events.into_iter().map(|e| e.event);
        return embedded(texts, "CloudTrailEvent", sink);
    }
    if env.message_type.as_deref() == Some("CONTROL_MESSAGE") {
        return Some(Ok(())); // a health check of the subscription, no events
    }
    if let Some(events) = env.subscription.or(env.log_events) {
        let texts = events.into_iter().map(|e| e.message);
        return embedded(texts, "log event message", sink);
    }
    if let (Some(kind), Some(detail)) = (&env.detail_type, env.detail) {
        if !kind.ends_with("via CloudTrail") {
            sink.not_event(&"an EventBridge event not from CloudTrail");
            return Some(Ok(()));
        }
        return Some(detail_record(detail, sink));
    }
    if let Some(rows) = env.lake_rows {
        return Some(crate::lake::read_rows(rows.get(), sink));
    }
    None
}

/// The EventBridge `detail` object, read as a record borrowing from the file.
fn detail_record<'a, S: RecordSink<'a>>(detail: &'a RawValue, sink: &mut S) -> Result<(), String> {
    match serde_json::from_str::<MaybeRecord<'a>>(detail.get()) {
        Ok(MaybeRecord::Object(r)) => sink.record(&r),
        Ok(MaybeRecord::NotObject) => sink.invalid(&"EventBridge detail is not a JSON object"),
        Err(e) => return Err(format!("invalid JSON in EventBridge detail: {e}")),
    }
    Ok(())
}

/// Records held as JSON text in string fields named `what`, each decoded on its own so a bad
/// one costs only itself. `None` when not one of them is a CloudTrail record (the log group
/// or search holds other logs: the document is not CloudTrail).
fn embedded<'a, 't, S: RecordSink<'a>>(
    texts: impl Iterator<Item = Option<Cow<'t, str>>>,
    what: &str,
    sink: &mut S,
) -> Option<Result<(), String>> {
    let decoded: Vec<Result<Record<'static>, String>> = texts
        .enumerate()
        .map(|(i, text)| {
            let n = i + 1;
            let text = text.ok_or_else(|| format!("event {n}: no {what}"))?;
            match serde_json::from_str::<MaybeRecord<'_>>(&text) {
                Ok(MaybeRecord::Object(r)) if r.looks_like_record() => Ok(r.into_owned()),
                Ok(_) => Err(format!("event {n}: the {what} is not a CloudTrail record")),
                Err(e) => Err(format!("event {n}: the {what} is not JSON: {e}")),
            }
        })
        .collect();
    if !decoded.is_empty() && decoded.iter().all(Result::is_err) {
        return None;
    }
    for d in decoded {
        match d {
            Ok(r) => sink.record(&r),
            Err(why) => sink.invalid(&why),
        }
    }
    Some(Ok(()))
}
