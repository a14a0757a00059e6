//! House Escort at the sizes of the benchmarks (issue 6): 1,000 generated workload accounts
//! synthesise with every template inside CloudFormation's quotas, and growing the layout past
//! a stack's share of accounts or attachments renames nothing that exists.

use landform::constructs::layouts::{house_escort, resource_counts, HouseEscortOptions};
use landform::core::Assembly;

fn synth(extra_workload_accounts: usize) -> Assembly {
    house_escort(&HouseEscortOptions {
        extra_workload_accounts,
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
