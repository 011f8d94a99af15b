//! `tlsfloor check-client` against real clients started by the test: curl, Python's ssl/urllib,
//! `openssl s_client` and `gnutls-cli`.
//!
//! What "refuses TLS 1.0" means on this machine (Debian 12, OpenSSL 3.0, GnuTLS 3.7), found by
//! running the clients against `openssl s_server`:
//! - OpenSSL 3.0 clients at their default security level (curl, `openssl s_client`) still
//!   OFFER TLS 1.0/1.1 (supported_versions 1.3..1.0). Against an (EC)DHE suite they abort with
//!   alert internal_error ("legacy sigalg disallowed": the MD5-SHA1 ServerKeyExchange
//!   signature is forbidden at level 1), which is why `s_server -tls1 -cipher
//!   DEFAULT:@SECLEVEL=0` (which prefers ECDHE) makes them look safe. Against an RSA
//!   key-exchange suite (no ServerKeyExchange) they complete the TLS 1.0 handshake. The trap
//!   prefers RSA key exchange precisely to expose this, so curl and s_client with default
//!   settings are reported as ACCEPTING legacy TLS here.
//! - Python's `ssl.create_default_context()` sets minimum_version TLS 1.2: it does not offer
//!   TLS 1.0/1.1 at all, so the trap's OpenSSL answers "unsupported protocol": refused.
//! - gnutls-cli's default priority (NORMAL) includes VERS-TLS1.0/1.1 (see `gnutls-cli --list
//!   --priority NORMAL`) and RSA key exchange: accepted.
//!
//! So that no expected value comes from tlsfloor itself, every client is also run against an
//! oracle, `openssl s_server` restricted to the same single version and the same cipher
//! preference as the trap, and tlsfloor's verdict must equal what the client did there.
//! Cases whose outcome the client's own configuration fixes (e.g. `--tlsv1.0 --ciphers
//! DEFAULT@SECLEVEL=0`, Python's TLS 1.2 minimum) are asserted directly as well.

mod common;

use common::{stdout_json, tlsfloor};
use serde_json::Value;
use std::process::Command;
use std::time::Duration;
use tlsfloor_testkit::{require, Peer, Pki};

/// The trap's default cipher string (tlsfloor_localtls::TRAP_CIPHERS), repeated here on
/// purpose: the oracle server is configured by the test.
const TRAP_CIPHERS: &str = "kRSA:ALL:!aNULL:!eNULL:@SECLEVEL=0";

/// Runs `check-client --json -- argv` and returns (exit code, report).
fn check_client(argv: &[&str]) -> (i32, Value) {
    let out = tlsfloor()
        .args(["check-client", "--json", "--timeout", "20", "--"])
        .args(argv)
        .output()
        .expect("run tlsfloor");
    let report: Value = stdout_json(&out);
    (out.status.code().unwrap_or(-1), report)
}

fn verdict(report: &Value, version: &str) -> String {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["version"] == version)
        .unwrap_or_else(|| panic!("no {version} in {report:#}"))["verdict"]
        .as_str()
        .expect("verdict")
        .to_string()
}

/// Does the client complete a handshake with `openssl s_server` restricted to `flag` (e.g.
/// `-tls1`) and the trap's cipher preference? Judged by the client's own exit status. A
/// refusing client fails every time; a run that fails only because the machine is loaded
/// (a slow server start, a client timeout) succeeds on a later try, so the oracle's setup is
/// tried up to three times (never the assertion).
fn oracle_accepts(argv: &[&str], flag: &str) -> bool {
    (0..3).any(|_| oracle_run(argv, flag))
}

/// One oracle run: a fresh `s_server` and one client run against it.
fn oracle_run(argv: &[&str], flag: &str) -> bool {
    let pki = Pki::shared();
    let server = Peer::openssl_s_server(
        &[flag, "-cipher", TRAP_CIPHERS, "-serverpref", "-www"],
        false,
    );
    let ca = pki.ca_cert.display().to_string();
    let url = format!("https://localhost:{}/", server.port);
    let args: Vec<String> = argv
        .iter()
        .map(|a| {
            a.replace("{url}", &url)
                .replace("{host}", "localhost")
                .replace("{port}", &server.port.to_string())
                .replace("{ca}", &ca)
        })
        .collect();
    let mut child = Command::new(&args[0])
        .args(&args[1..])
        .env("SSL_CERT_FILE", &ca)
        .env("CURL_CA_BUNDLE", &ca)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn client");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.success();
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("client {args:?} hung against the oracle");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs check-client and the oracle for TLS 1.0 and 1.1; asserts they agree, the control
/// succeeded, and the exit code follows. Returns the TLS 1.0 verdict.
fn agrees_with_oracle(argv: &[&str]) -> String {
    let (code, report) = check_client(argv);
    assert_eq!(
        verdict(&report, "TLSv1.2"),
        "accepted",
        "control: {report:#}"
    );
    let mut any_accepted = false;
    for (name, flag) in [("TLSv1.0", "-tls1"), ("TLSv1.1", "-tls1_1")] {
        let expected = if oracle_accepts(argv, flag) {
            any_accepted = true;
            "accepted"
        } else {
            "refused"
        };
        assert_eq!(
            verdict(&report, name),
            expected,
            "{argv:?} at {name}: {report:#}"
        );
    }
    assert_eq!(code, if any_accepted { 1 } else { 0 }, "{report:#}");
    assert_eq!(report["exit_code"], code);
    assert_eq!(report["schema"], "tlsfloor.check-client/v1");
    verdict(&report, "TLSv1.0")
}

#[test]
fn curl_default_matches_what_curl_does_against_s_server() {
    require("curl", "curl");
    // See the module comment: with OpenSSL 3.0 at SECLEVEL 1, curl completes TLS 1.0 with an
    // RSA-key-exchange suite. The oracle decides; we also check the JSON carries the details.
    let v = agrees_with_oracle(&["curl", "-sS", "-o", "/dev/null", "{url}"]);
    assert_eq!(
        v, "accepted",
        "curl on Debian 12 completes TLS 1.0 with kRSA"
    );
}

#[test]
fn curl_forced_tls10_at_seclevel0_is_accepted() {
    require("curl", "curl");
    let argv = [
        "curl",
        "-sS",
        "--tlsv1.0",
        "--ciphers",
        "DEFAULT@SECLEVEL=0",
        "-o",
        "/dev/null",
        "{url}",
    ];
    assert_eq!(agrees_with_oracle(&argv), "accepted");
}

const PY_DEFAULT: &str = "import ssl,sys,urllib.request\n\
ctx = ssl.create_default_context()\n\
urllib.request.urlopen(sys.argv[1], context=ctx, timeout=10).read()\n";

const PY_LEGACY: &str = "import ssl,sys,urllib.request\n\
ctx = ssl.create_default_context()\n\
ctx.minimum_version = ssl.TLSVersion.TLSv1\n\
ctx.set_ciphers('DEFAULT:@SECLEVEL=0')\n\
urllib.request.urlopen(sys.argv[1], context=ctx, timeout=10).read()\n";

#[test]
fn python_default_context_refuses() {
    require("python3", "python3");
    let argv = ["python3", "-c", PY_DEFAULT, "{url}"];
    assert_eq!(agrees_with_oracle(&argv), "refused");
    let (code, report) = check_client(&argv);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["verdict"], "pass");
    // Python's default context does not even offer TLS 1.0: the trap saw supported_versions
    // without it (TLS 1.2 minimum) and OpenSSL refused the version.
    let r10 = &report["results"].as_array().unwrap()[0];
    let offer = &r10["connections"][0]["offer"];
    let versions: Vec<&str> = offer["supported_versions"]
        .as_array()
        .expect("python offers supported_versions")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        versions.contains(&"TLSv1.2") && !versions.contains(&"TLSv1.0"),
        "{versions:?}"
    );
    assert!(r10["ja3"].as_str().is_some_and(|s| s.len() == 32));
}

#[test]
fn python_with_tls1_minimum_and_seclevel0_accepts() {
    require("python3", "python3");
    assert_eq!(
        agrees_with_oracle(&["python3", "-c", PY_LEGACY, "{url}"]),
        "accepted"
    );
}

#[test]
fn openssl_s_client_default_and_tls1() {
    require("openssl", "openssl");
    // Default s_client: OpenSSL 3.0 at SECLEVEL 1 (see module comment): the oracle decides.
    agrees_with_oracle(&["openssl", "s_client", "-connect", "{host}:{port}"]);
    // -tls1 with SECLEVEL 0 ciphers: accepted by construction.
    let argv = [
        "openssl",
        "s_client",
        "-tls1",
        "-cipher",
        "DEFAULT:@SECLEVEL=0",
        "-connect",
        "{host}:{port}",
    ];
    let (code, report) = check_client(&argv);
    assert_eq!(verdict(&report, "TLSv1.0"), "accepted", "{report:#}");
    assert_eq!(code, 1);
    // -tls1 offers only TLS 1.0 (legacy_version TLS 1.0, no supported_versions), so the
    // control fails; the TLS 1.1 refusal is proven by the client's own hello all the same.
    assert_eq!(verdict(&report, "TLSv1.2"), "refused", "{report:#}");
    assert_eq!(verdict(&report, "TLSv1.1"), "refused", "{report:#}");
    let r11 = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["version"] == "TLSv1.1")
        .unwrap();
    assert!(
        r11["reason"]
            .as_str()
            .unwrap()
            .contains("offers at most TLSv1.0"),
        "{r11:#}"
    );
    // SSLv3 is within what the hello offers, and the refusal there proves nothing while the
    // control fails.
    assert_eq!(verdict(&report, "SSLv3"), "inconclusive", "{report:#}");
}

#[test]
fn gnutls_cli_default_and_tls10_priority() {
    require("gnutls-cli", "gnutls-bin");
    // Debian 12's gnutls-cli default priority is NORMAL, which lists VERS-TLS1.0/1.1; the
    // oracle decides what it does with them.
    agrees_with_oracle(&[
        "gnutls-cli",
        "--x509cafile",
        "{ca}",
        "-p",
        "{port}",
        "{host}",
    ]);
    let argv = [
        "gnutls-cli",
        "--priority",
        "NORMAL:-VERS-ALL:+VERS-TLS1.0",
        "--x509cafile",
        "{ca}",
        "-p",
        "{port}",
        "{host}",
    ];
    let (code, report) = check_client(&argv);
    assert_eq!(verdict(&report, "TLSv1.0"), "accepted", "{report:#}");
    assert_eq!(code, 1);
}

#[test]
fn a_command_that_never_connects_is_inconclusive() {
    let (code, report) = check_client(&["true"]);
    assert_eq!(code, 3, "{report:#}");
    assert_eq!(verdict(&report, "TLSv1.0"), "inconclusive");
    assert_eq!(report["verdict"], "inconclusive");
}

#[test]
fn usage_errors_exit_2() {
    let out = tlsfloor().args(["check-client"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = tlsfloor()
        .args(["check-client", "--min-version", "1.7", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn placeholders_and_environment_reach_the_command() {
    require("python3", "python3");
    // The command checks the variables itself and exits 0 only if all agree.
    let script = "import os,sys\n\
e=os.environ\n\
ok = (sys.argv[1]==e['TLSFLOOR_URL'] and sys.argv[2]==e['TLSFLOOR_PORT'] and sys.argv[3]==e['TLSFLOOR_CA']\n\
  and e['SSL_CERT_FILE']==e['CURL_CA_BUNDLE']==e['REQUESTS_CA_BUNDLE']==e['NODE_EXTRA_CA_CERTS']==sys.argv[3]\n\
  and sys.argv[1]=='https://localhost:%s/' % sys.argv[2] and open(sys.argv[3]).read().startswith('-----BEGIN CERTIFICATE'))\n\
sys.exit(0 if ok else 9)\n";
    let (_, report) = check_client(&["python3", "-c", script, "{url}", "{port}", "{ca}"]);
    for r in report["results"].as_array().unwrap() {
        assert_eq!(r["exit_status"], 0, "{r:#}");
    }
}

/// The control's entry.
fn control(report: &Value) -> &Value {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["role"] == "control")
        .unwrap_or_else(|| panic!("no control in {report:#}"))
}

/// The entry for `check` (`untrusted_ca`, `expired`, `wrong_host`).
fn cert_check<'a>(report: &'a Value, check: &str) -> &'a Value {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["check"] == check)
        .unwrap_or_else(|| panic!("no {check} in {report:#}"))
}

#[test]
fn curl_tls13_only_passes_and_its_offer_proves_the_refusals() {
    require("curl", "curl");
    let (code, report) = check_client(&["curl", "-sS", "--tlsv1.3", "-o", "/dev/null", "{url}"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["verdict"], "pass");
    for v in ["SSLv3", "TLSv1.0", "TLSv1.1"] {
        assert_eq!(verdict(&report, v), "refused", "{v}: {report:#}");
    }
    let r = report["results"].as_array().unwrap();
    let legacy = r.iter().find(|x| x["version"] == "TLSv1.0").unwrap();
    assert!(
        legacy["reason"]
            .as_str()
            .unwrap()
            .contains("offers TLSv1.3 only"),
        "{legacy:#}"
    );
    assert_eq!(legacy["sni"], "localhost");
    for check in ["untrusted_ca", "expired", "wrong_host"] {
        assert_eq!(cert_check(&report, check)["verdict"], "refused", "{check}");
    }
    common::assert_documented(
        &report,
        "trap.md",
        common::Documented::TablesOrExamples,
        "check-client --json",
    );
}

#[test]
fn clients_that_skip_certificate_checks_are_findings() {
    require("curl", "curl");
    let (code, report) =
        check_client(&["curl", "-sS", "-k", "--tlsv1.2", "-o", "/dev/null", "{url}"]);
    assert_eq!(code, 1, "{report:#}");
    for check in ["untrusted_ca", "expired", "wrong_host"] {
        assert_eq!(cert_check(&report, check)["verdict"], "accepted", "{check}");
    }
    // Python's unverified context, and its default one.
    let unverified = "import ssl,sys,urllib.request as u; u.urlopen(sys.argv[1], context=ssl._create_unverified_context()).read()";
    let (code, report) = check_client(&["python3", "-c", unverified, "{url}"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(cert_check(&report, "untrusted_ca")["verdict"], "accepted");
    let default = "import sys,urllib.request as u; u.urlopen(sys.argv[1]).read()";
    let (code, report) = check_client(&["python3", "-c", default, "{url}"]);
    assert_eq!(code, 0, "{report:#}");
    // --no-cert-checks leaves them out.
    let out = tlsfloor()
        .args([
            "check-client",
            "--json",
            "--no-cert-checks",
            "--",
            "curl",
            "-sS",
            "-k",
            "--tlsv1.2",
            "-o",
            "/dev/null",
            "{url}",
        ])
        .output()
        .unwrap();
    let report: Value = stdout_json(&out);
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert!(report["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["role"] != "certificate"));
}

#[test]
fn sslv3_is_tested_below_a_tls10_floor() {
    require("curl", "curl");
    tlsfloor_testkit::require_python_module("tlslite", "tlslite-ng");
    // curl cannot speak SSLv3 (its hello offers TLS 1.0 and up): refused, proven by the offer.
    let out = tlsfloor()
        .args([
            "check-client",
            "--json",
            "--min-version",
            "1.0",
            "--",
            "curl",
            "-sS",
            "-o",
            "/dev/null",
            "{url}",
        ])
        .output()
        .unwrap();
    let report: Value = stdout_json(&out);
    assert_eq!(verdict(&report, "SSLv3"), "refused", "{report:#}");
    assert!(report["skipped"].as_array().unwrap().is_empty());
    // tlslite-ng speaking only SSLv3 completes the SSLv3 trap: a finding.
    let sslv3 = "import socket,sys; from tlslite.api import TLSConnection, HandshakeSettings\n\
s=HandshakeSettings(); s.minVersion=(3,0); s.maxVersion=(3,0)\n\
c=TLSConnection(socket.create_connection((sys.argv[1], int(sys.argv[2])))); c.handshakeClientCert(settings=s)\n\
c.write(b'GET / HTTP/1.0\\r\\n\\r\\n'); c.read()";
    let out = tlsfloor()
        .args([
            "check-client",
            "--json",
            "--min-version",
            "1.0",
            "--no-cert-checks",
            "--",
            "python3",
            "-c",
            sslv3,
            "{host}",
            "{port}",
        ])
        .output()
        .unwrap();
    let report: Value = stdout_json(&out);
    assert_eq!(verdict(&report, "SSLv3"), "accepted", "{report:#}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_timeout_kills_the_clients_whole_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let pids = dir.path().join("pids");
    let script = format!("sleep 1000 & echo $! >> {}; sleep 1000", pids.display());
    let out = tlsfloor()
        .args([
            "check-client",
            "--json",
            "--no-cert-checks",
            "--min-version",
            "1.1",
            "--timeout",
            "2s",
            "--",
            "sh",
            "-c",
            &script,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let report: Value = stdout_json(&out);
    assert!(
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["timed_out"] == true),
        "{report:#}"
    );
    let list = std::fs::read_to_string(&pids).unwrap();
    assert!(!list.trim().is_empty());
    for pid in list.split_whitespace() {
        let mut alive = true;
        for _ in 0..250 {
            alive = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map(|s| !s.contains(") Z "))
                .unwrap_or(false);
            if !alive {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!alive, "background process {pid} outlived check-client");
    }
}

#[test]
fn a_client_printing_a_gigabyte_does_not_grow_memory() {
    let script = "head -c 1000000000 /dev/zero; head -c 100000000 /dev/zero >&2";
    let child = tlsfloor()
        .args([
            "check-client",
            "--json",
            "--no-cert-checks",
            "--min-version",
            "1.1",
            "--",
            "sh",
            "-c",
            script,
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    // The peak resident size of the largest reaped child of this test process (tlsfloor
    // and the processes it reaped), from the kernel's accounting.
    // SAFETY: a zeroed rusage filled in by the kernel.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) },
        0
    );
    let max_rss_mb = usage.ru_maxrss / 1024;
    assert!(max_rss_mb < 256, "peak RSS of a child: {max_rss_mb} MB");
}

#[test]
fn hosts_must_be_loopback_and_ipv6_works() {
    require("curl", "curl");
    let out = tlsfloor()
        .args(["check-client", "--host", "192.0.2.1", "--", "curl", "{url}"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
    let out = tlsfloor()
        .args([
            "check-client",
            "--json",
            "--host",
            "::1",
            "--",
            "curl",
            "-sS",
            "-o",
            "/dev/null",
            "{url}",
        ])
        .output()
        .unwrap();
    let report: Value = stdout_json(&out);
    let control = control(&report);
    assert_eq!(control["verdict"], "accepted", "{report:#}");
    let listen = control["connections"][0]["listen"].as_str().unwrap();
    assert!(listen.starts_with("[::1]:"), "{listen}");
}

#[test]
fn aws_cli_v1_gets_a_conclusive_verdict_without_a_ca_bundle_flag() {
    require("aws", "awscli (pip)");
    let out = tlsfloor()
        .args([
            "check-client",
            "--json",
            "--timeout",
            "60s",
            "--",
            "aws",
            "--endpoint-url",
            "{url}",
            "s3",
            "ls",
        ])
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "dummy")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let report: Value = stdout_json(&out);
    assert_ne!(report["verdict"], "inconclusive", "{report:#}");
    let control = control(&report);
    assert_eq!(control["verdict"], "accepted", "{report:#}");
    // botocore's default context refuses TLS < 1.2 and checks certificates.
    assert_eq!(out.status.code(), Some(0), "{report:#}");
}

#[test]
fn an_unmodified_java_client_trusts_the_trap_through_java_tool_options() {
    require("javac", "default-jdk-headless");
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("Get.java");
    std::fs::write(
        &src,
        "import java.net.URI; import java.net.http.*;\n\
         public class Get { public static void main(String[] a) throws Exception {\n\
         var r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(a[0])).build(),\n\
         HttpResponse.BodyHandlers.ofString()); System.out.println(r.statusCode()); } }\n",
    )
    .unwrap();
    let ok = Command::new("javac").arg(&src).status().unwrap().success();
    assert!(ok, "javac");
    let classes = dir.path().display().to_string();
    let out = tlsfloor()
        .args([
            "check-client",
            "--json",
            "--timeout",
            "60s",
            "--",
            "java",
            "-cp",
            &classes,
            "Get",
            "{url}",
        ])
        .output()
        .unwrap();
    let report: Value = stdout_json(&out);
    let control = control(&report);
    assert_eq!(
        control["verdict"], "accepted",
        "the trust store did not reach Java: {report:#}"
    );
    // Java 17 disables TLS 1.0/1.1 and verifies certificates.
    assert_eq!(out.status.code(), Some(0), "{report:#}");
}

#[test]
fn the_table_marks_an_accepted_expired_certificate() {
    require("curl", "curl");
    let out = tlsfloor()
        .args([
            "check-client",
            "--color",
            "never",
            "--",
            "curl",
            "-sS",
            "-k",
        ])
        .args(["--tlsv1.2", "-o", "/dev/null", "{url}"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let row = |name: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("no {name} row: {text}"))
            .to_string()
    };
    assert!(row("cert:expired").contains(" EXPIRED "), "{text}");
    assert!(!row("cert:untrusted_ca").contains("EXPIRED"), "{text}");
    assert!(
        row("marks:").contains("EXPIRED = certificate expired"),
        "{text}"
    );
}

#[test]
fn a_client_that_gives_up_after_every_handshake_proves_no_certificate_check() {
    // Completes each handshake without checking anything, then exits 1 without a request,
    // with the good certificate too: its give-ups say nothing about bad certificates.
    let quitter = "import socket,ssl,sys; c=ssl._create_unverified_context(); \
                   c.wrap_socket(socket.create_connection((sys.argv[1], int(sys.argv[2])))); sys.exit(1)";
    let (code, report) = check_client(&["python3", "-c", quitter, "{host}", "{port}"]);
    for check in ["untrusted_ca", "expired", "wrong_host"] {
        let c = cert_check(&report, check);
        assert_eq!(c["verdict"], "inconclusive", "{check}: {c:#}");
    }
    assert_ne!(report["verdict"], "pass", "{report:#}");
    assert_eq!(code, 3, "{report:#}");
}
