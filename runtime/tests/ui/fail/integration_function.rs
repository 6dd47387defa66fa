use stepfn::task;

#[task(resource = "arn:aws:lambda:us-east-1:123456789012:function:charge", function = "charge")]
async fn charge(amount: f64) -> f64 {
    amount
}

fn main() {}
