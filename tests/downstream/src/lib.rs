//! Constructs of a downstream crate: types Landform's own constructs never emit, built the
//! way a user builds them (a type created under a scope with an id and a props struct),
//! checked against their registry schemas at synth and deployed by the in-memory cloud from
//! the schemas alone. They are built from the typed L1s of `landform::cfn` (the `sns` and
//! `ecr` features of landform-cfn, turned on in this crate's Cargo.toml).

use landform::cfn::ecr::{self, repository};
use landform::cfn::{kms, sns};
use landform::core::{App, Environment, RemovalPolicy, Resource, ResourceHandle, Scope};

/// What an [`EncryptedTopic`] is made of.
#[derive(Debug, Clone, Default)]
pub struct EncryptedTopicProps {
    /// The topic's name (create-only: a new name replaces the topic).
    pub topic_name: String,
    /// Shown in SMS and email subscriptions.
    pub display_name: Option<String>,
}

/// An SNS topic encrypted with a customer managed key of its own that rotates.
#[derive(Debug, Clone, Copy)]
pub struct EncryptedTopic {
    /// The topic (its `Ref` is the topic's ARN).
    pub topic: ResourceHandle,
    /// The key encrypting it.
    pub key: ResourceHandle,
}

impl EncryptedTopic {
    /// Add the key and the topic under `scope/id`.
    pub fn new(scope: &mut Scope<'_>, id: &str, props: EncryptedTopicProps) -> Self {
        let mut inner = scope.child(id, "EncryptedTopic");
        let key = inner.add_resource(
            "Key",
            Resource::from(
                kms::Key::default()
                    .enable_key_rotation(true)
                    .description(format!("{}: topic encryption", props.topic_name)),
            )
            .removal_policy(RemovalPolicy::Delete),
        );
        let mut topic = sns::Topic::default()
            .topic_name(props.topic_name.as_str())
            .kms_master_key_id(key.ref_value());
        if let Some(display) = &props.display_name {
            topic = topic.display_name(display.as_str());
        }
        let topic = inner.add_resource("Topic", topic);
        EncryptedTopic { topic, key }
    }
}

/// What an [`ImageRepository`] is made of.
#[derive(Debug, Clone, Default)]
pub struct ImageRepositoryProps {
    /// The repository's name.
    pub repository_name: String,
    /// Encrypt with KMS instead of AES-256 (create-only: changing it replaces the
    /// repository).
    pub kms: bool,
}

/// An ECR repository with immutable tags, scanned on push.
#[derive(Debug, Clone, Copy)]
pub struct ImageRepository {
    /// The repository.
    pub repository: ResourceHandle,
}

impl ImageRepository {
    /// Add the repository under `scope/id`.
    pub fn new(scope: &mut Scope<'_>, id: &str, props: ImageRepositoryProps) -> Self {
        let mut inner = scope.child(id, "ImageRepository");
        let encryption = if props.kms {
            repository::EncryptionType::Kms
        } else {
            repository::EncryptionType::Aes256
        };
        let repository = inner.add_resource(
            "Repository",
            ecr::Repository::default()
                .repository_name(props.repository_name.as_str())
                .image_tag_mutability(repository::ImageTagMutability::Immutable)
                .image_scanning_configuration(
                    repository::ImageScanningConfiguration::default().scan_on_push(true),
                )
                .encryption_configuration(
                    repository::EncryptionConfiguration::default().encryption_type(encryption),
                ),
        );
        ImageRepository { repository }
    }
}

/// The deployer's app: one stack in the management account with a topic and a repository.
/// `kms` chooses the repository's encryption (a create-only property).
pub fn app(kms: bool) -> App {
    let mut app = App::new();
    let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    let stack = app.add_stack(stage, "Delivery");
    let mut scope = app.scope(stack);
    let alerts = EncryptedTopic::new(
        &mut scope,
        "Alerts",
        EncryptedTopicProps {
            topic_name: "delivery-alerts".into(),
            display_name: Some("Delivery alerts".into()),
        },
    );
    let images = ImageRepository::new(
        &mut scope,
        "Images",
        ImageRepositoryProps {
            repository_name: "delivery/app".into(),
            kms,
        },
    );
    scope.add_output("AlertsTopicArn", alerts.topic.ref_value(), None);
    scope.add_output(
        "ImagesUri",
        images.repository.get_att("RepositoryUri"),
        None,
    );
    app
}
