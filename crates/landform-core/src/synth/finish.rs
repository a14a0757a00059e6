//! Finishing a stack once every stack is resolved: its template gets its outputs (which later
//! stacks may have added to), and its artifact is put together and checked against the
//! quotas. Stacks finish side by side.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;

use super::assembly::{EnvironmentSpec, StackArtifact, StackDependency, StackSetSpec, Template};
use super::pretty::JsonWriter;
use super::{Ctx, Resolved, StackState};
use crate::error::CoreError;
use crate::issue::Issue;
use crate::limits;
use crate::tree::Path;

/// A stack output, as the template lists it.
enum OutputBody<'s, 'a> {
    /// Declared by the user: rendered while resolving.
    User(&'s str),
    /// Added for other stacks: the value and the export name when imported.
    Shared(&'s Resolved<'a>, &'s Option<String>),
}

/// What finishing a stack takes besides its template: everything the sequential part kept
/// for it.
pub(super) struct StackInputs<'a> {
    pub(super) state: StackState<'a>,
    pub(super) environment: EnvironmentSpec,
    /// Where its StackSet lands, when it is one.
    pub(super) stack_set: Option<StackSetSpec>,
    /// The stacks it depends on, each with its reasons, in no order.
    pub(super) dependencies: Vec<(usize, Vec<String>)>,
}

/// A stack's artifact, and what putting it together found.
pub(super) struct FinishedStack {
    pub(super) artifact: StackArtifact,
    pub(super) issues: Vec<Issue>,
    pub(super) write_error: Option<CoreError>,
}

/// Put stack `i`'s artifact together: its template gets its outputs (in memory or in its
/// file), and it is checked against the quotas. Runs on any thread: nothing is shared but
/// read.
pub(super) fn finish_stack(
    ctx: &Ctx<'_>,
    explicit: &BTreeSet<(usize, usize)>,
    i: usize,
    inputs: StackInputs<'_>,
    scratch: &mut String,
) -> FinishedStack {
    let StackInputs {
        mut state,
        environment,
        stack_set,
        mut dependencies,
    } = inputs;
    let Finished {
        text,
        bytes,
        outputs,
        write_error,
    } = finish_template(ctx, i, &mut state, scratch);
    let stack = ctx.stacks[i];
    let tree = ctx.tree;
    let path = tree.path(stack);
    let mut issues = Vec::new();
    let parts = state.parts;
    if parts.resource_count == 0 {
        issues.push(
            Issue::new(
                "Stack.NoResources",
                "resources",
                0,
                "CloudFormation refuses a template without resources: add one or remove the stack",
            )
            .at(path.clone()),
        );
    }
    check_limits(
        &path,
        [parts.resource_count, parts.parameters.len(), outputs],
        bytes,
        &mut issues,
    );
    dependencies.sort_unstable_by_key(|&(on, _)| on);
    let name = ctx.names[i].clone();
    FinishedStack {
        artifact: StackArtifact {
            template_file: template_file(&name),
            name,
            path,
            environment,
            dependencies: dependencies
                .into_iter()
                .map(|(p, reasons)| StackDependency {
                    stack: ctx.names[p].clone(),
                    reasons,
                    explicit: explicit.contains(&(i, p)),
                })
                .collect(),
            parameters: parts.parameters,
            resources: parts.resources,
            stack_set,
            template: Template::from_text(text),
        },
        issues,
        write_error,
    }
}

/// CloudFormation's quotas: counts of resources, parameters and outputs, and the size of the
/// template text as written.
fn check_limits(stack: &Path, counts: [usize; 3], bytes: usize, issues: &mut Vec<Issue>) {
    let checks = [
        ("Stack.TooManyResources", "resources", limits::MAX_RESOURCES),
        (
            "Stack.TooManyParameters",
            "parameters",
            limits::MAX_PARAMETERS,
        ),
        ("Stack.TooManyOutputs", "outputs", limits::MAX_OUTPUTS),
    ];
    for ((code, what, limit), count) in checks.into_iter().zip(counts) {
        if count > limit {
            issues.push(
                Issue::new(
                    code,
                    what,
                    count,
                    format!(
                        "a CloudFormation template holds at most {limit} {what}: split the stack"
                    ),
                )
                .at(stack.clone()),
            );
        }
    }
    if bytes > limits::MAX_TEMPLATE_BYTES {
        issues.push(
            Issue::new(
                "Stack.TemplateTooLarge",
                "template",
                format!("{bytes} bytes"),
                format!(
                    "a CloudFormation template body is at most {} bytes: split the stack",
                    limits::MAX_TEMPLATE_BYTES
                ),
            )
            .at(stack.clone()),
        );
    }
}

/// A stack's whole template, once every stack is resolved.
struct Finished {
    /// The text (empty when written to a file).
    text: String,
    /// Its length as written.
    bytes: usize,
    /// How many outputs it has.
    outputs: usize,
    write_error: Option<CoreError>,
}

/// Add stack `i`'s outputs to its head (in memory or in its file).
fn finish_template(
    ctx: &Ctx<'_>,
    i: usize,
    state: &mut StackState<'_>,
    scratch: &mut String,
) -> Finished {
    let mut outputs: BTreeMap<&str, OutputBody<'_, '_>> = state
        .parts
        .user_outputs
        .iter()
        .map(|(id, body)| (*id, OutputBody::User(body)))
        .collect();
    for (id, (value, export)) in &state.shared_outputs {
        outputs
            .entry(id)
            .or_insert(OutputBody::Shared(value, export));
    }
    let mut w = JsonWriter::inside_object(std::mem::take(scratch));
    if !outputs.is_empty() {
        w.key("Outputs");
        w.begin_object();
        for (id, body) in &outputs {
            w.key(id);
            match body {
                OutputBody::User(text) => w.raw(text),
                OutputBody::Shared(value, export) => {
                    w.begin_object();
                    w.key("Value");
                    value.write(&mut w);
                    if let Some(export) = export {
                        w.key("Export");
                        w.begin_object();
                        w.string_member("Name", export);
                        w.end_object();
                    }
                    w.end_object();
                }
            }
        }
        w.end_object();
    }
    w.end_object();
    let tail = w.text();
    let bytes = state.parts.head_len + tail.len() + 1;
    let mut write_error = None;
    let text = match ctx.files {
        None => {
            // The head was given room for the usual outputs: most tails fit without a copy.
            let mut text = std::mem::take(&mut state.parts.head);
            text.reserve_exact(tail.len() + 1);
            text.push_str(tail);
            text.push('\n');
            text
        }
        Some(dir) => {
            let path = dir.join(template_file(&ctx.names[i]));
            write_error = put(path, &[tail, "\n"], true).err();
            String::new()
        }
    };
    let count = outputs.len();
    *scratch = w.into_text();
    Finished {
        text,
        bytes,
        outputs: count,
        write_error,
    }
}

/// Write (or append) `parts` to a template file.
pub(super) fn put(path: PathBuf, parts: &[&str], append: bool) -> Result<(), CoreError> {
    let write = || -> std::io::Result<()> {
        let mut file = if append {
            OpenOptions::new().append(true).open(&path)?
        } else {
            File::create(&path)?
        };
        for part in parts {
            file.write_all(part.as_bytes())?;
        }
        Ok(())
    };
    write().map_err(|source| CoreError::Write { path, source })
}

/// The template's file name in the assembly directory.
pub(super) fn template_file(stack_name: &str) -> String {
    let mut file = String::with_capacity(stack_name.len() + 14);
    file.push_str(stack_name);
    file.push_str(".template.json");
    file
}
