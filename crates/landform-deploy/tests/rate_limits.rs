//! The rate-limit layer in virtual time: request rates per service, kind and account as
//! token buckets, writes serialised where AWS requires it.

use std::sync::Arc;
use std::time::Duration;

use landform_deploy::{
    CallKind, InMemoryCloud, Provider, RateLimit, RateLimits, RequestRate, Session, TokioClock,
};
use serde_json::json;

fn limited(limits: &RateLimits) -> (InMemoryCloud, RateLimit) {
    let cloud = InMemoryCloud::new();
    let layer =
        RateLimit::with_limits(Arc::new(cloud.clone()), limits, Arc::new(TokioClock::new()));
    (cloud, layer)
}

async fn reads(layer: &RateLimit, session: &Session, n: usize) {
    for _ in 0..n {
        // The bucket does not exist: a NotFound answer still counts as a request.
        let _ = layer
            .read(session, "AWS::EC2::VPC", "vpc-0", &json!({}))
            .await;
    }
}

#[tokio::test(start_paused = true)]
async fn reads_past_the_burst_wait_for_the_refill() {
    let limits = RateLimits::none().with_rate("EC2", CallKind::Read, RequestRate::new(10, 5));
    let (cloud, layer) = limited(&limits);
    let session = Session::new(InMemoryCloud::MANAGEMENT_ACCOUNT, "us-east-1");
    let start = tokio::time::Instant::now();
    // 5 at once from the full bucket, then 10 a second: 25 more take 2.5 s.
    reads(&layer, &session, 30).await;
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(2400) && took < Duration::from_millis(2700),
        "{took:?}"
    );
    assert_eq!(cloud.calls(), 30, "every call is made, none refused");
}

#[tokio::test(start_paused = true)]
async fn each_account_and_region_has_its_own_bucket() {
    let limits = RateLimits::none().with_rate("EC2", CallKind::Read, RequestRate::new(1, 5));
    let (_cloud, layer) = limited(&limits);
    let start = tokio::time::Instant::now();
    for region in ["us-east-1", "eu-west-1"] {
        for account in ["111111111111", "222222222222"] {
            reads(&layer, &Session::new(account, region), 5).await;
        }
    }
    // Four buckets, each within its burst: no wait at all.
    assert_eq!(start.elapsed(), Duration::ZERO);
    // A sixth read in one of them waits a second.
    reads(&layer, &Session::new("111111111111", "us-east-1"), 1).await;
    assert_eq!(start.elapsed(), Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn a_type_and_operation_rate_applies_on_top_of_the_service_rate() {
    let limits = RateLimits::none()
        .with_rate("EC2", CallKind::Read, RequestRate::new(100, 100))
        .with_type_rate("AWS::EC2::VPC", "read", RequestRate::new(2, 1));
    let (_cloud, layer) = limited(&limits);
    let session = Session::new(InMemoryCloud::MANAGEMENT_ACCOUNT, "us-east-1");
    let start = tokio::time::Instant::now();
    reads(&layer, &session, 5).await;
    // One from the burst, then two a second.
    assert_eq!(start.elapsed(), Duration::from_secs(2));
    // Writes are not read calls: another service kind is unlimited.
    assert_eq!(limits.rate("EC2", CallKind::Write), None);
}

#[test]
fn the_defaults_name_ec2_s_documented_buckets_and_serialise_organizations_writes() {
    let d = RateLimits::aws_defaults();
    assert_eq!(
        d.rate("EC2", CallKind::Read),
        Some(RequestRate::new(20, 100))
    );
    assert_eq!(
        d.rate("EC2", CallKind::Write),
        Some(RequestRate::new(5, 200))
    );
    assert_eq!(d.concurrent_writes(), vec![("Organizations", 1)]);
    assert!(d.rate("IAM", CallKind::Write).is_some());
    assert_eq!(RateLimits::in_memory().rate("EC2", CallKind::Read), None);
}
