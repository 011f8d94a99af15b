//! Parsing scan targets: `HOST`, `HOST:PORT`, `[IPv6]:PORT`, bare IP literals, optional
//! `https://` prefix; and target list files (one per line, `#` comments, blank lines).

use std::net::{IpAddr, Ipv6Addr};
use tlsfloor_wire::starttls::Protocol;

/// A URL scheme: the upgrade it implies and its default port. `None` for schemes tlsfloor
/// does not know (read as direct TLS on port 443, as before).
fn scheme(name: &str) -> Option<(Option<Protocol>, u16)> {
    let name = name.to_ascii_lowercase();
    Some(match name.as_str() {
        "https" => (None, 443),
        "smtps" => (None, 465),
        "imaps" => (None, 993),
        "pop3s" => (None, 995),
        "ldaps" => (None, 636),
        "ftps" => (None, 990),
        "submission" => (Some(Protocol::Smtp), 587),
        other => {
            let p = Protocol::from_name(other)?;
            (Some(p), p.default_port())
        }
    })
}

/// Port used when a target names none.
pub const DEFAULT_PORT: u16 = 443;

/// One parsed scan target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The target as the user wrote it (trimmed).
    pub input: String,
    /// Host name or IP literal, without brackets.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Server name to send in SNI (none for IP literals unless overridden).
    pub sni: Option<String>,
    /// The in-band upgrade the URL scheme names (`smtp://`, `imap://`, …).
    pub starttls: Option<Protocol>,
    /// True when the target had a URL scheme, which then decides the upgrade (`https://`,
    /// `smtps://`, … are direct TLS whatever `--starttls` says).
    pub scheme_set: bool,
}

impl Target {
    /// True when `host` is an IP literal rather than a name.
    pub fn host_is_ip(&self) -> bool {
        self.host.parse::<IpAddr>().is_ok()
    }

    /// `host:port`, with brackets around IPv6 literals, suitable for name resolution.
    pub fn host_port(&self) -> String {
        if self.host.parse::<Ipv6Addr>().is_ok() {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Why a target string could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Nothing but whitespace.
    #[error("empty target")]
    Empty,
    /// The port is not a number in 1..=65535.
    #[error("invalid port {port:?} in target {input:?} (expected 1-65535)")]
    BadPort {
        /// The whole target.
        input: String,
        /// The port text.
        port: String,
    },
    /// A `[` without a matching `]`, or text after `]` that is not `:PORT`.
    #[error("invalid bracketed IPv6 target {0:?} (expected [ADDR] or [ADDR]:PORT)")]
    BadBracket(String),
    /// The host contains characters no host name or IP literal has.
    #[error("invalid host {host:?} in target {input:?}")]
    BadHost {
        /// The whole target.
        input: String,
        /// The host part.
        host: String,
    },
}

fn parse_port(input: &str, port: &str) -> Result<u16, TargetError> {
    match port.parse::<u16>() {
        Ok(p) if p != 0 => Ok(p),
        _ => Err(TargetError::BadPort {
            input: input.to_string(),
            port: port.to_string(),
        }),
    }
}

fn valid_hostname(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && !host.starts_with('.')
        && !host.contains("..")
}

/// Parses one target. `sni` overrides the server name sent (otherwise the host name, or no
/// SNI for IP literals).
pub fn parse_target(input: &str, sni: Option<&str>) -> Result<Target, TargetError> {
    let original = input.trim();
    if original.is_empty() {
        return Err(TargetError::Empty);
    }
    // Accept URLs people paste: strip a scheme (which may name an upgrade and a default
    // port) and anything after the authority.
    let mut s = original;
    let mut upgrade = None;
    let mut default_port = DEFAULT_PORT;
    let mut scheme_set = false;
    if let Some(pos) = s.find("://") {
        if let Some((p, port)) = scheme(&s[..pos]) {
            upgrade = p;
            default_port = port;
            scheme_set = true;
        }
        s = &s[pos + 3..];
    }
    if let Some(pos) = s.find('/') {
        s = &s[..pos];
    }
    if s.is_empty() {
        return Err(TargetError::Empty);
    }

    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let close = rest
            .find(']')
            .ok_or_else(|| TargetError::BadBracket(original.to_string()))?;
        let host = &rest[..close];
        let after = &rest[close + 1..];
        let port = if after.is_empty() {
            default_port
        } else if let Some(p) = after.strip_prefix(':') {
            parse_port(original, p)?
        } else {
            return Err(TargetError::BadBracket(original.to_string()));
        };
        if host.parse::<Ipv6Addr>().is_err() {
            return Err(TargetError::BadHost {
                input: original.to_string(),
                host: host.to_string(),
            });
        }
        (host.to_string(), port)
    } else if s.matches(':').count() > 1 {
        // A bare IPv6 literal: no port can be given without brackets.
        if s.parse::<Ipv6Addr>().is_err() {
            return Err(TargetError::BadHost {
                input: original.to_string(),
                host: s.to_string(),
            });
        }
        (s.to_string(), default_port)
    } else if let Some((h, p)) = s.split_once(':') {
        (h.to_string(), parse_port(original, p)?)
    } else {
        (s.to_string(), default_port)
    };

    let is_ip = host.parse::<IpAddr>().is_ok();
    if !is_ip && !valid_hostname(&host) {
        return Err(TargetError::BadHost {
            input: original.to_string(),
            host,
        });
    }
    // Host names are case-insensitive; a trailing dot (FQDN) is not sent in SNI.
    let host = if is_ip {
        host
    } else {
        host.trim_end_matches('.').to_ascii_lowercase()
    };
    let sni = match sni {
        Some(name) if !name.trim().is_empty() => Some(name.trim().to_string()),
        _ if is_ip => None,
        _ => Some(host.clone()),
    };
    Ok(Target {
        input: original.to_string(),
        host,
        port,
        sni,
        starttls: upgrade,
        scheme_set,
    })
}

/// One entry of a target list: the line number (1-based), the text, and the parse result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    /// 1-based line number in the file.
    pub line: usize,
    /// The target text on that line (comment removed, trimmed).
    pub text: String,
    /// The parsed target, or why it is invalid.
    pub parsed: Result<Target, TargetError>,
}

/// [`parse_target_list`] over raw file bytes: a UTF-8 byte order mark is skipped, and
/// bytes that are not UTF-8 cost only their line (in a comment, nothing; in a target, that
/// line becomes an invalid target naming the bad bytes).
pub fn parse_target_bytes(bytes: &[u8], sni: Option<&str>) -> Vec<ListEntry> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    parse_target_list(&String::from_utf8_lossy(bytes), sni)
}

/// Splits a target list (file contents) into entries: one target per line; `#` starts a
/// comment; blank lines are skipped. Invalid lines are returned as errors, not dropped.
pub fn parse_target_list(text: &str, sni: Option<&str>) -> Vec<ListEntry> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let line_text = match line.find('#') {
                Some(p) => &line[..p],
                None => line,
            }
            .trim();
            if line_text.is_empty() {
                return None;
            }
            Some(ListEntry {
                line: i + 1,
                text: line_text.to_string(),
                parsed: parse_target(line_text, sni),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Target {
        parse_target(s, None).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn url_schemes_name_the_upgrade_and_the_default_port() {
        for (url, proto, port) in [
            ("smtp://mx.example.com", Some(Protocol::Smtp), 25),
            ("submission://mx.example.com", Some(Protocol::Smtp), 587),
            ("imap://mail.example.com", Some(Protocol::Imap), 143),
            ("pop3://mail.example.com:1110", Some(Protocol::Pop3), 1110),
            ("ftp://ftp.example.com", Some(Protocol::Ftp), 21),
            ("ldap://dir.example.com", Some(Protocol::Ldap), 389),
            ("xmpp://chat.example.com", Some(Protocol::Xmpp), 5222),
            (
                "postgres://db.example.com/app",
                Some(Protocol::Postgres),
                5432,
            ),
            (
                "postgresql://db.example.com",
                Some(Protocol::Postgres),
                5432,
            ),
            ("mysql://db.example.com", Some(Protocol::Mysql), 3306),
            ("smtps://mx.example.com", None, 465),
            ("imaps://mail.example.com", None, 993),
            ("pop3s://mail.example.com", None, 995),
            ("ldaps://dir.example.com", None, 636),
            ("https://www.example.com", None, 443),
        ] {
            let target = t(url);
            assert_eq!((target.starttls, target.port), (proto, port), "{url}");
            assert!(target.scheme_set, "{url}");
        }
        let bare = t("mx.example.com:25");
        assert!(!bare.scheme_set && bare.starttls.is_none());
        // An unknown scheme is stripped as before: direct TLS on 443.
        let other = t("gopher://example.com");
        assert_eq!(
            (other.starttls, other.port, other.scheme_set),
            (None, 443, false)
        );
    }

    #[test]
    fn list_bytes_skip_a_bom_and_survive_bad_bytes() {
        let bytes = b"\xef\xbb\xbfa.example\n# caf\xe9 comment\nb.example # \xff\nbad\xffhost\n";
        let entries = parse_target_bytes(bytes, None);
        let lines: Vec<(usize, bool)> =
            entries.iter().map(|e| (e.line, e.parsed.is_ok())).collect();
        assert_eq!(lines, vec![(1, true), (3, true), (4, false)]);
        assert_eq!(entries[0].parsed.as_ref().unwrap().host, "a.example");
    }

    #[test]
    fn host_with_and_without_port() {
        let a = t("example.com");
        assert_eq!((a.host.as_str(), a.port), ("example.com", 443));
        assert_eq!(a.sni.as_deref(), Some("example.com"));
        let b = t("Example.COM:8443");
        assert_eq!((b.host.as_str(), b.port), ("example.com", 8443));
        assert_eq!(b.input, "Example.COM:8443");
        assert_eq!(b.host_port(), "example.com:8443");
    }

    #[test]
    fn ip_literals_get_no_sni() {
        let a = t("127.0.0.1:4433");
        assert_eq!(
            (a.host.as_str(), a.port, a.sni.clone()),
            ("127.0.0.1", 4433, None)
        );
        assert!(a.host_is_ip());
        let b = t("[::1]:8443");
        assert_eq!(
            (b.host.as_str(), b.port, b.sni.clone()),
            ("::1", 8443, None)
        );
        assert_eq!(b.host_port(), "[::1]:8443");
        let c = t("2001:db8::1");
        assert_eq!((c.host.as_str(), c.port), ("2001:db8::1", 443));
        let d = t("[fe80::1]");
        assert_eq!((d.host.as_str(), d.port), ("fe80::1", 443));
    }

    #[test]
    fn sni_override_applies_to_ips_too() {
        let a = parse_target("127.0.0.1", Some("www.example.org")).unwrap();
        assert_eq!(a.sni.as_deref(), Some("www.example.org"));
    }

    #[test]
    fn urls_are_accepted() {
        let a = t("https://example.com:8443/path?q=1");
        assert_eq!((a.host.as_str(), a.port), ("example.com", 8443));
        let b = t("https://[::1]/");
        assert_eq!((b.host.as_str(), b.port), ("::1", 443));
    }

    #[test]
    fn bad_targets_are_errors() {
        assert_eq!(parse_target("  ", None), Err(TargetError::Empty));
        assert!(matches!(
            parse_target("host:0", None),
            Err(TargetError::BadPort { .. })
        ));
        assert!(matches!(
            parse_target("host:99999", None),
            Err(TargetError::BadPort { .. })
        ));
        assert!(matches!(
            parse_target("host:https", None),
            Err(TargetError::BadPort { .. })
        ));
        assert!(matches!(
            parse_target("[::1", None),
            Err(TargetError::BadBracket(_))
        ));
        assert!(matches!(
            parse_target("[::1]x", None),
            Err(TargetError::BadBracket(_))
        ));
        assert!(matches!(
            parse_target("[nothost]:1", None),
            Err(TargetError::BadHost { .. })
        ));
        assert!(matches!(
            parse_target("bad host", None),
            Err(TargetError::BadHost { .. })
        ));
        assert!(matches!(
            parse_target("a:b:c", None),
            Err(TargetError::BadHost { .. })
        ));
    }

    #[test]
    fn list_skips_comments_and_blanks_and_keeps_errors() {
        let text = "# servers\n\nexample.com  # main\n  127.0.0.1:8443\nbad host\n[::1]:1\n";
        let entries = parse_target_list(text, None);
        let lines: Vec<usize> = entries.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6]);
        assert_eq!(entries[0].text, "example.com");
        assert!(entries[0].parsed.is_ok());
        assert_eq!(entries[1].parsed.as_ref().map(|t| t.port), Ok(8443));
        assert!(entries[2].parsed.is_err());
        assert_eq!(
            entries[3].parsed.as_ref().map(|t| t.host.clone()),
            Ok("::1".to_string())
        );
    }
}
