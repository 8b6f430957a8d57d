//! When the page breaks anyway: a panic that escapes shows a visible panel saying what happened,
//! with a button back to the default scenario, instead of leaving a dead page. It is built with
//! plain DOM calls, because after a panic the reactive system cannot be trusted.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Installs the panic hook: log to the console (as before) and show the panel.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_panel(&info.to_string());
    }));
}

/// Shows the error panel (once).
fn show_panel(message: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    if doc.get_element_by_id("crash-panel").is_some() {
        return;
    }
    let Some(body) = doc.body() else { return };
    let Ok(panel) = doc.create_element("div") else { return };
    panel.set_id("crash-panel");
    let _ = panel.set_attribute("role", "alert");
    let _ = panel.set_attribute("data-testid", "crash-panel");
    let add = |tag: &str, text: &str| {
        if let Ok(el) = doc.create_element(tag) {
            el.set_text_content(Some(text));
            let _ = panel.append_child(&el);
        }
    };
    add("h2", "Something went wrong on this page");
    add(
        "p",
        "The simulation stopped with an internal error, so what you see below may no longer respond. \
         Nothing was sent anywhere; your saved exercise answers are kept in this browser.",
    );
    add("pre", message);
    if let Ok(button) = doc.create_element("button") {
        button.set_text_content(Some("Reset to the default scenario"));
        let _ = button.set_attribute("type", "button");
        let _ = button.set_attribute("data-testid", "crash-reset");
        let reset = Closure::<dyn Fn()>::new(|| {
            if let Some(w) = web_sys::window() {
                let loc = w.location();
                let path = loc.pathname().unwrap_or_else(|_| "./".into());
                let _ = loc.assign(&path);
            }
        });
        let _ = button.add_event_listener_with_callback("click", reset.as_ref().unchecked_ref());
        reset.forget();
        let _ = panel.append_child(&button);
    }
    let _ = body.insert_before(&panel, body.first_child().as_ref());
    panel.scroll_into_view();
}

/// A hidden test hook: panics on purpose, so the end-to-end tests can check the panel.
#[wasm_bindgen]
pub fn test_panic() {
    panic!("test panic requested by the end-to-end tests");
}
