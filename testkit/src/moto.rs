//! moto's server (a real AWS API) on a free loopback port, for the tests of Task states that
//! call AWS services. `scripts/install-api-clients` installs it in `.tools/clients` (or
//! `$STEPFN_TOOLS/clients`); without it, [`start`] fails the test, saying so.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where the Python clients (boto3, the AWS CLI, moto) are installed.
pub fn clients_dir() -> PathBuf {
    let tools = std::env::var_os("STEPFN_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools"));
    tools.join("clients")
}

/// A running moto server, stopped when dropped.
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts moto's server and waits until it answers.
pub fn start() -> Moto {
    let clients = clients_dir();
    assert!(
        clients.join("moto").is_dir(),
        "moto's server is not installed in {}: run scripts/install-api-clients",
        clients.display()
    );
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port");
    let child = Command::new("python3")
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .env("PYTHONPATH", &clients)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 runs moto's server");
    let moto = Moto {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "moto's server did not start within a minute"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    moto
}
