//! "Did you mean …": the known names closest to a mistyped one, by edit distance
//! (case-insensitive), or containing it.

/// Up to three of `candidates` close to `needle`, closest first.
pub fn did_you_mean<'a>(
    needle: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    let n = needle.trim().to_ascii_lowercase();
    if n.is_empty() {
        return Vec::new();
    }
    let limit = (n.chars().count() / 4).max(2);
    let mut close: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|c| {
            let lc = c.to_ascii_lowercase();
            let d = strsim::levenshtein(&n, &lc);
            let contains = lc.contains(&n) || n.contains(&lc);
            (d <= limit || contains).then_some((if contains { d.min(limit) } else { d }, c))
        })
        .collect();
    close.sort_by_key(|&(d, c)| (d, c.len()));
    close.dedup_by_key(|(_, c)| *c);
    close.into_iter().take(3).map(|(_, c)| c).collect()
}

/// True for strings that look like a policy name rather than a host: `family/name`
/// (`mozilla/intermediate`), or the vendors' prefixes (`ELBSecurityPolicy…`, `ELBSample…`,
/// `TLSv1…`, `SecurityPolicy_…`, `CloudFront…`). Such a string is never scanned as a host.
pub fn looks_like_policy(s: &str) -> bool {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    (t.contains('/') && !t.contains("://") && !t.starts_with('/') && !t.starts_with('.'))
        || [
            "elbsecuritypolicy",
            "elbsample",
            "tlsv1",
            "securitypolicy_",
            "cloudfront",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// `"; did you mean a, b?"`, or empty.
pub fn hint<'a>(needle: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let close = did_you_mean(needle, candidates);
    if close.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", close.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_are_suggested_closest_first() {
        let names = [
            "mozilla/intermediate",
            "mozilla/modern",
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
            "java-7",
            "java-8",
        ];
        assert_eq!(
            did_you_mean("mozila/intermediate", names),
            vec!["mozilla/intermediate"]
        );
        assert_eq!(
            did_you_mean("ELBSecurityPolicy-TLS13-1-2-2021-6", names)[0],
            "ELBSecurityPolicy-TLS13-1-2-2021-06"
        );
        assert_eq!(did_you_mean("java7", names)[0], "java-7");
        assert!(did_you_mean("completely-different", names).is_empty());
        assert_eq!(hint("", names), "");
    }

    #[test]
    fn policy_looking_strings_are_recognised() {
        for p in [
            "mozilla/intermediate",
            "ELBSecurityPolicy-2016-08",
            "TLSv1.2_2021",
            "SecurityPolicy_TLS13_1_3_2025_09",
            "elbsample-openssldefaultcipherpolicy",
        ] {
            assert!(looks_like_policy(p), "{p}");
        }
        for h in [
            "example.com",
            "10.0.0.5:443",
            "https://lb.example/path",
            "[::1]:8443",
            "./corp.toml",
            "/etc/p.toml",
        ] {
            assert!(!looks_like_policy(h), "{h}");
        }
    }
}
