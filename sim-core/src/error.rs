//! Errors of invalid parameters: each names the field (as a dotted path) and says what is wrong.

use std::fmt;

/// Why a set of parameters was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamError {
    /// A number outside its allowed range.
    OutOfRange {
        /// Dotted path of the field, e.g. `db.pool_size`.
        field: String,
        /// The value given.
        value: f64,
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
    },
    /// A number that is NaN or infinite.
    NotFinite {
        /// Dotted path of the field.
        field: String,
    },
    /// A value that breaks a rule linking several fields.
    Inconsistent {
        /// Dotted path of the field.
        field: String,
        /// What rule is broken.
        reason: String,
    },
    /// The run would need more work than a run may take.
    TooMuchWork {
        /// Expected number of simulated requests.
        expected_requests: f64,
        /// The most a run may simulate.
        limit: f64,
    },
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamError::OutOfRange { field, value, min, max } => {
                write!(f, "{field} = {} is out of range: allowed {} to {}", num(*value), num(*min), num(*max))
            }
            ParamError::NotFinite { field } => write!(f, "{field} must be a finite number"),
            ParamError::Inconsistent { field, reason } => write!(f, "{field}: {reason}"),
            ParamError::TooMuchWork { expected_requests, limit } => write!(
                f,
                "the run would simulate about {} requests, more than the limit of {}: \
                 shorten run.horizon_s or lower traffic.rate_per_s",
                num(expected_requests.round()),
                num(*limit)
            ),
        }
    }
}

/// A number as people read it: as Rust prints it, except that a very large or very small one is
/// written with an exponent (`1e300`, not three hundred digits).
fn num(v: f64) -> String {
    if v != 0.0 && v.is_finite() && (v.abs() >= 1e15 || v.abs() < 1e-6) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

impl std::error::Error for ParamError {}

impl ParamError {
    /// The dotted path of the field at fault, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            ParamError::OutOfRange { field, .. }
            | ParamError::NotFinite { field }
            | ParamError::Inconsistent { field, .. } => Some(field),
            ParamError::TooMuchWork { .. } => None,
        }
    }
}
