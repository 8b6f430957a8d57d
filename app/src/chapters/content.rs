//! The masthead, chapters, page sections, glossary and references as data, compiled from `content/` by the build script
//! (`compile.rs`). Prose arrives as HTML made from the project's own Markdown at build time.

/// A live widget: a scenario and the few controls and charts that make one point.
#[derive(Debug)]
pub struct WidgetSpec {
    /// Preset id.
    pub preset: &'static str,
    /// (path, JSON) overrides on the preset, checked at build time.
    pub set: &'static [(&'static str, &'static str)],
    /// Control ids (`knobs.rs`).
    pub knobs: &'static [&'static str],
    /// Chart ids (`ChartKind::id`).
    pub charts: &'static [&'static str],
    /// Caption (HTML): what to see.
    pub caption: &'static str,
    /// Where the directive is: `content/file.md:line`.
    pub source: &'static str,
}

/// One block of a chapter.
#[derive(Debug)]
pub enum Block {
    /// Prose (HTML).
    Prose(&'static str),
    /// A live widget.
    Widget(WidgetSpec),
    /// A "try this" prompt and the native test (in `sim-core/tests/chapters.rs`) that backs it.
    Try {
        /// The prompt (HTML).
        html: &'static str,
        /// The test's name.
        test: &'static str,
    },
    /// The living architecture diagram.
    Architecture(WidgetSpec),
    /// The chapter's classroom exercises.
    Exercises,
}

/// One chapter.
#[derive(Debug)]
pub struct Chapter {
    /// Anchor id: the chapter is at `#{id}`.
    pub id: &'static str,
    /// 1, 2, …
    pub number: usize,
    /// Heading.
    pub title: &'static str,
    /// The file it came from.
    pub file: &'static str,
    /// Its blocks.
    pub blocks: &'static [Block],
}

/// The masthead (`content/intro.md`).
#[derive(Debug)]
pub struct Intro {
    /// The line above the headline.
    pub kicker: &'static str,
    /// The page's headline.
    pub title: &'static str,
    /// Paragraphs (inline HTML): the first is the lede.
    pub paragraphs: &'static [&'static str],
    /// The line at the foot of the page.
    pub footer: &'static str,
}

/// A glossary entry.
#[derive(Debug)]
pub struct Term {
    /// Anchor id: `#term-{id}`.
    pub id: &'static str,
    /// The term.
    pub term: &'static str,
    /// Definition (HTML).
    pub html: &'static str,
}

/// A part of a page section: a heading and its text.
#[derive(Debug)]
pub struct Part {
    /// The heading.
    pub title: &'static str,
    /// Its text (HTML).
    pub html: &'static str,
}

/// A page section around the app's widgets (`content/lab.md`, `exercises.md`, `reading.md`,
/// `sources.md`): the static page shows the same words in the same markup.
#[derive(Debug)]
pub struct Page {
    /// The section's heading.
    pub title: &'static str,
    /// The text before the first part (HTML).
    pub lead: &'static str,
    /// The parts.
    pub parts: &'static [Part],
}

include!(concat!(env!("OUT_DIR"), "/content.rs"));
