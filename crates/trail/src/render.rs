//! Rendering a [`TrailReport`]'s groups as CSV (the terminal table is the CLI's, on its
//! shared table renderer).

use crate::report::TrailReport;

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The groups as CSV (RFC 4180): one column per `--by` field (empty: absent), then
/// `calls,first_seen,last_seen`.
pub fn render_csv(r: &TrailReport) -> String {
    let mut o = String::new();
    let mut header: Vec<String> = r.query.by.clone();
    header.extend(["calls".into(), "first_seen".into(), "last_seen".into()]);
    o.push_str(&header.join(","));
    o.push_str("\r\n");
    for g in &r.groups {
        let mut row: Vec<String> = g
            .key
            .0
            .iter()
            .map(|(_, v)| csv_field(v.as_deref().unwrap_or("")))
            .collect();
        row.push(g.calls.to_string());
        row.push(g.first_seen.clone());
        row.push(g.last_seen.clone());
        o.push_str(&row.join(","));
        o.push_str("\r\n");
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted() {
        assert_eq!(csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
    }
}
