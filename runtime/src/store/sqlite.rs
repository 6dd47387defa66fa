//! [`SqliteStore`]: executions in an embedded SQLite database file.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::Value;

use super::memory::{paged_events, paged_executions, read_token};
use super::{
    check_continues, event_id, page_size, ActivityRecord, ExecutionQuery, ExecutionRecord,
    HistoryQuery, Page, RunStatus, StateMachineRecord, Store, StoreError, Transition,
};

/// Executions in a SQLite database file (or in memory, for tests). A commit is durable when it
/// returns: the database runs in write-ahead-log mode with full syncs, so a transition survives
/// the process being killed, and the machine losing power.
pub struct SqliteStore {
    connection: Mutex<Connection>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS executions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT NOT NULL UNIQUE,
    state_machine_arn TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    input TEXT NOT NULL,
    output TEXT,
    error TEXT,
    cause TEXT,
    start_millis INTEGER NOT NULL,
    stop_millis INTEGER,
    redrive_count INTEGER NOT NULL DEFAULT 0,
    checkpoint TEXT,
    last_event_id INTEGER NOT NULL DEFAULT 0,
    UNIQUE (state_machine_arn, name)
);
CREATE INDEX IF NOT EXISTS executions_by_status ON executions (status, seq);
CREATE TABLE IF NOT EXISTS activities (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_millis INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS state_machines (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_millis INTEGER NOT NULL,
    document TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tags (
    arn TEXT PRIMARY KEY,
    tags TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
    execution_seq INTEGER NOT NULL,
    id INTEGER NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (execution_seq, id)
) WITHOUT ROWID;
";

const RECORD_COLUMNS: &str = "arn, state_machine_arn, name, status, input, output, error, cause, \
                              start_millis, stop_millis, redrive_count, seq";

fn database(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

fn record(row: &Row<'_>) -> rusqlite::Result<ExecutionRecord> {
    let status: String = row.get(3)?;
    Ok(ExecutionRecord {
        execution_arn: row.get(0)?,
        state_machine_arn: row.get(1)?,
        name: row.get(2)?,
        // Only this module writes the column, with `RunStatus::as_str`.
        status: RunStatus::parse(&status).unwrap_or(RunStatus::Failed),
        input: row.get(4)?,
        output: row.get(5)?,
        error: row.get(6)?,
        cause: row.get(7)?,
        start_millis: row.get(8)?,
        stop_millis: row.get(9)?,
        redrive_count: row.get(10)?,
    })
}

impl SqliteStore {
    /// The store in the database file `path`, created if missing.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::with_connection(Connection::open(path).map_err(database)?)
    }

    /// A store in a private in-memory database.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::with_connection(Connection::open_in_memory().map_err(database)?)
    }

    fn with_connection(connection: Connection) -> Result<Self, StoreError> {
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
            )
            .map_err(database)?;
        upgrade_event_count(&connection)?;
        connection.execute_batch(SCHEMA).map_err(database)?;
        Ok(SqliteStore {
            connection: Mutex::new(connection),
        })
    }

    fn connection(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.connection.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Store for SqliteStore {
    fn put_state_machine(&self, record: &StateMachineRecord) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "INSERT INTO state_machines (arn, name, created_millis, document) \
                 VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (arn) DO UPDATE SET document = excluded.document",
                params![
                    record.arn,
                    record.name,
                    record.created_millis,
                    record.document
                ],
            )
            .map(|_| ())
            .map_err(database)
    }

    fn delete_state_machine(&self, arn: &str) -> Result<bool, StoreError> {
        self.connection()
            .execute("DELETE FROM state_machines WHERE arn = ?1", [arn])
            .map(|deleted| deleted > 0)
            .map_err(database)
    }

    fn state_machines(&self) -> Result<Vec<StateMachineRecord>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(
                "SELECT arn, name, created_millis, document FROM state_machines ORDER BY seq",
            )
            .map_err(database)?;
        let rows = statement
            .query_map([], |row| {
                Ok(StateMachineRecord {
                    arn: row.get(0)?,
                    name: row.get(1)?,
                    created_millis: row.get(2)?,
                    document: row.get(3)?,
                })
            })
            .map_err(database)?;
        rows.collect::<Result<_, _>>().map_err(database)
    }

    fn put_tags(&self, arn: &str, tags: &[(String, String)]) -> Result<(), StoreError> {
        let connection = self.connection();
        let result = if tags.is_empty() {
            connection.execute("DELETE FROM tags WHERE arn = ?1", [arn])
        } else {
            let text = serde_json::to_string(tags).unwrap_or_default();
            connection.execute(
                "INSERT INTO tags (arn, tags) VALUES (?1, ?2) \
                 ON CONFLICT (arn) DO UPDATE SET tags = excluded.tags",
                params![arn, text],
            )
        };
        result.map(|_| ()).map_err(database)
    }

    fn tags(&self, arn: &str) -> Result<Vec<(String, String)>, StoreError> {
        let text: Option<String> = self
            .connection()
            .query_row("SELECT tags FROM tags WHERE arn = ?1", [arn], |row| {
                row.get(0)
            })
            .optional()
            .map_err(database)?;
        match text {
            None => Ok(Vec::new()),
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| StoreError::Database(format!("the tags of {arn}: {e}"))),
        }
    }

    fn put_activity(&self, record: &ActivityRecord) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "INSERT OR IGNORE INTO activities (arn, name, created_millis) VALUES (?1, ?2, ?3)",
                params![record.arn, record.name, record.created_millis],
            )
            .map(|_| ())
            .map_err(database)
    }

    fn delete_activity(&self, arn: &str) -> Result<bool, StoreError> {
        self.connection()
            .execute("DELETE FROM activities WHERE arn = ?1", [arn])
            .map(|deleted| deleted > 0)
            .map_err(database)
    }

    fn activities(&self) -> Result<Vec<ActivityRecord>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached("SELECT arn, name, created_millis FROM activities ORDER BY seq")
            .map_err(database)?;
        let rows = statement
            .query_map([], |row| {
                Ok(ActivityRecord {
                    arn: row.get(0)?,
                    name: row.get(1)?,
                    created_millis: row.get(2)?,
                })
            })
            .map_err(database)?;
        rows.collect::<Result<_, _>>().map_err(database)
    }

    fn insert_execution(
        &self,
        record: &ExecutionRecord,
        checkpoint: Option<&str>,
    ) -> Result<(), StoreError> {
        let connection = self.connection();
        let inserted = connection.execute(
            "INSERT INTO executions (arn, state_machine_arn, name, status, input, output, error,
                 cause, start_millis, stop_millis, redrive_count, checkpoint)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                record.execution_arn,
                record.state_machine_arn,
                record.name,
                record.status.as_str(),
                record.input,
                record.output,
                record.error,
                record.cause,
                record.start_millis,
                record.stop_millis,
                record.redrive_count,
                checkpoint,
            ],
        );
        match inserted {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(StoreError::ExecutionAlreadyExists(
                    record.execution_arn.clone(),
                ))
            }
            Err(e) => Err(database(e)),
        }
    }

    fn commit(&self, execution_arn: &str, transition: Transition<'_>) -> Result<(), StoreError> {
        let mut connection = self.connection();
        let tx = connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(database)?;
        apply(&tx, execution_arn, &transition)?;
        tx.commit().map_err(database)
    }

    fn commit_batch(&self, batch: &[(&str, Transition<'_>)]) -> Vec<Result<(), StoreError>> {
        let mut connection = self.connection();
        let mut tx =
            match connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate) {
                Ok(tx) => tx,
                Err(e) => {
                    let message = e.to_string();
                    return batch
                        .iter()
                        .map(|_| Err(StoreError::Database(message.clone())))
                        .collect();
                }
            };
        // Each transition in a savepoint of its own: a refused one leaves no trace, and the
        // others still commit in the one transaction (one sync for all).
        let mut results: Vec<Result<(), StoreError>> = batch
            .iter()
            .map(|(arn, transition)| {
                let savepoint = tx.savepoint().map_err(database)?;
                apply(&savepoint, arn, transition)?;
                savepoint.commit().map_err(database)
            })
            .collect();
        if let Err(e) = tx.commit() {
            let message = e.to_string();
            for result in &mut results {
                if result.is_ok() {
                    *result = Err(StoreError::Database(message.clone()));
                }
            }
        }
        results
    }

    fn execution(&self, execution_arn: &str) -> Result<Option<ExecutionRecord>, StoreError> {
        self.connection()
            .query_row(
                &format!("SELECT {RECORD_COLUMNS} FROM executions WHERE arn = ?1"),
                [execution_arn],
                record,
            )
            .optional()
            .map_err(database)
    }

    fn execution_named(
        &self,
        state_machine_arn: &str,
        name: &str,
    ) -> Result<Option<ExecutionRecord>, StoreError> {
        self.connection()
            .query_row(
                &format!(
                    "SELECT {RECORD_COLUMNS} FROM executions
                     WHERE state_machine_arn = ?1 AND name = ?2"
                ),
                [state_machine_arn, name],
                record,
            )
            .optional()
            .map_err(database)
    }

    fn executions(&self, query: &ExecutionQuery) -> Result<Page<ExecutionRecord>, StoreError> {
        let before = read_token(&query.next_token, 'e')?.map(|b| b as i64);
        let size = page_size(query.max_results);
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM executions
                 WHERE (?1 IS NULL OR seq < ?1)
                   AND (?2 IS NULL OR state_machine_arn = ?2)
                   AND (?3 IS NULL OR status = ?3)
                 ORDER BY seq DESC LIMIT ?4"
            ))
            .map_err(database)?;
        let rows = statement
            .query_map(
                params![
                    before,
                    query.state_machine_arn,
                    query.status.map(RunStatus::as_str),
                    size as i64 + 1
                ],
                |row| Ok((record(row)?, row.get::<_, i64>(11)? as u64)),
            )
            .map_err(database)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(database)?;
        Ok(paged_executions(rows, size))
    }

    fn history(
        &self,
        execution_arn: &str,
        query: &HistoryQuery,
    ) -> Result<Page<Value>, StoreError> {
        let from = read_token(&query.next_token, 'h')?.map(|b| b as i64);
        let size = page_size(query.max_results);
        let connection = self.connection();
        let seq: i64 = connection
            .query_row(
                "SELECT seq FROM executions WHERE arn = ?1",
                [execution_arn],
                |row| row.get(0),
            )
            .optional()
            .map_err(database)?
            .ok_or_else(|| StoreError::ExecutionDoesNotExist(execution_arn.into()))?;
        let sql = if query.reverse_order {
            "SELECT event FROM events WHERE execution_seq = ?1 AND (?2 IS NULL OR id <= ?2)
             ORDER BY id DESC LIMIT ?3"
        } else {
            "SELECT event FROM events WHERE execution_seq = ?1 AND (?2 IS NULL OR id >= ?2)
             ORDER BY id LIMIT ?3"
        };
        let mut statement = connection.prepare_cached(sql).map_err(database)?;
        let texts = statement
            .query_map(params![seq, from, size as i64 + 1], |row| {
                row.get::<_, String>(0)
            })
            .map_err(database)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(database)?;
        let events = texts
            .iter()
            .map(|t| serde_json::from_str(t).map_err(|e| StoreError::Database(e.to_string())))
            .collect::<Result<Vec<Value>, _>>()?;
        Ok(paged_events(
            events.iter().collect(),
            size,
            query.reverse_order,
        ))
    }

    fn checkpoint(&self, execution_arn: &str) -> Result<Option<String>, StoreError> {
        self.connection()
            .query_row(
                "SELECT checkpoint FROM executions WHERE arn = ?1",
                [execution_arn],
                |row| row.get(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(database)
    }

    fn running(&self) -> Result<Vec<ExecutionRecord>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM executions WHERE status = 'RUNNING' ORDER BY seq"
            ))
            .map_err(database)?;
        let rows = statement
            .query_map([], record)
            .map_err(database)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(database);
        rows
    }
}

/// Files written before histories kept AWS's numbering (which may skip ids) counted each
/// execution's events in a column `events`; their ids had no gaps, so that count is the last
/// event's id, and the column only needs its new name.
fn upgrade_event_count(connection: &Connection) -> Result<(), StoreError> {
    let old_column: bool = connection
        .query_row(
            "SELECT COUNT(*) FROM pragma_table_info('executions') WHERE name = 'events'",
            [],
            |row| row.get::<_, i64>(0),
        )
        .map_err(database)?
        > 0;
    if old_column {
        connection
            .execute_batch("ALTER TABLE executions RENAME COLUMN events TO last_event_id")
            .map_err(database)?;
    }
    Ok(())
}

/// Writes `transition` of `execution_arn` inside the transaction (or savepoint) `tx`.
fn apply(
    tx: &Connection,
    execution_arn: &str,
    transition: &Transition<'_>,
) -> Result<(), StoreError> {
    let (seq, last_id): (i64, i64) = tx
        .query_row(
            "SELECT seq, last_event_id FROM executions WHERE arn = ?1",
            [execution_arn],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()
        .map_err(database)?
        .ok_or_else(|| StoreError::ExecutionDoesNotExist(execution_arn.into()))?;
    let last_id = check_continues(execution_arn, last_id as u64, transition.events)?;
    {
        let mut insert = tx
            .prepare_cached("INSERT INTO events (execution_seq, id, event) VALUES (?1, ?2, ?3)")
            .map_err(database)?;
        for event in transition.events {
            insert
                .execute(params![seq, event_id(event) as i64, event.to_string()])
                .map_err(database)?;
        }
    }
    tx.execute(
        "UPDATE executions SET last_event_id = ?2, checkpoint = COALESCE(?3, checkpoint) WHERE seq = ?1",
        params![
            seq,
            last_id as i64,
            transition.checkpoint
        ],
    )
    .map_err(database)?;
    if let Some(change) = transition.status {
        tx.execute(
            "UPDATE executions SET status = ?2, output = ?3, error = ?4, cause = ?5,
                     stop_millis = ?6, redrive_count = redrive_count + ?7
                 WHERE seq = ?1",
            params![
                seq,
                change.status.as_str(),
                change.output,
                change.error,
                change.cause,
                change.stop_millis,
                u32::from(change.redriven),
            ],
        )
        .map_err(database)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_a_store() {
        super::super::conformance::check_store(&SqliteStore::in_memory().unwrap());
    }

    #[test]
    fn what_is_committed_is_there_after_reopening() {
        let dir = std::env::temp_dir().join(format!("stepfn-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("reopen.db");
        let _ = std::fs::remove_file(&path);
        let record = ExecutionRecord::started("arn:e", "arn:m", "e", "{}", 1);
        {
            let store = SqliteStore::open(&path).unwrap();
            store.insert_execution(&record, None).unwrap();
            let events = [serde_json::json!({"id": 1, "type": "ExecutionStarted"})];
            store
                .commit(
                    "arn:e",
                    Transition {
                        events: &events,
                        checkpoint: Some("{\"at\":\"A\"}"),
                        status: None,
                    },
                )
                .unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.execution("arn:e").unwrap(), Some(record));
        assert_eq!(
            store.checkpoint("arn:e").unwrap().as_deref(),
            Some("{\"at\":\"A\"}")
        );
        assert_eq!(store.running().unwrap().len(), 1);
        let history = store.history("arn:e", &HistoryQuery::default()).unwrap();
        assert_eq!(history.items[0]["type"], "ExecutionStarted");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
