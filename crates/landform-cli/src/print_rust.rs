//! `adopt --print-rust`: a Landform program, written with the typed builders, that declares a
//! live organization's OUs, accounts and service control policies as they are, so that
//! `adopt` then `diff` with it shows no change (org-formation's `init` writes its YAML so).

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use landform_deploy::LiveOrganization;
use serde_json::Value as Json;

/// Unique Rust names and construct ids.
#[derive(Default)]
struct Names {
    taken: HashSet<String>,
}

impl Names {
    fn unique(&mut self, base: String) -> String {
        let mut name = base.clone();
        let mut n = 2;
        while !self.taken.insert(name.clone()) {
            name = format!("{base}{n}");
            n += 1;
        }
        name
    }
    /// `house-escort-prod` -> `account_house_escort_prod`.
    fn variable(&mut self, prefix: &str, name: &str) -> String {
        let mut v = String::from(prefix);
        for c in name.chars() {
            if c.is_ascii_alphanumeric() {
                v.push(c.to_ascii_lowercase());
            } else if !v.ends_with('_') {
                v.push('_');
            }
        }
        let v = v.trim_end_matches('_').to_owned();
        self.unique(v)
    }
    /// `house-escort-prod` -> `HouseEscortProd`.
    fn id(&mut self, name: &str, fallback: &str) -> String {
        let mut id = String::new();
        let mut upper = true;
        for c in name.chars() {
            if c.is_ascii_alphanumeric() {
                id.push(if upper { c.to_ascii_uppercase() } else { c });
                upper = false;
            } else {
                upper = true;
            }
        }
        if !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
            id = format!("{fallback}{id}");
        }
        self.unique(id)
    }
}

fn strings(v: &Json) -> Vec<String> {
    match v {
        Json::String(s) => vec![s.clone()],
        Json::Array(items) => items
            .iter()
            .map(|i| match i {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
        Json::Null => Vec::new(),
        other => vec![other.to_string()],
    }
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

/// One statement as a `Statement` builder chain.
fn statement(s: &Json) -> String {
    let mut code = match s.get("Effect").and_then(Json::as_str) {
        Some("Allow") => "Statement::allow()".to_owned(),
        _ => "Statement::deny()".to_owned(),
    };
    if let Some(sid) = s.get("Sid").and_then(Json::as_str) {
        let _ = write!(code, ".sid({sid:?})");
    }
    for (key, method) in [
        ("Action", "actions"),
        ("NotAction", "not_actions"),
        ("Resource", "resources"),
        ("NotResource", "not_resources"),
    ] {
        if let Some(v) = s.get(key) {
            let _ = write!(code, "\n                .{method}({})", list(&strings(v)));
        }
    }
    if let Some(Json::Object(conditions)) = s.get("Condition") {
        for (operator, block) in conditions {
            for (key, values) in block.as_object().into_iter().flatten() {
                let _ = write!(
                    code,
                    "\n                .condition({operator:?}, {key:?}, {})?",
                    list(&strings(values))
                );
            }
        }
    }
    code
}

/// The program.
pub(crate) fn render(org: &LiveOrganization, region: &str) -> String {
    let mut names = Names::default();
    let mut out = String::new();
    let mut w = |line: &str| {
        out.push_str(line);
        out.push('\n');
    };
    w(&format!(
        "//! The organization of management account {}, as `adopt --print-rust` read it (OUs: {}, member accounts: {}, service control policies: {}).",
        org.management_account,
        org.units.len(),
        org.accounts.len(),
        org.policies.len()
    ));
    w("//! Run it with `adopt` to take them over (no write), then `diff`: no changes. Edit from there.");
    w("use landform::constructs::{");
    w("    AccountFactory, AccountFactoryProps, Organization, OrganizationProps, OrganizationalUnit,");
    w("    OrganizationalUnitProps, PolicyTarget, ServiceControlPolicy, ServiceControlPolicyProps,");
    w("};");
    w("#[allow(unused_imports)]");
    w("use landform::core::iam::Statement;");
    w("use landform::core::{App, Environment};");
    w("");
    w("fn main() -> Result<std::process::ExitCode, Box<dyn std::error::Error>> {");
    w("    let mut app = App::new();");
    w(&format!(
        "    let management = app.add_stage(\"Management\", Environment::new({:?}, {region:?}));",
        org.management_account
    ));
    w("    let stack = app.add_stack(management, \"Organization\");");
    w("    let mut scope = app.scope(stack);");
    w(&format!(
        "    let org = Organization::new(&mut scope, \"Org\", OrganizationProps {{ root_id: {:?}.into(), ..Default::default() }});",
        org.root_id
    ));
    // What an id is in the program: `org.root()` / a variable.
    let mut parents: BTreeMap<String, String> = BTreeMap::new();
    let mut targets: BTreeMap<String, String> = BTreeMap::new();
    parents.insert(org.root_id.clone(), "org.root()".into());
    targets.insert(org.root_id.clone(), "org.target()".into());
    for u in &org.units {
        let var = names.variable("ou_", &u.name);
        let id = names.id(&u.name, "Ou");
        let parent = parents
            .get(&u.parent)
            .cloned()
            .unwrap_or_else(|| "org.root()".into());
        w(&format!(
            "    let {var} = OrganizationalUnit::new(&mut scope, {id:?}, OrganizationalUnitProps {{ name: {:?}.into(), parent: {parent} }});",
            u.name
        ));
        parents.insert(u.id.clone(), format!("{var}.as_parent()"));
        targets.insert(u.id.clone(), format!("{var}.target()"));
    }
    for a in &org.accounts {
        let var = names.variable("account_", &a.name);
        let id = names.id(&a.name, "Account");
        let parent = match parents.get(&a.parent) {
            Some(p) if a.parent != org.root_id => format!("Some({p})"),
            _ => "None".to_owned(),
        };
        w(&format!(
            "    let {var} = AccountFactory::new(&mut scope, {id:?}, AccountFactoryProps {{ account_name: {:?}.into(), email: {:?}.into(), parent: {parent}, region: {region:?}.into(), ..Default::default() }});",
            a.name, a.email
        ));
        targets.insert(a.id.clone(), format!("{var}.target()"));
    }
    for p in &org.policies {
        let id = names.id(&p.name, "Policy");
        let statements: Vec<String> = match p.content.get("Statement") {
            Some(Json::Array(items)) => items.iter().map(statement).collect(),
            Some(one @ Json::Object(_)) => vec![statement(one)],
            _ => Vec::new(),
        };
        let mut target_list: Vec<String> = p
            .targets
            .iter()
            .map(|t| {
                targets
                    .get(t)
                    .cloned()
                    .unwrap_or_else(|| format!("PolicyTarget::literal({t:?})"))
            })
            .collect();
        target_list.sort();
        w(&format!(
            "    ServiceControlPolicy::new(&mut scope, {id:?}, ServiceControlPolicyProps {{"
        ));
        w(&format!("        name: {:?}.into(),", p.name));
        w(&format!(
            "        description: {},",
            p.description
                .as_ref()
                .map(|d| format!("Some({d:?}.into())"))
                .unwrap_or_else(|| "None".into())
        ));
        w("        statements: vec![");
        for s in statements {
            w(&format!("            {s},"));
        }
        w("        ],");
        w(&format!(
            "        targets: vec![{}],",
            target_list.join(", ")
        ));
        w("    });");
    }
    w("    Ok(landform::cli::run(app))");
    w("}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use landform_deploy::{LiveAccount, LivePolicy, LiveUnit};
    use serde_json::json;

    #[test]
    fn parents_come_first_and_names_become_rust() {
        let org = LiveOrganization {
            management_account: "111111111111".into(),
            root_id: "r-abcd".into(),
            units: vec![
                LiveUnit {
                    id: "ou-abcd-11111111".into(),
                    name: "Work loads".into(),
                    parent: "r-abcd".into(),
                },
                LiveUnit {
                    id: "ou-abcd-22222222".into(),
                    name: "2024".into(),
                    parent: "ou-abcd-11111111".into(),
                },
            ],
            accounts: vec![LiveAccount {
                id: "222222222222".into(),
                name: "prod".into(),
                email: "aws+prod@example.com".into(),
                parent: "ou-abcd-22222222".into(),
            }],
            policies: vec![LivePolicy {
                id: "p-1".into(),
                name: "deny \"leave\"".into(),
                description: None,
                content: json!({"Statement": {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*",
                                "Condition": {"StringNotEquals": {"aws:PrincipalArn": ["arn:aws:iam::*:role/admin"]}}}}),
                targets: vec![
                    "r-abcd".into(),
                    "222222222222".into(),
                    "999999999999".into(),
                ],
            }],
        };
        let code = render(&org, "us-east-1");
        assert!(
            code.contains("let ou_work_loads = OrganizationalUnit::new(&mut scope, \"WorkLoads\""),
            "{code}"
        );
        assert!(code.contains("let ou_2024 = OrganizationalUnit::new(&mut scope, \"Ou2024\", OrganizationalUnitProps { name: \"2024\".into(), parent: ou_work_loads.as_parent() })"), "{code}");
        assert!(code.contains("parent: Some(ou_2024.as_parent())"), "{code}");
        assert!(
            code.contains("name: \"deny \\\"leave\\\"\".into()"),
            "{code}"
        );
        assert!(code.contains(".condition(\"StringNotEquals\", \"aws:PrincipalArn\", [\"arn:aws:iam::*:role/admin\"])?"), "{code}");
        assert!(code.contains("targets: vec![PolicyTarget::literal(\"999999999999\"), account_prod.target(), org.target()]"), "{code}");
    }
}
