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

use chapters::content::CHAPTERS;
use chapters::{Chapter, Contents, Glossary, References};
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
    if view.embed || instructor {
        // Not the reader's page: none of the static text stays, and the app mounts in the body.
        if let (Some(live), Some(body)) = (document().get_element_by_id("live-page"), document().body()) {
            let _ = body.append_child(&live);
        }
        if let Some(el) = document().get_element_by_id("static-page") {
            el.remove();
        }
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
    // Escape hides a glossary tip, in every chapter.
    chapters::dismiss_tips_with_escape();
    // The top of the page mounts at once; every part after the contents in a task of its own
    // (`mount_parts`), each taking the place of its static twin, so that no one task builds the
    // whole page.
    let stage = RwSignal::new(0usize);
    let total = LATER.len() + CHAPTERS.len();
    mount_parts(stage, total);
    let parts = view! {
        // For the keyboard: the lab is hundreds of Tab stops down the page (prerender/ writes the
        // same link into the static page).
        <a class="skip-link" href="#lab-title">"Skip to the lab"</a>
        <Intro />
        <LinkProblems problems=problems testid="link-problems" />
        <Contents />
        {(0..total).map(|k| view! { <Show when=move || { stage.get() > k }>{part(k)}</Show> }).collect_view()}
    };
    // Inside the static page's `<main>`, which stays (`start`); without one, a `<main>` of its own.
    if document()
        .query_selector("#live-page")
        .ok()
        .flatten()
        .is_some_and(|l| l.closest("main").ok().flatten().is_some())
    {
        parts.into_any()
    } else {
        view! { <main>{parts}</main> }.into_any()
    }
}

/// A part of the page: the static page's element it takes the place of (a selector within
/// `#static-page`), and the part.
type Part = (&'static str, fn() -> AnyView);

/// The parts of the reader's page after the chapters, in order.
const LATER: [Part; 7] = [
    ("#exercises", || view! { <AllExercises /> }.into_any()),
    ("#lab", || view! { <LabSection /> }.into_any()),
    ("#reading", || view! { <Reading /> }.into_any()),
    ("#sources", || view! { <Provenance /> }.into_any()),
    ("#glossary", || view! { <Glossary /> }.into_any()),
    ("#references", || view! { <References /> }.into_any()),
    (".site-footer", || {
        view! { <footer class="site-footer"><p>{chapters::content::INTRO.footer}</p></footer> }.into_any()
    }),
];

/// Part `k` of the page after the contents: the chapters, then [`LATER`].
fn part(k: usize) -> AnyView {
    match k.checked_sub(CHAPTERS.len()) {
        None => view! { <Chapter index=k /> }.into_any(),
        Some(j) => (LATER[j].1)(),
    }
}

/// The static page's twin of part `k` (the chapters, then [`LATER`]).
fn static_twin(k: usize) -> Option<web_sys::Element> {
    let selector = match k.checked_sub(CHAPTERS.len()) {
        None => format!("#static-page [id=\"{}\"]", CHAPTERS[k].id),
        Some(j) => format!("#static-page {}", LATER[j].0),
    };
    document().query_selector(&selector).ok().flatten()
}

/// Mounts the page's parts one per task: each step removes a part's static twin and shows the part
/// (`stage` counts the parts shown) in the same task, so nothing paints in between, and gives the
/// focus back if the reader had it there. Last, the static page's empty shell goes.
fn mount_parts(stage: RwSignal<usize>, total: usize) {
    fn step(stage: RwSignal<usize>, total: usize) {
        let k = stage.get_untracked();
        if k >= total {
            // Every part is live: the static page's wrapper and `<main>` hold the live page now.
            if let Some(el) = document().get_element_by_id("static-page") {
                el.remove_attribute("id").ok();
            }
            return;
        }
        let twin = static_twin(k);
        let focus = twin.as_ref().and_then(Focus::within);
        if let Some(el) = twin {
            el.remove();
        }
        stage.set(k + 1);
        if let Some(f) = focus {
            request_animation_frame(move || f.restore());
        }
        set_timeout(move || step(stage, total), std::time::Duration::ZERO);
    }
    set_timeout(move || step(stage, total), std::time::Duration::ZERO);
}

/// Where the reader's focus was in the static text: found again in the live page by its id, or
/// else its address (glossary links too: the first with that address, as in the text).
struct Focus {
    id: Option<String>,
    href: Option<String>,
}

impl Focus {
    /// The focus, if it is within `el`.
    fn within(el: &web_sys::Element) -> Option<Focus> {
        let a = document().active_element()?;
        if !el.contains(Some(&a)) {
            return None;
        }
        Some(Focus { id: Some(a.id()).filter(|id| !id.is_empty()), href: a.get_attribute("href") })
    }

    /// Gives the focus to the live page's twin of what had it, without scrolling.
    fn restore(self) {
        let again = match (self.id, self.href) {
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
/// paints before the wasm arrives) gives way to it: same markup and classes, and no id twice. The
/// live page mounts inside the static page's `<main>`, which stays where it is (a box that moved
/// would count as a layout shift, however still its text): its top (the masthead and the contents)
/// goes now, and the live page takes its place; the rest stays, after the live page, until each
/// part's live twin takes its place (`mount_parts`). The embed and the instructor view remove the
/// static page whole and mount in the body (`App`).
fn start() {
    let mut focus = None;
    let main = document().query_selector("#static-page > main").ok().flatten();
    if let Some(main) = &main {
        let first_chapter = CHAPTERS.first().map(|c| c.id).unwrap_or_default();
        let top: Vec<web_sys::Element> = (0..main.child_element_count())
            .filter_map(|i| main.children().item(i))
            .take_while(|el| el.id() != first_chapter)
            .collect();
        for el in top {
            focus = focus.or_else(|| Focus::within(&el));
            el.remove();
        }
    }
    // An embed's loading line and the mark that showed it (index.html).
    if let Some(el) = document().get_element_by_id("embed-loading") {
        el.remove();
    }
    if let Some(root) = document().document_element() {
        let _ = root.class_list().remove_1("embed-boot");
    }
    let (Some(body), Ok(live)) = (document().body(), document().create_element("div")) else {
        return leptos::mount::mount_to_body(App);
    };
    let live: web_sys::HtmlElement = live.unchecked_into();
    live.set_id("live-page");
    let _ = match &main {
        Some(main) => main.insert_before(&live, main.first_child().as_ref()),
        None => body.append_child(&live),
    };
    leptos::mount::mount_to(live, App).forget();
    if let Some(f) = focus {
        f.restore();
    }
}
