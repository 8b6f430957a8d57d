//! The lab's controls: sliders, switches and choices from the registry in `knobs.rs`, the preset
//! picker, and the groups that keep the panel readable.

use crate::format;
use crate::knobs::{self, SliderSpec};
use crate::lab::use_lab;
use leptos::prelude::*;
use serde_json::{json, Value};
use sim_core::Preset;

thread_local! {
    static NEXT_ID: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// An element id unique on the page: the same control can appear in the lab and in widgets.
pub fn unique_id(prefix: &str) -> String {
    let n = NEXT_ID.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    format!("{prefix}-{n}")
}

/// What a screen reader says for a slider's value: the shown value with its unit, once. A value
/// shown with words or symbols ("2 min", "none", "12/s = 60 k/s", "50%") carries its own unit; a
/// unit that starts with "%" continues a percentage ("50%" and "% failed" read "50% failed").
pub fn value_text(shown: &str, unit: &str) -> String {
    if unit.is_empty() {
        return shown.to_string();
    }
    if let Some(rest) = unit.strip_prefix('%') {
        if shown.ends_with('%') {
            return format!("{shown}{rest}");
        }
    }
    if shown.chars().any(|c| c.is_alphabetic() || matches!(c, '%' | '×' | '/')) {
        shown.to_string()
    } else if shown == "1" && unit.len() > 2 && unit.ends_with('s') && unit.chars().all(char::is_alphabetic) {
        // "1 connection", not "1 connections".
        format!("1 {}", &unit[..unit.len() - 1])
    } else {
        format!("{shown} {unit}")
    }
}

/// A labelled range input over the parameter at `spec.path`, with its current value and unit.
#[component]
pub fn PathSlider(
    /// What the slider moves.
    spec: SliderSpec,
    /// Grey the slider out while this returns true.
    #[prop(optional, into)]
    disabled: Option<Signal<bool>>,
) -> impl IntoView {
    let lab = use_lab();
    let SliderSpec { id, path, label, unit, help, min, max, step, scale, integer, show } = spec;
    let read_path = path.clone();
    let value = Memo::new(move |_| lab.value(&read_path).and_then(|v| v.as_f64()).unwrap_or(min / scale) * scale);
    let (help, label) = (help.into_owned(), label.into_owned());
    let input_id = unique_id(&format!("knob-{id}"));
    let disabled = move || disabled.map(|d| d.get()).unwrap_or(false);
    let error = RwSignal::new(None::<String>);
    let title = help.clone();
    // Sets the slider's value (in its shown units), within its range and on its steps.
    let path = StoredValue::new(path);
    let set = move |v: f64| {
        let raw = v.clamp(min, max) / scale;
        let value = if integer { json!(raw.round() as u64) } else { json!(raw) };
        error.set(lab.set_path(&path.read_value(), value).err().map(|e| e.to_string()));
    };
    // One step down or up: shown on touch screens (style/main.css), where a step of a long range is
    // a few pixels of the slider.
    let step_by = move |dir: f64| {
        let k = ((value.get_untracked() - min) / step).round() + dir;
        // On the slider's grid, without the float noise of `min + k · step` (0.30000000000000004).
        set(((min + k * step) * 1e9).round() / 1e9);
    };
    let (less, more) = (format!("{label}: one step less"), format!("{label}: one step more"));
    view! {
        <div class="knob" class:disabled=disabled title=title>
            <label for=input_id.clone()>
                <span class="knob-label">{label}</span>
                // Not a live region (an <output> is one by default): the slider itself says its
                // value as it moves, and Play or a new scenario would otherwise speak every change.
                <output aria-live="off" data-testid=format!("value-{id}")>{move || show(value.get())}</output>
            </label>
            <div class="knob-row">
                <button
                    type="button"
                    class="knob-step"
                    data-testid=format!("step-down-{id}")
                    aria-label=less
                    prop:disabled=move || { disabled() || value.get() <= min }
                    on:click=move |_| step_by(-1.0)
                >
                    "−"
                </button>
                <input
                    type="range"
                    id=input_id
                    data-testid=format!("slider-{id}")
                    min=min
                    max=max
                    step=step
                    aria-valuetext=move || value_text(&show(value.get()), unit)
                    prop:value=move || value.get().to_string()
                    prop:disabled=disabled
                    on:input=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                            set(v);
                        }
                    }
                />
                <button
                    type="button"
                    class="knob-step"
                    data-testid=format!("step-up-{id}")
                    aria-label=more
                    prop:disabled=move || { disabled() || value.get() >= max }
                    on:click=move |_| step_by(1.0)
                >
                    "+"
                </button>
            </div>
            <span class="knob-help">{help}</span>
            {move || error.get().map(|e| view! { <span class="error">{e}</span> })}
        </div>
    }
}

/// A slider from the registry by id.
#[component]
pub fn Knob(
    /// The knob's id in [`knobs::KNOBS`].
    id: &'static str,
    /// Grey the slider out while this returns true.
    #[prop(optional, into)]
    disabled: Option<Signal<bool>>,
) -> impl IntoView {
    let spec = knobs::knob(id).expect("a registered knob").clone();
    match disabled {
        Some(d) => view! { <PathSlider spec=spec disabled=d /> }.into_any(),
        None => view! { <PathSlider spec=spec /> }.into_any(),
    }
}

/// A checkbox over a boolean parameter of the registry.
#[component]
pub fn Switch(
    /// The toggle's id in [`knobs::TOGGLES`].
    id: &'static str,
    /// A sub-option: indented, and greyed out while this returns true.
    #[prop(optional, into)]
    disabled: Option<Signal<bool>>,
) -> impl IntoView {
    let lab = use_lab();
    let t = knobs::toggle(id).expect("a registered toggle");
    let on = Memo::new(move |_| lab.value(t.path).and_then(|v| v.as_bool()).unwrap_or(false));
    let sub = disabled.is_some();
    let disabled = move || disabled.map(|d| d.get()).unwrap_or(false);
    view! {
        <label class="toggle" class:sub=sub class:disabled=disabled title=t.help>
            <input
                type="checkbox"
                data-testid=format!("toggle-{}", t.id)
                prop:disabled=disabled
                prop:checked=move || on.get()
                on:change=move |ev| {
                    let _ = lab.set_path(t.path, Value::Bool(event_target_checked(&ev)));
                }
            />
            <span>{t.label}</span>
        </label>
    }
}

/// Whether the toggle with this id is on, as a signal.
pub fn is_on(id: &'static str) -> Signal<bool> {
    let lab = use_lab();
    let t = knobs::toggle(id).expect("a registered toggle");
    Signal::derive(move || lab.value(t.path).and_then(|v| v.as_bool()).unwrap_or(false))
}

/// A select over a parameter with named values.
#[component]
pub fn Pick(
    /// The choice's id in [`knobs::CHOICES`].
    id: &'static str,
) -> impl IntoView {
    let lab = use_lab();
    let c = knobs::choice(id).expect("a registered choice");
    let current = move || lab.value(c.path).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    view! {
        <label class="select">
            <span class="knob-label">{c.label}</span>
            <select
                data-testid=format!("select-{}", c.id)
                prop:value=current
                on:change=move |ev| {
                    let _ = lab.set_path(c.path, Value::String(event_target_value(&ev)));
                }
            >
                {c.options.iter().map(|(v, label)| view! { <option value=*v>{*label}</option> }).collect_view()}
            </select>
        </label>
    }
}

/// One control by id, whatever its kind.
#[component]
pub fn Control(id: String) -> impl IntoView {
    let lab = use_lab();
    if let Some(k) = knobs::knob(&id) {
        return view! { <PathSlider spec=k.clone() /> }.into_any();
    }
    if let Some(t) = knobs::toggle(&id) {
        return view! { <Switch id=t.id /> }.into_any();
    }
    if let Some(c) = knobs::choice(&id) {
        return view! { <Pick id=c.id /> }.into_any();
    }
    // A fault slider: made from the scenario's faults (it follows them when they change).
    let spec = Memo::new(move |_| lab.params.with(knobs::fault_sliders).into_iter().find(|s| s.id == id.as_str()));
    view! { {move || spec.get().map(|s| view! { <PathSlider spec=s /> })} }.into_any()
}

/// Chooses the scenario.
#[component]
pub fn PresetPicker() -> impl IntoView {
    let lab = use_lab();
    let current = move || lab.preset.get().map(|p| p.id()).unwrap_or("custom").to_string();
    let summary = move || lab.preset.get().map(|p| p.summary()).unwrap_or("A scenario of your own.");
    view! {
        <div class="preset-picker">
            <label class="select">
                <span class="knob-label">"Scenario"</span>
                <select
                    data-testid="preset-picker"
                    prop:value=current
                    on:change=move |ev| {
                        if let Some(p) = Preset::from_id(&event_target_value(&ev)) {
                            lab.load_preset(p);
                        }
                    }
                >
                    {Preset::ALL.iter().map(|p| view! { <option value=p.id()>{p.title()}</option> }).collect_view()}
                    <option value="custom" disabled=true>"Custom (loaded from a file or link)"</option>
                </select>
            </label>
            <p class="preset-summary" data-testid="preset-summary">{summary}</p>
        </div>
    }
}

/// The scenario's faults, one group of sliders each.
#[component]
fn FaultControls() -> impl IntoView {
    let lab = use_lab();
    let sliders = Memo::new(move |_| lab.params.with(knobs::fault_sliders));
    view! {
        {move || {
            let s = sliders.get();
            if s.is_empty() {
                view! { <p class="knob-help">"This scenario has no fault with a duration."</p> }.into_any()
            } else {
                s.into_iter()
                    .map(|spec| {
                        if spec.id.ends_with("-gap") {
                            // What the failover loses matters only to a cache or sessions.
                            let nothing_to_lose = Signal::derive(move || lab.params.with(|p| !p.cache.enabled && !p.sessions.enabled));
                            view! { <PathSlider spec=spec disabled=nothing_to_lose /> }.into_any()
                        } else {
                            view! { <PathSlider spec=spec /> }.into_any()
                        }
                    })
                    .collect_view()
                    .into_any()
            }
        }}
    }
}

/// Operator actions of the scenario: listed with their times, and switched on or off together.
#[component]
fn OperatorActions() -> impl IntoView {
    let lab = use_lab();
    let preset_actions = move || lab.preset.get().map(|p| p.params().actions).unwrap_or_default();
    let has_actions = move || !preset_actions().is_empty();
    let on = move || lab.params.with(|p| !p.actions.is_empty());
    let clock = move || lab.params.with(|p| p.run.clock_start_s);
    view! {
        <Show when=has_actions fallback=|| view! { <p class="knob-help">"No operator steps in this scenario."</p> }>
            <label class="toggle">
                <input
                    type="checkbox"
                    data-testid="toggle-operators"
                    prop:checked=on
                    on:change=move |ev| {
                        let keep = event_target_checked(&ev);
                        let actions = if keep { preset_actions() } else { Vec::new() };
                        lab.update(|p| p.actions = actions);
                    }
                />
                <span>"The operators step in"</span>
            </label>
            <ul class="actions-list">
                {move || {
                    preset_actions()
                        .into_iter()
                        .map(|a| {
                            let when = match clock() {
                                Some(c) => format::clock(c + a.at_s()),
                                None => format::duration(a.at_s()),
                            };
                            view! { <li><span class="when">{when}</span>" "{a.label()}</li> }
                        })
                        .collect_view()
                }}
            </ul>
        </Show>
    }
}

/// The largest seed "Another run" draws: 2^53 − 1, the largest integer a JavaScript number (and so
/// JSON read by a browser, the seed field and a share link read back) holds exactly.
pub const MAX_DRAWN_SEED: u64 = (1 << 53) - 1;

/// The seed after "Another run": the low 53 bits of `random` (from `getrandom`, in the browser
/// `crypto.getRandomValues`), or `old + 1` if no random number could be had.
pub fn another_seed(old: u64, random: Option<u64>) -> u64 {
    match random {
        Some(r) => r & MAX_DRAWN_SEED,
        None => old.wrapping_add(1),
    }
}

/// The seed of every random stream, with a button for another.
#[component]
fn SeedControl() -> impl IntoView {
    let lab = use_lab();
    let seed = move || lab.params.with(|p| p.seed);
    view! {
        <div class="seed">
            <label>
                <span class="knob-label">"Random seed"</span>
                <input
                    type="number"
                    min="0"
                    data-testid="seed"
                    prop:value=move || seed().to_string()
                    on:change=move |ev| {
                        if let Ok(s) = event_target_value(&ev).trim().parse::<u64>() {
                            lab.update(|p| p.seed = s);
                        }
                    }
                />
            </label>
            <button
                type="button"
                data-testid="reseed"
                on:click=move |_| lab.update(|p| p.seed = another_seed(p.seed, getrandom::u64().ok()))
            >
                "Another run"
            </button>
        </div>
    }
}

/// True while the switch that control `id` acts through ([`knobs::switched_by`]) is off.
pub fn switched_off(id: &str) -> Option<Signal<bool>> {
    let on = is_on(knobs::switched_by(id)?);
    Some(Signal::derive(move || !on.get()))
}

/// All controls of the lab, grouped by what they act on.
#[component]
pub fn Controls() -> impl IntoView {
    let off = |id: &str| switched_off(id).expect("a control under a switch");
    let lab = use_lab();
    let replicas_unused =
        Signal::derive(move || lab.params.with(|p| !p.replica.fallback_when_busy && p.replica.read_share == 0.0));
    view! {
        <div class="controls" data-testid="controls">
            <fieldset>
                <legend>"Scenario"</legend>
                <PresetPicker />
                <SeedControl />
            </fieldset>
            <details open>
                <summary>"The trigger"</summary>
                <FaultControls />
            </details>
            <details open>
                <summary>"Clients and the database"</summary>
                <Pick id="backoff" />
                <Knob id="jitter" />
                <Knob id="attempts" />
                <Knob id="api-retry-attempts" />
                <Knob id="timeout" />
                <Knob id="pool" />
                <Knob id="fallback-cost" />
            </details>
            <details open>
                <summary>"Defences"</summary>
                <Pick id="fallback" />
                <Switch id="breaker" />
                <Switch id="breaker-per-feature" disabled=off("breaker-per-feature") />
                <Knob id="breaker-threshold" disabled=off("breaker-threshold") />
                <Knob id="breaker-open" disabled=off("breaker-open") />
                <Switch id="retry-budget" />
                <Knob id="budget-ratio" disabled=off("budget-ratio") />
                <Switch id="throttle" />
                <Knob id="throttle-k" disabled=off("throttle-k") />
                <Switch id="shedding" />
                <Knob id="queue-limit" disabled=off("queue-limit") />
                <Switch id="drop-expired" disabled=off("drop-expired") />
                <Switch id="lifo" disabled=off("lifo") />
                <Switch id="degraded" />
                <Switch id="ramp" />
                <Knob id="ramp-duration" disabled=off("ramp-duration") />
                <Knob id="ramp-from" disabled=off("ramp-from") />
            </details>
            <details>
                <summary>"Operator actions"</summary>
                <OperatorActions />
            </details>
            <details>
                <summary>"Subsystems and people"</summary>
                <Switch id="cache" />
                <Knob id="cache-ttl" disabled=off("cache-ttl") />
                <Switch id="sessions" />
                <Switch id="gateway" />
                <Knob id="reconnect-jitter" disabled=off("reconnect-jitter") />
                <Pick id="reconnect-backoff" />
                <Switch id="queue" />
                <Knob id="drain-rate" disabled=off("drain-rate") />
                <Knob id="replicas" disabled=replicas_unused />
                <Switch id="read-fallback" />
                <Knob id="rate" />
                <Knob id="abandon-after" />
                <Knob id="refresh" />
            </details>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drawn_seed_survives_a_javascript_number() {
        for r in [0, 1, 12345, 1 << 53, u64::MAX - 1, u64::MAX] {
            let seed = another_seed(7, Some(r));
            assert!(seed <= MAX_DRAWN_SEED, "{r} gave {seed}");
            // Through an f64 (a JS number) and JSON and back, unchanged.
            assert_eq!(seed as f64 as u64, seed);
            let json = serde_json::to_string(&json!({ "seed": seed })).unwrap();
            let back: Value = serde_json::from_str(&json).unwrap();
            assert_eq!(back["seed"].as_f64().map(|f| f as u64), Some(seed));
        }
        assert_eq!(another_seed(7, Some(u64::MAX)), MAX_DRAWN_SEED);
        assert_eq!(another_seed(7, Some(12345)), 12345);
        assert_eq!(another_seed(7, Some((1 << 53) + 5)), 5);
    }

    #[test]
    fn a_sliders_spoken_value_has_its_unit_once() {
        // Every registered slider and every preset's fault sliders, at both ends and in the middle.
        let mut specs: Vec<SliderSpec> = knobs::KNOBS.to_vec();
        for p in Preset::ALL {
            specs.extend(knobs::fault_sliders(&p.params()));
        }
        for s in &specs {
            for v in [s.min, (s.min + s.max) / 2.0, s.max, 60.0, 3600.0, 0.0] {
                let text = value_text(&(s.show)(v), s.unit);
                for doubled in ["min s", " h s", "none s", "% %", "/s requests", "s s", "limit msg"] {
                    assert!(!text.contains(doubled), "{}: {text}", s.id);
                }
                assert!(!text.trim().is_empty(), "{}", s.id);
            }
        }
        assert_eq!(value_text("10", "connections"), "10 connections");
        assert_eq!(value_text("1", "connections"), "1 connection");
        assert_eq!(value_text("1", "s"), "1 s");
        assert_eq!(value_text("50%", "% failed"), "50% failed");
        assert_eq!(value_text("2 min", "s"), "2 min");
    }

    #[test]
    fn without_randomness_the_next_seed_is_old_plus_one() {
        assert_eq!(another_seed(7, None), 8);
        assert_eq!(another_seed(u64::MAX, None), 0);
    }
}
