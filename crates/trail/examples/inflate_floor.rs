//! The decompression floor for `tlsfloor trail`: every `.gz` file under the given paths
//! inflated in memory, nothing parsed, with libdeflate (what tlsfloor uses) and with zlib-rs
//! (flate2's fastest backend), on `--threads N` threads. Prints JSON bytes and seconds.
//!
//! `cargo run --release -p tlsfloor-trail --example inflate_floor -- --threads 2 DIR`
use rayon::prelude::*;
use std::io::Read;
use std::time::Instant;
use tlsfloor_trail::Plan;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut threads = 2;
    if let Some(i) = args.iter().position(|a| a == "--threads") {
        threads = args.get(i + 1).and_then(|n| n.parse().ok()).unwrap_or(2);
        args.drain(i..(i + 2).min(args.len()));
    }
    let paths: Vec<std::path::PathBuf> = args.iter().map(Into::into).collect();
    let Ok(plan) = Plan::new(&paths) else {
        eprintln!("usage: inflate_floor [--threads N] PATH...");
        std::process::exit(2);
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("threads");
    for engine in ["libdeflate", "zlib-rs"] {
        let t0 = Instant::now();
        let bytes: u64 = pool.install(|| {
            plan.files
                .par_iter()
                .map_init(
                    || (libdeflater::Decompressor::new(), Vec::new(), Vec::new()),
                    |(d, raw, out), f| {
                        raw.clear();
                        let Ok(mut file) = std::fs::File::open(&f.path) else {
                            return 0;
                        };
                        if file.read_to_end(raw).is_err() {
                            return 0;
                        }
                        inflate(engine, d, raw, out)
                    },
                )
                .sum()
        });
        let secs = t0.elapsed().as_secs_f64();
        println!(
            "{{\"engine\":\"{engine}\",\"threads\":{threads},\"json_bytes\":{bytes},\"seconds\":{secs:.4}}}"
        );
    }
}

/// Inflates one single-member gzip file; returns the inflated size.
fn inflate(engine: &str, d: &mut libdeflater::Decompressor, raw: &[u8], out: &mut Vec<u8>) -> u64 {
    let n = raw.len();
    let isize = if n >= 4 {
        u32::from_le_bytes([raw[n - 4], raw[n - 3], raw[n - 2], raw[n - 1]]) as usize
    } else {
        0
    };
    if engine == "libdeflate" {
        // Grown (and zeroed) only when a larger file comes: the floor pays no fill per file.
        if out.len() < isize.max(1) {
            out.resize(isize.max(1), 0);
        }
        return d
            .gzip_decompress(raw, &mut out[..isize.max(1)])
            .map_or(0, |m| m as u64);
    }
    out.clear();
    let mut g = flate2::read::GzDecoder::new(raw);
    g.read_to_end(out).map_or(0, |m| m as u64)
}
