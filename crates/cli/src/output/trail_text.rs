//! The terminal rendering of a trail audit ([`TrailReport`]), on the shared table renderer.

use crate::output::table_with_header;
use std::fmt::Write as _;
use tlsfloor_trail::report::{ProblemKind, TrailReport};

/// [`table_with_header`] for owned header cells, numbers right-aligned from `numeric_from`.
fn header_table(header: &[String], rows: &[Vec<String>], numeric_from: usize) -> String {
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    table_with_header(&h, rows, numeric_from)
}

/// Longest cell shown in the terminal table; longer values are cut with `…`.
const MAX_CELL: usize = 64;

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

fn cut(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() <= MAX_CELL {
        clean
    } else {
        let mut t: String = clean.chars().take(MAX_CELL - 1).collect();
        t.push('…');
        t
    }
}

/// The human-readable report.
pub fn render_text(r: &TrailReport) -> String {
    let mut o = String::new();
    let secs = r.duration_ms as f64 / 1000.0;
    let _ = writeln!(
        o,
        "tlsfloor trail: {} files, {} records, {} of JSON in {:.2} s ({:.0} MB/s)",
        thousands(r.files.total),
        thousands(r.records.read),
        human_bytes(r.files.bytes_json),
        secs,
        if secs > 0.0 {
            r.files.bytes_json as f64 / 1e6 / secs
        } else {
            0.0
        }
    );
    let legacy_desc = match &r.query.tls_below {
        Some(f) => format!("below {f} ({})", r.query.legacy_versions.join(", ")),
        None => r.query.legacy_versions.join(", "),
    };
    let mut scope = Vec::new();
    if let Some(s) = &r.query.since {
        scope.push(format!("since {s}"));
    }
    if let Some(u) = &r.query.until {
        scope.push(format!("until {u}"));
    }
    for (name, list) in [
        ("account", &r.query.accounts),
        ("region", &r.query.regions),
        ("event source", &r.query.event_sources),
    ] {
        if !list.is_empty() {
            scope.push(format!("{name} {}", list.join(",")));
        }
    }
    let _ = writeln!(
        o,
        "Scope: {}. Legacy: {legacy_desc}.",
        if scope.is_empty() {
            "all records".to_string()
        } else {
            scope.join(", ")
        }
    );
    let _ = writeln!(
        o,
        "Records: {} in scope, {} out of scope, {} invalid (skipped).",
        thousands(r.records.in_scope),
        thousands(r.records.out_of_scope),
        thousands(r.records.invalid)
    );
    if r.files.not_events > 0 || r.records.not_events > 0 {
        let kinds: Vec<String> = r
            .other_files
            .iter()
            .map(|f| format!("{} {}", f.files, f.kind))
            .collect();
        let _ = writeln!(
            o,
            "Not CloudTrail events (not counted, not a problem): {} files{}{}.",
            r.files.not_events,
            if kinds.is_empty() {
                String::new()
            } else {
                format!(" ({})", kinds.join(", "))
            },
            if r.records.not_events > 0 {
                format!(
                    ", {} events that are not API calls",
                    thousands(r.records.not_events)
                )
            } else {
                String::new()
            }
        );
    }
    o.push('\n');
    render_services(r, &mut o);

    let mut rows: Vec<Vec<String>> = Vec::new();
    let pct = |n: u64| {
        if r.records.in_scope == 0 {
            "-".to_string()
        } else {
            format!("{:.2}%", n as f64 * 100.0 / r.records.in_scope as f64)
        }
    };
    for v in &r.tls_versions {
        let mut name = v.tls_version.clone();
        if v.legacy {
            name.push_str(" (legacy)");
        }
        if !v.recognised {
            name.push_str(" (unrecognised)");
        }
        rows.push(vec![name, thousands(v.calls), pct(v.calls)]);
    }
    rows.push(vec![
        "no tlsDetails".into(),
        thousands(r.records.without_tls_details),
        pct(r.records.without_tls_details),
    ]);
    if r.records.tls_details_without_version > 0 {
        rows.push(vec![
            "tlsDetails without tlsVersion".into(),
            thousands(r.records.tls_details_without_version),
            pct(r.records.tls_details_without_version),
        ]);
    }
    o.push_str(&header_table(
        &["TLS VERSION".into(), "CALLS".into(), "SHARE".into()],
        &rows,
        1,
    ));
    o.push('\n');

    if r.groups.is_empty() {
        let _ = writeln!(o, "No legacy calls in scope.");
    } else {
        let _ = writeln!(
            o,
            "Legacy callers: {} of {} groups, by {}",
            r.groups.len(),
            thousands(r.groups_total),
            r.query.by.join(", ")
        );
        let mut header: Vec<String> = r.query.by.iter().map(|c| c.to_uppercase()).collect();
        let n = header.len();
        header.extend(["CALLS".into(), "FIRST SEEN".into(), "LAST SEEN".into()]);
        let rows: Vec<Vec<String>> = r
            .groups
            .iter()
            .map(|g| {
                let mut row: Vec<String> = g
                    .key
                    .0
                    .iter()
                    .map(|(_, v)| v.as_deref().map(cut).unwrap_or_else(|| "-".into()))
                    .collect();
                row.push(thousands(g.calls));
                row.push(g.first_seen.clone());
                row.push(g.last_seen.clone());
                row
            })
            .collect();
        // Only CALLS is right-aligned; the dates after it have equal widths anyway.
        o.push_str(&header_table(&header, &rows, n));
        o.push('\n');
        let _ = writeln!(o, "Legacy calls per day (UTC)");
        let rows: Vec<Vec<String>> = r
            .per_day
            .iter()
            .map(|d| vec![d.day.clone(), thousands(d.calls)])
            .collect();
        o.push_str(&header_table(&["DAY".into(), "CALLS".into()], &rows, 1));
    }

    if !r.problems.is_empty() {
        o.push('\n');
        let _ = writeln!(o, "Input problems ({} files):", r.problems.len());
        for p in &r.problems {
            let kind = match p.kind {
                ProblemKind::Skipped => "skipped",
                ProblemKind::Partial => "partial",
                ProblemKind::InvalidRecords => "invalid records",
            };
            let _ = writeln!(o, "  {kind}: {}: {}", p.path, p.reason);
        }
    }
    o.push('\n');
    let legacy = if r.verdict.legacy_found {
        format!("{} legacy calls found", thousands(r.records.legacy))
    } else {
        "no legacy calls found".to_string()
    };
    let skipped = if r.verdict.input_skipped {
        format!(
            "; some input was skipped ({} files skipped, {} partial, {} with invalid records)",
            r.files.skipped, r.files.partial, r.files.with_invalid_records
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        o,
        "Result: {legacy}{skipped} (exit {}).",
        r.verdict.exit_code
    );
    o
}

/// The first answer: legacy calls per service, with each legacy version and the share of
/// that service's calls.
fn render_services(r: &TrailReport, o: &mut String) {
    if r.services.is_empty() {
        return;
    }
    let _ = writeln!(o, "Legacy calls per service");
    let mut header = vec!["SERVICE".to_string()];
    header.extend(r.query.legacy_versions.iter().map(|v| v.to_uppercase()));
    header.extend(["LEGACY".into(), "ALL CALLS".into(), "SHARE".into()]);
    let rows: Vec<Vec<String>> = r
        .services
        .iter()
        .map(|s| {
            let mut row = vec![cut(&s.event_source)];
            for v in &r.query.legacy_versions {
                row.push(thousands(s.by_version.get(v).copied().unwrap_or(0)));
            }
            row.push(thousands(s.legacy_calls));
            row.push(thousands(s.calls));
            row.push(format!("{:.2}%", s.legacy_percent));
            row
        })
        .collect();
    o.push_str(&header_table(&header, &rows, 1));
    o.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_cells() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(human_bytes(2048), "2.0 KiB");
        assert_eq!(cut(&"x".repeat(100)).chars().count(), MAX_CELL);
    }

    #[test]
    fn counts_are_right_aligned() {
        let t = header_table(
            &["KEY".into(), "CALLS".into()],
            &[
                vec!["a".into(), "5".into()],
                vec!["bb".into(), "1,234".into()],
            ],
            1,
        );
        assert_eq!(t, "KEY  CALLS\na        5\nbb   1,234\n");
    }
}
