//! Which build of labelnoise made a result. A changed program may give other numbers for the same
//! run id, so every record and every results folder names its build, folders refuse runs of
//! another build unless asked, and a mixed folder says so.
//!
//! The id is the crate version plus a hash of the running executable, not a git commit: a commit
//! misses uncommitted edits (the usual case while changing a simulator) and does not exist for a
//! build outside a checkout (`cargo install`), while any change of code, dependency or compiler
//! changes the executable's bytes. Rebuilding identical source with other settings counts as
//! another build: the safe side.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The file holding labelnoise's code when it is not the running executable: a library loaded
/// into another program (the Python package's extension module), set before [`id`] is first used.
static CODE_FILE: OnceLock<std::path::PathBuf> = OnceLock::new();

/// Names the file that holds labelnoise's code (see [`CODE_FILE`]); ignored once [`id`] was used.
pub fn set_code_file(path: std::path::PathBuf) {
    let _ = CODE_FILE.set(path);
}

/// `<version>+<first 16 hex digits of the SHA-256 of the running executable>` (or of the file set
/// by [`set_code_file`]), computed once per process (`+unknown` if it cannot be read).
pub fn id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let hash = CODE_FILE
            .get()
            .cloned()
            .or_else(|| std::env::current_exe().ok())
            .and_then(|p| super::inputs::file_hash(&p));
        format!(
            "{}+{}",
            crate::VERSION,
            hash.as_deref().map_or("unknown", |h| &h[..16])
        )
    })
}

/// `mixed builds: A (n runs), B (m runs)` when the runs (counted per build) come from more than
/// one build.
pub fn mixed(counts: &BTreeMap<String, usize>) -> Option<String> {
    if counts.len() < 2 {
        return None;
    }
    let list: Vec<String> = counts
        .iter()
        .map(|(b, n)| {
            let name = if b.is_empty() { "unrecorded" } else { b };
            format!("{name} ({n} runs)")
        })
        .collect();
    Some(format!("mixed builds: {}", list.join(", ")))
}
