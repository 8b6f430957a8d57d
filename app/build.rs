//! Build script: turns the chapters in `content/` (Markdown with small widget directives) into Rust
//! data for the app, so no Markdown parser ships in the wasm. A bad directive — an unknown preset,
//! control, chart, parameter path or claim test — fails the build with the file and line.
//!
//! The format is described in README.md ("Writing a chapter"). In short: front matter with `id` and
//! `title`; Markdown prose; and blocks `::: widget`, `::: try test=NAME`, `::: architecture`,
//! `::: exercises`, each closed by a line `:::`.

#![allow(dead_code)]

#[path = "src/chapters/compile.rs"]
mod compile;
#[path = "src/format.rs"]
mod format;
#[path = "src/knobs.rs"]
mod knobs;

use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let content = root.join("content");
    let claims = root.join("sim-core/tests/chapters.rs");
    println!("cargo:rerun-if-changed={}", content.display());
    println!("cargo:rerun-if-changed={}", claims.display());
    println!("cargo:rerun-if-changed=src/chapters/compile.rs");
    println!("cargo:rerun-if-changed=src/knobs.rs");
    let known = compile::Known {
        control: &|id| knobs::exists(id),
        claim_source: std::fs::read_to_string(&claims).unwrap_or_default(),
    };
    match compile::compile_dir(&content, &known) {
        Ok(site) => {
            let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("content.rs");
            std::fs::write(&out, site.to_rust()).expect("write content.rs");
        }
        Err(errors) => {
            // Each error as its own line (cargo shows a build script's output when it fails), then
            // stop: an error in the content is the author's to fix, not a crash of the build script.
            for e in &errors {
                println!("cargo:warning={e}");
                eprintln!("error: {e}");
            }
            eprintln!("{} error(s) in content/ (see above)", errors.len());
            std::process::exit(1);
        }
    }
}
