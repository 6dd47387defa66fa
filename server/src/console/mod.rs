//! The web console: the state machines, their executions and each execution's graph and
//! history, in the browser, on the API's own port. GET requests are pages (server-rendered
//! HTML, every value escaped by the templates); the few actions (start, stop, redrive, answer a
//! task token) are form POSTs to the console's own paths, refused from other origins. The
//! style sheet and the script that keeps pages live are embedded in the binary.

mod pages;
mod progress;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::shared::Shared;

const STYLE: &str = include_str!("assets/console.css");
const SCRIPT: &str = include_str!("assets/console.js");

/// Whether a request is the console's: any GET or HEAD, and POSTs to the console's paths
/// (the API's POSTs name their operation in `X-Amz-Target`).
pub(crate) fn handles(method: &Method, uri: &Uri, headers: &HeaderMap) -> bool {
    match *method {
        Method::GET | Method::HEAD => true,
        Method::POST => !headers.contains_key("x-amz-target") && uri.path() != "/",
        _ => false,
    }
}

/// Answers a console request.
pub(crate) async fn answer(
    shared: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    let path = uri.path();
    let query = uri.query().unwrap_or("");
    if method == Method::POST {
        if let Err(why) = same_origin(headers) {
            return (StatusCode::FORBIDDEN, format!("Refused: {why}\n")).into_response();
        }
        return pages::act(&shared.engine, path, body).await;
    }
    match path {
        "/console/assets/console.css" => asset(STYLE, "text/css; charset=utf-8"),
        "/console/assets/console.js" => asset(SCRIPT, "text/javascript; charset=utf-8"),
        _ => pages::page(&shared.engine, path, query),
    }
}

fn asset(text: &'static str, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        text,
    )
        .into_response()
}

/// Refuses a POST a browser sent from another origin: its `Origin` must name the host it
/// was sent to, and `Sec-Fetch-Site` (when the browser sends it) must say `same-origin`.
fn same_origin(headers: &HeaderMap) -> Result<(), &'static str> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let refused = |why: &'static str| Err(why);
    if let Some(site) = text("sec-fetch-site") {
        if site != "same-origin" && site != "none" {
            return refused("the console takes actions only from its own pages");
        }
    }
    if let Some(origin) = text("origin") {
        let host = text("host").unwrap_or_default();
        let origin_host = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            .unwrap_or(origin);
        if origin_host != host {
            return refused("the request comes from another origin");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn posts_from_other_origins_are_refused() {
        assert!(same_origin(&headers(&[("host", "127.0.0.1:8083")])).is_ok());
        assert!(same_origin(&headers(&[
            ("host", "127.0.0.1:8083"),
            ("origin", "http://127.0.0.1:8083"),
            ("sec-fetch-site", "same-origin")
        ]))
        .is_ok());
        assert!(same_origin(&headers(&[
            ("host", "127.0.0.1:8083"),
            ("origin", "http://evil.example")
        ]))
        .is_err());
        assert!(same_origin(&headers(&[
            ("host", "127.0.0.1:8083"),
            ("sec-fetch-site", "cross-site")
        ]))
        .is_err());
    }

    #[test]
    fn the_api_keeps_its_posts() {
        let api = headers(&[("x-amz-target", "AWSStepFunctions.ListStateMachines")]);
        let root: Uri = "/".parse().unwrap();
        let action: Uri = "/executions/x/stop".parse().unwrap();
        assert!(!handles(&Method::POST, &root, &api));
        assert!(!handles(&Method::POST, &root, &HeaderMap::new()));
        assert!(!handles(&Method::POST, &action, &api));
        assert!(handles(&Method::POST, &action, &HeaderMap::new()));
        assert!(handles(&Method::GET, &root, &HeaderMap::new()));
    }
}
