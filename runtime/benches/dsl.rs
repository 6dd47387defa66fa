//! What a workflow written with the DSL costs: `definition()` (built once per process, then a
//! reference) and a short native run (`Workflow::run`, which reuses one compiled executor), in
//! JSONPath and JSONata mode: `cargo bench -p stepfn --bench dsl`.

use serde::{Deserialize, Serialize};
use stepfn::{task, workflow, Payload, TaskError, Workflow};

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

#[derive(Clone, Debug, Serialize, Deserialize, Payload)]
pub struct Order {
    pub id: String,
    pub total: f64,
    pub express: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, Payload)]
pub struct Receipt {
    pub order: String,
    pub charged: f64,
}

#[derive(Debug, TaskError)]
pub enum PaymentError {
    Declined,
    Throttled,
}

impl std::fmt::Display for PaymentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

#[task]
async fn validate(order: Order) -> Order {
    order
}

#[task]
async fn charge(order: Order) -> Result<Receipt, PaymentError> {
    Ok(Receipt {
        order: order.id,
        charged: order.total,
    })
}

workflow! {
    /// Validates an order, routes it and charges it.
    pub Checkout(Order) -> Receipt {
        start Validate;
        Validate: task validate -> Route
            retry [States::TaskFailed] (interval = "1s", max_attempts = 2);
        Route: choice {
            when .total > 100.0 && .express == true => Charge,
            else => Charge,
        }
        Charge: task charge -> Done
            retry [PaymentError::Throttled] (interval = "1s", max_attempts = 3, backoff = 2.0)
            catch [PaymentError::Declined] -> Declined;
        Done: succeed;
        Declined: fail(error = "Payment.Declined", cause = "the card was declined");
    }
}

workflow! {
    /// The same in JSONata mode.
    pub CheckoutJsonata(Order) -> Receipt {
        query_language = jsonata;
        start Validate;
        Validate: task validate -> Route
            retry [States::TaskFailed] (interval = "1s", max_attempts = 2);
        Route: choice {
            when .total > 100.0 && .express == true => Charge,
            else => Charge,
        }
        Charge: task charge -> Done
            retry [PaymentError::Throttled] (interval = "1s", max_attempts = 3, backoff = 2.0)
            catch [PaymentError::Declined] -> Declined;
        Done: succeed;
        Declined: fail(error = "Payment.Declined", cause = "the card was declined");
    }
}

fn order() -> Order {
    Order {
        id: "o-1".into(),
        total: 120.0,
        express: true,
    }
}

#[divan::bench]
fn definition_jsonpath() -> usize {
    divan::black_box(Checkout::definition()).states.len()
}

#[divan::bench]
fn definition_jsonata() -> usize {
    divan::black_box(CheckoutJsonata::definition()).states.len()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime")
}

#[divan::bench]
fn short_run_jsonpath(bencher: divan::Bencher) {
    let rt = runtime();
    bencher.bench_local(|| rt.block_on(Checkout::run(order())).expect("a receipt"));
}

#[divan::bench]
fn short_run_jsonata(bencher: divan::Bencher) {
    let rt = runtime();
    bencher.bench_local(|| {
        rt.block_on(CheckoutJsonata::run(order()))
            .expect("a receipt")
    });
}
