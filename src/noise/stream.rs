//! The random stream of a noise draw: `("noise", seed, data key, noise settings JSON)` by
//! [`crate::rng::derive`], never the method, so every method of a repetition sees the same noisy
//! labels. The data key is the dataset's canonical settings (default, `noise_stream = "dataset"`)
//! or, with `noise_stream = "labels"`, the training labels' content ([`labels_key`]), which is
//! what `labelnoise noisify` uses: the same labels, noise settings and seed give the same noisy
//! labels in a scenario and in `noisify`, on any machine.

use crate::rng::{self, Rng};
use crate::scenario::spec::{NoiseSpec, NoiseStream, RunSpec};
use sha2::{Digest, Sha256};

/// `labels:<SHA-256 hex>` of K and the class of every training label, in order, each as a
/// little-endian u64.
pub fn labels_key(truth: &[usize], classes: usize) -> String {
    let mut h = Sha256::new();
    h.update((classes as u64).to_le_bytes());
    for &y in truth {
        h.update((y as u64).to_le_bytes());
    }
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("labels:{hex}")
}

/// The noise generator of a run (shared by every method of its repetition).
pub fn for_run(run: &RunSpec, truth: &[usize], classes: usize) -> Rng {
    let data = match run.dataset.noise_stream {
        NoiseStream::Dataset => run.dataset_key(),
        NoiseStream::Labels => labels_key(truth, classes),
    };
    rng::derive("noise", run.seed, &[&data, &run.noise_key()])
}

/// The noise generator of `labelnoise noisify`: repetition seed `seed` of a scenario run with
/// `noise_stream = "labels"` on the same training labels and noise settings.
pub fn for_labels(seed: u64, truth: &[usize], classes: usize, noise: &NoiseSpec) -> Rng {
    let noise = serde_json::to_string(noise).expect("spec serializes");
    rng::derive("noise", seed, &[&labels_key(truth, classes), &noise])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::spec::{DataSource, DatasetSpec};

    #[test]
    fn the_labels_key_depends_on_order_and_classes_only() {
        let key = labels_key(&[0, 1, 1], 2);
        assert_eq!(key, labels_key(&[0, 1, 1], 2));
        assert_ne!(key, labels_key(&[1, 0, 1], 2));
        assert_ne!(key, labels_key(&[0, 1, 1], 3));
        assert_eq!(key.len(), "labels:".len() + 64);
    }

    /// `noise_stream` keys the noise only: the dataset's samples and split stay the same.
    #[test]
    fn noise_stream_leaves_the_data_as_it_is() {
        let mut spec = DatasetSpec {
            source: DataSource::Blobs {
                classes: 3,
                features: 2,
                separation: 1.0,
            },
            train: Some(30),
            test: Some(9),
            test_fraction: 0.25,
            standardize: true,
            noise_stream: NoiseStream::Dataset,
        };
        let a = crate::data::build(&spec, std::path::Path::new("."), 4).unwrap();
        spec.noise_stream = NoiseStream::Labels;
        let b = crate::data::build(&spec, std::path::Path::new("."), 4).unwrap();
        assert_eq!((a.x_train, a.y_train), (b.x_train, b.y_train));
    }
}
