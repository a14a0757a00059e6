//! The lint pack, cost estimate and graph on the two reference layouts from
//! landform-constructs: constructs from another crate, read only through the assembly.

use landform_cli::cost::{self, CostReport, Money, HOURS_PER_MONTH, KMS_KEY, TGW_ATTACHMENT};
use landform_cli::graph::{render, GraphFormat};
use landform_cli::lint::{self, LintReport, Suppressions};
use landform_constructs::layouts::{docustack, house_escort, DocuStackOptions, HouseEscortOptions};
use landform_core::App;

fn lint_app(app: &App) -> LintReport {
    lint::check(&app.synth().unwrap(), &Suppressions::from_tree(app.tree()))
}

fn shown(report: &LintReport) -> String {
    report.findings.iter().map(|f| format!("{f}\n")).collect()
}

#[test]
fn house_escort_ships_without_lint_errors() {
    let report = lint_app(&house_escort(&HouseEscortOptions::default()));
    assert!(!report.has_errors(), "{}", shown(&report));
}

#[test]
fn docustack_ships_without_lint_errors() {
    let report = lint_app(&docustack(&DocuStackOptions::default()));
    assert!(!report.has_errors(), "{}", shown(&report));
}

fn line_count(report: &CostReport, account: usize, type_name: &str) -> u64 {
    report.accounts[account]
        .lines
        .iter()
        .filter(|l| l.type_name == type_name)
        .map(|l| l.count)
        .sum()
}

#[test]
fn house_escort_workload_accounts_pay_for_their_hub_attachment() {
    let report = cost::estimate(
        &house_escort(&HouseEscortOptions::default())
            .synth()
            .unwrap(),
    );
    let mut attachments = 0;
    for (i, account) in report.accounts.iter().enumerate() {
        let n = line_count(&report, i, "AWS::EC2::TransitGatewayAttachment");
        let keys = line_count(&report, i, "AWS::KMS::Key");
        attachments += n;
        let expected = Money::from_micros(
            n * TGW_ATTACHMENT.price.micros() * HOURS_PER_MONTH + keys * KMS_KEY.price.micros(),
        );
        assert_eq!(account.fixed, expected, "{}", account.account);
    }
    // Three workloads from DESIGN.md (prod, staging, ak-home-hq) at least.
    assert!(attachments >= 3, "{attachments}");
    let total: Money = report.accounts.iter().map(|a| a.fixed).sum();
    assert_eq!(report.total_fixed, total);
}

#[test]
fn docustack_bootstrap_per_account_is_a_state_bucket_a_lock_table_and_cents() {
    let report = cost::estimate(&docustack(&DocuStackOptions::default()).synth().unwrap());
    assert!(report.accounts.len() >= 6, "{}", report.accounts.len());
    for (i, account) in report.accounts.iter().enumerate() {
        assert!(
            line_count(&report, i, "AWS::S3::Bucket") >= 1,
            "{}",
            account.account
        );
        assert!(
            line_count(&report, i, "AWS::DynamoDB::Table") >= 1,
            "{}",
            account.account
        );
        // Storage and requests of a small state backend stay under a dollar a month.
        assert!(
            account.assumed_usage < Money::from_micros(1_000_000),
            "{}: {}",
            account.account,
            account.assumed_usage
        );
        assert!(account.assumed_usage > Money::from_micros(0));
    }
}

#[test]
fn layouts_render_deterministic_graphs() {
    for app in [
        house_escort(&HouseEscortOptions::default()),
        docustack(&DocuStackOptions::default()),
    ] {
        let assembly = app.synth().unwrap();
        for format in [GraphFormat::Mermaid, GraphFormat::Dot] {
            let text = render(&assembly, format);
            assert_eq!(text, render(&assembly, format));
            assert!(text.matches("account_").count() > 3);
        }
    }
}
