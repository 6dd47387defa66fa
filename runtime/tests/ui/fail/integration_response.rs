use serde::{Deserialize, Serialize};
use stepfn::aws::dynamodb::GetItem;
use stepfn::task;

#[derive(Serialize, Deserialize)]
pub struct Row { pub id: String }

#[task(resource = "arn:aws:states:::dynamodb:getItem")]
async fn load(request: GetItem) -> Row {
    Row { id: request.table_name }
}

fn main() {}
