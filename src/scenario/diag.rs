//! Scenario diagnostics: every error names the file, line, column and key, underlines the source,
//! and says what is allowed. Rendered by miette.

use miette::{Diagnostic, NamedSource, SourceSpan};
use std::fmt;
use std::ops::Range;

/// One problem in a scenario file.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub span: Option<Range<usize>>,
    pub message: String,
    pub help: Option<String>,
}

impl Problem {
    pub fn new(span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        Problem {
            span,
            message: visible(&message.into()),
            help: None,
        }
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(visible(&help.into()));
        self
    }
}

/// All problems found in one scenario file.
#[derive(Debug)]
pub struct ScenarioError {
    pub path: String,
    pub source_text: String,
    pub problems: Vec<Problem>,
}

impl ScenarioError {
    /// `file:line:column` of a byte offset (1-based, columns in characters).
    pub fn location(&self, span: &Option<Range<usize>>) -> String {
        match span {
            Some(r) => {
                let (line, col) = line_col(&self.source_text, r.start);
                format!("{}:{line}:{col}", visible(&self.path))
            }
            None => visible(&self.path),
        }
    }

    /// Plain text, one line per problem: `file:line:col: message (help)`.
    pub fn plain(&self) -> String {
        self.problems
            .iter()
            .map(|p| {
                let mut s = format!("{}: {}", self.location(&p.span), p.message);
                if let Some(h) = &p.help {
                    s.push_str(&format!(" ({h})"));
                }
                s
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Every problem rendered by miette (source line underlined, help below), one after the other,
    /// then a count. This is what `labelnoise check`, `run` and `plan` print.
    pub fn render(&self) -> String {
        // Unwrapped, so each `file:line:col: message` stays on one line for editors and grep;
        // colour and Unicode follow the terminal as miette detects it.
        let handler = miette::MietteHandlerOpts::new().wrap_lines(false).build();
        let mut out = String::new();
        for d in self.diagnostics() {
            out.push_str(&format!("{:?}\n", Rendered(&handler, &d)));
        }
        out.push_str(&format!(
            "{} problem{} in scenario {}\n",
            self.problems.len(),
            if self.problems.len() == 1 { "" } else { "s" },
            visible(&self.path)
        ));
        out
    }

    /// A miette report with the source underlined for each problem (as related diagnostics).
    pub fn report(&self) -> miette::Report {
        miette::Report::new(FileDiag {
            message: format!(
                "{} problem{} in scenario {}",
                self.problems.len(),
                if self.problems.len() == 1 { "" } else { "s" },
                self.path
            ),
            related: self.diagnostics(),
        })
    }

    fn diagnostics(&self) -> Vec<ProblemDiag> {
        let src = NamedSource::new(visible(&self.path), same_width_visible(&self.source_text));
        self.problems
            .iter()
            .map(|p| ProblemDiag {
                message: format!("{}: {}", self.location(&p.span), p.message),
                help: p.help.clone(),
                src: src.clone(),
                span: p.span.as_ref().map(|r| clamp_span(&self.source_text, r)),
            })
            .collect()
    }
}

/// Control characters escaped (`\u{1b}`), so an untrusted scenario cannot send escape sequences
/// to the terminal through a message; newlines and tabs stay.
pub fn visible(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\t' => c.to_string(),
            c if c.is_control() => c.escape_unicode().to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// Source text with each control character (line breaks and tabs apart) replaced by as many `?`
/// as it has bytes, so every span still points at the same place.
fn same_width_visible(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => c.to_string(),
            c if c.is_control() => "?".repeat(c.len_utf8()),
            c => c.to_string(),
        })
        .collect()
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.plain())
    }
}

impl std::error::Error for ScenarioError {}

#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
struct FileDiag {
    message: String,
    #[related]
    related: Vec<ProblemDiag>,
}

#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
struct ProblemDiag {
    message: String,
    #[help]
    help: Option<String>,
    #[source_code]
    src: NamedSource<String>,
    #[label("here")]
    span: Option<SourceSpan>,
}

/// Formats one diagnostic with a chosen handler.
struct Rendered<'a>(&'a miette::MietteHandler, &'a dyn Diagnostic);

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        miette::ReportHandler::debug(self.0, self.1, f)
    }
}

/// 1-based line and column (in characters) of byte offset `pos` (clamped into the text and down to
/// a character boundary, so any offset is safe).
pub fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let pos = floor_boundary(text, pos);
    let before = &text[..pos];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn floor_boundary(text: &str, pos: usize) -> usize {
    let mut pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

/// A span inside `text` on character boundaries, at least one character long where the text allows.
fn clamp_span(text: &str, r: &Range<usize>) -> SourceSpan {
    let start = floor_boundary(text, r.start);
    let mut end = floor_boundary(text, r.end.max(start));
    if end == start {
        end = text[start..]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8());
    }
    SourceSpan::new(start.into(), end - start)
}

/// "did you mean `x`?" for the closest allowed name, if close enough.
pub fn did_you_mean(found: &str, allowed: &[&str]) -> Option<String> {
    allowed
        .iter()
        .map(|a| (strsim::jaro_winkler(found, a), a))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, a)| format!("did you mean `{a}`?"))
}
