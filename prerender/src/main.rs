//! The static page: the text of Cascade Lab as plain HTML, written into the built `index.html` so it
//! paints before the wasm arrives and reads without JavaScript.
//!
//! It compiles `content/` with the app's own compiler (`app/src/chapters/compile.rs`, shared by
//! `#[path]` as `app/build.rs` does), so the words exist once. The markup mirrors the app's
//! (`app/src/chapters/mod.rs`, `app/src/narrative.rs`): same elements, classes and ids, so the live page
//! takes the static one's place with little movement. Widgets and exercises are empty placeholders
//! (`.lazy-placeholder` plus a `ph-*` class in `style/teaching.css` for their height). The app
//! replaces it part by part, each part's static twin removed as the part mounts (`app/src/main.rs`),
//! so no id is ever there twice.
//!
//! ```text
//! prerender                    # print the static HTML
//! prerender dist/index.html    # insert it into that file, after <noscript> in <body>
//! ```

#![allow(dead_code)] // the shared modules hold more than the static page needs

#[path = "../../app/src/chapters/compile.rs"]
mod compile;
#[path = "../../app/src/format.rs"]
mod format;
#[path = "../../app/src/knobs.rs"]
mod knobs;

use compile::{Block, Site, Widget};
use std::fmt::Write as _;
use std::path::Path;

/// The id of the element that holds the static page.
const ID: &str = "static-page";

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Compiles `content/` (beside this crate), checking names as the build script does.
pub fn compile_site() -> Result<Site, Vec<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let known = compile::Known {
        control: &|id| knobs::exists(id),
        claim_source: std::fs::read_to_string(root.join("sim-core/tests/chapters.rs")).unwrap_or_default(),
    };
    compile::compile_dir(&root.join("content"), &known)
}

/// A placeholder as the app draws it before a widget mounts (`Shape` in `app/src/widgets/lazy.rs`):
/// a class and a cell per control and per chart, laid out by `style/teaching.css` in the same grids
/// as the live figure, so that it is about as tall as the figure at any width (the static page has no
/// inline style).
fn placeholder_shape(class: &str, controls: usize, charts: usize) -> String {
    format!(
        "<div class=\"lazy-placeholder {class}\" aria-hidden=\"true\"><span class=\"ph-controls\">{}</span><span \
         class=\"ph-charts\">{}</span></div>",
        "<i></i>".repeat(controls),
        "<i></i>".repeat(charts)
    )
}

/// A chapter widget's placeholder.
fn widget_placeholder(w: &Widget) -> String {
    placeholder_shape("ph-widget", w.knobs.len(), w.charts.len())
}

/// An exercise's placeholder.
fn exercise_placeholder(controls: usize) -> String {
    placeholder_shape("ph-exercise", controls, 0)
}

fn placeholder(class: &str) -> String {
    placeholder_shape(class, 0, 0)
}

/// The static HTML of the whole text, in a `<div id="static-page">`.
pub fn render(site: &Site) -> String {
    let mut o = String::new();
    let _ = write!(o, "<div id=\"{ID}\"><main><a class=\"skip-link\" href=\"#lab-title\">Skip to the lab</a>");
    // The masthead (narrative.rs: Intro).
    let i = &site.intro;
    let _ = write!(
        o,
        "<header class=\"masthead\"><p class=\"kicker\">{}</p><h1>{}</h1>",
        escape(&i.kicker),
        escape(&i.title)
    );
    for (n, p) in i.paragraphs.iter().enumerate() {
        let class = if n == 0 { "lede" } else { "lede-more" };
        let _ = write!(o, "<p class=\"{class}\">{p}</p>");
    }
    o.push_str("</header>");
    // The contents (chapters/mod.rs: Contents).
    o.push_str(
        "<nav class=\"toc\" id=\"contents\" aria-labelledby=\"toc-title\"><h2 id=\"toc-title\">Contents</h2><ol>",
    );
    for c in &site.chapters {
        let _ = write!(o, "<li><a href=\"#{}\">{}</a></li>", c.id, escape(&c.title));
    }
    o.push_str(
        "</ol><p class=\"toc-more\"><a href=\"#lab\" class=\"open-lab\">Open the lab</a> · <a href=\"#exercises\">All \
         exercises</a> · <a href=\"#glossary\">Glossary</a> · <a href=\"#sources\">What is known</a> · <a \
         href=\"?instructor=1\">For instructors</a></p></nav>",
    );
    // The chapters (chapters/mod.rs: ChapterView, block, ChapterNav).
    for (index, c) in site.chapters.iter().enumerate() {
        let number = index + 1;
        let _ = write!(
            o,
            "<section class=\"chapter prose\" id=\"{id}\" data-source=\"{file}\" aria-labelledby=\"{id}-title\"><p \
             class=\"chapter-number\">Chapter {number}</p><h2 id=\"{id}-title\">{title}</h2>",
            id = c.id,
            file = escape(&c.file),
            title = escape(&c.title),
        );
        for b in &c.blocks {
            match b {
                Block::Prose(html) => {
                    let _ = write!(o, "<div class=\"prose-html\">{html}</div>");
                }
                Block::Widget(w) => {
                    let _ = write!(
                        o,
                        "<figure class=\"widget\" data-source=\"{}\">{}<figcaption class=\"widget-caption\">{}</figcaption></figure>",
                        escape(&w.source),
                        widget_placeholder(w),
                        w.caption
                    );
                }
                Block::Architecture(w) => {
                    let _ = write!(
                        o,
                        "<div class=\"widget widget-architecture\" data-source=\"{}\">{}</div>",
                        escape(&w.source),
                        placeholder("ph-architecture")
                    );
                }
                Block::Try(html, test) => {
                    let _ = write!(
                        o,
                        "<aside class=\"try\" data-claim-test=\"{}\"><p class=\"try-label\">Try this</p><div>{html}</div></aside>",
                        escape(test)
                    );
                }
                Block::Exercises => {
                    o.push_str("<div class=\"chapter-exercises\">");
                    for e in sim_core::exercises::all().iter().filter(|e| e.chapter == c.id) {
                        // Without JavaScript the exercise's text reads on its own (nothing can be
                        // checked); with it, the placeholder holds the place until the app is there.
                        let number = e.number();
                        let _ = write!(
                            o,
                            "<article class=\"exercise\" id=\"exercise-{}\"><div class=\"nojs-only\"><h3>Exercise \
                             {number}: {}</h3><p class=\"exercise-task\">{}</p><p><strong>Goal:</strong> {}</p><p \
                             class=\"exercise-nojs\">Checking an answer runs the simulation in your browser: it needs \
                             JavaScript.</p></div>{}</article>",
                            e.id,
                            escape(e.title),
                            escape(e.task),
                            escape(&e.goal_text()),
                            exercise_placeholder(e.controls.len())
                        );
                    }
                    o.push_str("</div>");
                }
            }
        }
        let _ = write!(o, "<nav class=\"chapter-nav\" aria-label=\"After chapter {number}\">");
        if let Some(p) = index.checked_sub(1).and_then(|i| site.chapters.get(i)) {
            let _ = write!(o, "<a href=\"#{}\" rel=\"prev\">← {}</a>", p.id, escape(&p.title));
        }
        o.push_str("<a href=\"#contents\">Contents</a><a href=\"#lab\">Open the lab</a>");
        if let Some(n) = site.chapters.get(index + 1) {
            let _ = write!(o, "<a href=\"#{}\" rel=\"next\">{} →</a>", n.id, escape(&n.title));
        }
        o.push_str("</nav></section>");
    }
    // The exercises' index (exercises/mod.rs: AllExercises). The student's progress is the app's:
    // here a line's room for it, and each exercise's badge as a fresh visitor sees it.
    let _ = write!(
        o,
        "<section class=\"prose exercises-index\" id=\"exercises\" aria-labelledby=\"exercises-title\"><h2 \
         id=\"exercises-title\">{}</h2><div>{}</div>",
        escape(&site.exercises.title),
        site.exercises.lead,
    );
    for p in &site.exercises.parts {
        let _ = write!(o, "<h3>{}</h3><div>{}</div>", escape(&p.title), p.html);
    }
    o.push_str("<p class=\"js-only\" aria-hidden=\"true\">&nbsp;</p><ol class=\"exercise-list\">");
    for e in sim_core::exercises::all() {
        let _ = write!(
            o,
            "<li><a href=\"#exercise-{}\">{}</a> — {} <span class=\"badge js-only\">not met yet</span></li>",
            e.id,
            escape(e.title),
            escape(&e.goal_text())
        );
    }
    o.push_str("</ol></section>");
    // The lab (narrative.rs: LabSection, Explore): its words, and room for what the app puts there.
    let lab = &site.lab;
    let _ = write!(
        o,
        "<section class=\"lab\" id=\"lab\" aria-labelledby=\"lab-title\"><h2 id=\"lab-title\" tabindex=\"-1\">{}</h2><div \
         class=\"lab-intro\">{}</div><p class=\"nojs-only\">The lab runs its simulations in your browser: it needs \
         JavaScript and WebAssembly.</p>{}<div class=\"explore\" id=\"explore\"><h3 id=\"explore-title\">{}</h3><div \
         class=\"explore-intro\">{}</div>{}</div>{}</section>",
        escape(&lab.title),
        lab.lead,
        placeholder("ph-lab"),
        escape(&lab.parts[0].title),
        lab.parts[0].html,
        placeholder("ph-explore"),
        placeholder("ph-lab-end"),
    );
    // How to read the figures, and what is known (narrative.rs: Reading, Provenance).
    let r = &site.reading;
    let _ = write!(
        o,
        "<section class=\"prose reading\" id=\"reading\" aria-labelledby=\"reading-title\"><h2 \
         id=\"reading-title\">{}</h2><dl>",
        escape(&r.title)
    );
    for p in &r.parts {
        let _ = write!(o, "<dt>{}</dt><dd>{}</dd>", escape(&p.title), p.html);
    }
    o.push_str("</dl></section>");
    let src = &site.sources;
    let _ = write!(
        o,
        "<section class=\"prose provenance\" id=\"sources\" aria-labelledby=\"sources-title\"><h2 \
         id=\"sources-title\">{}</h2><div class=\"two-col\">",
        escape(&src.title)
    );
    for p in &src.parts[..2] {
        let _ = write!(o, "<div><h3>{}</h3><div>{}</div></div>", escape(&p.title), p.html);
    }
    let _ = write!(o, "</div><h3>{}</h3><div>{}</div></section>", escape(&src.parts[2].title), src.parts[2].html);
    // The glossary and references (chapters/mod.rs: Glossary, References).
    o.push_str(
        "<section class=\"prose glossary\" id=\"glossary\" aria-labelledby=\"glossary-title\"><h2 \
         id=\"glossary-title\">Glossary</h2><dl>",
    );
    for t in &site.glossary {
        let _ = write!(o, "<dt id=\"term-{}\">{}</dt><dd>{}</dd>", t.id, escape(&t.term), t.html);
    }
    o.push_str("</dl></section>");
    let _ = write!(
        o,
        "<section class=\"prose references\" id=\"references\" aria-labelledby=\"references-title\"><h2 \
         id=\"references-title\">References</h2><div>{}</div></section>",
        site.references
    );
    if !i.footer.is_empty() {
        let _ = write!(o, "<footer class=\"site-footer\"><p>{}</p></footer>", escape(&i.footer));
    }
    o.push_str("</main></div>");
    // The end-to-end tests find elements by `data-testid`: only the live page's, never these.
    o.replace(" data-testid=\"term-link\"", "")
}

/// `index` with `page` inserted in its `<body>`: after the `<noscript>` if there is one, else first.
pub fn insert(index: &str, page: &str) -> Result<String, String> {
    if index.contains(&format!("id=\"{ID}\"")) {
        return Err(format!("it already holds a #{ID}"));
    }
    let body = index.find("<body").ok_or("no <body>")?;
    let at = match index[body..].find("</noscript>") {
        Some(n) => body + n + "</noscript>".len(),
        None => body + index[body..].find('>').ok_or("no end to <body>")? + 1,
    };
    Ok(format!("{}\n    {page}{}", &index[..at], &index[at..]))
}

fn main() {
    let site = compile_site().unwrap_or_else(|errors| {
        for e in &errors {
            eprintln!("error: {e}");
        }
        eprintln!("prerender: {} error(s) in content/", errors.len());
        std::process::exit(1);
    });
    let page = render(&site);
    match std::env::args().nth(1) {
        None => println!("{page}"),
        Some(file) => {
            let index = std::fs::read_to_string(&file).unwrap_or_else(|e| {
                eprintln!("prerender: cannot read {file}: {e}");
                std::process::exit(1);
            });
            let out = insert(&index, &page).unwrap_or_else(|e| {
                eprintln!("prerender: {file}: {e}");
                std::process::exit(1);
            });
            std::fs::write(&file, out).unwrap_or_else(|e| {
                eprintln!("prerender: cannot write {file}: {e}");
                std::process::exit(1);
            });
            eprintln!("prerender: {} bytes of static HTML written into {file}", page.len());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> (Site, String) {
        let site = compile_site().unwrap_or_else(|e| panic!("{e:#?}"));
        let html = render(&site);
        (site, html)
    }

    #[test]
    fn the_static_page_holds_the_headline_every_chapter_and_the_glossary() {
        let (site, html) = page();
        assert!(html.starts_with("<div id=\"static-page\"><main>") && html.ends_with("</main></div>"));
        assert!(html.contains(&format!("<h1>{}</h1>", escape(&site.intro.title))), "the headline");
        assert!(html.contains("two-minute failover"), "the headline's words come from content/intro.md");
        assert!(site.chapters.len() >= 6);
        for c in &site.chapters {
            assert_eq!(html.matches(&format!(" id=\"{}\"", c.id)).count(), 1, "chapter {} once", c.id);
            assert!(html.contains(&format!("<h2 id=\"{}-title\">{}</h2>", c.id, escape(&c.title))), "{}", c.id);
            assert!(html.contains(&format!("<a href=\"#{}\">", c.id)), "contents links {}", c.id);
            let has = |h: &str| html.contains(&h.replace(" data-testid=\"term-link\"", ""));
            for b in &c.blocks {
                match b {
                    Block::Prose(p) | Block::Try(p, _) => assert!(has(p), "{}: {p}", c.id),
                    Block::Widget(w) => assert!(has(&w.caption), "{}: {}", c.id, w.caption),
                    _ => {}
                }
            }
        }
        assert!(html.contains("id=\"glossary\"") && html.contains("id=\"references\""));
        assert!(site.glossary.len() >= 10);
        for t in &site.glossary {
            assert!(html.contains(&format!("<dt id=\"term-{}\">", t.id)), "term {}", t.id);
        }
        let ids = html.matches(" id=\"").count();
        let mut seen = std::collections::HashSet::new();
        for part in html.split(" id=\"").skip(1) {
            let id = &part[..part.find('"').unwrap()];
            assert!(seen.insert(id.to_string()), "the id `{id}` is there twice");
        }
        assert_eq!(seen.len(), ids);
    }

    #[test]
    fn every_link_within_the_page_has_its_target_and_every_section_is_there() {
        let (site, html) = page();
        let ids: std::collections::HashSet<&str> =
            html.split(" id=\"").skip(1).map(|p| &p[..p.find('"').unwrap()]).collect();
        let mut n = 0;
        for part in html.split("href=\"#").skip(1) {
            let target = &part[..part.find('"').unwrap()];
            assert!(ids.contains(target), "a link to #{target}, which the static page lacks");
            n += 1;
        }
        assert!(n > 30, "{n} links within the page");
        for id in ["contents", "exercises", "lab", "explore", "reading", "sources", "glossary", "references"] {
            assert!(ids.contains(id), "#{id}");
        }
        for e in sim_core::exercises::all() {
            assert!(html.contains(&format!("<a href=\"#exercise-{}\">{}</a>", e.id, escape(e.title))), "{}", e.id);
        }
        // The words of the sections around the lab come from content/, as the app's do.
        for page in [&site.lab, &site.exercises, &site.reading, &site.sources] {
            assert!(html.contains(&escape(&page.title)) && html.contains(&page.lead), "{}", page.title);
            for p in &page.parts {
                assert!(html.contains(&escape(&p.title)) && html.contains(&p.html), "{}", p.title);
            }
        }
        assert!(html.contains("No public source confirms it."), "what is reconstruction reads without JavaScript");
    }

    #[test]
    fn the_static_page_has_no_script_no_style_and_no_handler() {
        let (_, html) = page();
        let lower = html.to_lowercase();
        assert!(!lower.contains("<script"), "no script");
        assert!(!lower.contains("<style") && !lower.contains("style="), "no inline style");
        let handler = lower.split(|c: char| c.is_whitespace()).any(|w| {
            w.starts_with("on")
                && w.split_once('=').is_some_and(|(name, _)| name.chars().all(|c| c.is_ascii_lowercase()))
        });
        assert!(!handler, "no on…= attribute");
        assert!(!lower.contains("data-testid"), "the tests find the live page's elements only");
    }

    #[test]
    fn every_placeholder_has_a_height_in_the_style_sheet() {
        let (_, html) = page();
        let css = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../style/teaching.css")).unwrap();
        let mut n = 0;
        for part in html.split("class=\"lazy-placeholder ").skip(1) {
            let class = &part[..part.find('"').unwrap()];
            assert!(css.contains(&format!(".{class} ")), "style/teaching.css sizes .{class}");
            n += 1;
        }
        assert!(n >= 10, "{n} placeholders");
    }

    #[test]
    fn it_goes_after_the_noscript_in_the_body() {
        let index =
            "<html><head><script type=\"module\">x</script></head><body>\n<noscript>No JS.</noscript>\n</body></html>";
        let out = insert(index, "<div id=\"static-page\">T</div>").unwrap();
        assert!(out.contains("<noscript>No JS.</noscript>\n    <div id=\"static-page\">T</div>\n</body>"), "{out}");
        assert!(insert(&out, "x").is_err(), "not twice");
        let out = insert("<body class=\"a\"><p>b</p></body>", "S").unwrap();
        assert_eq!(out, "<body class=\"a\">\n    S<p>b</p></body>");
    }
}
