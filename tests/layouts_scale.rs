//! House Escort at the sizes of the benchmarks (issue 6): 1,000 generated workload accounts
//! synthesise with every template inside CloudFormation's quotas, and growing the layout past
//! a stack's share of accounts or attachments renames nothing that exists.

use landform::constructs::layouts::{house_escort, resource_counts, HouseEscortOptions};
use landform::core::Assembly;

fn synth(extra_workload_accounts: usize) -> Assembly {
    house_escort(&HouseEscortOptions {
        extra_workload_accounts,
        ..Default::default()
    })
    .synth()
    .expect("house escort synthesises")
}

#[test]
fn a_thousand_workload_accounts_fit_every_template_well_inside_the_quotas() {
    let n = 1000;
    let assembly = synth(n);
    for stack in assembly.stacks() {
        let template = &stack.template;
        let len = |key: &str| {
            template
                .get(key)
                .and_then(|v| v.as_object())
                .map_or(0, |m| m.len())
        };
        let bytes = Assembly::template_text(stack).len();
        // Half of each quota (500 resources, 200 parameters, 200 outputs, 1 MB), so a
        // layout change that grows a stack shows up here long before AWS refuses it.
        assert!(
            len("Resources") <= 250,
            "{}: {} resources",
            stack.name,
            len("Resources")
        );
        assert!(
            len("Parameters") <= 100,
            "{}: {} parameters",
            stack.name,
            len("Parameters")
        );
        assert!(
            len("Outputs") <= 100,
            "{}: {} outputs",
            stack.name,
            len("Outputs")
        );
        assert!(bytes <= 500_000, "{}: {bytes} bytes", stack.name);
    }
    let counts = resource_counts(&assembly);
    let workloads = n + 3;
    assert_eq!(counts["AWS::Organizations::Account"], workloads + 2);
    assert_eq!(counts["AWS::EC2::TransitGatewayAttachment"], workloads + 1);
    // One route each way between shared services and every workload, nothing between workloads.
    assert_eq!(counts["AWS::EC2::TransitGatewayRoute"], 2 * workloads);
    // Each workload VPC routes to shared services; the shared VPC routes the three named
    // workloads and the generated block.
    assert_eq!(counts["AWS::EC2::Route"], workloads + 3 + 1);
    assert!(assembly.stack("Management-Accounts11").is_some());
    assert!(assembly.stack("Management-Accounts12").is_none());
    assert!(assembly.stack("Infrastructure-HubRoutes21").is_some());
    let network = assembly.stack("Infrastructure-Network").expect("network");
    let share = network.template["Resources"]
        .as_object()
        .expect("resources")
        .values()
        .find(|r| r["Type"] == "AWS::RAM::ResourceShare")
        .expect("share");
    assert_eq!(
        share["Properties"]["Principals"].as_array().map(Vec::len),
        Some(1)
    );
    // Every generated attachment still waits for the share.
    for stack in assembly
        .stacks()
        .iter()
        .filter(|s| s.name.ends_with("-Network"))
    {
        if stack.name == "Infrastructure-Network" {
            continue;
        }
        let on_hub = stack
            .dependencies
            .iter()
            .find(|d| d.stack == "Infrastructure-Network")
            .expect("a workload network depends on the hub");
        assert!(on_hub.explicit, "{}", stack.name);
        assert!(
            on_hub.reasons.iter().any(|r| r.ends_with("/Hub/Share")),
            "{}",
            stack.name
        );
    }
}

#[test]
fn growing_past_a_stack_of_accounts_and_of_attachments_renames_nothing() {
    let small = synth(3);
    // 120 generated accounts: two account stacks and three routes stacks.
    let large = synth(120);
    assert!(large.stack("Management-Accounts3").is_some());
    assert!(large.stack("Infrastructure-HubRoutes3").is_some());
    for stack in small.stacks() {
        let grown = large
            .stack(&stack.name)
            .expect("every stack is still there");
        for (id, info) in &stack.resources {
            let kept = grown.resources.get(id).map(|i| &i.path);
            assert_eq!(kept, Some(&info.path), "{} lost {id}", stack.name);
        }
    }
}

/// Issue 15: with `generated_baseline_stack_set`, the thousand generated accounts' baselines
/// are one StackSet on a Generated OU under Workloads, instead of a thousand stacks; the
/// accounts themselves are bare, and nothing else changes.
#[test]
fn a_thousand_generated_baselines_become_one_stack_set() {
    use landform::core::synth::DeployValue;
    let n = 1000;
    let per_account = synth(n);
    let with_set = house_escort(&HouseEscortOptions {
        extra_workload_accounts: n,
        generated_baseline_stack_set: Some(Default::default()),
    })
    .synth()
    .expect("house escort with a StackSet baseline synthesises");
    assert_eq!(with_set.stacks().len(), per_account.stacks().len() - n + 1);
    assert!(with_set.stack("Extra0-Baseline").is_none());
    assert!(with_set.stack("Extra0-Network").is_some());
    assert!(with_set.stack("HouseEscortProd-Baseline").is_some());
    let sets: Vec<_> = with_set
        .stacks()
        .iter()
        .filter(|s| s.stack_set.is_some())
        .collect();
    assert_eq!(sets.len(), 1);
    let set = sets[0];
    assert_eq!(set.name, "Management-GeneratedBaseline");
    let spec = set.stack_set.as_ref().unwrap();
    assert_eq!(spec.regions, ["us-east-1"]);
    assert!(
        matches!(&spec.organizational_units[0].id, DeployValue::FromOutput(o) if o.stack == "Management-Organization")
    );
    // The generated accounts are in the OU the StackSet lands in.
    let org = with_set.stack("Management-Organization").unwrap();
    let ou = org.template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, r)| r["Properties"]["Name"] == "Generated")
        .map(|(id, _)| id.clone())
        .expect("the Generated OU");
    let accounts = with_set.stack("Management-Accounts2").unwrap();
    let extra = &accounts.template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Properties"]["AccountName"] == "house-escort-extra-0")
        .expect("a generated account")["Properties"]["ParentIds"];
    assert!(
        extra.to_string().contains(&ou.to_string()),
        "{extra} is not in {ou}"
    );
    // One baseline's resources instead of a thousand.
    let counts = resource_counts(&with_set);
    let before = resource_counts(&per_account);
    assert_eq!(
        counts["AWS::GuardDuty::Detector"],
        before["AWS::GuardDuty::Detector"] - n + 1
    );
    assert_eq!(
        counts["AWS::Budgets::Budget"],
        before["AWS::Budgets::Budget"] - n + 1
    );
}
