//! Where the time of a House Escort synth goes, phase by phase: build the app, synthesise it,
//! pretty-print every template again with serde_json from parsed values (the cost of merely
//! writing the JSON, as `benches/house_escort.rs` measures it), write the assembly.
//! Run under `/usr/bin/time -v` for peak memory; stop early with `--phase` to measure the
//! peak of the earlier phases alone.
//!
//! ```text
//! cargo run --release --example synth_scale -- [--accounts N] [--phase build|synth|write] [--out DIR]
//! cargo run --release --example synth_scale -- --repeat 20 --phase synth   # for a profiler
//! ```

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use landform::constructs::layouts::{house_escort, HouseEscortOptions};

/// Bytes written, nothing kept.
struct Sink(usize);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|at| args.get(at + 1))
    };
    let accounts = value("--accounts")
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let phase = value("--phase").map_or("write", String::as_str);
    let out = value("--out").map_or("target/synth_scale", String::as_str);
    let repeat: usize = value("--repeat").and_then(|n| n.parse().ok()).unwrap_or(1);

    let start = Instant::now();
    let app = house_escort(&HouseEscortOptions {
        extra_workload_accounts: accounts,
        ..Default::default()
    });
    println!("build      {:>8.1} ms", ms(start));
    if phase == "build" {
        return ExitCode::SUCCESS;
    }

    for _ in 1..repeat {
        let _ = app.synth();
    }
    let start = Instant::now();
    let assembly = match app.synth() {
        Ok(assembly) => assembly,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let synth = ms(start);
    let resources: usize = assembly.stacks().iter().map(|s| s.resources.len()).sum();
    println!(
        "synth      {synth:>8.1} ms  {} stacks, {resources} resources, {:.2} us/resource",
        assembly.stacks().len(),
        synth * 1000.0 / resources as f64
    );
    if phase == "synth" {
        return ExitCode::SUCCESS;
    }

    let templates: Vec<serde_json::Value> = assembly
        .stacks()
        .iter()
        .map(|s| serde_json::from_str(s.template.text()).unwrap_or_default())
        .collect();
    let start = Instant::now();
    let mut sink = Sink(0);
    for template in &templates {
        let _ = serde_json::to_writer_pretty(&mut sink, template);
        let _ = sink.write_all(b"\n");
    }
    let serialise = ms(start);
    drop(templates);
    println!(
        "serialise  {serialise:>8.1} ms  {:.1} MB of template text, {:.0} MB/s",
        sink.0 as f64 / 1e6,
        sink.0 as f64 / 1e6 / (serialise / 1000.0)
    );

    let start = Instant::now();
    if let Err(error) = assembly.write(out) {
        eprintln!("{error}");
        return ExitCode::FAILURE;
    }
    println!("write      {:>8.1} ms  into {out}", ms(start));
    ExitCode::SUCCESS
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}
