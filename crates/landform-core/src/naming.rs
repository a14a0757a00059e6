//! Names AWS requires to be unique among siblings: two resources the app creates with the
//! same name in the same scope (OU names under one parent, policy names in the organization,
//! role names in an account, bucket names everywhere...) would make the second create fail
//! at deploy time, or worse, adopt the first. Checked at synth over every resource, typed or
//! raw, whose name is a literal, as are names that belong to another owner (Control Tower,
//! StackSets, AWS).

use std::collections::HashMap;

use crate::issue::Issue;
use crate::tree::{NodeId, Tree};
use crate::value::Value;

/// Where a name must be unique.
#[derive(Clone, Copy)]
enum Scope {
    /// Everywhere (S3 bucket names).
    Global,
    /// In the organization.
    Organization,
    /// Under one parent (the value of this property).
    Parent(&'static str),
    /// In one account, whatever the region (IAM).
    Account,
    /// In one account and region.
    Region,
}

/// `(type, name property, scope, what AWS says)`. Account emails are checked by
/// `AccountFactory` (`AccountFactory.DuplicateEmail`).
const NAMED: &[(&str, &str, Scope, &str)] = &[
    ("AWS::Organizations::OrganizationalUnit", "Name", Scope::Parent("ParentId"), "AWS Organizations refuses two OUs with the same name under one parent (DuplicateOrganizationalUnitException)"),
    ("AWS::Organizations::Policy", "Name", Scope::Organization, "AWS Organizations refuses two policies with the same name (DuplicatePolicyException)"),
    ("AWS::IAM::Role", "RoleName", Scope::Account, "IAM role names are unique in an account (EntityAlreadyExists)"),
    ("AWS::IAM::ManagedPolicy", "ManagedPolicyName", Scope::Account, "IAM managed policy names are unique in an account (EntityAlreadyExists)"),
    ("AWS::IAM::OIDCProvider", "Url", Scope::Account, "IAM keeps one OIDC provider per issuer URL in an account (EntityAlreadyExists)"),
    ("AWS::S3::Bucket", "BucketName", Scope::Global, "S3 bucket names are unique across all accounts and regions (BucketAlreadyExists)"),
    ("AWS::DynamoDB::Table", "TableName", Scope::Region, "DynamoDB table names are unique in an account and region (ResourceInUseException)"),
    ("AWS::Logs::LogGroup", "LogGroupName", Scope::Region, "log group names are unique in an account and region (ResourceAlreadyExistsException)"),
    ("AWS::KMS::Alias", "AliasName", Scope::Region, "KMS alias names are unique in an account and region (AlreadyExistsException)"),
    ("AWS::Lambda::Function", "FunctionName", Scope::Region, "Lambda function names are unique in an account and region (ResourceConflictException)"),
    ("AWS::CloudTrail::Trail", "TrailName", Scope::Region, "trail names are unique in an account and region (TrailAlreadyExistsException)"),
    ("AWS::Config::ConfigRule", "ConfigRuleName", Scope::Region, "Config rule names are unique in an account and region"),
    ("AWS::Events::EventBus", "Name", Scope::Region, "event bus names are unique in an account and region (ResourceAlreadyExistsException)"),
];

/// Name prefixes that belong to another owner, and why: what Control Tower, StackSets and
/// AWS itself create and manage. Landform never adopts such a resource for change, and an
/// app resource named like one is refused at synth (`<Type>.ReservedName`).
const RESERVED: &[(&str, &str)] = &[
    ("aws-controltower-", "AWS Control Tower creates and manages resources named aws-controltower-*; changing them breaks its drift detection and landing-zone updates"),
    ("AWSControlTower", "AWS Control Tower creates and manages roles and policies named AWSControlTower*"),
    ("StackSet-", "CloudFormation StackSets owns resources named StackSet-*; change them through their stack set"),
    ("alias/aws/", "AWS reserves KMS aliases under alias/aws/ for AWS managed keys"),
];

/// The property holding the name of `type_name` when AWS makes that name unique (OU name
/// under its parent, policy name in the organization, role name in an account, bucket name
/// everywhere...): the natural key adoption matches live resources by.
///
/// ```
/// assert_eq!(landform_core::name_property("AWS::S3::Bucket"), Some("BucketName"));
/// assert_eq!(landform_core::name_property("AWS::EC2::VPC"), None);
/// ```
pub fn name_property(type_name: &str) -> Option<&'static str> {
    NAMED
        .iter()
        .find(|(t, ..)| *t == type_name)
        .map(|&(_, property, ..)| property)
}

/// Why a resource named `name` belongs to another owner (Control Tower, StackSets, AWS), or
/// `None`. The organization's `FullAWSAccess` policy (`p-FullAWSAccess`) is AWS managed.
///
/// ```
/// use landform_core::reserved_owner;
/// assert!(reserved_owner("aws-controltower-BaselineCloudTrail").is_some());
/// assert!(reserved_owner("p-FullAWSAccess").is_some());
/// assert!(reserved_owner("landform-trail").is_none());
/// ```
pub fn reserved_owner(name: &str) -> Option<&'static str> {
    if name == "FullAWSAccess" || name == "p-FullAWSAccess" {
        return Some("FullAWSAccess is the AWS managed policy every organization starts with; AWS Organizations refuses to change or delete it");
    }
    RESERVED
        .iter()
        .find(|(prefix, _)| name.starts_with(prefix))
        .map(|&(_, why)| why)
}

fn short_type(type_name: &str) -> &str {
    type_name.rsplit("::").next().unwrap_or(type_name)
}

/// Every resource whose literal name another resource of the app already takes in the same
/// scope, as `<Type>.DuplicateName` at the later one's path.
pub(crate) fn duplicate_names(tree: &Tree) -> Vec<Issue> {
    let mut seen: HashMap<(&'static str, String, &str), NodeId> = HashMap::new();
    let mut issues = Vec::new();
    for id in tree.ids() {
        let Some(resource) = tree.node(id).resource() else {
            continue;
        };
        let type_name = resource.type_name();
        let Some(&(named, property, scope, rule)) = NAMED.iter().find(|(t, ..)| *t == type_name)
        else {
            continue;
        };
        let Some(Value::String(name)) = resource.properties().get(property) else {
            continue;
        };
        let name: &str = name;
        if let Some(why) = reserved_owner(name) {
            issues.push(
                Issue::new(
                    format!("{}.ReservedName", short_type(named)),
                    property,
                    name,
                    format!("{why}; choose another name"),
                )
                .at(tree.path(id)),
            );
        }
        // A StackSet's resources land in every account of its OUs, never in the stage's
        // account that administers it: they share names only among themselves, and a name
        // AWS keeps unique beyond an account fails in the second account.
        let stack_set = tree.stack_of(id).filter(|&stack| {
            matches!(
                tree.node(stack).kind(),
                crate::tree::NodeKind::Stack(crate::tree::StackProps {
                    stack_set: Some(_),
                    ..
                })
            )
        });
        if let (Some(stack), Scope::Global | Scope::Organization) = (stack_set, scope) {
            issues.push(
                Issue::new(
                    format!("{}.NameInStackSet", short_type(named)),
                    property,
                    name,
                    format!(
                        "{rule}, and {} is a StackSet whose every account's instance would create this name: the second account fails; put ${{AWS::AccountId}} in the name (Fn::Sub) or leave it unnamed",
                        tree.path(stack)
                    ),
                )
                .at(tree.path(id)),
            );
        }
        let environment = || match stack_set {
            Some(stack) => (format!("StackSet {stack:?}"), String::new()),
            None => tree
                .environment_of(id)
                .map(|e| (format!("{:?}", e.account), e.region.clone()))
                .unwrap_or_default(),
        };
        let scope_key = match scope {
            Scope::Global => String::new(),
            Scope::Organization => "organization".to_owned(),
            Scope::Parent(p) => format!("{:?}", resource.properties().get(p)),
            Scope::Account => environment().0,
            Scope::Region => {
                let (account, region) = environment();
                format!("{account}|{region}")
            }
        };
        // Names of the global and organization scopes compare as AWS does: bucket names are
        // lowercase anyway, OU and policy names are case-sensitive.
        match seen.entry((named, scope_key, name)) {
            std::collections::hash_map::Entry::Occupied(first) => {
                issues.push(
                    Issue::new(
                        format!("{}.DuplicateName", short_type(named)),
                        property,
                        name,
                        format!("{rule}; {} has this name already", tree.path(*first.get())),
                    )
                    .at(tree.path(id)),
                );
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(id);
            }
        }
    }
    issues
}
