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
            message: message.into(),
            help: None,
        }
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
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
                format!("{}:{line}:{col}", self.path)
            }
            None => self.path.clone(),
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

    /// A miette report with the source underlined for each problem.
    pub fn report(&self) -> miette::Report {
        let src = NamedSource::new(&self.path, self.source_text.clone());
        let related: Vec<ProblemDiag> = self
            .problems
            .iter()
            .map(|p| ProblemDiag {
                message: format!("{}: {}", self.location(&p.span), p.message),
                help: p.help.clone(),
                src: src.clone(),
                span: p.span.clone().map(|r| {
                    let len = r.len().max(1);
                    SourceSpan::new(r.start.into(), len)
                }),
            })
            .collect();
        miette::Report::new(FileDiag {
            message: format!(
                "{} problem{} in scenario {}",
                self.problems.len(),
                if self.problems.len() == 1 { "" } else { "s" },
                self.path
            ),
            related,
        })
    }
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

/// 1-based line and column (in characters) of byte offset `pos`.
pub fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let pos = pos.min(text.len());
    let before = &text[..pos];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
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
