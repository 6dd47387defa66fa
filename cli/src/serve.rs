//! `stepfn serve`: the Step Functions API on localhost.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use stepfn::tasks::MockConfig;
use stepfn_server::{Server, ServerOptions, DEFAULT_PORT};

#[derive(Args)]
pub struct ServeArgs {
    /// The port to listen on (0: any free port, printed at start).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,
    /// The address to listen on. Requests are not authenticated: bind anything other than
    /// loopback only on a network you trust.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// Keep state machines, activities and Standard executions in this SQLite file (created
    /// if missing); running executions resume from it on the next start. Without it, nothing
    /// outlives the process.
    #[arg(long)]
    db: Option<PathBuf>,
    /// A MockConfigFile (AWS Step Functions Local's format): StartExecution on
    /// `STATE_MACHINE_ARN#TestCase` answers that test case's states with its mocked responses.
    #[arg(long)]
    mock_config: Option<PathBuf>,
    /// Where Lambda's Invoke API is served (e.g. `sam local start-lambda`'s
    /// http://127.0.0.1:3001): Lambda ARNs and `lambda:invoke` tasks call it.
    #[arg(long)]
    lambda_endpoint: Option<String>,
    #[command(flatten)]
    aws: crate::aws_args::AwsArgs,
    /// The region in ARNs, and the one AWS calls are signed for [default: AWS_REGION,
    /// AWS_DEFAULT_REGION, or the profile's region in ~/.aws/config; else us-east-1].
    #[arg(long)]
    region: Option<String>,
    /// The account in ARNs.
    #[arg(long, default_value = "123456789012")]
    account: String,
}

pub fn serve(args: ServeArgs) -> ExitCode {
    let mock_config = match &args.mock_config {
        None => None,
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| MockConfig::from_json(&text).map_err(|e| e.to_string()))
        {
            Ok(config) => Some(config),
            Err(e) => {
                eprintln!("stepfn serve: {}: {e}", path.display());
                return ExitCode::from(2);
            }
        },
    };
    let region = args
        .region
        .clone()
        .unwrap_or_else(crate::aws_args::default_region);
    let aws = match args.aws.services(&region) {
        Ok(aws) => aws,
        Err(e) => {
            eprintln!("stepfn serve: {e}");
            return ExitCode::from(2);
        }
    };
    let options = {
        let mut server = ServerOptions::new()
            .with_address(SocketAddr::new(args.host, args.port))
            .with_region(region)
            .with_account(args.account);
        server.database = args.db;
        server.mock_config = mock_config;
        server.lambda_endpoint = args.lambda_endpoint;
        server.aws = aws;
        server
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("stepfn serve: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let server = Server::bind(options).await?;
        // Scripts and tests read this line for the port.
        println!("stepfn serve: listening on http://{}", server.local_addr());
        server.run_until(stepfn_server::shutdown_signal()).await
    });
    match result {
        Ok(()) => {
            eprintln!("stepfn serve: stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("stepfn serve: {e}");
            ExitCode::FAILURE
        }
    }
}
