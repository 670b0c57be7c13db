//! `labelnoise.LabelnoiseError` (a `ValueError`): what the command line prints on stderr for the
//! same problem (file:line:column, did-you-mean, the source underlined), without terminal colours.

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::PyErr;

create_exception!(
    labelnoise,
    LabelnoiseError,
    PyValueError,
    "A bad scenario, label array, setting or results folder; the message is the command line's."
);

/// The exception with `message` as text (terminal escape sequences removed).
pub fn error(message: impl std::fmt::Display) -> PyErr {
    LabelnoiseError::new_err(without_escapes(&message.to_string()))
}

/// `text` without ANSI escape sequences: CSI (`ESC [ … final byte`, colours and styles) and OSC
/// (`ESC ] … BEL` or `ESC ] … ESC \`, hyperlinks), which miette adds when stderr is a terminal.
pub fn without_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\u{7}' || (c == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::without_escapes;

    #[test]
    fn colours_and_links_are_removed_text_kept() {
        let text = "\u{1b}[31;1mx.toml:3:7\u{1b}[0m: bad \u{1b}]8;;file:///x\u{1b}\\link\u{1b}]8;;\u{7} end";
        assert_eq!(without_escapes(text), "x.toml:3:7: bad link end");
        assert_eq!(without_escapes("plain ─ ╭ text"), "plain ─ ╭ text");
    }
}
