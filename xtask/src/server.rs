//! Starting the local API server as a child process and reading what it announces on start.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A running server, stopped when dropped.
pub struct Server {
    child: Child,
    /// `http://ADDR:PORT`, as the server printed it.
    pub url: String,
    /// `(login, password, roles)` of each demo user the server printed.
    pub demo_users: Vec<(String, String, String)>,
}

impl Server {
    pub fn start(binary: &Path, args: &[String]) -> Result<Server, String> {
        let mut child = Command::new(binary)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|err| format!("could not start {}: {err}", binary.display()))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let mut demo_users = Vec::new();
        let url = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                return Err("the API server exited before it was listening".into());
            };
            println!("{line}");
            if let Some(url) = line.strip_prefix("listening on ") {
                break url.trim().to_string();
            }
            if let Some(user) = parse_demo_user(&line) {
                demo_users.push(user);
            }
        };
        // Keep echoing the server's log so a developer sees it.
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                println!("{line}");
            }
        });
        Ok(Server {
            child,
            url,
            demo_users,
        })
    }

    pub fn wait(mut self) -> Result<(), String> {
        let status = self.child.wait().map_err(|err| err.to_string())?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("the API server stopped ({status})"))
        }
    }

    /// Logs a demo user in with the password grant and returns the access token.
    pub fn token(&self, login: &str, password: &str) -> Result<String, String> {
        let body = format!(
            "grant_type=password&username={}&password={}",
            form_escape(login),
            form_escape(password)
        );
        let response = post_form(&self.url, "/api/token", &body)?;
        let json: serde_json::Value = serde_json::from_str(&response).map_err(|err| {
            format!("the token endpoint answered something that is not JSON: {err}")
        })?;
        json["access_token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("the token endpoint gave no access_token: {response}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads `demo user: NAME password: PASSWORD roles: ROLE,ROLE`.
fn parse_demo_user(line: &str) -> Option<(String, String, String)> {
    let rest = line.strip_prefix("demo user: ")?;
    let (name, rest) = rest.split_once(" password: ")?;
    let (password, roles) = rest.split_once(" roles: ")?;
    Some((name.to_string(), password.to_string(), roles.to_string()))
}

fn form_escape(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// A one-shot HTTP/1.1 form POST over loopback; enough for the token call, without a client crate.
fn post_form(base: &str, path: &str, body: &str) -> Result<String, String> {
    let authority = base.strip_prefix("http://").unwrap_or(base);
    let mut stream =
        TcpStream::connect(authority).map_err(|err| format!("cannot reach {base}: {err}"))?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(|err| err.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|err| err.to_string())?;
    let (head, payload) = response
        .split_once("\r\n\r\n")
        .ok_or("the server's answer has no body")?;
    if !head.starts_with("HTTP/1.1 200") {
        return Err(format!(
            "POST {path} answered: {}",
            head.lines().next().unwrap_or("")
        ));
    }
    Ok(payload.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_demo_user_line() {
        assert_eq!(
            parse_demo_user("demo user: member@example.com password: pw 1 roles: A-Create,A-Read"),
            Some((
                "member@example.com".to_string(),
                "pw 1".to_string(),
                "A-Create,A-Read".to_string()
            ))
        );
        assert_eq!(parse_demo_user("listening on http://127.0.0.1:1"), None);
    }

    #[test]
    fn escapes_form_values() {
        assert_eq!(form_escape("a b+c@d.e"), "a%20b%2Bc%40d.e");
    }
}
