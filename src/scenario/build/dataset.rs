//! `[dataset]`: one builder per source kind, then the split sizes every source shares.

use super::{Problem, Reader, Scalar};
use crate::scenario::spec::*;
use crate::vocab::keys::dataset::*;
use crate::vocab::keys::limits;
use std::path::{Path, PathBuf};

pub fn dataset(r: &mut Reader<'_>, base_dir: &Path) -> DatasetSpec {
    let source = r.choose(&KINDS);
    let src = match source.as_str() {
        "blobs" => blobs(r),
        "classification" => classification(r),
        "separable" => separable(r),
        "csv" => csv(r, base_dir),
        name => bundled(r, name),
    };
    let (train, test) = split_sizes(r, &src);
    let test_fraction = r.number(&TEST_FRACTION);
    DatasetSpec {
        source: src,
        train,
        test,
        test_fraction,
        standardize: r.flag(&STANDARDIZE),
        noise_stream: match r.text(&NOISE_STREAM).as_str() {
            "labels" => NoiseStream::Labels,
            _ => NoiseStream::Dataset,
        },
    }
}

/// Classes and features of a generated dataset.
fn synthetic_shape(r: &mut Reader<'_>) -> (usize, usize) {
    let k = r.whole(&CLASSES);
    let d = r.whole(&FEATURES);
    (k, d)
}

fn blobs(r: &mut Reader<'_>) -> DataSource {
    let (classes, features) = synthetic_shape(r);
    DataSource::Blobs {
        classes,
        features,
        separation: r.number(&SEPARATION),
    }
}

fn classification(r: &mut Reader<'_>) -> DataSource {
    let (classes, features) = synthetic_shape(r);
    let informative = r.whole_or(&INFORMATIVE, features.min(2));
    let redundant = r.whole(&REDUNDANT);
    let clusters_per_class = r.whole(&CLUSTERS_PER_CLASS);
    if informative.saturating_add(redundant) > features {
        r.bad(
            INFORMATIVE.name,
            format!("informative ({informative}) + redundant ({redundant}) exceeds features ({features})"),
            "informative + redundant ≤ features",
        );
    }
    if classes.saturating_mul(clusters_per_class) > 1usize << informative.min(30) {
        r.bad(
            CLUSTERS_PER_CLASS.name,
            format!(
                "classes × clusters_per_class = {} exceeds 2^informative = {}",
                classes.saturating_mul(clusters_per_class),
                1usize << informative.min(30)
            ),
            "classes × clusters_per_class ≤ 2^informative (cluster centres are hypercube vertices)",
        );
    }
    DataSource::Classification {
        classes,
        features,
        informative,
        redundant,
        clusters_per_class,
        class_sep: r.number(&CLASS_SEP),
    }
}

fn separable(r: &mut Reader<'_>) -> DataSource {
    let (classes, features) = synthetic_shape(r);
    DataSource::Separable {
        classes,
        features,
        margin: r.number(&MARGIN),
    }
}

/// A file key of a CSV source, relative to the scenario file: reported when it is not a file.
pub(super) fn data_file(
    r: &mut Reader<'_>,
    base_dir: &Path,
    key: &crate::vocab::keys::Key,
) -> Option<PathBuf> {
    let rel = match r.cell.get(key.name) {
        Some((Scalar::Str(s), _)) => s.clone(),
        Some(_) => return Some(Default::default()),
        None => return None,
    };
    let full = base_dir.join(&rel);
    let allowed = key.allowed_text();
    if full.is_dir() {
        r.bad(
            key.name,
            format!("{} is a folder, not a file", full.display()),
            &allowed,
        );
    } else if let Some(meta) = std::fs::metadata(&full).ok().filter(|m| !m.is_file()) {
        r.bad(
            key.name,
            format!(
                "{} is {}, not a regular file",
                full.display(),
                crate::scenario::file::kind(&meta)
            ),
            &allowed,
        );
    } else if !full.is_file() {
        r.bad(
            key.name,
            format!("file {} does not exist", full.display()),
            &allowed,
        );
    }
    Some(PathBuf::from(rel))
}

fn csv(r: &mut Reader<'_>, base_dir: &Path) -> DataSource {
    let path = data_file(r, base_dir, &PATH).unwrap_or_else(|| {
        let span = r.table_span.clone();
        r.problems.push(
            Problem::new(span, "dataset.path is required for source = \"csv\"")
                .help("path = \"data/my.csv\" (relative to the scenario file)"),
        );
        Default::default()
    });
    let test_path = data_file(r, base_dir, &TEST_PATH);
    let labels_path = data_file(r, base_dir, &LABELS_PATH);
    let test_labels_path = data_file(r, base_dir, &TEST_LABELS_PATH);
    let label = match r.cell.get(LABEL.name) {
        Some((Scalar::Column(c), _)) => c.clone(),
        _ => LabelColumn::Name(String::new()),
    };
    let delim = r.text(&DELIMITER);
    let mut chars = delim.chars();
    let delimiter = match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii() => c,
        _ => {
            r.bad(
                DELIMITER.name,
                format!("\"{delim}\" is not one ASCII character"),
                &DELIMITER.allowed_text(),
            );
            ','
        }
    };
    let columns = match r.cell.get(COLUMNS.name) {
        Some((Scalar::Columns(c), _)) => Some(c.clone()),
        _ => None,
    };
    let header = r.flag(&HEADER);
    check_columns(r, header, &label, columns.as_deref());
    DataSource::Csv {
        path,
        test_path,
        label,
        header,
        delimiter,
        columns,
        labels_path,
        test_labels_path,
    }
}

/// A dataset shipped with labelnoise (an unknown name is reported by the reader).
fn bundled(r: &mut Reader<'_>, name: &str) -> DataSource {
    let binarize_threshold = r.float(BINARIZE_THRESHOLD.name);
    if let Some(t) = binarize_threshold {
        if !BINARIZE_THRESHOLD.accepts(t) {
            r.bad(
                BINARIZE_THRESHOLD.name,
                format!("{t} would put every wine in one class (quality scores are 3 to 8)"),
                &BINARIZE_THRESHOLD.allowed_text(),
            );
        }
    }
    DataSource::Bundled {
        name: name.to_string(),
        binarize_threshold,
    }
}

/// Training and test sizes: given, the source kind's default (generated data), or left to
/// `test_fraction` (file-backed data). Checked against the classes and the memory limit.
fn split_sizes(r: &mut Reader<'_>, src: &DataSource) -> (Option<usize>, Option<usize>) {
    let train = r.int(TRAIN.name).or(r.default_of(&TRAIN).as_usize());
    let test = r.int(TEST.name).or(r.default_of(&TEST).as_usize());
    if train == Some(0) {
        r.bad(
            TRAIN.name,
            "the training split cannot be empty".into(),
            &TRAIN.allowed_text(),
        );
    }
    if test == Some(0) {
        r.bad(
            TEST.name,
            "the test split cannot be empty (every test metric would be undefined)".into(),
            &TEST.allowed_text(),
        );
    }
    if let (Some(k), Some(n_train)) = (synthetic_k(src), train) {
        if n_train > 0 && n_train < k {
            r.bad(
                TRAIN.name,
                format!(
                    "{n_train} training samples cannot hold the {k} classes (each class needs one)"
                ),
                &format!("train ≥ classes = {k}"),
            );
        }
    }
    if let (Some(d), Some(n_train), Some(n_test)) = (synthetic_d(src), train, test) {
        let values = n_train.saturating_add(n_test).saturating_mul(d);
        if values > limits::MAX_DATASET_VALUES {
            let key = if r.has(TRAIN.name) {
                TRAIN.name
            } else {
                FEATURES.name
            };
            r.bad(
                key,
                format!(
                    "(train + test) × features = {values} feature values ({:.1} GiB) is more than one dataset may hold",
                    values as f64 * 8.0 / (1u64 << 30) as f64
                ),
                &format!("at most {} values (4 GiB of f64) per dataset", limits::MAX_DATASET_VALUES),
            );
        }
    }
    (train, test)
}

fn synthetic_k(src: &DataSource) -> Option<usize> {
    match src {
        DataSource::Blobs { classes, .. }
        | DataSource::Classification { classes, .. }
        | DataSource::Separable { classes, .. } => Some(*classes),
        _ => None,
    }
}

fn synthetic_d(src: &DataSource) -> Option<usize> {
    match src {
        DataSource::Blobs { features, .. }
        | DataSource::Classification { features, .. }
        | DataSource::Separable { features, .. } => Some(*features),
        _ => None,
    }
}

/// CSV columns: names need a header line; no column twice; the label is not a feature.
fn check_columns(
    r: &mut Reader<'_>,
    header: bool,
    label: &LabelColumn,
    columns: Option<&[LabelColumn]>,
) {
    let by_name = |c: &LabelColumn| matches!(c, LabelColumn::Name(n) if !n.is_empty());
    if !header {
        if by_name(label) {
            r.bad(
                "label",
                "a column name needs header = true".into(),
                "a 0-based column index when header = false",
            );
        }
        if columns.is_some_and(|c| c.iter().any(by_name)) {
            r.bad(
                "columns",
                "column names need header = true".into(),
                "0-based column indices when header = false",
            );
        }
    }
    if let Some(cols) = columns {
        for (i, c) in cols.iter().enumerate() {
            if cols[..i].contains(c) {
                r.bad(
                    "columns",
                    format!("column {} is listed twice", show(c)),
                    "each feature column once",
                );
            }
        }
        if r.has("label") && cols.contains(label) {
            r.bad(
                "columns",
                format!(
                    "the label column {} is also listed as a feature",
                    show(label)
                ),
                "feature columns other than the label",
            );
        }
    }
}

fn show(c: &LabelColumn) -> String {
    match c {
        LabelColumn::Name(n) => format!("\"{n}\""),
        LabelColumn::Index(i) => i.to_string(),
    }
}
