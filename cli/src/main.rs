//! `cascade`: the Cascade Lab simulation on the command line.
//!
//! Every parameter of the model is reachable by its path (`--set db.pool_size=12`), from a preset or
//! a scenario file; `run` prints a summary (text or `--json`) and can write the series as CSV; `sweep`
//! runs a grid over one or two parameters and writes one CSV row per run; `exercise list` and
//! `exercise check ID` list the classroom exercises and check an answer (exit code 0 met, 1 not met).
//! Errors are one line on stderr and exit code 2.

use clap::{Args, Parser, Subcommand};
use serde_json::{json, Value};
use sim_core::ensemble;
use sim_core::scenario::{self, ScenarioError};
use sim_core::sweep::{self, Axis};
use sim_core::{Params, Preset, Summary, Trace};
use std::fmt;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "cascade",
    version,
    about = "Run the Cascade Lab simulation: a cache failover turning into a cascading outage."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one scenario and print its summary.
    Run {
        #[command(flatten)]
        scenario: ScenarioArgs,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
        /// Write the per-interval series to this CSV file.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
    },
    /// Run a grid over one or two parameters (and seeds); write one CSV row per run. Says how many
    /// runs it makes on stderr; at most 32000 (values × values × seeds).
    Sweep {
        #[command(flatten)]
        scenario: ScenarioArgs,
        /// A parameter and its values: PATH=FROM:TO:STEP (inclusive) or PATH=A,B,C. Once or twice.
        /// Without one, the sweep runs the scenario itself (over its seeds).
        #[arg(long = "vary", value_name = "PATH=VALUES")]
        vary: Vec<String>,
        /// Run every point with N seeds: the scenario's seed s, s+1 … s+N−1 (default: s alone).
        #[arg(long, value_name = "N")]
        seeds: Option<u64>,
        /// One row per point instead of per run: median, 10th and 90th percentile over the seeds, and
        /// how many recovered, as the page's several-seeds figures show them.
        #[arg(long)]
        summary: bool,
        /// Where to write the CSV (standard output if not given).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// List the presets.
    Presets,
    /// List every parameter path with its value in a scenario.
    Params {
        #[command(flatten)]
        scenario: ScenarioArgs,
    },
    /// Classroom exercises: list them, or check an answer on the check seeds.
    Exercise {
        #[command(subcommand)]
        command: ExerciseCommand,
    },
    /// Write a scenario file (JSON) for a preset with changes.
    Export {
        #[command(flatten)]
        scenario: ScenarioArgs,
        /// Where to write it (standard output if not given).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ExerciseCommand {
    /// List the exercises: id, title and goal, one a line.
    List,
    /// Check an answer: the exercise's start with your changes, on the check seeds. Exit code 0 when
    /// the goal is met, 1 when it is not, 2 on bad input.
    Check {
        /// The exercise's id (see `cascade exercise list`).
        id: String,
        /// Start from this scenario file (JSON, as exported by the page or `cascade export`) instead of
        /// the exercise's start.
        #[arg(long, value_name = "FILE", conflicts_with = "link")]
        scenario: Option<PathBuf>,
        /// Start from this share link (the page's address, or just its query string).
        #[arg(long, value_name = "URL")]
        link: Option<String>,
        /// Set a parameter: PATH=VALUE, e.g. db.pool_size=8. Repeatable; applied last.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
}

#[derive(Args)]
struct ScenarioArgs {
    /// Start from this preset (see `cascade presets`); default: failover.
    #[arg(long, value_name = "ID", conflicts_with = "scenario")]
    preset: Option<String>,
    /// Start from this scenario file (JSON, as exported by the page or `cascade export`).
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    /// Set any parameter: PATH=VALUE, e.g. db.pool_size=12, client.backoff=exponential,
    /// faults[0].duration_s=90. Repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// The random seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Simulated time, in seconds.
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    horizon: Option<f64>,
}

/// A failure the user can fix: one line, exit code 2.
#[derive(Debug)]
enum CliError {
    Scenario(ScenarioError),
    Param(sim_core::ParamError),
    Io { path: PathBuf, error: std::io::Error },
    Usage(String),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Scenario(e) => write!(f, "{e}"),
            CliError::Param(e) => write!(f, "invalid parameters: {e}"),
            CliError::Io { path, error } => write!(f, "{}: {error}", path.display()),
            CliError::Usage(s) => write!(f, "{s}"),
        }
    }
}

impl From<ScenarioError> for CliError {
    fn from(e: ScenarioError) -> Self {
        CliError::Scenario(e)
    }
}

impl From<sim_core::ParamError> for CliError {
    fn from(e: sim_core::ParamError) -> Self {
        CliError::Param(e)
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // clap's message, on one line.
            let msg = e.to_string();
            let first = msg.lines().next().unwrap_or("bad arguments").trim_start_matches("error: ");
            eprintln!("cascade: {first} (see cascade --help)");
            return ExitCode::from(2);
        }
    };
    match execute(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("cascade: {e}");
            ExitCode::from(2)
        }
    }
}

/// Writes to standard output; a closed pipe (`cascade … | head`) ends the program quietly.
fn print_out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("cascade: cannot write to standard output: {e}");
        std::process::exit(2);
    }
}

fn write_out(path: &Option<PathBuf>, text: &str) -> Result<(), CliError> {
    match path {
        Some(p) => std::fs::write(p, text).map_err(|error| CliError::Io { path: p.clone(), error }),
        None => {
            print_out(text);
            Ok(())
        }
    }
}

/// Splits `PATH=VALUE` (of `--vary`; `--set` goes through [`scenario::apply_set`], whose message is
/// the same).
fn split_assignment(s: &str) -> Result<(&str, &str), CliError> {
    s.split_once('=').ok_or_else(|| ScenarioError::NotAnAssignment(s.to_string()).into())
}

impl ScenarioArgs {
    /// The scenario's preset (if any) and parameters, with every override applied and validated.
    fn load(&self) -> Result<(Option<Preset>, Params), CliError> {
        let (preset, mut params) = match (&self.preset, &self.scenario) {
            (_, Some(path)) => {
                let text = std::fs::read_to_string(path).map_err(|error| CliError::Io { path: path.clone(), error })?;
                let loaded = scenario::from_file(&text)?;
                if let Some(first) = loaded.problems.first() {
                    return Err(CliError::Usage(format!("{}: {first}", path.display())));
                }
                (loaded.preset, loaded.params)
            }
            (Some(id), None) => {
                let p = Preset::from_id(id).ok_or_else(|| ScenarioError::UnknownPreset(id.clone()))?;
                (Some(p), p.params())
            }
            (None, None) => (Some(Preset::Failover), Preset::Failover.params()),
        };
        for s in &self.set {
            scenario::apply_set(&mut params, s)?;
        }
        if let Some(seed) = self.seed {
            params.seed = seed;
        }
        if let Some(h) = self.horizon {
            params.run.horizon_s = h;
        }
        params.clone().validate()?;
        Ok((preset, params))
    }
}

fn execute(command: Command) -> Result<ExitCode, CliError> {
    match command {
        Command::Exercise { command } => exercise(command),
        other => execute_one(other).map(|()| ExitCode::SUCCESS),
    }
}

/// The query string of a share link: what follows `?` (up to a `#`), or the whole text if it has no
/// `?`; without the `exercise` key an exercise link from the page carries.
fn link_query(link: &str) -> String {
    sim_core::share::query_of(link)
        .split('&')
        .filter(|kv| !kv.is_empty() && kv.split('=').next() != Some("exercise"))
        .collect::<Vec<_>>()
        .join("&")
}

fn exercise(command: ExerciseCommand) -> Result<ExitCode, CliError> {
    use sim_core::exercises;
    match command {
        ExerciseCommand::List => {
            let text: String = exercises::all()
                .iter()
                .map(|e| format!("{:<26} {:<16} {} — {}\n", e.id, e.chapter, e.title, e.goal_text()))
                .collect();
            print_out(&text);
            Ok(ExitCode::SUCCESS)
        }
        ExerciseCommand::Check { id, scenario: file, link, set } => {
            let ex = exercises::find(&id).ok_or_else(|| {
                let ids: Vec<&str> = exercises::all().iter().map(|e| e.id).collect();
                CliError::Usage(format!("unknown exercise '{id}' (known: {})", ids.join(", ")))
            })?;
            let mut params = ex.start_params();
            if let Some(path) = &file {
                let text = std::fs::read_to_string(path).map_err(|error| CliError::Io { path: path.clone(), error })?;
                let loaded = scenario::from_file(&text)?;
                if let Some(first) = loaded.problems.first() {
                    return Err(CliError::Usage(format!("{}: {first}", path.display())));
                }
                params = loaded.params;
            }
            if let Some(link) = &link {
                let decoded = sim_core::share::decode(&link_query(link));
                if let Some(first) = decoded.problems.first() {
                    return Err(CliError::Usage(format!("bad link: {first}")));
                }
                params = decoded.params;
            }
            for s in &set {
                scenario::apply_set(&mut params, s)?;
            }
            let check = ex.check(&params);
            let mut out = format!("{}: {}\nGoal: {}\n", ex.id, ex.title, ex.goal_text());
            for p in &check.problems {
                out.push_str(&format!("problem: {p}\n"));
            }
            for s in &check.seeds {
                out.push_str(&format!("seed {}: {} — {}\n", s.seed, if s.met { "met" } else { "not met" }, s.figures));
            }
            let seeds: Vec<String> = exercises::CHECK_SEEDS.iter().map(u64::to_string).collect();
            if check.met {
                out.push_str(&format!("MET on every seed ({})\n", seeds.join(", ")));
            } else if !check.problems.is_empty() {
                out.push_str(&format!(
                    "NOT MET: {} outside what the exercise allows\n",
                    if check.problems.len() == 1 { "one setting is" } else { "some settings are" }
                ));
            } else {
                let missed: Vec<String> = check.seeds.iter().filter(|s| !s.met).map(|s| s.seed.to_string()).collect();
                out.push_str(&format!(
                    "NOT MET on {} of {} seeds ({})\n",
                    missed.len(),
                    seeds.len(),
                    missed.join(", ")
                ));
            }
            print_out(&out);
            Ok(if check.met { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
    }
}

fn execute_one(command: Command) -> Result<(), CliError> {
    match command {
        Command::Exercise { .. } => unreachable!("handled by execute"),
        Command::Presets => {
            let text: String = Preset::ALL
                .iter()
                .map(|p| format!("{:<18} {}\n{:<18} {}\n", p.id(), p.title(), "", p.summary()))
                .collect();
            print_out(&text);
            Ok(())
        }
        Command::Params { scenario } => {
            let (_, params) = scenario.load()?;
            let json = scenario::to_json(&params);
            let text: String = scenario::paths(&params)
                .into_iter()
                .map(|path| {
                    let v = scenario::get_path(&json, &path).cloned().unwrap_or(Value::Null);
                    format!("{path} = {v}\n")
                })
                .collect();
            print_out(&text);
            Ok(())
        }
        Command::Export { scenario, out } => {
            let (preset, params) = scenario.load()?;
            write_out(&out, &(scenario::to_file(&params, preset) + "\n"))
        }
        Command::Run { scenario, json, csv } => {
            let (preset, params) = scenario.load()?;
            let trace = sim_core::run(&params)?;
            if let Some(path) = &csv {
                write_out(&Some(path.clone()), &trace.to_csv(params.run.clock_start_s))?;
            }
            if json {
                print_out(
                    &(serde_json::to_string_pretty(&summary_json(preset, &params, &trace)).expect("json") + "\n"),
                );
            } else {
                print_out(&summary_text(preset, &params, &trace));
            }
            Ok(())
        }
        Command::Sweep { scenario, vary, seeds, summary, out } => {
            let (_, base) = scenario.load()?;
            if vary.len() > 2 {
                return Err(CliError::Usage("--vary takes one or two parameters".into()));
            }
            let axes = vary.iter().map(|v| parse_axis(v, &base)).collect::<Result<Vec<_>, _>>()?;
            if let [a, b] = &axes[..] {
                if a.path == b.path {
                    return Err(CliError::Usage(format!(
                        "--vary names {} twice: the two parameters must be different",
                        a.path
                    )));
                }
            }
            if seeds == Some(0) {
                return Err(CliError::Usage("--seeds must be at least 1".into()));
            }
            // How many runs the sweep makes, said (and checked) before anything is built or runs.
            let n_seeds = seeds.unwrap_or(1);
            let total = axes.iter().fold(n_seeds as u128, |n, a| n * a.values.len() as u128);
            let shape = axes
                .iter()
                .map(|a| format!("{} values of {}", a.values.len(), a.path))
                .chain([format!("{n_seeds} seed{}", if n_seeds == 1 { "" } else { "s" })])
                .collect::<Vec<_>>()
                .join(" × ");
            if total > MAX_SWEEP_RUNS as u128 {
                return Err(CliError::Usage(format!(
                    "the sweep would make {total} runs ({shape}), more than the {MAX_SWEEP_RUNS} allowed: \
                     use fewer values or seeds"
                )));
            }
            eprintln!("cascade: sweep of {total} runs ({shape})");
            // Seeds s … s+N−1 from the scenario's seed s, as the page's seeds control runs them.
            let seeds = ensemble::seeds(base.seed, n_seeds);
            // Every grid point × seed, checked before anything runs.
            let points = sweep::points(&base, &axes, &seeds).map_err(|e| CliError::Usage(e.to_string()))?;
            // The runs go in batches, and rows are written as soon as they are known: a run's row
            // when its batch is done, a grid point's summary row when all its seeds are. Only the
            // summaries not yet written are held, and a sweep stopped part of the way keeps the rows
            // it finished. Progress goes to standard error.
            let mut sink = Sink::open(&out)?;
            sink.write(&if summary { summary_header(&axes) } else { sweep::csv_header(&axes) })?;
            let started = std::time::Instant::now();
            let mut said = started;
            // The runs whose rows are not written yet: points[from..], with their summaries.
            let (mut from, mut pending) = (0, Vec::<Summary>::new());
            for (b, batch) in points.chunks(SWEEP_BATCH).enumerate() {
                pending.extend(run_all(batch));
                let ready = if summary { pending.len() / n_seeds as usize * n_seeds as usize } else { pending.len() };
                let rows = &points[from..from + ready];
                let text = if summary {
                    summary_rows(&axes, rows, &pending[..ready])
                } else {
                    rows.iter().zip(&pending).map(|((point, _), m)| sweep::csv_row(&axes, point, m)).collect()
                };
                sink.write(&text)?;
                pending.drain(..ready);
                from += ready;
                let done = b * SWEEP_BATCH + batch.len();
                if done < points.len() && said.elapsed().as_secs_f64() >= 2.0 {
                    said = std::time::Instant::now();
                    eprintln!("cascade: {done} of {total} runs done ({:.0} s)", started.elapsed().as_secs_f64());
                }
            }
            Ok(())
        }
    }
}

/// Runs in one batch of a sweep.
const SWEEP_BATCH: usize = 256;

/// Where a sweep's CSV goes, written batch by batch: a file (created before anything runs, so a bad
/// path is said at once) or standard output.
enum Sink {
    File(std::io::BufWriter<std::fs::File>, PathBuf),
    Stdout,
}

impl Sink {
    fn open(path: &Option<PathBuf>) -> Result<Sink, CliError> {
        match path {
            Some(p) => std::fs::File::create(p)
                .map(|f| Sink::File(std::io::BufWriter::new(f), p.clone()))
                .map_err(|error| CliError::Io { path: p.clone(), error }),
            None => Ok(Sink::Stdout),
        }
    }

    fn write(&mut self, text: &str) -> Result<(), CliError> {
        use std::io::Write;
        match self {
            Sink::File(f, p) => f
                .write_all(text.as_bytes())
                .and_then(|_| f.flush())
                .map_err(|error| CliError::Io { path: p.clone(), error }),
            Sink::Stdout => {
                print_out(text);
                Ok(())
            }
        }
    }
}

/// The header of `--summary`'s CSV.
fn summary_header(axes: &[Axis]) -> String {
    let mut csv: String = axes.iter().map(|a| format!("{},", a.path)).collect();
    csv.push_str(
        "seeds,recovered,peak_failure_rate_median,peak_failure_rate_p10,peak_failure_rate_p90,\
         recovery_time_s_median,recovery_time_s_p10,recovery_time_s_p90,failed_requests_median,\
         failed_requests_p10,failed_requests_p90,retry_amplification_median,retry_amplification_p10,\
         retry_amplification_p90,outage_s_median,outage_s_p10,outage_s_p90,verdict\n",
    );
    csv
}

/// One row per grid point: the figures over its seeds, as the page shows them (see
/// `sim_core::ensemble`). `points` holds whole grid points, each with all its seeds.
fn summary_rows(axes: &[Axis], points: &[(sweep::Point, sim_core::Valid)], results: &[Summary]) -> String {
    let mut csv = String::new();
    let mut k = 0;
    while k < points.len() {
        let (i, j) = (points[k].0.i, points[k].0.j);
        let end = points[k..].iter().position(|(p, _)| (p.i, p.j) != (i, j)).map_or(points.len(), |n| k + n);
        let e = ensemble::EnsembleSummary::of(results[k..end].iter());
        if let Some(a) = axes.first() {
            csv.push_str(&sweep::cell(&a.values[i]));
            csv.push(',');
        }
        if let Some(b) = axes.get(1) {
            csv.push_str(&sweep::cell(&b.values[j]));
            csv.push(',');
        }
        let num = |x: f64| if x.is_finite() { format!("{x}") } else { String::new() };
        csv.push_str(&format!(
            "{},{},{:.4},{:.4},{:.4},{},{},{},{},{},{},{:.3},{:.3},{:.3},{},{},{},{}\n",
            e.runs,
            e.recovered,
            e.peak_failure_rate.median,
            e.peak_failure_rate.p10,
            e.peak_failure_rate.p90,
            num(e.recovery_time_s.median),
            num(e.recovery_time_s.p10),
            num(e.recovery_time_s.p90),
            e.failed_requests.median,
            e.failed_requests.p10,
            e.failed_requests.p90,
            e.retry_amplification.median,
            e.retry_amplification.p10,
            e.retry_amplification.p90,
            num(e.outage_s.median),
            num(e.outage_s.p10),
            num(e.outage_s.p90),
            e.verdict()
        ));
        k = end;
    }
    csv
}

/// The most runs one sweep may make: a 40 × 40 grid with 20 seeds each, the page's largest.
const MAX_SWEEP_RUNS: u64 = sweep::MAX_RUNS;

/// `PATH=FROM:TO:STEP` or `PATH=A,B,C`.
fn parse_axis(spec: &str, base: &Params) -> Result<Axis, CliError> {
    let (path, values) = split_assignment(spec)?;
    // The path must exist (checked with the base value).
    let current = scenario::get_path(&scenario::to_json(base), path)
        .cloned()
        .ok_or_else(|| CliError::Usage(format!("unknown parameter '{path}' in --vary (see cascade params)")))?;
    let values: Vec<Value> = if let [from, to, step] = values.split(':').collect::<Vec<_>>()[..] {
        let num = |s: &str| {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| CliError::Usage(format!("'{s}' in --vary {path} is not a number")))
        };
        let (from, to, step) = (num(from)?, num(to)?, num(step)?);
        if step <= 0.0 || to < from {
            return Err(CliError::Usage(format!("--vary {path}: need FROM <= TO and STEP > 0")));
        }
        let n = ((to - from) / step + 1e-9).floor() as usize + 1;
        if n > 10_000 {
            return Err(CliError::Usage(format!("--vary {path}: {n} values is too many (at most 10000)")));
        }
        let integer = current.is_u64() || current.is_i64();
        (0..n)
            .map(|i| {
                let x = from + step * i as f64;
                if integer {
                    json!(x.round() as u64)
                } else {
                    json!((x * 1e9).round() / 1e9)
                }
            })
            .collect()
    } else {
        values.split(',').map(scenario::parse_value).collect()
    };
    if values.is_empty() {
        return Err(CliError::Usage(format!("--vary {path}: no values")));
    }
    Ok(Axis { path: path.to_string(), values })
}

/// Runs every validated scenario, in parallel on the machine's cores; their summaries in input order.
fn run_all(runs: &[(sweep::Point, sim_core::Valid)]) -> Vec<Summary> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(runs.len().max(1));
    let mut results: Vec<Option<Summary>> = vec![None; runs.len()];
    std::thread::scope(|scope| {
        let chunks: Vec<_> = results
            .chunks_mut(runs.len().div_ceil(threads).max(1))
            .zip(runs.chunks(runs.len().div_ceil(threads).max(1)))
            .map(|(out, input)| {
                scope.spawn(move || {
                    for (slot, (_, valid)) in out.iter_mut().zip(input) {
                        *slot = Some(sim_core::run_audited(valid).0.summary);
                    }
                })
            })
            .collect();
        for c in chunks {
            c.join().expect("a simulation thread panicked");
        }
    });
    results.into_iter().map(|t| t.expect("every run finished")).collect()
}

fn summary_json(preset: Option<Preset>, params: &Params, t: &Trace) -> Value {
    let m = &t.summary;
    json!({
        "preset": preset.map(|p| p.id()),
        "seed": params.seed,
        "peak_failure_rate": m.peak_failure_rate,
        "unhealthy_intervals": m.unhealthy_intervals,
        "recovered": m.recovered,
        "recovery_time_s": m.recovery_time_s,
        "outage_s": m.outage_s,
        "trigger_end_s": m.trigger_end_s,
        "retry_amplification": m.retry_amplification,
        "total_db_calls": m.total_db_calls,
        "db_retries": m.db_retries,
        "db_call_amplification": m.db_call_amplification,
        "total_requests": m.total_requests,
        "failed_requests": m.failed_requests,
        "succeeded_requests": m.succeeded_requests,
        "total_attempts": m.total_attempts,
        "failed_attempts": m.failed_attempts,
        "events": m.events,
        "cut_short": m.cut_short,
        "cut_short_by": m.cut_short_by,
        "max_events": params.run.max_events,
        "simulated_s": m.simulated_s,
        "breaker_opened": m.breaker_opened,
        "wasted_queries": m.wasted_queries,
        "messages_accepted": m.messages_accepted,
        "messages_delivered": m.messages_delivered,
        "messages_queued_at_end": m.messages_queued_at_end,
        "peak_backlog": m.peak_backlog,
        "peak_replica_lag_s": m.peak_replica_lag_s,
        "reconnect_time_s": m.reconnect_time_s,
        "scale": t.scale,
        "user_scale": t.user_scale,
        "trace_digest": format!("{:016x}", t.digest()),
    })
}

fn duration(s: f64) -> String {
    let total = s.round() as u64;
    let (h, m, sec) = (total / 3600, (total % 3600) / 60, total % 60);
    match (h, m) {
        (0, 0) => format!("{sec} s"),
        (0, m) => format!("{m} min {sec} s"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn summary_text(preset: Option<Preset>, params: &Params, t: &Trace) -> String {
    let m = &t.summary;
    let mut out = String::new();
    let name = preset.map(|p| p.id()).unwrap_or("custom");
    out.push_str(&format!(
        "Cascade Lab: {name}, seed {}, {} simulated ({} requests, {} events){}\n",
        params.seed,
        duration(m.simulated_s),
        m.total_requests,
        m.events,
        if m.cut_short { " — CUT SHORT" } else { "" }
    ));
    if m.cut_short {
        let by = m.cut_short_by.unwrap_or(sim_core::Budget::Events);
        out.push_str(&format!(
            "  cut short at {} of simulated time: {}; the figures cover only that part\n",
            duration(m.simulated_s),
            by.reason(params.run.max_events)
        ));
    }
    let rows = [
        ("peak failure rate", format!("{:.1}%", 100.0 * m.peak_failure_rate)),
        (
            "recovery",
            match m.recovery_time_s {
                Some(r) => format!("{} after the trigger ended at {}", duration(r), duration(m.trigger_end_s)),
                None => "did not recover".into(),
            },
        ),
        ("users affected for", m.outage_s.map(duration).unwrap_or("to the end of the run".into())),
        ("retry amplification", format!("{:.2} attempts per request", m.retry_amplification)),
        ("failed requests", format!("{} of {} (model units; × {} real)", m.failed_requests, m.total_requests, t.scale)),
        ("wasted queries", m.wasted_queries.to_string()),
        ("breaker opened", format!("{} times", m.breaker_opened)),
    ];
    for (k, v) in rows {
        out.push_str(&format!("  {k:<20} {v}\n"));
    }
    if params.api_retry.attempts > 1 {
        out.push_str(&format!(
            "  {:<20} {:.2} database calls per request ({} of them API retries)\n",
            "API retries", m.db_call_amplification, m.db_retries
        ));
    }
    if params.queue.enabled {
        out.push_str(&format!(
            "  {:<20} peak {} queued, {} delivered, {} still queued at the end\n",
            "messages", m.peak_backlog, m.messages_delivered, m.messages_queued_at_end
        ));
    }
    if m.peak_replica_lag_s > 0.0 {
        out.push_str(&format!(
            "  {:<20} peak {:.0} s, {} stale reads\n",
            "replica lag", m.peak_replica_lag_s, m.stale_reads
        ));
    }
    out
}
