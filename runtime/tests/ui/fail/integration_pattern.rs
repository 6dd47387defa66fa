use stepfn::aws::sns::{Publish, PublishOutput};
use stepfn::task;

#[task(resource = "arn:aws:states:::sns:publish.sync")]
async fn announce(publish: Publish) -> PublishOutput {
    PublishOutput::new(publish.topic_arn.unwrap_or_default())
}

fn main() {}
