use serde::{Deserialize, Serialize};
use stepfn::workflow;

#[derive(Serialize, Deserialize, stepfn::Payload)]
pub struct Order { pub id: String, pub rush: bool }
#[derive(Serialize, Deserialize, stepfn::Payload)]
pub struct Note { pub id: String }

workflow! {
    pub Flow(Order) -> Note {
        start Decide;
        Decide: choice {
            when .rush == true => Rush,
            else => Write,
        }
        Rush: pass -> Write assign(order_id = .id);
        Write: pass(parameters = Note { id: $order_id }) -> end;
    }
}

workflow! {
    pub Misspelt(Order) -> Note {
        start Remember;
        Remember: pass -> Write2 assign(order_id = .id);
        Write2: pass(parameters = Note { id: $order_ld }) -> end;
    }
}

fn main() {}
