//! Functions exported to JavaScript for tests and benchmarks (Trunk exposes them as
//! `window.wasmBindings`). They take parameters as JSON, as the native tools do.

use sim_core::Params;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

fn parse(params_json: &str) -> Result<Params, JsError> {
    if params_json.trim().is_empty() {
        return Ok(Params::default());
    }
    // Through a `Value`, as the scenario decoder does: the wasm then carries one instance of the
    // parameters' deserializer (over `Value`) instead of a second one over JSON text (~60 KB).
    let bad = |e: serde_json::Error| JsError::new(&format!("bad parameters: {e}"));
    serde_json::from_value(serde_json::from_str(params_json).map_err(bad)?).map_err(bad)
}

/// The trace digest (16 hex digits) of a run; an empty string means the default parameters.
#[wasm_bindgen]
pub fn trace_digest(params_json: &str) -> Result<String, JsError> {
    let trace = sim_core::run(&parse(params_json)?).map_err(|e| JsError::new(&e.to_string()))?;
    Ok(format!("{:016x}", trace.digest()))
}

/// Runs the simulation `runs` times and returns the median run time in milliseconds.
#[wasm_bindgen]
pub fn bench_run(params_json: &str, runs: u32) -> Result<f64, JsError> {
    let valid = parse(params_json)?.validate().map_err(|e| JsError::new(&e.to_string()))?;
    let mut times = Vec::with_capacity(runs as usize);
    for _ in 0..runs.max(1) {
        let t0 = crate::lab::now_ms();
        let (trace, _) = sim_core::run_audited(&valid);
        std::hint::black_box(&trace);
        times.push(crate::lab::now_ms() - t0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    Ok(times[times.len() / 2])
}

/// Bytes of the wasm module's linear memory (it only grows): the page's memory for simulations.
#[wasm_bindgen]
pub fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as f64
}

/// The worker pool's state as JSON: `{"workers", "ready", "finished", "main_thread",
/// "last_failure"}`.
#[wasm_bindgen]
pub fn pool_status() -> String {
    use leptos::prelude::GetUntracked;
    let s = crate::compute::pool::status().get_untracked();
    serde_json::json!({
        "workers": s.workers,
        "ready": s.ready,
        "finished": s.finished,
        "main_thread": s.main_thread,
        "last_failure": s.last_failure,
    })
    .to_string()
}

/// Test hook: asks a worker to panic. The pool replaces it; the page says what failed.
#[wasm_bindgen]
pub fn test_worker_failure() {
    crate::compute::pool::fail_one_worker(|_| ());
}
