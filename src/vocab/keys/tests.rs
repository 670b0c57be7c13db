//! The key tables checked against themselves: every default passes its own validator under every
//! kind, every kind names keys of its section, and the kind lists match the allowed choices.

use super::*;

/// Every section with its table and kinds (report has no kinds).
fn sections() -> Vec<(&'static str, &'static [Key], Option<Kinds>)> {
    vec![
        ("dataset", dataset::ALL, Some(dataset::KINDS)),
        ("noise", noise::ALL, Some(noise::KINDS)),
        ("model", model::ALL, Some(model::KINDS)),
        ("method", method::ALL, Some(method::KINDS)),
        ("report", report::ALL, None),
        ("selection", selection::ALL, None),
        ("detection", detection::ALL, None),
    ]
}

#[test]
fn every_default_passes_its_own_validator_under_every_kind() {
    for (section, keys, kinds) in sections() {
        for key in keys {
            assert!(
                key.check.accepts(key.default),
                "{section}.{}: default {:?} fails {:?}",
                key.name,
                key.default,
                key.check
            );
            for kind in kinds.iter().flat_map(|k| k.kinds) {
                let d = kind.default_of(key);
                assert!(
                    key.check.accepts(d),
                    "{section}.{} under {}: default {d:?} fails {:?}",
                    key.name,
                    kind.name,
                    key.check
                );
            }
        }
    }
}

#[test]
fn kinds_name_keys_of_their_section_once() {
    for (section, keys, kinds) in sections() {
        let Some(kinds) = kinds else { continue };
        let in_section = |k: &Key| keys.iter().any(|s| s.name == k.name && s.ty == k.ty);
        assert!(in_section(kinds.kind_key), "{section}: kind key");
        for k in kinds.common {
            assert!(
                in_section(k),
                "{section}.{}: common key not in the table",
                k.name
            );
        }
        for kind in kinds.kinds {
            let mut takes = kinds.common_names();
            for k in kind.keys {
                assert!(
                    in_section(k),
                    "{section}.{} ({}) not in the table",
                    k.name,
                    kind.name
                );
                assert!(
                    !takes.contains(&k.name),
                    "{section}.{} twice for {}",
                    k.name,
                    kind.name
                );
                takes.push(k.name);
            }
            for (k, _) in kind.defaults {
                assert!(
                    takes.contains(&k.name),
                    "{}: a default for {section}.{}, which it does not take",
                    kind.name,
                    k.name
                );
            }
        }
    }
}

#[test]
fn kind_lists_are_the_allowed_choices_in_order() {
    let choices = |k: &Key| match k.ty {
        Ty::Choice(c) => c.to_vec(),
        _ => vec![],
    };
    for (section, _, kinds) in sections() {
        let Some(kinds) = kinds else { continue };
        assert_eq!(kinds.names(), choices(kinds.kind_key), "{section}");
    }
    assert_eq!(dataset::SOURCES[3..8], *dataset::BUNDLED);
}

/// A default that depends on the kind is described in words in the section table; each kind's
/// value must be one the words mention.
#[test]
fn derived_defaults_mention_every_kind_value() {
    for (section, keys, kinds) in sections() {
        for kind in kinds.iter().flat_map(|k| k.kinds) {
            for (key, value) in kind.defaults {
                let DefaultValue::Derived(words) = keys
                    .iter()
                    .find(|k| k.name == key.name)
                    .map_or(DefaultValue::None, |k| k.default)
                else {
                    panic!(
                        "{section}.{}: a kind default needs a derived section default",
                        key.name
                    );
                };
                let shown = Key {
                    default: *value,
                    ..**key
                }
                .default_text();
                assert!(
                    words.contains(&shown),
                    "{section}.{}: `{words}` omits {shown}",
                    key.name
                );
            }
        }
    }
}

/// Keys the builders read with their table default must have a typed one under every kind that
/// takes them; only these keys are computed by the builder instead.
#[test]
fn keys_read_with_a_default_have_a_typed_one() {
    const COMPUTED: &[&str] = &["train", "test", "informative", "label", "columns"];
    for (section, _, kinds) in sections() {
        let Some(kinds) = kinds else { continue };
        for kind in kinds.kinds {
            for key in kinds.common.iter().chain(kind.keys) {
                if matches!(key.ty, Ty::Matrix | Ty::MatrixOrTrue) || COMPUTED.contains(&key.name) {
                    continue;
                }
                let typed = match (key.ty, kind.default_of(key)) {
                    (Ty::Float, d) => d.as_f64().is_some(),
                    (Ty::Int, d) => d.as_usize().is_some(),
                    (Ty::Bool, d) => d.as_bool().is_some(),
                    (_, DefaultValue::Derived(_)) => false,
                    _ => true,
                };
                let optional = kind.default_of(key) == DefaultValue::None;
                assert!(
                    typed || optional,
                    "{section}.{} under {}",
                    key.name,
                    kind.name
                );
            }
        }
    }
}

#[test]
fn ranges_and_their_words() {
    assert!(Range::FRACTION.contains(0.5));
    assert!(!Range::FRACTION.contains(0.0) && !Range::FRACTION.contains(1.0));
    assert!(Range::UNIT.contains(0.0) && Range::UNIT.contains(1.0) && !Range::UNIT.contains(1.5));
    assert!(Range::below(1.0).contains(-3.0) && !Range::below(1.0).contains(1.0));
    assert!(!Range::above(0.0).contains(0.0) && Range::at_least(0.0).contains(0.0));
    assert!(Range::at_least(1.0).too_small(0.0) && !Range::between(1.0, 5.0).too_small(6.0));
    assert_eq!(
        dataset::CLASSES.allowed_text(),
        format!("a whole number from 2 to {}", limits::MAX_CLASSES)
    );
    assert_eq!(model::PATIENCE.allowed_text(), "a whole number ≥ 1");
    // Every validated number says in words what it allows.
    for (_, keys, _) in sections() {
        for k in keys.iter().filter(|k| matches!(k.check, Check::Range(_))) {
            assert!(!k.allowed_text().is_empty(), "{}", k.name);
        }
    }
}

#[test]
fn defaults_read_as_written_in_a_scenario_file() {
    assert_eq!(model::L2.default_text(), "1e-4");
    assert_eq!(model::TOLERANCE.default_text(), "1e-6");
    assert_eq!(dataset::SEPARATION.default_text(), "1.0");
    assert_eq!(dataset::TEST_FRACTION.default_text(), "0.25");
    assert_eq!(method::MATRIX.default_text(), "\"true\"");
    assert_eq!(dataset::BINARIZE_THRESHOLD.default_text(), "—");
}
