//! Single-thread reading split over files held in memory (no I/O, no inflate): stage 1 alone,
//! parse with a sink that drops records, and parse with the audit's tally.
//! `cargo run --release -p tlsfloor-trail --example parse_split -- DIR`
use std::time::Instant;
use tlsfloor_trail::agg::{FileTally, Tally};
use tlsfloor_trail::input::{load, Buffers};
use tlsfloor_trail::parse::parse_buffer;
use tlsfloor_trail::record::{Record, RecordSink};
use tlsfloor_trail::{Plan, Query};

struct Drop(usize);
impl<'a> RecordSink<'a> for Drop {
    fn record(&mut self, r: &Record<'a>) {
        self.0 += usize::from(r.tls.is_some());
    }
    fn invalid(&mut self, _: &dyn std::fmt::Display) {}
}

/// Best of `PARSE_RUNS` runs (default 5).
fn best(mut f: impl FnMut() -> usize) -> (f64, usize) {
    let runs = std::env::var("PARSE_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let mut t = f64::MAX;
    let mut n = 0;
    for _ in 0..runs {
        let t0 = Instant::now();
        n = f();
        t = t.min(t0.elapsed().as_secs_f64());
    }
    (t, n)
}

fn main() {
    let paths: Vec<std::path::PathBuf> = std::env::args().skip(1).map(Into::into).collect();
    let Ok(plan) = Plan::new(&paths) else {
        eprintln!("usage: parse_split PATH...");
        std::process::exit(2);
    };
    let mut bufs = Buffers::default();
    let docs: Vec<Vec<u8>> = plan
        .files
        .iter()
        .filter_map(|f| load(&f.path, &mut bufs).ok().map(|l| l.data.to_vec()))
        .collect();
    let mb = docs.iter().map(Vec::len).sum::<usize>() as f64 / 1e6;
    let q = Query::default();
    let (t1, entries) = best(|| docs.iter().map(|d| tlsfloor_trail::bench_stage1(d)).sum());
    let (t2, tls) = best(|| {
        docs.iter()
            .map(|d| {
                let mut s = Drop(0);
                parse_buffer(d, &mut s);
                s.0
            })
            .sum()
    });
    let (t3, legacy) = best(|| {
        let mut tally = Tally::default();
        for d in &docs {
            let mut ft = FileTally::new(&q);
            parse_buffer(d, &mut ft);
            ft.merge_into(&mut tally);
        }
        tally.counters.legacy as usize
    });
    println!(
        "{mb:.0} MB: stage 1 {:.0} MB/s ({:.2} ns/B, {entries} quotes, {:.1} B/quote); \
         parse {:.0} MB/s ({:.2} ns/B, {tls} with tls); parse+tally {:.0} MB/s ({:.2} ns/B, legacy {legacy})",
        mb / t1,
        t1 * 1e3 / mb,
        mb * 1e6 / entries as f64,
        mb / t2,
        t2 * 1e3 / mb,
        mb / t3,
        t3 * 1e3 / mb,
    );
}
