//! The committed landform-cfn is exactly what the generator writes from the vendored schemas:
//! a schema refresh (scripts/vendor_cfn_schemas.py) or a generator change without
//! `cargo run -p landform-cfn-gen` fails here, naming the files.

use std::path::Path;

#[test]
fn committed_builders_match_the_generator() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../landform-cfn");
    let stale = landform_cfn_gen::sync(&crate_dir, false).expect("read landform-cfn");
    assert!(
        stale.is_empty(),
        "out of date (run `cargo run -p landform-cfn-gen`): {stale:?}"
    );
}

#[test]
fn every_schema_type_gets_a_builder_in_its_service_module() {
    let generated = landform_cfn_gen::generate();
    let mut missing = Vec::new();
    for type_name in landform_core::schema::type_names() {
        let service = landform_cfn_gen::service_of(type_name).expect("three-part type name");
        let short = type_name.rsplit("::").next().unwrap();
        let file = format!("src/services/{}.rs", service.module);
        let (_, code) = generated
            .files
            .iter()
            .find(|(path, _)| *path == file)
            .expect("service file");
        let wanted = format!("pub const TYPE_NAME: &'static str = \"{type_name}\";");
        if !code.contains(&wanted) || !code.contains(&format!("cargo feature `{}`", service.module))
        {
            missing.push((type_name, short));
        }
        assert!(generated
            .features
            .contains(&format!("\n{} = []\n", service.module)));
    }
    assert!(missing.is_empty(), "types without a builder: {missing:?}");
}
