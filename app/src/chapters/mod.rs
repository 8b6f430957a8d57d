//! The explainer: chapters to read top to bottom, each with its prose and the small live widgets
//! placed by the prose that needs them. The text lives in `content/` (Markdown); the build script
//! compiles it into [`content`], so a writer edits prose without touching a component.

#[cfg(test)]
#[allow(dead_code)] // the build script uses the rest
mod compile;
pub mod content;
mod widget;

use content::{Block, Chapter, CHAPTERS, GLOSSARY, REFERENCES};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
pub use widget::{ArchitectureWidget, ChapterWidget};

/// The table of contents: every chapter, the exercises, the lab, the glossary.
#[component]
pub fn Contents() -> impl IntoView {
    view! {
        <nav class="toc" id="contents" aria-labelledby="toc-title" data-testid="toc">
            <h2 id="toc-title">"Contents"</h2>
            <ol>
                {CHAPTERS
                    .iter()
                    .map(|c| view! { <li><a href=format!("#{}", c.id)>{c.title}</a></li> })
                    .collect_view()}
            </ol>
            <p class="toc-more">
                <a href="#lab" class="open-lab" data-testid="open-lab">"Open the lab"</a>
                " · "<a href="#exercises">"All exercises"</a>
                " · "<a href="#glossary">"Glossary"</a>
                " · "<a href="#sources">"What is known"</a>
                {(!use_context::<crate::share::ClassLink>().unwrap_or_default().hide_solutions).then(|| {
                    view! { " · "<a href="?instructor=1" data-testid="instructor-link">"For instructors"</a> }
                })}
            </p>
        </nav>
    }
}

/// Links at the end of a chapter: previous, contents, next, the lab.
#[component]
fn ChapterNav(index: usize) -> impl IntoView {
    let prev = index.checked_sub(1).and_then(|i| CHAPTERS.get(i));
    let next = CHAPTERS.get(index + 1);
    // Each chapter has one: a name of its own tells them apart in a screen reader's landmark list.
    let label = format!("After chapter {}", CHAPTERS[index].number);
    view! {
        <nav class="chapter-nav" aria-label=label>
            {prev.map(|c| view! { <a href=format!("#{}", c.id) rel="prev">{format!("← {}", c.title)}</a> })}
            <a href="#contents">"Contents"</a>
            <a href="#lab" data-testid="chapter-open-lab">"Open the lab"</a>
            {next.map(|c| view! { <a href=format!("#{}", c.id) rel="next">{format!("{} →", c.title)}</a> })}
        </nav>
    }
}

/// One block of a chapter.
fn block(chapter: &'static Chapter, b: &'static Block) -> AnyView {
    match b {
        Block::Prose(html) => view! { <div class="prose-html" inner_html=*html></div> }.into_any(),
        Block::Widget(spec) => view! { <ChapterWidget spec=spec /> }.into_any(),
        Block::Architecture(spec) => view! { <ArchitectureWidget spec=spec /> }.into_any(),
        Block::Try { html, test } => view! {
            <aside class="try" data-testid="try" data-claim-test=*test>
                <p class="try-label">"Try this"</p>
                <div inner_html=*html></div>
            </aside>
        }
        .into_any(),
        Block::Exercises => view! { <crate::exercises::ChapterExercises chapter=chapter.id /> }.into_any(),
    }
}

/// Chapter `index`: heading, blocks, links on (the page mounts them one by one, `app/src/main.rs`).
#[component]
pub fn Chapter(index: usize) -> impl IntoView {
    let c = &CHAPTERS[index];
    let heading = format!("{}-title", c.id);
    view! {
        <section class="chapter prose" id=c.id data-testid="chapter" data-source=c.file aria-labelledby=heading.clone()>
            <p class="chapter-number">{format!("Chapter {}", c.number)}</p>
            <h2 id=heading.clone()>{c.title}</h2>
            {c.blocks.iter().map(|b| block(c, b)).collect_view()}
            <ChapterNav index=index />
        </section>
    }
}

/// A glossary term's explanation shows on hover and focus (style/teaching.css); Escape hides it
/// without moving the pointer or the focus away, as a tooltip should (it can cover the text below).
/// It shows again once the reader moves to another place.
pub fn dismiss_tips_with_escape() {
    use std::cell::RefCell;
    use std::rc::Rc;
    // The wraps whose tip Escape hid: usually none, so moving the pointer costs nothing.
    let hidden: Rc<RefCell<Vec<web_sys::Element>>> = Rc::default();
    let on_escape = hidden.clone();
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() != "Escape" {
            return;
        }
        let Ok(list) = document().query_selector_all(".term-wrap:hover, .term-wrap:focus-within") else { return };
        for i in 0..list.length() {
            if let Some(el) = list.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
                let _ = el.class_list().add_1("tip-dismissed");
                on_escape.borrow_mut().push(el);
            }
        }
    });
    // Moving focus or the pointer somewhere else lets the explanations show again.
    let reset = move |target: Option<web_sys::EventTarget>| {
        if hidden.borrow().is_empty() {
            return;
        }
        let inside = target.and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        hidden.borrow_mut().retain(|el| {
            let stays = inside.as_ref().is_some_and(|t| el.contains(Some(t)));
            if !stays {
                let _ = el.class_list().remove_1("tip-dismissed");
            }
            stays
        });
    };
    let reset_too = reset.clone();
    let focus = window_event_listener(leptos::ev::focusin, move |ev| reset(ev.target()));
    let pointer = window_event_listener(leptos::ev::mouseover, move |ev| reset_too(ev.target()));
    on_cleanup(move || {
        keys.remove();
        focus.remove();
        pointer.remove();
    });
}

/// The glossary: every term with its definition; prose links to it at each term's first use.
#[component]
pub fn Glossary() -> impl IntoView {
    view! {
        <section class="prose glossary" id="glossary" aria-labelledby="glossary-title" data-testid="glossary">
            <h2 id="glossary-title">"Glossary"</h2>
            <dl>
                {GLOSSARY
                    .iter()
                    .map(|t| {
                        view! {
                            <dt id=format!("term-{}", t.id)>{t.term}</dt>
                            <dd inner_html=t.html></dd>
                        }
                    })
                    .collect_view()}
            </dl>
        </section>
    }
}

/// The references.
#[component]
pub fn References() -> impl IntoView {
    view! {
        <section class="prose references" id="references" aria-labelledby="references-title">
            <h2 id="references-title">"References"</h2>
            <div inner_html=REFERENCES></div>
        </section>
    }
}

/// After the chapters are on the page, go to the anchor the address names (the browser tried before
/// the wasm had drawn them).
pub fn scroll_to_hash() {
    let hash = window().location().hash().unwrap_or_default();
    let id = hash.trim_start_matches('#').to_string();
    if id.is_empty() {
        return;
    }
    request_animation_frame(move || {
        if let Some(el) = document().get_element_by_id(&id) {
            el.scroll_into_view();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::compile::{compile_dir, parse_chapter, parse_glossary, parse_intro, parse_page, Known, CHART_IDS};
    use super::content::{Block, CHAPTERS, GLOSSARY, INTRO, LAB, SOURCES};
    use crate::charts::ChartKind;
    use crate::knobs;
    use std::collections::HashSet;
    use std::path::Path;

    fn known() -> Known<'static> {
        Known { control: &knobs::exists, claim_source: "#[test]\nfn a_claim() {}\nfn helper() {}".into() }
    }

    #[test]
    fn chart_ids_of_the_compiler_are_the_apps_charts() {
        let ids: Vec<&str> = ChartKind::ALL.iter().map(|k| k.id()).collect();
        assert_eq!(ids, CHART_IDS);
    }

    #[test]
    fn the_content_has_six_chapters_with_widgets_and_a_glossary() {
        assert!(CHAPTERS.len() >= 6, "{} chapters", CHAPTERS.len());
        for c in CHAPTERS {
            let widgets = c.blocks.iter().filter(|b| matches!(b, Block::Widget(_) | Block::Architecture(_))).count();
            assert!(widgets >= 1, "chapter {} has no widget", c.id);
        }
        assert!(GLOSSARY.len() >= 10);
        let ids: HashSet<&str> = CHAPTERS.iter().map(|c| c.id).collect();
        for id in ["normal-day", "failover", "pool-exhaustion", "retry-storm", "blast-radius", "recovery"] {
            assert!(ids.contains(id), "chapter {id}");
        }
    }

    #[test]
    fn the_content_folder_compiles() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        let claims =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../sim-core/tests/chapters.rs"))
                .unwrap_or_default();
        let k = Known { control: &knobs::exists, claim_source: claims };
        let site = compile_dir(&dir, &k).unwrap_or_else(|e| panic!("{e:#?}"));
        assert_eq!(site.chapters.len(), CHAPTERS.len());
    }

    fn chapter_errors(text: &str) -> Vec<String> {
        let glossary = parse_glossary("## pool\nA set of connections.\n", "g.md").unwrap();
        parse_chapter(text, "content/x.md", &known(), &glossary, &mut HashSet::new()).err().unwrap_or_default()
    }

    #[test]
    fn a_bad_directive_names_its_file_and_line() {
        let head = "---\nid: x\ntitle: X\n---\nSome prose.\n\n";
        let e = chapter_errors(&format!("{head}::: widget\npreset: nope\nknobs: pool\ncharts: pool\n:::\n"));
        assert!(e.iter().any(|m| m.starts_with("content/x.md:8: unknown preset `nope`")), "{e:?}");
        let e = chapter_errors(&format!("{head}::: widget\npreset: failover\nknobs: pool, warp\ncharts: pool\n:::\n"));
        assert!(e.iter().any(|m| m.starts_with("content/x.md:9: unknown control `warp`")), "{e:?}");
        let e = chapter_errors(&format!("{head}::: widget\npreset: failover\nknobs: pool\ncharts: pie\n:::\n"));
        assert!(e.iter().any(|m| m.starts_with("content/x.md:10: unknown chart `pie`")), "{e:?}");
        let e = chapter_errors(&format!(
            "{head}::: widget\npreset: failover\nset: db.pool_sise=3\nknobs: pool\ncharts: pool\n:::\n"
        ));
        assert!(e.iter().any(|m| m.starts_with("content/x.md:9: `set db.pool_sise=3`")), "{e:?}");
        let e = chapter_errors(&format!("{head}::: try test=missing\nDo it.\n:::\n"));
        assert!(e.iter().any(|m| m.contains("content/x.md:7: no test `#[test] fn missing()`")), "{e:?}");
        // A helper of that name is not a test.
        let e = chapter_errors(&format!("{head}::: try test=helper\nDo it.\n:::\n"));
        assert!(e.iter().any(|m| m.contains("content/x.md:7: no test `#[test] fn helper()`")), "{e:?}");
        // The message lists the controls there are; a fault slider's field must be one of its own.
        let e =
            chapter_errors(&format!("{head}::: widget\npreset: failover\nknobs: fault-3-banana\ncharts: pool\n:::\n"));
        assert!(e.iter().any(|m| m.starts_with("content/x.md:9: unknown control `fault-3-banana` (known: ")), "{e:?}");
        assert!(e.iter().any(|m| m.contains("(known: pool, ") && m.contains("fault-N-duration")), "{e:?}");
        // A block left open before the next one is named, and the next one still counts.
        let e = chapter_errors(&format!("{head}::: try test=a_claim\nDo it.\n\n::: exercises\n:::\n"));
        assert_eq!(
            e,
            vec!["content/x.md:7: `::: try test=a_claim` is not closed by a line `:::` before the `::: exercises` of line 10"
                .to_string()]
        );
        // A widget left open before prose says so, in line order.
        let e = chapter_errors(&format!(
            "{head}::: widget\npreset: failover\nknobs: pool\ncharts: pool\n\nMore prose: here.\nAnd more.\n"
        ));
        assert!(e[0].starts_with("content/x.md:7: `::: widget` is not closed"), "{e:?}");
        assert!(
            e.iter().any(|m| m.starts_with("content/x.md:13: expected `key: value` in the `::: widget` of line 7")
                && m.contains("closing line `:::`")),
            "{e:?}"
        );
        let lines: Vec<usize> = e.iter().map(|m| m.split(':').nth(1).unwrap().parse().unwrap()).collect();
        assert!(lines.windows(2).all(|w| w[0] <= w[1]), "in line order: {e:?}");
        // Front matter without its closing `---`: one message, not one per line of the chapter.
        let e = chapter_errors("---\nid: x\ntitle: X\nSome prose.\n\nMore prose.\n");
        assert_eq!(
            e,
            vec![
                "content/x.md:1: the front matter is not closed by a line `---` (after `id:` and `title:`)".to_string()
            ]
        );
        let e = chapter_errors(&format!("{head}::: spinner\n:::\n"));
        assert!(e.iter().any(|m| m.contains("content/x.md:7: unknown block `::: spinner`")), "{e:?}");
        let e = chapter_errors(&format!("{head}::: widget\npreset: failover\n"));
        assert!(e.iter().any(|m| m.contains("content/x.md:7: `::: widget` is not closed")), "{e:?}");
        assert!(chapter_errors(&format!("{head}::: try test=a_claim\nDo it.\n:::\n")).is_empty());
    }

    #[test]
    fn a_glossary_heading_written_wrong_is_named() {
        for bad in ["##headroom", "### headroom"] {
            let e = parse_glossary(&format!("## pool\nA set of connections.\n{bad}\nRoom to spare.\n"), "g.md")
                .unwrap_err();
            assert_eq!(e, vec![format!("g.md:3: a term's heading is `## term`, found `{bad}`")]);
        }
    }

    #[test]
    fn a_glossary_term_is_linked_at_its_first_use_only() {
        let glossary = parse_glossary("## connection pool\nConnections kept open.\n", "g.md").unwrap();
        let mut linked = HashSet::new();
        let text = "---\nid: x\ntitle: X\n---\nThe Connection pools fill. A connection pool again.\n";
        let c = parse_chapter(text, "x.md", &known(), &glossary, &mut linked).unwrap();
        let super::compile::Block::Prose(html) = &c.blocks[0] else { panic!() };
        assert_eq!(html.matches("class=\"term\"").count(), 1, "{html}");
        assert!(html.contains(">Connection pools</a>"), "{html}");
        assert!(html.contains("Connections kept open."), "the tooltip holds the definition: {html}");
    }

    /// Chapter 1: "It opens at the worst moment, 14:31 UTC, when every part is failing. Drag the
    /// time scrubber back to the start of its clock, 14:20 UTC: an ordinary afternoon, every part
    /// healthy."
    #[test]
    fn the_first_diagram_opens_with_every_part_failing_and_starts_healthy() {
        use crate::widgets::architecture::{states, worst_interval, Health};
        let spec = CHAPTERS[0]
            .blocks
            .iter()
            .find_map(|b| match b {
                Block::Architecture(w) => Some(w),
                _ => None,
            })
            .expect("chapter 1 has the diagram");
        let (p, _) = super::widget::scenario_of(spec);
        let t = sim_core::run(&p).unwrap();
        let w = worst_interval(&t);
        let clock = p.run.clock_start_s.unwrap() + t.series.t_s(w);
        assert_eq!(crate::format::clock(clock), "14:31", "the worst moment");
        let worst = states(&t, &p, w);
        assert!(worst.iter().filter(|c| c.present).all(|c| c.health == Health::Failing), "{worst:?}");
        assert_eq!(crate::format::clock(p.run.clock_start_s.unwrap()), "14:20");
        let calm = states(&t, &p, 0);
        assert!(calm.iter().filter(|c| c.present).all(|c| c.health == Health::Ok), "{calm:?}");
    }

    #[test]
    fn the_masthead_comes_from_content_intro_md() {
        assert!(INTRO.title.contains("two-minute failover"), "{}", INTRO.title);
        assert_eq!(INTRO.kicker, "Cascade Lab");
        assert!(INTRO.paragraphs.len() >= 2 && INTRO.paragraphs[1].contains("href=\"#sources\""));
        let intro = parse_intro("---\nkicker: K\ntitle: T\n---\nOne *a*\nline.\n\nTwo.\n", "i.md").unwrap();
        assert_eq!(intro.paragraphs, ["One <em>a</em>\nline.", "Two."]);
        let e = parse_intro("---\nheadline: T\n---\n", "content/intro.md").unwrap_err();
        assert!(e.iter().any(|m| m.starts_with("content/intro.md:2: front matter holds only")), "{e:?}");
        assert!(INTRO.footer.contains("numbers are the model's"), "{}", INTRO.footer);
        assert!(e.iter().any(|m| m.contains("needs a `title:`")), "{e:?}");
    }

    #[test]
    fn raw_html_in_content_is_dropped() {
        let mut linked = HashSet::new();
        let text = "---\nid: x\ntitle: X\n---\nHi <script>alert(1)</script> there.\n";
        let c = parse_chapter(text, "x.md", &known(), &[], &mut linked).unwrap();
        let super::compile::Block::Prose(html) = &c.blocks[0] else { panic!() };
        assert!(!html.contains("<script"), "{html}");
    }

    #[test]
    fn the_sections_around_the_lab_come_from_content() {
        assert_eq!(LAB.title, "The lab");
        assert_eq!(LAB.parts.len(), 1, "Explore's introduction");
        assert!(SOURCES.parts[1].html.contains("No public source confirms it."));
        let page =
            parse_page("---\ntitle: T\n---\nLead *a*.\n\n## One\nFirst.\n## Two\n- b\n", "p.md", Some(2)).unwrap();
        assert_eq!(page.title, "T");
        assert_eq!(page.lead.trim(), "<p>Lead <em>a</em>.</p>");
        assert_eq!(page.parts.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(), ["One", "Two"]);
        assert_eq!(page.parts[1].html.trim(), "<ul>\n<li>b</li>\n</ul>");
        let e = parse_page("---\ntitle: T\n---\n## One\nx\n", "content/sources.md", Some(3)).unwrap_err();
        assert_eq!(e, ["content/sources.md: the page places 3 `## ` part(s); the file has 1"]);
        let e = parse_page("---\nname: T\n---\n## Empty\n", "r.md", None).unwrap_err();
        assert!(e.iter().any(|m| m.starts_with("r.md:2: front matter holds only `title:`")), "{e:?}");
        assert!(e.iter().any(|m| m.contains("needs a `title:`")), "{e:?}");
        assert!(e.iter().any(|m| m == "r.md: the part `Empty` has no text"), "{e:?}");
    }

    #[test]
    fn a_markdown_file_the_site_does_not_read_fails_the_build() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        let dir = std::env::temp_dir().join(format!("cascade-content-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for f in std::fs::read_dir(&root).unwrap() {
            let f = f.unwrap();
            std::fs::copy(f.path(), dir.join(f.file_name())).unwrap();
        }
        let known = Known {
            control: &knobs::exists,
            claim_source: std::fs::read_to_string(root.join("../sim-core/tests/chapters.rs")).unwrap(),
        };
        assert!(compile_dir(&dir, &known).is_ok(), "a copy of content/ compiles");
        std::fs::write(dir.join("retry-budgets.md"), "---\nid: rb\ntitle: Retry budgets\n---\nText.\n").unwrap();
        std::fs::write(dir.join(".notes.md"), "editor's scratch").unwrap();
        let e = compile_dir(&dir, &known).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("content/retry-budgets.md: not a file the site reads (chapters are NN-name.md"),
            "{e:?}"
        );
    }
}
