//! What the examples share: printing a workflow's ASL and running it, and the check each
//! example's test makes (valid ASL; the native run and the emitted ASL's run agree).

pub mod tools;

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use stepfn::exec::{ExecutionOptions, Executor};
use stepfn::{VirtualClock, Workflow};

/// Options for a run on the virtual clock, so Wait states and retries take no real time.
pub fn virtual_time() -> ExecutionOptions {
    ExecutionOptions::new().with_clock(Arc::new(VirtualClock::starting_at(1_767_225_600_000)))
}

/// Prints the workflow's ASL, runs it natively on `input` and prints the output (`--asl`: the
/// ASL only).
pub async fn show<W: Workflow>(input: W::Input)
where
    W::Output: Serialize,
{
    show_with::<W>(input, virtual_time).await
}

/// [`show`] with the options `options` makes. With `--asl` on the command line, prints the
/// ASL only, ready to save as a file.
pub async fn show_with<W: Workflow>(input: W::Input, options: fn() -> ExecutionOptions)
where
    W::Output: Serialize,
{
    println!("{}", W::asl_json());
    if std::env::args().any(|a| a == "--asl") {
        return;
    }
    match W::run_with(input, options()).await {
        Ok(output) => println!(
            "{}",
            serde_json::to_string_pretty(&output).unwrap_or_default()
        ),
        Err(e) => println!("{e}"),
    }
}

/// The examples' test: the ASL passes the validator, and running it natively gives what
/// running the emitted ASL text with the same task handlers gives. Returns the output.
pub async fn check<W: Workflow>(input: W::Input) -> Result<W::Output, stepfn::WorkflowError>
where
    W::Input: Clone,
    W::Output: Serialize + DeserializeOwned,
{
    check_with::<W>(input, virtual_time).await
}

/// [`check`] with the options `options` makes (both runs get the same).
pub async fn check_with<W: Workflow>(
    input: W::Input,
    options: fn() -> ExecutionOptions,
) -> Result<W::Output, stepfn::WorkflowError>
where
    W::Input: Clone,
    W::Output: Serialize + DeserializeOwned,
{
    let problems = stepfn::validate(W::definition(), &Default::default());
    assert!(problems.is_empty(), "invalid ASL: {problems:?}");
    let json_input = serde_json::to_value(input.clone()).expect("the input serialises");
    let native = W::run_with(input, options()).await;
    let machine = stepfn::check(&W::asl_json(), &Default::default()).expect("the ASL re-reads");
    let emitted = Executor::new(machine)
        .run(json_input, options().with_tasks(W::tasks()))
        .await;
    match &native {
        Ok(_) => assert_eq!(emitted.status, stepfn::ExecutionStatus::Succeeded),
        Err(stepfn::WorkflowError::Failed { error, cause, .. }) => {
            assert_eq!(&emitted.error, error);
            assert_eq!(&emitted.cause, cause);
        }
        Err(other) => panic!("{other}"),
    }
    if let (Ok(_), Some(output)) = (&native, emitted.output) {
        let typed: W::Output = serde_json::from_value(output).expect("the output deserialises");
        let again = serde_json::to_value(&typed).ok();
        assert_eq!(
            again,
            native
                .as_ref()
                .ok()
                .and_then(|n| serde_json::to_value(n).ok())
        );
    }
    native
}
