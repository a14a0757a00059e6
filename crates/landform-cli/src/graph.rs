//! Pictures of an assembly: stacks and resources grouped by account, reference and dependency
//! edges, cross-account edges highlighted. Rendered as Mermaid or Graphviz DOT; the text is
//! deterministic (assembly order, no hashing), so it can be snapshot-tested and diffed.
//!
//! ```
//! use landform_core::{App, Environment, Resource};
//! use landform_cli::graph::{render, GraphFormat};
//!
//! let mut app = App::new();
//! let stage = app.add_stage("Mgmt", Environment::new("111111111111", "us-east-1"));
//! let stack = app.add_stack(stage, "State");
//! app.scope(stack).add_resource("Locks", Resource::new("AWS::DynamoDB::Table")
//!     .property("KeySchema", serde_json::json!([{"AttributeName": "LockID", "KeyType": "HASH"}]))
//!     .property("AttributeDefinitions", serde_json::json!([{"AttributeName": "LockID", "AttributeType": "S"}])));
//! let text = render(&app.synth().unwrap(), GraphFormat::Mermaid);
//! assert!(text.starts_with("flowchart LR"));
//! assert!(text.contains("AWS::DynamoDB::Table"));
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use landform_core::synth::AccountSpec;
use landform_core::{Assembly, StackArtifact};

use crate::model::{AssemblyIndex, ResourceKey};

/// The text format of a graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum GraphFormat {
    /// A Mermaid flowchart (renders in GitHub and GitLab markdown).
    #[default]
    Mermaid,
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
}

/// Colour of cross-account edges.
const CROSS_ACCOUNT_COLOUR: &str = "#d62728";

/// An edge's endpoint: a resource node or a whole stack.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum End {
    Resource(usize),
    Stack(usize),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Edge {
    from: End,
    to: End,
    label: Option<&'static str>,
    cross_account: bool,
}

struct Model {
    /// Account label and the stacks in it.
    accounts: Vec<(String, Vec<usize>)>,
    /// Stack label and its resources.
    stacks: Vec<(String, Vec<usize>)>,
    /// Resource label lines (id below the stack, type).
    resources: Vec<(String, String)>,
    edges: Vec<Edge>,
}

fn build(assembly: &Assembly) -> Model {
    let index = AssemblyIndex::new(assembly);
    let stack_number: BTreeMap<&str, usize> = assembly
        .stacks()
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let mut accounts: Vec<(String, Vec<usize>)> = Vec::new();
    let mut stacks = Vec::new();
    for (i, stack) in assembly.stacks().iter().enumerate() {
        let account = account_label(&index, stack);
        match accounts.iter_mut().find(|(a, _)| *a == account) {
            Some((_, list)) => list.push(i),
            None => accounts.push((account, vec![i])),
        }
        stacks.push((
            format!("{} ({})", stack.name, stack.environment.region),
            Vec::new(),
        ));
    }
    let mut number: BTreeMap<ResourceKey, usize> = BTreeMap::new();
    let mut resources = Vec::new();
    for r in index.resources() {
        let s = stack_number[r.stack.name.as_str()];
        let depth = r.stack.path.segments().len();
        let below = r.path.segments().get(depth..).unwrap_or_default().join("/");
        number.insert(r.key(), resources.len());
        stacks[s].1.push(resources.len());
        resources.push((below, r.type_name.to_owned()));
    }
    let account_of = |stack: &str| {
        index
            .stack(stack)
            .map(AssemblyIndex::account_of)
            .unwrap_or_default()
    };
    let mut edges = BTreeSet::new();
    let mut stack_pairs = BTreeSet::new();
    for r in index.resources() {
        let from = number[&r.key()];
        let mut targets = index.references(r.stack, r.properties);
        for on in crate::model::as_list(r.body.get("DependsOn")) {
            if let Some(id) = on.as_str() {
                targets.push(ResourceKey {
                    stack: r.stack.name.clone(),
                    logical_id: id.to_owned(),
                });
            }
        }
        for target in targets {
            let Some(&to) = number.get(&target) else {
                continue;
            };
            if to == from {
                continue;
            }
            stack_pairs.insert((r.stack.name.clone(), target.stack.clone()));
            let cross_account = account_of(&r.stack.name) != account_of(&target.stack);
            edges.insert(Edge {
                from: End::Resource(from),
                to: End::Resource(to),
                label: cross_account.then_some("cross-account"),
                cross_account,
            });
        }
    }
    for (i, stack) in assembly.stacks().iter().enumerate() {
        if let AccountSpec::FromOutput(out) = &stack.environment.account {
            let value = index
                .stack(&out.stack)
                .and_then(|p| p.template.get("Outputs")?.get(&out.output)?.get("Value"));
            let producer = index.stack(&out.stack);
            if let (Some(value), Some(producer)) = (value, producer) {
                for target in index.references(producer, value) {
                    if let Some(&to) = number.get(&target) {
                        stack_pairs.insert((stack.name.clone(), target.stack.clone()));
                        edges.insert(Edge {
                            from: End::Stack(i),
                            to: End::Resource(to),
                            label: Some("deploys into account"),
                            cross_account: true,
                        });
                    }
                }
            }
        }
        for dep in &stack.dependencies {
            if stack_pairs.contains(&(stack.name.clone(), dep.stack.clone())) {
                continue;
            }
            if let Some(&on) = stack_number.get(dep.stack.as_str()) {
                let cross_account = account_of(&stack.name) != account_of(&dep.stack);
                edges.insert(Edge {
                    from: End::Stack(i),
                    to: End::Stack(on),
                    label: Some("depends on"),
                    cross_account,
                });
            }
        }
    }
    Model {
        accounts,
        stacks,
        resources,
        edges: edges.into_iter().collect(),
    }
}

fn account_label(index: &AssemblyIndex<'_>, stack: &StackArtifact) -> String {
    format!("Account {}", index.account_label(stack))
}

/// Render an assembly as a graph in the given format.
pub fn render(assembly: &Assembly, format: GraphFormat) -> String {
    let model = build(assembly);
    match format {
        GraphFormat::Mermaid => mermaid(&model),
        GraphFormat::Dot => dot(&model),
    }
}

fn mermaid_text(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

fn mermaid(model: &Model) -> String {
    let mut out = String::from("flowchart LR\n");
    for (a, (account, stacks)) in model.accounts.iter().enumerate() {
        let _ = writeln!(out, "  subgraph account_{a}[\"{}\"]", mermaid_text(account));
        for &s in stacks {
            let (label, resources) = &model.stacks[s];
            let _ = writeln!(out, "    subgraph stack_{s}[\"{}\"]", mermaid_text(label));
            for &r in resources {
                let (name, type_name) = &model.resources[r];
                let _ = writeln!(
                    out,
                    "      resource_{r}[\"{}<br/>{}\"]",
                    mermaid_text(name),
                    mermaid_text(type_name)
                );
            }
            out.push_str("    end\n");
        }
        out.push_str("  end\n");
    }
    let end = |e: &End| match e {
        End::Resource(r) => format!("resource_{r}"),
        End::Stack(s) => format!("stack_{s}"),
    };
    let mut highlighted = Vec::new();
    for (n, edge) in model.edges.iter().enumerate() {
        let arrow = if edge.cross_account { "==>" } else { "-->" };
        let label = edge.label.map(|l| format!("|{l}|")).unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} {arrow}{label} {}",
            end(&edge.from),
            end(&edge.to)
        );
        if edge.cross_account {
            highlighted.push(n.to_string());
        }
    }
    if !highlighted.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:{CROSS_ACCOUNT_COLOUR},stroke-width:3px",
            highlighted.join(",")
        );
    }
    out
}

fn dot_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn dot(model: &Model) -> String {
    let mut out = String::from(
        "digraph landform {\n  rankdir=LR;\n  compound=true;\n  node [shape=box, fontname=\"Helvetica\"];\n",
    );
    for (a, (account, stacks)) in model.accounts.iter().enumerate() {
        let _ = writeln!(out, "  subgraph cluster_account_{a} {{");
        let _ = writeln!(
            out,
            "    label=\"{}\";\n    style=rounded;",
            dot_text(account)
        );
        for &s in stacks {
            let (label, resources) = &model.stacks[s];
            let _ = writeln!(out, "    subgraph cluster_stack_{s} {{");
            let _ = writeln!(
                out,
                "      label=\"{}\";\n      style=dashed;",
                dot_text(label)
            );
            for &r in resources {
                let (name, type_name) = &model.resources[r];
                let _ = writeln!(
                    out,
                    "      resource_{r} [label=\"{}\\n{}\"];",
                    dot_text(name),
                    dot_text(type_name)
                );
            }
            out.push_str("    }\n");
        }
        out.push_str("  }\n");
    }
    // A stack endpoint is drawn from its first resource, clipped at the cluster's border.
    let anchor = |e: &End| -> Option<(String, Option<String>)> {
        match e {
            End::Resource(r) => Some((format!("resource_{r}"), None)),
            End::Stack(s) => model.stacks[*s]
                .1
                .first()
                .map(|r| (format!("resource_{r}"), Some(format!("cluster_stack_{s}")))),
        }
    };
    for edge in &model.edges {
        let (Some((from, ltail)), Some((to, lhead))) = (anchor(&edge.from), anchor(&edge.to))
        else {
            continue;
        };
        let mut attributes = Vec::new();
        if let Some(t) = ltail {
            attributes.push(format!("ltail={t}"));
        }
        if let Some(h) = lhead {
            attributes.push(format!("lhead={h}"));
        }
        if let Some(l) = edge.label {
            attributes.push(format!("label=\"{l}\""));
        }
        if edge.cross_account {
            attributes.push(format!("color=\"{CROSS_ACCOUNT_COLOUR}\""));
            attributes.push("penwidth=2.5".to_owned());
        }
        let attributes = if attributes.is_empty() {
            String::new()
        } else {
            format!(" [{}]", attributes.join(", "))
        };
        let _ = writeln!(out, "  {from} -> {to}{attributes};");
    }
    out.push_str("}\n");
    out
}
