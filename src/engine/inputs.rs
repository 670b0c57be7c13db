//! What a scenario reads besides its own file: the content of every data file (CSV, `.npy`,
//! labels and test files) and of every bundled set it uses. Their hashes are kept in the results
//! folder's `scenario.json`, so results made from other data are never resumed, paired or merged
//! with them.

use crate::scenario::spec::DataSource;
use crate::scenario::Scenario;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Input name → SHA-256 (hex) of its content. Files are named as the scenario writes them
/// (relative to the scenario file), bundled sets as `bundled:<name>`. The full digest, so a user
/// can compare it with `sha256sum`. A file that cannot be read is left out: loading the data
/// reports it, with its place in the scenario.
pub fn hashes(scenario: &Scenario) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for d in &scenario.datasets {
        match &d.spec.source {
            DataSource::Csv {
                path,
                test_path,
                labels_path,
                test_labels_path,
                ..
            } => {
                for p in [
                    Some(path),
                    test_path.as_ref(),
                    labels_path.as_ref(),
                    test_labels_path.as_ref(),
                ]
                .into_iter()
                .flatten()
                {
                    if let Some(h) = file_hash(&scenario.base_dir.join(p)) {
                        out.insert(p.display().to_string(), h);
                    }
                }
            }
            DataSource::Bundled { name, .. } => {
                if let Ok(raw) = crate::data::load_bundled(name, None) {
                    let mut h = Sha256::new();
                    for v in raw.x.iter() {
                        h.update(v.to_le_bytes());
                    }
                    for &y in &raw.y {
                        h.update((y as u64).to_le_bytes());
                    }
                    out.insert(format!("bundled:{name}"), hex(&h.finalize()));
                }
            }
            _ => {}
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a file's bytes, read in blocks.
pub fn file_hash(path: &Path) -> Option<String> {
    let mut f = File::open(path).ok()?;
    if !f.metadata().ok()?.is_file() {
        return None;
    }
    let mut h = Sha256::new();
    let mut block = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut block).ok()?;
        if n == 0 {
            return Some(hex(&h.finalize()));
        }
        h.update(&block[..n]);
    }
}

/// The first input whose content differs between `then` and `now`, as a sentence. Inputs present
/// on one side only are not a change of data (the scenario itself changed; judged elsewhere).
pub fn changed(then: &BTreeMap<String, String>, now: &BTreeMap<String, String>) -> Option<String> {
    then.iter().find_map(|(name, old)| {
        let new = now.get(name)?;
        (new != old).then(|| {
            format!("{name} changed since these results were made (sha256 {old} then, {new} now)")
        })
    })
}
