//! Shared terminal output helpers: colour (only on a TTY, honouring `NO_COLOR`), aligned
//! tables, and the scan report renderer.

pub mod check_csv;
pub mod grades;
pub mod markdown;
pub mod report_model;
pub mod scan_csv;
pub mod scan_table;
pub mod trail_text;

use std::io::IsTerminal;
use std::sync::OnceLock;

/// `--color`: when the terminal output is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when standard output is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always colour (e.g. for a pager that understands ANSI escapes).
    Always,
    /// Never colour.
    Never,
}

static COLOR: OnceLock<ColorChoice> = OnceLock::new();

/// Sets the `--color` choice for the whole run (first call wins).
pub fn set_color(choice: ColorChoice) {
    let _ = COLOR.set(choice);
}

/// Whether to colour standard output: `--color always`, or `auto` (the default) on a terminal
/// without `NO_COLOR` set.
pub fn stdout_color() -> bool {
    match COLOR.get().copied().unwrap_or_default() {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    }
}

/// The style for standard output under the `--color` choice.
pub fn stdout_style() -> Style {
    Style {
        color: stdout_color(),
    }
}

/// ANSI styling that turns itself off when colour is disabled.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Whether escape codes are emitted.
    pub color: bool,
}

impl Style {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    /// Bold text.
    pub fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    /// Red text (problems).
    pub fn red(&self, s: &str) -> String {
        self.wrap("31", s)
    }
    /// Green text (good).
    pub fn green(&self, s: &str) -> String {
        self.wrap("32", s)
    }
    /// Yellow text (warnings).
    pub fn yellow(&self, s: &str) -> String {
        self.wrap("33", s)
    }
    /// Dim text (details).
    pub fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
}

/// Renders rows as left-aligned columns separated by two spaces, each line prefixed by
/// `indent`. Cells may contain ANSI escapes: widths are computed on the visible text.
pub fn table(rows: &[Vec<String>], indent: &str) -> String {
    render_table(rows, indent, usize::MAX)
}

/// The one table renderer of every command: `header` then `rows`, columns two spaces apart,
/// columns from `right_from` on right-aligned (counts), `usize::MAX` for none.
pub fn table_with_header(header: &[&str], rows: &[Vec<String>], right_from: usize) -> String {
    let mut all = Vec::with_capacity(rows.len() + 1);
    all.push(header.iter().map(|h| h.to_string()).collect());
    all.extend(rows.iter().cloned());
    render_table(&all, "", right_from)
}

fn render_table(rows: &[Vec<String>], indent: &str, right_from: usize) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(visible_len(c));
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::from(indent);
        for (i, c) in r.iter().enumerate() {
            let pad = " ".repeat(widths[i] - visible_len(c));
            if i >= right_from {
                line.push_str(&pad);
                line.push_str(c);
            } else {
                line.push_str(c);
                if i + 1 < r.len() {
                    line.push_str(&pad);
                }
            }
            if i + 1 < r.len() {
                line.push_str("  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Length of `s` without ANSI escape sequences.
pub fn visible_len(s: &str) -> usize {
    let mut n = 0;
    let mut in_esc = false;
    for ch in s.chars() {
        if in_esc {
            if ch == 'm' {
                in_esc = false;
            }
        } else if ch == '\x1b' {
            in_esc = true;
        } else {
            n += 1;
        }
    }
    n
}

/// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One CSV record of at most `width` fields, CRLF-terminated (the one CSV writer of the CLI).
pub fn csv_line(cells: &[String], width: usize) -> String {
    let l: Vec<String> = cells.iter().take(width).map(|c| csv_field(c)).collect();
    l.join(",") + "\r\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_visible_text() {
        let s = Style { color: true };
        let rows = vec![
            vec!["a".to_string(), s.red("xx"), "z".into()],
            vec!["bbb".to_string(), "y".into(), "z".into()],
        ];
        let out = table(&rows, "  ");
        let plain: Vec<String> = out
            .lines()
            .map(|l| l.replace("\x1b[31m", "").replace("\x1b[0m", ""))
            .collect();
        assert_eq!(plain, vec!["  a    xx  z", "  bbb  y   z"]);
        assert_eq!(visible_len(&s.bold("abc")), 3);
    }
}
