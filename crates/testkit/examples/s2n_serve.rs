//! Serves one s2n-tls security policy on 127.0.0.1 until stdin closes: prints
//! `listening PORT`, or the error for a name this s2n-tls does not register (exit 2).
//! Used by `scripts/policy-data/s2n-policies.py`.
//!
//! `cargo run -p tlsfloor-testkit --features s2n --example s2n_serve -- ELBSecurityPolicy-2016-08`

use std::io::Read;
use tlsfloor_testkit::s2n_server::S2nServer;

fn main() {
    let Some(policy) = std::env::args().nth(1) else {
        eprintln!("usage: s2n_serve POLICY");
        std::process::exit(2);
    };
    match S2nServer::start(&policy, 0) {
        Ok(server) => {
            println!("listening {}", server.addr.port());
            let _ = std::io::stdin().read_to_end(&mut Vec::new());
        }
        Err(e) => {
            println!("error {e}");
            std::process::exit(2);
        }
    }
}
