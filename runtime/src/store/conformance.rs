//! The behaviour every [`Store`] must have, checked on each one by its own tests.

use serde_json::{json, Value};

use super::*;

fn arn(name: &str) -> String {
    format!("arn:aws:states:us-east-1:123456789012:execution:M:{name}")
}

const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:M";

fn events(ids: std::ops::RangeInclusive<u64>) -> Vec<Value> {
    ids.map(|id| json!({"id": id, "type": "PassStateEntered", "previousEventId": id - 1}))
        .collect()
}

fn all_executions(store: &dyn Store, query: ExecutionQuery) -> Vec<String> {
    let mut query = query;
    let mut names = Vec::new();
    loop {
        let page = store.executions(&query).unwrap();
        names.extend(page.items.into_iter().map(|r| r.name));
        match page.next_token {
            Some(token) => query.next_token = Some(token),
            None => return names,
        }
    }
}

fn all_events(store: &dyn Store, execution_arn: &str, reverse: bool, size: usize) -> Vec<u64> {
    let mut query = HistoryQuery {
        reverse_order: reverse,
        max_results: size,
        next_token: None,
    };
    let mut ids = Vec::new();
    loop {
        let page = store.history(execution_arn, &query).unwrap();
        assert!(page.items.len() <= size);
        ids.extend(page.items.iter().map(event_id));
        match page.next_token {
            Some(token) => query.next_token = Some(token),
            None => return ids,
        }
    }
}

pub(crate) fn check_store(store: &dyn Store) {
    // Names are unique per state machine, not across them.
    let first = ExecutionRecord::started(arn("a"), MACHINE, "a", "{\"n\":1}", 1_000);
    store.insert_execution(&first, None).unwrap();
    assert_eq!(store.execution(&arn("a")).unwrap(), Some(first.clone()));
    assert_eq!(
        store.execution_named(MACHINE, "a").unwrap(),
        Some(first.clone())
    );
    assert!(store.execution_named(MACHINE, "b").unwrap().is_none());
    assert!(matches!(
        store.insert_execution(
            &ExecutionRecord::started("other-arn", MACHINE, "a", "{}", 2),
            None
        ),
        Err(StoreError::ExecutionAlreadyExists(_))
    ));
    let elsewhere = ExecutionRecord::started("arn:other:a", "arn:other", "a", "{}", 3);
    store.insert_execution(&elsewhere, None).unwrap();

    // A transition is all or nothing; event ids continue the history, rising.
    store
        .commit(
            &arn("a"),
            Transition {
                events: &events(1..=3),
                checkpoint: Some("one"),
                status: None,
            },
        )
        .unwrap();
    let backwards = store.commit(
        &arn("a"),
        Transition {
            events: &[events(4..=4), events(6..=6), events(5..=5)].concat(),
            checkpoint: Some("two"),
            status: None,
        },
    );
    assert!(matches!(
        backwards,
        Err(StoreError::EventOutOfOrder {
            expected: 7,
            given: 5,
            ..
        })
    ));
    let repeat = store.commit(
        &arn("a"),
        Transition {
            events: &events(3..=3),
            checkpoint: None,
            status: None,
        },
    );
    assert!(matches!(repeat, Err(StoreError::EventOutOfOrder { .. })));
    assert_eq!(store.checkpoint(&arn("a")).unwrap().as_deref(), Some("one"));
    assert_eq!(all_events(store, &arn("a"), false, 100), vec![1, 2, 3]);
    assert!(matches!(
        store.commit("arn:nope", Transition::default()),
        Err(StoreError::ExecutionDoesNotExist(_))
    ));

    // Paging through the history, both ways, in pages that do not divide it evenly.
    store
        .commit(
            &arn("a"),
            Transition {
                // AWS's numbering skips ids it gives to events it never shows.
                events: &[events(4..=12), events(14..=26)].concat(),
                checkpoint: None,
                status: None,
            },
        )
        .unwrap();
    assert_eq!(store.checkpoint(&arn("a")).unwrap().as_deref(), Some("one"));
    let numbered: Vec<u64> = (1..=12).chain(14..=26).collect();
    assert_eq!(all_events(store, &arn("a"), false, 10), numbered);
    assert_eq!(
        all_events(store, &arn("a"), true, 10),
        numbered.iter().rev().copied().collect::<Vec<_>>()
    );
    // Pages of 12 end and start on either side of the skipped id.
    assert_eq!(all_events(store, &arn("a"), false, 12), numbered);
    assert_eq!(all_events(store, &arn("a"), true, 25).len(), 25);
    assert!(matches!(
        store.history(
            &arn("a"),
            &HistoryQuery {
                next_token: Some("e3".into()),
                ..Default::default()
            }
        ),
        Err(StoreError::InvalidToken(_))
    ));
    assert!(matches!(
        store.history("arn:nope", &HistoryQuery::default()),
        Err(StoreError::ExecutionDoesNotExist(_))
    ));

    // Ending, and running again after a redrive.
    let failed = StatusChange {
        status: RunStatus::Failed,
        output: None,
        error: Some("States.TaskFailed".into()),
        cause: Some("boom".into()),
        stop_millis: Some(5_000),
        redriven: false,
    };
    store
        .commit(
            &arn("a"),
            Transition {
                events: &events(27..=27),
                checkpoint: None,
                status: Some(&failed),
            },
        )
        .unwrap();
    let record = store.execution(&arn("a")).unwrap().unwrap();
    assert_eq!(record.status, RunStatus::Failed);
    assert_eq!(record.error.as_deref(), Some("States.TaskFailed"));
    assert_eq!(record.stop_millis, Some(5_000));
    assert_eq!(
        store
            .running()
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect::<Vec<_>>(),
        vec!["a"]
    );
    let redrive = StatusChange {
        status: RunStatus::Running,
        output: None,
        error: None,
        cause: None,
        stop_millis: None,
        redriven: true,
    };
    store
        .commit(
            &arn("a"),
            Transition {
                events: &[],
                checkpoint: None,
                status: Some(&redrive),
            },
        )
        .unwrap();
    let record = store.execution(&arn("a")).unwrap().unwrap();
    assert_eq!(
        (record.status, record.redrive_count),
        (RunStatus::Running, 1)
    );
    assert_eq!(record.error, None);

    // Listing: newest first, filtered, paged; an execution started while paging does not
    // make a page repeat an item.
    for i in 0..230 {
        let name = format!("x{i:03}");
        store
            .insert_execution(
                &ExecutionRecord::started(arn(&name), MACHINE, &name, "{}", 10_000 + i),
                None,
            )
            .unwrap();
    }
    let succeeded = StatusChange {
        status: RunStatus::Succeeded,
        output: Some("{}".into()),
        error: None,
        cause: None,
        stop_millis: Some(20_000),
        redriven: false,
    };
    for i in (0..230).step_by(7) {
        store
            .commit(
                &arn(&format!("x{i:03}")),
                Transition {
                    events: &[],
                    checkpoint: None,
                    status: Some(&succeeded),
                },
            )
            .unwrap();
    }
    let mine = ExecutionQuery {
        state_machine_arn: Some(MACHINE.into()),
        max_results: 40,
        ..Default::default()
    };
    let listed = all_executions(store, mine.clone());
    let mut expected: Vec<String> = (0..230).rev().map(|i| format!("x{i:03}")).collect();
    expected.push("a".into());
    assert_eq!(listed, expected);
    let first_page = store.executions(&mine).unwrap();
    store
        .insert_execution(
            &ExecutionRecord::started(arn("late"), MACHINE, "late", "{}", 99_999),
            None,
        )
        .unwrap();
    let second_page = store
        .executions(&ExecutionQuery {
            next_token: first_page.next_token.clone(),
            ..mine.clone()
        })
        .unwrap();
    assert_eq!(second_page.items[0].name, "x189");
    let done = all_executions(
        store,
        ExecutionQuery {
            status: Some(RunStatus::Succeeded),
            ..mine.clone()
        },
    );
    assert_eq!(done.len(), 33);
    assert!(done.iter().all(|n| n.starts_with('x')));
    assert_eq!(all_executions(store, ExecutionQuery::default()).len(), 233);
    assert_eq!(
        store
            .executions(&ExecutionQuery::default())
            .unwrap()
            .items
            .len(),
        DEFAULT_PAGE
    );
    assert!(matches!(
        store.executions(&ExecutionQuery {
            next_token: Some("garbage".into()),
            ..Default::default()
        }),
        Err(StoreError::InvalidToken(_))
    ));

    // A batch: each transition all or nothing, the refused one leaving no trace.
    store
        .insert_execution(
            &ExecutionRecord::started(arn("b1"), MACHINE, "b1", "{}", 1),
            Some("begun"),
        )
        .unwrap();
    assert_eq!(
        store.checkpoint(&arn("b1")).unwrap().as_deref(),
        Some("begun")
    );
    let two = events(1..=2);
    let backwards = [events(2..=2), events(1..=1)].concat();
    let results = store.commit_batch(&[
        (
            arn("b1").as_str(),
            Transition {
                events: &two,
                checkpoint: Some("after two"),
                status: None,
            },
        ),
        (
            "arn:nope",
            Transition {
                events: &two,
                checkpoint: None,
                status: None,
            },
        ),
        (
            arn("late").as_str(),
            Transition {
                events: &backwards,
                checkpoint: Some("never"),
                status: Some(&succeeded),
            },
        ),
    ]);
    assert!(results[0].is_ok());
    assert!(matches!(
        results[1],
        Err(StoreError::ExecutionDoesNotExist(_))
    ));
    assert!(matches!(
        results[2],
        Err(StoreError::EventOutOfOrder { .. })
    ));
    assert_eq!(all_events(store, &arn("b1"), false, 100), vec![1, 2]);
    assert_eq!(
        store.checkpoint(&arn("b1")).unwrap().as_deref(),
        Some("after two")
    );
    assert_eq!(store.checkpoint(&arn("late")).unwrap(), None);
    assert_eq!(
        store.execution(&arn("late")).unwrap().unwrap().status,
        RunStatus::Running
    );

    // Activities: recorded once, listed oldest first, forgotten on delete.
    let activity = |name: &str, at| ActivityRecord {
        arn: format!("arn:aws:states:us-east-1:1:activity:{name}"),
        name: name.into(),
        created_millis: at,
    };
    store.put_activity(&activity("one", 1)).unwrap();
    store.put_activity(&activity("two", 2)).unwrap();
    store.put_activity(&activity("one", 3)).unwrap();
    assert_eq!(
        store.activities().unwrap(),
        vec![activity("one", 1), activity("two", 2)]
    );
    assert!(store.delete_activity(&activity("one", 1).arn).unwrap());
    assert!(!store.delete_activity(&activity("one", 1).arn).unwrap());
    assert_eq!(store.activities().unwrap(), vec![activity("two", 2)]);

    // State machines: replaced in place (keeping creation and order), forgotten on delete.
    let machine = |name: &str, at, document: &str| StateMachineRecord {
        arn: format!("arn:aws:states:us-east-1:1:stateMachine:{name}"),
        name: name.into(),
        created_millis: at,
        document: document.into(),
    };
    store.put_state_machine(&machine("m1", 1, "{}")).unwrap();
    store.put_state_machine(&machine("m2", 2, "{}")).unwrap();
    store
        .put_state_machine(&machine("m1", 1, r#"{"v":2}"#))
        .unwrap();
    assert_eq!(
        store.state_machines().unwrap(),
        vec![machine("m1", 1, r#"{"v":2}"#), machine("m2", 2, "{}")]
    );
    assert!(store
        .delete_state_machine(&machine("m1", 1, "").arn)
        .unwrap());
    assert!(!store
        .delete_state_machine(&machine("m1", 1, "").arn)
        .unwrap());
    assert_eq!(store.state_machines().unwrap().len(), 1);

    // Tags: replaced as a whole, none once emptied.
    let tags = vec![
        ("team".to_string(), "a".to_string()),
        ("env".into(), "dev".into()),
    ];
    store.put_tags("arn:x", &tags).unwrap();
    assert_eq!(store.tags("arn:x").unwrap(), tags);
    assert!(store.tags("arn:y").unwrap().is_empty());
    store.put_tags("arn:x", &[]).unwrap();
    assert!(store.tags("arn:x").unwrap().is_empty());
}
