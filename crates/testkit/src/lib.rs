//! Test helpers: start real TLS peers (`openssl s_server`, `gnutls-serv`, any command) on
//! 127.0.0.1, wait until they listen, and kill them when dropped. Also makes a throwaway PKI
//! (CA, RSA and ECDSA leaves for `localhost`/127.0.0.1) with the `openssl` command line tool.
//!
//! Only loopback is used. `gnutls-serv` has no option to choose its bind address and would
//! listen on the wildcard address, so it runs with a small `LD_PRELOAD` shim
//! (`loopback_shim.c`, compiled at test time with the system C compiler) that turns a bind to
//! 0.0.0.0 or :: into 127.0.0.1 or ::1. [`listening_addresses`] lets a test prove it.

pub mod frontend;
#[cfg(feature = "s2n")]
pub mod s2n_server;
pub mod sslv2_server;

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Fails the test with a clear message when a required tool is missing.
pub fn require(tool: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "`{tool}` is required by this test: install it (Debian: apt-get install {package}), \
         or run `bash scripts/install-test-deps`"
    );
}

/// The directory of Debian's PostgreSQL server programs (`/usr/lib/postgresql/N/bin`), or
/// the one holding `postgres` on PATH.
fn postgres_bin() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("postgres").is_file())
        .collect();
    found.sort();
    if let Some(b) = found.pop() {
        return b;
    }
    require("postgres", "postgresql");
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .find(|d| d.join("postgres").is_file())
        .expect("postgres on PATH")
}

/// True when the tests run as root.
fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Fails the test with a clear message when a Python module is missing.
pub fn require_python_module(module: &str, pip_package: &str) {
    require("python3", "python3");
    let ok = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        ok,
        "Python module `{module}` is required by this test: `python3 -m pip install \
         {pip_package}`, or run `bash scripts/install-test-deps`"
    );
}

/// Runs `cmd` to completion and returns its standard output; fails the test with its
/// standard error when it cannot start or exits unsuccessfully.
fn run_checked(cmd: &mut Command, what: &str) -> Vec<u8> {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The tlslite-ng test server script (`peers/tlslite_server.py`).
fn tlslite_script() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/peers/tlslite_server.py").to_string()
}

/// The suites (IANA codes) the tlslite-ng peer enables at `version` (`ssl3`, `tls1.0`,
/// `tls1.1`, `tls1.2`), in its preference order, as tlslite-ng itself computes them.
pub fn tlslite_enabled_suites(version: &str) -> Vec<u16> {
    require_python_module("tlslite", "tlslite-ng");
    let stdout = run_checked(
        Command::new("python3").args([tlslite_script().as_str(), "suites", version]),
        "tlslite_server.py suites",
    );
    let text = String::from_utf8_lossy(&stdout);
    text.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(|n| n.trim().parse().expect("suite code"))
        .collect()
}

/// Ports [`free_port`] hands out: below Linux's ephemeral range (32768-60999), from which
/// the kernel picks both `bind(…:0)` ports and the source ports of outgoing connections.
const PORTS: std::ops::Range<u32> = 20_000..32_000;

/// A TCP port on 127.0.0.1 that was free a moment ago, for a peer to bind. It comes from a
/// range the kernel never picks by itself, so a listener another test binds to port 0, or a
/// connection's source port, can never be given the same port before the peer binds it;
/// within the process each port is handed out once (a counter), and the process id spreads
/// processes apart.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: OnceLock<AtomicU32> = OnceLock::new();
    let span = PORTS.end - PORTS.start;
    let next = NEXT.get_or_init(|| AtomicU32::new(std::process::id().wrapping_mul(7919) % span));
    for _ in 0..span {
        let port = (PORTS.start + next.fetch_add(1, Ordering::Relaxed) % span) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port in {PORTS:?} on 127.0.0.1")
}

/// Waits until something accepts TCP connections on 127.0.0.1:`port`.
pub fn wait_listening(port: u16, timeout: Duration) -> bool {
    wait_listening_at(SocketAddr::from(([127, 0, 0, 1], port)), timeout)
}

/// Waits until something accepts TCP connections on `addr` (a loopback address).
///
/// A connection whose local address equals `addr` is TCP's self-connect (the kernel picked
/// the free port as this probe's source port before the server listened): not a server,
/// so it is dropped and the wait goes on.
pub fn wait_listening_at(addr: SocketAddr, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Ok(s) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            if s.local_addr().ok() != Some(addr) {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    false
}

/// The local addresses on which some socket listens on TCP `port`, read from
/// `/proc/net/tcp` and `/proc/net/tcp6` (Linux). Used to prove a peer binds loopback only.
pub fn listening_addresses(port: u16) -> Vec<std::net::IpAddr> {
    let mut found = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            // cols[1] = local "ADDR:PORT" in hex, cols[3] = state; 0A = LISTEN.
            let (Some(local), Some(&"0A")) = (cols.get(1), cols.get(3)) else {
                continue;
            };
            let Some((addr_hex, port_hex)) = local.split_once(':') else {
                continue;
            };
            if u16::from_str_radix(port_hex, 16) != Ok(port) {
                continue;
            }
            if let Some(ip) = parse_proc_addr(addr_hex) {
                found.push(ip);
            }
        }
    }
    found
}

/// Decodes an address from `/proc/net/tcp{,6}`: 32-bit words in host (little-endian) order.
fn parse_proc_addr(hex: &str) -> Option<std::net::IpAddr> {
    let words: Option<Vec<u32>> = (0..hex.len() / 8)
        .map(|i| u32::from_str_radix(hex.get(i * 8..i * 8 + 8)?, 16).ok())
        .collect();
    let bytes: Vec<u8> = words?.iter().flat_map(|w| w.to_le_bytes()).collect();
    match bytes.len() {
        4 => Some(std::net::IpAddr::from(<[u8; 4]>::try_from(bytes).ok()?)),
        16 => Some(std::net::IpAddr::from(<[u8; 16]>::try_from(bytes).ok()?)),
        _ => None,
    }
}

/// Path of the loopback-only `LD_PRELOAD` shim, compiled once per test process.
pub fn loopback_shim() -> &'static Path {
    static SHIM: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, lib) = SHIM.get_or_init(|| {
        require("cc", "gcc");
        let dir = tempfile::tempdir().expect("tempdir");
        let src = dir.path().join("loopback_shim.c");
        let lib = dir.path().join("libtlsfloor_loopback.so");
        std::fs::write(&src, include_str!("loopback_shim.c")).expect("write shim source");
        run_checked(
            Command::new("cc")
                .args(["-shared", "-fPIC", "-O2", "-o"])
                .arg(&lib)
                .arg(&src)
                .arg("-ldl"),
            "compiling the loopback shim",
        );
        (dir, lib)
    });
    lib
}

/// A throwaway PKI made with the `openssl` CLI: a CA and two leaves for `localhost` and
/// `127.0.0.1`, one RSA-2048 and one ECDSA P-256, both signed by the CA.
#[derive(Debug)]
pub struct Pki {
    _dir: tempfile::TempDir,
    /// CA certificate (PEM).
    pub ca_cert: PathBuf,
    /// RSA leaf certificate (PEM).
    pub rsa_cert: PathBuf,
    /// RSA leaf key (PEM).
    pub rsa_key: PathBuf,
    /// ECDSA P-256 leaf certificate (PEM).
    pub ecdsa_cert: PathBuf,
    /// ECDSA P-256 leaf key (PEM).
    pub ecdsa_key: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    run_checked(
        Command::new("openssl").args(args).current_dir(dir),
        &format!("openssl {args:?}"),
    );
}

impl Pki {
    /// Makes a new PKI in a temporary directory.
    pub fn new() -> Pki {
        require("openssl", "openssl");
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        openssl(
            d,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "30",
                "-subj",
                "/CN=tlsfloor test CA",
            ],
        );
        std::fs::write(
            d.join("leaf.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
        )
        .expect("write ext");
        for (name, newkey) in [
            ("rsa", vec!["-newkey", "rsa:2048"]),
            (
                "ecdsa",
                vec!["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
            ),
        ] {
            let key = format!("{name}.key");
            let csr = format!("{name}.csr");
            let pem = format!("{name}.pem");
            let mut args = vec![
                "req",
                "-nodes",
                "-subj",
                "/CN=localhost",
                "-keyout",
                &key,
                "-out",
                &csr,
            ];
            args.extend(newkey.iter().copied());
            openssl(d, &args);
            openssl(
                d,
                &[
                    "x509",
                    "-req",
                    "-in",
                    &csr,
                    "-CA",
                    "ca.pem",
                    "-CAkey",
                    "ca.key",
                    "-CAcreateserial",
                    "-days",
                    "30",
                    "-sha256",
                    "-extfile",
                    "leaf.ext",
                    "-out",
                    &pem,
                ],
            );
        }
        Pki {
            ca_cert: d.join("ca.pem"),
            rsa_cert: d.join("rsa.pem"),
            rsa_key: d.join("rsa.key"),
            ecdsa_cert: d.join("ecdsa.pem"),
            ecdsa_key: d.join("ecdsa.key"),
            _dir: dir,
        }
    }

    /// One PKI shared by every test in the process (generating RSA keys is slow).
    pub fn shared() -> &'static Pki {
        static PKI: OnceLock<Pki> = OnceLock::new();
        PKI.get_or_init(Pki::new)
    }
}

impl Default for Pki {
    fn default() -> Self {
        Pki::new()
    }
}

/// A running peer process, killed (and reaped) when dropped.
#[derive(Debug)]
pub struct Peer {
    child: Child,
    /// The port it listens on.
    pub port: u16,
    /// `127.0.0.1:PORT` (or the loopback address it was started on).
    pub addr: String,
    /// A directory the peer uses, removed after it stops.
    keep: Option<tempfile::TempDir>,
}

impl Peer {
    /// Spawns `program args…` (the args may contain `{port}`, replaced by a free port) and
    /// waits until 127.0.0.1:port accepts connections. Panics with the peer's stderr if it
    /// exits or does not listen within 10 s.
    pub fn spawn(program: &str, args: &[&str]) -> Peer {
        Peer::spawn_with_env(program, args, &[])
    }

    /// [`Peer::spawn`] with extra environment variables for the peer.
    pub fn spawn_with_env(program: &str, args: &[&str], env: &[(&str, &Path)]) -> Peer {
        Peer::spawn_at(
            program,
            args,
            env,
            SocketAddr::from(([127, 0, 0, 1], free_port())),
        )
    }

    /// Spawns a peer that will listen on `at` (a loopback address; `{port}` in the args is
    /// replaced by its port) and waits until it does.
    pub fn spawn_at(program: &str, args: &[&str], env: &[(&str, &Path)], at: SocketAddr) -> Peer {
        assert!(at.ip().is_loopback(), "test peers listen on loopback only");
        let port = at.port();
        let args: Vec<String> = args
            .iter()
            .map(|a| a.replace("{port}", &port.to_string()))
            .collect();
        let mut cmd = Command::new(program);
        cmd.args(&args).envs(env.iter().copied());
        Peer::spawn_command(cmd, at, &format!("{program} {args:?}"))
    }

    /// Spawns `cmd` and waits until `at` accepts connections (panics with its stderr when
    /// it exits or does not listen within 10 s).
    pub fn spawn_command(cmd: Command, at: SocketAddr, what: &str) -> Peer {
        // s_server exits on stdin EOF otherwise.
        Peer::spawn_command_with_stdin(cmd, at, what, Stdio::piped())
    }

    /// [`Peer::spawn_command`] with `stdin` as the peer's standard input.
    pub fn spawn_command_with_stdin(
        mut cmd: Command,
        at: SocketAddr,
        what: &str,
        stdin: Stdio,
    ) -> Peer {
        assert!(at.ip().is_loopback(), "test peers listen on loopback only");
        let mut child = cmd
            .stdin(stdin)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {what}: {e}"));
        if !wait_listening_at(at, Duration::from_secs(10)) {
            let _ = child.kill();
            let mut err = String::new();
            if let Some(mut s) = child.stderr.take() {
                let _ = s.read_to_string(&mut err);
            }
            panic!("{what} did not listen on {at}: {err}");
        }
        Peer {
            child,
            port: at.port(),
            addr: at.to_string(),
            keep: None,
        }
    }

    /// `openssl s_server` on 127.0.0.1 with the shared RSA leaf (or ECDSA when `ecdsa`) and
    /// the given extra arguments, e.g. `["-no_tls1_3", "-cipher", "DEFAULT:@SECLEVEL=0"]`.
    pub fn openssl_s_server(extra: &[&str], ecdsa: bool) -> Peer {
        Peer::openssl_s_server_at(
            SocketAddr::from(([127, 0, 0, 1], free_port())),
            extra,
            ecdsa,
        )
    }

    /// [`Peer::openssl_s_server`] listening on `at`, e.g. 127.0.0.2 beside a peer on
    /// 127.0.0.1 at the same port, as two nodes behind one name.
    pub fn openssl_s_server_at(at: SocketAddr, extra: &[&str], ecdsa: bool) -> Peer {
        require("openssl", "openssl");
        let pki = Pki::shared();
        let (cert, key) = if ecdsa {
            (&pki.ecdsa_cert, &pki.ecdsa_key)
        } else {
            (&pki.rsa_cert, &pki.rsa_key)
        };
        let mut args = vec![
            "s_server".to_string(),
            "-accept".into(),
            at.to_string(),
            "-cert".into(),
            cert.display().to_string(),
            "-key".into(),
            key.display().to_string(),
            "-quiet".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        Peer::spawn_at("openssl", &refs, &[], at)
    }

    /// A PostgreSQL server (Debian's `postgresql` package) in a throwaway cluster on
    /// 127.0.0.1 with `ssl = on`, the shared RSA leaf, TLS `min`..=`max` (`"TLSv1"` …
    /// `"TLSv1.3"`) and the OpenSSL cipher string `ciphers`. Run as the `postgres` user when
    /// the tests run as root (PostgreSQL refuses to run as root).
    pub fn postgres(min: &str, max: &str, ciphers: &str) -> Peer {
        let bin = postgres_bin();
        let dir = tempfile::tempdir().expect("tempdir");
        let root = running_as_root();
        let pki = Pki::shared();
        let data = dir.path().join("data");
        let (cert, key) = (dir.path().join("server.crt"), dir.path().join("server.key"));
        std::fs::copy(&pki.rsa_cert, &cert).expect("copy cert");
        std::fs::copy(&pki.rsa_key, &key).expect("copy key");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let as_postgres = |program: &Path| -> Command {
            if root {
                // setpriv execs the program itself (runuser would fork and leave it running
                // when killed).
                let mut c = Command::new("setpriv");
                c.args([
                    "--reuid=postgres",
                    "--regid=postgres",
                    "--init-groups",
                    "--",
                ])
                .arg(program);
                c
            } else {
                Command::new(program)
            }
        };
        if root {
            run_checked(
                Command::new("chown")
                    .args(["-R", "postgres:"])
                    .arg(dir.path()),
                "chown the cluster directory",
            );
        }
        run_checked(
            as_postgres(&bin.join("initdb"))
                .args(["-A", "trust", "--no-sync", "-U", "postgres", "-D"])
                .arg(&data),
            "initdb",
        );
        let port = free_port();
        let settings = [
            "listen_addresses=127.0.0.1".to_string(),
            format!("port={port}"),
            format!("unix_socket_directories={}", dir.path().display()),
            "ssl=on".into(),
            format!("ssl_cert_file={}", cert.display()),
            format!("ssl_key_file={}", key.display()),
            format!("ssl_min_protocol_version={min}"),
            format!("ssl_max_protocol_version={max}"),
            format!("ssl_ciphers={ciphers}"),
            "fsync=off".into(),
        ];
        let mut args: Vec<String> = vec!["-D".into(), data.display().to_string()];
        for s in settings {
            args.push("-c".into());
            args.push(s);
        }
        let mut cmd = as_postgres(&bin.join("postgres"));
        cmd.args(&args);
        let mut peer =
            Peer::spawn_command(cmd, SocketAddr::from(([127, 0, 0, 1], port)), "postgres");
        peer.keep = Some(dir);
        peer
    }

    /// Dovecot (Debian's `dovecot-imapd` / `dovecot-pop3d`) in the foreground with a throwaway
    /// configuration: IMAP and POP3 with STARTTLS on two loopback ports (the returned peer
    /// is IMAP; `pop3_port` the other), the shared RSA leaf, TLS from `min` (`"TLSv1"` …)
    /// and the OpenSSL cipher string `ciphers`, server preference.
    pub fn dovecot(min: &str, ciphers: &str) -> (Peer, u16) {
        require("dovecot", "dovecot-imapd dovecot-pop3d");
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        for sub in ["run", "state", "mail", "home"] {
            std::fs::create_dir_all(d.join(sub)).expect("mkdir");
        }
        let pki = Pki::shared();
        let (imap, pop3) = (free_port(), free_port());
        let conf = format!(
            "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\n\
             protocols = imap pop3\nlisten = 127.0.0.1\nssl = yes\n\
             ssl_cert = <{cert}\nssl_key = <{key}\nssl_min_protocol = {min}\n\
             ssl_cipher_list = {ciphers}\nssl_prefer_server_ciphers = yes\n\
             mail_location = maildir:{d}/mail\n\
             passdb {{\n  driver = static\n  args = password=x\n}}\n\
             userdb {{\n  driver = static\n  args = uid=root gid=root home={d}/home\n}}\n\
             service imap-login {{\n  inet_listener imap {{\n    port = {imap}\n  }}\n  inet_listener imaps {{\n    port = 0\n  }}\n}}\n\
             service pop3-login {{\n  inet_listener pop3 {{\n    port = {pop3}\n  }}\n  inet_listener pop3s {{\n    port = 0\n  }}\n}}\n",
            d = d.display(),
            cert = pki.rsa_cert.display(),
            key = pki.rsa_key.display(),
        );
        let conf_path = d.join("dovecot.conf");
        std::fs::write(&conf_path, conf).expect("write dovecot.conf");
        let mut cmd = Command::new("dovecot");
        cmd.arg("-F").arg("-c").arg(&conf_path);
        let mut peer =
            Peer::spawn_command(cmd, SocketAddr::from(([127, 0, 0, 1], imap)), "dovecot");
        assert!(
            wait_listening(pop3, Duration::from_secs(10)),
            "dovecot did not listen for POP3 on {pop3}"
        );
        peer.keep = Some(dir);
        (peer, pop3)
    }

    /// vsftpd (Debian's `vsftpd`) in the foreground on 127.0.0.1 with the shared RSA leaf and
    /// the OpenSSL cipher string `ciphers`: explicit FTPS (`AUTH TLS`) when `implicit` is
    /// false, implicit FTPS (TLS from the first byte, the same settings) when true. Anonymous
    /// login is on only because vsftpd refuses to start without some login; no directory is
    /// served. vsftpd prints its start-up errors on file descriptor 0, so that is where the
    /// peer's error log goes.
    pub fn vsftpd(implicit: bool, ciphers: &str) -> Peer {
        require("vsftpd", "vsftpd");
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let empty = d.join("empty");
        std::fs::create_dir_all(&empty).expect("mkdir");
        let pki = Pki::shared();
        let port = free_port();
        let conf = format!(
            "listen=YES\nlisten_ipv6=NO\nlisten_address=127.0.0.1\nlisten_port={port}\n\
             background=NO\nanonymous_enable=YES\nallow_anon_ssl=YES\nanon_root={empty}\n\
             local_enable=NO\nssl_enable=YES\nimplicit_ssl={implicit}\n\
             rsa_cert_file={cert}\nrsa_private_key_file={key}\nssl_tlsv1=YES\nssl_sslv3=NO\n\
             ssl_ciphers={ciphers}\nsecure_chroot_dir={empty}\nseccomp_sandbox=NO\n",
            empty = empty.display(),
            implicit = if implicit { "YES" } else { "NO" },
            cert = pki.rsa_cert.display(),
            key = pki.rsa_key.display(),
        );
        let conf_path = d.join("vsftpd.conf");
        std::fs::write(&conf_path, conf).expect("write vsftpd.conf");
        let errors = std::fs::File::create(d.join("errors.txt")).expect("error log");
        let mut cmd = Command::new("vsftpd");
        cmd.arg(&conf_path);
        let mut peer = Peer::spawn_command_with_stdin(
            cmd,
            SocketAddr::from(([127, 0, 0, 1], port)),
            "vsftpd",
            Stdio::from(errors),
        );
        peer.keep = Some(dir);
        peer
    }

    /// Prosody (Debian's `prosody`, LuaSec on the system OpenSSL) in the foreground on
    /// 127.0.0.1 serving the XMPP domain `localhost` with the shared RSA leaf, TLS 1.0 and up
    /// and the OpenSSL cipher string `ciphers`: client-to-server STARTTLS on the returned peer,
    /// and the same TLS settings as direct TLS (XEP-0368) on the returned port.
    pub fn prosody(ciphers: &str) -> (Peer, u16) {
        require("prosody", "prosody");
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        std::fs::create_dir_all(d.join("data")).expect("mkdir");
        let pki = Pki::shared();
        let (starttls, direct) = (free_port(), free_port());
        let conf = format!(
            "pidfile = \"{d}/prosody.pid\"\ndata_path = \"{d}/data\"\ncertificates = \"{d}\"\n\
             run_as_root = true\ninterfaces = {{ \"127.0.0.1\" }}\n\
             c2s_ports = {{ {starttls} }}\nc2s_direct_tls_ports = {{ {direct} }}\n\
             s2s_ports = {{ }}\nhttp_ports = {{ }}\nhttps_ports = {{ }}\n\
             modules_enabled = {{ \"tls\", \"saslauth\", \"disco\" }}\n\
             modules_disabled = {{ \"s2s\", \"offline\" }}\nc2s_require_encryption = true\n\
             ssl = {{ certificate = \"{cert}\"; key = \"{key}\"; protocol = \"tlsv1+\"; \
             ciphers = \"{ciphers}\"; }}\n\
             log = {{ {{ levels = {{ min = \"error\" }}, to = \"console\" }} }}\n\
             VirtualHost \"localhost\"\n",
            d = d.display(),
            cert = pki.rsa_cert.display(),
            key = pki.rsa_key.display(),
        );
        let conf_path = d.join("prosody.cfg.lua");
        std::fs::write(&conf_path, conf).expect("write prosody.cfg.lua");
        let mut cmd = Command::new("prosody");
        cmd.arg("--config").arg(&conf_path).arg("-F");
        let mut peer =
            Peer::spawn_command(cmd, SocketAddr::from(([127, 0, 0, 1], starttls)), "prosody");
        assert!(
            wait_listening(direct, Duration::from_secs(10)),
            "prosody did not listen for direct TLS on {direct}"
        );
        peer.keep = Some(dir);
        (peer, direct)
    }

    /// OpenLDAP's slapd (Debian's `slapd`, built on GnuTLS) in the foreground on 127.0.0.1
    /// with the shared RSA leaf and the GnuTLS priority string `priority`, no database: LDAP
    /// with StartTLS on the returned peer and LDAPS (the same TLS settings) on the returned
    /// port.
    pub fn slapd(priority: &str) -> (Peer, u16) {
        require("slapd", "slapd");
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let pki = Pki::shared();
        let (ldap, ldaps) = (free_port(), free_port());
        let conf = format!(
            "include /etc/ldap/schema/core.schema\npidfile {d}/slapd.pid\n\
             TLSCertificateFile {cert}\nTLSCertificateKeyFile {key}\n\
             TLSCipherSuite {priority}\nTLSProtocolMin 3.1\n",
            d = d.display(),
            cert = pki.rsa_cert.display(),
            key = pki.rsa_key.display(),
        );
        let conf_path = d.join("slapd.conf");
        std::fs::write(&conf_path, conf).expect("write slapd.conf");
        let mut cmd = Command::new("slapd");
        cmd.args(["-d", "0", "-f"])
            .arg(&conf_path)
            .arg("-h")
            .arg(format!(
                "ldap://127.0.0.1:{ldap}/ ldaps://127.0.0.1:{ldaps}/"
            ));
        let mut peer = Peer::spawn_command(cmd, SocketAddr::from(([127, 0, 0, 1], ldap)), "slapd");
        assert!(
            wait_listening(ldaps, Duration::from_secs(10)),
            "slapd did not listen for LDAPS on {ldaps}"
        );
        peer.keep = Some(dir);
        (peer, ldaps)
    }

    /// MariaDB (Debian's `mariadb-server`) in a throwaway data directory on 127.0.0.1 with
    /// the shared RSA leaf, the TLS versions `tls_versions` (MariaDB's list, e.g.
    /// `"TLSv1.0,TLSv1.1,TLSv1.2"`) and the OpenSSL cipher string `ciphers`.
    pub fn mariadb(tls_versions: &str, ciphers: &str) -> Peer {
        require("mariadbd", "mariadb-server");
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        run_checked(
            Command::new("mariadb-install-db")
                .args(["--no-defaults", "--user=root", "--skip-test-db"])
                .arg(format!("--datadir={}", data.display())),
            "mariadb-install-db",
        );
        let pki = Pki::shared();
        let port = free_port();
        let mut cmd = Command::new("mariadbd");
        cmd.arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .args([
                "--user=root",
                "--bind-address=127.0.0.1",
                "--skip-grant-tables",
            ])
            .arg(format!("--port={port}"))
            .arg(format!("--socket={}", dir.path().join("sock").display()))
            .arg(format!("--ssl-cert={}", pki.rsa_cert.display()))
            .arg(format!("--ssl-key={}", pki.rsa_key.display()))
            .arg(format!("--tls-version={tls_versions}"))
            .arg(format!("--ssl-cipher={ciphers}"));
        let mut peer =
            Peer::spawn_command(cmd, SocketAddr::from(([127, 0, 0, 1], port)), "mariadbd");
        peer.keep = Some(dir);
        peer
    }

    /// A Python `ssl` peer (peers/py_tls_peer.py) with the shared RSA leaf: `mode` is
    /// `direct` (TLS from the first byte) or `smtp` (aiosmtpd offering STARTTLS), serving TLS
    /// `min`..=`max` (`"1.0"`…`"1.3"`) with the OpenSSL cipher string `ciphers`; or
    /// `smtp-plain` (aiosmtpd without STARTTLS; the TLS arguments are ignored).
    pub fn python_tls(mode: &str, min: &str, max: &str, ciphers: &str) -> Peer {
        require("python3", "python3");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/peers/py_tls_peer.py");
        let pki = Pki::shared();
        let (cert, key) = (
            pki.rsa_cert.display().to_string(),
            pki.rsa_key.display().to_string(),
        );
        let mut args = vec![script, mode, "{port}"];
        if mode != "smtp-plain" {
            args.extend([cert.as_str(), key.as_str(), min, max, ciphers]);
        }
        Peer::spawn("python3", &args)
    }

    /// `gnutls-serv` with the shared RSA leaf and a GnuTLS priority string, held to loopback
    /// by [`loopback_shim`].
    pub fn gnutls_serv(priority: &str) -> Peer {
        require("gnutls-serv", "gnutls-bin");
        let pki = Pki::shared();
        let cert = format!("--x509certfile={}", pki.rsa_cert.display());
        let key = format!("--x509keyfile={}", pki.rsa_key.display());
        let prio = format!("--priority={priority}");
        Peer::spawn_with_env(
            "gnutls-serv",
            &["--port={port}", "--quiet", &cert, &key, &prio],
            &[("LD_PRELOAD", loopback_shim())],
        )
    }
}

impl Peer {
    /// `botan tls_server` (Botan 2, TLS 1.0-1.2) with the shared RSA leaf, bound to loopback
    /// through the loopback shim. Botan closes any hello in SSL 2.0 framing without an answer.
    pub fn botan() -> Peer {
        require("botan", "botan");
        let pki = Pki::shared();
        let (cert, key) = (
            pki.rsa_cert.display().to_string(),
            pki.rsa_key.display().to_string(),
        );
        Peer::spawn_with_env(
            "botan",
            &["tls_server", &cert, &key, "--port={port}"],
            &[("LD_PRELOAD", loopback_shim())],
        )
    }

    /// A tlslite-ng server (pure Python) with the shared RSA leaf, speaking versions `min`
    /// through `max` (`ssl3`, `tls1.0`, `tls1.1`, `tls1.2`): the SSL 3.0 peer, since Debian's
    /// OpenSSL and GnuTLS are built without SSL 3.0.
    pub fn tlslite_server(min: &str, max: &str) -> Peer {
        require_python_module("tlslite", "tlslite-ng");
        let pki = Pki::shared();
        let script = tlslite_script();
        let cert = pki.rsa_cert.display().to_string();
        let key = pki.rsa_key.display().to_string();
        Peer::spawn(
            "python3",
            &[&script, "serve", "{port}", &cert, &key, min, max],
        )
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s_server_listens_and_is_killed() {
        let port;
        {
            let peer = Peer::openssl_s_server(&["-tls1_2"], false);
            port = peer.port;
            assert!(TcpStream::connect(&peer.addr).is_ok());
        }
        std::thread::sleep(Duration::from_millis(100));
        assert!(
            TcpStream::connect(("127.0.0.1", port)).is_err(),
            "peer still listening after drop"
        );
    }

    #[test]
    fn gnutls_serv_listens_on_loopback_only() {
        let peer = Peer::gnutls_serv("NORMAL");
        let addrs = listening_addresses(peer.port);
        assert!(
            addrs.iter().any(|a| a.is_loopback()),
            "gnutls-serv not seen listening on port {}: {addrs:?}",
            peer.port
        );
        assert!(
            addrs.iter().all(|a| a.is_loopback()),
            "gnutls-serv listens beyond loopback: {addrs:?}"
        );
    }

    #[test]
    fn listening_addresses_reads_the_kernel_tables() {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = l.local_addr().expect("addr").port();
        assert_eq!(
            listening_addresses(port),
            vec![std::net::IpAddr::from([127, 0, 0, 1])]
        );
        // Wildcard entries as the kernel prints them decode to the unspecified addresses,
        // so the loopback-only check above can fail.
        assert_eq!(
            parse_proc_addr("00000000"),
            Some(std::net::IpAddr::from([0, 0, 0, 0]))
        );
        assert_eq!(
            parse_proc_addr("00000000000000000000000001000000"),
            Some(std::net::Ipv6Addr::LOCALHOST.into())
        );
        assert_eq!(
            parse_proc_addr("00000000000000000000000000000000"),
            Some(std::net::Ipv6Addr::UNSPECIFIED.into())
        );
    }
}
