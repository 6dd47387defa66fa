//! `stepfn serve`: the AWS Step Functions API on localhost, over stepfn's durable engine.
//!
//! The server speaks the API's JSON 1.0 protocol (`POST /` with `X-Amz-Target:
//! AWSStepFunctions.<Operation>`), so the AWS CLI and every AWS SDK work against it with a
//! custom endpoint and dummy credentials (signatures are accepted, not checked: the server
//! binds loopback unless told otherwise). Standard executions are kept in a SQLite file and
//! resume after a restart; Express executions run in memory.
//!
//! ```no_run
//! # async fn serve() -> Result<(), stepfn_server::ServerError> {
//! let options = stepfn_server::ServerOptions::new().with_database("stepfn.db");
//! let server = stepfn_server::Server::bind(options).await?;
//! println!("listening on {}", server.local_addr());
//! server.run_until(stepfn_server::shutdown_signal()).await
//! # }
//! ```

#![warn(missing_docs)]

mod api;
mod console;
mod integrations;
mod percent;
pub mod protocol;
mod shared;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use stepfn::clock::{Clock, SystemClock};
use stepfn::durable::{Engine, EngineOptions};
use stepfn::store::{MemoryStore, SqliteStore, Store};
use stepfn::tasks::MockConfig;
use stepfn::TaskRegistry;

pub use crate::integrations::AwsServices;
use crate::integrations::Integrations;

/// The handler `stepfn run --aws-endpoint` answers Task states with: the AWS services at
/// `aws` (DynamoDB, SQS, EventBridge and the JSON-protocol `aws-sdk` calls), `http:invoke`,
/// and Lambda functions at `lambda_endpoint` when given.
pub fn service_tasks(
    lambda_endpoint: Option<String>,
    aws: AwsServices,
) -> impl stepfn::TaskHandler {
    Integrations::new(lambda_endpoint, Some(aws))
}

/// The S3 `stepfn run --aws-endpoint` reads Distributed Map items from and writes their
/// results to: the S3 API at `aws`.
pub fn service_objects(aws: AwsServices) -> Arc<dyn stepfn::tasks::ObjectStore> {
    crate::integrations::s3_objects(reqwest::Client::new(), aws)
}
use crate::protocol::ApiError;
use crate::shared::Shared;

/// The port AWS's own local emulator listened on, kept so existing settings work.
pub const DEFAULT_PORT: u16 = 8083;

/// The largest request body taken: a definition may be 1 MiB, written as a JSON string
/// (escaped) inside the request.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// How the server runs.
#[derive(Clone)]
#[non_exhaustive]
pub struct ServerOptions {
    /// Where to listen: `127.0.0.1:8083` unless told otherwise.
    pub address: SocketAddr,
    /// The SQLite file Standard executions are kept in; `None` keeps everything in memory.
    pub database: Option<PathBuf>,
    /// The MockConfigFile whose test cases `STATE_MACHINE_ARN#TestCase` runs.
    pub mock_config: Option<MockConfig>,
    /// Where Lambda's Invoke API is served (`sam local start-lambda`'s endpoint).
    pub lambda_endpoint: Option<String>,
    /// Where the AWS services Task states call are (DynamoDB, SQS, EventBridge, JSON-protocol
    /// `aws-sdk` calls); `None`: such states must be mocked.
    pub aws: Option<AwsServices>,
    /// Request bodies larger than this are refused.
    pub max_body_bytes: usize,
    /// How long GetActivityTask waits for a task (AWS: 60 s).
    pub activity_poll: Duration,
    /// Where time comes from.
    pub clock: Arc<dyn Clock>,
    /// The account in ARNs.
    pub account: String,
    /// The region in ARNs.
    pub region: String,
    /// How long a shutdown waits for requests under way before it closes their connections:
    /// a client that stalls in the middle of a request must not keep the server up.
    pub shutdown_grace: Duration,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            address: SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)),
            database: None,
            mock_config: None,
            lambda_endpoint: None,
            aws: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            activity_poll: Duration::from_secs(60),
            clock: SystemClock::shared(),
            account: "123456789012".into(),
            region: "us-east-1".into(),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

impl ServerOptions {
    /// The defaults: `127.0.0.1:8083`, everything in memory, the system clock.
    pub fn new() -> Self {
        Self::default()
    }

    stepfn_codegen::__setters! {
        set with_address(address: SocketAddr);
        some with_database(database: PathBuf);
        some with_mock_config(mock_config: MockConfig);
        some with_lambda_endpoint(lambda_endpoint: String);
        some with_aws(aws: AwsServices);
        set with_max_body_bytes(max_body_bytes: usize);
        set with_activity_poll(activity_poll: Duration);
        set with_clock(clock: Arc<dyn Clock>);
        into with_account(account: String);
        into with_region(region: String);
        set with_shutdown_grace(shutdown_grace: Duration);
    }
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The database could not be opened, or the executions in it not resumed.
    #[error("the database: {0}")]
    Store(#[from] stepfn::store::StoreError),
    /// The address could not be bound, or serving failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A bound server, not yet answering.
pub struct Server {
    listener: tokio::net::TcpListener,
    engine: Engine,
    options: ServerOptions,
}

impl Server {
    /// Opens the store (resuming the executions it holds as running) and binds the address.
    pub async fn bind(options: ServerOptions) -> Result<Server, ServerError> {
        let store: Arc<dyn Store> = match &options.database {
            Some(path) => Arc::new(SqliteStore::open(path)?),
            None => Arc::new(MemoryStore::new()),
        };
        let integrations = Integrations::new(options.lambda_endpoint.clone(), options.aws.clone());
        let tasks = TaskRegistry::new()
            .services(integrations.clone())
            .dispatcher(integrations.clone());
        let engine = Engine::open(store, {
            let mut engine = EngineOptions::new()
                .with_tasks(tasks)
                .with_clock(options.clock.clone())
                .with_account(options.account.clone())
                .with_region(options.region.clone());
            engine.mock_config = options.mock_config.clone().map(Arc::new);
            engine.objects = integrations.objects();
            engine
        })
        .await?;
        integrations.attach(engine.downgrade());
        let listener = tokio::net::TcpListener::bind(options.address).await?;
        Ok(Server {
            listener,
            engine,
            options,
        })
    }

    /// The address the server listens on (the port chosen when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or(self.options.address)
    }

    /// The engine behind the API.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Answers requests until `shutdown` resolves, then stops taking new ones and finishes
    /// those under way. Executions still running stay in the database and resume on the next
    /// start.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let (stop, shutting_down) = tokio::sync::watch::channel(false);
        let mut grace_started = shutting_down.clone();
        let shared = Arc::new(Shared {
            engine: self.engine.clone(),
            activity_poll: self.options.activity_poll,
            shutting_down,
        });
        let app = axum::Router::new()
            .fallback(handle)
            .layer(DefaultBodyLimit::max(self.options.max_body_bytes))
            .with_state(shared);
        let serving = axum::serve(self.listener, app).with_graceful_shutdown(async move {
            shutdown.await;
            let _ = stop.send(true);
        });
        let grace = self.options.shutdown_grace;
        let grace_over = async move {
            let _ = grace_started.wait_for(|stopping| *stopping).await;
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            served = serving => served?,
            // Connections still open are dropped with the serving future.
            () = grace_over => {}
        }
        Ok(())
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
}

/// Every request: the console's pages and actions, or an API operation (the operation from
/// the target header, the members from the body).
async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if console::handles(&method, &uri, &headers) {
        let body = body.unwrap_or_default();
        return console::answer(&shared, &method, &uri, &headers, &body).await;
    }
    match answer(&shared, method, &headers, body).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

async fn answer(
    shared: &Shared,
    method: Method,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    if method != Method::POST {
        return Err(ApiError::protocol(
            StatusCode::NOT_FOUND,
            "UnknownOperationException",
            format!("The Step Functions API takes POST requests, not {method}"),
        ));
    }
    let operation = protocol::operation(headers)?;
    let body = body.map_err(|rejection| {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::protocol(
                status,
                "RequestEntityTooLargeException",
                "The request body is larger than the server takes",
            )
        } else {
            ApiError::protocol(status, "SerializationException", rejection.body_text())
        }
    })?;
    // Long calls end when shutdown begins, so that it is not held up by them.
    let mut shutting_down = shared.shutting_down.clone();
    let result = tokio::select! {
        result = api::call(shared, operation, &body) => result,
        _ = shutting_down.wait_for(|down| *down), if long_call(operation) => {
            Err(ApiError::protocol(StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable", "The server is shutting down"))
        }
    };
    result.map(protocol::answer)
}

/// Calls that may wait a long time for something else: cut short by a shutdown.
fn long_call(operation: &str) -> bool {
    matches!(operation, "GetActivityTask" | "StartSyncExecution")
}

/// The request handling without a socket, for the fuzz targets in `fuzz/`. Not a public API:
/// it may change in any release.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    use super::*;

    /// An API over an in-memory engine whose Task states have no handlers (nothing reaches
    /// the network).
    pub struct Api {
        shared: Shared,
        _stop: tokio::sync::watch::Sender<bool>,
    }

    impl Api {
        /// Opens the engine; call it inside a tokio runtime.
        pub async fn open(clock: Arc<dyn Clock>, mock_config: Option<MockConfig>) -> Api {
            let engine = Engine::open(
                Arc::new(MemoryStore::new()),
                match mock_config {
                    Some(config) => EngineOptions::new()
                        .with_clock(clock)
                        .with_mock_config(config),
                    None => EngineOptions::new().with_clock(clock),
                },
            )
            .await
            .expect("an in-memory store opens");
            let (stop, shutting_down) = tokio::sync::watch::channel(false);
            Api {
                shared: Shared {
                    engine,
                    activity_poll: Duration::ZERO,
                    shutting_down,
                },
                _stop: stop,
            }
        }

        /// Answers one request: `target` is the `X-Amz-Target` header (none when it is not a
        /// valid header value), `body` the request body.
        pub async fn request(&self, target: &[u8], body: &[u8]) -> Response {
            let mut headers = HeaderMap::new();
            if let Ok(value) = axum::http::HeaderValue::from_bytes(target) {
                headers.insert("x-amz-target", value);
            }
            let body = Ok(Bytes::copy_from_slice(body));
            match answer(&self.shared, Method::POST, &headers, body).await {
                Ok(response) => response,
                Err(e) => e.into_response(),
            }
        }

        /// Answers one request of the web console: a GET of `target` (a path and query) when
        /// `form` is `None`, else a form POST of `form` to it. A target that is not a URI
        /// path is answered as the router would: not found.
        pub async fn console(&self, target: &[u8], form: Option<&[u8]>) -> Response {
            let Ok(uri) = axum::http::Uri::try_from(target) else {
                return StatusCode::NOT_FOUND.into_response();
            };
            let method = if form.is_some() {
                Method::POST
            } else {
                Method::GET
            };
            let body = Bytes::copy_from_slice(form.unwrap_or_default());
            console::answer(&self.shared, &method, &uri, &HeaderMap::new(), &body).await
        }
    }
}
