//! Cascade Lab: a client-side-rendered Leptos page around the `sim-core` simulation.

mod chart;
mod charts;
mod controls;
mod format;
mod hooks;
mod knobs;
mod lab;
mod narrative;
mod views;

use lab::Lab;
use leptos::prelude::*;
use narrative::{Incident, Intro, LabSection, Provenance, Reading};
use sim_core::Preset;

/// The whole page.
#[component]
fn App() -> impl IntoView {
    let preset = Preset::Failover;
    let lab = Lab::new(preset.params(), Some(preset));
    provide_context(lab);
    let handle = window_event_listener(leptos::ev::resize, move |_| lab.resized.update(|n| *n += 1));
    on_cleanup(move || handle.remove());
    view! {
        <main>
            <Intro />
            <LabSection />
            <Reading />
            <Incident />
            <Provenance />
            <footer class="site-footer">
                <p>"Cascade Lab · a simulation for teaching; numbers are the model's, not Discord's."</p>
            </footer>
        </main>
    }
}

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
