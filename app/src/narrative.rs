//! The page's prose, kept apart from the widgets it places.

use crate::charts::ChartKind;
use crate::compare::curve::RecoveryCurve;
use crate::compare::phase::PhaseDiagram;
use crate::compare::pin::PinBar;
use crate::compare::seeds::SeedsControl;
use crate::controls::Controls;
use crate::lab::use_lab;
use crate::share::SharePanel;
use crate::views::{ChartCard, Figures, RunStatus};
use crate::widgets::architecture::ArchitectureDiagram;
use crate::widgets::lazy::WhenNear;
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
    let lab = use_lab();
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
                <p>"Some settings in this link could not be used; the rest were applied:"</p>
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
    view! {
        <section class="lab" id="lab" data-testid="lab" aria-labelledby="lab-title">
            <h2 id="lab-title">"The lab"</h2>
            <LinkProblemsHere anchor="lab" />
            <p class="lab-intro">
                "Pick a scenario, then move anything. In the core cascade requests arrive at random, 60,000 a
                second on average; one minute in, the Redis primary drops for the failover time you choose (orange
                band). Each request checks its rate limit in Redis; when Redis does not answer within 2 s, the API
                asks PostgreSQL instead, at twice the cost of a normal query."
            </p>
            <ArchitectureDiagram />
            <div class="lab-grid">
                <div class="lab-main">
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
                        .map(|kind| view! { <ChartCard kind=kind /> })
                        .collect_view()}
                </div>
            </div>
            <RunStatus />
            <Explore />
            <Patterns />
            <SharePanel />
        </section>
    }
}

/// Beyond one run: the recovery time against any slider, and the phase diagram of two. Both run
/// many simulations in the background workers, so they mount only when the reader comes near.
#[component]
fn Explore() -> impl IntoView {
    view! {
        <div class="explore" id="explore" data-testid="explore">
            <h3 id="explore-title">"Where is the tipping point?"</h3>
            <LinkProblemsHere anchor="explore" />
            <p>
                "One run says what happens with these settings. The chart below runs the same scenario over the whole
                range of one setting, so you can see where recovery turns into no recovery — and, as you move the other
                sliders, how that point moves. The phase diagram does the same for two settings at once."
            </p>
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

/// How to read the lab, and what to try.
#[component]
pub fn Reading() -> impl IntoView {
    view! {
        <section class="prose">
            <h2>"How to read the figures"</h2>
            <dl>
                <dt>"Failure rate"</dt>
                <dd>
                    "Failed attempts ÷ attempts that ended in that interval (5 seconds; 30 in the replay), retries
                    included. An attempt fails when the client's timeout (30 seconds unless you change it) expires, when it waits too long for
                    a database connection, when a breaker rejects it, when its rate limit cannot be checked, when it is
                    shed, throttled by the client itself, or cannot reach the edge."
                </dd>
                <dt>"Recovery after the fault ends"</dt>
                <dd>
                    "Time from the end of the last fault to the start of the final stretch in which every interval's
                    failure rate is below 1%, provided that stretch lasts at least 60 seconds. If the run ends
                    while still failing, it did not recover."
                </dd>
                <dt>"Users affected for"</dt>
                <dd>
                    "From the start of the first fault to that same moment of recovery. It counts failing requests; a
                    user whose WebSocket is down makes none. So with the gateway on, a line under it says when every
                    user who has not given up is connected again (99% of them, for good), counted from the fault's end."
                </dd>
                <dt>"Attempts per request"</dt>
                <dd>
                    "All attempts ÷ user requests: 1.00 means nobody retried; 4.00 means every request used all four
                    attempts. On the chart, per interval, it can go higher: retries of requests that arrived earlier
                    land in later intervals."
                </dd>
                <dt>"Requests lost"</dt>
                <dd>
                    "Requests whose every attempt failed. A failure rate of 100% for a while can still lose no
                    request, if the retries succeed later."
                </dd>
                <dt>"Units"</dt>
                <dd>
                    "Each simulated request stands for several thousand real ones (5,000 in the core cascade) and
                    each simulated user for many real users, so counts of requests, messages and users are shown
                    multiplied. Times, rates and the database's own figures (connections, query times) are the
                    model's own."
                </dd>
            </dl>
        </section>
    }
}

/// What is public record and what is our reconstruction.
#[component]
pub fn Provenance() -> impl IntoView {
    view! {
        <section class="prose provenance" id="sources" data-testid="provenance">
            <h2>"What is known, and what is our reconstruction"</h2>
            <div class="two-col">
                <div>
                    <h3>"Public record"</h3>
                    <ul>
                        <li>"Discord's API had a long outage on Wednesday 26 January 2022; press reports quoting the status page put its start around 19:49 UTC."</li>
                        <li>"The status page said the underlying API issue had been found but that Discord was \"dealing with a secondary issue on one of our database clusters\"."</li>
                        <li>"Logins were rate-limited while the database was repaired, and the limits were raised step by step once it was healthy; parts of the slash-command system were turned down to cut database load."</li>
                        <li>"Similar mechanics appear in Discord's other public incidents: Redis cache nodes and a thundering herd on the data store (February 2019), features kept off during recovery (March 2022), load shedding letting users back in stages (November 2023)."</li>
                    </ul>
                </div>
                <div>
                    <h3>"Reconstruction"</h3>
                    <ul>
                        <li>"The chain shown here — Redis primary failover as trigger, rate-limit checks falling back to PostgreSQL, 30-second timeouts, the exhausted pool — comes from a third-party write-up of the incident, not from a Discord postmortem. No public source confirms it."</li>
                        <li>"That write-up's timeline runs 14:30–18:53 UTC, which does not match the press reports' clock; where this site replays it, it uses the write-up's clock and says so."</li>
                        <li>"All numbers in the model (traffic, pool size, query costs) are chosen to reproduce the shape of the story, not measured at Discord."</li>
                    </ul>
                </div>
            </div>
            <h3>"What the lessons rest on"</h3>
            <p>
                "The behaviour itself is well documented. Bronson and colleagues (HotOS 2021) named "
                <em>"metastable failures"</em>
                ": a trigger pushes an open system into a bad state that persists after the trigger is gone,
                held there by a sustaining effect such as retries. Huang and colleagues (OSDI 2022) found retries
                to be the most common sustaining effect across 22 incidents. Google's SRE book and the AWS
                Builders' Library describe the defences shown here: circuit breakers, backoff with jitter, retry
                budgets, adaptive throttling, load shedding."
            </p>
        </section>
    }
}
