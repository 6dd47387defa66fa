use serde::{Deserialize, Serialize};
use stepfn::workflow;

#[derive(Serialize, Deserialize, stepfn::Payload)]
pub struct Order { pub id: String, pub count: u32, pub rush: bool }
#[derive(Serialize, Deserialize, stepfn::Payload)]
pub struct Note { pub id: String }

workflow! {
    pub Flow(Order) -> Note {
        start Decide;
        Decide: choice {
            when .rush == true => Rush,
            else => Slow,
        }
        Rush: pass -> Write assign(key = .id);
        Slow: pass -> Write assign(key = .count);
        Write: pass(parameters = Note { id: $key }) -> end;
    }
}

fn main() {}
