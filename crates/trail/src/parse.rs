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
pub(crate) fn first_key_is_records(b: &[u8]) -> bool {
    b.first() == Some(&b'{') && skip_ws(&b[1..]).starts_with(b"\"Records\"")
}

/// Which reader parses log objects `{"Records":[...]}`. Both give the same report on every
/// input (a differential fuzz target checks it); the fast one is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// The index-based reader (`fast.rs`: a SIMD index of quotes and brackets).
    Fast,
    /// `serde_json` with borrowed fields (`TLSFLOOR_TRAIL_SERDE=1` selects it).
    Serde,
}

impl Reader {
    /// The reader a run uses: [`Reader::Fast`] unless `TLSFLOOR_TRAIL_SERDE` is set.
    pub fn from_env() -> Reader {
        static FAST: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        if *FAST.get_or_init(|| std::env::var_os("TLSFLOOR_TRAIL_SERDE").is_none()) {
            Reader::Fast
        } else {
            Reader::Serde
        }
    }
}

/// Parses the log objects `{"Records":[...]}` at the start of `doc` (one, or several back to
/// back), streaming records to the sink. Returns how many bytes they took.
fn parse_containers<'a, S: RecordSink<'a>>(
    doc: &'a [u8],
    sink: &mut S,
    reader: Reader,
) -> Result<usize, String> {
    if reader == Reader::Fast && crate::fast::can_read(doc) {
        return crate::fast::parse_containers_reusing(doc, sink);
    }
    let mut used = 0;
    loop {
        let rest = &doc[used..];
        let end = value_end(rest).unwrap_or(rest.len());
        parse_container_serde(&rest[..end], sink)?;
        used += end;
        let ws = doc[used..].len() - skip_ws(&doc[used..]).len();
        if !first_key_is_records(&doc[used + ws..]) {
            return Ok(used);
        }
        used += ws;
    }
}

/// One log object exactly (nothing but whitespace after it).
fn parse_one_container<'a, S: RecordSink<'a>>(
    doc: &'a [u8],
    sink: &mut S,
    reader: Reader,
) -> Result<(), String> {
    let used = parse_containers(doc, sink, reader)?;
    if skip_ws(&doc[used..]).is_empty() {
        Ok(())
    } else {
        Err(format!(
            "invalid JSON: trailing characters after the log object (at byte {used})"
        ))
    }
}

/// Where the JSON object or array starting at `b[0]` ends (one past its closing bracket),
/// by bracket counting outside strings; `None` when it does not end in `b`.
fn value_end(b: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                loop {
                    match b.get(i)? {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// One log object with `serde_json`.
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

fn first_line(b: &[u8]) -> &[u8] {
    memchr::memchr(b'\n', b).map_or(b, |i| &b[..i])
}

/// Streams every record in `buf` to `sink`, with the reader [`Reader::from_env`] picks.
pub fn parse_buffer<'a, S: RecordSink<'a>>(buf: &'a [u8], sink: &mut S) -> Parsed {
    parse_buffer_with(buf, sink, Reader::from_env())
}

/// Streams every record in `buf` to `sink`, log objects read by `reader`.
pub fn parse_buffer_with<'a, S: RecordSink<'a>>(
    buf: &'a [u8],
    sink: &mut S,
    reader: Reader,
) -> Parsed {
    let buf = buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(buf);
    let mut body = skip_ws(buf);
    let mut seen = false;
    loop {
        match body.first() {
            None => return Parsed::Complete,
            Some(b'[') if !seen => {
                let mut de = serde_json::Deserializer::from_slice(body);
                let r = RecordsSeed { sink }
                    .deserialize(&mut de)
                    .and_then(|()| de.end());
                return match r {
                    Ok(()) => Parsed::Complete,
                    Err(e) => Parsed::Stopped(format!("invalid JSON: {e}")),
                };
            }
            Some(b'{') if first_key_is_records(body) => {
                match parse_containers(body, sink, reader) {
                    Ok(used) => body = skip_ws(&body[used..]),
                    Err(e) => return Parsed::Stopped(e),
                }
                seen = true;
            }
            Some(_) if !seen && crate::lake::is_csv_header(first_line(body)) => {
                return crate::lake::read_csv(body, sink)
            }
            Some(_) => {
                return match Lines::whole(sink, reader, seen).parse(body).end {
                    Some(end) => end,
                    None => Parsed::Complete,
                }
            }
        }
    }
}

/// What to do with one JSON object found in a stream of values.
enum Use {
    /// Counted (a record, a log object, an envelope of records).
    Done,
    /// The first value of the file is not CloudTrail: the file is something else.
    NotCloudTrail(String),
    /// A log object in the stream could not be read.
    Failed(String),
}

/// JSON Lines, pretty-printed records, values back to back (see the module documentation).
struct Lines<'s, S> {
    sink: &'s mut S,
    reader: Reader,
    /// A CloudTrail value was seen: what follows is damage, not another format.
    seen: bool,
    /// Values span lines: the rest is read as a stream of values, not line by line.
    documents: bool,
    /// More input follows this piece (a windowed read): a value cut at its end is left for
    /// the next piece instead of being an error.
    more: bool,
}

/// How far [`Lines::parse`] got: `end` is set when the file stops there.
struct LinesEnd {
    end: Option<Parsed>,
    consumed: usize,
}

impl<'a, S: RecordSink<'a>> Lines<'_, S> {
    fn whole(sink: &mut S, reader: Reader, seen: bool) -> Lines<'_, S> {
        Lines {
            sink,
            reader,
            seen,
            documents: false,
            more: false,
        }
    }

    fn parse(&mut self, body: &'a [u8]) -> LinesEnd {
        if self.documents {
            return self.documents(body);
        }
        let mut line_no = 0usize;
        let mut at = 0usize;
        while at < body.len() {
            let rest = &body[at..];
            let (line, next) = match memchr::memchr(b'\n', rest) {
                Some(i) => (&rest[..i], at + i + 1),
                None => (rest, body.len()),
            };
            line_no += 1;
            let trimmed = skip_ws(line);
            if trimmed.is_empty() {
                at = next;
                continue;
            }
            let Some(start) = object_start(trimmed) else {
                if !self.seen {
                    return self.stop_not_cloudtrail(format!(
                        "not CloudTrail JSON: {}",
                        describe_start(trimmed)
                    ));
                }
                self.sink
                    .invalid(&format_args!("line {line_no} is not a JSON object"));
                at = next;
                continue;
            };
            let obj = &trimmed[start..];
            if first_key_is_records(obj) {
                self.seen = true;
                if let Err(e) = parse_one_container(obj, self.sink, self.reader) {
                    self.sink.invalid(&format_args!("line {line_no}: {e}"));
                }
                at = next;
                continue;
            }
            if let Some(end) = self.line_values(obj, line_no) {
                return match end {
                    LineEnd::Stop(p) => LinesEnd {
                        end: Some(p),
                        consumed: at,
                    },
                    LineEnd::Documents => {
                        self.documents = true;
                        let d = self.documents(&body[at..]);
                        LinesEnd {
                            end: d.end,
                            consumed: at + d.consumed,
                        }
                    }
                };
            }
            at = next;
        }
        LinesEnd {
            end: None,
            consumed: body.len(),
        }
    }

    fn stop_not_cloudtrail(&self, why: String) -> LinesEnd {
        LinesEnd {
            end: Some(Parsed::NotCloudTrail(why)),
            consumed: 0,
        }
    }

    /// The values on one line; `Some` when the file stops or turns out to be a stream of
    /// multi-line values.
    fn line_values(&mut self, obj: &'a [u8], line_no: usize) -> Option<LineEnd> {
        let mut values = serde_json::Deserializer::from_slice(obj).into_iter::<MaybeRecord<'a>>();
        let mut first_on_line = true;
        loop {
            let start = values.byte_offset();
            match values.next() {
                None => return None,
                Some(Ok(v)) => {
                    let end = values.byte_offset();
                    match self.value(v, &obj[start..end]) {
                        Use::Done => {}
                        Use::NotCloudTrail(why) => {
                            return Some(LineEnd::Stop(Parsed::NotCloudTrail(why)))
                        }
                        Use::Failed(e) => self.sink.invalid(&format_args!("line {line_no}: {e}")),
                    }
                }
                Some(Err(e)) if e.is_eof() && first_on_line && !self.seen => {
                    // A record spread over several lines: read the rest as a stream.
                    return Some(LineEnd::Documents);
                }
                Some(Err(e)) => {
                    self.seen = true;
                    self.sink
                        .invalid(&format_args!("line {line_no}: invalid JSON: {e}"));
                    return None;
                }
            }
            first_on_line = false;
        }
    }

    /// One value of the stream, whose text is `text`.
    fn value(&mut self, v: MaybeRecord<'a>, text: &'a [u8]) -> Use {
        let was_seen = std::mem::replace(&mut self.seen, true);
        let r = match v {
            MaybeRecord::Object(r) => r,
            MaybeRecord::NotObject if !was_seen => {
                return Use::NotCloudTrail(
                    "not CloudTrail JSON: the first value is not an object".to_string(),
                )
            }
            MaybeRecord::NotObject => {
                self.sink.invalid(&"a top-level value is not a JSON object");
                return Use::Done;
            }
        };
        if r.looks_like_record() {
            self.sink.record(&r);
            return Use::Done;
        }
        if r.has_records_key {
            return match parse_one_container(skip_ws(text), self.sink, self.reader) {
                Ok(()) => Use::Done,
                Err(e) => Use::Failed(e),
            };
        }
        match crate::envelope::read(skip_ws(text), self.sink) {
            Some(Ok(())) => Use::Done,
            Some(Err(e)) => Use::Failed(e),
            None if !was_seen => Use::NotCloudTrail(
                "not CloudTrail JSON: the first object is neither a CloudTrail record nor {\"Records\": [...]}"
                    .to_string(),
            ),
            None => {
                self.sink.record(&r);
                Use::Done
            }
        }
    }

    /// A stream of (possibly pretty-printed) JSON values.
    fn documents(&mut self, doc: &'a [u8]) -> LinesEnd {
        let mut stream = serde_json::Deserializer::from_slice(doc).into_iter::<MaybeRecord<'a>>();
        loop {
            let start = stream.byte_offset();
            let stop = |p: Parsed| LinesEnd {
                end: Some(p),
                consumed: start,
            };
            match stream.next() {
                None => {
                    return LinesEnd {
                        end: None,
                        consumed: doc.len(),
                    }
                }
                Some(Ok(v)) => {
                    let end = stream.byte_offset();
                    match self.value(v, &doc[start..end]) {
                        Use::Done => {}
                        Use::NotCloudTrail(why) => return stop(Parsed::NotCloudTrail(why)),
                        Use::Failed(e) => return stop(Parsed::Stopped(e)),
                    }
                }
                Some(Err(e)) if e.is_eof() && self.more => {
                    return LinesEnd {
                        end: None,
                        consumed: start,
                    }
                }
                Some(Err(e)) => return stop(Parsed::Stopped(format!("invalid JSON: {e}"))),
            }
        }
    }
}

/// Why [`Lines::line_values`] ended the line reading.
enum LineEnd {
    Stop(Parsed),
    Documents,
}

/// Complete lines of a windowed read (outside log objects): how far the line reader got.
/// `state` is `(seen, documents)`, carried from piece to piece.
pub(crate) fn parse_top_piece<'a, S: RecordSink<'a>>(
    piece: &'a [u8],
    sink: &mut S,
    reader: Reader,
    state: &mut (bool, bool),
    more: bool,
) -> (usize, Option<Parsed>) {
    let mut lines = Lines {
        sink,
        reader,
        seen: state.0,
        documents: state.1,
        more,
    };
    let r = lines.parse(piece);
    *state = (lines.seen, lines.documents);
    (r.consumed, r.end)
}

/// An array of records `[e1,…,ek]` (a piece of a windowed read).
pub(crate) fn parse_elements_piece<'a, S: RecordSink<'a>>(
    piece: &'a [u8],
    sink: &mut S,
    reader: Reader,
) -> Result<(), String> {
    if reader == Reader::Fast {
        return crate::fast::parse_array_reusing(piece, sink);
    }
    let mut de = serde_json::Deserializer::from_slice(piece);
    RecordsSeed { sink }
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| format!("invalid JSON: {e}"))
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
        fn record(&mut self, r: &Record<'a>) {
            self.names
                .push(r.event_name.as_deref().unwrap_or_default().to_string());
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
