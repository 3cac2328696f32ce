//! Starting the local API server and the gateway as child processes, reading what they announce on
//! start, and the few calls `dev` makes to them (a login, minting a member token, an invitation).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A running server, stopped when dropped.
pub struct Server {
    child: Child,
    /// `http://ADDR:PORT`, as the server printed it.
    pub url: String,
}

impl Server {
    /// Starts `binary` with `args` and the variables `env` (the gateway's secrets travel there,
    /// never in arguments).
    pub fn start(binary: &Path, args: &[String], env: &[(&str, &str)]) -> Result<Server, String> {
        let mut child = Command::new(binary)
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|err| format!("could not start {}: {err}", binary.display()))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                return Err(format!(
                    "{} exited before it was listening",
                    binary.display()
                ));
            };
            println!("{line}");
            if let Some(url) = line.strip_prefix("listening on ") {
                break url.trim().to_string();
            }
        };
        // Keep echoing the server's log so a developer sees it.
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                println!("{line}");
            }
        });
        Ok(Server { child, url })
    }

    pub fn wait(mut self) -> Result<(), String> {
        let status = self.child.wait().map_err(|err| err.to_string())?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("the server stopped ({status})"))
        }
    }

    /// Logs a demo user in with the password grant and returns the access token.
    pub fn token(&self, login: &str, password: &str) -> Result<String, String> {
        let body = format!(
            "grant_type=password&username={}&password={}",
            form_escape(login),
            form_escape(password)
        );
        let response = post(&self.url, "/api/token", FORM, &body, None)?;
        let json: serde_json::Value = serde_json::from_str(&response).map_err(|err| {
            format!("the token endpoint answered something that is not JSON: {err}")
        })?;
        json["access_token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("the token endpoint gave no access_token: {response}"))
    }

    /// POSTs a JSON body with the operator key (the gateway's operator routes) and returns the
    /// JSON answer.
    pub fn operator_post(
        &self,
        path: &str,
        body: &serde_json::Value,
        operator_key: &str,
    ) -> Result<serde_json::Value, String> {
        let response = post(
            &self.url,
            path,
            "application/json",
            &body.to_string(),
            Some(operator_key),
        )?;
        serde_json::from_str(&response)
            .map_err(|err| format!("POST {path} answered something that is not JSON: {err}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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

const FORM: &str = "application/x-www-form-urlencoded";

/// A one-shot HTTP/1.1 POST over loopback; enough for the few calls `dev` makes, without a client
/// crate.
fn post(
    base: &str,
    path: &str,
    content_type: &str,
    body: &str,
    bearer: Option<&str>,
) -> Result<String, String> {
    let authority = base.strip_prefix("http://").unwrap_or(base);
    let mut stream =
        TcpStream::connect(authority).map_err(|err| format!("cannot reach {base}: {err}"))?;
    let authorization = bearer.map_or(String::new(), |token| {
        format!("Authorization: Bearer {token}\r\n")
    });
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: {content_type}\r\n{authorization}\
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
    fn escapes_form_values() {
        assert_eq!(form_escape("a b+c@d.e"), "a%20b%2Bc%40d.e");
    }
}
