//! Test helpers: start real TLS peers (`openssl s_server`, `gnutls-serv`, any command) on
//! 127.0.0.1, wait until they listen, and kill them when dropped. Also makes a throwaway PKI
//! (CA, RSA and ECDSA leaves for `localhost`/127.0.0.1) with the `openssl` command line tool.
//!
//! Only loopback is used. `gnutls-serv` has no option to choose its bind address and listens
//! on the wildcard address; tests only ever connect to it through 127.0.0.1.

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

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind 127.0.0.1:0")
}

/// Waits until something accepts TCP connections on 127.0.0.1:`port`.
pub fn wait_listening(port: u16, timeout: Duration) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    false
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
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
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
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

impl Peer {
    /// Spawns `program args…` (the args may contain `{port}`, replaced by a free port) and
    /// waits until 127.0.0.1:port accepts connections. Panics with the peer's stderr if it
    /// exits or does not listen within 10 s.
    pub fn spawn(program: &str, args: &[&str]) -> Peer {
        let port = free_port();
        let args: Vec<String> = args
            .iter()
            .map(|a| a.replace("{port}", &port.to_string()))
            .collect();
        let mut child = Command::new(program)
            .args(&args)
            .stdin(Stdio::piped()) // s_server exits on stdin EOF otherwise
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {program}: {e}"));
        if !wait_listening(port, Duration::from_secs(10)) {
            let _ = child.kill();
            let mut err = String::new();
            if let Some(mut s) = child.stderr.take() {
                let _ = s.read_to_string(&mut err);
            }
            panic!("{program} {args:?} did not listen on 127.0.0.1:{port}: {err}");
        }
        Peer {
            child,
            port,
            addr: format!("127.0.0.1:{port}"),
        }
    }

    /// `openssl s_server` on 127.0.0.1 with the shared RSA leaf (or ECDSA when `ecdsa`) and
    /// the given extra arguments, e.g. `["-no_tls1_3", "-cipher", "DEFAULT:@SECLEVEL=0"]`.
    pub fn openssl_s_server(extra: &[&str], ecdsa: bool) -> Peer {
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
            "127.0.0.1:{port}".into(),
            "-cert".into(),
            cert.display().to_string(),
            "-key".into(),
            key.display().to_string(),
            "-quiet".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        Peer::spawn("openssl", &refs)
    }

    /// `gnutls-serv` with the shared RSA leaf and a GnuTLS priority string.
    pub fn gnutls_serv(priority: &str) -> Peer {
        require("gnutls-serv", "gnutls-bin");
        let pki = Pki::shared();
        let cert = format!("--x509certfile={}", pki.rsa_cert.display());
        let key = format!("--x509keyfile={}", pki.rsa_key.display());
        let prio = format!("--priority={priority}");
        Peer::spawn(
            "gnutls-serv",
            &["--port={port}", "--quiet", &cert, &key, &prio],
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
}
