use serde::{Deserialize, Serialize};
use stepfn::{task, workflow};

#[derive(Serialize, Deserialize, stepfn::Payload)]
pub struct Order { pub id: String }
#[derive(Serialize, Deserialize, stepfn::Payload)]
pub struct Request { pub id: String, pub token: u64 }

#[task(resource = "arn:aws:states:::lambda:invoke.waitForTaskToken")]
async fn ask(request: Request) -> Request { request }

workflow! {
    pub Flow(Order) -> Request {
        start Ask;
        Ask: task ask(parameters = Request { id: .id, token: context.task.token }) -> end;
    }
}

fn main() {}
