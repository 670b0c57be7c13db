//! Label values of a user's file → classes 0..K in sorted order.
//!
//! If every label (of the training and the test file) is an integer, classes are sorted
//! numerically (2 < 10); else if every label is a finite number, numerically as decimals; else as
//! text (byte order). The sorted original values become `Dataset::class_names`, recorded in every run.

use super::DataError;
use std::collections::HashMap;

/// Raw label values of one file, and where each came from (for error messages).
#[derive(Clone, Debug)]
pub struct Labels {
    pub file: String,
    /// What the labels are, e.g. `column "species"` or `labels_path`.
    pub what: String,
    pub values: Vec<String>,
    /// 1-based line of each value (CSV); `None` for arrays, whose rows are counted from 0.
    pub lines: Option<Vec<u64>>,
}

impl Labels {
    fn place(&self, i: usize) -> String {
        match &self.lines {
            Some(lines) => format!("{}:{}", self.file, lines[i]),
            None => format!("{}: row {i}", self.file),
        }
    }
}

/// How label values are ordered.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Order {
    Integer,
    Decimal,
    Text,
}

fn order_of<'a>(values: impl Iterator<Item = &'a String> + Clone) -> Order {
    if values.clone().all(|v| v.parse::<i64>().is_ok()) {
        Order::Integer
    } else if values
        .clone()
        .all(|v| v.parse::<f64>().is_ok_and(f64::is_finite))
    {
        Order::Decimal
    } else {
        Order::Text
    }
}

/// The class name a value maps to: numbers in canonical form, so "07" and "7" are one class.
fn canonical(v: &str, order: Order) -> String {
    match order {
        Order::Integer => v
            .parse::<i64>()
            .map(|i| i.to_string())
            .unwrap_or_else(|_| v.to_string()),
        Order::Decimal => v
            .parse::<f64>()
            .map(|f| f.to_string())
            .unwrap_or_else(|_| v.to_string()),
        Order::Text => v.to_string(),
    }
}

/// Training classes, test classes (if a test file is given) and the class names.
pub type Classes = (Vec<usize>, Option<Vec<usize>>, Vec<String>);

/// Classes of the training labels, and of the test labels if any (each must be a training class).
pub fn to_classes(train: &Labels, test: Option<&Labels>) -> Result<Classes, DataError> {
    let order = order_of(
        train
            .values
            .iter()
            .chain(test.iter().flat_map(|t| t.values.iter())),
    );
    let mut names: Vec<String> = train.values.iter().map(|v| canonical(v, order)).collect();
    names.sort_by(|a, b| match order {
        Order::Integer => a
            .parse::<i64>()
            .unwrap_or(0)
            .cmp(&b.parse::<i64>().unwrap_or(0)),
        Order::Decimal => a
            .parse::<f64>()
            .unwrap_or(0.0)
            .total_cmp(&b.parse::<f64>().unwrap_or(0.0)),
        Order::Text => a.cmp(b),
    });
    names.dedup();
    if names.len() < 2 {
        return Err(DataError::Invalid(format!(
            "{}: only 1 class ({}) in {}; at least 2 classes are needed",
            train.file,
            names
                .first()
                .map(|n| format!("\"{n}\""))
                .unwrap_or_default(),
            train.what
        )));
    }
    let index: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let y_train = train
        .values
        .iter()
        .map(|v| index[canonical(v, order).as_str()])
        .collect();
    let y_test = match test {
        None => None,
        Some(t) => Some(
            t.values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    index.get(canonical(v, order).as_str()).copied().ok_or_else(|| {
                        DataError::Invalid(format!(
                            "{}: label \"{v}\" does not occur in the training file {} (classes: {})",
                            t.place(i),
                            train.file,
                            names.join(", ")
                        ))
                    })
                })
                .collect::<Result<Vec<usize>, DataError>>()?,
        ),
    };
    Ok((y_train, y_test, names))
}

/// Classes of other labels of the same rows (observed labels beside the true ones), by the class
/// names [`to_classes`] gave the true labels: a value that is no class is refused with its row.
pub fn classes_of(labels: &Labels, names: &[String]) -> Result<Vec<usize>, DataError> {
    let order = order_of(names.iter());
    let index: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    labels
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            index
                .get(canonical(v, order).as_str())
                .copied()
                .ok_or_else(|| {
                    DataError::Invalid(format!(
                        "{}: {} is \"{v}\", which is not a class of the true labels (classes: {})",
                        labels.place(i),
                        labels.what,
                        names.join(", ")
                    ))
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(values: &[&str]) -> Labels {
        Labels {
            file: "f.csv".into(),
            what: "column \"y\"".into(),
            values: values.iter().map(|s| s.to_string()).collect(),
            lines: Some((2..2 + values.len() as u64).collect()),
        }
    }

    #[test]
    fn integers_sort_numerically_and_text_sorts_as_text() {
        let (y, _, names) = to_classes(&labels(&["10", "2", "-1", "2"]), None).unwrap();
        assert_eq!(names, ["-1", "2", "10"]);
        assert_eq!(y, [2, 1, 0, 1]);
        let (y, _, names) = to_classes(&labels(&["10", "2", "b"]), None).unwrap();
        assert_eq!(names, ["10", "2", "b"]);
        assert_eq!(y, [0, 1, 2]);
        let (_, _, names) = to_classes(&labels(&["0.5", "10", "2.25"]), None).unwrap();
        assert_eq!(names, ["0.5", "2.25", "10"]);
        let (y, _, names) = to_classes(&labels(&["07", "7", "3"]), None).unwrap();
        assert_eq!(
            (y, names),
            (vec![1, 1, 0], vec!["3".to_string(), "7".to_string()])
        );
    }

    #[test]
    fn test_labels_must_be_training_classes() {
        let (_, yt, _) = to_classes(&labels(&["a", "b"]), Some(&labels(&["b", "a"]))).unwrap();
        assert_eq!(yt.unwrap(), [1, 0]);
        let e = to_classes(&labels(&["a", "b"]), Some(&labels(&["a", "c"])))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "f.csv:3: label \"c\" does not occur in the training file f.csv (classes: a, b)"
        );
    }

    #[test]
    fn observed_labels_map_to_the_true_labels_classes() {
        let names = ["3".to_string(), "7".to_string()];
        assert_eq!(classes_of(&labels(&["07", "3"]), &names).unwrap(), [1, 0]);
        let e = classes_of(&labels(&["3", "5"]), &names)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "f.csv:3: column \"y\" is \"5\", which is not a class of the true labels (classes: 3, 7)"
        );
    }

    #[test]
    fn one_class_is_refused() {
        let e = to_classes(&labels(&["a", "a"]), None)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "f.csv: only 1 class (\"a\") in column \"y\"; at least 2 classes are needed"
        );
    }
}
