//! Running simulations away from the page's main thread: the worker pool, and the comparisons built
//! on it (several seeds, sweeps).

pub mod pool;
