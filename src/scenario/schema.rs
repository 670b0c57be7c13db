//! Every key a scenario file may contain, as the reader and the documentation see it. The keys,
//! their types, defaults and validators are defined once in [`crate::vocab::keys`]; this module
//! names the section tables and renders them (`labelnoise schema`, README's key tables).

pub use crate::vocab::keys::dataset::{BUNDLED, SOURCES};
pub use crate::vocab::keys::method::{METHOD_KINDS, STYLES};
pub use crate::vocab::keys::model::{MODEL_KINDS, OPTIMIZERS, SCHEDULES};
pub use crate::vocab::keys::noise::{COUNT_MODES, NOISE_KINDS};
use crate::vocab::keys::{dataset, detection, method, model, noise, report, selection};
pub use crate::vocab::keys::{limits, Key, Kinds, Ty, TOP};
use std::sync::OnceLock;

pub const DATASET: &[Key] = dataset::ALL;
pub const NOISE: &[Key] = noise::ALL;
pub const MODEL: &[Key] = model::ALL;
pub const METHOD: &[Key] = method::ALL;
pub const REPORT: &[Key] = report::ALL;
pub const SELECTION: &[Key] = selection::ALL;
pub const DETECTION: &[Key] = detection::ALL;

/// Each kind's key names (besides the kind key and the common keys), computed once so callers
/// get `'static` slices.
type KindKeys = Vec<(&'static str, Vec<&'static str>)>;

fn kind_keys(
    table: &'static OnceLock<KindKeys>,
    kinds: &Kinds,
    kind: &str,
) -> &'static [&'static str] {
    let all = table.get_or_init(|| {
        kinds
            .kinds
            .iter()
            .map(|k| (k.name, k.key_names()))
            .collect()
    });
    all.iter()
        .find(|(name, _)| *name == kind)
        .map_or(&[], |(_, keys)| keys.as_slice())
}

/// Which noise keys each kind takes (besides `kind`); none for an unknown kind.
pub fn noise_keys(kind: &str) -> &'static [&'static str] {
    static TABLE: OnceLock<KindKeys> = OnceLock::new();
    kind_keys(&TABLE, &noise::KINDS, kind)
}

/// Which method keys each kind takes (besides `kind`); none for an unknown kind.
pub fn method_keys(kind: &str) -> &'static [&'static str] {
    static TABLE: OnceLock<KindKeys> = OnceLock::new();
    kind_keys(&TABLE, &method::KINDS, kind)
}

pub fn find(keys: &'static [Key], name: &str) -> Option<&'static Key> {
    keys.iter().find(|k| k.name == name)
}

pub fn names(keys: &[Key]) -> Vec<&'static str> {
    keys.iter().map(|k| k.name).collect()
}

/// Help for an unknown `dataset.source`: the sources by kind.
pub fn sources_help() -> String {
    format!(
        "synthetic: blobs, classification, separable; bundled: {} (`labelnoise datasets` lists them); \
         or csv with path = \"your.csv\"",
        BUNDLED.join(", ")
    )
}

/// The sections in documentation order: title, keys, and how the section may appear.
const SECTIONS: [(&str, &[Key], &str); 7] = [
    ("[dataset]", DATASET, "repeatable as [[dataset]]"),
    (
        "[noise]",
        NOISE,
        "repeatable as [[noise]]; absent: no noise",
    ),
    ("[model]", MODEL, "repeatable as [[model]]"),
    ("[[method]]", METHOD, "repeatable; absent: `ce` only"),
    ("[report]", REPORT, "optional"),
    (
        "[selection]",
        SELECTION,
        "optional; absent: every axis is compared, none tuned",
    ),
    (
        "[detection]",
        DETECTION,
        "optional; absent: no detection metrics",
    ),
];

/// How a key's type reads in the tables.
fn type_text(k: &Key) -> String {
    let ty = match k.ty {
        Ty::Float => "number".to_string(),
        Ty::Int => "integer".to_string(),
        Ty::Bool => "bool".to_string(),
        Ty::Choice([]) => "string".to_string(),
        Ty::Choice(c) => c
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(" \\| "),
        Ty::Matrix => "K×K numbers".to_string(),
        Ty::Column => "name or index".to_string(),
        Ty::Columns => "list of names or indices".to_string(),
        Ty::MatrixOrTrue => "`\"true\"`, `\"estimated\"` or K×K numbers".to_string(),
        Ty::Names => "list of strings".to_string(),
    };
    if k.sweep {
        format!("{ty} (list = axis)")
    } else if k.list {
        format!("list of {ty}")
    } else {
        ty
    }
}

/// The schema as Markdown tables (README's "Scenario files" section is this text).
pub fn markdown() -> String {
    let mut out = String::new();
    for (title, keys, note) in SECTIONS {
        out.push_str(&format!("#### `{title}` ({note})\n\n| key | type | default | meaning |\n| --- | --- | --- | --- |\n"));
        for k in keys {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                k.name,
                type_text(k),
                k.default_text(),
                k.doc
            ));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key a kind takes is a row of its section's table exactly once, and every row is a
    /// key some kind takes (nothing documented that no kind accepts).
    #[test]
    fn every_kind_key_is_documented_once_in_its_section() {
        let md = markdown();
        let tables: Vec<&str> = md.split("#### ").skip(1).collect();
        assert_eq!(tables.len(), SECTIONS.len());
        let sections = [
            (tables[0], dataset::KINDS),
            (tables[1], noise::KINDS),
            (tables[2], model::KINDS),
            (tables[3], method::KINDS),
        ];
        for (table, kinds) in sections {
            let mut taken: Vec<&str> = vec![kinds.kind_key.name];
            for kind in kinds.kinds {
                for key in kinds.common.iter().chain(kind.keys) {
                    if !taken.contains(&key.name) {
                        taken.push(key.name);
                    }
                }
            }
            for name in &taken {
                let rows = table.matches(&format!("\n| `{name}` |")).count();
                assert_eq!(rows, 1, "`{name}` has {rows} rows in\n{table}");
            }
            let rows = table.lines().filter(|l| l.starts_with("| `")).count();
            assert_eq!(rows, taken.len(), "rows no kind takes in\n{table}");
        }
    }
}
