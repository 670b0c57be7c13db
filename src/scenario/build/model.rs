//! `[model]`: the model family and one builder per optimizer.

use super::Reader;
use crate::scenario::spec::*;
use crate::vocab::keys::model::*;

pub fn model(r: &mut Reader<'_>) -> ModelSpec {
    let kind = match r.text(&KIND).as_str() {
        "logistic" => ModelKind::Logistic,
        _ => ModelKind::Softmax,
    };
    let optimizer_name = r.choose(&KINDS);
    let schedule = match r.text(&SCHEDULE).as_str() {
        "cosine" => Schedule::Cosine,
        _ => Schedule::Constant,
    };
    // Read (and so checked) for every optimizer, as they always were.
    let epochs = r.whole(&EPOCHS);
    let batch_size = r.whole(&BATCH_SIZE);
    let optimizer = match optimizer_name.as_str() {
        "sgd" => OptimizerSpec::Sgd {
            epochs,
            batch_size,
            learning_rate: r.number(&LEARNING_RATE),
            momentum: r.number(&MOMENTUM),
            schedule,
        },
        "adam" => OptimizerSpec::Adam {
            epochs,
            batch_size,
            learning_rate: r.number(&LEARNING_RATE),
            schedule,
        },
        _ => OptimizerSpec::Lbfgs {
            history: r.whole(&HISTORY),
        },
    };
    ModelSpec {
        kind,
        l2: r.number(&L2),
        max_iter: r.whole(&MAX_ITER),
        tolerance: r.number(&TOLERANCE),
        optimizer,
        trace: r.flag(&TRACE),
        trace_every: r.whole(&TRACE_EVERY),
        early_stopping: r.flag(&EARLY_STOPPING),
        validation_fraction: r.number(&VALIDATION_FRACTION),
        patience: r.whole(&PATIENCE),
    }
}
