//! The real datasets shipped inside the binary (no network at run time).
//!
//! `iris` and `winequality` come from `linfa-datasets`; `wine`, `breast_cancer` and `digits` are the
//! CSV files of scikit-learn's wheel, gzipped into the repository's `data/` folder and compiled in.
//! Provenance, licences and citations: `data/README.md` and [`super::catalog`].

use super::{DataError, RawData};
use flate2::read::GzDecoder;
use std::io::Read;

const WINE: &[u8] = include_bytes!("../../data/wine_data.csv.gz");
const BREAST_CANCER: &[u8] = include_bytes!("../../data/breast_cancer.csv.gz");
const DIGITS: &[u8] = include_bytes!("../../data/digits.csv.gz");

/// Loads a bundled dataset by name. `binarize_threshold` applies to `winequality` only.
pub fn load(name: &str, binarize_threshold: Option<f64>) -> Result<RawData, DataError> {
    match name {
        "iris" => Ok(iris()),
        "wine" => sklearn_csv(WINE, wine_features()),
        "breast_cancer" => sklearn_csv(BREAST_CANCER, breast_cancer_features()),
        "digits" => digits(),
        "winequality" => winequality(binarize_threshold),
        other => Err(DataError::Invalid(format!(
            "no bundled dataset named `{other}`; bundled: {}",
            crate::scenario::schema::BUNDLED.join(", ")
        ))),
    }
}

/// Fisher's iris as shipped by linfa-datasets: the UCI `iris.data` file, species coded 0, 1, 2.
fn iris() -> RawData {
    let ds = linfa_datasets::iris();
    let feature_names = ds.feature_names().to_vec();
    RawData {
        x: ds.records,
        y: ds.targets.to_vec(),
        classes: 3,
        class_names: ["setosa", "versicolor", "virginica"]
            .map(String::from)
            .to_vec(),
        feature_names,
    }
}

/// Red "Vinho Verde" wine quality (Cortez et al. 2009) as shipped by linfa-datasets, whose targets
/// are the raw quality scores (3..8 in the red set). Classes are the distinct scores in increasing
/// order, or with a threshold t: quality ≥ t → 1, else 0.
fn winequality(threshold: Option<f64>) -> Result<RawData, DataError> {
    let ds = linfa_datasets::winequality();
    let feature_names = ds.feature_names().to_vec();
    let quality: Vec<usize> = ds.targets.to_vec();
    let x = ds.records;
    let (y, class_names) = match threshold {
        Some(t) => {
            let y: Vec<usize> = quality
                .iter()
                .map(|&q| usize::from(q as f64 >= t))
                .collect();
            let ones = y.iter().filter(|&&c| c == 1).count();
            if ones == 0 || ones == y.len() {
                let (lo, hi) = (
                    quality.iter().min().copied().unwrap_or(0),
                    quality.iter().max().copied().unwrap_or(0),
                );
                return Err(DataError::Invalid(format!(
                    "winequality: binarize_threshold = {t} puts every wine in one class (quality ranges {lo}..{hi}); \
                     choose a threshold in ({lo}, {hi}], e.g. 7 for \"good\" wines"
                )));
            }
            (y, vec![format!("quality < {t}"), format!("quality >= {t}")])
        }
        None => {
            let mut levels = quality.clone();
            levels.sort_unstable();
            levels.dedup();
            let y = quality
                .iter()
                .map(|q| levels.binary_search(q).expect("present"))
                .collect();
            (y, levels.iter().map(|q| q.to_string()).collect())
        }
    };
    Ok(RawData {
        x,
        classes: class_names.len(),
        y,
        class_names,
        feature_names,
    })
}

fn gunzip(bytes: &[u8]) -> Result<String, DataError> {
    let mut text = String::new();
    GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .map_err(|e| {
            DataError::Invalid(format!(
                "a bundled dataset is corrupt ({e}); reinstall labelnoise"
            ))
        })?;
    Ok(text)
}

fn corrupt(what: &str) -> DataError {
    DataError::Invalid(format!(
        "the bundled {what} file is corrupt; reinstall labelnoise"
    ))
}

/// scikit-learn's bundled CSV layout (`sklearn.datasets.load_csv_data`): a first line
/// `n_samples,n_features,class_name_0,…`, then rows of features followed by an integer class.
fn sklearn_csv(gz: &[u8], feature_names: Vec<String>) -> Result<RawData, DataError> {
    let text = gunzip(gz)?;
    let mut lines = text.lines();
    let head: Vec<&str> = lines
        .next()
        .ok_or_else(|| corrupt("dataset"))?
        .split(',')
        .collect();
    let n: usize = head[0].trim().parse().map_err(|_| corrupt("dataset"))?;
    let d: usize = head
        .get(1)
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| corrupt("dataset"))?;
    let class_names: Vec<String> = head[2..].iter().map(|s| s.trim().to_string()).collect();
    let rows = numeric_rows(lines, d + 1)?;
    if rows.len() != n || feature_names.len() != d {
        return Err(corrupt("dataset"));
    }
    into_raw(rows, d, class_names, feature_names)
}

/// The UCI optical digits test set as in scikit-learn: 64 pixel counts (0..16) then the digit.
fn digits() -> Result<RawData, DataError> {
    let text = gunzip(DIGITS)?;
    let rows = numeric_rows(text.lines(), 65)?;
    let names = (0..8)
        .flat_map(|r| (0..8).map(move |c| format!("pixel_{r}_{c}")))
        .collect();
    into_raw(rows, 64, (0..10).map(|c| c.to_string()).collect(), names)
}

fn numeric_rows<'a>(
    lines: impl Iterator<Item = &'a str>,
    width: usize,
) -> Result<Vec<Vec<f64>>, DataError> {
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let row: Vec<f64> = l
                .split(',')
                .map(|v| v.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| corrupt("dataset"))?;
            if row.len() == width {
                Ok(row)
            } else {
                Err(corrupt("dataset"))
            }
        })
        .collect()
}

fn into_raw(
    rows: Vec<Vec<f64>>,
    d: usize,
    class_names: Vec<String>,
    feature_names: Vec<String>,
) -> Result<RawData, DataError> {
    let k = class_names.len();
    let mut x = ndarray::Array2::<f64>::zeros((rows.len(), d));
    let mut y = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        x.row_mut(i)
            .iter_mut()
            .zip(&row[..d])
            .for_each(|(a, b)| *a = *b);
        let c = row[d];
        if c < 0.0 || c.fract() != 0.0 || c as usize >= k {
            return Err(corrupt("dataset"));
        }
        y.push(c as usize);
    }
    Ok(RawData {
        x,
        y,
        classes: k,
        class_names,
        feature_names,
    })
}

/// Feature names as in `sklearn.datasets.load_wine`.
fn wine_features() -> Vec<String> {
    [
        "alcohol",
        "malic_acid",
        "ash",
        "alcalinity_of_ash",
        "magnesium",
        "total_phenols",
        "flavanoids",
        "nonflavanoid_phenols",
        "proanthocyanins",
        "color_intensity",
        "hue",
        "od280/od315_of_diluted_wines",
        "proline",
    ]
    .map(String::from)
    .to_vec()
}

/// Feature names as in `sklearn.datasets.load_breast_cancer`: ten nucleus measurements, each as the
/// mean, the standard error and the worst (mean of the three largest) value over the image.
fn breast_cancer_features() -> Vec<String> {
    let base = [
        "radius",
        "texture",
        "perimeter",
        "area",
        "smoothness",
        "compactness",
        "concavity",
        "concave points",
        "symmetry",
        "fractal dimension",
    ];
    let mean = base.iter().map(|b| format!("mean {b}"));
    let error = base.iter().map(|b| format!("{b} error"));
    let worst = base.iter().map(|b| format!("worst {b}"));
    mean.chain(error).chain(worst).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_name_loads() {
        for name in crate::scenario::schema::BUNDLED {
            let raw = load(name, None).unwrap();
            assert_eq!(raw.x.nrows(), raw.y.len(), "{name}");
            assert_eq!(raw.feature_names.len(), raw.x.ncols(), "{name}");
            assert_eq!(raw.class_names.len(), raw.classes, "{name}");
            assert!(raw.x.iter().all(|v| v.is_finite()), "{name}");
        }
        assert!(load("mnist", None).is_err());
    }

    #[test]
    fn winequality_threshold_outside_the_scores_is_refused() {
        assert!(load("winequality", Some(9.0))
            .unwrap_err()
            .to_string()
            .contains("one class"));
        assert!(load("winequality", Some(3.0)).is_err());
        assert_eq!(load("winequality", Some(8.0)).unwrap().classes, 2);
    }
}
