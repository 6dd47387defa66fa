use serde::{Deserialize, Serialize};
use stepfn::aws::sqs::SendMessageOutput;
use stepfn::task;

#[derive(Serialize, Deserialize)]
pub struct Note { pub queue: String, pub text: String }

#[task(resource = "arn:aws:states:::sqs:sendMessage")]
async fn notify(note: Note) -> SendMessageOutput {
    SendMessageOutput::new("m-1", &note.text)
}

fn main() {}
