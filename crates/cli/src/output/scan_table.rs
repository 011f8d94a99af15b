//! The readable rendering of a scan report: per target, accepted versions (legacy ones
//! marked), suites per version, preference, groups, fallback SCSV and the certificate.

use super::{grades, table, Style};
use tlsfloor_scan::report::{
    CertificateSummary, FallbackScsv, Preference, ProtocolReport, ScanReport, Sslv2Report,
    TargetReport, VersionStatus,
};

fn ms(d: u64) -> String {
    if d < 1000 {
        format!("{d} ms")
    } else {
        format!("{:.1} s", d as f64 / 1000.0)
    }
}

fn protocol_line(p: &ProtocolReport, st: Style) -> Vec<String> {
    let name = p.version.name().to_string();
    let verdict = match p.status() {
        VersionStatus::Accepted if p.version.is_legacy() => st.red("accepted  LEGACY"),
        VersionStatus::Accepted => st.green("accepted"),
        VersionStatus::NotAccepted => match &p.refused_with {
            Some(how) => st.dim(&format!("not accepted ({how})")),
            None => st.dim("not accepted"),
        },
        VersionStatus::Unknown => st.yellow("UNKNOWN (not proven refused)"),
    };
    let note = match &p.error {
        Some(e) => st.yellow(&format!("({}: {})", code_name(e.code), e.message)),
        None => String::new(),
    };
    vec![name, verdict, note]
}

/// The SSLv2 row of the protocol table (and its cipher kinds when accepted).
fn sslv2_line(s: &Sslv2Report, st: Style) -> Vec<String> {
    let verdict = match s.status {
        VersionStatus::Accepted => st.red("accepted  LEGACY"),
        VersionStatus::NotAccepted => match &s.refused_with {
            Some(how) => st.dim(&format!("not accepted ({how})")),
            None => st.dim("not accepted"),
        },
        VersionStatus::Unknown => st.yellow("UNKNOWN (not proven refused)"),
    };
    let note = match (&s.error, s.status) {
        (Some(e), _) => st.yellow(&format!("({}: {})", code_name(e.code), e.message)),
        (None, VersionStatus::Accepted) => {
            let names: Vec<&str> = s.cipher_specs.iter().map(|c| c.name.as_str()).collect();
            st.red(&format!("cipher kinds: {}", names.join(", ")))
        }
        _ => String::new(),
    };
    vec!["SSLv2".into(), verdict, note]
}

/// The JSON spelling of an error code.
pub fn code_name(c: tlsfloor_scan::report::ErrorCode) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{c:?}"))
}

fn suites_block(p: &ProtocolReport, st: Style) -> String {
    let order = match p.preference {
        Preference::Server => "server preference order",
        Preference::Client => "server follows the client's order",
        Preference::Mixed => {
            "server order depends on the client's order (mixed); shown: what a modern client gets"
        }
        Preference::NotApplicable => "single suite",
    };
    let mut out = format!(
        "  {} {} {}\n",
        st.bold(p.version.name()),
        format_args!("{} suite(s),", p.suites.len()),
        order
    );
    let mut seen = Vec::new();
    let rows: Vec<Vec<String>> = p
        .suites
        .iter()
        .map(|s| {
            let marks = grades::suite_marks(s.code, s.group.as_deref());
            seen.extend(marks.iter().copied());
            vec![
                format!("0x{:04x}", s.code),
                s.iana.clone(),
                s.openssl.clone().unwrap_or_else(|| "-".into()),
                s.kx.clone(),
                s.bits.to_string(),
                s.group.clone().unwrap_or_default(),
                grades::cell(&marks, st),
            ]
        })
        .collect();
    out.push_str(&table(&rows, "    "));
    out.push_str(&grades::legend(&seen, st).replacen("  ", "    ", 1));
    if !p.groups.is_empty() {
        out.push_str(&format!("    groups: {}\n", p.groups.join(", ")));
    }
    out
}

fn cert_block(t: &TargetReport, st: Style) -> String {
    let mut out = String::new();
    for e in &t.certificate_errors {
        out.push_str(&format!("  {}\n", st.yellow(&format!("certificate: {e}"))));
    }
    let Some(leaf) = t.certificates.first() else {
        return out;
    };
    out.push_str(&format!("  {}\n", st.bold("Certificate")));
    let mut rows = vec![
        vec!["subject".to_string(), leaf.subject.clone()],
        vec!["issuer".to_string(), leaf.issuer.clone()],
    ];
    if !leaf.sans.is_empty() {
        rows.push(vec!["SANs".into(), leaf.sans.join(", ")]);
    }
    rows.push(vec![
        "key".into(),
        format!(
            "{} {} bits, signed {}",
            leaf.key_type, leaf.key_bits, leaf.signature_algorithm
        ),
    ]);
    rows.push(vec!["valid".into(), validity(leaf, st)]);
    let sig = leaf.signature_algorithm.to_ascii_lowercase();
    let marks: Vec<grades::Mark> = [
        (
            sig.contains("sha1") || sig.contains("md5"),
            grades::SHA1_CERT,
        ),
        (leaf.days_left < 0, grades::EXPIRED),
    ]
    .into_iter()
    .filter(|(hit, _)| *hit)
    .map(|(_, m)| m)
    .collect();
    if !marks.is_empty() {
        let why: Vec<String> = marks
            .iter()
            .map(|m| format!("{} ({})", grades::cell(&[*m], st), m.meaning))
            .collect();
        rows.push(vec!["weak".into(), why.join("; ")]);
    }
    rows.push(vec!["sha256".into(), leaf.sha256.clone()]);
    if let Some(m) = t.hostname_match {
        let name = t.sni.clone().unwrap_or_else(|| t.host.clone());
        let v = if m {
            st.green(&format!("matches {name}"))
        } else {
            st.red(&format!("does NOT match {name}"))
        };
        rows.push(vec!["hostname".into(), v]);
    }
    if t.chains.len() > 1 {
        let list: Vec<String> = t
            .chains
            .iter()
            .filter_map(|c| {
                c.certificates.first().map(|l| {
                    format!(
                        "{} suites: {} {} bits, {}",
                        c.auth, l.key_type, l.key_bits, l.subject
                    )
                })
            })
            .collect();
        rows.push(vec!["all chains".into(), list.join("; ")]);
    }
    if let Some(tr) = &t.trust {
        let v = if tr.trusted {
            st.green(&format!("trusted ({})", tr.store))
        } else {
            st.red(&format!(
                "UNTRUSTED: {} ({})",
                tr.problems.join("; "),
                tr.store
            ))
        };
        rows.push(vec!["trust".into(), v]);
    }
    if t.certificates.len() > 1 {
        rows.push(vec![
            "chain".into(),
            format!("{} certificate(s) sent", t.certificates.len()),
        ]);
    }
    out.push_str(&table(&rows, "    "));
    out
}

fn validity(c: &CertificateSummary, st: Style) -> String {
    let days = if c.days_left < 0 {
        st.red(&format!("EXPIRED {} day(s) ago", -c.days_left))
    } else if c.days_left < 30 {
        st.yellow(&format!("{} day(s) left", c.days_left))
    } else {
        format!("{} day(s) left", c.days_left)
    };
    format!("{} .. {} ({days})", c.not_before, c.not_after)
}

/// Pacing and intolerance notes, when the target needed any.
fn pacing_block(t: &TargetReport, st: Style) -> String {
    let mut out = String::new();
    if let Some(p) = t.pacing.as_ref().filter(|p| p.throttled) {
        out.push_str(&format!(
            "  {} {}\n",
            st.bold("Pacing:"),
            st.yellow(&format!(
                "slowed down: at most {} connection(s) at once, {} ms apart; {} retries after {} indeterminate answers ({} connections)",
                p.max_connections, p.interval_ms, p.retries, p.indeterminate, p.connections
            ))
        ));
    }
    for note in &t.intolerance {
        out.push_str(&format!(
            "  {} {}\n",
            st.bold("Intolerance:"),
            st.yellow(note)
        ));
    }
    out
}

/// Renders one target.
pub fn render_target(t: &TargetReport, st: Style) -> String {
    let mut out = String::new();
    let addr = t.address.clone().unwrap_or_else(|| "-".into());
    let sni = t.sni.clone().unwrap_or_else(|| "none".into());
    let upgrade = t
        .starttls
        .as_ref()
        .map(|p| format!(", STARTTLS {p}"))
        .unwrap_or_default();
    out.push_str(&format!(
        "{}  {}\n",
        st.bold(&t.target),
        st.dim(&format!(
            "address {addr}, SNI {sni}{upgrade}, scanned in {}",
            ms(t.duration_ms)
        ))
    ));
    if !t.other_addresses.is_empty() {
        out.push_str(&format!(
            "  {}\n",
            st.yellow(&format!(
                "{} also resolves to {} (not scanned: add --all-addresses)",
                t.host,
                t.other_addresses.join(", ")
            ))
        ));
    }
    if let Some(e) = &t.error {
        out.push_str(&format!(
            "  {} {}\n",
            st.red(&format!("error ({}):", code_name(e.code))),
            e.message
        ));
        return out;
    }
    let not_probed = t.sslv2.is_none()
        && t.protocols
            .iter()
            .any(|p| p.version == tlsfloor_wire::Version::Ssl30);
    let sslv2_row = match &t.sslv2 {
        Some(s) => Some(sslv2_line(s, st)),
        None if not_probed => Some(vec![
            "SSLv2".into(),
            st.yellow("not probed (--no-sslv2)"),
            String::new(),
        ]),
        None => None,
    };
    let rows: Vec<Vec<String>> = sslv2_row
        .into_iter()
        .chain(t.protocols.iter().map(|p| protocol_line(p, st)))
        .collect();
    out.push_str(&format!("  {}\n", st.bold("Protocols")));
    out.push_str(&table(&rows, "    "));
    for p in t.protocols.iter().filter(|p| p.accepted) {
        out.push_str(&suites_block(p, st));
    }
    let fb = match t.fallback_scsv {
        FallbackScsv::Supported => st.green("supported (downgrade protection)"),
        FallbackScsv::NotSupported if t.downgrade_sentinel == Some(true) => st.yellow(
            "NOT honoured at TLS 1.2 (TLS 1.3 clients are still protected: the TLS 1.2 \
             ServerHello carries the RFC 8446 downgrade sentinel)",
        ),
        FallbackScsv::NotSupported => st.yellow("NOT supported (no downgrade protection)"),
        FallbackScsv::NotApplicable => st.dim("not applicable (fewer than two versions)"),
        FallbackScsv::Unknown => st.yellow("UNKNOWN (no definitive answer)"),
    };
    out.push_str(&format!("  {} {fb}\n", st.bold("TLS_FALLBACK_SCSV:")));
    out.push_str(&cert_block(t, st));
    out.push_str(&pacing_block(t, st));
    let legacy = t.versions_with(VersionStatus::Accepted, true);
    let unproven = t.versions_with(VersionStatus::Unknown, true);
    if legacy.is_empty() && !unproven.is_empty() {
        out.push_str(&format!(
            "  {}\n",
            st.yellow(&format!(
                "INCOMPLETE: no definitive answer for {}: not proven refused.",
                unproven.join(", ")
            ))
        ));
    } else if legacy.is_empty() {
        out.push_str(&format!(
            "  {}\n",
            st.green(if t.sslv2.is_some() {
                "No legacy protocol accepted (SSLv2/SSLv3/TLS 1.0/TLS 1.1 all refused)."
            } else if not_probed {
                "No legacy protocol accepted (SSLv3/TLS 1.0/TLS 1.1 all refused; SSLv2 not probed)."
            } else {
                "No legacy protocol accepted (SSLv3/TLS 1.0/TLS 1.1 all refused)."
            })
        ));
    } else {
        out.push_str(&format!(
            "  {}\n",
            st.red(&format!(
                "Legacy protocol(s) accepted: {} (would fail a TLS 1.2 floor).",
                legacy.join(", ")
            ))
        ));
    }
    out
}

/// Renders the whole report, with a summary line.
pub fn render(report: &ScanReport, st: Style) -> String {
    let mut out = String::new();
    for t in &report.targets {
        out.push_str(&render_target(t, st));
        out.push('\n');
    }
    let failed: Vec<&TargetReport> = report
        .targets
        .iter()
        .filter(|t| t.error.is_some())
        .collect();
    let incomplete: Vec<&TargetReport> = report
        .targets
        .iter()
        .filter(|t| t.error.is_none() && !t.is_complete())
        .collect();
    let legacy = report
        .targets
        .iter()
        .filter(|t| {
            t.protocols
                .iter()
                .any(|p| p.accepted && p.version.is_legacy())
        })
        .count();
    out.push_str(&format!(
        "{} target(s) in {}: {} scanned, {} with legacy TLS, {} incomplete, {} failed\n",
        report.targets.len(),
        ms(report.duration_ms),
        report.targets.len() - failed.len(),
        legacy,
        incomplete.len(),
        failed.len()
    ));
    for t in incomplete {
        out.push_str(&format!(
            "  {} {}: {}\n",
            st.yellow("incomplete"),
            t.target,
            t.incomplete_reasons().join("; ")
        ));
    }
    for t in failed {
        if let Some(e) = &t.error {
            // Messages usually start with the address already; do not say it twice.
            let msg = match &t.address {
                Some(a) => e
                    .message
                    .strip_prefix(&format!("{a}: "))
                    .unwrap_or(&e.message),
                None => &e.message,
            };
            out.push_str(&format!(
                "  {} {} ({}): {msg}\n",
                st.red("failed"),
                t.target,
                code_name(e.code)
            ));
        }
    }
    out
}
