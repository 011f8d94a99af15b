//! The fast and the serde readers give the same counts on every input: the cases the issue
//! lists, then a bounded, seeded run of mutations (the same check as the cargo-fuzz target
//! `trail_readers`, which runs unbounded; see docs/fuzzing.md).

use tlsfloor_trail::differential::compare;

const REC: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROA:s","arn":"arn:aws:sts::1:assumed-role/r/s","accountId":"1","accessKeyId":"ASIA","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::1:role/r","userName":"r"},"attributes":{"mfaAuthenticated":"false"}}},"eventTime":"2024-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","userAgent":"aws-cli/2","requestParameters":{"bucketName":"b","key":"k\"\\/","n":[1,-2.5e3,0,true,false,null,{}]},"responseElements":null,"tlsDetails":{"tlsVersion":"TLSv1","cipherSuite":"AES128-SHA","clientProvidedHostHeader":"s3.amazonaws.com"},"recipientAccountId":"1"}"#;

fn container(records: &[&str]) -> String {
    format!("{{\"Records\":[{}]}}", records.join(","))
}

fn agree(doc: &str) -> tlsfloor_trail::differential::Seen {
    match compare(doc.as_bytes()) {
        Ok(seen) => seen,
        Err(diff) => panic!("readers disagree on {doc:?}:\n{diff}"),
    }
}

#[test]
fn invalid_json_in_skipped_values_stops_both_readers() {
    for bad in [
        r#"{"a" "b"}"#,
        r#"{1:2}"#,
        "tru",
        "[1 2]",
        r#""\q""#,
        "\"a\u{1}b\"",
        "01",
        "1.",
        "-",
        "[1,]",
        r#"{"a":1,}"#,
        "nul",
        r#""\u12G4""#,
    ] {
        let rec = REC.replace(
            r#""responseElements":null"#,
            &format!(r#""responseElements":{bad}"#),
        );
        let seen = agree(&container(&[REC, &rec]));
        assert_eq!(seen.end, "stopped", "{bad}");
        assert_eq!(seen.records.len(), 1, "{bad}");
    }
}

#[test]
fn deep_nesting_is_read_as_serde_reads_it() {
    let deep = format!("{}1{}", "[".repeat(500), "]".repeat(500));
    let rec = REC.replace(
        r#""responseElements":null"#,
        &format!(r#""responseElements":{deep}"#),
    );
    let seen = agree(&container(&[&rec, REC]));
    assert_eq!(seen.end, "complete");
    assert_eq!(seen.records.len(), 2);
}

#[test]
fn a_lone_surrogate_costs_its_record_only() {
    let rec = REC.replace("aws-cli/2", r"aws-cli/\ud800");
    let seen = agree(&container(&[REC, &rec, REC]));
    assert_eq!(seen.end, "complete");
    assert_eq!(seen.records.len(), 3);
    assert!(
        seen.records[1].contains("LoneSurrogate"),
        "{:?}",
        seen.records[1]
    );
    // In a skipped value it is valid JSON, as serde_json skips it.
    let skipped = REC.replace(r#""bucketName":"b""#, r#""bucketName":"\udc00""#);
    let seen = agree(&container(&[&skipped]));
    assert!(!seen.records[0].contains("LoneSurrogate"));
}

#[test]
fn log_objects_back_to_back_are_all_read() {
    let one = container(&[REC, REC]);
    for sep in ["", "\n", " \n\n", "\r\n"] {
        let seen = agree(&format!("{one}{sep}{one}{sep}{one}"));
        assert_eq!(seen.records.len(), 6, "{sep:?}");
        assert_eq!(seen.end, "complete");
    }
    let seen = agree(&format!("{one}\n{REC}\n{REC}{REC}\n"));
    assert_eq!(seen.records.len(), 5);
}

/// A small deterministic generator (xorshift), so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Records whose keys change order, spacing and spelling from one record to the next: the
/// fast reader predicts each key from the ones it has read (see `key_memo`), so a key that
/// looks like a learnt one, or comes where another was learnt, must still be read exactly.
#[test]
fn keys_that_change_from_record_to_record_are_read_as_serde_reads_them() {
    let variants = [
        REC.to_string(),
        // Another order: tlsDetails first, userIdentity last.
        REC.replace(r#""userIdentity":"#, r#""userIdentityX":"#)
            .replace(r#""eventVersion":"1.08","#, r#""tlsDetails":{"tlsVersion":"TLSv1.2"},"eventVersion":"1.08","#),
        // Whitespace around keys and colons.
        REC.replace(r#""eventSource":"#, "\"eventSource\" :\t")
            .replace(r#","awsRegion":"#, ", \"awsRegion\":"),
        // Escaped spellings of learnt keys, and keys one byte away from learnt ones.
        REC.replace(r#""eventTime":"#, r#""event\u0054ime":"#)
            .replace(r#""arn":"#, r#""arm":"#)
            .replace(r#""eventName":"#, r#""eventNam":"#),
        // A key repeated (the last one counts) and a learnt key inside a skipped value.
        REC.replace(r#""awsRegion":"us-east-1","#, r#""awsRegion":"a","awsRegion":"eu-west-1","#)
            .replace(r#""bucketName":"b""#, r#""eventSource":"not this one""#),
        // Identities of other shapes and a session context in another order.
        REC.replace(
            r#""type":"AssumedRole","principalId":"AROA:s","#,
            r#""type":"AWSService","invokedBy":"s.amazonaws.com","#,
        )
        .replace(
            r#""sessionIssuer":{"type":"Role","arn":"arn:aws:iam::1:role/r","userName":"r"},"attributes":{"mfaAuthenticated":"false"}"#,
            r#""attributes":{"arn":"no"},"sessionIssuer":{"userName":"r","arn":"arn:aws:iam::1:role/q"}"#,
        ),
    ];
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let records: Vec<&str> = (0..400)
        .map(|i| {
            variants[if i < 12 {
                i % variants.len()
            } else {
                rng.below(variants.len())
            }]
            .as_str()
        })
        .collect();
    let seen = agree(&container(&records));
    assert_eq!(seen.end, "complete");
    assert_eq!(seen.records.len(), records.len());
    for (r, text) in records.iter().zip(&seen.records) {
        // `eventNam` is not `eventName`: that record has no event name.
        assert_eq!(
            text.contains("GetObject"),
            !r.contains("eventNam\""),
            "{text}"
        );
    }
    // The last record, where a learnt key ends less than 32 bytes before the end.
    let seen = agree(&container(&[
        REC,
        REC,
        r#"{"eventTime":"x","eventName":"y"}"#,
    ]));
    assert_eq!(seen.records.len(), 3);
}

const TOKENS: [&str; 22] = [
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    r"\ud800",
    r"\u0041",
    "1e400",
    "-0",
    "01",
    "true",
    "nul",
    "\u{1}",
    "\n",
    " ",
    "\u{e9}",
    "\"Records\"",
    "\"eventName\"",
    "null",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(b.len() + 1);
        match rng.below(4) {
            0 => b.truncate(at),
            1 if at < b.len() => b[at] = rng.next() as u8,
            2 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                b.splice(at..at, t.bytes());
            }
            _ => {
                let end = (at + rng.below(8)).min(b.len());
                b.drain(at..end);
            }
        }
    }
    b
}

#[test]
fn seeded_mutations_never_split_the_readers() {
    let seeds = [
        container(&[REC, REC]),
        format!("{}\n{}", container(&[REC]), container(&[REC])),
        format!("{REC}\n{REC}\n"),
        format!("[{REC},{REC}]"),
        container(&[REC, REC, REC, REC]),
        container(&[
            r#"{"eventTime":"2024-01-01T00:00:00Z","eventName":"\u00e9\n","userIdentity":null,"tlsDetails":{"tlsVersion":["x"]}}"#,
            "7",
            r#""s""#,
        ]),
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut stopped = 0;
    for i in 0..6000 {
        let seed = seeds[i % seeds.len()].as_bytes();
        let input = mutate(&mut rng, seed);
        match compare(&input) {
            Ok(seen) => stopped += usize::from(seen.end == "stopped"),
            Err(diff) => panic!(
                "readers disagree on case {i} {:?}:\n{diff}",
                String::from_utf8_lossy(&input)
            ),
        }
    }
    // The mutations reach the error paths, not only clean inputs.
    assert!(stopped > 100, "{stopped}");
}
