use serde::{Deserialize, Serialize};
use stepfn::workflow;

#[derive(Serialize, Deserialize)]
pub enum Status { Pending, Shipped }
#[derive(Serialize, Deserialize)]
pub enum Colour { Red }

#[derive(Serialize, Deserialize, stepfn::Payload)]
pub struct Parcel { pub status: Status }

workflow! {
    pub Route(Parcel) -> Parcel {
        start Decide;
        Decide: choice {
            when .status == Colour::Red => Done,
            else => Done,
        }
        Done: succeed;
    }
}

fn main() {}
