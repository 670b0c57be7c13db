//! Every data source with what is known about it before loading: sizes of the bundled sets, what the
//! generators do, where the data comes from and how to cite it. `labelnoise datasets` prints it.

use super::{bundled, DataError};

/// What kind of source a catalogue entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A real dataset compiled into the binary.
    Bundled,
    /// A synthetic generator; sizes come from the scenario.
    Generator,
    /// The user's own file.
    File,
}

/// One `source = "…"` value.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    pub name: &'static str,
    pub kind: Kind,
    /// Samples, features and classes of a bundled set (classes before any binarization).
    pub shape: Option<(usize, usize, usize)>,
    /// One line: what the data is.
    pub what: &'static str,
    /// Where it comes from (short).
    pub origin: &'static str,
    /// Licence of the data, and the reference to cite (bundled sets).
    pub licence: &'static str,
    pub citation: &'static str,
}

pub const ENTRIES: &[Entry] = &[
    Entry {
        name: "iris",
        kind: Kind::Bundled,
        shape: Some((150, 4, 3)),
        what: "iris flowers: sepal and petal length and width (cm), 3 species",
        origin: "UCI iris.data via linfa-datasets",
        licence: "CC BY 4.0 (UCI)",
        citation: "Fisher, R. A. (1936). The use of multiple measurements in taxonomic problems. \
                   Annals of Eugenics 7(2), 179–188. UCI Machine Learning Repository, doi:10.24432/C56C76",
    },
    Entry {
        name: "wine",
        kind: Kind::Bundled,
        shape: Some((178, 13, 3)),
        what: "chemical analysis of Italian wines from 3 cultivars",
        origin: "UCI wine via scikit-learn 1.9.1",
        licence: "CC BY 4.0 (UCI)",
        citation: "Aeberhard, S. & Forina, M. (1991). Wine. UCI Machine Learning Repository, doi:10.24432/C5PC7J",
    },
    Entry {
        name: "breast_cancer",
        kind: Kind::Bundled,
        shape: Some((569, 30, 2)),
        what: "breast mass cell nuclei (fine needle aspirate); malignant = 0, benign = 1",
        origin: "UCI WDBC via scikit-learn 1.9.1",
        licence: "CC BY 4.0 (UCI)",
        citation: "Wolberg, W., Mangasarian, O., Street, N. & Street, W. (1995). Breast Cancer Wisconsin \
                   (Diagnostic). UCI Machine Learning Repository, doi:10.24432/C5DW2B",
    },
    Entry {
        name: "digits",
        kind: Kind::Bundled,
        shape: Some((1797, 64, 10)),
        what: "8×8 handwritten digits, pixel counts 0..16 (UCI optdigits test set)",
        origin: "UCI optdigits via scikit-learn 1.9.1",
        licence: "CC BY 4.0 (UCI)",
        citation: "Alpaydin, E. & Kaynak, C. (1998). Optical Recognition of Handwritten Digits. \
                   UCI Machine Learning Repository, doi:10.24432/C50P49",
    },
    Entry {
        name: "winequality",
        kind: Kind::Bundled,
        shape: Some((1599, 11, 6)),
        what: "red Vinho Verde wines, quality 3..8 as classes (binarize_threshold = t: quality ≥ t → 1)",
        origin: "UCI wine quality (red) via linfa-datasets",
        licence: "CC BY 4.0 (UCI)",
        citation: "Cortez, P., Cerdeira, A., Almeida, F., Matos, T. & Reis, J. (2009). Modeling wine preferences \
                   by data mining from physicochemical properties. Decision Support Systems 47(4), 547–553. \
                   UCI Machine Learning Repository, doi:10.24432/C56S3T",
    },
    Entry {
        name: "blobs",
        kind: Kind::Generator,
        shape: None,
        what: "Gaussian blobs, class means ~ N(0, separation²·I)",
        origin: "generated",
        licence: "",
        citation: "",
    },
    Entry {
        name: "classification",
        kind: Kind::Generator,
        shape: None,
        what: "scikit-learn's make_classification (flip_y = 0)",
        origin: "generated",
        licence: "",
        citation: "",
    },
    Entry {
        name: "separable",
        kind: Kind::Generator,
        shape: None,
        what: "linearly separable with a margin",
        origin: "generated",
        licence: "",
        citation: "",
    },
    Entry {
        name: "csv",
        kind: Kind::File,
        shape: None,
        what: "your .csv or .npy file; labels sorted",
        origin: "your file",
        licence: "",
        citation: "",
    },
];

/// The catalogue entry of a `source` value.
pub fn entry(name: &str) -> Option<&'static Entry> {
    ENTRIES.iter().find(|e| e.name == name)
}

/// One line of the `labelnoise datasets` table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub source: String,
    pub samples: String,
    pub features: String,
    pub classes: String,
    pub balance: String,
    pub origin: String,
}

/// The threshold shown as the binarized winequality example.
pub const WINEQUALITY_EXAMPLE_THRESHOLD: f64 = 7.0;

/// The table rows. Sizes and class balance of bundled sets are measured on the loaded data.
pub fn rows() -> Result<Vec<Row>, DataError> {
    let mut out = Vec::new();
    for e in ENTRIES {
        match e.kind {
            Kind::Bundled => {
                out.push(measured(e.name, e.name, None, e.origin)?);
                if e.name == "winequality" {
                    let t = WINEQUALITY_EXAMPLE_THRESHOLD;
                    out.push(measured(
                        &format!("winequality, binarize_threshold = {t}"),
                        e.name,
                        Some(t),
                        e.origin,
                    )?);
                }
            }
            Kind::Generator => out.push(Row {
                source: e.name.into(),
                samples: "train+test (1000+1000)".into(),
                features: "features (10)".into(),
                classes: "classes (3)".into(),
                balance: "equal (±1)".into(),
                origin: format!("generated: {}", e.what),
            }),
            Kind::File => out.push(Row {
                source: e.name.into(),
                samples: "rows".into(),
                features: "columns".into(),
                classes: "labels".into(),
                balance: "as in the file".into(),
                origin: e.what.into(),
            }),
        }
    }
    Ok(out)
}

fn measured(
    source: &str,
    name: &str,
    threshold: Option<f64>,
    origin: &str,
) -> Result<Row, DataError> {
    let raw = bundled::load(name, threshold)?;
    let counts = class_counts(&raw.y, raw.classes);
    Ok(Row {
        source: source.into(),
        samples: raw.x.nrows().to_string(),
        features: raw.x.ncols().to_string(),
        classes: raw.classes.to_string(),
        balance: balance(&counts),
        origin: origin.into(),
    })
}

/// Samples per class 0..k.
pub fn class_counts(y: &[usize], k: usize) -> Vec<usize> {
    let mut counts = vec![0; k];
    y.iter().for_each(|&c| counts[c] += 1);
    counts
}

/// Class counts as "50/50/50", or "174–183 per class" when there are many classes.
pub fn balance(counts: &[usize]) -> String {
    if counts.len() <= 6 {
        counts
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("/")
    } else {
        let lo = counts.iter().min().copied().unwrap_or(0);
        let hi = counts.iter().max().copied().unwrap_or(0);
        format!("{lo}–{hi} per class")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_source_has_exactly_one_entry() {
        for s in crate::scenario::schema::SOURCES {
            assert_eq!(ENTRIES.iter().filter(|e| e.name == *s).count(), 1, "{s}");
        }
        assert_eq!(ENTRIES.len(), crate::scenario::schema::SOURCES.len());
        for s in crate::scenario::schema::BUNDLED {
            assert_eq!(entry(s).unwrap().kind, Kind::Bundled);
        }
    }

    #[test]
    fn balance_formats() {
        assert_eq!(balance(&[50, 50, 50]), "50/50/50");
        assert_eq!(balance(&[1, 2, 3, 4, 5, 6, 7]), "1–7 per class");
        assert_eq!(class_counts(&[0, 2, 2], 3), vec![1, 0, 2]);
    }
}
