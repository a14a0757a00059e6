//! Verbs that need only the synthesised assembly: synth, list, lint, graph, cost.

use std::io::Write;
use std::path::Path as FsPath;

use landform_core::{App, Assembly};
use serde_json::json;

use super::{write_json, Exit};
use crate::cost::{self, CostReport};
use crate::error::CliError;
use crate::graph::{self, GraphFormat};
use crate::lint::{self, LintReport, Severity, Suppressions};
use crate::model::AssemblyIndex;
use crate::term::{Style, Term};

pub(crate) fn synth(
    app: &App,
    dir: &FsPath,
    out: &mut dyn Write,
    term: &Term,
) -> Result<Exit, CliError> {
    let written = app.synth_to(dir)?;
    tracing::info!(files = written.len(), "synthesised");
    for path in &written {
        writeln!(out, "wrote {}", path.display()).map_err(CliError::Output)?;
    }
    writeln!(
        out,
        "{} {} stack(s) into {}",
        term.paint(Style::Good, "synthesised"),
        // Every file but the manifest is a template.
        written.len().saturating_sub(1),
        dir.display()
    )
    .map_err(CliError::Output)?;
    Ok(Exit::Success)
}

pub(crate) fn list(
    assembly: &Assembly,
    json: bool,
    out: &mut dyn Write,
    term: &Term,
) -> Result<Exit, CliError> {
    if json {
        write_json(out, &assembly.manifest())?;
        return Ok(Exit::Success);
    }
    let index = AssemblyIndex::new(assembly);
    for stack in assembly.stacks() {
        writeln!(
            out,
            "{}  account {}  {}  {} resource(s)",
            term.paint(Style::Bold, &stack.name),
            index.account_label(stack),
            stack.environment.region,
            stack.resources.len()
        )
        .map_err(CliError::Output)?;
        for dep in &stack.dependencies {
            writeln!(
                out,
                "  depends on {}: {}",
                dep.stack,
                dep.reasons.join("; ")
            )
            .map_err(CliError::Output)?;
        }
    }
    Ok(Exit::Success)
}

/// Lint with the tree's suppressions.
pub(crate) fn lint_report(app: &App, assembly: &Assembly) -> LintReport {
    lint::check(assembly, &Suppressions::from_tree(app.tree()))
}

pub(crate) fn lint(
    report: &LintReport,
    json: bool,
    out: &mut dyn Write,
    term: &Term,
) -> Result<Exit, CliError> {
    if json {
        write_json(
            out,
            &json!({
                "errors": report.count(Severity::Error),
                "warnings": report.count(Severity::Warning),
                "findings": report.findings,
                "suppressed": report.suppressed,
            }),
        )?;
    } else {
        print_lint(report, out, term)?;
    }
    Ok(if report.has_errors() {
        Exit::Error
    } else {
        Exit::Success
    })
}

pub(crate) fn print_lint(
    report: &LintReport,
    out: &mut dyn Write,
    term: &Term,
) -> Result<(), CliError> {
    let w = |out: &mut dyn Write, text: String| writeln!(out, "{text}").map_err(CliError::Output);
    for f in &report.findings {
        let style = match f.severity {
            Severity::Error => Style::Error,
            _ => Style::Warning,
        };
        w(
            out,
            format!(
                "{} {} {}",
                term.paint(style, format!("{:<7}", f.severity.to_string())),
                term.paint(Style::Bold, f.rule.id()),
                f.path
            ),
        )?;
        w(out, format!("        {}: {}", f.rule.title(), f.detail))?;
        w(out, format!("        why: {}", f.why))?;
        w(out, format!("        fix: {}", f.fix))?;
    }
    for s in &report.suppressed {
        w(
            out,
            format!(
                "{} {} {} (suppressed at {}): {}",
                term.paint(Style::Dim, "suppressed"),
                s.finding.rule.id(),
                s.finding.path,
                s.suppressed_at,
                s.reason
            ),
        )?;
    }
    let summary = format!(
        "{} error(s), {} warning(s), {} suppressed",
        report.count(Severity::Error),
        report.count(Severity::Warning),
        report.suppressed.len()
    );
    let style = if report.has_errors() {
        Style::Error
    } else {
        Style::Good
    };
    w(out, term.paint(style, summary))
}

pub(crate) fn graph(
    assembly: &Assembly,
    format: GraphFormat,
    out: &mut dyn Write,
) -> Result<Exit, CliError> {
    out.write_all(graph::render(assembly, format).as_bytes())
        .map_err(CliError::Output)?;
    Ok(Exit::Success)
}

pub(crate) fn cost(
    assembly: &Assembly,
    json: bool,
    out: &mut dyn Write,
    term: &Term,
) -> Result<Exit, CliError> {
    let report = cost::estimate(assembly);
    if json {
        write_json(out, &report)?;
    } else {
        print_cost(&report, out, term).map_err(CliError::Output)?;
    }
    Ok(Exit::Success)
}

fn print_cost(report: &CostReport, out: &mut dyn Write, term: &Term) -> std::io::Result<()> {
    writeln!(
        out,
        "Monthly cost estimate (us-east-1 list prices of {}, USD, 730 h/month)",
        report.price_date
    )?;
    for account in &report.accounts {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            term.paint(Style::Bold, format!("account {}", account.account))
        )?;
        for line in &account.lines {
            writeln!(
                out,
                "  {:<42} x{:<3} fixed {:>9}  assumed usage {:>8}  ({})",
                line.type_name,
                line.count,
                line.fixed.to_string(),
                line.assumed_usage.to_string(),
                line.basis
            )?;
        }
        writeln!(
            out,
            "  subtotal: {} fixed + {} assumed usage = {}",
            account.fixed,
            account.assumed_usage,
            account.fixed + account.assumed_usage
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        term.paint(
            Style::Bold,
            format!(
                "total: {} fixed + {} assumed usage = {} per month across {} account(s)",
                report.total_fixed,
                report.total_assumed_usage,
                report.total_fixed + report.total_assumed_usage,
                report.accounts.len()
            )
        )
    )?;
    if !report.not_counted.is_empty() {
        writeln!(out, "not counted (billed by use):")?;
        for note in &report.not_counted {
            writeln!(out, "  - {note}")?;
        }
    }
    if !report.unpriced.is_empty() {
        writeln!(
            out,
            "{}",
            term.paint(
                Style::Warning,
                format!(
                    "not priced (no entry in the price table of {}; their cost is not in the totals):",
                    report.price_date
                )
            )
        )?;
        for t in &report.unpriced {
            writeln!(out, "  - {} x{}", t.type_name, t.count)?;
        }
    }
    Ok(())
}
