//! `tlsfloor report`: one self-contained HTML page from real saved documents (two scans of the
//! demo's local servers, a trail audit of the fixtures, a diagnosis, one unusable file),
//! checked as text and rendered by headless Chromium: the picture is not blank and the page
//! logs no console error.

mod common;

use common::run;
use std::path::Path;
use std::process::Command;

fn save(dir: &Path, name: &str, args: &[&str]) -> String {
    let (code, out, err) = run(args);
    assert!(code <= 3, "{args:?}: {code} {err}");
    let path = dir.join(name);
    std::fs::write(&path, out).unwrap();
    path.display().to_string()
}

/// Chromium's screenshot of `page` and what it logged; `None` when Chromium is missing.
fn chromium(page: &Path, png: &Path) -> Option<String> {
    tlsfloor_testkit::require("chromium", "chromium");
    let out = Command::new("timeout")
        .args([
            "120",
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
        ])
        .args([
            "--hide-scrollbars",
            "--window-size=1200,1400",
            "--enable-logging=stderr",
        ])
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Console errors Chromium logged for the page (lines naming the console).
fn console_errors(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .collect()
}

/// (distinct colours, share of non-white pixels) of a PNG.
fn picture_stats(png: &Path) -> (usize, f64) {
    let decoder = png::Decoder::new(std::fs::File::open(png).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(step).collect();
    let colours: std::collections::HashSet<&[u8]> = pixels.iter().map(|p| &p[..3]).collect();
    let ink = pixels.iter().filter(|p| p[..3] != [255, 255, 255]).count();
    (colours.len(), ink as f64 / pixels.len() as f64)
}

#[test]
fn the_report_is_one_self_contained_page_a_browser_renders() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let old = save(d, "old.json", &["demo", "--json"]);
    let new = save(d, "new.json", &["demo", "--json"]);
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../trail/tests/fixtures");
    let trail = save(d, "trail.json", &["trail", fixtures, "--json"]);
    let diag = save(
        d,
        "diag.json",
        &[
            "diagnose",
            "--client",
            "java-7",
            "--server",
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "--json",
        ],
    );
    let bad = d.join("notes.json");
    std::fs::write(&bad, "{\"hello\": 1}").unwrap();
    let page = d.join("report.html");
    let (code, _, err) = run(&[
        "report",
        &old,
        &new,
        &trail,
        &diag,
        bad.to_str().unwrap(),
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_eq!(code, 3, "one file was not used: {err}");
    assert!(err.contains("notes.json not used"), "{err}");
    let html = std::fs::read_to_string(&page).unwrap();

    // Self-contained: nothing is fetched.
    for external in [
        "<script src",
        "<link",
        "@import",
        "url(",
        "http://",
        "https://",
    ] {
        assert!(!html.contains(external), "the page refers to {external}");
    }
    // What it shows, from the documents themselves.
    let scan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&new).unwrap()).unwrap();
    for t in scan["targets"].as_array().unwrap() {
        assert!(html.contains(t["target"].as_str().unwrap()), "{t}");
    }
    let audit: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&trail).unwrap()).unwrap();
    let services = audit["services"].as_array().unwrap().len().min(12);
    assert!(services > 0);
    assert_eq!(
        html.matches("class=\"bar").count(),
        6 + services,
        "6 versions + the services"
    );
    assert!(html.contains("class=\"FAIL\">FAIL") && html.contains("class=\"PASS\">PASS"));
    assert!(html.contains("polyline"), "two scans make a trend line");
    assert!(html.contains("no protocol in common"), "the diagnosis");
    assert!(
        html.contains("not a tlsfloor document"),
        "the unusable file, with the reason"
    );

    let png = d.join("report.png");
    let log = chromium(&page, &png).unwrap();
    assert!(console_errors(&log).is_empty(), "{log}");
    let (colours, ink) = picture_stats(&png);
    assert!(
        colours > 20 && ink > 0.03,
        "a blank picture: {colours} colours, {ink} ink"
    );

    // The console check is not vacuous: a page that throws is caught.
    let broken = d.join("broken.html");
    std::fs::write(
        &broken,
        "<html><body><script>throw new Error('tlsfloor-test')</script></body></html>",
    )
    .unwrap();
    let log = chromium(&broken, &d.join("broken.png")).unwrap();
    assert!(!console_errors(&log).is_empty(), "{log}");
}
