//! Unit tests of resource shares against a mocked [`RamApi`] (moto lacks
//! AssociateResourceShare, DisassociateResourceShare and share tags).

use std::sync::Arc;

use mockall::predicate::eq;
use serde_json::json;

use super::*;
use crate::api::MockRamApi;
use crate::provider::ec2::tests::Mocks;

const ARN: &str = "arn:aws:ram:us-east-1:111111111111:resource-share/1";

fn clients(ram: MockRamApi) -> Mocks {
    Mocks {
        ec2_in: vec![],
        ec2: None,
        ram: Some(Arc::new(ram)),
    }
}

fn share(arn: &str, status: &str, key: Option<&str>) -> ResourceShareInfo {
    ResourceShareInfo {
        arn: arn.into(),
        name: "hub".into(),
        status: status.into(),
        allow_external_principals: false,
        tags: key
            .map(|k| vec![(IDEMPOTENCY_TAG.to_owned(), k.to_owned())])
            .unwrap_or_default(),
    }
}

fn request() -> CreateRequest {
    CreateRequest {
        type_name: SHARE.into(),
        stack: "Net".into(),
        logical_id: "Share".into(),
        properties: json!({"Name": "hub", "AllowExternalPrincipals": false, "Principals": ["222222222222"], "ResourceArns": ["arn:tgw"]}),
        physical_name: "Net-Share".into(),
        idempotency_key: "Net/Share".into(),
    }
}

#[tokio::test]
async fn changed_principals_and_resources_are_associated_and_disassociated() {
    let mut ram = MockRamApi::new();
    ram.expect_get_resource_shares()
        .returning(|_, _| Ok(vec![share(ARN, "ACTIVE", None)]));
    ram.expect_disassociate_resource_share()
        .withf(|arn, resources, principals| {
            arn == ARN && resources.is_empty() && principals == &["222222222222".to_owned()]
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    ram.expect_associate_resource_share()
        .withf(|arn, resources, principals| {
            arn == ARN
                && resources == &["arn:tgw2".to_owned()]
                && principals == &["333333333333".to_owned()]
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    ram.expect_update_resource_share().never();
    let before = request().properties;
    let after = json!({"Name": "hub", "AllowExternalPrincipals": false, "Principals": ["333333333333"], "ResourceArns": ["arn:tgw", "arn:tgw2"]});
    let state = Ram
        .update(
            &clients(ram),
            &Session::new("111111111111", "us-east-1"),
            &UpdateRequest {
                type_name: SHARE.into(),
                physical_id: ARN.into(),
                previous: before,
                properties: after.clone(),
            },
        )
        .await
        .unwrap();
    assert_eq!(state.properties, after);
}

#[tokio::test]
async fn find_prefers_the_share_tagged_with_the_key_and_skips_deleted_ones() {
    let mut ram = MockRamApi::new();
    let other = "arn:aws:ram:us-east-1:111111111111:resource-share/other";
    let deleted = "arn:aws:ram:us-east-1:111111111111:resource-share/deleted";
    ram.expect_get_resource_shares()
        .with(eq(vec![]), eq(Some("hub".to_owned())))
        .times(1)
        .returning(move |_, _| {
            Ok(vec![
                share(deleted, "DELETED", Some("Net/Share")),
                share(other, "ACTIVE", Some("Other/Share")),
                share(ARN, "ACTIVE", Some("Net/Share")),
            ])
        });
    ram.expect_get_resource_shares()
        .with(eq(vec![ARN.to_owned()]), eq(None))
        .returning(|_, _| Ok(vec![share(ARN, "ACTIVE", Some("Net/Share"))]));
    ram.expect_resource_share_associations()
        .with(eq(ARN), eq(ShareAssociation::Principal))
        .returning(|_, _| {
            Ok(vec![
                ("222222222222".into(), "ASSOCIATED".into()),
                ("444444444444".into(), "DISASSOCIATED".into()),
            ])
        });
    ram.expect_resource_share_associations()
        .with(eq(ARN), eq(ShareAssociation::Resource))
        .returning(|_, _| Ok(vec![("arn:tgw".into(), "ASSOCIATED".into())]));
    ram.expect_create_resource_share().never();
    let found = Ram
        .find(
            &clients(ram),
            &Session::new("111111111111", "us-east-1"),
            &request(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.physical_id, ARN);
    assert_eq!(found.properties, request().properties);
}

#[tokio::test]
async fn a_deleted_share_is_not_found_and_not_deleted_again() {
    let mut ram = MockRamApi::new();
    ram.expect_get_resource_shares()
        .returning(|_, _| Ok(vec![share(ARN, "DELETED", None)]));
    ram.expect_delete_resource_share().never();
    let c = clients(ram);
    let session = Session::new("111111111111", "us-east-1");
    let err = Ram
        .delete(&c, &session, SHARE, ARN, &json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    let err = Ram
        .read(&c, &session, SHARE, ARN, &json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
}
