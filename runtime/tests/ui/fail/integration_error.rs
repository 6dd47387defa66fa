use serde::{Deserialize, Serialize};
use stepfn::aws::sqs::{SendMessage, SendMessageOutput};
use stepfn::aws::DynamoDb;
use stepfn::{task, workflow};

#[derive(Clone, Serialize, Deserialize, stepfn::Payload)]
pub struct Order { pub id: String }

#[task(resource = "arn:aws:states:::sqs:sendMessage")]
async fn notify(message: SendMessage<Order>) -> SendMessageOutput {
    SendMessageOutput::new("m-1", &message.message_body.id)
}

workflow! {
    pub Flow(Order) -> SendMessageOutput {
        start Notify;
        Notify: task notify(
            parameters = SendMessage { queue_url: "https://sqs.us-east-1.amazonaws.com/1/q", message_body: ., .. }
        ) -> end
            retry [DynamoDb::ProvisionedThroughputExceededException] (max_attempts = 3);
    }
}

fn main() {}
