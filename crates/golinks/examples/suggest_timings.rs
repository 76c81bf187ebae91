//! Build and look-up times of the missing-link page's suggestion index at 100,000 names,
//! printed (a measurement, not a test: the figures depend on the machine):
//! `cargo run --release --locked -p golinks --example suggest_timings`.

use std::time::Instant;

use golinks::domain::LinkName;
use golinks::suggest::Suggester;

/// `SUGGEST_TYPOS=N` runs only the last measurement, with N typos (for counting instructions
/// under callgrind: run it with 0 and with N, and take the difference).
fn main() {
    if let Some(n) = std::env::var("SUGGEST_TYPOS")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        return typos(&dense(), n);
    }
    // Three shapes of names mixed, then the redirect benchmark's dense ones (`link00000`…).
    let mixed: Vec<String> = (0..100_000)
        .map(|i| match i % 3 {
            0 => format!("link{i:05}"),
            1 => format!("team-{i}-Notes"),
            _ => format!("Project{i}.plan"),
        })
        .collect();
    let dense = dense();
    let long = "x".repeat(64);
    let mixed_typed = [
        "nosuchname",
        "link0004x",
        "lnik12345",
        "team",
        "notes",
        &long,
    ];
    let dense_typed = ["lnik05731", "lnik99999", "link0004x", "lnik00000"];
    for (spellings, typed) in [(&mixed, &mixed_typed[..]), (&dense, &dense_typed[..])] {
        let pairs: Vec<(String, &str)> = spellings
            .iter()
            .filter_map(|s| LinkName::key_of(s).map(|k| (k, s.as_str())))
            .collect();
        let started = Instant::now();
        let index = Suggester::build(pairs.iter().map(|(k, s)| (k.as_str(), *s)));
        println!("build, {} names: {:?}", index.len(), started.elapsed());
        for typed in typed {
            let rounds = 200;
            let started = Instant::now();
            for _ in 0..rounds {
                std::hint::black_box(index.nearest(typed, 5));
            }
            println!("nearest({typed:?}): {:?}", started.elapsed() / rounds);
        }
    }
    typos(&dense, 2000);
}

fn dense() -> Vec<String> {
    (0..100_000).map(|i| format!("link{i:05}")).collect()
}

/// As the benchmark asks: a different typo of a dense name each time, so the walk does not
/// find the trie in the cache from the previous look-up.
fn typos(dense: &[String], n: u64) {
    let pairs: Vec<(String, &str)> = dense
        .iter()
        .filter_map(|s| LinkName::key_of(s).map(|k| (k, s.as_str())))
        .collect();
    let index = Suggester::build(pairs.iter().map(|(k, s)| (k.as_str(), *s)));
    let typos: Vec<String> = (0..n)
        .map(|i| format!("lnik{:05}", i.wrapping_mul(7_919_393) % 100_000))
        .collect();
    let started = Instant::now();
    for typed in &typos {
        std::hint::black_box(index.nearest(typed, 5));
    }
    let per = started.elapsed() / u32::try_from(typos.len()).unwrap_or(u32::MAX).max(1);
    println!(
        "nearest(lnik<n>), {} different typos: {per:?} each",
        typos.len()
    );
}
