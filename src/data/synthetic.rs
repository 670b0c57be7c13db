//! Synthetic generators: `blobs`, `classification`, `separable`.
//!
//! Every generator gives each class n/K samples (±1): sample i belongs to class i mod K before the
//! split shuffles them. Hand-written rather than taken from `linfa-datasets` (whose `generate`
//! feature has blobs only and draws from its own RNG), so that every draw comes from our ChaCha
//! stream and the data are bit-for-bit reproducible.

use super::{DataError, RawData};
use crate::rng::Rng;
use crate::scenario::spec::DataSource;
use ndarray::{Array1, Array2, Axis};
use rand::Rng as _;
use rand_distr::StandardNormal;

/// Generates `n` samples of a synthetic source.
pub fn generate(source: &DataSource, n: usize, rng: &mut Rng) -> Result<RawData, DataError> {
    match *source {
        DataSource::Blobs {
            classes,
            features,
            separation,
        } => Ok(blobs(classes, features, separation, n, rng)),
        DataSource::Classification {
            classes,
            features,
            informative,
            redundant,
            clusters_per_class,
            class_sep,
        } => classification(
            &ClassificationParams {
                classes,
                features,
                informative,
                redundant,
                clusters_per_class,
                class_sep,
            },
            n,
            rng,
        ),
        DataSource::Separable {
            classes,
            features,
            margin,
        } => separable(classes, features, margin, n, rng).map(|(raw, _)| raw),
        _ => Err(DataError::Invalid("not a synthetic source".into())),
    }
}

fn normal(rng: &mut Rng) -> f64 {
    rng.sample(StandardNormal)
}

fn names(prefix: &str, count: usize) -> impl Iterator<Item = String> + '_ {
    (0..count).map(move |j| format!("{prefix}{j}"))
}

fn class_names(k: usize) -> Vec<String> {
    (0..k).map(|c| c.to_string()).collect()
}

/// Gaussian blobs: class means μ_c ~ N(0, separation²·I), labels balanced, x = μ_y + N(0, I).
/// Larger `separation` means easier data.
pub fn blobs(classes: usize, features: usize, separation: f64, n: usize, rng: &mut Rng) -> RawData {
    let mut means = Array2::<f64>::zeros((classes, features));
    means.iter_mut().for_each(|m| *m = separation * normal(rng));
    let mut x = Array2::<f64>::zeros((n, features));
    let mut y = Vec::with_capacity(n);
    for (i, mut row) in x.rows_mut().into_iter().enumerate() {
        let c = i % classes;
        y.push(c);
        for (v, m) in row.iter_mut().zip(means.row(c)) {
            *v = m + normal(rng);
        }
    }
    RawData {
        x,
        y,
        classes,
        class_names: class_names(classes),
        feature_names: names("x", features).collect(),
    }
}

/// Parameters of [`classification`] (the fields of `DataSource::Classification`).
#[derive(Clone, Copy, Debug)]
pub struct ClassificationParams {
    pub classes: usize,
    pub features: usize,
    pub informative: usize,
    pub redundant: usize,
    pub clusters_per_class: usize,
    pub class_sep: f64,
}

/// scikit-learn's `make_classification` (Guyon 2003, the Madelon design) with `hypercube = True`,
/// `n_repeated = 0`, `flip_y = 0` (label noise is the noise model's job), `shift = 0`, `scale = 1`
/// and no column shuffle:
///
/// * `classes × clusters_per_class` Gaussian clusters centred on distinct random vertices of the
///   hypercube [−class_sep, class_sep]^informative (side 2·class_sep); cluster k has class k mod K;
/// * each cluster draws z ~ N(0, I) and maps it by its own random A with entries ~ U(−1, 1)
///   (a random covariance AᵀA), then adds its centre;
/// * the `redundant` columns are X_inf·B with B ~ U(−1, 1): exact linear combinations of the
///   informative ones;
/// * the remaining columns are pure N(0, 1) noise.
///
/// Columns are in that order and named `inf*`, `red*`, `noise*`.
pub fn classification(
    p: &ClassificationParams,
    n: usize,
    rng: &mut Rng,
) -> Result<RawData, DataError> {
    let &ClassificationParams {
        classes,
        features,
        informative,
        redundant,
        clusters_per_class,
        class_sep,
    } = p;
    let clusters = classes * clusters_per_class;
    if informative == 0 || informative + redundant > features {
        return Err(DataError::Invalid(format!(
            "classification: need 1 ≤ informative ({informative}) and informative + redundant ({}) ≤ features ({features})",
            informative + redundant
        )));
    }
    let bits = informative.min(30);
    if clusters > 1usize << bits {
        return Err(DataError::Invalid(format!(
            "classification: classes × clusters_per_class = {clusters} exceeds 2^informative = {}",
            1usize << bits
        )));
    }
    let centroids = distinct_vertices(clusters, informative, bits, class_sep, rng);
    let uniform_pm1 = |rows: usize, cols: usize, rng: &mut Rng| {
        Array2::from_shape_simple_fn((rows, cols), || 2.0 * rng.gen::<f64>() - 1.0)
    };
    let mut x = Array2::<f64>::zeros((n, features));
    let mut y = vec![0usize; n];
    // Cluster of sample i: i mod clusters (so class i mod K, balanced to ±1), rows grouped by cluster.
    let mut by_cluster: Vec<Vec<usize>> = vec![Vec::new(); clusters];
    (0..n).for_each(|i| by_cluster[i % clusters].push(i));
    for (k, rows) in by_cluster.iter().enumerate() {
        let z = Array2::from_shape_simple_fn((rows.len(), informative), || normal(rng));
        let a = uniform_pm1(informative, informative, rng);
        let xk = z.dot(&a) + centroids.row(k);
        for (r, &i) in rows.iter().enumerate() {
            x.row_mut(i)
                .slice_mut(ndarray::s![..informative])
                .assign(&xk.row(r));
            y[i] = k % classes;
        }
    }
    if redundant > 0 {
        let b = uniform_pm1(informative, redundant, rng);
        let red = x.slice(ndarray::s![.., ..informative]).dot(&b);
        x.slice_mut(ndarray::s![.., informative..informative + redundant])
            .assign(&red);
    }
    x.slice_mut(ndarray::s![.., informative + redundant..])
        .iter_mut()
        .for_each(|v| *v = normal(rng));
    let feature_names = names("inf", informative)
        .chain(names("red", redundant))
        .chain(names("noise", features - informative - redundant))
        .collect();
    Ok(RawData {
        x,
        y,
        classes,
        class_names: class_names(classes),
        feature_names,
    })
}

/// Distance beyond the margin from each class prototype to its nearest boundary, in units of the
/// (unit-variance) sample noise.
pub const PROTOTYPE_OFFSET: f64 = 1.5;

/// Linearly separable data with a guaranteed margin, any K ≤ 2^D.
///
/// Class prototypes μ_k are distinct random vertices of a hypercube [−ρ, ρ]^D. The generating
/// classifier is the nearest prototype, a linear classifier with scores μ_k·x (all prototypes have
/// the same norm, so no intercept); its boundary between classes c and j is the bisector
/// {x : (μ_c − μ_j)·x = 0}, at distance ρ·√h from both prototypes when they differ in h
/// coordinates. ρ = (margin + 1.5)/√h_min puts the nearest boundary of the closest pair exactly
/// 1.5 beyond the margin, whatever D, so the difficulty does not grow or shrink with the number
/// of features. A sample of class c is x = μ_c + N(0, I), redrawn until its distance to every
/// boundary of c, (μ_c − μ_j)·x / ‖μ_c − μ_j‖, is at least `margin`.
///
/// Returns the data and the prototypes (K × D). Margins are in raw feature units; standardization
/// rescales them but keeps the data linearly separable. With `features > train` every labelling
/// is separable anyway: hard-label training then memorizes and its weights grow without bound.
// Over 80 lines on purpose: the order of the random draws below is the data's contract (same seed, same
// samples), and it reads best in one place.
pub fn separable(
    classes: usize,
    features: usize,
    margin: f64,
    n: usize,
    rng: &mut Rng,
) -> Result<(RawData, Array2<f64>), DataError> {
    let bits = features.min(30);
    if classes > 1usize << bits {
        let need = (classes as f64).log2().ceil();
        return Err(DataError::Invalid(format!(
            "separable: {classes} classes need at least {need} features (class prototypes are distinct \
             hypercube vertices, at most 2^features of them), but features = {features}"
        )));
    }
    if !(margin > 0.0 && margin.is_finite()) {
        return Err(DataError::Invalid(format!(
            "separable: margin = {margin} must be a positive number"
        )));
    }
    let mut protos = distinct_vertices(classes, features, bits, 1.0, rng);
    // Smallest Hamming distance between two prototypes (≥ 1: the vertices are distinct).
    let mut h_min = features;
    for c in 0..classes {
        for j in c + 1..classes {
            let h = protos
                .row(c)
                .iter()
                .zip(protos.row(j))
                .filter(|(a, b)| a != b)
                .count();
            h_min = h_min.min(h);
        }
    }
    protos *= (margin + PROTOTYPE_OFFSET) / (h_min as f64).sqrt();
    // Unit normals of the boundaries: normals[c][j] = (μ_c − μ_j)/‖μ_c − μ_j‖.
    let normals: Vec<Vec<Option<Array1<f64>>>> = (0..classes)
        .map(|c| {
            (0..classes)
                .map(|j| {
                    (j != c).then(|| {
                        let d = &protos.row(c) - &protos.row(j);
                        let norm = d.dot(&d).sqrt();
                        d / norm
                    })
                })
                .collect()
        })
        .collect();
    let mut x = Array2::<f64>::zeros((n, features));
    let mut y = Vec::with_capacity(n);
    let budget = 1000 * n + 10_000;
    let mut attempts = 0usize;
    let mut draw = Array1::<f64>::zeros(features);
    for (i, mut row) in x.axis_iter_mut(Axis(0)).enumerate() {
        let c = i % classes;
        loop {
            attempts += 1;
            if attempts > budget {
                return Err(DataError::Invalid(format!(
                    "separable: could not place {n} samples at margin {margin} (acceptance too low); \
                     use more features or fewer classes"
                )));
            }
            draw.iter_mut()
                .zip(protos.row(c))
                .for_each(|(v, m)| *v = m + normal(rng));
            let ok = normals[c].iter().flatten().all(|u| u.dot(&draw) >= margin);
            if ok {
                row.assign(&draw);
                y.push(c);
                break;
            }
        }
    }
    Ok((
        RawData {
            x,
            y,
            classes,
            class_names: class_names(classes),
            feature_names: names("x", features).collect(),
        },
        protos,
    ))
}

/// `count` distinct vertices of the hypercube {−half, +half}^dims: the first `bits` coordinates index
/// a distinct vertex (sampled without replacement), the remaining ones are random signs.
fn distinct_vertices(
    count: usize,
    dims: usize,
    bits: usize,
    half: f64,
    rng: &mut Rng,
) -> Array2<f64> {
    let ids = rand::seq::index::sample(rng, 1usize << bits, count).into_vec();
    let mut out = Array2::<f64>::zeros((count, dims));
    for (k, mut row) in out.rows_mut().into_iter().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            let bit = if j < bits {
                (ids[k] >> j) & 1 == 1
            } else {
                rng.gen::<bool>()
            };
            *v = if bit { half } else { -half };
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rng() -> Rng {
        crate::rng::derive("test", 0, &["synthetic"])
    }

    /// Every sample is at least `margin` from every boundary of its class, measured independently
    /// from the prototypes: distance to the bisector of μ_c and μ_j is (‖x−μ_j‖² − ‖x−μ_c‖²)/(2‖μ_c−μ_j‖).
    #[test]
    fn separable_samples_keep_the_margin_and_the_nearest_prototype() {
        for (k, d, margin) in [(2, 1, 0.3), (3, 2, 0.5), (5, 4, 1.0), (10, 20, 0.1)] {
            let (raw, protos) = separable(k, d, margin, 400, &mut rng()).unwrap();
            for (x, &c) in raw.x.rows().into_iter().zip(&raw.y) {
                let sq = |j: usize| (&x - &protos.row(j)).mapv(|v| v * v).sum();
                for j in (0..k).filter(|&j| j != c) {
                    let gap = (&protos.row(c) - &protos.row(j))
                        .mapv(|v| v * v)
                        .sum()
                        .sqrt();
                    let dist = (sq(j) - sq(c)) / (2.0 * gap);
                    assert!(
                        dist >= margin - 1e-9,
                        "K={k} D={d}: distance {dist} < margin {margin}"
                    );
                }
            }
        }
    }

    #[test]
    fn separable_needs_enough_features_for_the_classes() {
        let e = separable(5, 2, 0.5, 10, &mut rng())
            .unwrap_err()
            .to_string();
        assert!(e.contains("at least 3 features"), "{e}");
    }

    #[test]
    fn classification_redundant_columns_are_exact_combinations() {
        let p = ClassificationParams {
            classes: 3,
            features: 8,
            informative: 3,
            redundant: 2,
            clusters_per_class: 2,
            class_sep: 1.0,
        };
        let raw = classification(&p, 300, &mut rng()).unwrap();
        // Solve X_inf β = x_red by normal equations (3×3, Cramer's rule) and check the residual.
        let xi = raw.x.slice(ndarray::s![.., ..3]).to_owned();
        let g = xi.t().dot(&xi);
        let det3 = |m: &Array2<f64>| {
            m[[0, 0]] * (m[[1, 1]] * m[[2, 2]] - m[[1, 2]] * m[[2, 1]])
                - m[[0, 1]] * (m[[1, 0]] * m[[2, 2]] - m[[1, 2]] * m[[2, 0]])
                + m[[0, 2]] * (m[[1, 0]] * m[[2, 1]] - m[[1, 1]] * m[[2, 0]])
        };
        for r in 3..5 {
            let rhs = xi.t().dot(&raw.x.column(r));
            let beta: Vec<f64> = (0..3)
                .map(|j| {
                    let mut m = g.clone();
                    m.column_mut(j).assign(&rhs);
                    det3(&m) / det3(&g)
                })
                .collect();
            let fit = xi.dot(&Array1::from(beta));
            let resid = (&fit - &raw.x.column(r))
                .mapv(f64::abs)
                .fold(0.0f64, |a, &b| a.max(b));
            assert!(resid < 1e-8, "redundant column {r}: residual {resid}");
        }
    }
}
