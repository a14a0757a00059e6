//! Synthesis renders stacks on rayon's global pool. An app synthesised from a thread of that
//! pool (a caller synthesising several apps side by side) must not wait on work that needs
//! the very thread it blocks. A test binary of its own: the global pool is sized once per
//! process, here to one thread, the hardest case.

use std::sync::mpsc;
use std::time::Duration;

use landform_core::{App, Environment, Resource};

fn app(readers: usize) -> App {
    let mut app = App::new();
    let a = app.add_stage("A", Environment::new("111111111111", "us-east-1"));
    let b = app.add_stage("B", Environment::new("222222222222", "eu-west-1"));
    let producer = app.add_stack(a, "P");
    let bucket = app
        .scope(producer)
        .add_resource("Logs", Resource::new("AWS::S3::Bucket"));
    for n in 0..readers {
        let consumer = app.add_stack(b, &format!("C{n}"));
        app.scope(consumer).add_resource(
            "Reader",
            Resource::new("AWS::SNS::Topic").property("TopicName", bucket.ref_value()),
        );
    }
    app
}

#[test]
fn synthesis_from_a_thread_of_a_one_thread_global_pool_completes() {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global()
        .expect("the only test in this binary sizes the pool");
    let (done, finished) = mpsc::channel();
    rayon::spawn(move || {
        let from_pool = app(3).synth().map(|a| a.stacks().len());
        let side_by_side = rayon::join(
            || app(4).synth().map(|a| a.stacks().len()),
            || app(5).synth().map(|a| a.stacks().len()),
        );
        let _ = done.send((from_pool, side_by_side));
    });
    let (from_pool, (four, five)) = finished
        .recv_timeout(Duration::from_secs(60))
        .expect("synthesis from inside the pool finished");
    assert_eq!(from_pool.unwrap(), 4);
    assert_eq!(four.unwrap(), 5);
    assert_eq!(five.unwrap(), 6);
    // And from outside the pool, as usual.
    assert_eq!(app(2).synth().unwrap().stacks().len(), 3);
}
