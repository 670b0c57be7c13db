//! `[model]`: the model family and how it is trained (kinds are optimizers).

use super::limits::MAX_HISTORY;
use super::DefaultValue as D;
use super::{Key, Kind, Kinds, Range, Ty};

pub const MODEL_KINDS: &[&str] = &["softmax", "logistic"];
pub const OPTIMIZERS: &[&str] = &["lbfgs", "sgd", "adam"];
pub const SCHEDULES: &[&str] = &["constant", "cosine"];

const NUMBER_AT_LEAST_0: &str = "a number ≥ 0";

pub const KIND: Key = Key::new(
    "kind",
    Ty::Choice(MODEL_KINDS),
    D::Str("softmax"),
    "softmax (K logits) or logistic (binary, sigmoid)",
);
pub const L2: Key = Key::new(
    "l2",
    Ty::Float,
    D::Float(1e-4),
    "penalty (l2/2)·‖W‖², intercept unpenalized",
)
.range(Range::at_least(0.0), NUMBER_AT_LEAST_0);
pub const MAX_ITER: Key = Key::new("max_iter", Ty::Int, D::Int(1000), "L-BFGS iteration limit")
    .range(Range::at_least(1.0), "")
    .unit("iterations");
pub const TOLERANCE: Key = Key::new(
    "tolerance",
    Ty::Float,
    D::Float(1e-6),
    "L-BFGS stops when max |gradient| ≤ tolerance",
)
.range(Range::at_least(0.0), NUMBER_AT_LEAST_0);
pub const OPTIMIZER: Key = Key::new(
    "optimizer",
    Ty::Choice(OPTIMIZERS),
    D::Str("lbfgs"),
    "full-batch L-BFGS, or mini-batch sgd / adam",
);
pub const HISTORY: Key = Key::new("history", Ty::Int, D::Int(10), "L-BFGS memory")
    .range(Range::between(1.0, MAX_HISTORY as f64), "")
    .unit("vector pairs");
pub const EPOCHS: Key = Key::new(
    "epochs",
    Ty::Int,
    D::Int(100),
    "mini-batch: passes over the training split",
)
.range(Range::at_least(1.0), "")
.unit("epochs");
pub const BATCH_SIZE: Key = Key::new(
    "batch_size",
    Ty::Int,
    D::Int(64),
    "mini-batch: samples per step",
)
.range(Range::at_least(1.0), "")
.unit("samples");
pub const LEARNING_RATE: Key = Key::new(
    "learning_rate",
    Ty::Float,
    D::Derived("0.1 sgd, 0.01 adam"),
    "mini-batch: step size",
)
.range(Range::above(0.0), "a number > 0");
pub const MOMENTUM: Key = Key::new(
    "momentum",
    Ty::Float,
    D::Float(0.9),
    "sgd: heavy-ball momentum",
)
.range(
    Range::new(super::Bound::Inclusive(0.0), super::Bound::Exclusive(1.0)),
    "a number in [0, 1)",
);
pub const SCHEDULE: Key = Key::new(
    "schedule",
    Ty::Choice(SCHEDULES),
    D::Str("constant"),
    "mini-batch: learning-rate schedule",
);
pub const TRACE: Key = Key::new(
    "trace",
    Ty::Bool,
    D::Derived("false (true for mini-batch)"),
    "record a training trace",
);
pub const TRACE_EVERY: Key = Key::new(
    "trace_every",
    Ty::Int,
    D::Int(1),
    "trace every k iterations (L-BFGS) or epochs",
)
.range(Range::at_least(1.0), "");
pub const EARLY_STOPPING: Key = Key::new(
    "early_stopping",
    Ty::Bool,
    D::Bool(false),
    "mini-batch: stop on held-out noisy-label loss",
);
pub const VALIDATION_FRACTION: Key = Key::new(
    "validation_fraction",
    Ty::Float,
    D::Float(0.1),
    "early stopping: held-out share of the noisy training split",
)
.range(Range::FRACTION, "a fraction in (0, 1)");
pub const PATIENCE: Key = Key::new(
    "patience",
    Ty::Int,
    D::Int(10),
    "early stopping: epochs without improvement",
)
.range(Range::at_least(1.0), "")
.unit("epochs");

/// Every `[model]` key, in documentation order.
pub const ALL: &[Key] = &[
    KIND,
    L2,
    MAX_ITER,
    TOLERANCE,
    OPTIMIZER,
    HISTORY,
    EPOCHS,
    BATCH_SIZE,
    LEARNING_RATE,
    MOMENTUM,
    SCHEDULE,
    TRACE,
    TRACE_EVERY,
    EARLY_STOPPING,
    VALIDATION_FRACTION,
    PATIENCE,
];

/// Keys of both mini-batch optimizers.
macro_rules! minibatch {
    ($($extra:expr),*) => {
        &[
            &EPOCHS,
            &BATCH_SIZE,
            &LEARNING_RATE,
            &SCHEDULE,
            &EARLY_STOPPING,
            &VALIDATION_FRACTION,
            &PATIENCE,
            $($extra),*
        ]
    };
}

pub const LBFGS: Kind = Kind::new("lbfgs", &[&HISTORY]).defaults(&[(&TRACE, D::Bool(false))]);
pub const SGD: Kind = Kind::new("sgd", minibatch!(&MOMENTUM))
    .defaults(&[(&LEARNING_RATE, D::Float(0.1)), (&TRACE, D::Bool(true))]);
pub const ADAM: Kind = Kind::new("adam", minibatch!())
    .defaults(&[(&LEARNING_RATE, D::Float(0.01)), (&TRACE, D::Bool(true))]);

/// The optimizers, keyed by `optimizer`, in the order of [`OPTIMIZERS`].
pub const KINDS: Kinds = Kinds {
    kind_key: &OPTIMIZER,
    common: &[&KIND, &L2, &MAX_ITER, &TOLERANCE, &TRACE, &TRACE_EVERY],
    kinds: &[LBFGS, SGD, ADAM],
};
