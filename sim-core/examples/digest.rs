//! Prints the trace digest of a run natively, to compare with the same run in wasm.
//!
//! `cargo run --release -p sim-core --example digest [-- PARAMS_JSON]` (no argument: the defaults)
use sim_core::Params;

fn main() {
    let params: Params = match std::env::args().nth(1) {
        Some(json) if !json.trim().is_empty() => match serde_json::from_str(&json) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("digest: bad parameters: {e}");
                std::process::exit(2);
            }
        },
        _ => Params::default(),
    };
    match sim_core::run(&params) {
        Ok(t) => println!("{:016x}", t.digest()),
        Err(e) => {
            eprintln!("digest: {e}");
            std::process::exit(2);
        }
    }
}
