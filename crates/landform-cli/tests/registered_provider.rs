//! A deployer's own handler, registered through `Deployer::provider`, handles its type in
//! `deploy`, `diff` and `destroy` (behind the engine's layers), and nothing else reaches it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use landform_cli::{Deployer, Exit};
use landform_core::{App, Environment, Resource};
use landform_deploy::{
    CreateRequest, InMemoryCloud, Provider, ProviderError, ResourceState, Session, UpdateRequest,
};
use serde_json::Value as Json;

/// A handler of the deployer's own: counts its calls and keeps its topics in a cloud of its
/// own (it stands in for one talking to a service).
struct Topics {
    inner: InMemoryCloud,
    creates: AtomicUsize,
    reads: AtomicUsize,
    deletes: AtomicUsize,
}

#[async_trait]
impl Provider for Topics {
    async fn create(&self, s: &Session, r: &CreateRequest) -> Result<ResourceState, ProviderError> {
        self.creates.fetch_add(1, Ordering::SeqCst);
        self.inner.create(s, r).await
    }
    async fn read(
        &self,
        s: &Session,
        t: &str,
        id: &str,
        p: &Json,
    ) -> Result<ResourceState, ProviderError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.read(s, t, id, p).await
    }
    async fn update(&self, s: &Session, r: &UpdateRequest) -> Result<ResourceState, ProviderError> {
        self.inner.update(s, r).await
    }
    async fn delete(&self, s: &Session, t: &str, id: &str, p: &Json) -> Result<(), ProviderError> {
        self.deletes.fetch_add(1, Ordering::SeqCst);
        self.inner.delete(s, t, id, p).await
    }
    async fn find(
        &self,
        s: &Session,
        r: &CreateRequest,
    ) -> Result<Option<ResourceState>, ProviderError> {
        self.inner.find(s, r).await
    }
}

fn app() -> App {
    let mut app = App::new();
    let stage = app.add_stage(
        "Management",
        Environment::new(InMemoryCloud::MANAGEMENT_ACCOUNT, "us-east-1"),
    );
    let stack = app.add_stack(stage, "Alerts");
    app.scope(stack).add_resource(
        "Topic",
        Resource::new("AWS::SNS::Topic").property("TopicName", "alerts"),
    );
    app.scope(stack)
        .add_resource("Queue", Resource::new("AWS::SQS::Queue"));
    app
}

#[test]
fn a_registered_handler_takes_its_type_over_in_every_verb() {
    let dir = tempfile::tempdir().unwrap();
    let topics = Arc::new(Topics {
        inner: InMemoryCloud::new(),
        creates: AtomicUsize::new(0),
        reads: AtomicUsize::new(0),
        deletes: AtomicUsize::new(0),
    });
    let run = |verb: &[&str]| {
        let state_dir = dir.path().to_str().unwrap().to_owned();
        let args = ["deployer"]
            .into_iter()
            .chain(verb.iter().copied())
            .chain(["--state-dir", state_dir.as_str()]);
        Deployer::new(app())
            .provider("AWS::SNS::Topic", topics.clone())
            .execute(args.map(str::to_owned).collect::<Vec<_>>())
    };
    assert_eq!(run(&["deploy"]), Exit::Success);
    // The topic went to the handler, the queue to the in-memory cloud.
    assert_eq!(topics.creates.load(Ordering::SeqCst), 1);
    assert_eq!(topics.inner.inventory().resources.len(), 1);
    assert_eq!(
        topics.inner.inventory().resources[0].type_name,
        "AWS::SNS::Topic"
    );
    let reads = topics.reads.load(Ordering::SeqCst);
    assert!(reads >= 1, "the deploy verifies by reading back");
    assert_eq!(run(&["diff"]), Exit::Success);
    assert!(
        topics.reads.load(Ordering::SeqCst) > reads,
        "diff reads it back"
    );
    assert_eq!(
        topics.creates.load(Ordering::SeqCst),
        1,
        "nothing created twice"
    );
    assert_eq!(run(&["destroy", "--yes"]), Exit::Success);
    assert_eq!(topics.deletes.load(Ordering::SeqCst), 1);
    assert!(topics.inner.inventory().resources.is_empty());
}
