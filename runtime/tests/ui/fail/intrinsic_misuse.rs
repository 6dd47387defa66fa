use serde::{Deserialize, Serialize};
use stepfn::workflow;

#[derive(Serialize, Deserialize, stepfn::Payload)]
pub struct Order { pub id: String, pub skus: Vec<String> }
#[derive(Serialize, Deserialize, stepfn::Payload)]
pub struct Shaped { pub title: String, pub batches: Vec<Vec<String>> }

workflow! {
    pub Misspelt(Order) -> Shaped {
        start Shape;
        Shape: pass(parameters = Shaped { title: formt("{}", .id), batches: array_partition(.skus, 2) }) -> end;
    }
}

workflow! {
    pub Placeholders(Order) -> Shaped {
        start Shape;
        Shape: pass(parameters = Shaped { title: format("{} and {}", .id), batches: array_partition(.skus, 2) }) -> end;
    }
}

workflow! {
    pub Arity(Order) -> Shaped {
        start Shape;
        Shape: pass(parameters = Shaped { title: uuid(.id), batches: array_partition(.skus, 2) }) -> end;
    }
}

fn main() {}
