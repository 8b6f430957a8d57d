//! The chapter compiler, run by the build script (and by native tests): Markdown files with widget
//! directives in, checked data out. Not part of the wasm.
//!
//! A chapter file:
//!
//! ```text
//! ---
//! id: retry-storm
//! title: The retry storm
//! ---
//! Prose in Markdown …
//!
//! ::: widget
//! preset: failover
//! set: faults[0].duration_s=120; db.pool_size=40
//! knobs: failover, pool
//! charts: failure-rate, pool
//! caption: What to see …
//! :::
//!
//! ::: try test=pool_16_heals
//! Drag the pool down to 16 …
//! :::
//! ```
//!
//! `glossary.md` holds one `## term` heading per term with its definition; each term is linked from
//! its first use in the chapters. `references.md` is plain Markdown. `intro.md` is the masthead:
//! front matter with `kicker` and `title` (the page's headline), then paragraphs.
//!
//! The same compiled [`Site`] feeds the app (through `to_rust`) and the static HTML that
//! `prerender/` writes into `dist/index.html`, so the text exists once, in `content/`.

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use sim_core::{scenario, Preset};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

/// The chart ids a widget may name (kept equal to `ChartKind::ALL` by a test in the app).
pub const CHART_IDS: &[&str] = &[
    "failure-rate",
    "causes",
    "load",
    "amplification",
    "pool",
    "query-latency",
    "cache-hit",
    "connected",
    "backlog",
    "replica-lag",
];

/// What the compiler checks names against.
pub struct Known<'a> {
    /// Whether a control id exists in the app's registry.
    pub control: &'a dyn Fn(&str) -> bool,
    /// The text of `sim-core/tests/chapters.rs`, where every `try` prompt's test must be.
    pub claim_source: String,
}

/// A widget: a scenario and the few controls and charts that make one point.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Widget {
    /// Preset id.
    pub preset: String,
    /// (path, JSON) overrides on the preset.
    pub set: Vec<(String, String)>,
    /// Control ids.
    pub knobs: Vec<String>,
    /// Chart ids.
    pub charts: Vec<String>,
    /// Caption, as HTML.
    pub caption: String,
    /// `file:line` of the directive.
    pub source: String,
}

/// One block of a chapter.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// Prose, as HTML.
    Prose(String),
    /// A live widget.
    Widget(Widget),
    /// A "try this" prompt (HTML) and the native test that backs its claim.
    Try(String, String),
    /// The living architecture diagram.
    Architecture(Widget),
    /// The chapter's classroom exercises.
    Exercises,
}

/// One chapter.
#[derive(Clone, Debug, PartialEq)]
pub struct Chapter {
    /// Anchor id.
    pub id: String,
    /// Heading.
    pub title: String,
    /// Its blocks, in order.
    pub blocks: Vec<Block>,
    /// Its plain text (for the static page and search), without widgets.
    pub file: String,
}

/// One glossary entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    /// Anchor id (`term-{id}`).
    pub id: String,
    /// The term.
    pub term: String,
    /// Definition, as HTML.
    pub html: String,
    /// Definition, as plain text (the tooltip).
    pub text: String,
}

/// The masthead: the page's headline and introduction.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Intro {
    /// The line above the headline.
    pub kicker: String,
    /// The headline (`h1`).
    pub title: String,
    /// Paragraphs, as inline HTML (no `<p>` around each).
    pub paragraphs: Vec<String>,
    /// The line at the foot of the page (plain text).
    pub footer: String,
}

/// A part of a page: a `## heading` and what follows it, up to the next.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Part {
    /// The heading.
    pub title: String,
    /// What follows it, as HTML.
    pub html: String,
}

/// A page section written in prose around the app's widgets (`lab.md`, `exercises.md`,
/// `reading.md`, `sources.md`): a title, a lead and parts. Where the parts go (a definition list, two
/// columns, a sub-heading) is the page's layout, the same in the app and in the static page.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    /// The section's heading.
    pub title: String,
    /// The text before the first part, as HTML.
    pub lead: String,
    /// The parts, in order.
    pub parts: Vec<Part>,
}

/// Everything the content folder holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Site {
    /// The masthead.
    pub intro: Intro,
    /// The lab's introduction, and Explore's as its part.
    pub lab: Page,
    /// The exercises' index: its introduction, and a part for teachers (which a class's link leaves out).
    pub exercises: Page,
    /// "How to read the figures": one part per figure.
    pub reading: Page,
    /// What is public record and what is reconstruction: one part each, then what the lessons rest on.
    pub sources: Page,
    /// Chapters in file-name order.
    pub chapters: Vec<Chapter>,
    /// Glossary entries, alphabetical.
    pub glossary: Vec<Term>,
    /// References, as HTML.
    pub references: String,
}

/// A slug: lower case, words joined by `-`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn md_options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_SMART_PUNCTUATION
}

/// Markdown to HTML, headings moved one level down (a chapter's own heading is an `h2`), glossary
/// terms linked at their first use (`linked` holds the terms already linked).
fn to_html(md: &str, glossary: &[Term], linked: &mut HashSet<String>) -> String {
    let mut events = Vec::new();
    let mut depth_no_link = 0usize;
    for ev in Parser::new_ext(md, md_options()) {
        match ev {
            Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                depth_no_link += 1;
                events.push(Event::Start(Tag::Heading { level: lower(level), id, classes, attrs }));
            }
            Event::End(TagEnd::Heading(level)) => {
                depth_no_link -= 1;
                events.push(Event::End(TagEnd::Heading(lower(level))));
            }
            Event::Start(t @ (Tag::Link { .. } | Tag::CodeBlock(_))) => {
                depth_no_link += 1;
                events.push(Event::Start(t));
            }
            Event::End(t @ (TagEnd::Link | TagEnd::CodeBlock)) => {
                depth_no_link -= 1;
                events.push(Event::End(t));
            }
            Event::Html(_) | Event::InlineHtml(_) => {} // no raw HTML in content
            Event::Text(text) if depth_no_link == 0 => link_terms(&text, glossary, linked, &mut events),
            other => events.push(other),
        }
    }
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    out
}

fn lower(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H3,
        HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Finds `term` (or its plural) in `text` as a whole word, case-insensitively: (start, end).
fn find_term(text: &str, term: &str) -> Option<(usize, usize)> {
    let lower = text.to_lowercase();
    if lower.len() != text.len() {
        return None; // byte offsets would not match; such text has no glossary term anyway
    }
    let t = term.to_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find(&t) {
        let start = from + pos;
        let mut end = start + t.len();
        if lower[end..].starts_with("es") && t.ends_with(['s', 'h', 'x']) {
            end += 2;
        } else if lower[end..].starts_with('s') {
            end += 1;
        }
        let before_ok = start == 0 || !lower[..start].chars().next_back().is_some_and(|c| c.is_alphanumeric());
        let after_ok = !lower[end..].chars().next().is_some_and(|c| c.is_alphanumeric());
        if before_ok && after_ok {
            return Some((start, end));
        }
        from = start + 1;
    }
    None
}

fn link_terms<'a>(text: &str, glossary: &[Term], linked: &mut HashSet<String>, events: &mut Vec<Event<'a>>) {
    // The earliest unlinked term in this text, longest first on a tie.
    let hit = glossary
        .iter()
        .filter(|t| !linked.contains(&t.id))
        .filter_map(|t| find_term(text, &t.term).map(|(s, e)| (s, std::cmp::Reverse(e - s), e, t)))
        .min_by_key(|&(s, len, _, _)| (s, len));
    match hit {
        None => events.push(Event::Text(CowStr::from(text.to_string()))),
        Some((start, _, end, term)) => {
            linked.insert(term.id.clone());
            events.push(Event::Text(CowStr::from(text[..start].to_string())));
            events.push(Event::InlineHtml(CowStr::from(format!(
                "<span class=\"term-wrap\"><a class=\"term\" href=\"#term-{id}\" aria-describedby=\"tip-{id}\" \
                 data-testid=\"term-link\">{word}</a><span class=\"tip\" role=\"tooltip\" id=\"tip-{id}\">{tip}</span></span>",
                id = term.id,
                word = escape(&text[start..end]),
                tip = escape(&term.text),
            ))));
            link_terms(&text[end..], glossary, linked, events);
        }
    }
}

/// Inline Markdown (a caption) to HTML without the paragraph around it.
fn inline_html(md: &str) -> String {
    let mut out = String::new();
    html::push_html(
        &mut out,
        Parser::new_ext(md, md_options()).filter(|e| !matches!(e, Event::Html(_) | Event::InlineHtml(_))),
    );
    out.trim().trim_start_matches("<p>").trim_end_matches("</p>").to_string()
}

/// Plain text of Markdown (for tooltips).
fn plain(md: &str) -> String {
    let mut out = String::new();
    for ev in Parser::new_ext(md, md_options()) {
        match ev {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// Reads the glossary file.
pub fn parse_glossary(text: &str, file: &str) -> Result<Vec<Term>, Vec<String>> {
    let mut terms: Vec<(String, usize, String)> = Vec::new();
    let mut errors = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if let Some(t) = line.strip_prefix("## ") {
            terms.push((t.trim().to_string(), n + 1, String::new()));
        } else if line.starts_with('#') && !line.starts_with("# ") {
            // `##term` or `### term` would otherwise join the definition above as text.
            errors.push(format!("{file}:{}: a term's heading is `## term`, found `{}`", n + 1, line.trim()));
        } else if let Some(last) = terms.last_mut() {
            last.2.push_str(line);
            last.2.push('\n');
        } else if !line.trim().is_empty() && !line.starts_with('#') {
            errors.push(format!("{file}:{}: text before the first `## term` heading", n + 1));
        }
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (term, line, body) in terms {
        let id = slug(&term);
        if !seen.insert(id.clone()) {
            errors.push(format!("{file}:{line}: the term `{term}` is defined twice"));
        }
        if body.trim().is_empty() {
            errors.push(format!("{file}:{line}: the term `{term}` has no definition"));
        }
        let mut none = HashSet::new();
        out.push(Term { id, term, html: to_html(&body, &[], &mut none), text: plain(&body) });
    }
    out.sort_by_key(|t| t.term.to_lowercase());
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Reads front matter (`---`, `key: value` lines, `---`) at the top of `lines`: the values of `keys`
/// (empty when absent) and the index of the first line after it. `what` names the file in messages.
fn front_matter<const N: usize>(
    lines: &[&str],
    file: &str,
    keys: [&str; N],
    what: &str,
    errors: &mut Vec<String>,
) -> ([String; N], usize) {
    let mut values: [String; N] = std::array::from_fn(|_| String::new());
    let names: Vec<String> = keys.iter().map(|k| format!("`{k}:`")).collect();
    if lines.first().map(|l| l.trim()) != Some("---") {
        errors.push(format!("{file}:1: {what} starts with front matter (`---`, {}, `---`)", names.join(", ")));
        return (values, 0);
    }
    let mut i = 1;
    while i < lines.len() && lines[i].trim() != "---" {
        match lines[i].split_once(':').and_then(|(k, v)| Some((keys.iter().position(|x| *x == k)?, v))) {
            Some((n, v)) => values[n] = v.trim().to_string(),
            None => {
                let only = match names.split_last() {
                    Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
                    _ => names.join(""),
                };
                errors.push(format!("{file}:{}: front matter holds only {only}", i + 1));
            }
        }
        i += 1;
    }
    (values, i + 1)
}

/// Reads the masthead file: front matter with `kicker:`, `title:` and `footer:`, then Markdown
/// paragraphs.
pub fn parse_intro(text: &str, file: &str) -> Result<Intro, Vec<String>> {
    let mut errors = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let ([kicker, title, footer], i) =
        front_matter(&lines, file, ["kicker", "title", "footer"], "the introduction", &mut errors);
    let mut intro = Intro { kicker, title, footer, ..Intro::default() };
    if intro.title.is_empty() {
        errors.push(format!("{file}:1: the introduction needs a `title:` (the page's headline)"));
    }
    let body = lines.get(i..).unwrap_or_default().join("\n");
    intro.paragraphs = body.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).map(inline_html).collect::<Vec<_>>();
    if intro.paragraphs.is_empty() {
        errors.push(format!("{file}: the introduction has no paragraph"));
    }
    if errors.is_empty() {
        Ok(intro)
    } else {
        Err(errors)
    }
}

/// Reads a page section: front matter with `title:`, a lead, then `## heading` parts. `parts` is how
/// many parts the page's layout places (0 for none, `None` for any number of at least one).
pub fn parse_page(text: &str, file: &str, parts: Option<usize>) -> Result<Page, Vec<String>> {
    let mut errors = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let ([title], i) = front_matter(&lines, file, ["title"], "the file", &mut errors);
    let mut page = Page { title, ..Page::default() };
    if page.title.is_empty() {
        errors.push(format!("{file}:1: the file needs a `title:` (its section's heading)"));
    }
    let mut lead = String::new();
    let mut found: Vec<(String, String)> = Vec::new();
    for line in lines.get(i..).unwrap_or_default() {
        if let Some(t) = line.strip_prefix("## ") {
            found.push((t.trim().to_string(), String::new()));
        } else {
            let into = found.last_mut().map_or(&mut lead, |p| &mut p.1);
            into.push_str(line);
            into.push('\n');
        }
    }
    let mut none = HashSet::new();
    page.lead = to_html(&lead, &[], &mut none);
    for (title, body) in found {
        if body.trim().is_empty() {
            errors.push(format!("{file}: the part `{title}` has no text"));
        }
        page.parts.push(Part { html: to_html(&body, &[], &mut none), title });
    }
    match parts {
        Some(n) if page.parts.len() != n => {
            errors.push(format!("{file}: the page places {n} `## ` part(s); the file has {}", page.parts.len()))
        }
        None if page.parts.is_empty() => errors.push(format!("{file}: the file has no `## ` part")),
        _ => {}
    }
    if errors.is_empty() {
        Ok(page)
    } else {
        Err(errors)
    }
}

/// Parses `key: value` lines of a directive.
fn fields(
    lines: &[(usize, &str)],
    file: &str,
    (kind, start): (&str, usize),
    errors: &mut Vec<String>,
) -> Vec<(String, String, usize)> {
    let mut out: Vec<(String, String, usize)> = Vec::new();
    for &(n, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        match line.split_once(':') {
            Some((k, v)) if !k.trim().contains(' ') => out.push((k.trim().to_string(), v.trim().to_string(), n)),
            _ => match out.last_mut() {
                // A continuation line (a long caption).
                Some(last) if line.starts_with(' ') => {
                    last.1.push(' ');
                    last.1.push_str(line.trim());
                }
                _ => errors.push(format!(
                    "{file}:{n}: expected `key: value` in the `::: {kind}` of line {start}, found `{}` (does the \
                     block lack its closing line `:::`?)",
                    line.trim()
                )),
            },
        }
    }
    out
}

fn list(v: &str) -> Vec<String> {
    v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

/// Reads a widget (or architecture) directive's fields and checks every name.
fn widget(
    lines: &[(usize, &str)],
    file: &str,
    start: usize,
    kind: &str,
    known: &Known,
    errors: &mut Vec<String>,
) -> Widget {
    let mut w = Widget { source: format!("{file}:{start}"), ..Widget::default() };
    let mut preset = None;
    let mut set_line = None;
    for (k, v, n) in fields(lines, file, (kind, start), errors) {
        match k.as_str() {
            "preset" => match Preset::ALL.into_iter().find(|p| p.id() == v) {
                Some(p) => {
                    preset = Some(p);
                    w.preset = v;
                }
                None => {
                    let ids: Vec<&str> = Preset::ALL.iter().map(|p| p.id()).collect();
                    errors.push(format!("{file}:{n}: unknown preset `{v}` (known: {})", ids.join(", ")));
                }
            },
            "set" => {
                set_line = Some(n);
                for pair in v.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                    match pair.split_once('=') {
                        Some((path, value)) => w.set.push((path.trim().to_string(), value.trim().to_string())),
                        None => errors.push(format!("{file}:{n}: `set` wants `path=value` pairs, found `{pair}`")),
                    }
                }
            }
            "knobs" if kind == "widget" => {
                for id in list(&v) {
                    if !(known.control)(&id) {
                        errors.push(format!(
                            "{file}:{n}: unknown control `{id}` (known: {}; see app/src/knobs.rs)",
                            crate::knobs::all_ids().join(", ")
                        ));
                    }
                    w.knobs.push(id);
                }
            }
            "charts" if kind == "widget" => {
                for id in list(&v) {
                    if !CHART_IDS.contains(&id.as_str()) {
                        errors.push(format!("{file}:{n}: unknown chart `{id}` (known: {})", CHART_IDS.join(", ")));
                    }
                    w.charts.push(id);
                }
            }
            "caption" => w.caption = inline_html(&v),
            other => errors.push(format!("{file}:{n}: unknown field `{other}` in `::: {kind}`")),
        }
    }
    match preset {
        Some(p) => {
            let mut params = p.params();
            for (path, value) in &w.set {
                if let Err(e) = scenario::set_path(&mut params, path, scenario::parse_value(value)) {
                    errors.push(format!("{file}:{}: `set {path}={value}`: {e}", set_line.unwrap_or(start)));
                }
            }
            if let Err(e) = params.validate() {
                errors.push(format!("{file}:{start}: the widget's parameters cannot run: {e}"));
            }
        }
        None if w.preset.is_empty() => errors.push(format!("{file}:{start}: `::: {kind}` needs a `preset:`")),
        None => {}
    }
    if kind == "widget" {
        if w.charts.is_empty() {
            errors.push(format!("{file}:{start}: a widget needs at least one chart (`charts:`)"));
        }
        if w.knobs.is_empty() || w.knobs.len() > 4 {
            errors
                .push(format!("{file}:{start}: a widget shows one to four controls (`knobs:`), not {}", w.knobs.len()));
        }
    }
    w
}

/// Whether `source` (Rust) has a test function `name`: `fn name(` under a `#[test]` attribute
/// (other attributes and comments may stand between them), not a helper of that name.
fn is_test(source: &str, name: &str) -> bool {
    let lines: Vec<&str> = source.lines().map(str::trim).collect();
    let head = format!("fn {name}(");
    lines.iter().enumerate().any(|(i, l)| {
        (l.starts_with(&head) || l.strip_prefix("pub ").is_some_and(|r| r.starts_with(&head)))
            && lines[..i]
                .iter()
                .rev()
                .take_while(|p| p.starts_with("#[") || p.starts_with("//"))
                .any(|p| *p == "#[test]")
    })
}

/// Compiles one chapter file.
pub fn parse_chapter(
    text: &str,
    file: &str,
    known: &Known,
    glossary: &[Term],
    linked: &mut HashSet<String>,
) -> Result<Chapter, Vec<String>> {
    let mut errors = Vec::new();
    let lines: Vec<(usize, &str)> = text.lines().enumerate().map(|(i, l)| (i + 1, l)).collect();
    let mut i = 0;
    let (mut id, mut title) = (String::new(), String::new());
    if lines.first().map(|l| l.1.trim()) == Some("---") {
        i = 1;
        let mut wrong = Vec::new();
        while i < lines.len() && lines[i].1.trim() != "---" {
            match lines[i].1.split_once(':') {
                Some(("id", v)) => id = v.trim().to_string(),
                Some(("title", v)) => title = v.trim().to_string(),
                _ => wrong.push(format!("{file}:{}: front matter holds only `id:` and `title:`", lines[i].0)),
            }
            i += 1;
        }
        if i == lines.len() {
            errors.push(format!("{file}:1: the front matter is not closed by a line `---` (after `id:` and `title:`)"));
            // Read the rest as the chapter: from the first line that is not `id:` or `title:`.
            i = 1 + lines[1..].iter().take_while(|l| l.1.starts_with("id:") || l.1.starts_with("title:")).count();
        } else {
            errors.extend(wrong);
            i += 1;
        }
    } else {
        errors.push(format!("{file}:1: a chapter starts with front matter (`---`, `id:`, `title:`, `---`)"));
    }
    if id.is_empty() || slug(&id) != id {
        errors.push(format!("{file}:1: `id:` must be a slug like `retry-storm`, found `{id}`"));
    }
    if title.is_empty() {
        errors.push(format!("{file}:1: the chapter needs a `title:`"));
    }
    let mut blocks = Vec::new();
    let mut prose = String::new();
    let flush = |prose: &mut String, blocks: &mut Vec<Block>, linked: &mut HashSet<String>| {
        if !prose.trim().is_empty() {
            blocks.push(Block::Prose(to_html(prose, glossary, linked)));
        }
        prose.clear();
    };
    while i < lines.len() {
        let (n, line) = lines[i];
        if let Some(head) = line.trim_start().strip_prefix(":::") {
            let head = head.trim();
            if head.is_empty() {
                errors.push(format!("{file}:{n}: `:::` closes a block that was never opened"));
                i += 1;
                continue;
            }
            flush(&mut prose, &mut blocks, linked);
            let mut body = Vec::new();
            i += 1;
            // A block ends at its line `:::`. Blocks do not nest, so another block's opening line
            // means this one was left open.
            let opens = |l: &str| l.trim_start().strip_prefix(":::").is_some_and(|h| !h.trim().is_empty());
            while i < lines.len() && lines[i].1.trim() != ":::" && !opens(lines[i].1) {
                body.push(lines[i]);
                i += 1;
            }
            if i == lines.len() {
                errors.push(format!("{file}:{n}: `::: {head}` is not closed by a line `:::`"));
            } else if opens(lines[i].1) {
                errors.push(format!(
                    "{file}:{n}: `::: {head}` is not closed by a line `:::` before the `{}` of line {}",
                    lines[i].1.trim(),
                    lines[i].0
                ));
                // Read on from the next block's opening line.
                i -= 1;
            }
            i += 1;
            let (kind, args) = head.split_once(' ').unwrap_or((head, ""));
            match kind {
                "widget" => blocks.push(Block::Widget(widget(&body, file, n, kind, known, &mut errors))),
                "architecture" => blocks.push(Block::Architecture(widget(&body, file, n, kind, known, &mut errors))),
                "exercises" => blocks.push(Block::Exercises),
                "try" => {
                    let test = args.trim().strip_prefix("test=").unwrap_or("").trim().to_string();
                    if test.is_empty() {
                        errors.push(format!(
                            "{file}:{n}: `::: try` names the test that backs its claim: `::: try test=NAME`"
                        ));
                    } else if !is_test(&known.claim_source, &test) {
                        errors.push(format!(
                            "{file}:{n}: no test `#[test] fn {test}()` in sim-core/tests/chapters.rs backs this claim"
                        ));
                    }
                    let md: String = body.iter().map(|(_, l)| format!("{l}\n")).collect();
                    blocks.push(Block::Try(to_html(&md, glossary, linked), test));
                }
                other => errors.push(format!(
                    "{file}:{n}: unknown block `::: {other}` (known: widget, try, architecture, exercises)"
                )),
            }
            continue;
        }
        prose.push_str(line);
        prose.push('\n');
        i += 1;
    }
    flush(&mut prose, &mut blocks, linked);
    if errors.is_empty() {
        Ok(Chapter { id, title, blocks, file: file.to_string() })
    } else {
        // In the file's order (a widget's fields are checked after its lines are read).
        let line = |e: &String| -> usize {
            e.strip_prefix(file).and_then(|r| r[1..].split(':').next()?.parse().ok()).unwrap_or(0)
        };
        errors.sort_by_key(line);
        Err(errors)
    }
}

/// Reads and parses one file of the content folder; what is wrong goes to `errors` and the default
/// stands in.
fn load<T: Default>(
    dir: &Path,
    name: &str,
    errors: &mut Vec<String>,
    parse: impl FnOnce(&str, &str) -> Result<T, Vec<String>>,
) -> T {
    let file = format!("content/{name}");
    match std::fs::read_to_string(dir.join(name)) {
        Ok(text) => parse(&text, &file).unwrap_or_else(|e| {
            errors.extend(e);
            T::default()
        }),
        Err(e) => {
            errors.push(format!("{file}: {e}"));
            T::default()
        }
    }
}

/// Compiles the whole content folder: `NN-*.md` chapters in name order, `glossary.md`,
/// `references.md`.
pub fn compile_dir(dir: &Path, known: &Known) -> Result<Site, Vec<String>> {
    let read = |name: &str| std::fs::read_to_string(dir.join(name));
    let mut errors = Vec::new();
    let glossary = load(dir, "glossary.md", &mut errors, parse_glossary);
    let intro = load(dir, "intro.md", &mut errors, parse_intro);
    // How many parts each page's layout places (see `Site`).
    let lab = load(dir, "lab.md", &mut errors, |t, f| parse_page(t, f, Some(1)));
    let exercises = load(dir, "exercises.md", &mut errors, |t, f| parse_page(t, f, Some(1)));
    let reading = load(dir, "reading.md", &mut errors, |t, f| parse_page(t, f, None));
    let sources = load(dir, "sources.md", &mut errors, |t, f| parse_page(t, f, Some(3)));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect())
        .unwrap_or_default();
    names.retain(|n| n.ends_with(".md") && n.chars().next().is_some_and(|c| c.is_ascii_digit()));
    // The fixed files are read by name above: any other Markdown file is a mistake (a chapter without
    // its number would otherwise be left out without a word).
    let fixed = ["intro.md", "glossary.md", "references.md", "lab.md", "exercises.md", "reading.md", "sources.md"];
    if let Ok(d) = std::fs::read_dir(dir) {
        let mut others: Vec<String> = d
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".md") && !n.starts_with(['.', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']))
            .filter(|n| !fixed.contains(&n.as_str()))
            .collect();
        others.sort();
        for n in others {
            errors.push(format!(
                "content/{n}: not a file the site reads (chapters are NN-name.md; the others are {})",
                fixed.join(", ")
            ));
        }
    }
    names.sort();
    if names.is_empty() {
        errors.push(format!("{}: no chapter files (NN-name.md)", dir.display()));
    }
    let mut linked = HashSet::new();
    let mut chapters = Vec::new();
    let mut ids: Vec<(String, String)> = Vec::new();
    for name in names {
        let file = format!("content/{name}");
        match read(&name)
            .map_err(|e| vec![format!("{file}: {e}")])
            .and_then(|t| parse_chapter(&t, &file, known, &glossary, &mut linked))
        {
            Ok(c) => {
                match ids.iter().find(|(id, _)| *id == c.id) {
                    Some((_, other)) => errors.push(format!("{file}:1: the chapter id `{}` is {other}'s too", c.id)),
                    None => ids.push((c.id.clone(), file.clone())),
                }
                chapters.push(c);
            }
            Err(e) => errors.extend(e),
        }
    }
    let references = match read("references.md") {
        Ok(t) => to_html(&t, &[], &mut HashSet::new()),
        Err(e) => {
            errors.push(format!("content/references.md: {e}"));
            String::new()
        }
    };
    if errors.is_empty() {
        Ok(Site { intro, lab, exercises, reading, sources, chapters, glossary, references })
    } else {
        Err(errors)
    }
}

fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn lits(v: &[String]) -> String {
    format!("&[{}]", v.iter().map(|s| lit(s)).collect::<Vec<_>>().join(", "))
}

fn widget_rust(w: &Widget) -> String {
    let set: Vec<String> = w.set.iter().map(|(p, v)| format!("({}, {})", lit(p), lit(v))).collect();
    format!(
        "WidgetSpec {{ preset: {}, set: &[{}], knobs: {}, charts: {}, caption: {}, source: {} }}",
        lit(&w.preset),
        set.join(", "),
        lits(&w.knobs),
        lits(&w.charts),
        lit(&w.caption),
        lit(&w.source)
    )
}

impl Site {
    /// The site as Rust source (statics of the types in `app/src/chapters/content.rs`).
    pub fn to_rust(&self) -> String {
        let mut out = String::from("// Generated by app/build.rs from content/. Do not edit.\n");
        let _ = writeln!(
            out,
            "pub static INTRO: Intro = Intro {{ kicker: {}, title: {}, paragraphs: {}, footer: {} }};\n",
            lit(&self.intro.kicker),
            lit(&self.intro.title),
            lits(&self.intro.paragraphs),
            lit(&self.intro.footer)
        );
        out.push_str("pub static CHAPTERS: &[Chapter] = &[\n");
        for (n, c) in self.chapters.iter().enumerate() {
            let _ = writeln!(
                out,
                "    Chapter {{ id: {}, number: {}, title: {}, file: {}, blocks: &[",
                lit(&c.id),
                n + 1,
                lit(&c.title),
                lit(&c.file)
            );
            for b in &c.blocks {
                let s = match b {
                    Block::Prose(h) => format!("Block::Prose({})", lit(h)),
                    Block::Widget(w) => format!("Block::Widget({})", widget_rust(w)),
                    Block::Architecture(w) => format!("Block::Architecture({})", widget_rust(w)),
                    Block::Try(h, t) => format!("Block::Try {{ html: {}, test: {} }}", lit(h), lit(t)),
                    Block::Exercises => "Block::Exercises".to_string(),
                };
                let _ = writeln!(out, "        {s},");
            }
            out.push_str("    ] },\n");
        }
        out.push_str("];\n\npub static GLOSSARY: &[Term] = &[\n");
        for t in &self.glossary {
            let _ = writeln!(out, "    Term {{ id: {}, term: {}, html: {} }},", lit(&t.id), lit(&t.term), lit(&t.html));
        }
        let _ = writeln!(out, "];\n\npub static REFERENCES: &str = {};", lit(&self.references));
        for (name, page) in
            [("LAB", &self.lab), ("EXERCISES", &self.exercises), ("READING", &self.reading), ("SOURCES", &self.sources)]
        {
            let parts: Vec<String> = page
                .parts
                .iter()
                .map(|p| format!("Part {{ title: {}, html: {} }}", lit(&p.title), lit(&p.html)))
                .collect();
            let _ = writeln!(
                out,
                "pub static {name}: Page = Page {{ title: {}, lead: {}, parts: &[{}] }};",
                lit(&page.title),
                lit(&page.lead),
                parts.join(", ")
            );
        }
        out
    }
}
