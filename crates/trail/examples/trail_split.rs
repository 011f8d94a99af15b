//! Timing split for one thread: read+gunzip vs parse+count, over the files under a path.
//! `cargo run --release -p tlsfloor-trail --example trail_split -- DIR`
use std::time::{Duration, Instant};
use tlsfloor_trail::agg::{FileTally, Tally};
use tlsfloor_trail::input::{load, Buffers};
use tlsfloor_trail::parse::parse_buffer;
use tlsfloor_trail::{Plan, Query};

fn main() {
    let paths: Vec<std::path::PathBuf> = std::env::args().skip(1).map(Into::into).collect();
    let Ok(plan) = Plan::new(&paths) else {
        eprintln!("usage: trail_split PATH...");
        std::process::exit(2);
    };
    let q = Query::default();
    let mut bufs = Buffers::default();
    let (mut t_load, mut t_parse, mut bytes) = (Duration::ZERO, Duration::ZERO, 0u64);
    let mut tally = Tally::default();
    for f in &plan.files {
        let t0 = Instant::now();
        let Ok(l) = load(&f.path, &mut bufs) else {
            continue;
        };
        let t1 = Instant::now();
        bytes += l.data.len() as u64;
        let mut ft = FileTally::new(&q);
        parse_buffer(l.data, &mut ft);
        ft.merge_into(&mut tally);
        t_load += t1 - t0;
        t_parse += t1.elapsed();
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "{mb:.0} MB JSON; read+gunzip {:.3} s ({:.0} MB/s); parse+count {:.3} s ({:.0} MB/s); legacy {}",
        t_load.as_secs_f64(),
        mb / t_load.as_secs_f64(),
        t_parse.as_secs_f64(),
        mb / t_parse.as_secs_f64(),
        tally.counters.legacy
    );
}
