//! Reading files a scenario names: the scenario itself (bounded, regular files only) and what a
//! path that is not a regular file is, in words.

use std::io::Read;
use std::path::Path;

/// Largest scenario file read; a scenario is a few kilobytes, so more is a mistake (or /dev/zero).
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// The scenario's text, refusing what is not a regular file or is over [`MAX_FILE_BYTES`] (read
/// through a bounded reader, so a file that grows meanwhile cannot exhaust memory).
pub fn read_text(path: &Path) -> Result<String, String> {
    let cannot = |e: std::io::Error| format!("cannot read the scenario file: {e}");
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(format!(
            "cannot read the scenario file: it is {}, not a regular file",
            kind(&meta)
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(cannot)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "the scenario file is larger than {} MiB; scenario files are limited to that size",
            MAX_FILE_BYTES >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "cannot read the scenario file: it is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// What a path that is not a regular file is: "a folder", "a named pipe (FIFO)", …
pub fn kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a named pipe (FIFO)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}
