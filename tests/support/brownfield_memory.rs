#![allow(dead_code)]
//! The organization of brownfield.json made in the in-memory cloud (a `cloud.json` in a
//! state directory, as `--provider memory` keeps it) through the provider calls any other
//! tool would make, and its inventory in the shape brownfield.py prints for moto.

use std::collections::BTreeMap;
use std::path::Path;

use landform::deploy::{InMemoryCloud, Inventory, OrganizationSeed, ResourceState};
use serde_json::{json, Value as Json};

const REGION: &str = "us-east-1";

fn spec() -> Json {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/brownfield.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn email(spec: &Json, name: &str) -> String {
    format!("aws+{name}@{}", spec["domain"].as_str().unwrap())
}

fn make(cloud: &InMemoryCloud, account: &str, type_name: &str, props: Json) -> ResourceState {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(cloud.make(account, REGION, type_name, props))
        .unwrap()
}

/// Build the organization in `dir/cloud.json`; the ids made, as brownfield.py prints them.
pub fn build(dir: &Path, management: &str, root: &str) -> Json {
    let spec = spec();
    let cloud = InMemoryCloud::persistent_with(
        dir.join("cloud.json"),
        &OrganizationSeed {
            management_account: management.into(),
            root_id: root.into(),
            members: Vec::new(),
        },
    )
    .unwrap();
    cloud.set_account_creation(1, 0);
    let mut ous: BTreeMap<String, String> = BTreeMap::new();
    for ou in spec["ous"].as_array().unwrap() {
        let parent = ou["parent"]
            .as_str()
            .map(|p| ous[p].clone())
            .unwrap_or_else(|| root.to_owned());
        let made = make(
            &cloud,
            management,
            "AWS::Organizations::OrganizationalUnit",
            json!({"Name": ou["name"], "ParentId": parent}),
        );
        ous.insert(ou["name"].as_str().unwrap().to_owned(), made.physical_id);
    }
    let mut accounts: BTreeMap<String, String> = BTreeMap::new();
    for a in spec["accounts"].as_array().unwrap() {
        let name = a["name"].as_str().unwrap();
        let made = make(
            &cloud,
            management,
            "AWS::Organizations::Account",
            json!({"AccountName": name, "Email": email(&spec, name),
                   "ParentIds": [ous[a["ou"].as_str().unwrap()]]}),
        );
        accounts.insert(name.to_owned(), made.physical_id);
    }
    let mut policies: BTreeMap<String, String> = BTreeMap::new();
    for p in spec["policies"].as_array().unwrap() {
        let targets: Vec<String> = p["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                t.as_str()
                    .map(|t| ous[t].clone())
                    .unwrap_or_else(|| root.to_owned())
            })
            .collect();
        let made = make(
            &cloud,
            management,
            "AWS::Organizations::Policy",
            json!({"Name": p["name"], "Type": "SERVICE_CONTROL_POLICY", "Description": "made by hand",
                   "Content": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": p["deny"], "Resource": "*"}]},
                   "TargetIds": targets}),
        );
        policies.insert(p["name"].as_str().unwrap().to_owned(), made.physical_id);
    }
    let trail_bucket = spec["trail"]["bucket"].as_str().unwrap();
    make(
        &cloud,
        management,
        "AWS::S3::Bucket",
        json!({"BucketName": trail_bucket}),
    );
    make(
        &cloud,
        management,
        "AWS::S3::BucketPolicy",
        json!({"Bucket": trail_bucket, "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Sid": "AclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:GetBucketAcl", "Resource": format!("arn:aws:s3:::{trail_bucket}")},
            {"Sid": "Write", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": format!("arn:aws:s3:::{trail_bucket}/AWSLogs/*")}]}}),
    );
    make(
        &cloud,
        management,
        "AWS::CloudTrail::Trail",
        json!({"TrailName": spec["trail"]["name"], "S3BucketName": trail_bucket,
               "IsMultiRegionTrail": true, "IsLogging": true}),
    );
    let state_bucket = spec["stateBucket"]
        .as_str()
        .unwrap()
        .replace("{management}", management);
    make(
        &cloud,
        management,
        "AWS::S3::Bucket",
        json!({"BucketName": state_bucket}),
    );
    let member = &spec["memberBucket"];
    make(
        &cloud,
        &accounts[member["account"].as_str().unwrap()],
        "AWS::S3::Bucket",
        json!({"BucketName": member["name"]}),
    );
    let detector = make(
        &cloud,
        &accounts[spec["detectorIn"].as_str().unwrap()],
        "AWS::GuardDuty::Detector",
        json!({"Enable": true}),
    );
    cloud.compact().unwrap();
    json!({"ous": ous, "accounts": accounts, "policies": policies,
           "detector": detector.physical_id, "stateBucket": state_bucket,
           "trailBucket": trail_bucket})
}

/// What `dir/cloud.json` holds, by name, as brownfield.py's `inventory` prints it.
pub fn inventory(dir: &Path, management: &str, root: &str) -> Json {
    let cloud = InMemoryCloud::persistent(dir.join("cloud.json")).unwrap();
    let inv: Inventory = cloud.inventory();
    let of = |t: &'static str| inv.resources.iter().filter(move |r| r.type_name == t);
    // OU paths, parents before children whatever the order.
    let mut paths: BTreeMap<String, String> = BTreeMap::from([(root.to_owned(), String::new())]);
    let units: Vec<_> = of("AWS::Organizations::OrganizationalUnit").collect();
    while paths.len() <= units.len() {
        let before = paths.len();
        for ou in &units {
            let parent = ou.properties["ParentId"].as_str().unwrap_or_default();
            if let (Some(p), false) = (
                paths.get(parent).cloned(),
                paths.contains_key(&ou.physical_id),
            ) {
                let name = ou.properties["Name"].as_str().unwrap_or_default();
                paths.insert(ou.physical_id.clone(), format!("{p}/{name}"));
            }
        }
        if paths.len() == before {
            break;
        }
    }
    let mut ous: Vec<String> = paths.values().filter(|p| !p.is_empty()).cloned().collect();
    ous.sort();
    let email_of = |id: &str| -> Option<String> {
        if id == management {
            return Some("(management)".into());
        }
        inv.accounts
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.email.clone())
    };
    let mut accounts = serde_json::Map::new();
    for a in &inv.accounts {
        let email = email_of(&a.id).unwrap();
        let ou = paths
            .get(&a.parent_id)
            .cloned()
            .unwrap_or(a.parent_id.clone());
        accounts.insert(email, json!({"ou": ou, "status": "ACTIVE"}));
    }
    let mut policies = serde_json::Map::new();
    for p in of("AWS::Organizations::Policy") {
        let mut targets: Vec<String> = p.properties["TargetIds"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .map(|t| {
                paths
                    .get(t)
                    .cloned()
                    .or_else(|| email_of(t))
                    .unwrap_or_else(|| t.to_owned())
            })
            .collect();
        targets.sort();
        let name = p.properties["Name"].as_str().unwrap_or_default().to_owned();
        policies.insert(name, json!(targets));
    }
    let mut per_account = serde_json::Map::new();
    for a in &inv.accounts {
        // Buckets are global; detectors and trails are the region's.
        let mine = |t: &'static str| {
            of(t).filter(move |r| {
                r.account == a.id && (r.region == REGION || t == "AWS::S3::Bucket")
            })
        };
        let names = |t: &'static str| {
            let mut v: Vec<String> = mine(t).filter_map(|r| r.name.clone()).collect();
            v.sort();
            v
        };
        per_account.insert(
            email_of(&a.id).unwrap(),
            json!({"detectors": mine("AWS::GuardDuty::Detector").count(),
                   "trails": names("AWS::CloudTrail::Trail"),
                   "buckets": names("AWS::S3::Bucket")}),
        );
    }
    json!({"ous": ous, "accounts": accounts, "policies": policies, "perAccount": per_account})
}
