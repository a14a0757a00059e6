//! The monthly cost of what an app creates, per account and in total, from a dated table of
//! us-east-1 list prices, so a user sees what a new account costs before creating it.
//!
//! What is counted:
//! - **Fixed** charges that start when the resource exists, whatever it does: customer managed
//!   KMS keys ($1/key-month; the first year of a rotating key, since rotated material adds
//!   $1/month per rotation for the first two rotations), transit gateway attachments,
//!   NAT gateways, interface VPC endpoints (per subnet/AZ), Route 53 hosted zones, Secrets
//!   Manager secrets, and DynamoDB provisioned capacity.
//! - An **assumed minimum usage** for storage that bills only by use, so a bootstrap
//!   (state bucket + lock table) does not show as free: each S3 bucket and each DynamoDB
//!   table is assumed to hold 1 GB-month and serve a small number of requests (see
//!   [`ASSUMED_MINIMUM`]). These are assumptions, not AWS minimums: AWS bills S3 and on-demand
//!   DynamoDB purely by use.
//!
//! What is not counted (shown as notes, priced per unit): CloudTrail (the first copy of
//! management events in each account is free, so the first trail costs nothing; additional
//! trails and data events are billed per event), AWS Config (per configuration item recorded
//! and per rule evaluation; there is no per-rule monthly fee), GuardDuty (per event and per GB
//! analysed, after a 30-day trial; no base fee), data transfer and processing, KMS requests,
//! free tiers and credits, taxes, support plans, and every workload resource not in the table.
//! Month = 730 hours, as AWS's calculator uses.
//!
//! ```
//! use landform_core::{App, Environment, Resource};
//! use landform_cli::cost;
//!
//! let mut app = App::new();
//! let stage = app.add_stage("Mgmt", Environment::new("111111111111", "us-east-1"));
//! let stack = app.add_stack(stage, "Keys");
//! app.scope(stack).add_resource("Key", Resource::new("AWS::KMS::Key"));
//! let report = cost::estimate(&app.synth().unwrap());
//! assert_eq!(report.total_fixed, cost::Money::from_micros(1_000_000));
//! ```

use std::collections::BTreeMap;
use std::fmt;

use landform_core::Assembly;
use serde::{Serialize, Serializer};
use serde_json::Value as Json;

use crate::model::{as_list, is_true, AssemblyIndex, ResourceView};

/// The date the list prices below were taken from the AWS pricing pages (us-east-1, USD).
pub const PRICE_TABLE_DATE: &str = "2025-01-01";

/// Hours in a billing month, as the AWS pricing calculator counts them.
pub const HOURS_PER_MONTH: u64 = 730;

/// An amount in US dollars, held in millionths so sums are exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Money(u64);

impl Money {
    /// From millionths of a dollar.
    pub const fn from_micros(micros: u64) -> Money {
        Money(micros)
    }
    /// In millionths of a dollar.
    pub const fn micros(self) -> u64 {
        self.0
    }
    const fn times(self, n: u64) -> Money {
        Money(self.0 * n)
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money(0), |a, b| a + b)
    }
}

impl fmt::Display for Money {
    /// Dollars with two decimals, rounded half up.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cents = (self.0 + 5_000) / 10_000;
        write!(f, "${}.{:02}", cents / 100, cents % 100)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Dollars as a number with six decimals: exact for every value this crate produces.
        s.serialize_f64(self.0 as f64 / 1_000_000.0)
    }
}

/// One list price of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ListPrice {
    /// What is priced.
    pub item: &'static str,
    /// The price per unit, in millionths of a dollar.
    #[serde(skip)]
    pub price: Money,
    /// The unit (`key-month`, `attachment-hour`).
    pub unit: &'static str,
    /// The AWS pricing page it comes from.
    pub source: &'static str,
}

macro_rules! prices {
    ($( $name:ident = $item:literal, $micros:literal, $unit:literal, $source:literal; )*) => {
        $( #[doc = concat!($item, " (per ", $unit, ").")]
           pub const $name: ListPrice = ListPrice { item: $item, price: Money($micros), unit: $unit, source: $source }; )*
        /// The whole table, for display.
        pub const PRICE_TABLE: &[ListPrice] = &[$($name),*];
    };
}

prices! {
    KMS_KEY = "KMS customer managed key", 1_000_000, "key-month", "https://aws.amazon.com/kms/pricing/";
    TGW_ATTACHMENT = "Transit Gateway attachment", 50_000, "attachment-hour", "https://aws.amazon.com/transit-gateway/pricing/";
    NAT_GATEWAY = "NAT gateway", 45_000, "gateway-hour", "https://aws.amazon.com/vpc/pricing/";
    INTERFACE_ENDPOINT = "Interface VPC endpoint", 10_000, "endpoint-AZ-hour", "https://aws.amazon.com/privatelink/pricing/";
    HOSTED_ZONE = "Route 53 hosted zone (first 25)", 500_000, "zone-month", "https://aws.amazon.com/route53/pricing/";
    SECRET = "Secrets Manager secret", 400_000, "secret-month", "https://aws.amazon.com/secrets-manager/pricing/";
    DYNAMODB_WCU = "DynamoDB provisioned write capacity unit", 650, "WCU-hour", "https://aws.amazon.com/dynamodb/pricing/provisioned/";
    DYNAMODB_RCU = "DynamoDB provisioned read capacity unit", 130, "RCU-hour", "https://aws.amazon.com/dynamodb/pricing/provisioned/";
    DYNAMODB_STORAGE = "DynamoDB Standard table storage", 250_000, "GB-month", "https://aws.amazon.com/dynamodb/pricing/on-demand/";
    DYNAMODB_ON_DEMAND_WRITE = "DynamoDB on-demand write request units", 625_000, "million WRU", "https://aws.amazon.com/dynamodb/pricing/on-demand/";
    DYNAMODB_ON_DEMAND_READ = "DynamoDB on-demand read request units", 125_000, "million RRU", "https://aws.amazon.com/dynamodb/pricing/on-demand/";
    DYNAMODB_PITR = "DynamoDB point-in-time recovery", 200_000, "GB-month", "https://aws.amazon.com/dynamodb/pricing/on-demand/";
    S3_STANDARD_STORAGE = "S3 Standard storage (first 50 TB)", 23_000, "GB-month", "https://aws.amazon.com/s3/pricing/";
    S3_PUT_REQUESTS = "S3 PUT, COPY, POST, LIST requests", 5_000, "1,000 requests", "https://aws.amazon.com/s3/pricing/";
    S3_GET_REQUESTS = "S3 GET and other requests", 400, "1,000 requests", "https://aws.amazon.com/s3/pricing/";
    CLOUDTRAIL_EXTRA_COPY = "CloudTrail management events, additional copies (the first copy is free)", 20_000, "1,000 events ($2.00 per 100,000)", "https://aws.amazon.com/cloudtrail/pricing/";
    CONFIG_ITEM = "AWS Config configuration item recorded (continuous)", 3_000, "item", "https://aws.amazon.com/config/pricing/";
    CONFIG_RULE_EVALUATION = "AWS Config rule evaluation (first 100,000)", 1_000, "evaluation", "https://aws.amazon.com/config/pricing/";
    GUARDDUTY_EVENTS = "GuardDuty CloudTrail management event analysis (first 500 million)", 4_000_000, "million events", "https://aws.amazon.com/guardduty/pricing/";
}

/// The minimum usage assumed for resources billed only by use: 1 GB-month of storage, and
/// for S3 10,000 write and 100,000 read requests, for DynamoDB on-demand 100,000 write and
/// 100,000 read request units (a small Terraform-style state backend).
pub const ASSUMED_MINIMUM: &str = "1 GB-month stored; S3: 10,000 PUT + 100,000 GET requests; DynamoDB on-demand: 100,000 WRU + 100,000 RRU";

/// One line of an account's estimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CostLine {
    /// The CloudFormation type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// How many resources of that type.
    pub count: u64,
    /// Fixed monthly charge for all of them.
    pub fixed: Money,
    /// Assumed minimum usage charge for all of them.
    pub assumed_usage: Money,
    /// How it was computed.
    pub basis: String,
}

/// The estimate for one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountCost {
    /// The account: its 12-digit id, or `created by <path of the account resource>`.
    pub account: String,
    /// Lines, sorted by type.
    pub lines: Vec<CostLine>,
    /// Sum of fixed charges.
    pub fixed: Money,
    /// Sum of assumed minimum usage.
    pub assumed_usage: Money,
}

/// The estimate for an assembly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CostReport {
    /// [`PRICE_TABLE_DATE`].
    pub price_date: &'static str,
    /// Per account, in order of first appearance.
    pub accounts: Vec<AccountCost>,
    /// Sum of fixed charges.
    pub total_fixed: Money,
    /// Sum of assumed minimum usage.
    pub total_assumed_usage: Money,
    /// Resources present whose cost is usage-based and not counted, with their unit price.
    pub not_counted: Vec<String>,
    /// Types present that the price table does not know (neither priced, usage-billed nor
    /// free), with how many: their cost is not in the totals.
    pub unpriced: Vec<UnpricedType>,
}

/// A type the price table does not know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnpricedType {
    /// The CloudFormation type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// How many resources of it.
    pub count: u64,
}

/// Types with no charge of their own (what they do may be billed through another resource,
/// which is counted or noted there).
const NO_CHARGE: &[&str] = &[
    "AWS::Config::ConfigurationAggregator",
    "AWS::Config::DeliveryChannel",
    "AWS::EC2::Route",
    "AWS::EC2::RouteTable",
    "AWS::EC2::Subnet",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::TransitGatewayRoute",
    "AWS::EC2::TransitGatewayRouteTable",
    "AWS::EC2::TransitGatewayRouteTableAssociation",
    "AWS::EC2::TransitGatewayRouteTablePropagation",
    "AWS::EC2::VPC",
    "AWS::Events::EventBusPolicy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::OIDCProvider",
    "AWS::IAM::Policy",
    "AWS::IAM::Role",
    "AWS::KMS::Alias",
    "AWS::Organizations::Account",
    "AWS::Organizations::OrganizationalUnit",
    "AWS::Organizations::Policy",
    "AWS::RAM::ResourceShare",
    "AWS::S3::BucketPolicy",
];

/// Whether the table knows `type_name` at all (priced, noted as usage-billed, or free).
fn known(type_name: &str) -> bool {
    NO_CHARGE.contains(&type_name)
        // A custom resource's cost is its handler's (a Lambda function, noted).
        || type_name.starts_with("Custom::")
        || type_name == "AWS::CloudFormation::CustomResource"
}

fn monthly(price: ListPrice) -> Money {
    price.price.times(HOURS_PER_MONTH)
}

/// (fixed, assumed usage, basis) of one resource, or `None` when it has no line.
fn price_of(resource: &ResourceView<'_>) -> Option<(Money, Money, String)> {
    let zero = Money(0);
    Some(match resource.type_name {
        "AWS::KMS::Key" => (KMS_KEY.price, zero, "$1.00 per key-month".to_owned()),
        "AWS::EC2::TransitGatewayAttachment"
        | "AWS::EC2::TransitGatewayVpcAttachment"
        | "AWS::EC2::TransitGatewayPeeringAttachment" => (
            monthly(TGW_ATTACHMENT),
            zero,
            "$0.05 per attachment-hour x 730 h".to_owned(),
        ),
        "AWS::EC2::NatGateway" => (
            monthly(NAT_GATEWAY),
            zero,
            "$0.045 per hour x 730 h (data processing not counted)".to_owned(),
        ),
        "AWS::EC2::VPCEndpoint" => {
            let kind = resource.property("VpcEndpointType").and_then(Json::as_str);
            if kind != Some("Interface") {
                return None;
            }
            let azs = (as_list(resource.property("SubnetIds")).len() as u64).max(1);
            (
                monthly(INTERFACE_ENDPOINT).times(azs),
                zero,
                format!("$0.01 per endpoint-AZ-hour x {azs} AZ x 730 h"),
            )
        }
        "AWS::Route53::HostedZone" => (HOSTED_ZONE.price, zero, "$0.50 per zone-month".to_owned()),
        "AWS::SecretsManager::Secret" => (SECRET.price, zero, "$0.40 per secret-month".to_owned()),
        "AWS::DynamoDB::Table" => dynamodb(resource),
        "AWS::S3::Bucket" => {
            let usage = S3_STANDARD_STORAGE.price
                + S3_PUT_REQUESTS.price.times(10)
                + S3_GET_REQUESTS.price.times(100);
            (
                zero,
                usage,
                "assumed 1 GB Standard + 10k PUT + 100k GET".to_owned(),
            )
        }
        _ => return None,
    })
}

fn dynamodb(table: &ResourceView<'_>) -> (Money, Money, String) {
    let pitr = is_true(
        table
            .property("PointInTimeRecoverySpecification")
            .and_then(|p| p.get("PointInTimeRecoveryEnabled")),
    );
    let storage = DYNAMODB_STORAGE.price + if pitr { DYNAMODB_PITR.price } else { Money(0) };
    let pitr_note = if pitr { " + PITR 1 GB" } else { "" };
    let provisioned =
        table.property("BillingMode").and_then(Json::as_str) != Some("PAY_PER_REQUEST");
    let throughput = table.property("ProvisionedThroughput");
    let units = |field: &str| -> u64 {
        throughput
            .and_then(|t| t.get(field))
            .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
            .unwrap_or(0)
    };
    if provisioned && throughput.is_some() {
        let (r, w) = (units("ReadCapacityUnits"), units("WriteCapacityUnits"));
        let fixed = monthly(DYNAMODB_RCU).times(r) + monthly(DYNAMODB_WCU).times(w);
        (
            fixed,
            storage,
            format!("provisioned {r} RCU + {w} WCU x 730 h; assumed 1 GB stored{pitr_note}"),
        )
    } else {
        // 100,000 units = 0.1 million: a tenth of the per-million price.
        let requests = Money(DYNAMODB_ON_DEMAND_WRITE.price.0 / 10)
            + Money(DYNAMODB_ON_DEMAND_READ.price.0 / 10);
        (
            Money(0),
            storage + requests,
            format!("on-demand: assumed 1 GB stored + 100k WRU + 100k RRU{pitr_note}"),
        )
    }
}

fn usage_note(type_name: &str) -> Option<&'static str> {
    Some(match type_name {
        "AWS::CloudTrail::Trail" => "AWS::CloudTrail::Trail: first copy of management events free per account; additional trails $2.00 per 100,000 events",
        "AWS::Config::ConfigRule" => "AWS::Config::ConfigRule: $0.001 per rule evaluation (first 100,000 a month); no per-rule monthly fee",
        "AWS::Config::ConfigurationRecorder" => "AWS::Config::ConfigurationRecorder: $0.003 per configuration item recorded",
        "AWS::GuardDuty::Detector" => "AWS::GuardDuty::Detector: $4.00 per million CloudTrail management events and per-GB log analysis after a 30-day trial; no base fee",
        "AWS::EC2::TransitGateway" => "AWS::EC2::TransitGateway: no charge for the gateway itself; $0.02 per GB processed",
        "AWS::Logs::LogGroup" => "AWS::Logs::LogGroup: $0.50 per GB ingested and $0.03 per GB-month stored",
        "AWS::Lambda::Function" => "AWS::Lambda::Function: $0.20 per million requests plus duration (free tier: 1 million requests a month)",
        "AWS::EC2::FlowLog" => "AWS::EC2::FlowLog: billed as the log data it delivers (CloudWatch Logs vended logs, from $0.50 per GB)",
        "AWS::Events::EventBus" | "AWS::Events::Rule" => "AWS::Events::EventBus, AWS::Events::Rule: AWS service events are free; custom and cross-account events $1.00 per million",
        "AWS::Budgets::Budget" => "AWS::Budgets::Budget: the first two budgets of an account are free, then $0.02 per budget-day",
        _ => return None,
    })
}

/// Estimate the monthly cost of an assembly.
pub fn estimate(assembly: &Assembly) -> CostReport {
    let index = AssemblyIndex::new(assembly);
    let mut accounts: Vec<(String, BTreeMap<String, CostLine>)> = Vec::new();
    let mut notes = std::collections::BTreeSet::new();
    let mut unpriced: BTreeMap<String, u64> = BTreeMap::new();
    for resource in index.resources() {
        let account = index.account_label(resource.stack);
        let position = match accounts.iter().position(|(a, _)| *a == account) {
            Some(p) => p,
            None => {
                accounts.push((account, BTreeMap::new()));
                accounts.len() - 1
            }
        };
        if let Some(note) = usage_note(resource.type_name) {
            notes.insert(note.to_owned());
        }
        let noted = usage_note(resource.type_name).is_some();
        let Some((fixed, assumed, basis)) = price_of(resource) else {
            let priced_elsewhere = matches!(
                resource.type_name,
                "AWS::EC2::VPCEndpoint" | "AWS::DynamoDB::Table" | "AWS::S3::Bucket"
            );
            if !noted && !priced_elsewhere && !known(resource.type_name) {
                *unpriced.entry(resource.type_name.to_owned()).or_default() += 1;
            }
            continue;
        };
        let line = accounts[position]
            .1
            .entry(format!("{}|{basis}", resource.type_name))
            .or_insert_with(|| CostLine {
                type_name: resource.type_name.to_owned(),
                count: 0,
                fixed: Money(0),
                assumed_usage: Money(0),
                basis,
            });
        line.count += 1;
        line.fixed = line.fixed + fixed;
        line.assumed_usage = line.assumed_usage + assumed;
    }
    let accounts: Vec<AccountCost> = accounts
        .into_iter()
        .map(|(account, lines)| {
            let lines: Vec<CostLine> = lines.into_values().collect();
            AccountCost {
                fixed: lines.iter().map(|l| l.fixed).sum(),
                assumed_usage: lines.iter().map(|l| l.assumed_usage).sum(),
                account,
                lines,
            }
        })
        .collect();
    CostReport {
        price_date: PRICE_TABLE_DATE,
        total_fixed: accounts.iter().map(|a| a.fixed).sum(),
        total_assumed_usage: accounts.iter().map(|a| a.assumed_usage).sum(),
        accounts,
        not_counted: notes.into_iter().collect(),
        unpriced: unpriced
            .into_iter()
            .map(|(type_name, count)| UnpricedType { type_name, count })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_rounds_to_cents() {
        assert_eq!(Money(36_500_000).to_string(), "$36.50");
        assert_eq!(Money(94_900).to_string(), "$0.09");
        assert_eq!(Money(4_999).to_string(), "$0.00");
        assert_eq!(Money(5_000).to_string(), "$0.01");
    }

    #[test]
    fn a_type_the_table_does_not_know_is_listed_not_silently_free() {
        use landform_core::{App, Environment, Resource};
        let mut app = App::new();
        let stage = app.add_stage("Mgmt", Environment::new("111111111111", "us-east-1"));
        let stack = app.add_stack(stage, "Mixed");
        app.scope(stack)
            .add_resource("Topic", Resource::new("AWS::SNS::Topic"));
        app.scope(stack)
            .add_resource("Topic2", Resource::new("AWS::SNS::Topic"));
        app.scope(stack).add_resource(
            "Role",
            Resource::new("AWS::IAM::Role").property(
                "AssumeRolePolicyDocument",
                serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
            ),
        );
        app.scope(stack)
            .add_resource("Key", Resource::new("AWS::KMS::Key"));
        let report = estimate(&app.synth().unwrap());
        assert_eq!(
            report.unpriced,
            vec![UnpricedType {
                type_name: "AWS::SNS::Topic".into(),
                count: 2
            }]
        );
    }

    #[test]
    fn attachment_month_is_730_hours() {
        assert_eq!(monthly(TGW_ATTACHMENT), Money::from_micros(36_500_000));
        assert_eq!(monthly(NAT_GATEWAY), Money::from_micros(32_850_000));
    }
}
