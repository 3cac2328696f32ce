//! `cargo xtask dev`: build the component, start the local API server (playing Nexudus and MasStack,
//! with demo data) and the member gateway in front of it (serving the component), and print URLs
//! ready to use. Ctrl-C stops both with this task (same process group).

use std::path::Path;

use serde_json::json;

use crate::{build, cmd, server::Server, setup};

/// The double's demo account the gateway signs in with: an operator app holding only the roles the
/// gateway needs, not an administrator.
pub const GATEWAY_LOGIN: (&str, &str) = ("gateway@example.com", "gateway-demo-password");
const ADMIN_LOGIN: (&str, &str) = ("admin@example.com", "admin-demo-password");

pub fn run(args: &[String]) -> Result<(), String> {
    let port = parse_port(args)?;
    let tools = setup::run()?;
    let dist = build::component(&tools)?;
    let local = start(&dist, &cmd::root().join("data"), port)?;
    let requested = local.gateway.operator_post(
        "/api/check-requests",
        &json!({"CoworkerId": 2, "BusinessId": 1, "Verify": "identity"}),
        &local.operator_key,
    )?;
    let invitation = &requested["Invitation"];
    let (Some(link), Some(code)) = (invitation["Url"].as_str(), invitation["Code"].as_str()) else {
        return Err(format!("the gateway made no invitation: {requested}"));
    };

    println!();
    println!(
        "idcheck is ready. The gateway serves the component; the local API server plays Nexudus."
    );
    println!("The demo member (coworker 1), with a member token minted for an hour:");
    println!("  {}", local.member_page());
    println!("A check the operator requested for the second member (coworker 2), by invitation:");
    println!("  link: {link}");
    println!(
        "  code: {code}  (type it at the kiosk: {}/?mode=kiosk)",
        local.gateway.url
    );
    println!(
        "The example member portal (embedding, strict CSP): {}/portal/",
        local.gateway.url
    );
    println!(
        "The MasStack provider: {}/?provider=masstack&masstack-org=masmovil#token={}",
        local.gateway.url, local.token
    );
    println!("operator key: {}", local.operator_key);
    println!(
        "The local API server (admin API, demo users above): {}",
        local.double.url
    );
    println!("Press Ctrl-C to stop.");
    let Local {
        gateway, double, ..
    } = local;
    let stopped = gateway.wait();
    drop(double);
    stopped
}

/// The local servers with a member token: what `dev` serves, and what the bench loads the page
/// from. Dropping it stops both servers.
pub struct Local {
    pub gateway: Server,
    pub double: Server,
    /// This run's operator key, for the gateway's operator routes.
    pub operator_key: String,
    /// A member token for the demo member (coworker 1 of business 1), valid for an hour.
    pub token: String,
}

impl Local {
    /// The standalone page for the demo member, signed in with the token.
    pub fn member_page(&self) -> String {
        format!(
            "{}/?business=1&coworker=1&uploads=server#token={}",
            self.gateway.url, self.token
        )
    }
}

/// Builds and starts the local API server (with its demo data) and the gateway in front of it,
/// serving `dist` on `port` (0: any free port), both keeping their data in `data`, and mints a
/// member token.
pub fn start(dist: &Path, data: &Path, port: u16) -> Result<Local, String> {
    let servers = build::servers()?;
    let double = Server::start(
        &servers.double,
        &[
            "--listen".into(),
            "127.0.0.1:0".into(),
            "--database".into(),
            data.join("idcheck.sqlite3").display().to_string(),
            "--files".into(),
            data.join("files").display().to_string(),
            // The gateway beside it keeps uploads on loopback: let the double fetch them there.
            "--allow-private-fetch".into(),
        ],
        &[],
    )?;
    // MasStack's create and cancel are administrator calls: the gateway makes them with this token.
    let masstack_token = double.token(ADMIN_LOGIN.0, ADMIN_LOGIN.1)?;
    let operator_key = random_key();
    let gateway = Server::start(
        &servers.gateway,
        &[
            "--listen".into(),
            format!("127.0.0.1:{port}"),
            "--dist".into(),
            dist.display().to_string(),
            "--database".into(),
            data.join("gateway.sqlite3").display().to_string(),
            "--upstream-nexudus".into(),
            format!("{}/api", double.url),
            "--upstream-masstack".into(),
            format!("{}/v1", double.url),
            // The example portal's demo member: coworker 1 of business 1.
            "--demo-portal".into(),
            "1:1".into(),
        ],
        &[
            ("IDCHECK_OPERATOR_KEY", &operator_key),
            ("IDCHECK_UPSTREAM_USER", GATEWAY_LOGIN.0),
            ("IDCHECK_UPSTREAM_PASSWORD", GATEWAY_LOGIN.1),
            ("IDCHECK_MASSTACK_TOKEN", &masstack_token),
        ],
    )?;
    let token = gateway.operator_post(
        "/api/member-tokens",
        &json!({"CoworkerId": 1, "BusinessId": 1, "ExpiresInSeconds": 3600}),
        &operator_key,
    )?;
    let token = token["access_token"]
        .as_str()
        .ok_or("the gateway minted no member token")?
        .to_string();
    Ok(Local {
        gateway,
        double,
        operator_key,
        token,
    })
}

/// A fresh operator key for this run: 32 random bytes, hex.
fn random_key() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system has no random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_port(args: &[String]) -> Result<u16, String> {
    match args {
        [] => Ok(0),
        [flag, value] if flag == "--port" => value
            .parse()
            .map_err(|_| format!("--port takes a port number, not `{value}`")),
        _ => Err("usage: cargo xtask dev [--port N]".into()),
    }
}
