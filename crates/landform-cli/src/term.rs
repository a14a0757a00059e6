//! The terminal: whether stdin/stdout are terminals, and colours only when they are.

use std::io::IsTerminal;

/// A text style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Error,
    Warning,
    Good,
    Bold,
    Dim,
}

/// What the process is connected to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Term {
    /// Colour stdout (a terminal, and `NO_COLOR` unset).
    pub color: bool,
    /// stdout is a terminal (progress bars).
    pub stdout_tty: bool,
    /// stdin is a terminal (approval prompts).
    pub stdin_tty: bool,
}

impl Term {
    pub fn detect() -> Self {
        let stdout_tty = std::io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Term {
            color: stdout_tty && !no_color,
            stdout_tty,
            stdin_tty: std::io::stdin().is_terminal(),
        }
    }

    /// `text` in `style`, or unchanged without colour.
    pub fn paint(&self, style: Style, text: impl std::fmt::Display) -> String {
        if !self.color {
            return text.to_string();
        }
        let code = match style {
            Style::Error => "1;31",
            Style::Warning => "1;33",
            Style::Good => "32",
            Style::Bold => "1",
            Style::Dim => "2",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }
}
