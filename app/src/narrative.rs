//! The page's prose, kept apart from the widgets it places.

use crate::chapters::content::{LAB, READING, SOURCES};
use crate::charts::ChartKind;
use crate::compare::curve::RecoveryCurve;
use crate::compare::phase::PhaseDiagram;
use crate::compare::pin::PinBar;
use crate::compare::seeds::SeedsControl;
use crate::controls::Controls;
use crate::share::SharePanel;
use crate::views::{ChartCard, Figures, RunStatus};
use crate::widgets::architecture::ArchitectureDiagram;
use crate::widgets::lazy::{Shape, WhenNear};
use leptos::prelude::*;
use sim_core::Preset;

/// A button in the prose that loads a preset into the lab and scrolls to it.
#[component]
fn LoadPreset(
    /// The preset.
    preset: Preset,
    /// Button text.
    text: &'static str,
) -> impl IntoView {
    // The page's lab, not started: loading a preset changes its parameters, and it runs once shown.
    let lab = expect_context::<crate::lab::Lab>();
    view! {
        <button
            type="button"
            class="load-preset"
            data-testid=format!("load-{}", preset.id())
            on:click=move |_| {
                // Back returns to the scenario before, and the keyboard moves to the lab's heading.
                crate::share::jump(lab, "lab", move || lab.load_preset(preset));
            }
        >
            {text}
        </button>
    }
}

/// The opening: what happened and what this page lets you do (`content/intro.md`; the static page
/// that `prerender/` writes into `index.html` shows the same words in the same markup).
#[component]
pub fn Intro() -> impl IntoView {
    let intro = &crate::chapters::content::INTRO;
    let (lede, more) = intro.paragraphs.split_first().map_or((None, &[][..]), |(l, m)| (Some(*l), m));
    view! {
        <header class="masthead">
            <p class="kicker">{intro.kicker}</p>
            <h1>{intro.title}</h1>
            {lede.map(|html| view! { <p class="lede" inner_html=html></p> })}
            {more.iter().map(|html| view! { <p class="lede-more" inner_html=*html></p> }).collect_view()}
        </header>
    }
}

/// The problems of the link the page was opened with, and where it opened: a link that opens at the
/// lab or at Explore shows them there too (the reader never sees the top of the page).
#[derive(Clone)]
pub struct LabLinkProblems {
    /// Where the link opened: `lab` or `explore`.
    pub at: &'static str,
    /// What could not be used.
    pub problems: Vec<String>,
}

/// What was wrong with the link the page was opened with, if anything.
#[component]
pub fn LinkProblems(problems: Vec<String>, testid: &'static str) -> impl IntoView {
    (!problems.is_empty()).then(|| {
        view! {
            <div class="notice" data-testid=testid role="status">
                <p>"Some settings in this link could not be used; the page uses its usual settings for those instead:"</p>
                <ul>{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            </div>
        }
    })
}

/// The problems of the page's link, shown at `anchor` when the link opened there.
#[component]
fn LinkProblemsHere(anchor: &'static str) -> impl IntoView {
    let problems = use_context::<LabLinkProblems>().filter(|p| p.at == anchor).map(|p| p.problems).unwrap_or_default();
    view! { <LinkProblems problems=problems testid="lab-link-problems" /> }
}

/// The lab itself, with the text that frames it.
#[component]
pub fn LabSection() -> impl IntoView {
    // On a phone the figures and the failure chart stay stuck at the top while the controls scroll
    // under them. Their height (it changes with a pinned run's legend, or wrapped figures) goes to
    // `--stuck-height`, so a control reached by Tab or scrolled into view stops below them.
    let main_ref = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let Some(main) = main_ref.get() else { return };
        let el: web_sys::Element = main.into();
        let observed = el.clone();
        crate::share::on_resize(&el, move || {
            let height = observed.get_bounding_client_rect().height();
            if let Some(grid) = observed.parent_element() {
                let style = wasm_bindgen::JsCast::unchecked_ref::<web_sys::HtmlElement>(&grid).style();
                let _ = style.set_property("--stuck-height", &format!("{:.0}px", height.ceil()));
            }
        });
    });
    view! {
        <section class="lab" id="lab" data-testid="lab" aria-labelledby="lab-title">
            // The skip link's target: focusable from the link only, so Tab goes on from the lab.
            <h2 id="lab-title" tabindex="-1">{LAB.title}</h2>
            <LinkProblemsHere anchor="lab" />
            <div class="lab-intro" inner_html=LAB.lead></div>
            // The lab mounts, and runs, when the reader comes near it (or tabs to it), as the chapters'
            // widgets do: at the top of the page its views, its run and its charts would only delay
            // the page. The placeholders are the static page's (`ph-lab`, `ph-lab-end`), as tall.
            <WhenNear shape=Shape { class: "ph-lab", controls: 0, charts: 0 }>
                <ArchitectureDiagram />
                <div class="lab-grid">
                    <div class="lab-main" node_ref=main_ref>
                        <Figures />
                        <ChartCard kind=ChartKind::FailureRate height=260.0 />
                    </div>
                    <div class="compare-bar">
                        <PinBar />
                        <SeedsControl />
                    </div>
                    <Controls />
                    <div class="charts">
                        {ChartKind::ALL
                            .into_iter()
                            .filter(|k| *k != ChartKind::FailureRate)
                            .map(|kind| view! { <ChartCard kind=kind waits_offscreen=true /> })
                            .collect_view()}
                    </div>
                </div>
                <RunStatus />
            </WhenNear>
            <Explore />
            <WhenNear shape=Shape { class: "ph-lab-end", controls: 0, charts: 0 }>
                <Patterns />
                <SharePanel />
            </WhenNear>
        </section>
    }
}

/// Beyond one run: the recovery time against any slider, and the phase diagram of two. Both run
/// many simulations in the background workers, so they mount only when the reader comes near.
#[component]
fn Explore() -> impl IntoView {
    view! {
        <div class="explore" id="explore" data-testid="explore">
            <h3 id="explore-title">{LAB.parts[0].title}</h3>
            <LinkProblemsHere anchor="explore" />
            <div class="explore-intro" inner_html=LAB.parts[0].html></div>
            <WhenNear height=420.0>
                <RecoveryCurve />
            </WhenNear>
            // The panel's height before a sweep runs (273 px at 1280 px wide; its controls wrap on a
            // phone): content below it then does not jump when it mounts.
            <WhenNear height=275.0>
                <PhaseDiagram />
            </WhenNear>
        </div>
    }
}

/// Buttons that load each scenario into the lab.
#[component]
fn Patterns() -> impl IntoView {
    view! {
        <div class="patterns" data-testid="incident">
            <h3>"Scenarios to load"</h3>
            <ul class="pattern-list">
                <li><LoadPreset preset=Preset::AsItHappened text="Replay the incident" />" the whole outage on the write-up's clock, 14:20–19:10 UTC (chapter 5)."</li>
                <li><LoadPreset preset=Preset::LessonsApplied text="Apply the lessons" />" the same trigger with local rate limiting, breakers, jittered backoff, a retry budget and jittered reconnects."</li>
                <li><LoadPreset preset=Preset::RetryStorm text="Metastable retry storm" />" retries keep a database down after a short trigger; try load shedding or a retry budget."</li>
                <li><LoadPreset preset=Preset::PoolExhaustion text="Pool exhaustion" />" a slow database holds every connection; calls queue until they time out."</li>
                <li><LoadPreset preset=Preset::CacheMissStorm text="Cache-miss storm" />" a flushed cache sends every read to the database; try the gradual ramp."</li>
                <li><LoadPreset preset=Preset::ReconnectHerd text="Thundering-herd reconnect" />" every client reconnects at once; try reconnect jitter (under Subsystems)."</li>
                <li><LoadPreset preset=Preset::StaleQueue text="Stale-queue goodput collapse" />" a spike leaves a queue of requests nobody waits for; try load shedding, or serving the newest call first."</li>
            </ul>
        </div>
    }
}

/// How to read the figures (`content/reading.md`): one entry per figure.
#[component]
pub fn Reading() -> impl IntoView {
    view! {
        <section class="prose reading" id="reading" aria-labelledby="reading-title">
            <h2 id="reading-title">{READING.title}</h2>
            <dl>
                {READING
                    .parts
                    .iter()
                    .map(|p| view! { <dt>{p.title}</dt><dd inner_html=p.html></dd> })
                    .collect_view()}
            </dl>
        </section>
    }
}

/// What is public record and what is our reconstruction (`content/sources.md`): the first two parts
/// side by side, then what the lessons rest on.
#[component]
pub fn Provenance() -> impl IntoView {
    let [record, reconstruction, lessons] = SOURCES.parts else {
        unreachable!("content/sources.md has three parts (checked at build time)")
    };
    view! {
        <section class="prose provenance" id="sources" aria-labelledby="sources-title" data-testid="provenance">
            <h2 id="sources-title">{SOURCES.title}</h2>
            <div class="two-col">
                <div><h3>{record.title}</h3><div inner_html=record.html></div></div>
                <div><h3>{reconstruction.title}</h3><div inner_html=reconstruction.html></div></div>
            </div>
            <h3>{lessons.title}</h3>
            <div inner_html=lessons.html></div>
        </section>
    }
}
