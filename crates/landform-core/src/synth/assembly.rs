//! What synthesis produces: the [`Assembly`] of stack artifacts, each with its rendered
//! [`Template`] and the manifest entries (environment, dependencies, parameters, resources).

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::Write;
use std::ops::Index;
use std::path::{Path as FsPath, PathBuf};
use std::sync::OnceLock;

use serde::{Serialize, Serializer};
use serde_json::{json, Value as Json};

use crate::error::CoreError;
use crate::object::Key;
use crate::tree::Path;

/// A stack output another stack reads.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct OutputRef {
    /// The producing stack's name.
    pub stack: String,
    /// The output's logical id in that stack.
    pub output: String,
}

/// A value the manifest gives a deployer: known at synth time, or read from another stack's
/// output at deploy time (an account or OU the app creates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DeployValue {
    /// Known at synth time.
    Literal(String),
    /// Created by the app: read from another stack's output at deploy time.
    FromOutput(OutputRef),
}

/// The account a stack deploys to.
pub type AccountSpec = DeployValue;

/// An OU a StackSet lands in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrganizationalUnitTarget {
    /// Its id (`ou-...` or a root `r-...`).
    pub id: DeployValue,
    /// The construct path of the OU when the app creates it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<Path>,
}

/// A stack rolled out as a service-managed StackSet with auto-deployment, administered from
/// the stack's environment: where its instances land and how fast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StackSetSpec {
    /// The OUs whose accounts (present and future) get an instance.
    pub organizational_units: Vec<OrganizationalUnitTarget>,
    /// The regions of the instances.
    pub regions: Vec<String>,
    /// Keep an account's instance when it leaves the OUs.
    pub retain_stacks_on_account_removal: bool,
    /// How operations roll out.
    pub preferences: crate::stack_set::StackSetPreferences,
    /// Who administers it (`SELF`: the management account; `DELEGATED_ADMIN`).
    pub call_as: crate::stack_set::StackSetAdministrator,
}

/// A stack's environment as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvironmentSpec {
    /// The account.
    pub account: AccountSpec,
    /// The region.
    pub region: String,
}

/// One stack this stack waits for, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StackDependency {
    /// The stack depended on.
    pub stack: String,
    /// Each reason, naming construct paths.
    pub reasons: Vec<String>,
    /// True when the dependency was declared by hand (`Resource::depends_on` across stacks or
    /// `Scope::add_dependency`): the whole producer stack comes first. Otherwise only data
    /// flows (references and the stack's account), and a deployer may start each consumer
    /// resource as soon as the values it reads exist.
    pub explicit: bool,
}

/// A resource of a stack, as the manifest maps it back to the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceInfo {
    /// The construct path.
    pub path: Path,
    /// The CloudFormation type (`'static` text for the types written as literals, so the
    /// manifest's entries share it instead of copying it).
    #[serde(rename = "type")]
    pub type_name: Key,
}

/// A synthesised CloudFormation template: the pretty JSON text written to disk (what the size
/// limit counts), with a `serde_json::Value` view parsed on first use for readers that walk
/// it (deployers, lint, tests).
///
/// Synthesis renders the text straight from the tree; keeping only the text is what keeps a
/// large assembly small.
///
/// ```
/// use landform_core::{App, Environment, Resource};
/// let mut app = App::new();
/// let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
/// let stack = app.add_stack(stage, "State");
/// app.scope(stack).add_resource("Locks", Resource::new("AWS::DynamoDB::Table")
///     .property("KeySchema", serde_json::json!([{"AttributeName": "LockID", "KeyType": "HASH"}]))
///     .property("AttributeDefinitions", serde_json::json!([{"AttributeName": "LockID", "AttributeType": "S"}])));
/// let assembly = app.synth().unwrap();
/// let template = &assembly.stacks()[0].template;
/// assert!(template.text().starts_with("{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\""));
/// assert_eq!(template["Resources"]["Locks"]["Type"], "AWS::DynamoDB::Table");
/// ```
#[derive(Clone)]
pub struct Template {
    text: String,
    json: OnceLock<Json>,
}

impl Template {
    /// A template from its pretty JSON text (ending with a newline).
    pub(crate) fn from_text(text: String) -> Self {
        Template {
            text,
            json: OnceLock::new(),
        }
    }

    /// The pretty JSON text, as written to the template file.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The template as a JSON value (parsed from the text the first time it is asked for).
    pub fn json(&self) -> &Json {
        // The text is JSON this crate rendered, so parsing it cannot fail; `Null` stands in
        // for that impossible case rather than a panic.
        self.json
            .get_or_init(|| serde_json::from_str(&self.text).unwrap_or(Json::Null))
    }

    /// Drop the parsed view (it is parsed again if asked for), keeping the text: a reader
    /// that walked every template gives the memory back before the next stage.
    pub fn release_parsed(&mut self) {
        self.json = OnceLock::new();
    }

    /// A top-level section (`Resources`, `Outputs`, ...), if present.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.json().get(key)
    }
}

impl Index<&str> for Template {
    type Output = Json;

    /// A top-level section, or `Null` when absent (as indexing a `serde_json::Value`).
    fn index(&self, key: &str) -> &Json {
        &self.json()[key]
    }
}

impl PartialEq for Template {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl fmt::Debug for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Template").field(&self.text).finish()
    }
}

impl Serialize for Template {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.json().serialize(s)
    }
}

/// One synthesised stack.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StackArtifact {
    /// Stack name (`<stage>-<stack>`), also the template file's stem.
    pub name: String,
    /// Construct path of the stack.
    pub path: Path,
    /// Where it deploys.
    pub environment: EnvironmentSpec,
    /// The template file name inside the assembly directory.
    pub template_file: String,
    /// Stacks that must be deployed first.
    pub dependencies: Vec<StackDependency>,
    /// Parameters filled at deploy time from other stacks' outputs.
    pub parameters: BTreeMap<String, OutputRef>,
    /// Logical id to construct path and type.
    pub resources: BTreeMap<String, ResourceInfo>,
    /// Rolled out as a StackSet rather than deployed as a stack (manifest `stackSet`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_set: Option<StackSetSpec>,
    /// The CloudFormation template.
    #[serde(skip)]
    pub template: Template,
}

/// The result of synthesis: stacks in deployment order.
#[derive(Debug, Clone, PartialEq)]
pub struct Assembly {
    pub(crate) stacks: Vec<StackArtifact>,
}

/// `manifest.json`'s shape, serialised without building a JSON value first.
#[derive(Serialize)]
struct Manifest<'a> {
    version: u32,
    stacks: &'a [StackArtifact],
}

impl Assembly {
    /// Stacks in deployment order (every stack after the stacks it depends on).
    pub fn stacks(&self) -> &[StackArtifact] {
        &self.stacks
    }

    /// Drop every template's parsed view ([`Template::release_parsed`]). A large assembly's
    /// parsed templates take several times the memory of their text.
    ///
    /// ```
    /// # use landform_core::{App, Environment, Resource};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    /// # let stack = app.add_stack(stage, "State");
    /// # app.scope(stack).add_resource("Locks", Resource::new("AWS::DynamoDB::Table")
    /// #     .property("KeySchema", serde_json::json!([{"AttributeName": "LockID", "KeyType": "HASH"}]))
    /// #     .property("AttributeDefinitions", serde_json::json!([{"AttributeName": "LockID", "AttributeType": "S"}])));
    /// let mut assembly = app.synth().unwrap();
    /// assert_eq!(assembly.stacks()[0].template["Resources"]["Locks"]["Type"], "AWS::DynamoDB::Table");
    /// assembly.release_parsed();
    /// assert_eq!(assembly.stacks()[0].template["Resources"]["Locks"]["Type"], "AWS::DynamoDB::Table");
    /// ```
    pub fn release_parsed(&mut self) {
        for stack in &mut self.stacks {
            stack.template.release_parsed();
        }
    }

    /// A stack by name.
    pub fn stack(&self, name: &str) -> Option<&StackArtifact> {
        self.stacks.iter().find(|s| s.name == name)
    }

    /// `manifest.json`'s content.
    pub fn manifest(&self) -> Json {
        json!(self.manifest_view())
    }

    fn manifest_view(&self) -> Manifest<'_> {
        Manifest {
            version: 1,
            stacks: &self.stacks,
        }
    }

    /// The pretty JSON text of a stack's template, as written to disk.
    pub fn template_text(stack: &StackArtifact) -> &str {
        stack.template.text()
    }

    /// Write every template and `manifest.json` into `dir` (created if missing). Returns the
    /// files written.
    pub fn write(&self, dir: impl AsRef<FsPath>) -> Result<Vec<PathBuf>, CoreError> {
        let dir = dir.as_ref();
        fs::create_dir_all(dir).map_err(|source| CoreError::Write {
            path: dir.to_owned(),
            source,
        })?;
        let mut written = Vec::with_capacity(self.stacks.len() + 1);
        let mut put = |name: &str, text: &[u8]| {
            let path = dir.join(name);
            fs::write(&path, text).map_err(|source| CoreError::Write {
                path: path.clone(),
                source,
            })?;
            written.push(path);
            Ok::<(), CoreError>(())
        };
        for stack in &self.stacks {
            put(&stack.template_file, stack.template.text().as_bytes())?;
        }
        written.push(self.write_manifest(dir)?);
        Ok(written)
    }

    /// Write `manifest.json` into `dir` (streamed: the manifest of a large app is megabytes
    /// of text). Returns its path.
    pub(crate) fn write_manifest(&self, dir: &FsPath) -> Result<PathBuf, CoreError> {
        let path = dir.join("manifest.json");
        let write_manifest = || -> std::io::Result<()> {
            let mut file = std::io::BufWriter::new(fs::File::create(&path)?);
            serde_json::to_writer_pretty(&mut file, &self.manifest_view())?;
            file.write_all(b"\n")?;
            file.flush()
        };
        write_manifest().map_err(|source| CoreError::Write {
            path: path.clone(),
            source,
        })?;
        Ok(path)
    }
}
