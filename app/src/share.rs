//! Share, embed and export: the state in the URL, copy-link, scenario files, CSV and PNG downloads,
//! and the `<iframe>` snippet. The link format itself (versioned, migrated) is `sim_core::share`.

use crate::charts::ChartKind;
use crate::knobs;
use crate::lab::{use_lab, Lab};
use leptos::prelude::*;
use sim_core::scenario;
use sim_core::share::{self, Decoded};
use wasm_bindgen::{JsCast, JsValue};

/// What the page shows, from the link's view keys.
#[derive(Clone, Debug, PartialEq)]
pub struct View {
    /// Embed mode: one widget, minimal chrome.
    pub embed: bool,
    /// In embed mode, the charts to show.
    pub charts: Vec<ChartKind>,
    /// In embed mode, the controls to show (ids of sliders, switches and choices).
    pub knobs: Vec<String>,
    /// Names in `charts=` that are not charts, in the link's order (each once).
    pub unknown_charts: Vec<String>,
    /// Names in `knobs=` that are not controls, in the link's order (each once).
    pub unknown_knobs: Vec<String>,
}

impl View {
    /// The view keys of a link. A name given twice counts once (a widget shows each chart and
    /// control once).
    pub fn from_pairs(pairs: &[(String, String)]) -> View {
        let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        let list = |v: Option<&str>| -> Vec<String> {
            let mut out: Vec<String> = Vec::new();
            for x in v.unwrap_or_default().split(',').filter(|x| !x.is_empty()) {
                if !out.iter().any(|y| y == x) {
                    out.push(x.to_string());
                }
            }
            out
        };
        let (chart_ids, unknown_charts): (Vec<String>, Vec<String>) =
            list(get("charts")).into_iter().partition(|id| ChartKind::from_id(id).is_some());
        let mut charts: Vec<ChartKind> = chart_ids.iter().filter_map(|id| ChartKind::from_id(id)).collect();
        if charts.is_empty() {
            charts.push(ChartKind::FailureRate);
        }
        let (knobs, unknown_knobs): (Vec<String>, Vec<String>) =
            list(get("knobs")).into_iter().partition(|id| knobs::exists(id));
        View { embed: matches!(get("embed"), Some("1") | Some("true")), charts, knobs, unknown_charts, unknown_knobs }
    }

    /// What the widget says about the names it could not use (None when there are none): each
    /// name quoted, as a chart or a control, with the charts' names when a chart was not found.
    pub fn unknown_text(&self) -> Option<String> {
        if self.unknown_charts.is_empty() && self.unknown_knobs.is_empty() {
            return None;
        }
        let names = |kind: &str, v: &[String]| -> Option<String> {
            (!v.is_empty()).then(|| {
                let quoted: Vec<String> = v.iter().map(|x| format!("“{}”", share::quote(x))).collect();
                format!("{kind}{} {}", if v.len() > 1 { "s" } else { "" }, quoted.join(", "))
            })
        };
        let mut text = format!(
            "Not shown, no such name: {}.",
            [names("chart", &self.unknown_charts), names("control", &self.unknown_knobs)]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("; ")
        );
        if !self.unknown_charts.is_empty() {
            let ids: Vec<&str> = ChartKind::ALL.iter().map(|k| k.id()).collect();
            text.push_str(&format!(" The charts are {}.", ids.join(", ")));
        }
        text.push_str(" “Embed a widget in your post”, in the full page's lab, writes a working address.");
        Some(text)
    }

    /// The view keys for an embed of these charts and controls.
    pub fn embed_pairs(charts: &[ChartKind], knobs: &[String]) -> Vec<(&'static str, String)> {
        let mut v = vec![("embed", "1".to_string())];
        v.push(("charts", charts.iter().map(|c| c.id()).collect::<Vec<_>>().join(",")));
        if !knobs.is_empty() {
            v.push(("knobs", knobs.join(",")));
        }
        v
    }
}

/// The link state of the page as loaded.
pub fn from_location() -> Decoded {
    let search = window().location().search().unwrap_or_default();
    share::decode(&search)
}

/// The page's address without query: where links point.
pub fn base_url() -> String {
    let loc = window().location();
    format!("{}{}", loc.origin().unwrap_or_default(), loc.pathname().unwrap_or_default())
}

/// How long the lab must stay unchanged before the address bar follows it. `history.replaceState`
/// costs a few milliseconds and browsers throttle frequent calls, so a slider being dragged writes
/// the address once it pauses, not on every step.
const SYNC_URL_AFTER: std::time::Duration = std::time::Duration::from_millis(250);

/// Keeps the address bar in step with the lab (without adding history entries), so that reloading
/// or copying the address restores the run.
///
/// `keep`: view keys that stay in the address as they are (an embed's `embed`, `charts` and `knobs`,
/// so that reloading the frame shows the same widget, not the whole site).
pub fn sync_url(keep: Vec<(&'static str, String)>) {
    sync_url_from(keep, true);
}

/// As [`sync_url`], but the address stays as it was opened until the lab first changes: a student's
/// answer link (`exercise=…` and their settings) survives a reload or a bookmark.
pub fn sync_url_after_change() {
    sync_url_from(Vec::new(), false);
}

fn sync_url_from(keep: Vec<(&'static str, String)>, now: bool) {
    // The page's lab, without starting its run: the address needs its parameters only (the lab runs
    // when it is first shown).
    let lab = expect_context::<Lab>();
    let pending = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |first: Option<()>| {
        let mut keys = page_keys(lab);
        keys.extend(keep.iter().cloned());
        let query = lab.params.with(|p| share::encode(lab.preset.get(), p, &keys));
        let write = move || {
            // Keep the anchor (a chapter, an exercise) the reader is at.
            let hash = window().location().hash().unwrap_or_default();
            let url = format!("{}?{}{}", base_url(), query, hash);
            if let Ok(history) = window().history() {
                let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
            }
        };
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        if first.is_none() {
            if now {
                write();
            }
        } else {
            pending.set_value(set_timeout_with_handle(write, SYNC_URL_AFTER).ok());
        }
    });
}

/// A class's link (`solutions=hide`, which the instructor view offers): the exercises show no
/// solution, and every address the page writes keeps the key, so a reload or a link shared on keeps
/// them hidden. It hides, it does not secure: without the key they show again.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ClassLink {
    /// The exercises' solutions are not shown.
    pub hide_solutions: bool,
}

impl ClassLink {
    /// Reads the link's `solutions` key; a value other than `hide` is a problem, and they show.
    pub fn from_view(view: &[(String, String)], problems: &mut Vec<String>) -> ClassLink {
        let hide_solutions = match view.iter().find(|(k, _)| k == "solutions") {
            None => false,
            Some((_, v)) if v == "hide" => true,
            Some((_, v)) => {
                problems.push(format!(
                    "solutions: only `solutions=hide` is understood, not \"{}\"; the solutions show",
                    share::quote(v)
                ));
                false
            }
        };
        ClassLink { hide_solutions }
    }
}

/// The view keys every address the page writes carries: the comparisons', and a class's link.
fn page_keys(lab: Lab) -> Vec<(&'static str, String)> {
    let mut keys = crate::compare::link_keys(lab);
    if use_context::<ClassLink>().is_some_and(|c| c.hide_solutions) {
        keys.push(("solutions", "hide".to_string()));
    }
    keys
}

/// The full link to the current state, optionally with view keys.
pub fn link(view: &[(&str, String)]) -> String {
    link_of(use_lab(), view)
}

/// The link of an embedded widget: the state it shows (the scenario, a pinned run, the seeds) and
/// `view`, without what only the full page uses (the recovery curve's and phase diagram's settings,
/// a class link's hidden solutions).
pub fn embed_link(view: &[(&str, String)]) -> String {
    link_keeping(use_lab(), |k| matches!(k, "pin" | "seeds"), view)
}

/// The full link to the state of `lab`, optionally with view keys.
fn link_of(lab: Lab, view: &[(&str, String)]) -> String {
    link_keeping(lab, |_| true, view)
}

/// The link to the state of `lab` with the page's keys that `keep` accepts, then `view`.
fn link_keeping(lab: Lab, keep: impl Fn(&str) -> bool, view: &[(&str, String)]) -> String {
    let mut keys: Vec<(&str, String)> = untrack(|| page_keys(lab));
    keys.retain(|(k, _)| keep(k));
    keys.extend(view.iter().cloned());
    let query = lab.params.with_untracked(|p| share::encode(lab.preset.get_untracked(), p, &keys));
    format!("{}?{}", base_url(), query)
}

/// A jump within the page that Back undoes ("Open this in the lab", a phase-diagram cell): the
/// address of where the reader is stays in the history (with the lab's state as it is), `change`
/// runs on the page's lab, a new entry at `#anchor` is added, and the page scrolls there. Back
/// returns to the old entry, and [`follow_history`] puts the lab back as that address says.
pub fn jump(main: Lab, anchor: &str, change: impl FnOnce()) {
    let history = window().history().ok();
    let here = format!("{}{}", link_of(main, &[]), window().location().hash().unwrap_or_default());
    if let Some(h) = &history {
        // The entry keeps where the reader was, for Back (see `follow_history`).
        let y = window().scroll_y().unwrap_or(0.0);
        let _ = h.replace_state_with_url(&JsValue::from_f64(y), "", Some(&here));
    }
    change();
    if let Some(h) = &history {
        let _ = h.push_state_with_url(&JsValue::NULL, "", Some(&format!("{}#{anchor}", link_of(main, &[]))));
    }
    if let Some(el) = document().get_element_by_id(anchor) {
        el.scroll_into_view();
    }
    focus_heading(anchor);
}

/// Gives keyboard focus to the heading of the section `anchor` (`{anchor}-title`, else the section
/// itself), without scrolling: after a jump, Tab goes on from there instead of from the button,
/// now far off screen. The heading is focusable from script only (`tabindex="-1"`).
fn focus_heading(anchor: &str) {
    let doc = document();
    let Some(el) = doc.get_element_by_id(&format!("{anchor}-title")).or_else(|| doc.get_element_by_id(anchor)) else {
        return;
    };
    let _ = el.set_attribute("tabindex", "-1");
    if let Ok(h) = el.dyn_into::<web_sys::HtmlElement>() {
        let o = web_sys::FocusOptions::new();
        o.set_prevent_scroll(true);
        let _ = h.focus_with_options(&o);
    }
}

/// On Back and Forward within the page (entries made by [`jump`]), the page's lab takes the
/// scenario the address holds, and its comparisons (pinned run, seeds, curve, phase diagram), and
/// the page returns to where the reader was.
pub fn follow_history(main: Lab) {
    let compare = use_context::<crate::compare::Compare>();
    let handle = window_event_listener(leptos::ev::popstate, move |ev| {
        let d = from_location();
        if main.preset.get_untracked() != d.preset {
            main.preset.set(d.preset);
        }
        if main.params.with_untracked(|p| *p != d.params) {
            main.update(|q| *q = d.params.clone());
        }
        // The comparisons too: the pinned run, the seeds, the curve's slider, the phase diagram.
        let query = window().location().search().unwrap_or_default();
        crate::compare::follow_link(main, &d.view, &d.params, &query, &mut Vec::new());
        if let Some(c) = compare {
            c.follow(&d.view, &d.params);
        }
        // An entry made by `jump` holds the scroll position the reader left: back there, once the
        // lab has redrawn (the browser alone can land on the entry's anchor instead).
        if let Some(y) = ev.state().as_f64() {
            request_animation_frame(move || window().scroll_to_with_x_and_y(0.0, y));
        }
    });
    on_cleanup(move || handle.remove());
}

/// Offers `data` (a `data:` or `blob:` URL) as a download named `name`.
fn download_url(url: &str, name: &str) {
    let doc = document();
    let Ok(a) = doc.create_element("a") else { return };
    let a: web_sys::HtmlAnchorElement = a.unchecked_into();
    a.set_href(url);
    a.set_download(name);
    let _ = doc.body().map(|b| b.append_child(&a));
    a.click();
    a.remove();
}

/// Offers text as a download.
pub fn download_text(text: &str, name: &str, mime: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    download_url(&url, name);
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Offers a chart's canvas as a PNG download.
pub fn download_png(canvas: &web_sys::HtmlCanvasElement, name: &str) {
    if let Ok(url) = canvas.to_data_url_with_type("image/png") {
        download_url(&url, name);
    }
}

/// Offers a chart's canvas as a PNG download with `title` written above it (for a figure that is
/// read away from the page, as the phase diagram's is).
pub fn download_png_titled(canvas: &web_sys::HtmlCanvasElement, title: &str, name: &str) {
    let titled = (|| {
        let dpr = window().device_pixel_ratio().max(1.0);
        let band = (28.0 * dpr).round();
        let out: web_sys::HtmlCanvasElement = document().create_element("canvas").ok()?.dyn_into().ok()?;
        out.set_width(canvas.width());
        out.set_height(canvas.height() + band as u32);
        let ctx: web_sys::CanvasRenderingContext2d = out.get_context("2d").ok()??.dyn_into().ok()?;
        ctx.set_fill_style_str("#ffffff");
        ctx.fill_rect(0.0, 0.0, out.width() as f64, out.height() as f64);
        ctx.set_fill_style_str("#1f2328");
        ctx.set_font(&format!("bold {}px sans-serif", (13.0 * dpr).round()));
        ctx.set_text_baseline("middle");
        ctx.fill_text_with_max_width(title, 8.0 * dpr, band / 2.0, out.width() as f64 - 16.0 * dpr).ok()?;
        ctx.draw_image_with_html_canvas_element(canvas, 0.0, band).ok()?;
        Some(out)
    })();
    download_png(titled.as_ref().unwrap_or(canvas), name);
}

/// File names say what they hold: `cascade-lab_<preset>_seed<n>_<what>.<ext>`.
pub fn file_name(what: &str, ext: &str) -> String {
    let lab = use_lab();
    let preset = lab.preset.get_untracked().map(|p| p.id()).unwrap_or("custom");
    let seed = lab.params.with_untracked(|p| p.seed);
    format!("cascade-lab_{preset}_seed{seed}_{what}.{ext}")
}

/// Copies `text` to the clipboard, then calls `done` with whether the browser let it (a page not
/// focused, or a browser without the permission, refuses).
pub fn copy_to_clipboard_then(text: &str, done: impl FnOnce(bool) + 'static) {
    let promise = window().navigator().clipboard().write_text(text);
    wasm_bindgen_futures::spawn_local(async move {
        done(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
    });
}

/// What became of a copy to the clipboard (nothing before the first): said on the page and, as a
/// status, to screen readers.
#[component]
fn CopyStatus(
    copied: RwSignal<Option<bool>>,
    done: &'static str,
    refused: &'static str,
    testid: &'static str,
) -> impl IntoView {
    view! {
        <p class="embed-note" role="status" data-testid=testid>
            {move || match copied.get() {
                Some(true) => done,
                Some(false) => refused,
                None => "",
            }}
        </p>
    }
}

/// Copy-link, scenario files and CSV.
#[component]
pub fn SharePanel() -> impl IntoView {
    let lab = use_lab();
    let shown_link = RwSignal::new(String::new());
    let import_report = RwSignal::new(None::<(bool, Vec<String>)>);
    let link_copied = RwSignal::new(None::<bool>);
    let on_copy = move |_| {
        // To the lab, where the run (and a pinned one) is: not to the top of the essay.
        let l = format!("{}#lab", link(&[]));
        link_copied.set(None);
        copy_to_clipboard_then(&l, move |ok| {
            let _ = link_copied.try_set(Some(ok));
        });
        shown_link.set(l);
    };
    let on_export = move |_| {
        let text = lab.params.with_untracked(|p| scenario::to_file(p, lab.preset.get_untracked()));
        download_text(&text, &file_name("scenario", "json"), "application/json");
    };
    let on_csv = move |_| {
        let run = lab.run.get_untracked();
        if let Ok(t) = run.trace.as_ref() {
            let clock = lab.params.with_untracked(|p| p.run.clock_start_s);
            download_text(&t.to_csv(clock), &file_name("series", "csv"), "text/csv");
        }
    };
    let on_import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        let promise = file.text();
        // Choosing the same file again (after editing it) must load it again.
        input.set_value("");
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(promise).await.ok().and_then(|v| v.as_string());
            let report = match text.map(|t| scenario::from_file(&t)) {
                None => (false, vec!["the file could not be read".to_string()]),
                Some(Err(e)) => (false, vec![e.to_string()]),
                Some(Ok(mut loaded)) => {
                    let mut problems: Vec<String> = loaded.problems.iter().map(|p| p.to_string()).collect();
                    // A value out of range is put back to the preset's, as a link's would be, and
                    // said; the rest of the file is kept.
                    let base = loaded.preset.map(sim_core::Preset::params).unwrap_or_default();
                    match scenario::settle(&mut loaded.params, &base) {
                        Ok(notes) => {
                            problems.extend(notes);
                            lab.preset.set(loaded.preset);
                            lab.update(|p| *p = loaded.params);
                            (true, problems)
                        }
                        Err(e) => {
                            problems.insert(0, format!("the scenario cannot run: {e}"));
                            (false, problems)
                        }
                    }
                }
            };
            import_report.set(Some(report));
        });
    };
    view! {
        <section class="share" aria-labelledby="share-title">
            <h3 id="share-title">"Share and export"</h3>
            <div class="share-row">
                <button type="button" data-testid="copy-link" on:click=on_copy>"Copy link"</button>
                <button type="button" data-testid="export-scenario" on:click=on_export>"Scenario file (JSON)"</button>
                <label class="file-button">
                    "Import scenario…"
                    <input type="file" accept=".json,application/json" data-testid="import-scenario" on:change=on_import />
                </label>
                <button type="button" data-testid="export-csv" on:click=on_csv>"Series (CSV)"</button>
            </div>
            <Show when=move || !shown_link.get().is_empty()>
                <input class="link-field" readonly aria-label="Link to this run" data-testid="share-link" prop:value=move || shown_link.get() />
            </Show>
            <CopyStatus
                copied=link_copied
                done="Link copied."
                refused="The browser did not let the page copy the link: select it above and copy it."
                testid="link-copied"
            />
            {move || {
                import_report
                    .get()
                    .map(|(ok, problems)| {
                        let head = if ok {
                            if problems.is_empty() { "Scenario loaded.".to_string() } else { "Scenario loaded, except for these fields (skipped, or kept at the preset's value):".to_string() }
                        } else {
                            "The scenario was not loaded:".to_string()
                        };
                        view! {
                            <div class="notice" data-testid="import-report" role="status">
                                <p>{head}</p>
                                <ul>{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                            </div>
                        }
                    })
            }}
            <EmbedSnippet />
        </section>
    }
}

/// Builds the `<iframe>` code for embedding one widget of the current state.
#[component]
fn EmbedSnippet() -> impl IntoView {
    let charts = RwSignal::new(vec![ChartKind::FailureRate]);
    let chosen_knobs = RwSignal::new(vec!["failover".to_string()]);
    let lab = use_lab();
    let available_knobs = Memo::new(move |_| {
        let mut ids: Vec<(String, String)> = lab
            .params
            .with(knobs::fault_sliders)
            .into_iter()
            .map(|s| (s.id.into_owned(), s.label.into_owned()))
            .collect();
        ids.extend(knobs::KNOBS.iter().map(|k| (k.id.to_string(), k.label.to_string())));
        ids.extend(knobs::TOGGLES.iter().map(|t| (t.id.to_string(), t.label.to_string())));
        ids.extend(knobs::CHOICES.iter().map(|c| (c.id.to_string(), c.label.to_string())));
        ids
    });
    // A chart this scenario has nothing for (its subsystem is off) would be an empty box in the
    // post: it cannot be chosen, and says why.
    let drawn = move |kind: ChartKind| lab.run.with(|r| r.trace.as_ref().as_ref().map_or(true, |t| kind.applies(t)));
    // Written only while the builder is open: the link is rebuilt on every change of the lab.
    let open = RwSignal::new(false);
    let copied = RwSignal::new(None::<bool>);
    let details = NodeRef::<leptos::html::Details>::new();
    let snippet = move || {
        if !open.get() {
            return String::new();
        }
        let c: Vec<ChartKind> = charts.get().into_iter().filter(|k| drawn(*k)).collect();
        if c.is_empty() {
            return String::new();
        }
        let k: Vec<String> = chosen_knobs
            .get()
            .into_iter()
            .filter(|id| available_knobs.with(|a| a.iter().any(|x| &x.0 == id)))
            .collect();
        lab.params.track();
        lab.preset.track();
        lab.pinned.track();
        lab.seeds.track();
        let src = embed_link(&View::embed_pairs(&c, &k));
        // Enough for the widget in a frame 320 px wide on a touch screen, its tallest layout (text
        // wraps, and sliders have step buttons); on a wide page it sits in it with room to spare.
        // Hosts that allow a script get the exact height from the widget itself (the second line).
        let height = crate::embed::frame_height(&c, &k, lab.pinned.with(Option::is_some));
        let title = lab.preset.get().map(|p| p.title()).unwrap_or("a custom scenario");
        format!(
            "<iframe src=\"{}\" width=\"100%\" height=\"{height}\" style=\"border:0;max-width:760px\" loading=\"lazy\" title=\"Cascade Lab: {}\"></iframe>\n{RESIZE_SCRIPT}",
            html_escape(&src),
            html_escape(title)
        )
    };
    let toggle_chart = move |kind: ChartKind, on: bool| {
        copied.set(None);
        charts.update(|c| {
            c.retain(|k| *k != kind);
            if on {
                c.push(kind);
                c.sort_by_key(|k| ChartKind::ALL.iter().position(|x| x == k));
            }
        })
    };
    let toggle_knob = move |id: String, on: bool| {
        copied.set(None);
        chosen_knobs.update(|k| {
            k.retain(|x| *x != id);
            if on {
                k.push(id);
            }
        })
    };
    view! {
        <details class="embed-builder" node_ref=details on:toggle=move |_| {
            if let Some(d) = details.get() {
                open.set(d.open());
            }
        }>
            <summary>"Embed a widget in your post"</summary>
            <div class="embed-choices">
                <fieldset>
                    <legend>"Charts"</legend>
                    {ChartKind::ALL
                        .iter()
                        .map(|&kind| {
                            view! {
                                <label class="toggle">
                                    <input
                                        type="checkbox"
                                        data-testid=format!("embed-chart-{}", kind.id())
                                        prop:checked=move || charts.with(|c| c.contains(&kind)) && drawn(kind)
                                        prop:disabled=move || !drawn(kind)
                                        on:change=move |ev| toggle_chart(kind, event_target_checked(&ev))
                                    />
                                    <span>
                                        {kind.title()}
                                        {move || (!drawn(kind)).then(|| view! { <span class="embed-note">" (nothing to show in this scenario)"</span> })}
                                    </span>
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <fieldset>
                    <legend>"Controls"</legend>
                    {move || {
                        available_knobs
                            .get()
                            .into_iter()
                            .map(|(id, label)| {
                                let id2 = id.clone();
                                let id3 = id.clone();
                                view! {
                                    <label class="toggle">
                                        <input
                                            type="checkbox"
                                            data-testid=format!("embed-knob-{id}")
                                            prop:checked=move || chosen_knobs.with(|k| k.contains(&id2))
                                            on:change=move |ev| toggle_knob(id3.clone(), event_target_checked(&ev))
                                        />
                                        <span>{label}</span>
                                    </label>
                                }
                            })
                            .collect_view()
                    }}
                </fieldset>
            </div>
            <p class="embed-note">
                "The first line is the widget, with the lab's settings as they are now. The second is optional: a \
                 script that makes the frame exactly as tall as the widget, for blogs that allow scripts; \
                 without it the frame is tall enough for a phone."
            </p>
            {move || (open.get() && snippet().is_empty()).then(|| view! {
                <p class="notice" data-testid="embed-none">"Tick at least one chart that this scenario draws."</p>
            })}
            {move || lab.pinned.with(Option::is_some).then(|| view! {
                <p class="embed-note" data-testid="embed-pinned">
                    "The pinned run comes with it: the widget draws it dashed under the current one. Unpin it first for one run alone."
                </p>
            })}
            <textarea readonly rows="6" aria-label="Code to paste into your post" data-testid="embed-snippet" prop:value=snippet></textarea>
            <button
                type="button"
                data-testid="copy-snippet"
                prop:disabled=move || snippet().is_empty()
                on:click=move |_| {
                    copied.set(None);
                    copy_to_clipboard_then(&snippet(), move |ok| {
                        let _ = copied.try_set(Some(ok));
                    });
                }
            >
                "Copy code"
            </button>
            <CopyStatus
                copied=copied
                done="Copied."
                refused="The browser did not let the page copy it: select the code and copy it."
                testid="snippet-copied"
            />
        </details>
    }
}

/// The snippet's optional second line: sets each Cascade Lab iframe to the height its widget posts
/// (`post_height`), checking that the message comes from that very frame.
const RESIZE_SCRIPT: &str = "<script>addEventListener(\"message\",function(e){if(e.data&&e.data.type===\"cascade-lab:height\")document.querySelectorAll(\"iframe\").forEach(function(f){if(f.contentWindow===e.source)f.style.height=e.data.height+\"px\"})})</script>";

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Tells an embedding page how tall the widget is (for hosts that resize iframes to fit), when it
/// has changed since the last time.
pub fn post_height() {
    thread_local! {
        static LAST: std::cell::Cell<i32> = const { std::cell::Cell::new(-1) };
    }
    let Some(body) = document().body() else { return };
    let height = body.scroll_height();
    // Only when embedded: the message goes to the parent page and nowhere else. The widget itself
    // listens to no message, so nothing another page sends can change its state.
    let Ok(Some(top)) = window().top() else { return };
    if top == window() || LAST.with(|l| l.replace(height)) == height {
        return;
    }
    if let Ok(Some(parent)) = window().parent() {
        let msg = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&msg, &"type".into(), &"cascade-lab:height".into());
        let _ = js_sys::Reflect::set(&msg, &"height".into(), &JsValue::from(height));
        let _ = parent.post_message(&msg, "*");
    }
}

/// Calls `f` whenever the page's body changes size (a `ResizeObserver`, for the life of the page),
/// at most once a frame.
pub fn on_body_resize(f: impl Fn() + 'static) {
    if let Some(body) = document().body() {
        on_resize(&body, f);
    }
}

/// Calls `f` once per frame at most while `element` changes size, for as long as the page lives.
pub fn on_resize(element: &web_sys::Element, f: impl Fn() + 'static) {
    let pending = std::rc::Rc::new(std::cell::Cell::new(false));
    let f = std::rc::Rc::new(f);
    let callback = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
        if pending.replace(true) {
            return;
        }
        let (pending, f) = (pending.clone(), f.clone());
        request_animation_frame(move || {
            pending.set(false);
            f();
        });
    });
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        observer.observe(element);
        // Both live as long as the page (the embed's body, the lab's stuck figures).
        callback.forget();
        std::mem::forget(observer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_keys_are_read_with_safe_defaults() {
        let pairs = |v: &[(&str, &str)]| v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
        let v =
            View::from_pairs(&pairs(&[("embed", "1"), ("charts", "load,nope,backlog"), ("knobs", "pool,zzz,breaker")]));
        assert!(v.embed);
        assert_eq!(v.charts, vec![ChartKind::Load, ChartKind::Backlog]);
        assert_eq!(v.knobs, vec!["pool".to_string(), "breaker".to_string()]);
        assert_eq!(v.unknown_charts, vec!["nope".to_string()]);
        assert_eq!(v.unknown_knobs, vec!["zzz".to_string()]);
        let text = v.unknown_text().expect("names to report");
        assert!(text.starts_with("Not shown, no such name: chart “nope”; control “zzz”."), "{text}");
        assert!(text.contains("The charts are failure-rate, causes,"), "{text}");
        // A name given twice counts once; an unknown control alone does not list the charts.
        let v = View::from_pairs(&pairs(&[("charts", "load,load"), ("knobs", "pool,nope,pool,nope")]));
        assert_eq!(v.charts, vec![ChartKind::Load]);
        assert_eq!(v.knobs, vec!["pool".to_string()]);
        let text = v.unknown_text().expect("names to report");
        assert!(text.starts_with("Not shown, no such name: control “nope”."), "{text}");
        assert!(!text.contains("The charts are"), "{text}");
        assert_eq!(View::from_pairs(&pairs(&[("charts", "load")])).unknown_text(), None);
        let v = View::from_pairs(&pairs(&[("charts", "")]));
        assert!(!v.embed);
        assert_eq!(v.charts, vec![ChartKind::FailureRate]);
    }
}
