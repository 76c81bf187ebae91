//! Build and look-up times of the missing-link page's suggestion index at 100,000 names,
//! printed (a measurement, not a test: the figures depend on the machine):
//! `cargo run --release --locked -p golinks --example suggest_timings`.

use std::time::Instant;

use golinks::domain::LinkName;
use golinks::suggest::Suggester;

fn main() {
    let spellings: Vec<String> = (0..100_000)
        .map(|i| match i % 3 {
            0 => format!("link{i:05}"),
            1 => format!("team-{i}-Notes"),
            _ => format!("Project{i}.plan"),
        })
        .collect();
    let pairs: Vec<(String, &str)> = spellings
        .iter()
        .filter_map(|s| LinkName::key_of(s).map(|k| (k, s.as_str())))
        .collect();
    let started = Instant::now();
    let index = Suggester::build(pairs.iter().map(|(k, s)| (k.as_str(), *s)));
    println!("build, {} names: {:?}", index.len(), started.elapsed());
    let long = "x".repeat(64);
    for typed in [
        "nosuchname",
        "link0004x",
        "lnik12345",
        "team",
        "notes",
        &long,
    ] {
        let rounds = 200;
        let started = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(index.nearest(typed, 5));
        }
        println!("nearest({typed:?}): {:?}", started.elapsed() / rounds);
    }
}
