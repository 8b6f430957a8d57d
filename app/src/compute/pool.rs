//! The page's pool of simulation workers.
//!
//! `worker/` is a second Rust binary, built by Trunk as a module Web Worker (`data-type="worker"`,
//! `data-bindgen-target="web"`, loaded through its `cascade-worker_loader.js` shim). We use
//! wasm-bindgen's `web_sys::Worker` directly rather than gloo-worker: the protocol is one JSON
//! message each way (`sim_core::jobs`), and owning the pool lets it do what this page needs — a
//! "ready" handshake with a timeout, two priorities (the lab's runs before sweep cells), dropping
//! work nobody waits for, and replacing a worker that fails.
//!
//! - One worker per core `navigator.hardwareConcurrency` reports, at least 1 and at most 8, started
//!   on the first job (a page nobody uses for a run starts none).
//! - A job is written as a message only when it is handed to a worker (submitting a 1,600-cell
//!   sweep costs the page next to nothing). A worker runs one job at a time and holds at most one
//!   more batch job, so it never waits for the page between two cells; a job posted before the
//!   worker said "ready" would be lost, so the pool waits for it (at most [`READY_TIMEOUT_MS`]).
//! - A worker that fails (a panic, an out-of-memory trap, a file that does not load) is replaced;
//!   its job fails with the reason, which the page shows; the other jobs go on. If workers cannot
//!   start at all (three failures in a row before any became ready), jobs run on the page's main
//!   thread, one per task, and the page says so.

use leptos::prelude::*;
use sim_core::jobs::{self, Job, Output, Reply, Request};
use std::cell::RefCell;
use std::collections::VecDeque;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

/// The worker's start-up script, relative to the page (so the site works from any sub-path).
const WORKER_URL: &str = "./cascade-worker_loader.js";
/// How long a new worker may take to say "ready", in milliseconds.
pub const READY_TIMEOUT_MS: i32 = 15_000;
/// Failures in a row before any worker became ready, after which jobs run on the main thread.
const START_FAILURES: u32 = 3;

/// What a finished job gives its caller: the output and how long it ran (ms), or why it failed.
pub type Outcome = Result<(Output, f64), JobError>;
/// Called once with a job's outcome (never for a cancelled job, see [`cancel_all`]).
pub type Done = Box<dyn FnOnce(Outcome)>;

/// Why a job gave no output.
#[derive(Clone, Debug, PartialEq)]
pub enum JobError {
    /// The parameters cannot run (the validation message).
    Invalid(String),
    /// The worker running it failed (what it said, if anything).
    WorkerFailed(String),
}

impl std::fmt::Display for JobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JobError::Invalid(e) => write!(f, "{e}"),
            JobError::WorkerFailed(e) => write!(f, "the simulation worker failed ({e}); a new one has taken its place"),
        }
    }
}

/// How urgent a job is: the lab's own runs go before the cells of a sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Priority {
    /// A run a reader is waiting to see.
    Interactive,
    /// One of many (a sweep, a curve).
    Batch,
}

/// A submitted job: cancel it when its result is no longer wanted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket(u64);

/// Drops jobs whose results nobody wants any more: those still waiting are taken out of the
/// queue, and the results of those already running are ignored.
pub fn cancel_all(tickets: &[Ticket]) {
    if tickets.is_empty() {
        return;
    }
    let ids: std::collections::HashSet<u64> = tickets.iter().map(|t| t.0).collect();
    with_pool(|p| {
        p.queue.retain(|q| !ids.contains(&q.id));
        p.batch.retain(|q| !ids.contains(&q.id));
        for slot in p.slots.iter_mut().flatten() {
            for b in slot.busy.iter_mut().filter(|b| ids.contains(&b.id)) {
                b.done = None;
            }
        }
    });
}

/// What the page shows about the pool.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Status {
    /// Workers the pool runs (0 before the first job).
    pub workers: usize,
    /// Of those, ready to take jobs.
    pub ready: usize,
    /// Jobs finished so far.
    pub finished: u64,
    /// Why jobs run on the main thread, when they do.
    pub main_thread: Option<String>,
    /// The last worker failure, for the page to say what failed.
    pub last_failure: Option<String>,
}

struct Queued {
    id: u64,
    job: Job,
    done: Done,
}

struct Busy {
    id: u64,
    job: Job,
    done: Option<Done>,
}

/// Jobs a worker holds at most: the one it runs and one batch job waiting in its message queue.
const IN_FLIGHT: usize = 2;

struct Slot {
    worker: Worker,
    generation: u64,
    ready: bool,
    /// Jobs posted to the worker, oldest (running) first.
    busy: VecDeque<Busy>,
    panic: Option<String>,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn(ErrorEvent)>,
}

#[derive(Default)]
struct Pool {
    slots: Vec<Option<Slot>>,
    queue: VecDeque<Queued>,
    batch: VecDeque<Queued>,
    next_id: u64,
    generation: u64,
    started: bool,
    start_failures: u32,
    main_thread: Option<String>,
    main_thread_busy: bool,
    finished: u64,
    last_failure: Option<String>,
}

thread_local! {
    static POOL: RefCell<Pool> = RefCell::new(Pool::default());
    static STATUS: RwSignal<Status> = RwSignal::new(Status::default());
}

fn with_pool<T>(f: impl FnOnce(&mut Pool) -> T) -> T {
    POOL.with(|p| f(&mut p.borrow_mut()))
}

/// The pool's state, for the page (tracked).
pub fn status() -> RwSignal<Status> {
    STATUS.with(|s| *s)
}

fn publish() {
    let st = with_pool(|p| Status {
        workers: p.slots.iter().flatten().count(),
        ready: p.slots.iter().flatten().filter(|s| s.ready).count(),
        finished: p.finished,
        main_thread: p.main_thread.clone(),
        last_failure: p.last_failure.clone(),
    });
    let signal = status();
    if signal.try_get_untracked().as_ref() != Some(&st) {
        signal.try_set(st);
    }
}

/// How many workers the pool runs: one per reported core, 1 to 8.
pub fn size() -> usize {
    let cores = web_sys::window().map(|w| w.navigator().hardware_concurrency()).unwrap_or(1.0);
    (cores.max(1.0) as usize).clamp(1, 8)
}

/// Runs `job` in a worker; `done` gets its outcome (on a later task, never during this call).
pub fn submit(job: Job, priority: Priority, done: impl FnOnce(Outcome) + 'static) -> Ticket {
    let id = with_pool(|p| {
        p.next_id += 1;
        let id = p.next_id;
        let q = Queued { id, job, done: Box::new(done) };
        match priority {
            Priority::Interactive => p.queue.push_back(q),
            Priority::Batch => p.batch.push_back(q),
        }
        if !p.started {
            p.started = true;
            for index in 0..size() {
                p.slots.push(None);
                spawn(p, index);
            }
        }
        id
    });
    dispatch();
    publish();
    Ticket(id)
}

/// Starts (or restarts) the worker of slot `index`.
fn spawn(p: &mut Pool, index: usize) {
    p.generation += 1;
    let generation = p.generation;
    let opts = WorkerOptions::new();
    opts.set_type(WorkerType::Module);
    opts.set_name(&format!("cascade-sim-{index}"));
    let worker = match Worker::new_with_options(WORKER_URL, &opts) {
        Ok(w) => w,
        Err(e) => {
            let why = e.as_string().unwrap_or_else(|| "this browser cannot start a Web Worker".into());
            p.slots[index] = None;
            fall_back(p, format!("background workers are not available ({why})"));
            return;
        }
    };
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
        if let Some(text) = e.data().as_string() {
            on_message(index, generation, &text);
        }
    });
    let on_error = Closure::<dyn Fn(ErrorEvent)>::new(move |e: ErrorEvent| {
        e.prevent_default();
        let msg = e.message();
        on_failure(index, generation, if msg.is_empty() { "it stopped with an error".into() } else { msg });
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    p.slots[index] = Some(Slot {
        worker,
        generation,
        ready: false,
        busy: VecDeque::new(),
        panic: None,
        _on_message: on_message,
        _on_error: on_error,
    });
    // A worker whose files do not load may never say anything: give up on it after a while.
    let check = Closure::once_into_js(move || {
        let silent = with_pool(|p| p.slots[index].as_ref().is_some_and(|s| s.generation == generation && !s.ready));
        if silent {
            on_failure(index, generation, format!("it did not start within {} s", READY_TIMEOUT_MS / 1000));
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(check.unchecked_ref(), READY_TIMEOUT_MS);
    }
}

fn on_message(index: usize, generation: u64, text: &str) {
    let mut finished = None;
    with_pool(|p| {
        let Some(slot) = p.slots[index].as_mut().filter(|s| s.generation == generation) else { return };
        if text == jobs::READY {
            slot.ready = true;
            p.start_failures = 0;
            return;
        }
        if let Some(rest) = text.strip_prefix(r#"{"panic":"#) {
            slot.panic = serde_json::from_str::<String>(rest.trim_end_matches('}')).ok();
            return;
        }
        let reply: Reply = match serde_json::from_str(text) {
            Ok(r) => r,
            Err(e) => Reply {
                id: slot.busy.front().map_or(0, |b| b.id),
                result: Err(format!("unreadable reply: {e}")),
                elapsed_ms: 0.0,
            },
        };
        if let Some(k) = slot.busy.iter().position(|b| b.id == reply.id) {
            let busy = slot.busy.remove(k).expect("present");
            p.finished += 1;
            finished = busy.done.map(|d| (d, reply.result.map(|o| (o, reply.elapsed_ms)).map_err(JobError::Invalid)));
        }
    });
    dispatch();
    publish();
    if let Some((done, outcome)) = finished {
        done(outcome);
    }
}

fn on_failure(index: usize, generation: u64, message: String) {
    let mut failed = None;
    with_pool(|p| {
        let Some(slot) = p.slots[index].take_if(|s| s.generation == generation) else { return };
        slot.worker.terminate();
        let why = slot.panic.clone().unwrap_or(message);
        leptos::logging::warn!("Cascade Lab: a simulation worker failed: {why}");
        p.last_failure = Some(why.clone());
        let mut busy = slot.busy;
        // The job it was running failed with it; the one waiting behind it runs elsewhere.
        if let Some(b) = busy.pop_front() {
            p.finished += 1;
            failed = b.done.map(|d| (d, why.clone()));
        }
        for b in busy.into_iter().rev() {
            if let Some(done) = b.done {
                p.queue.push_front(Queued { id: b.id, job: b.job, done });
            }
        }
        if slot.ready {
            spawn(p, index);
        } else {
            p.start_failures += 1;
            if p.start_failures >= START_FAILURES && p.slots.iter().flatten().all(|s| !s.ready) {
                fall_back(p, format!("background workers could not start ({why})"));
            } else {
                spawn(p, index);
            }
        }
    });
    dispatch();
    publish();
    if let Some((done, why)) = failed {
        done(Err(JobError::WorkerFailed(why)));
    }
}

/// From now on, jobs run on the main thread.
fn fall_back(p: &mut Pool, why: String) {
    if p.main_thread.is_none() {
        leptos::logging::warn!("Cascade Lab: {why}; simulations run on the page's main thread");
        p.main_thread = Some(why);
    }
    for slot in p.slots.iter_mut() {
        if let Some(s) = slot.take() {
            s.worker.terminate();
            // Run again, here.
            for b in s.busy.into_iter().rev() {
                if let Some(done) = b.done {
                    p.queue.push_front(Queued { id: b.id, job: b.job, done });
                }
            }
        }
    }
}

/// Gives waiting jobs to idle ready workers (or, without workers, runs the next one on a later task).
fn dispatch() {
    let run_here = with_pool(|p| {
        if p.main_thread.is_some() {
            if p.main_thread_busy || (p.queue.is_empty() && p.batch.is_empty()) {
                return false;
            }
            p.main_thread_busy = true;
            return true;
        }
        // Idle workers first (any job), then a second, batch job for busy ones.
        for pass in 0..IN_FLIGHT {
            for slot in p.slots.iter_mut().flatten() {
                if !slot.ready || slot.busy.len() != pass {
                    continue;
                }
                let next =
                    if pass == 0 { p.queue.pop_front().or_else(|| p.batch.pop_front()) } else { p.batch.pop_front() };
                let Some(q) = next else { break };
                let text = serde_json::to_string(&Request { id: q.id, job: q.job.clone() }).unwrap_or_default();
                if slot.worker.post_message(&JsValue::from_str(&text)).is_ok() {
                    slot.busy.push_back(Busy { id: q.id, job: q.job, done: Some(q.done) });
                } else if pass == 0 {
                    p.queue.push_front(q);
                } else {
                    p.batch.push_front(q);
                }
            }
        }
        false
    });
    if run_here {
        let next = Closure::once_into_js(run_next_here);
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(next.unchecked_ref(), 0);
        }
    }
}

/// Runs one waiting job on the main thread (the fallback), then schedules the next.
fn run_next_here() {
    let next = with_pool(|p| {
        p.main_thread_busy = false;
        p.queue.pop_front().or_else(|| p.batch.pop_front())
    });
    if let Some(q) = next {
        let t0 = crate::lab::now_ms();
        let result = match q.job {
            // A test of a failing worker must not take the page down with it.
            Job::Fail => Err("asked to fail".to_string()),
            ref job => jobs::execute_alone(job),
        };
        let elapsed = crate::lab::now_ms() - t0;
        with_pool(|p| p.finished += 1);
        (q.done)(result.map(|o| (o, elapsed)).map_err(JobError::Invalid));
    }
    dispatch();
    publish();
}

/// Test hook: asks one worker to panic (see `wasmBindings.test_worker_failure`).
pub fn fail_one_worker(done: impl FnOnce(Outcome) + 'static) -> Ticket {
    submit(Job::Fail, Priority::Interactive, done)
}
