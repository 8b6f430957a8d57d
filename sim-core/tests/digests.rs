//! Native digests of 300 random valid parameter sets, for the browser to compare with the wasm
//! build's: `tests/e2e/fixtures/random-digests.json`, `[{"params": <Params>, "digest": "<16 hex>"}, …]`.
//!
//! The sets come from a fixed seed through sim-core's own generator (see `common`), with short
//! horizons so that the page runs all of them in a few seconds. This test fails when the committed
//! file differs from what the code produces now: a change to the model that moves any trace shows
//! here. If the change is meant, regenerate the file and commit it:
//!
//! ```text
//! UPDATE_DIGESTS=1 cargo test --release -p sim-core --test digests
//! ```

mod common;

use common::{valid_params, Size};
use sim_core::Params;
use std::path::PathBuf;
use std::time::Instant;

const COUNT: u64 = 300;

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/e2e/fixtures/random-digests.json")
}

/// The fixture's text: one entry a line.
fn produce() -> String {
    let mut lines = Vec::new();
    for i in 0..COUNT {
        let seed = 0x00D1_6E57_u64.wrapping_mul(1000).wrapping_add(i * 7919);
        let (_, p) = valid_params(seed, Size::FIXTURE);
        let digest = sim_core::run(&p).expect("drawn valid").digest();
        let params = serde_json::to_string(&p).expect("parameters serialise");
        // The page reads the JSON back: it must give exactly these parameters.
        assert_eq!(serde_json::from_str::<Params>(&params).expect("reads back"), p);
        lines.push(format!("{{\"params\":{params},\"digest\":\"{digest:016x}\"}}"));
    }
    format!("[\n{}\n]\n", lines.join(",\n"))
}

#[test]
fn the_committed_digests_match_the_native_runs() {
    let start = Instant::now();
    let text = produce();
    eprintln!("{COUNT} runs and digests in {:.2} s", start.elapsed().as_secs_f64());
    let path = fixture_path();
    if std::env::var_os("UPDATE_DIGESTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
        eprintln!("wrote {} ({} bytes)", path.display(), text.len());
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != text {
        let first = committed.lines().zip(text.lines()).position(|(a, b)| a != b);
        panic!(
            "{} differs from what the code produces now (first differing line: {:?}); if the change \
             is meant, run `UPDATE_DIGESTS=1 cargo test --release -p sim-core --test digests` and commit the file",
            path.display(),
            first.map(|i| i + 1)
        );
    }
    let v: serde_json::Value = serde_json::from_str(&committed).expect("the fixture is JSON");
    assert_eq!(v.as_array().map(Vec::len), Some(COUNT as usize));
}
