//! Recognising a file's layout by its content and streaming its records to a sink.
//!
//! Layouts, decided from the bytes (never from the file name):
//! - a CloudTrail log file: one object whose first key is `Records` (an array of records);
//! - a JSON array of records;
//! - JSON Lines: one record per line (CloudTrail Lake / CloudWatch Logs exports). A line may
//!   start with a timestamp prefix before the `{` (CloudWatch Logs export to S3). A line that
//!   holds `{"Records":[...]}` is read as a log file;
//! - one or more pretty-printed records (a record spanning several lines).

use crate::record::{ContainerSeed, MaybeRecord, RecordSink, RecordsSeed};
use serde::de::DeserializeSeed;

/// How parsing a file's content ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// The whole content was read (bad JSON lines, if any, were counted as invalid records).
    Complete,
    /// Parsing stopped early; records read before `reason` were counted.
    Stopped(String),
    /// The content is not CloudTrail JSON; nothing was counted.
    NotCloudTrail(String),
}

fn skip_ws(b: &[u8]) -> &[u8] {
    let n = b
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
        .count();
    &b[n..]
}

/// Describes the first bytes of unexpected content for error messages.
fn describe_start(b: &[u8]) -> String {
    let head: String = b
        .iter()
        .take(24)
        .map(|&c| {
            if c.is_ascii_graphic() || c == b' ' {
                c as char
            } else {
                '.'
            }
        })
        .collect();
    format!("content starts with {head:?}")
}

/// True when the object starting at `b[0] == '{'` has `Records` as its first key.
fn first_key_is_records(b: &[u8]) -> bool {
    skip_ws(&b[1..]).starts_with(b"\"Records\"")
}

/// Parses a whole `{"Records":[...]}` document, streaming records to the sink: with the fast
/// index-based reader ([`crate::fast`]), or with `serde_json` when `TLSFLOOR_TRAIL_SERDE` is set.
fn parse_container<'a, S: RecordSink<'a>>(doc: &'a [u8], sink: &mut S) -> Result<bool, String> {
    if use_fast() {
        return crate::fast::parse_container_reusing(doc, sink);
    }
    parse_container_serde(doc, sink)
}

fn use_fast() -> bool {
    static FAST: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *FAST.get_or_init(|| std::env::var_os("TLSFLOOR_TRAIL_SERDE").is_none())
}

/// [`parse_container`] with `serde_json`.
fn parse_container_serde<'a, S: RecordSink<'a>>(
    doc: &'a [u8],
    sink: &mut S,
) -> Result<bool, String> {
    let mut de = serde_json::Deserializer::from_slice(doc);
    let found = ContainerSeed { sink }
        .deserialize(&mut de)
        .map_err(|e| format!("invalid JSON: {e}"))?;
    de.end().map_err(|e| format!("invalid JSON: {e}"))?;
    Ok(found)
}

/// The `{` that starts the JSON of a line, allowing a short timestamp-like prefix
/// (`2024-01-01T00:00:00.000Z {...}`) as CloudWatch Logs exports write.
fn object_start(line: &[u8]) -> Option<usize> {
    if line.first() == Some(&b'{') {
        return Some(0);
    }
    let pos = memchr::memchr(b'{', &line[..line.len().min(64)])?;
    let prefix_ok = line[..pos].iter().all(|c| {
        c.is_ascii_alphanumeric() || matches!(c, b' ' | b'\t' | b':' | b'.' | b'-' | b'+' | b'_')
    });
    prefix_ok.then_some(pos)
}

/// Streams every record in `buf` to `sink`.
pub fn parse_buffer<'a, S: RecordSink<'a>>(buf: &'a [u8], sink: &mut S) -> Parsed {
    let buf = buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(buf);
    let body = skip_ws(buf);
    match body.first() {
        None => Parsed::Complete,
        Some(b'[') => {
            let mut de = serde_json::Deserializer::from_slice(body);
            let r = RecordsSeed { sink }
                .deserialize(&mut de)
                .and_then(|()| de.end());
            match r {
                Ok(()) => Parsed::Complete,
                Err(e) => Parsed::Stopped(format!("invalid JSON: {e}")),
            }
        }
        Some(b'{') if first_key_is_records(body) => match parse_container(body, sink) {
            Ok(_) => Parsed::Complete,
            Err(e) => Parsed::Stopped(e),
        },
        Some(_) => parse_lines(body, sink),
    }
}

/// JSON Lines (or pretty-printed records): see the module documentation.
fn parse_lines<'a, S: RecordSink<'a>>(body: &'a [u8], sink: &mut S) -> Parsed {
    let mut seen_value = false;
    let mut line_no = 0usize;
    let mut rest = body;
    while !rest.is_empty() {
        let (line, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        line_no += 1;
        let start_of_line = rest;
        rest = next;
        let trimmed = skip_ws(line);
        if trimmed.is_empty() {
            continue;
        }
        let Some(at) = object_start(trimmed) else {
            if !seen_value {
                return Parsed::NotCloudTrail(format!(
                    "not CloudTrail JSON: {}",
                    describe_start(trimmed)
                ));
            }
            sink.invalid(&format_args!("line {line_no} is not a JSON object"));
            continue;
        };
        let obj = &trimmed[at..];
        if first_key_is_records(obj) {
            seen_value = true;
            if let Err(e) = parse_container(obj, sink) {
                sink.invalid(&format_args!("line {line_no}: {e}"));
            }
            continue;
        }
        match serde_json::from_slice::<MaybeRecord<'a>>(obj) {
            Ok(MaybeRecord::Object(r)) => {
                if r.has_records_key && !r.looks_like_record() {
                    seen_value = true;
                    if let Err(e) = parse_container(obj, sink) {
                        sink.invalid(&format_args!("line {line_no}: {e}"));
                    }
                } else if !seen_value && !r.looks_like_record() {
                    return Parsed::NotCloudTrail(
                        "not CloudTrail JSON: the first object is neither a CloudTrail record nor {\"Records\": [...]}"
                            .to_string(),
                    );
                } else {
                    seen_value = true;
                    sink.record(r);
                }
            }
            Ok(MaybeRecord::NotObject) => {
                sink.invalid(&format_args!("line {line_no} is not a JSON object"));
            }
            Err(e) if e.is_eof() && !seen_value => {
                // A record spread over several lines: read the rest as a stream of values.
                return parse_documents(start_of_line, sink);
            }
            Err(e) => {
                seen_value = true;
                sink.invalid(&format_args!("line {line_no}: invalid JSON: {e}"));
            }
        }
    }
    Parsed::Complete
}

/// A stream of (possibly pretty-printed) JSON values: records or `{"Records":[...]}` objects.
fn parse_documents<'a, S: RecordSink<'a>>(doc: &'a [u8], sink: &mut S) -> Parsed {
    let mut stream = serde_json::Deserializer::from_slice(doc).into_iter::<MaybeRecord<'a>>();
    let mut first = true;
    loop {
        let start = stream.byte_offset();
        match stream.next() {
            None => return Parsed::Complete,
            Some(Ok(MaybeRecord::Object(r))) => {
                if r.has_records_key && !r.looks_like_record() {
                    let end = stream.byte_offset();
                    if let Err(e) = parse_container(&doc[start..end], sink) {
                        return Parsed::Stopped(e);
                    }
                } else if first && !r.looks_like_record() {
                    return Parsed::NotCloudTrail(
                        "not CloudTrail JSON: the first object is neither a CloudTrail record nor {\"Records\": [...]}"
                            .to_string(),
                    );
                } else {
                    sink.record(r);
                }
            }
            Some(Ok(MaybeRecord::NotObject)) => {
                if first {
                    return Parsed::NotCloudTrail(
                        "not CloudTrail JSON: the first value is not an object".to_string(),
                    );
                }
                sink.invalid(&"a top-level value is not a JSON object");
            }
            Some(Err(e)) => return Parsed::Stopped(format!("invalid JSON: {e}")),
        }
        first = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Record;
    use std::fmt;

    #[derive(Default)]
    struct Collect {
        names: Vec<String>,
        invalid: Vec<String>,
    }

    impl<'a> RecordSink<'a> for Collect {
        fn record(&mut self, r: Record<'a>) {
            self.names
                .push(r.event_name.map(|c| c.to_string()).unwrap_or_default());
        }
        fn invalid(&mut self, reason: &dyn fmt::Display) {
            self.invalid.push(reason.to_string());
        }
    }

    fn run(text: &str) -> (Parsed, Collect) {
        let mut c = Collect::default();
        let p = parse_buffer(text.as_bytes(), &mut c);
        (p, c)
    }

    const A: &str = r#"{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"A"}"#;
    const B: &str = r#"{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"B"}"#;

    #[test]
    fn container() {
        let (p, c) = run(&format!("{{\"Records\":[{A},{B}]}}"));
        assert_eq!(p, Parsed::Complete);
        assert_eq!(c.names, ["A", "B"]);
        let (p, c) = run(&format!("\n {{ \n \"Records\" : [\n{A},\n{B}\n]\n}}\n"));
        assert_eq!(p, Parsed::Complete);
        assert_eq!(c.names, ["A", "B"]);
    }

    #[test]
    fn container_with_records_not_first() {
        let (p, c) = run(&format!("{{\"x\":1,\"Records\":[{A},{B}]}}"));
        assert_eq!(p, Parsed::Complete);
        assert_eq!(c.names, ["A", "B"]);
    }

    #[test]
    fn truncated_container_counts_records_before_the_damage() {
        let full = format!("{{\"Records\":[{A},{B}]}}");
        let cut = &full[..full.len() - 20];
        let (p, c) = run(cut);
        assert!(matches!(p, Parsed::Stopped(_)), "{p:?}");
        assert_eq!(c.names, ["A"]);
    }

    #[test]
    fn json_lines_with_a_bad_line_and_prefixes() {
        let text = format!(
            "{A}\n\nnot json at all\n2024-01-01T00:00:00.000Z {B}\n{{\"eventName\": \n{A}\n"
        );
        let (p, c) = run(&text);
        assert_eq!(p, Parsed::Complete);
        assert_eq!(c.names, ["A", "B", "A"]);
        assert_eq!(c.invalid.len(), 2, "{:?}", c.invalid);
    }

    #[test]
    fn pretty_records_and_arrays() {
        let pretty = format!("{{\n  \"eventName\": \"A\",\n  \"eventTime\": \"x\"\n}}\n{B}");
        let (p, c) = run(&pretty);
        assert_eq!(p, Parsed::Complete);
        assert_eq!(c.names, ["A", "B"]);
        let (p, c) = run(&format!("[{A}, 3, {B}]"));
        assert_eq!(p, Parsed::Complete);
        assert_eq!(c.names, ["A", "B"]);
        assert_eq!(c.invalid.len(), 1);
    }

    #[test]
    fn other_formats() {
        for t in [
            "hello world",
            "{\"awsAccountId\":\"1\",\"digestStartTime\":\"x\"}",
            "\u{1}\u{2}binary",
            "<html><body>{}</body></html>",
        ] {
            let (p, c) = run(t);
            assert!(matches!(p, Parsed::NotCloudTrail(_)), "{t}: {p:?}");
            assert!(c.names.is_empty());
        }
        assert_eq!(run("  \n").0, Parsed::Complete);
    }
}
