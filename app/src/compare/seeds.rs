//! Several seeds: is a difference real or noise? With more than one seed the page runs seeds
//! `seed … seed+N−1` in the workers and shows the median with its spread; the failure-rate chart
//! draws the median and the 10–90 % band. The figures are `sim_core::ensemble`'s, the same
//! functions `cascade sweep --seeds N --summary` prints with.

use crate::compute::pool::{self, Priority, Ticket};
use crate::format;
use crate::lab::{use_lab, SeedRuns};
use leptos::prelude::*;
use sim_core::ensemble::{self, Band, EnsembleSummary, Outline, Spread};
use sim_core::jobs::{Job, Output};
use std::sync::Arc;

/// The choices of the seeds control.
pub const CHOICES: [u64; 3] = [1, 5, 20];

/// Reads `seeds=` from a link: one of [`CHOICES`].
pub fn parse(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(n) if CHOICES.contains(&n) => Ok(n),
        _ => Err(format!("ignored seeds={text}: the page runs 1, 5 or 20 seeds")),
    }
}

/// A spread for readers: "35 s (30 s – 40 s)", the median then the 10–90 % range.
fn spread_text(s: &Spread, f: impl Fn(f64) -> String) -> String {
    // A number and its unit in one piece ("30 s", not "30 / s" over two lines on a phone); words
    // ("did not recover") still wrap.
    let f = |x: f64| {
        let t = f(x);
        if t.starts_with(|c: char| c.is_ascii_digit()) {
            t.replace(' ', "\u{a0}")
        } else {
            t
        }
    };
    let (lo, mid, hi) = (f(s.p10), f(s.median), f(s.p90));
    if lo == hi {
        mid
    } else {
        format!("{mid} ({lo} – {hi})")
    }
}

/// A recovery time, or "did not recover" for +∞.
fn recovery_text(s: f64) -> String {
    super::phase::Metric::Recovery.text(Some(s).filter(|s| s.is_finite()))
}

/// How long users were affected: "not affected" for 0, "to the end of the run" for +∞ (as the
/// figure says it for one run).
fn outage_text(s: f64) -> String {
    match s {
        0.0 => "not affected".into(),
        s if s.is_finite() => format::duration(s),
        _ => "to the end of the run".into(),
    }
}

/// The figures over several seeds, for the page.
#[derive(Clone, Debug, PartialEq)]
pub struct Texts {
    /// Peak failure rate, median (10–90 %).
    pub peak: String,
    /// Recovery time, median (10–90 %).
    pub recovery: String,
    /// Requests lost, median (10–90 %), real-world requests.
    pub lost: String,
    /// Attempts per request, median (10–90 %).
    pub amplification: String,
    /// How long users were affected, median (10–90 %).
    pub outage: String,
    /// "recovered in 3 of 20 seeds".
    pub verdict: String,
}

/// The texts for `e`, with requests scaled by `scale`.
pub fn texts(e: &EnsembleSummary, scale: f64) -> Texts {
    Texts {
        peak: spread_text(&e.peak_failure_rate, format::percent),
        recovery: spread_text(&e.recovery_time_s, recovery_text),
        lost: spread_text(&e.failed_requests, |x| format::count(x * scale)),
        amplification: spread_text(&e.retry_amplification, |x| format!("{x:.2}×")),
        outage: spread_text(&e.outage_s, outage_text),
        verdict: e.verdict(),
    }
}

/// Runs over several seeds of which only the latest count: starting new ones cancels those under
/// way and drops their replies.
#[derive(Clone, Copy)]
struct Latest {
    tickets: StoredValue<Vec<Ticket>>,
    generation: StoredValue<u64>,
    /// Runs finished, of how many.
    progress: RwSignal<(usize, usize)>,
}

impl Latest {
    fn new() -> Latest {
        Latest {
            tickets: StoredValue::new(Vec::new()),
            generation: StoredValue::new(0),
            progress: RwSignal::new((0, 0)),
        }
    }

    /// Cancels the runs under way.
    fn cancel(self) {
        self.generation.update_value(|g| *g += 1);
        pool::cancel_all(&self.tickets.get_value());
        self.tickets.set_value(Vec::new());
        self.progress.set((0, 0));
    }

    /// In place of the runs under way, runs `p` over seeds `p.seed … p.seed+n−1` in the workers;
    /// `done` gets their figures and band once all are in.
    fn run(self, p: &sim_core::Params, n: u64, done: impl Fn(Arc<SeedRuns>) + Copy + 'static) {
        self.cancel();
        let this = self.generation.get_value();
        let Latest { generation, progress, .. } = self;
        let seeds = ensemble::seeds(p.seed, n);
        let outlines = StoredValue::new(vec![None::<Outline>; seeds.len()]);
        progress.set((0, seeds.len()));
        let mut tickets = Vec::new();
        for (k, &seed) in seeds.iter().enumerate() {
            let mut q = p.clone();
            q.seed = seed;
            let seeds = seeds.clone();
            tickets.push(pool::submit(Job::Outline { params: q }, Priority::Interactive, move |outcome| {
                if generation.try_get_value() != Some(this) {
                    return;
                }
                let Ok((Output::Outline { outline }, _)) = outcome else {
                    // Invalid parameters show in the lab's own notice; a failed worker in the pool's.
                    progress.set((0, 0));
                    return;
                };
                outlines.update_value(|o| o[k] = Some(*outline));
                let finished: Vec<Outline> = outlines.with_value(|o| o.iter().flatten().cloned().collect());
                progress.set((finished.len(), seeds.len()));
                if finished.len() == seeds.len() {
                    let summary = EnsembleSummary::of(finished.iter().map(|o| &o.summary));
                    let band = Band::of(&finished);
                    done(Arc::new(SeedRuns { seeds: seeds.clone(), summary, band }));
                }
            }));
        }
        self.tickets.set_value(tickets);
    }
}

/// The seeds control, and the runs it asks for.
#[component]
pub fn SeedsControl() -> impl IntoView {
    let lab = use_lab();
    let runs = Latest::new();
    let progress = runs.progress;
    Effect::new(move |_| {
        let n = lab.seeds.get();
        let p = lab.params.get();
        if n <= 1 {
            runs.cancel();
            lab.seed_runs.set(None);
        } else {
            runs.run(&p, n, move |r| lab.seed_runs.set(Some(r)));
        }
    });
    // The pinned run over as many seeds, so that its differences are between medians too. Only when
    // its parameters change (not when its own run comes in).
    let pinned_params = Memo::new(move |_| lab.pinned.with(|p| p.as_ref().map(|p| p.params.clone())));
    let pinned_runs = Latest::new();
    Effect::new(move |_| {
        let n = lab.seeds.get();
        let pinned = pinned_params.get();
        pinned_runs.cancel();
        lab.pinned_seed_runs.set(None);
        if let Some(p) = pinned.filter(|_| n > 1) {
            pinned_runs.run(&p, n, move |r| lab.pinned_seed_runs.set(Some(r)));
        }
    });
    on_cleanup(move || {
        for r in [runs, pinned_runs] {
            pool::cancel_all(&r.tickets.try_get_value().unwrap_or_default());
        }
    });
    let summary = move || {
        let runs = lab.seed_runs.get()?;
        let scale = lab.run.with(|r| r.trace.as_ref().as_ref().map(|t| t.scale).unwrap_or(1.0));
        Some((runs.clone(), texts(&runs.summary, scale)))
    };
    view! {
        <div class="seeds" data-testid="seeds-panel">
            <label>
                "Seeds "
                <select data-testid="seeds" on:change=move |ev| {
                    if let Ok(n) = event_target_value(&ev).parse::<u64>() {
                        lab.seeds.set(n);
                    }
                } prop:value=move || lab.seeds.get().to_string()>
                    {CHOICES.iter().map(|n| view! {
                        <option value=n.to_string()>{if *n == 1 { "1 (this seed)".to_string() } else { format!("{n} seeds") }}</option>
                    }).collect_view()}
                </select>
            </label>
            {move || {
                let (done, total) = progress.get();
                (total > 0 && done < total).then(|| view! {
                    <span class="seeds-progress" data-testid="seeds-progress">{format!("running seeds: {done} of {total}")}</span>
                })
            }}
            {move || (lab.seeds.get() > 1).then(|| match summary() {
                Some((runs, t)) => {
                    let first = runs.seeds.first().copied().unwrap_or(0);
                    let last = runs.seeds.last().copied().unwrap_or(0);
                    let s = &runs.summary;
                    view! {
                        <p class="band-summary" data-testid="band-summary"
                            data-runs=s.runs.to_string()
                            data-recovered=s.recovered.to_string()
                            data-peak-median=format!("{:.4}", s.peak_failure_rate.median)
                            data-recovery-median=if s.recovery_time_s.median.is_finite() { s.recovery_time_s.median.to_string() } else { String::new() }
                            data-failed-median=s.failed_requests.median.to_string()
                            data-amplification-median=format!("{:.3}", s.retry_amplification.median)
                            data-outage-median=if s.outage_s.median.is_finite() { s.outage_s.median.to_string() } else { String::new() }>
                            <b data-testid="seeds-verdict">{t.verdict}</b>
                            {format!(
                                " (seeds {first}–{last}). Median, with the 10–90 % range: peak failure rate {}; recovery after the fault ends: {}; requests lost {}.",
                                t.peak, t.recovery, t.lost
                            )}
                        </p>
                    }.into_any()
                }
                None => view! { <p class="band-summary pending" data-testid="band-summary">"Running the seeds…"</p> }.into_any(),
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::Summary;

    #[test]
    fn links_take_only_the_offered_counts() {
        assert_eq!(parse("20"), Ok(20));
        assert!(parse("7").is_err());
        assert!(parse("many").is_err());
    }

    #[test]
    fn spreads_read_as_median_and_range() {
        let runs: Vec<Summary> = [30.0, 35.0, 40.0, 45.0, 50.0]
            .iter()
            .map(|&r| Summary {
                recovered: true,
                recovery_time_s: Some(r),
                peak_failure_rate: 1.0,
                ..Summary::default()
            })
            .collect();
        let t = texts(&EnsembleSummary::of(&runs), 1.0);
        assert_eq!(t.verdict, "recovered in all 5 seeds");
        assert_eq!(t.recovery, "40\u{a0}s (32\u{a0}s – 48\u{a0}s)");
        assert_eq!(t.peak, "100.0%");
        assert_eq!(t.amplification, "0.00×");
        assert_eq!(t.outage, "not affected");
    }

    #[test]
    fn every_figure_has_its_spread() {
        // Users affected: 0 when never, +∞ (to the end of the run) when it did not recover.
        let run = |amp: f64, outage: Option<f64>, unhealthy: u64| Summary {
            recovered: outage.is_some(),
            recovery_time_s: outage,
            outage_s: outage,
            unhealthy_intervals: unhealthy,
            retry_amplification: amp,
            ..Summary::default()
        };
        let runs = [run(1.0, Some(0.0), 0), run(3.0, Some(600.0), 10), run(3.5, None, 90)];
        let t = texts(&EnsembleSummary::of(&runs), 1.0);
        assert_eq!(t.amplification, "3.00× (1.40× – 3.40×)");
        assert_eq!(t.outage, "10\u{a0}min (2\u{a0}min – to the end of the run)");
        let never = [run(1.0, Some(0.0), 0), run(1.0, Some(0.0), 0)];
        assert_eq!(texts(&EnsembleSummary::of(&never), 1.0).outage, "not affected");
        assert_eq!(t.verdict, "recovered in 2 of 3 seeds");
    }
}
