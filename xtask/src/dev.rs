//! `cargo xtask dev`: build the component, serve it with the local API server and demo data, and print
//! the URL of a ready demo configuration. Ctrl-C stops the server with this task (same process group).

use crate::{build, cmd, server::Server, setup};

pub fn run(args: &[String]) -> Result<(), String> {
    let port = parse_port(args)?;
    let tools = setup::run()?;
    let dist = build::component(&tools)?;
    let binary = build::server()?;
    let data = cmd::root().join("data");
    let server = Server::start(
        &binary,
        &[
            "--listen".into(),
            format!("127.0.0.1:{port}"),
            "--dist".into(),
            dist.display().to_string(),
            "--database".into(),
            data.join("idcheck.sqlite3").display().to_string(),
            "--files".into(),
            data.join("files").display().to_string(),
        ],
    )?;
    let member = server
        .demo_users
        .iter()
        .find(|(login, _, _)| login.starts_with("member@"))
        .ok_or("the API server announced no demo member")?;
    let token = server.token(&member.0, &member.1)?;
    println!();
    println!(
        "idcheck is ready. Open this URL (signed in as the demo member {}):",
        member.0
    );
    println!(
        "  {}/?token={token}&business=1&coworker=1&uploads=server",
        server.url
    );
    println!(
        "The example member portal (embedding, strict CSP): {}/portal/",
        server.url
    );
    println!(
        "The MasStack provider: {}/?token={token}&provider=masstack&masstack-org=masmovil",
        server.url
    );
    println!("Press Ctrl-C to stop.");
    server.wait()
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
