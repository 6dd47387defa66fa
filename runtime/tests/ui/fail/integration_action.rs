use stepfn::aws::sqs::{SendMessage, SendMessageOutput};
use stepfn::task;

#[task(resource = "arn:aws:states:::sqs:sendMesage")]
async fn notify(message: SendMessage) -> SendMessageOutput {
    SendMessageOutput::new("m-1", &message.queue_url)
}

fn main() {}
