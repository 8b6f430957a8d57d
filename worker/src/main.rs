//! Cascade Lab's simulation worker: a Web Worker that runs `sim-core` for the page, so that long runs
//! and sweeps never block the page's main thread. It carries no UI code: only the engine and the
//! message protocol of `sim_core::jobs` (JSON text in, JSON text out).
//!
//! On start it posts `"ready"` (messages sent to a worker before it listens are lost, so the page
//! waits for this). Each message is a `jobs::Request`; the reply is a `jobs::Reply` with the same id.
//! A panic posts `{"panic": "…"}` before the worker stops, so the page can say what failed and start
//! a new worker.

use sim_core::jobs;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn worker_scope() -> Option<DedicatedWorkerGlobalScope> {
    js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>().ok()
}

fn main() {
    let Some(scope) = worker_scope() else {
        // Not in a worker (e.g. run natively): nothing to serve.
        return;
    };
    std::panic::set_hook(Box::new(|info| {
        if let Some(scope) = worker_scope() {
            let text = serde_json_escape(&info.to_string());
            let _ = scope.post_message(&JsValue::from_str(&format!(r#"{{"panic":"{text}"}}"#)));
        }
    }));
    let replier = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
        let Some(text) = e.data().as_string() else { return };
        let clock = replier.performance();
        let now = move || clock.as_ref().map(|p| p.now()).unwrap_or_else(js_sys::Date::now);
        let reply = jobs::handle(&text, now);
        let _ = replier.post_message(&JsValue::from_str(&reply));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str(jobs::READY));
}

/// `text` as the inside of a JSON string.
fn serde_json_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}
