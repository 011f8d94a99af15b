//! The fleet report's data: what the saved JSON documents say, shaped for the HTML template
//! (`report.html`), with the chart geometry computed here so the template only draws.
//!
//! Inputs are recognised by their `schema`: scan reports (`tlsfloor.scan/v1`, the newest is
//! the fleet view, all of them make the trend), `tlsfloor.trail/v1`, `tlsfloor.check-client/v1`
//! and `tlsfloor.diagnose/v1`. Anything else is listed as not used, with the reason.

use serde::Serialize;
use tlsfloor_policy::{evaluate, identify, Policy};
use tlsfloor_scan::report::{ScanReport, TargetReport, VersionStatus};
use tlsfloor_wire::Version;

/// Everything the template shows.
#[derive(Debug, Default, Serialize)]
pub struct ReportModel {
    /// When the report was made (RFC 3339).
    pub generated_at: String,
    /// Each input file and what was done with it.
    pub inputs: Vec<InputRow>,
    /// The newest scan: endpoints and charts; `None` without a scan input.
    pub fleet: Option<Fleet>,
    /// Legacy endpoints per scan, oldest first (two scans or more).
    pub trend: Option<LineChart>,
    /// CloudTrail audits.
    pub trails: Vec<TrailView>,
    /// check-client runs: (command, verdict).
    pub clients: Vec<[String; 2]>,
    /// diagnose results: (client, server, result, detail).
    pub diagnoses: Vec<[String; 4]>,
}

/// One input file.
#[derive(Debug, Serialize)]
pub struct InputRow {
    /// The path as given.
    pub path: String,
    /// `scan`, `trail`, `check-client`, `diagnose`, or `not used`.
    pub kind: String,
    /// What it holds, or why it was not used.
    pub note: String,
}

/// The newest scan as a fleet view.
#[derive(Debug, Serialize)]
pub struct Fleet {
    /// The scan's start time.
    pub started_at: String,
    /// One row per endpoint.
    pub endpoints: Vec<Endpoint>,
    /// Endpoints accepting each version.
    pub versions: BarChart,
    /// Counts by TLS 1.2 floor verdict: pass, fail, incomplete, unreachable.
    pub floor: [usize; 4],
}

/// One endpoint's row.
#[derive(Debug, Serialize)]
pub struct Endpoint {
    /// The target as written.
    pub target: String,
    /// `PASS`, `FAIL`, `INCOMPLETE` or `UNREACHABLE` against a TLS 1.2 floor.
    pub floor: String,
    /// Why (violations, unknown versions, the error).
    pub why: String,
    /// Accepted versions, e.g. `TLSv1.0 TLSv1.2`.
    pub versions: String,
    /// The built-in policies it matches exactly, else the closest one (with `~`).
    pub policy: String,
    /// Leaf certificate expiry date, or empty.
    pub not_after: String,
    /// Days until the leaf expires (negative: expired); `None` without a certificate.
    pub days_left: Option<i64>,
}

/// A bar chart, ready to draw.
#[derive(Debug, Serialize)]
pub struct BarChart {
    /// Drawing width and height.
    pub width: u32,
    /// Drawing height.
    pub height: u32,
    /// The bars.
    pub bars: Vec<Bar>,
}

/// One bar.
#[derive(Debug, Serialize)]
pub struct Bar {
    /// Label under the bar.
    pub label: String,
    /// The value drawn.
    pub value: u64,
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
    /// True for a legacy version (drawn in the warning colour).
    pub legacy: bool,
}

/// A line chart, ready to draw.
#[derive(Debug, Serialize)]
pub struct LineChart {
    /// Drawing width.
    pub width: u32,
    /// Drawing height.
    pub height: u32,
    /// `x,y x,y …` for an SVG polyline.
    pub points: String,
    /// The points with their labels and values (markers and tooltips).
    pub marks: Vec<Mark>,
    /// The largest value (axis label).
    pub max: u64,
}

/// One point of a line chart.
#[derive(Debug, Serialize)]
pub struct Mark {
    /// X position.
    pub x: u32,
    /// Y position.
    pub y: u32,
    /// The label (a day, a scan time).
    pub label: String,
    /// The value.
    pub value: u64,
}

/// One CloudTrail audit.
#[derive(Debug, Serialize)]
pub struct TrailView {
    /// The input file.
    pub path: String,
    /// Records read and legacy calls.
    pub summary: String,
    /// Legacy calls per day.
    pub per_day: Option<LineChart>,
    /// Legacy calls per service.
    pub per_service: BarChart,
}

const CHART_W: u32 = 640;
const CHART_H: u32 = 220;
/// Room for labels: left, right, top, bottom.
const PAD: [u32; 4] = [40, 10, 20, 40];

/// Bars for `(label, value, legacy)`, scaled to the chart.
pub fn bar_chart(items: &[(String, u64, bool)]) -> BarChart {
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1);
    let inner_w = CHART_W - PAD[0] - PAD[1];
    let inner_h = CHART_H - PAD[2] - PAD[3];
    let slot = inner_w / (items.len().max(1) as u32);
    let bars = items
        .iter()
        .enumerate()
        .map(|(i, (label, value, legacy))| {
            let h = ((*value as f64 / max as f64) * f64::from(inner_h)).round() as u32;
            Bar {
                label: label.clone(),
                value: *value,
                x: PAD[0] + slot * i as u32 + slot / 8,
                y: PAD[2] + inner_h - h,
                w: (slot * 3 / 4).max(1),
                h,
                legacy: *legacy,
            }
        })
        .collect();
    BarChart {
        width: CHART_W,
        height: CHART_H,
        bars,
    }
}

/// A line through `(label, value)` points, scaled to the chart; `None` for fewer than two.
pub fn line_chart(points: &[(String, u64)]) -> Option<LineChart> {
    if points.len() < 2 {
        return None;
    }
    let max = points.iter().map(|p| p.1).max().unwrap_or(0).max(1);
    let inner_w = CHART_W - PAD[0] - PAD[1];
    let inner_h = CHART_H - PAD[2] - PAD[3];
    let step = f64::from(inner_w) / (points.len() - 1) as f64;
    let marks: Vec<Mark> = points
        .iter()
        .enumerate()
        .map(|(i, (label, value))| Mark {
            x: PAD[0] + (step * i as f64).round() as u32,
            y: PAD[2] + inner_h
                - ((*value as f64 / max as f64) * f64::from(inner_h)).round() as u32,
            label: label.clone(),
            value: *value,
        })
        .collect();
    let line: Vec<String> = marks.iter().map(|m| format!("{},{}", m.x, m.y)).collect();
    Some(LineChart {
        width: CHART_W,
        height: CHART_H,
        points: line.join(" "),
        marks,
        max,
    })
}

/// The versions a chart counts, oldest first.
const VERSIONS: [(&str, Option<Version>); 6] = [
    ("SSLv2", None),
    ("SSLv3", Some(Version::Ssl30)),
    ("TLSv1.0", Some(Version::Tls10)),
    ("TLSv1.1", Some(Version::Tls11)),
    ("TLSv1.2", Some(Version::Tls12)),
    ("TLSv1.3", Some(Version::Tls13)),
];

fn accepts(t: &TargetReport, v: Option<Version>) -> bool {
    match v {
        None => t
            .sslv2
            .as_ref()
            .is_some_and(|s| s.status == VersionStatus::Accepted),
        Some(v) => t.protocols.iter().any(|p| p.version == v && p.accepted),
    }
}

/// The fleet view of one scan, judged against a TLS 1.2 floor and matched to `policies`.
pub fn fleet(scan: &ScanReport, policies: &[Policy]) -> Fleet {
    let floor_policy = Policy::min_version(Version::Tls12);
    let mut floor = [0usize; 4];
    let endpoints = scan
        .targets
        .iter()
        .map(|t| {
            let tv = evaluate(t, &[&floor_policy], false);
            let label = tv.verdict.label().to_string();
            let slot = ["PASS", "FAIL", "INCOMPLETE", "UNREACHABLE"]
                .iter()
                .position(|l| *l == label)
                .unwrap_or(3);
            floor[slot] += 1;
            let mut why: Vec<String> = tv.violations.iter().map(|v| v.message.clone()).collect();
            why.extend(tv.reason.clone());
            let id = identify(t, policies, 1);
            let policy = if id.exact.is_empty() {
                id.closest
                    .first()
                    .map(|m| format!("~ {} ({} differences)", m.policy, m.distance))
                    .unwrap_or_default()
            } else {
                let names: Vec<&str> = id.exact.iter().map(|m| m.policy.as_str()).collect();
                names.join(", ")
            };
            let leaf = t.certificates.first();
            Endpoint {
                target: t.target.clone(),
                floor: label,
                why: why.join("; "),
                versions: VERSIONS
                    .iter()
                    .filter(|(_, v)| accepts(t, *v))
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(" "),
                policy,
                not_after: leaf.map(|c| c.not_after.clone()).unwrap_or_default(),
                days_left: leaf.map(|c| c.days_left),
            }
        })
        .collect();
    let counts: Vec<(String, u64, bool)> = VERSIONS
        .iter()
        .map(|(name, v)| {
            let n = scan.targets.iter().filter(|t| accepts(t, *v)).count() as u64;
            (name.to_string(), n, v.is_none_or(|v| v < Version::Tls12))
        })
        .collect();
    Fleet {
        started_at: scan.started_at.clone(),
        endpoints,
        versions: bar_chart(&counts),
        floor,
    }
}

/// Endpoints accepting a version below TLS 1.2 in `scan`.
pub fn legacy_endpoints(scan: &ScanReport) -> u64 {
    scan.targets
        .iter()
        .filter(|t| VERSIONS[..4].iter().any(|(_, v)| accepts(t, *v)))
        .count() as u64
}

/// The view of one `tlsfloor.trail/v1` document.
pub fn trail_view(path: &str, doc: &serde_json::Value) -> TrailView {
    let n = |v: &serde_json::Value| v.as_u64().unwrap_or(0);
    let days: Vec<(String, u64)> = doc["per_day"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| (d["day"].as_str().unwrap_or("?").to_string(), n(&d["calls"])))
        .collect();
    let services: Vec<(String, u64, bool)> = doc["services"]
        .as_array()
        .into_iter()
        .flatten()
        .take(12)
        .map(|s| {
            let name = s["event_source"].as_str().unwrap_or("?");
            let short = name.trim_end_matches(".amazonaws.com").to_string();
            (short, n(&s["legacy_calls"]), true)
        })
        .collect();
    TrailView {
        path: path.to_string(),
        summary: format!(
            "{} records read, {} legacy calls, {} files ({} skipped)",
            n(&doc["records"]["read"]),
            n(&doc["records"]["legacy"]),
            n(&doc["files"]["total"]),
            n(&doc["files"]["skipped"])
        ),
        per_day: line_chart(&days),
        per_service: bar_chart(&services),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_stay_inside_the_chart() {
        let c = bar_chart(&[
            ("a".into(), 4, true),
            ("b".into(), 2, false),
            ("c".into(), 0, false),
        ]);
        assert_eq!(c.bars[0].h, CHART_H - PAD[2] - PAD[3]);
        assert_eq!(c.bars[1].h * 2, c.bars[0].h);
        assert_eq!(c.bars[2].h, 0);
        for b in &c.bars {
            assert!(
                b.x + b.w <= CHART_W && b.y + b.h <= CHART_H - PAD[3],
                "{b:?}"
            );
        }
    }

    #[test]
    fn a_line_needs_two_points() {
        assert!(line_chart(&[("d".into(), 1)]).is_none());
        let l = line_chart(&[("d1".into(), 0), ("d2".into(), 5)]).unwrap();
        assert_eq!(l.marks[0].x, PAD[0]);
        assert_eq!(l.marks[1].y, PAD[2]);
        assert_eq!(l.points.split(' ').count(), 2);
    }
}
