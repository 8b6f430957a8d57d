//! Mounting on demand: a chapter has many widgets and exercises, each running its own simulation.
//! They mount when the reader comes near them (an `IntersectionObserver` with a margin of 800 px),
//! so the first paint does not wait for simulations far down the page. A placeholder keeps the
//! space they will take, so nothing jumps.

use leptos::context::Provider;
use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The shape of a placeholder that `style/teaching.css` sizes: a class (`ph-widget`, `ph-exercise`,
/// `ph-architecture`) with one cell per control and per chart, laid out in the same grids as the
/// live figure's, so that it is about as tall as what replaces it at any width. The static page
/// (`prerender/`) writes the same markup.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shape {
    /// The placeholder's class.
    pub class: &'static str,
    /// Its controls.
    pub controls: usize,
    /// Its charts.
    pub charts: usize,
}

/// Shows `children` once the placeholder comes within about a screen of the viewport (at once
/// where the browser has no `IntersectionObserver`), or once the keyboard reaches it: the
/// placeholder is a Tab stop of its own, named for screen readers, so a reader who tabs faster than
/// the page scrolls does not skip the figure. Its focus then goes to the figure's first control.
#[component]
pub fn WhenNear(
    /// Height the placeholder reserves, in CSS pixels (when it has no `shape`).
    #[prop(optional)]
    height: f64,
    /// The placeholder's shape, sized by the style sheet.
    #[prop(optional)]
    shape: Option<Shape>,
    children: ChildrenFn,
) -> impl IntoView {
    let near = RwSignal::new(false);
    let node = NodeRef::<Div>::new();
    let wrapper = NodeRef::<Div>::new();
    let hold = Hold { placeholder: StoredValue::new(None), held: RwSignal::new(None) };
    // Mounts the children, noting the placeholder's height for them to hold (`hold_until_ready`).
    let mount = move || {
        if let Some(el) = node.get_untracked() {
            hold.placeholder.set_value(Some(el.get_bounding_client_rect().height()));
        }
        near.set(true);
    };
    // Reached by Tab before it came into view: mount it, then give the focus to its first control.
    let on_focus = move |_| {
        mount();
        request_animation_frame(move || {
            let first = wrapper
                .get_untracked()
                .and_then(|w| {
                    w.query_selector("input:not([disabled]), select, button:not([disabled]), summary, a[href]")
                        .ok()
                        .flatten()
                })
                .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(el) = first {
                let _ = el.focus();
            }
        });
    };
    const NAME: &str = "A live figure: it loads when it comes into view, or when it has the focus";
    Effect::new(move |_| {
        let Some(el) = node.get() else { return };
        if near.get_untracked() {
            return;
        }
        let callback = Closure::<dyn FnMut(js_sys::Array, web_sys::IntersectionObserver)>::new(
            move |entries: js_sys::Array, observer: web_sys::IntersectionObserver| {
                let hit = entries
                    .iter()
                    .filter_map(|e| e.dyn_into::<web_sys::IntersectionObserverEntry>().ok())
                    .any(|e| e.is_intersecting());
                if hit {
                    mount();
                    observer.disconnect();
                }
            },
        );
        let init = web_sys::IntersectionObserverInit::new();
        init.set_root_margin("800px 0px 800px 0px");
        match web_sys::IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &init) {
            Ok(observer) => {
                observer.observe(&el);
                callback.forget();
            }
            Err(_) => near.set(true),
        }
    });
    view! {
        // `display: contents` (style/teaching.css): it takes no box, so the page's layout is that of
        // the placeholder or the figure alone.
        <div
            class="when-near"
            class:holding=move || hold.held.get().is_some()
            style:min-height=move || hold.held.get().map(|h| format!("{h}px"))
            node_ref=wrapper
        >
            <Provider value=hold>
            <Show
                when=move || near.get()
                fallback=move || match shape {
                    Some(Shape { class, controls, charts }) => view! {
                        <div class=format!("lazy-placeholder {class}") node_ref=node tabindex="0" role="group" aria-label=NAME on:focus=on_focus>
                            <span class="ph-controls" aria-hidden="true">{(0..controls).map(|_| view! { <i></i> }).collect_view()}</span>
                            <span class="ph-charts" aria-hidden="true">{(0..charts).map(|_| view! { <i></i> }).collect_view()}</span>
                        </div>
                    }
                    .into_any(),
                    None => view! {
                        <div class="lazy-placeholder" node_ref=node style:min-height=format!("{height}px") tabindex="0" role="group" aria-label=NAME on:focus=on_focus></div>
                    }
                    .into_any(),
                }
            >
                {children()}
            </Show>
            </Provider>
        </div>
    }
}

/// The placeholder's height, held (as the mounted figure's least height) from the moment the figure
/// mounts until its first run arrives: a figure waiting for its run is shorter than it will be (its
/// figures a line, its legends empty), and the text below it would jump up and back down (by 500 px
/// under the architecture diagram on a phone, measured before this and its chart's kept room).
///
/// Only figures that ask for it are held (`hold_until_ready`); the lab's own section is not.
#[derive(Clone, Copy)]
pub struct Hold {
    /// The placeholder's height when the figure mounted, in CSS pixels.
    placeholder: StoredValue<Option<f64>>,
    /// The height held: the wrapper's least height while set.
    held: RwSignal<Option<f64>>,
}

/// Holds the placeholder's height until `lab`'s first run has arrived (whatever it says: a figure
/// that cannot run is shown at its own height). Nothing outside a `WhenNear`.
pub fn hold_until_ready(lab: crate::lab::Lab) {
    let Some(hold) = use_context::<Hold>() else { return };
    if lab.run.with_untracked(crate::lab::Run::ready) {
        return;
    }
    hold.held.set(hold.placeholder.get_value());
    Effect::new(move |_| {
        if lab.run.with(crate::lab::Run::ready) {
            hold.held.set(None);
        }
    });
}

/// Keeps `visible` true while `el` is within `margin` of the viewport (an `IntersectionObserver`
/// for the life of the page; always true where the browser has none).
pub fn track_visibility(el: &web_sys::Element, margin: &str, visible: RwSignal<bool>) {
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        if let Some(e) =
            entries.iter().filter_map(|e| e.dyn_into::<web_sys::IntersectionObserverEntry>().ok()).next_back()
        {
            let now = e.is_intersecting();
            if visible.get_untracked() != now {
                visible.set(now);
            }
        }
    });
    let init = web_sys::IntersectionObserverInit::new();
    init.set_root_margin(margin);
    match web_sys::IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &init) {
        Ok(observer) => {
            observer.observe(el);
            callback.forget();
            std::mem::forget(observer);
        }
        Err(_) => visible.set(true),
    }
}
