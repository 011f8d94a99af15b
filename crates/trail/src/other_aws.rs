//! Recognising the other AWS data that shares a bucket with CloudTrail logs, so that it is
//! reported as "not CloudTrail events" rather than as unreadable input: CloudTrail digests,
//! AWS Config history and snapshots, S3 server access logs, Elastic Load Balancing and
//! CloudFront access logs, VPC flow logs. Decided by content (the first line or first keys),
//! with the S3 key layout (`AWSLogs/<account>/<service>/…`) as a second witness.

use std::path::Path;

/// What `data` (the decompressed content of the file at `path`) is, when it is one of the
/// known kinds of other AWS data.
pub fn classify(path: &Path, data: &[u8]) -> Option<&'static str> {
    let head = &data[..data.len().min(4096)];
    let first = head
        .split(|&b| b == b'\n')
        .find(|l| !l.iter().all(u8::is_ascii_whitespace))
        .unwrap_or(&[]);
    let text = String::from_utf8_lossy(first);
    let head_text = String::from_utf8_lossy(head);
    let component = |name: &str| path.components().any(|c| c.as_os_str() == name);
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if head_text.contains("\"digestStartTime\"") && head_text.contains("\"digestEndTime\"") {
        return Some("CloudTrail digest");
    }
    if head_text.contains("\"configurationItems\"")
        || head_text.contains("\"configSnapshotId\"")
        || (component("Config") && file_name.contains("ConfigWritabilityCheckFile"))
    {
        return Some("AWS Config history or snapshot");
    }
    let tokens: Vec<&str> = text.split_ascii_whitespace().collect();
    if is_s3_access_log(&tokens) {
        return Some("S3 server access log");
    }
    if is_elb_access_log(&tokens) {
        return Some("Elastic Load Balancing access log");
    }
    if text.starts_with("#Version:") && head_text.contains("#Fields: date time x-edge-location") {
        return Some("CloudFront access log");
    }
    if tokens.starts_with(&["version", "account-id", "interface-id"])
        || (tokens.len() >= 3
            && tokens[0] == "2"
            && is_account(tokens[1])
            && tokens[2].starts_with("eni-"))
    {
        return Some("VPC flow log");
    }
    if component("CloudTrail-Insight") {
        return Some("CloudTrail Insights events");
    }
    None
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// `<64 hex owner> <bucket> [06/Feb/2019:00:00:38 +0000] <ip> …`
fn is_s3_access_log(t: &[&str]) -> bool {
    t.len() >= 4
        && t[0].len() == 64
        && t[0].bytes().all(|b| b.is_ascii_hexdigit())
        && t[2].starts_with('[')
        && t[2].len() == 21
}

/// ALB/NLB: `<type> <ISO time> <lb> …`; Classic: `<ISO time> <lb> <client:port> …`.
fn is_elb_access_log(t: &[&str]) -> bool {
    let iso = |s: &str| {
        s.len() >= 20 && s.as_bytes()[4] == b'-' && s.as_bytes()[10] == b'T' && s.ends_with('Z')
    };
    const TYPES: [&str; 7] = ["http", "https", "h2", "grpcs", "ws", "wss", "tls"];
    (t.len() >= 3 && TYPES.contains(&t[0]) && iso(t[1]))
        || (t.len() >= 3 && iso(t[0]) && t[2].contains(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_kinds_are_recognised_and_cloudtrail_is_not() {
        let p = Path::new("AWSLogs/111122223333/x/file");
        let cases: [(&str, Option<&str>); 7] = [
            (r#"{"awsAccountId":"1","digestStartTime":"a","digestEndTime":"b"}"#, Some("CloudTrail digest")),
            (r#"{"fileVersion":"1.0","configurationItems":[]}"#, Some("AWS Config history or snapshot")),
            ("79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /awsexamplebucket1?versioning HTTP/1.1\" 200 -", Some("S3 server access log")),
            ("https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57", Some("Elastic Load Balancing access log")),
            ("version account-id interface-id srcaddr dstaddr\n2 123456789010 eni-1235b8ca123456789 172.31.16.139", Some("VPC flow log")),
            ("#Version: 1.0\n#Fields: date time x-edge-location sc-bytes", Some("CloudFront access log")),
            (r#"{"Records":[{"eventVersion":"1.08"}]}"#, None),
        ];
        for (data, want) in cases {
            assert_eq!(classify(p, data.as_bytes()), want, "{data}");
        }
    }
}
