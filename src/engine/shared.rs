//! What the runs of a grid share, built on first use and released after the last run that needs
//! it: datasets per (dataset, seed), noise draws and `[selection]` held-out splits per (dataset,
//! noise, seed).

use super::execute;
use super::execute::validation::HeldOut;
use super::preflight;
use crate::data::{self, DataError, Dataset};
use crate::noise::{self, NoiseError, NoisyLabels};
use crate::scenario::spec::{RunSpec, SelectionSpec};
use crate::train::TrainError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

type Cached<T, E> = Arc<OnceLock<Result<Arc<T>, Arc<E>>>>;
/// Cells by key, each with the number of pending runs that still need it.
type Counted<K, T, E> = Mutex<HashMap<K, (Cached<T, E>, usize)>>;

/// Datasets, noise draws and held-out splits shared by the runs that use them, released after
/// their last run.
#[derive(Default)]
pub(super) struct Shared {
    data: Counted<(String, u64), Dataset, DataError>,
    noise: Counted<DrawKey, NoisyLabels, NoiseError>,
    /// `[selection]`: the rows each noise draw's fits hold out, and the rows they fit on.
    held: Counted<DrawKey, HeldOut, TrainError>,
}

/// (dataset, noise, seed): one noise draw.
pub(super) type DrawKey = (String, String, u64);

pub(super) fn draw_key(run: &RunSpec) -> DrawKey {
    (run.dataset_key(), run.noise_key(), run.seed)
}

/// The cell of `key`, made by `make` on first use.
fn cached<K: std::hash::Hash + Eq, T, E>(
    cells: &Counted<K, T, E>,
    key: &K,
    make: impl FnOnce() -> Result<T, E>,
) -> Result<Arc<T>, Arc<E>> {
    let cell = cells.lock().unwrap()[key].0.clone();
    cell.get_or_init(|| make().map(Arc::new).map_err(Arc::new))
        .clone()
}

/// One more pending run needs the cell of `key`.
fn count<K: std::hash::Hash + Eq, T, E>(cells: &Counted<K, T, E>, key: K) {
    cells.lock().unwrap().entry(key).or_default().1 += 1;
}

/// One pending run less needs the cell of `key`: forgotten after the last.
fn uncount<K: std::hash::Hash + Eq, T, E>(cells: &Counted<K, T, E>, key: &K) {
    let mut cells = cells.lock().unwrap();
    if let Some(e) = cells.get_mut(key) {
        e.1 -= 1;
        if e.1 == 0 {
            cells.remove(key);
        }
    }
}

impl Shared {
    pub(super) fn new(runs: &[RunSpec], selection: bool) -> Shared {
        let s = Shared::default();
        for r in runs {
            count(&s.data, (r.dataset_key(), r.seed));
            count(&s.noise, draw_key(r));
            if selection {
                count(&s.held, draw_key(r));
            }
        }
        s
    }

    /// Takes the datasets the preflight built for pending runs (the others are dropped).
    pub(super) fn adopt(&self, loaded: preflight::Loaded) {
        let cells = self.data.lock().unwrap();
        for (key, data) in loaded.datasets {
            if let Some((cell, _)) = cells.get(&key) {
                // A new cell is empty: nothing has read it yet.
                let _ = cell.set(Ok(data));
            }
        }
    }

    pub(super) fn dataset(&self, run: &RunSpec) -> Result<Arc<Dataset>, Arc<DataError>> {
        cached(&self.data, &(run.dataset_key(), run.seed), || {
            data::build(&run.dataset, &run.base_dir, run.seed)
        })
    }

    pub(super) fn noisy(
        &self,
        run: &RunSpec,
        data: &Dataset,
    ) -> Result<Arc<NoisyLabels>, Arc<NoiseError>> {
        cached(&self.noise, &draw_key(run), || noise::draw(run, data))
    }

    /// The held-out split of the run's noise draw, with a selection.
    pub(super) fn held_out(
        &self,
        run: &RunSpec,
        selection: Option<&SelectionSpec>,
        (data, noisy): (&Dataset, &NoisyLabels),
    ) -> Result<Option<Arc<HeldOut>>, TrainError> {
        let Some(selection) = selection else {
            return Ok(None);
        };
        cached(&self.held, &draw_key(run), || {
            execute::validation::hold_out(selection, run, data, noisy)
        })
        .map(Some)
        // A TrainError is a message: the same one for every run of the draw.
        .map_err(|e| TrainError::Invalid(e.to_string()))
    }

    /// Forgets a run's dataset, noise draw and held-out split once no pending run needs them.
    pub(super) fn release(&self, run: &RunSpec) {
        uncount(&self.data, &(run.dataset_key(), run.seed));
        uncount(&self.noise, &draw_key(run));
        uncount(&self.held, &draw_key(run));
    }
}
