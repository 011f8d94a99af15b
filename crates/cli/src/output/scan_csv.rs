//! A scan report as CSV (RFC 4180): one row per target × version × accepted suite, and one
//! row (suite columns empty) for a version without suites or a target that failed.

use tlsfloor_scan::report::{ScanReport, TargetReport, VersionStatus};

/// The header row.
pub const HEADER: [&str; 13] = [
    "target",
    "address",
    "starttls",
    "version",
    "status",
    "legacy",
    "suite_code",
    "suite_iana",
    "suite_openssl",
    "kx",
    "bits",
    "group",
    "error",
];

fn line(cells: &[String]) -> String {
    super::csv_line(cells, HEADER.len())
}

fn status(s: VersionStatus) -> &'static str {
    match s {
        VersionStatus::Accepted => "accepted",
        VersionStatus::NotAccepted => "not_accepted",
        VersionStatus::Unknown => "unknown",
    }
}

fn target_rows(t: &TargetReport, out: &mut String) {
    let base = |version: &str, st: &str, legacy: bool| -> Vec<String> {
        vec![
            t.target.clone(),
            t.address.clone().unwrap_or_default(),
            t.starttls.clone().unwrap_or_default(),
            version.to_string(),
            st.to_string(),
            legacy.to_string(),
        ]
    };
    if let Some(e) = &t.error {
        let mut row = base("", "error", false);
        row.extend(std::iter::repeat_n(String::new(), 6));
        row.push(e.message.clone());
        out.push_str(&line(&row));
        return;
    }
    if let Some(s) = &t.sslv2 {
        let mut row = base("SSLv2", status(s.status), true);
        let names: Vec<&str> = s.cipher_specs.iter().map(|c| c.name.as_str()).collect();
        row.extend([
            String::new(),
            names.join(" "),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
        row.push(
            s.error
                .as_ref()
                .map(|e| e.message.clone())
                .unwrap_or_default(),
        );
        out.push_str(&line(&row));
    }
    for p in &t.protocols {
        let head = base(p.version.name(), status(p.status()), p.version.is_legacy());
        let err = p
            .error
            .as_ref()
            .map(|e| e.message.clone())
            .unwrap_or_default();
        if p.suites.is_empty() {
            let mut row = head;
            row.extend(std::iter::repeat_n(String::new(), 6));
            row.push(err);
            out.push_str(&line(&row));
            continue;
        }
        for s in &p.suites {
            let mut row = head.clone();
            row.extend([
                format!("{:#06x}", s.code),
                s.iana.clone(),
                s.openssl.clone().unwrap_or_default(),
                s.kx.clone(),
                s.bits.to_string(),
                s.group.clone().unwrap_or_default(),
                err.clone(),
            ]);
            out.push_str(&line(&row));
        }
    }
}

/// The whole report as CSV, header first.
pub fn render(report: &ScanReport) -> String {
    let mut out = line(&HEADER.map(str::to_string));
    for t in &report.targets {
        target_rows(t, &mut out);
    }
    out
}
