//! Cascade Lab: a client-side-rendered Leptos page around the `sim-core` simulation.

mod chart;
mod charts;
mod controls;
mod embed;
mod format;
mod hooks;
mod knobs;
mod lab;
mod narrative;
mod share;
mod views;
mod widgets;

use embed::EmbedApp;
use lab::Lab;
use leptos::prelude::*;
use narrative::{Incident, Intro, LabSection, Provenance, Reading};

/// The whole page, or the embed widget when the link asks for one.
#[component]
fn App() -> impl IntoView {
    let decoded = share::from_location();
    let view = share::View::from_pairs(&decoded.view);
    let lab = Lab::new(decoded.params, decoded.preset);
    provide_context(lab);
    let handle = window_event_listener(leptos::ev::resize, move |_| lab.resized.update(|n| *n += 1));
    on_cleanup(move || handle.remove());
    share::sync_url();
    let problems = decoded.problems;
    if view.embed {
        return view! { <EmbedApp view=view /> }.into_any();
    }
    view! {
        <main>
            <Intro />
            <LinkProblems problems=problems />
            <LabSection />
            <Reading />
            <Incident />
            <Provenance />
            <footer class="site-footer">
                <p>"Cascade Lab · a simulation for teaching; numbers are the model's, not Discord's."</p>
            </footer>
        </main>
    }
    .into_any()
}

/// What was wrong with the link the page was opened with, if anything.
#[component]
fn LinkProblems(problems: Vec<String>) -> impl IntoView {
    (!problems.is_empty()).then(|| {
        view! {
            <div class="notice" data-testid="link-problems" role="status">
                <p>"Some settings in this link could not be used; the rest were applied:"</p>
                <ul>{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            </div>
        }
    })
}

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
