//! Image pipeline: a Map over the uploaded images; for each image, two analyses run in
//! parallel (labels and a thumbnail); the results are aggregated into one report.
//!
//! `cargo run --example image_pipeline` prints the ASL and runs the workflow natively.

use serde::{Deserialize, Serialize};
use stepfn::{task, workflow, Payload};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Upload {
    pub bucket: String,
    pub images: Vec<Image>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Image {
    pub key: String,
    pub width: u32,
    pub height: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Labels {
    pub key: String,
    pub labels: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Thumbnail {
    pub key: String,
    pub width: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Report {
    pub images: usize,
    pub labels: Vec<String>,
    pub thumbnails: Vec<String>,
}

#[task]
async fn detect_labels(image: Image) -> Labels {
    let shape = if image.width > image.height {
        "landscape"
    } else {
        "portrait"
    };
    Labels {
        key: image.key,
        labels: vec![shape.into()],
    }
}

#[task]
async fn make_thumbnail(image: Image) -> Thumbnail {
    Thumbnail {
        key: format!("thumbs/{}", image.key),
        width: 128,
    }
}

#[task]
async fn aggregate(results: Vec<(Labels, Thumbnail)>) -> Report {
    let mut labels: Vec<String> = results
        .iter()
        .flat_map(|(l, _)| l.labels.iter().cloned())
        .collect();
    labels.sort();
    labels.dedup();
    Report {
        images: results.len(),
        labels,
        thumbnails: results.into_iter().map(|(_, t)| t.key).collect(),
    }
}

workflow! {
    /// Analyses every uploaded image and reports on the batch.
    pub ImagePipeline(Upload) -> Report {
        start EachImage;
        EachImage: map<Image>(items = .images, max_concurrency = 4) -> Aggregate {
            start Analyse;
            Analyse: parallel -> end {
                branch {
                    start DetectLabels;
                    DetectLabels: task detect_labels -> end;
                }
                branch {
                    start MakeThumbnail;
                    MakeThumbnail: task make_thumbnail -> end;
                }
            }
        }
        Aggregate: task aggregate -> end;
    }
}

fn upload() -> Upload {
    let image = |key: &str, width, height| Image {
        key: key.into(),
        width,
        height,
    };
    Upload {
        bucket: "uploads".into(),
        images: vec![image("a.jpg", 1600, 900), image("b.jpg", 600, 800)],
    }
}

#[tokio::main]
async fn main() {
    stepfn_examples::show::<ImagePipeline>(upload()).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use stepfn::Workflow;

    #[tokio::test(start_paused = true)]
    async fn every_image_is_analysed_and_reported() {
        let report = stepfn_examples::check::<ImagePipeline>(upload())
            .await
            .unwrap();
        assert_eq!(report.images, 2);
        assert_eq!(report.labels, vec!["landscape", "portrait"]);
        assert_eq!(report.thumbnails, vec!["thumbs/a.jpg", "thumbs/b.jpg"]);
    }

    #[tokio::test]
    async fn each_image_runs_both_branches_with_a_mocked_labeller() {
        let run = ImagePipeline::test()
            .mock::<detect_labels>(|image| {
                Ok(Labels {
                    key: image.key,
                    labels: vec!["mocked".into()],
                })
            })
            .run(upload())
            .await;
        let states = run.states();
        assert_eq!(states.iter().filter(|s| **s == "DetectLabels").count(), 2);
        assert_eq!(states.iter().filter(|s| **s == "MakeThumbnail").count(), 2);
        assert_eq!(states.last(), Some(&"Aggregate"));
        // The report lists each label once.
        let report = run.output();
        assert_eq!(report.images, 2);
        assert_eq!(report.labels, vec!["mocked"]);
        stepfn::testing::Coverage::of::<ImagePipeline>()
            .report()
            .assert_at_least(100.0);
    }

    #[test]
    fn deploys_cleanly_by_cfn_lint_and_asl_validator() {
        stepfn_examples::tools::check_deploy::<ImagePipeline>("image_pipeline");
    }
}
