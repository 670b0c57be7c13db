//! The metric table against itself and the serialized form of `Metrics`.

use super::*;

#[test]
fn table_rows_match_variants() {
    for (i, m) in Metric::ALL.into_iter().enumerate() {
        assert_eq!(m as usize, i, "{m:?}");
    }
}

#[test]
fn every_name_round_trips_and_names_are_distinct() {
    for m in Metric::ALL {
        assert_eq!(Metric::from_name(m.name()), Some(m));
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(serde_json::from_str::<Metric>(&json).unwrap(), m);
    }
    let mut names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), Metric::COUNT);
    assert_eq!(Metric::from_name("accuracy"), None);
}

#[test]
fn serialized_keys_are_in_alphabetical_order() {
    let mut all = Metrics::new();
    for (i, m) in Metric::ALL.into_iter().enumerate() {
        all.insert(m, i as f64);
    }
    let v: serde_json::Value = serde_json::to_value(all).unwrap();
    let text = serde_json::to_string(&all).unwrap();
    let mut names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
    names.sort_unstable();
    // The keys appear in the text in sorted order.
    let positions: Vec<usize> = names
        .iter()
        .map(|n| text.find(&format!("\"{n}\":")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert_eq!(v.as_object().unwrap().len(), Metric::COUNT);
    assert_eq!(serde_json::from_str::<Metrics>(&text).unwrap(), all);
}

#[test]
fn absent_values_are_not_written_and_unknown_names_are_refused() {
    let mut m = Metrics::new();
    m.insert(Metric::Flipped, 3.0);
    m.insert(Metric::TestAccuracy, 0.5);
    assert_eq!(
        serde_json::to_string(&m).unwrap(),
        r#"{"flipped":3.0,"test_accuracy":0.5}"#
    );
    assert_eq!(m.get(Metric::Memorized), None);
    assert_eq!(m.len(), 2);
    let err = serde_json::from_str::<Metrics>(r#"{"acuracy":1.0}"#).unwrap_err();
    assert!(
        err.to_string().contains("unknown metric `acuracy`"),
        "{err}"
    );
}

#[test]
fn non_finite_values_round_trip_as_null() {
    let mut m = Metrics::new();
    m.insert(Metric::Objective, f64::NAN);
    m.insert(Metric::WeightNorm, f64::INFINITY);
    m.insert(Metric::TestAccuracy, 0.25);
    let text = serde_json::to_string(&m).unwrap();
    assert_eq!(
        text,
        r#"{"objective":null,"test_accuracy":0.25,"weight_norm":null}"#
    );
    let back: Metrics = serde_json::from_str(&text).unwrap();
    assert!(back.get(Metric::Objective).unwrap().is_nan());
    assert!(back.get(Metric::WeightNorm).unwrap().is_nan());
    assert_eq!(back.get(Metric::TestAccuracy), Some(0.25));
    assert_eq!(serde_json::to_string(&back).unwrap(), text);
    assert!(serde_json::from_str::<Metrics>(r#"{"objective":"x"}"#).is_err());
}

#[test]
fn markdown_table_has_a_row_per_metric() {
    let table = markdown_table();
    assert_eq!(table.lines().count(), Metric::COUNT + 2);
    assert!(table.contains("| `test_accuracy` | fraction of clean test samples"));
}

#[test]
fn former_names_are_read_and_written_under_the_new_name() {
    let m: Metrics = serde_json::from_str(r#"{"logit_gap_cap":1.5}"#).unwrap();
    assert_eq!(m.get(Metric::LogitGapFreeOptimum), Some(1.5));
    assert_eq!(
        serde_json::to_string(&m).unwrap(),
        r#"{"logit_gap_free_optimum":1.5}"#
    );
    assert_eq!(Metric::from_name("logit_gap_cap"), None);
}
