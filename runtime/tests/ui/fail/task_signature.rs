use stepfn::task;

#[task]
fn not_async(x: u32) -> u32 { x }

#[task]
async fn generic<T>(x: T) -> T { x }

#[task(timeout = "soon")]
async fn bad_timeout(x: u32) -> u32 { x }

fn main() {}
