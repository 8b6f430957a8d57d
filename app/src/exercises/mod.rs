//! Classroom exercises: each one a scenario, the few controls a student may move (with limits), a
//! goal over the run's summary checked on several seeds, a hint, a solution to reveal and notes for
//! the instructor. The exercises themselves are data in `sim_core::exercises`, shared with the
//! `cascade exercise check` command, so a teacher can grade answer links in a batch.

pub mod progress;

use crate::chapters::content::EXERCISES as EXERCISES_PAGE;
use crate::charts::ChartKind;
use crate::controls::{switched_off, unique_id, PathSlider, Pick, Switch};
use crate::knobs::{self, SliderSpec};
use crate::lab::{use_lab, widget_lab};
use crate::share::{base_url, copy_to_clipboard_then, ClassLink};
use crate::views::ChartCard;
use crate::widgets::lazy::{Shape, WhenNear};
use leptos::context::Provider;
use leptos::prelude::*;
use progress::{Entry, Progress};
use sim_core::exercises::{self, Check, Exercise, CHECK_SEEDS};
use sim_core::{share, Params};
use std::borrow::Cow;

/// The exercise a link opened (`?exercise=ID&…` with the student's parameters), if any.
#[derive(Clone, Debug)]
pub struct Opened {
    /// Exercise id.
    pub id: String,
    /// The student's parameters from the link.
    pub params: Params,
}

/// The exercise named by the link's `exercise=` key, with the link's parameters.
pub fn from_location(view: &[(String, String)], params: &Params) -> Option<Opened> {
    let id = view.iter().find(|(k, _)| k == "exercise").map(|(_, v)| v.clone())?;
    exercises::find(&id).map(|_| Opened { id, params: params.clone() })
}

/// The student's progress, shared by every exercise on the page.
#[derive(Clone, Copy)]
pub struct Store {
    /// What is saved.
    pub progress: RwSignal<Progress>,
    /// Notices about stored data that had to be ignored, and failures to save.
    pub notes: RwSignal<Vec<String>>,
    /// Why work is not being saved (storage refused, or progress from a newer version of the
    /// site that must not be written over): each exercise card says so beside the work.
    pub not_saved: RwSignal<Option<String>>,
}

impl Store {
    /// Reads localStorage.
    pub fn load() -> Store {
        let text = progress::stored_text();
        let (p, notes) = Progress::parse(text.as_deref());
        let not_saved = text.as_deref().and_then(Progress::refusal);
        Store { progress: RwSignal::new(p), notes: RwSignal::new(notes), not_saved: RwSignal::new(not_saved) }
    }

    fn record(&self, id: &str, entry: Entry) {
        if self.progress.with_untracked(|p| p.entries.get(id) == Some(&entry)) {
            return;
        }
        match progress::save_entry(id, &entry) {
            // What is saved now, this tab's entry and the others' (another tab may have saved some).
            Ok(saved) => {
                self.progress.set(saved);
                if self.not_saved.with_untracked(Option::is_some) {
                    self.not_saved.set(None);
                }
            }
            Err(e) => {
                self.not_saved.set(Some(e.clone()));
                self.progress.update(|p| {
                    p.entries.insert(id.to_string(), entry);
                });
                let note = format!("Your progress could not be saved: {e}.");
                if !self.notes.with_untracked(|n| n.contains(&note)) {
                    self.notes.update(|n| n.push(note));
                }
            }
        }
    }
}

/// The page's one store (provided by `App` before the chapters are built).
fn use_store() -> Store {
    expect_context::<Store>()
}

/// A slider of the registry narrowed to the exercise's limits.
fn limited(spec: SliderSpec, min: Option<f64>, max: Option<f64>) -> SliderSpec {
    let mut s = spec;
    if let Some(m) = min {
        s.min = s.min.max(m * s.scale);
    }
    if let Some(m) = max {
        s.max = s.max.min(m * s.scale);
    }
    if s.min > s.max {
        s.min = s.max;
    }
    s
}

/// The control for one of the exercise's allowed parameters.
/// Greyed out, as in the lab, while the switch it acts through is off.
fn control(c: &'static exercises::Control, p: &Params) -> AnyView {
    let off = switched_off(c.knob);
    if let Some(k) = knobs::knob(c.knob) {
        let spec = limited(k.clone(), c.min, c.max);
        return match off {
            Some(d) => view! { <PathSlider spec=spec disabled=d /> }.into_any(),
            None => view! { <PathSlider spec=spec /> }.into_any(),
        };
    }
    if let Some(t) = knobs::toggle(c.knob) {
        return match off {
            Some(d) => view! { <Switch id=t.id disabled=d /> }.into_any(),
            None => view! { <Switch id=t.id /> }.into_any(),
        };
    }
    if let Some(ch) = knobs::choice(c.knob) {
        return view! { <Pick id=ch.id /> }.into_any();
    }
    match knobs::fault_sliders(p).into_iter().find(|s| s.id == c.knob) {
        Some(s) => view! { <PathSlider spec=limited(s, c.min, c.max) /> }.into_any(),
        None => view! { <p class="error">{format!("Unknown control `{}`.", c.knob)}</p> }.into_any(),
    }
}

/// The link that opens this exercise with these parameters.
pub fn answer_link(ex: &Exercise, p: &Params) -> String {
    let q = share::encode(Some(ex.preset), p, &[("exercise", ex.id.to_string())]);
    format!("{}?{}#exercise-{}", base_url(), q, ex.id)
}

/// The goal's verdict on each seed.
#[component]
fn SeedResults(check: Memo<Check>) -> impl IntoView {
    view! {
        <ul class="seed-results" data-testid="exercise-seeds">
            {move || {
                check.with(|c| {
                    c.seeds
                        .iter()
                        .map(|s| {
                            let (mark, word) = if s.met { ("✓", "met") } else { ("✕", "not met") };
                            let text = format!("Seed {}: {mark} {word} — {}", s.seed, s.figures);
                            view! { <li class:met=s.met>{text}</li> }
                        })
                        .collect_view()
                })
            }}
        </ul>
        {move || {
            check.with(|c| {
                (!c.problems.is_empty()).then(|| {
                    view! {
                        <ul class="exercise-problems" data-testid="exercise-problems" role="status">
                            {c.problems.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}
                        </ul>
                    }
                })
            })
        }}
    }
}

/// The chart that shows what the goal is about.
fn chart_for(ex: &Exercise) -> ChartKind {
    if ex.goal.metrics().contains(&exercises::Metric::ReconnectTimeS) {
        ChartKind::Connected
    } else {
        ChartKind::FailureRate
    }
}

/// The body of an exercise, inside its own lab.
#[component]
fn ExerciseBody(ex: &'static Exercise, start: Params, saved_problems: Vec<String>) -> impl IntoView {
    let lab = use_lab();
    let store = use_store();
    let check = Memo::new(move |_| lab.params.with(|p| ex.check(p)));
    let met = Memo::new(move |_| check.with(|c| c.met));
    // Save what the student tried, and whether it met the goal.
    let first = StoredValue::new(true);
    let unchanged = start.clone();
    // Opened from an answer link: that is someone else's work (a student's, for a teacher), not
    // this reader's progress, until the reader changes something.
    let from_link = use_context::<Option<Opened>>().flatten().is_some_and(|o| o.id == ex.id);
    let partly_read = !saved_problems.is_empty();
    // The notice about a partly read answer holds until the student changes something.
    let kept_as_saved = RwSignal::new(partly_read);
    Effect::new(move |_| {
        let met = met.get();
        let query = lab.params.with(|p| share::encode(Some(ex.preset), p, &[]));
        if first.get_value() {
            first.set_value(false);
            // Opening the page saves nothing new unless it changed the saved state.
            if from_link
                || partly_read
                || (store.progress.with_untracked(|p| !p.entries.contains_key(ex.id))
                    && lab.params.with_untracked(|p| *p == unchanged))
            {
                return;
            }
        }
        kept_as_saved.set(false);
        store.record(ex.id, Entry { query, met });
    });
    let seeds = CHECK_SEEDS.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ");
    let link = RwSignal::new(None::<String>);
    // Whether the browser let the page copy the link (None while it is asked).
    let copied = RwSignal::new(None::<bool>);
    let solution_start = start.clone();
    let hidden = use_context::<ClassLink>().is_some_and(|c| c.hide_solutions);
    let reset_start = start.clone();
    let params_now = lab.params.get_untracked();
    let link_id = unique_id(&format!("answer-{}", ex.id));
    // While the card still shows the link's settings, it says whose they are.
    let answer = from_link.then(|| params_now.clone());
    let showing_answer = Memo::new(move |_| answer.as_ref().is_some_and(|a| lab.params.with(|p| p == a)));
    view! {
        <header class="exercise-head">
            <h3>{format!("Exercise {}: {}", ex.number(), ex.title)}</h3>
            // Heard out of context when it changes: "Exercise 3: goal met".
            <span class="exercise-status" class:met=move || met.get() role="status" aria-live="polite">
                <span class="visually-hidden">{format!("Exercise {}: goal ", ex.number())}</span>
                <span data-testid="exercise-status">{move || if met.get() { "met" } else { "not met yet" }}</span>
            </span>
        </header>
        {move || store.not_saved.get().map(|e| view! {
            <p class="notice" data-testid="exercise-not-saved" role="status">{format!("Your work here is not saved: {e}.")}</p>
        })}
        {move || kept_as_saved.get().then(|| view! {
            <div class="notice" data-testid="exercise-saved-problems" role="note">
                <p>"Part of your saved answer could not be used, and the rest was applied. It stays saved as it was until you change something:"</p>
                <ul>{saved_problems.clone().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            </div>
        })}
        {move || showing_answer.get().then(|| view! {
            <p class="notice" data-testid="exercise-from-link" role="note">
                "These are the settings of the answer link you opened, not your own saved work. Change anything and
                it becomes yours; \"Start again\" starts from the beginning."
            </p>
        })}
        <p class="exercise-task">{ex.task}</p>
        <p class="exercise-goal">
            <strong>"Goal: "</strong>{ex.goal_text()}
            {format!(". Checked on seeds {seeds}: it counts as met only if every one of those runs meets it, so a lucky run is not enough.")}
        </p>
        <div class="exercise-controls">
            {ex.controls.iter().map(|c| control(c, &params_now)).collect_view()}
        </div>
        <SeedResults check=check />
        <ChartCard kind=chart_for(ex) height=180.0 />
        <details class="exercise-hint">
            <summary>"Hint"</summary>
            <p>{ex.hint}</p>
        </details>
        {if hidden {
            view! { <p class="exercise-solution-hidden" data-testid="exercise-solution-hidden">"Solutions are hidden in this class's link."</p> }.into_any()
        } else {
            view! {
                <details class="exercise-solution">
                    <summary data-testid="exercise-reveal">"Solution"</summary>
                    <p>{ex.solution_text}</p>
                    <button type="button" data-testid="exercise-apply-solution" on:click=move |_| {
                        let mut p = solution_start.clone();
                        for (path, value) in ex.solution {
                            let _ = sim_core::scenario::set_path(&mut p, path, sim_core::scenario::parse_value(value));
                        }
                        lab.update(|q| *q = p);
                    }>"Apply the solution"</button>
                </details>
            }.into_any()
        }}
        <div class="exercise-actions">
            <button type="button" data-testid="exercise-reset" on:click=move |_| {
                let p = reset_start.clone();
                lab.update(|q| *q = p);
            }>"Start again"</button>
            <button type="button" data-testid="exercise-copy" on:click=move |_| {
                let l = lab.params.with_untracked(|p| answer_link(ex, p));
                copied.set(None);
                copy_to_clipboard_then(&l, move |ok| {
                    let _ = copied.try_set(Some(ok));
                });
                link.set(Some(l));
            }>"Copy my answer"</button>
        </div>
        {move || link.get().map(|l| view! {
            <p class="answer-link">
                <label for=link_id.clone()>
                    {move || match copied.get() {
                        Some(true) => "Link to your answer (copied): ",
                        Some(false) => "Link to your answer (select it and copy it: the browser did not let the page copy it): ",
                        None => "Link to your answer: ",
                    }}
                </label>
                <input id=link_id.clone() type="text" readonly data-testid="exercise-answer-link" prop:value=l />
            </p>
        })}
    }
}

/// One exercise card. Its parameters (a link's, the saved answer's or the start) and its lab are
/// made when it mounts (near the viewport), not when the page starts.
#[component]
pub fn ExerciseCard(ex: &'static Exercise, #[prop(optional)] opened: Option<Params>) -> impl IntoView {
    let store = use_store();
    let opened = StoredValue::new(opened);
    view! {
        <article class="exercise" id=format!("exercise-{}", ex.id) data-testid="exercise" data-exercise=ex.id>
            <WhenNear shape=Shape { class: "ph-exercise", controls: ex.controls.len(), charts: 0 }>
                {
                    let start = ex.start_params();
                    // A link's parameters first, then the saved answer, then the start.
                    let saved = store.progress.with_untracked(|p| p.entries.get(ex.id).map(|e| share::decode(&e.query)));
                    // A saved answer with something unreadable in it (a parameter since renamed, a value
                    // out of today's range) opens with the rest applied, says what was left out, and is
                    // not written over until the student changes something.
                    let mut saved_problems = Vec::new();
                    let initial = match (opened.get_value(), saved) {
                        (Some(p), _) => p,
                        (None, Some(d)) => {
                            saved_problems = d.problems;
                            d.params
                        }
                        _ => start.clone(),
                    };
                    let lab = widget_lab(initial, Some(ex.preset));
                    view! {
                        <Provider value=lab>
                            <ExerciseBody ex=ex start=start saved_problems=saved_problems />
                        </Provider>
                    }
                }
            </WhenNear>
        </article>
    }
}

/// The exercises that go with one chapter.
#[component]
pub fn ChapterExercises(chapter: &'static str) -> impl IntoView {
    let opened = use_context::<Option<Opened>>().flatten();
    view! {
        <div class="chapter-exercises">
            {exercises::all()
                .iter()
                .filter(|e| e.chapter == chapter)
                .map(|e| {
                    let p = opened.as_ref().filter(|o| o.id == e.id).map(|o| o.params.clone());
                    match p {
                        Some(p) => view! { <ExerciseCard ex=e opened=p /> }.into_any(),
                        None => view! { <ExerciseCard ex=e /> }.into_any(),
                    }
                })
                .collect_view()}
        </div>
    }
}

/// Every exercise in one list, with the student's progress; the cards themselves are in the
/// chapters.
#[component]
pub fn AllExercises() -> impl IntoView {
    let store = use_store();
    let class_link = use_context::<ClassLink>().unwrap_or_default();
    let done = move || {
        store.progress.with(|p| exercises::all().iter().filter(|e| p.entries.get(e.id).is_some_and(|x| x.met)).count())
    };
    view! {
        <section class="prose exercises-index" id="exercises" aria-labelledby="exercises-title" data-testid="exercises">
            <h2 id="exercises-title">{EXERCISES_PAGE.title}</h2>
            <div inner_html=EXERCISES_PAGE.lead></div>
            {(!class_link.hide_solutions).then(|| {
                let teachers = &EXERCISES_PAGE.parts[0];
                view! { <h3>{teachers.title}</h3><div inner_html=teachers.html></div> }
            })}
            <p data-testid="exercise-progress">{move || format!("You have met {} of {} goals.", done(), exercises::all().len())}</p>
            {move || {
                let notes = store.notes.get();
                (!notes.is_empty()).then(|| view! {
                    <div class="notice" role="status" data-testid="storage-notice">
                        {notes.into_iter().map(|n| view! { <p>{n}</p> }).collect_view()}
                    </div>
                })
            }}
            <ol class="exercise-list">
                {exercises::all()
                    .iter()
                    .map(|e| {
                        let met = move || store.progress.with(|p| p.entries.get(e.id).is_some_and(|x| x.met));
                        view! {
                            <li>
                                <a href=format!("#exercise-{}", e.id)>{e.title}</a>
                                " — "{e.goal_text()}" "
                                <span class="badge" class:met=met>{move || if met() { "✓ met" } else { "not met yet" }}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </section>
    }
}

/// One exercise as the instructor sees it: goal, solution, the figures at the start and with the
/// solution on the check seeds, notes and questions.
#[component]
fn InstructorCard(ex: &'static Exercise) -> impl IntoView {
    let start = ex.check(&ex.start_params());
    let solved = ex.check(&ex.solution_params());
    let figures = |c: &Check| {
        c.seeds
            .iter()
            .map(|s| format!("seed {}: {} ({})", s.seed, if s.met { "met" } else { "not met" }, s.figures))
            .collect::<Vec<_>>()
    };
    let controls = ex
        .controls
        .iter()
        .map(|c| {
            let label = knobs::knob(c.knob)
                .map(|k| Cow::Borrowed(k.label.as_ref()))
                .or_else(|| knobs::toggle(c.knob).map(|t| Cow::Borrowed(t.label)))
                .or_else(|| knobs::choice(c.knob).map(|t| Cow::Borrowed(t.label)))
                .unwrap_or(Cow::Borrowed(c.knob))
                .into_owned();
            let limits = match (c.min, c.max) {
                (Some(a), Some(b)) => format!(" ({a}–{b})"),
                (None, Some(b)) => format!(" (at most {b})"),
                (Some(a), None) => format!(" (at least {a})"),
                (None, None) => String::new(),
            };
            format!("{label} [{}]{limits}", c.path)
        })
        .collect::<Vec<_>>()
        .join("; ");
    let solution = ex.solution.iter().map(|(p, v)| format!("{p} = {v}")).collect::<Vec<_>>().join(", ");
    let start_link = answer_link(ex, &ex.start_params());
    view! {
        <article class="instructor-card" data-testid="instructor-exercise">
            <h2>{format!("{}. {}", ex.number(), ex.title)}</h2>
            <p class="meta">{format!("Chapter: {} · scenario: {} · id: {}", chapter_title(ex.chapter), ex.preset.title(), ex.id)}</p>
            <p><strong>"Task. "</strong>{ex.task}</p>
            <p><strong>"Goal. "</strong>{ex.goal_text()}{format!(" (checked on seeds {}; all must meet it).", CHECK_SEEDS.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", "))}</p>
            <p><strong>"Controls the student may move. "</strong>{controls}</p>
            <p><strong>"Hint. "</strong>{ex.hint}</p>
            <p><strong>"Solution. "</strong><code>{solution}</code>" — "{ex.solution_text}</p>
            <div class="two-col">
                <div>
                    <h3>"At the start"</h3>
                    <ul>{figures(&start).into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}</ul>
                </div>
                <div>
                    <h3>"With the solution"</h3>
                    <ul>{figures(&solved).into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}</ul>
                </div>
            </div>
            <p><strong>"Notes. "</strong>{ex.instructor_notes}</p>
            <h3>"Discussion questions"</h3>
            <ol>{ex.questions.iter().map(|q| view! { <li>{*q}</li> }).collect_view()}</ol>
            <p class="no-print"><a href=start_link>"Open this exercise"</a></p>
        </article>
    }
}

/// A pasted line split into who sent it and the link: "Ana: https://…?…&exercise=…" (or "Ana",
/// a tab, the link, as a spreadsheet's two columns paste). The link is the word holding
/// `exercise=` (else the first holding `?`); what comes before it, without a closing `:`, `-`, `–`,
/// `,` or `;`, is the label. A line without a link keeps a name before its colon as its label.
fn split_label(line: &str) -> (Option<&str>, &str) {
    let words: Vec<(usize, &str)> =
        line.split_whitespace().map(|w| (w.as_ptr() as usize - line.as_ptr() as usize, w)).collect();
    let link = words
        .iter()
        .rev()
        .find(|(_, w)| w.contains("exercise="))
        .or_else(|| words.iter().find(|(_, w)| w.contains('?')));
    let Some(&(at, _)) = link else {
        // No link on the line: a name before a colon is still who sent it ("Dee: I could not do
        // it"), so that the teacher knows whose line is not an answer.
        return match line.split_once(':') {
            Some((name, rest)) if is_name(name.trim()) && !rest.starts_with("//") => (Some(name.trim()), rest.trim()),
            _ => (None, line.trim()),
        };
    };
    let label = line[..at].trim().trim_end_matches([':', '-', '–', ',', ';']).trim();
    ((!label.is_empty()).then_some(label), line[at..].trim())
}

/// Whether the text before a colon on a line without a link reads as a name: not empty, and a
/// few words at most (not a sentence that happens to hold a colon).
fn is_name(text: &str) -> bool {
    !text.is_empty() && text.chars().count() <= 40 && text.split_whitespace().count() <= 4
}

/// At most this many pasted links are checked at once.
const MAX_ANSWERS: usize = 200;

/// The pasted links checked so far: (line, result).
type Checked = RwSignal<Vec<(String, Result<exercises::Answer, String>)>>;

/// One checked answer link as the instructor view shows it: which exercise, met or not on each check
/// seed, and a way to open it (on this site, whatever address it was pasted with). Its figures are
/// folded away when several links are shown.
fn answer_view(
    number: usize,
    label: Option<String>,
    result: Result<exercises::Answer, String>,
    unfold: bool,
    same_as: Option<usize>,
) -> AnyView {
    // "3. Ana — " before the exercise's title or the error.
    let number = match label {
        Some(l) => format!("{number}. {l} — "),
        None => format!("{number}. "),
    };
    let again = same_as.map(|n| view! { <span class="answer-again" data-testid="check-answer-again">{format!(" (the same link as no. {n})")}</span> });
    match result {
        Err(e) => {
            view! { <p class="error" data-testid="check-answer-error">{format!("{number}{e}")}{again}</p> }.into_any()
        }
        Ok(a) => {
            let ex = a.exercise;
            let seeds: Vec<String> = exercises::CHECK_SEEDS.iter().map(u64::to_string).collect();
            let verdict = if a.check.met {
                format!("Met on every seed ({}).", seeds.join(", "))
            } else if !a.check.problems.is_empty() {
                // Which setting, so that a teacher can tell a hand-edited link from an old one.
                format!("Not met, not a possible answer: {}.", a.check.problems.join("; "))
            } else {
                let missed: Vec<String> = a.check.seeds.iter().filter(|s| !s.met).map(|s| s.seed.to_string()).collect();
                format!("Not met on {} of {} seeds ({}).", missed.len(), seeds.len(), missed.join(", "))
            };
            let open = format!("{}?{}#exercise-{}", base_url(), a.query, ex.id);
            let seed_lines = a
                .check
                .seeds
                .iter()
                .map(|s| format!("seed {}: {} ({})", s.seed, if s.met { "met" } else { "not met" }, s.figures));
            view! {
                <div class="check-answer-result" data-testid="check-answer-result" data-met=a.check.met.to_string()>
                    <p class="answer-line">
                        {number}<strong>{ex.title}</strong>" "
                        <span class="verdict" class:met=a.check.met data-testid="check-answer-verdict">{verdict}</span>" "
                        <a href=open data-testid="check-answer-open">"Open it"</a>
                        {again}
                    </p>
                    <details open=unfold>
                        <summary>"Goal and figures"</summary>
                        <p>{ex.goal_text()}</p>
                        <ul>
                            {a.check.problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                            {seed_lines.map(|l| view! { <li>{l}</li> }).collect_view()}
                            {a.link_problems.into_iter().map(|p| view! { <li>{format!("not read from the link: {p}")}</li> }).collect_view()}
                        </ul>
                    </details>
                </div>
            }
            .into_any()
        }
    }
}

/// Students' answer links, pasted (one per line) and checked here. Each link runs its exercise on
/// the check seeds, one link per task so that a class's worth of links never freezes the page, and
/// the results show together once all are in; a line already checked is not run again while the
/// text is edited.
#[component]
fn CheckAnswers() -> impl IntoView {
    // What the teacher pasted survives a reload of this tab (sessionStorage; nothing if it is unavailable).
    const KEY: &str = "cascade-lab:answer-links";
    let storage = || web_sys::window().and_then(|w| w.session_storage().ok().flatten());
    let text = RwSignal::new(storage().and_then(|s| s.get_item(KEY).ok().flatten()).unwrap_or_default());
    Effect::new(move |first: Option<()>| {
        let t = text.get();
        if first.is_some() {
            if let Some(s) = storage() {
                let _ = s.set_item(KEY, &t);
            }
        }
    });
    let lines = Memo::new(move |_| {
        text.with(|t| t.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect::<Vec<_>>())
    });
    let checked: Checked = RwSignal::new(Vec::new());
    let busy = StoredValue::new(false);
    // Checks the first line without a result, then (in a task of its own) the next.
    fn next(lines: Memo<Vec<String>>, checked: Checked, busy: StoredValue<bool>) {
        let todo = lines.with_untracked(|ls| {
            checked.with_untracked(|c| ls.iter().take(MAX_ANSWERS).find(|l| !c.iter().any(|(k, _)| k == *l)).cloned())
        });
        let Some(line) = todo else {
            busy.set_value(false);
            return;
        };
        busy.set_value(true);
        set_timeout(
            move || {
                let result = exercises::check_answer_link(split_label(&line).1);
                let kept = checked.try_update(|c| {
                    // Forget lines no longer there, so that the list stays as long as the text.
                    lines.with_untracked(|ls| c.retain(|(k, _)| ls.contains(k)));
                    c.push((line, result));
                });
                if kept.is_some() {
                    next(lines, checked, busy);
                }
            },
            std::time::Duration::ZERO,
        );
    }
    Effect::new(move |_| {
        lines.track();
        if !busy.get_value() {
            next(lines, checked, busy);
        }
    });
    let results = move || {
        let n = lines.with(Vec::len);
        let shown: Vec<String> = lines.with(|ls| ls.iter().take(MAX_ANSWERS).cloned().collect());
        let found: Vec<Option<Result<exercises::Answer, String>>> =
            checked.with(|c| shown.iter().map(|l| c.iter().find(|(k, _)| k == l).map(|(_, r)| r.clone())).collect());
        let done = found.iter().flatten().count();
        if done < shown.len() {
            let text = match shown.len() {
                1 => "Checking…".to_string(),
                n => format!("Checking {done} of {n} links…"),
            };
            return view! { <p class="checking" data-testid="check-answer-pending">{text}</p> }.into_any();
        }
        let met = found.iter().flatten().filter(|r| r.as_ref().is_ok_and(|a| a.check.met)).count();
        let cut = (n > MAX_ANSWERS).then(|| format!(" Only the first {MAX_ANSWERS} of {n} links are checked."));
        let summary = (n > 1).then(|| {
            view! {
                <p data-testid="check-answer-summary">
                    {format!("{met} of {} links meet their goal.{}", shown.len(), cut.unwrap_or_default())}
                </p>
            }
        });
        let one = shown.len() == 1;
        let rows = found
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, r)| {
                // A link pasted twice (a student who sent it twice) is said to be one.
                let same_as = shown[..i].iter().position(|l| *l == shown[i]).map(|j| j + 1);
                answer_view(i + 1, split_label(&shown[i]).0.map(str::to_string), r, one, same_as)
            })
            .collect_view();
        view! { {summary}{rows} }.into_any()
    };
    view! {
        <section class="check-answer no-print" data-testid="check-answer" aria-labelledby="check-answer-title">
            <h2 id="check-answer-title">"Check students' answers"</h2>
            <label for="check-answer-link">
                "Paste the links students sent you (\"Copy my answer\"), one per line; a name before a link (\"Ana: https://…\") is shown with its result"
            </label>
            <textarea
                id="check-answer-link"
                rows="3"
                spellcheck="false"
                autocomplete="off"
                data-testid="check-answer-link"
                prop:value=text
                on:input=move |ev| text.set(event_target_value(&ev))
            ></textarea>
            <div role="status" aria-live="polite">{results}</div>
        </section>
    }
}

/// The instructor view (`?instructor=1`): every exercise's goal, solution, expected figures and
/// discussion questions, laid out for printing.
#[component]
pub fn InstructorView(
    /// What in the link could not be used (the view shows them at its top).
    problems: Vec<String>,
) -> impl IntoView {
    let main_page = base_url();
    let class_link = format!("{main_page}?solutions=hide#exercises");
    view! {
        <main class="instructor" data-testid="instructor">
            <header class="masthead">
                <p class="kicker">"Cascade Lab · for instructors"</p>
                <h1>"Exercises, solutions and discussion questions"</h1>
                <p class="lede">
                    "Each exercise gives students a scenario and a few controls with limits. The page checks the goal
                    on seeds 1, 2 and 3 and calls it met only if all three runs meet it. Students can send you their
                    answer as a link: paste their links below (a class's at once), or open one, to see their
                    settings and whether they meet the goal. The figures below were computed by this page just now."
                </p>
                <crate::narrative::LinkProblems problems=problems testid="link-problems" />
                <details class="no-print scripting">
                    <summary>"Grading from a script"</summary>
                    <p>
                        "The project's command-line tool checks links and scenario files the same way: "
                        <code>"cascade exercise check ID --link URL"</code>
                        " (exit code 0 met, 1 not met, 2 bad input). From the project's source: "
                        <code>"cargo run --release -p cascade -- exercise check …"</code>", as its README says."
                    </p>
                </details>
                <p class="no-print" data-testid="class-link">
                    "For a class that should work the exercises out for themselves, send this link: it hides the
                    solutions (a student who removes "<code>"solutions=hide"</code>" sees them again): "
                    <a href=class_link.clone()>{class_link.clone()}</a>
                </p>
                <p class="no-print">
                    <a href=main_page>"← Back to the chapters"</a>" · "
                    <button type="button" class="print-button" on:click=move |_| { let _ = window().print(); }>"Print"</button>
                </p>
            </header>
            <CheckAnswers />
            {exercises::all().iter().map(|e| view! { <InstructorCard ex=e /> }).collect_view()}
        </main>
    }
}

/// "4. The retry storm" for a chapter's id (the id itself if no chapter has it).
fn chapter_title(id: &str) -> String {
    crate::chapters::content::CHAPTERS
        .iter()
        .find(|c| c.id == id)
        .map(|c| format!("{}. {}", c.number, c.title))
        .unwrap_or_else(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chapters::content::{Block, CHAPTERS};

    #[test]
    fn every_exercise_appears_in_a_chapter_and_names_real_controls() {
        for ex in exercises::all() {
            let c = CHAPTERS
                .iter()
                .find(|c| c.id == ex.chapter)
                .unwrap_or_else(|| panic!("{}: chapter {}", ex.id, ex.chapter));
            assert!(
                c.blocks.iter().any(|b| matches!(b, Block::Exercises)),
                "chapter {} has no `::: exercises` block",
                c.id
            );
            for ctl in ex.controls {
                assert!(knobs::exists(ctl.knob), "{}: control {}", ex.id, ctl.knob);
                // The slider, switch or choice the student moves sets the parameter the checker reads.
                let start = ex.start_params();
                let path = knobs::knob(ctl.knob)
                    .map(|k| k.path.to_string())
                    .or_else(|| knobs::toggle(ctl.knob).map(|t| t.path.to_string()))
                    .or_else(|| knobs::choice(ctl.knob).map(|c| c.path.to_string()))
                    .or_else(|| {
                        knobs::fault_sliders(&start).into_iter().find(|s| s.id == ctl.knob).map(|s| s.path.to_string())
                    })
                    .unwrap_or_else(|| panic!("{}: no control `{}` in this exercise's scenario", ex.id, ctl.knob));
                let dotted = |p: &str| p.replace('[', ".").replace(']', "");
                assert_eq!(
                    dotted(&path),
                    dotted(ctl.path),
                    "{}: control `{}` moves {path}, but the exercise lists it with {}",
                    ex.id,
                    ctl.knob,
                    ctl.path
                );
            }
        }
        assert!(exercises::all().len() >= 8);
    }

    #[test]
    fn a_threshold_exercises_steps_are_its_sliders() {
        // The checker refuses a threshold between the steps it knows (sim-core's `Goal::Threshold`'s
        // `step`): they must be the student's slider's, or a slider position would be refused.
        let p = sim_core::Preset::Failover.params();
        for ex in exercises::all() {
            let exercises::Goal::Threshold { path, step, .. } = ex.goal else { continue };
            let c = ex.control_for(path).expect("a control");
            let k =
                knobs::knob(c.knob).cloned().or_else(|| knobs::fault_sliders(&p).into_iter().find(|s| s.id == c.knob));
            let k = k.expect("a slider");
            assert_eq!(k.step / k.scale, step, "{}: {}", ex.id, c.knob);
        }
    }

    #[test]
    fn a_pasted_line_is_split_into_its_label_and_its_link() {
        let link =
            "https://school.example/cascade/?v=2&p=failover&exercise=normal-day-capacity#exercise-normal-day-capacity";
        assert_eq!(split_label(link), (None, link));
        assert_eq!(split_label(&format!("  {link}  ")), (None, link));
        assert_eq!(split_label(&format!("Ana: {link}")), (Some("Ana"), link));
        assert_eq!(split_label(&format!("Ana Lima\t{link}")), (Some("Ana Lima"), link));
        assert_eq!(split_label(&format!("Group 3 (Ana, Bo) - {link}")), (Some("Group 3 (Ana, Bo)"), link));
        assert_eq!(split_label("?exercise=x"), (None, "?exercise=x"));
        // No link on the line: the whole line is checked (and said not to be an answer link).
        assert_eq!(split_label("  hello there "), (None, "hello there"));
        // …keeping the name of whoever sent it, when there is one.
        assert_eq!(split_label("Dee: hello world"), (Some("Dee"), "hello world"));
        assert_eq!(split_label("Group 3 (Ana, Bo): no link"), (Some("Group 3 (Ana, Bo)"), "no link"));
        assert_eq!(split_label("https://school.example/cascade/"), (None, "https://school.example/cascade/"));
        assert_eq!(
            split_label("I tried everything and then it said: nothing"),
            (None, "I tried everything and then it said: nothing")
        );
        // A label with a question mark: the link is the word naming an exercise.
        assert_eq!(split_label(&format!("Who? Bo: {link}")), (Some("Who? Bo"), link));
    }

    #[test]
    fn an_exercises_limits_are_its_sliders_range() {
        // The instructor view states each control's limits: the student's slider must reach them, or
        // a question about a value outside the slider ("why does a pool of 3 fail?") cannot be tried.
        for ex in exercises::all() {
            for c in ex.controls {
                let Some(k) = knobs::knob(c.knob) else { continue };
                let s = limited(k.clone(), c.min, c.max);
                for (limit, on_slider, end) in [(c.min, s.min, "starts"), (c.max, s.max, "ends")] {
                    if let Some(m) = limit {
                        let at = on_slider / k.scale;
                        assert!((at - m).abs() < 1e-9, "{}: {} {end} at {at} on the slider, not {m}", ex.id, c.knob);
                    }
                }
            }
        }
    }
}
