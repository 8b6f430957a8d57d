//! The lab's controls: sliders from the knob registry, the breaker switch and the backoff choice.

use crate::knobs::{knob, Knob};
use crate::lab::use_lab;
use leptos::prelude::*;
use sim_core::Backoff;

/// A labelled range input over one knob, with its current value and unit.
#[component]
pub fn KnobSlider(
    /// The knob's id in [`crate::knobs::KNOBS`].
    id: &'static str,
    /// Grey the slider out while this returns true.
    #[prop(optional, into)]
    disabled: Option<Signal<bool>>,
) -> impl IntoView {
    let lab = use_lab();
    let k: &'static Knob = knob(id).expect("a registered knob");
    let value = Memo::new(move |_| lab.params.with(|p| (k.get)(p)));
    let input_id = format!("knob-{}", k.id);
    let disabled = move || disabled.map(|d| d.get()).unwrap_or(false);
    view! {
        <div class="knob" class:disabled=disabled title=k.help>
            <label for=input_id.clone()>
                <span class="knob-label">{k.label}</span>
                <output data-testid=format!("value-{}", k.id)>{move || (k.show)(value.get())}</output>
            </label>
            <input
                type="range"
                id=input_id
                data-testid=format!("slider-{}", k.id)
                min=k.min
                max=k.max
                step=k.step
                aria-valuetext=move || format!("{} {}", (k.show)(value.get()), k.unit)
                prop:value=move || value.get().to_string()
                prop:disabled=disabled
                on:input=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                        lab.update(|p| (k.set)(p, v.clamp(k.min, k.max)));
                    }
                }
            />
            <span class="knob-help">{k.help}</span>
        </div>
    }
}

/// Switches the circuit breaker on the API → PostgreSQL path on and off.
#[component]
pub fn BreakerToggle() -> impl IntoView {
    let lab = use_lab();
    view! {
        <label class="toggle">
            <input
                type="checkbox"
                data-testid="toggle-breaker"
                prop:checked=move || lab.params.with(|p| p.breaker.enabled)
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    lab.update(|p| p.breaker.enabled = on);
                }
            />
            <span>"Circuit breaker on the API → PostgreSQL path"</span>
        </label>
    }
}

const BACKOFFS: [(Backoff, &str, &str); 4] = [
    (Backoff::Immediate, "immediate", "Retry at once"),
    (Backoff::Constant, "constant", "Constant delay"),
    (Backoff::Exponential, "exponential", "Exponential (1 s, 2 s, 4 s …)"),
    (Backoff::Decorrelated, "decorrelated", "Decorrelated jitter"),
];

/// Chooses the clients' backoff policy.
#[component]
pub fn BackoffSelect() -> impl IntoView {
    let lab = use_lab();
    let current = move || {
        let b = lab.params.with(|p| p.client.backoff);
        BACKOFFS.iter().find(|x| x.0 == b).map(|x| x.1).unwrap_or("exponential")
    };
    view! {
        <label class="select">
            <span class="knob-label">"Client backoff"</span>
            <select
                data-testid="select-backoff"
                prop:value=current
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some((b, _, _)) = BACKOFFS.iter().find(|x| x.1 == v) {
                        lab.update(|p| p.client.backoff = *b);
                    }
                }
            >
                {BACKOFFS
                    .iter()
                    .map(|(_, id, label)| view! { <option value=*id>{*label}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}

/// All controls of the lab, grouped by what they act on.
#[component]
pub fn Controls() -> impl IntoView {
    let lab = use_lab();
    let breaker_off = Signal::derive(move || lab.params.with(|p| !p.breaker.enabled));
    view! {
        <div class="controls" data-testid="controls">
            <fieldset>
                <legend>"The trigger"</legend>
                <KnobSlider id="failover" />
            </fieldset>
            <fieldset>
                <legend>"The database"</legend>
                <KnobSlider id="pool" />
            </fieldset>
            <fieldset>
                <legend>"The clients"</legend>
                <BackoffSelect />
                <KnobSlider id="jitter" />
            </fieldset>
            <fieldset>
                <legend>"Defence: circuit breaker"</legend>
                <BreakerToggle />
                <KnobSlider id="breaker-threshold" disabled=breaker_off />
                <KnobSlider id="breaker-open" disabled=breaker_off />
            </fieldset>
        </div>
    }
}
