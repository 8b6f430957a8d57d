//! Cascade Lab: a client-side-rendered Leptos page around the `sim-core` simulation — chapters to
//! read, exercises to solve, and the full lab.

mod chapters;
mod chart;
mod charts;
mod compare;
mod compute;
mod controls;
mod embed;
mod exercises;
mod format;
mod hooks;
mod knobs;
mod lab;
mod narrative;
mod panic;
mod share;
mod views;
mod widgets;

use chapters::{Chapters, Contents, Glossary, References};
use embed::EmbedApp;
use exercises::{AllExercises, InstructorView};
use lab::{Lab, MainLab};
use leptos::prelude::*;
use narrative::{Intro, LabSection, LinkProblems, Provenance, Reading};
use wasm_bindgen::JsCast;

/// The whole page, the embed widget, or the instructor view, as the link asks.
#[component]
fn App() -> impl IntoView {
    let decoded = share::from_location();
    let view = share::View::from_pairs(&decoded.view);
    let mut problems = decoded.problems;
    let instructor = match decoded.view.iter().find(|(k, _)| k == "instructor") {
        None => false,
        Some((_, v)) if v == "1" || v == "true" => true,
        Some((_, v)) => {
            problems.push(format!(
                "instructor: only `instructor=1` opens the instructor view, not \"{}\"; this is the reader's page",
                sim_core::share::quote(v)
            ));
            false
        }
    };
    // An exercise link opens that exercise with the student's parameters; the lab starts as usual.
    let exercise_link = exercises::from_location(&decoded.view, &decoded.params);
    let (params, preset) = match exercise_link {
        Some(_) => (sim_core::Preset::Failover.params(), Some(sim_core::Preset::Failover)),
        None => (decoded.params, decoded.preset),
    };
    let lab = Lab::new(params.clone(), preset);
    provide_context(lab);
    provide_context(MainLab(lab));
    // The comparisons a link asks for: a pinned run, several seeds, the curve's slider, the grid.
    if let Some((_, id)) = decoded.view.iter().find(|(k, _)| k == "exercise") {
        if exercise_link.is_none() {
            problems.push(format!(
                "exercise: there is no exercise called \"{}\" (see the list under Exercises)",
                sim_core::share::quote(id)
            ));
        }
    }
    // A class's link hides the exercises' solutions (the instructor view offers it).
    provide_context(share::ClassLink::from_view(&decoded.view, &mut problems));
    let query = window().location().search().unwrap_or_default();
    compare::follow_link(lab, &decoded.view, &params, &query, &mut problems);
    provide_context(compare::Compare::from_view(&decoded.view, &params, &mut problems));
    let handle = window_event_listener(leptos::ev::resize, move |_| lab.resized.update(|n| *n += 1));
    on_cleanup(move || handle.remove());
    if view.embed && instructor {
        problems.push("instructor: an embedded widget has no instructor view; `instructor=1` was ignored".into());
    }
    if view.embed {
        share::sync_url(share::View::embed_pairs(&view.charts, &view.knobs));
        return view! { <EmbedApp view=view problems=problems /> }.into_any();
    }
    if instructor {
        return view! { <InstructorView problems=problems /> }.into_any();
    }
    if exercise_link.is_some() {
        share::sync_url_after_change();
    } else {
        share::sync_url(Vec::new());
    }
    share::follow_history(lab);
    chapters::scroll_to_hash();
    // A link that opens at the lab (as "Copy link" makes them) shows its problems there too: the
    // reader never sees the top of the page.
    let hash = window().location().hash().unwrap_or_default();
    let at = match hash.as_str() {
        "#lab" => "lab",
        "#explore" => "explore",
        _ => "",
    };
    provide_context(narrative::LabLinkProblems { at, problems: problems.clone() });
    // The student's saved exercise work, shared by every exercise on the page.
    provide_context(exercises::Store::load());
    provide_context(exercise_link.clone());
    view! {
        <main>
            // For the keyboard: the lab is hundreds of Tab stops down the page (prerender/ writes
            // the same link into the static page).
            <a class="skip-link" href="#lab-title">"Skip to the lab"</a>
            <Intro />
            <LinkProblems problems=problems testid="link-problems" />
            <Contents />
            <Chapters />
            <AllExercises />
            <LabSection />
            <Reading />
            <Provenance />
            <Glossary />
            <References />
            <footer class="site-footer">
                <p>{chapters::content::INTRO.footer}</p>
            </footer>
        </main>
    }
    .into_any()
}

fn main() {
    panic::install();
    if document().get_element_by_id("static-page").is_none() {
        return start();
    }
    // With the static page there, the live page waits until the static text has been painted and
    // that paint reported (a `paint` performance entry; a fallback timer where none comes, as in a
    // background tab). When the wasm arrives before the first paint (a fast connection, the cache),
    // the page would otherwise be built before its text is first seen, and the largest paint would
    // count from the end of that instead of from the first paint.
    let started = std::rc::Rc::new(std::cell::Cell::new(false));
    let once = move || {
        if !started.replace(true) {
            start();
        }
    };
    after_first_paint(once.clone());
    set_timeout(once, std::time::Duration::from_millis(1000));
}

/// Calls `f` in a task of its own once the page's first paint has been reported.
fn after_first_paint(f: impl FnOnce() + Clone + 'static) {
    let painted = window().performance().is_some_and(|p| p.get_entries_by_type("paint").length() > 0);
    if painted {
        set_timeout(f, std::time::Duration::ZERO);
    } else {
        request_animation_frame(move || after_first_paint(f));
    }
}

/// Mounts the live page. The static page (the text, written into index.html at build time so it
/// paints before the wasm arrives) gives way to it: same markup and classes, and no id twice.
fn start() {
    // A reader who tabbed into the static text before the app came keeps their place: what had the
    // focus (a link, or the lab's heading after the skip link) is found again in the live page, by
    // its id or else its address (glossary links too: the first with that address, as in the text).
    let focused = document().active_element().filter(|a| a.closest("#static-page").ok().flatten().is_some());
    let id = focused.as_ref().map(|a| a.id()).filter(|id| !id.is_empty());
    let href = focused.and_then(|a| a.get_attribute("href"));
    if let Some(el) = document().get_element_by_id("static-page") {
        el.remove();
    }
    // An embed's loading line and the mark that showed it (index.html).
    if let Some(el) = document().get_element_by_id("embed-loading") {
        el.remove();
    }
    if let Some(root) = document().document_element() {
        let _ = root.class_list().remove_1("embed-boot");
    }
    leptos::mount::mount_to_body(App);
    let again = match (id, href) {
        (Some(id), _) => document().get_element_by_id(&id),
        (None, Some(href)) => {
            let selector = format!("main a[href=\"{}\"]", href.replace('\\', "\\\\").replace('"', "\\\""));
            document().query_selector(&selector).ok().flatten()
        }
        (None, None) => None,
    };
    if let Some(el) = again.and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) {
        let o = web_sys::FocusOptions::new();
        o.set_prevent_scroll(true);
        let _ = el.focus_with_options(&o);
    }
}
