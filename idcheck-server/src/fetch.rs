//! The one way this server fetches a URL it was given (a record's `New…Url`): with a policy.
//!
//! A URL from a client must not make the server reach what the client cannot: its own loopback,
//! the operator's private network, a cloud's metadata address (`169.254.169.254`). So every fetch
//! goes through [`Fetcher`], which
//!
//! - takes `http` and `https` only, and checks an address written in the URL itself;
//! - resolves a host name once, through its own resolver, and refuses the name when any of its
//!   addresses is not allowed; the connection is then made to the addresses it checked (reqwest
//!   asks that resolver and no other, and no proxy is used), so a name cannot be re-resolved to
//!   another address between the check and the connection (DNS rebinding);
//! - follows no redirect (a `3xx` is a failure like any other status but `2xx`);
//! - bounds the time (connect 5 s, the whole fetch 10 s) and the size (the caller's cap, counted
//!   while reading);
//! - reports every refusal and failure alike, as [`FetchFailed`]: callers show one message for
//!   all of them, so the server cannot be used to tell a closed port from an open one or a
//!   refused address from a silent one. The reason is kept for the server's own log.
//!
//! Which addresses are allowed is [`AddressPolicy::allows`], a pure function tested range by
//! range without sending a packet. Only globally routable unicast addresses are allowed by
//! default; `--allow-private-fetch` (development and tests, never the default) adds loopback, the
//! private ranges and unique-local IPv6, and never link-local (so never the metadata address).
//!
//! Architecture invariant: this module knows nothing of the rest of the server; it hands back
//! bytes or a failure.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::CONTENT_LENGTH;
use url::Host;

/// How long one fetch may take in all: resolving, connecting, the answer and its body.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// How long connecting may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Where an address belongs, as far as fetching is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressRange {
    /// Globally routable unicast: the public internet.
    Global,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// RFC 1918 (`10/8`, `172.16/12`, `192.168/16`), shared address space (`100.64/10`) and
    /// unique-local IPv6 (`fc00::/7`): an operator's own network.
    Private,
    /// `169.254/16` (the cloud metadata address among them) and `fe80::/10`.
    LinkLocal,
    /// Everything else that is not public unicast: unspecified, "this network", multicast,
    /// broadcast, reserved, documentation and benchmarking ranges, protocol assignments, and IPv6
    /// forms that embed one of those.
    Special,
}

/// Which ranges a fetch may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressPolicy {
    /// The default: only [`AddressRange::Global`].
    PublicOnly,
    /// `--allow-private-fetch`: also loopback and the private ranges (development and tests).
    AllowPrivate,
}

impl AddressPolicy {
    pub fn allows(self, ip: IpAddr) -> bool {
        match range_of(ip) {
            AddressRange::Global => true,
            AddressRange::Loopback | AddressRange::Private => self == AddressPolicy::AllowPrivate,
            AddressRange::LinkLocal | AddressRange::Special => false,
        }
    }
}

/// The range `ip` belongs to.
pub fn range_of(ip: IpAddr) -> AddressRange {
    match ip {
        IpAddr::V4(v4) => range_of_v4(v4),
        IpAddr::V6(v6) => range_of_v6(v6),
    }
}

fn range_of_v4(ip: Ipv4Addr) -> AddressRange {
    use AddressRange::*;
    let [a, b, c, _] = ip.octets();
    match (a, b, c) {
        (127, _, _) => Loopback,
        (10, _, _) | (172, 16..=31, _) | (192, 168, _) | (100, 64..=127, _) => Private,
        (169, 254, _) => LinkLocal,
        // "This network" (0.0.0.0 reaches the local host on Linux).
        (0, _, _) => Special,
        // IETF protocol assignments, TEST-NET-1/2/3, the old 6to4 relay, benchmarking.
        (192, 0, 0) | (192, 0, 2) | (192, 88, 99) | (198, 51, 100) | (203, 0, 113) => Special,
        (198, 18..=19, _) => Special,
        // Multicast, reserved, broadcast.
        (224..=255, _, _) => Special,
        _ => Global,
    }
}

fn range_of_v6(ip: Ipv6Addr) -> AddressRange {
    use AddressRange::*;
    if let Some(v4) = ip.to_ipv4_mapped() {
        return range_of_v4(v4);
    }
    if ip.is_loopback() {
        return Loopback;
    }
    let s = ip.segments();
    let embedded = |high: u16, low: u16| Ipv4Addr::from((u32::from(high) << 16) | u32::from(low));
    // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address: judge that one, and never
    // let them reach a local one through a translator.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] || s[0] == 0x2002 {
        let v4 = if s[0] == 0x2002 {
            embedded(s[1], s[2])
        } else {
            embedded(s[6], s[7])
        };
        return match range_of_v4(v4) {
            Global => Global,
            _ => Special,
        };
    }
    if s[0] & 0xfe00 == 0xfc00 {
        return Private;
    }
    if s[0] & 0xffc0 == 0xfe80 {
        return LinkLocal;
    }
    // Global unicast is 2000::/3; outside it: unspecified, IPv4-compatible, discard-only,
    // site-local, multicast, NAT64 local use, SRv6 and the rest of the reserved space.
    if s[0] & 0xe000 != 0x2000 {
        return Special;
    }
    // IETF protocol assignments (2001::/23, Teredo among them) and documentation (2001:db8::/32,
    // 3fff::/20).
    if (s[0] == 0x2001 && (s[1] < 0x0200 || s[1] == 0x0db8)) || (s[0] == 0x3fff && s[1] < 0x1000) {
        return Special;
    }
    Global
}

/// A fetch that did not give bytes, for whatever reason. Its `Display` is for the server's log;
/// what a client is told is one fixed message whatever the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchFailed {
    reason: String,
}

impl FetchFailed {
    fn new(reason: impl Into<String>) -> FetchFailed {
        FetchFailed {
            reason: reason.into(),
        }
    }
}

impl fmt::Display for FetchFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

/// Checks the URL itself: its scheme, and an address written in it (a host name is checked when
/// it is resolved, by [`CheckedResolver`]).
pub fn check_url(url: &Url, policy: AddressPolicy) -> Result<(), FetchFailed> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchFailed::new("not an http or https URL"));
    }
    let ip = match url.host() {
        None => return Err(FetchFailed::new("the URL names no host")),
        Some(Host::Domain(_)) => return Ok(()),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
    };
    if policy.allows(ip) {
        Ok(())
    } else {
        Err(FetchFailed::new(format!(
            "the address {ip} is not allowed ({:?})",
            range_of(ip)
        )))
    }
}

/// The addresses a name resolved to, if every one of them is allowed. A name with one address
/// that is not allowed is refused whole: trying "the good one" would still let a client learn
/// something of the others.
pub fn checked_addresses(
    addresses: Vec<SocketAddr>,
    policy: AddressPolicy,
) -> Result<Vec<SocketAddr>, FetchFailed> {
    if addresses.is_empty() {
        return Err(FetchFailed::new("the name has no address"));
    }
    if let Some(refused) = addresses.iter().find(|a| !policy.allows(a.ip())) {
        return Err(FetchFailed::new(format!(
            "the name resolves to {} ({:?}), which is not allowed",
            refused.ip(),
            range_of(refused.ip())
        )));
    }
    Ok(addresses)
}

/// reqwest's resolver for this client: the system's lookup, then [`checked_addresses`]. What it
/// returns is what reqwest connects to.
struct CheckedResolver {
    policy: AddressPolicy,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let checked = checked_addresses(found, policy)
                .map_err(|err| Box::new(std::io::Error::other(err.reason)))?;
            Ok(Box::new(checked.into_iter()) as Addrs)
        })
    }
}

/// The HTTP client with the policy built in.
pub struct Fetcher {
    client: reqwest::Client,
    policy: AddressPolicy,
}

impl Fetcher {
    pub fn new(policy: AddressPolicy) -> Result<Fetcher, String> {
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(CheckedResolver { policy }))
            // A proxy would resolve and connect on our behalf, past the resolver's check.
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(FETCH_TIMEOUT)
            .user_agent(concat!("idcheck-server/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| format!("cannot build the HTTP client: {err}"))?;
        Ok(Fetcher { client, policy })
    }

    pub fn policy(&self) -> AddressPolicy {
        self.policy
    }

    /// The body of a `2xx` answer to `GET url`, at most `max_bytes` long.
    pub async fn fetch(&self, url: &Url, max_bytes: usize) -> Result<Vec<u8>, FetchFailed> {
        check_url(url, self.policy)?;
        tokio::time::timeout(FETCH_TIMEOUT, self.fetch_checked(url, max_bytes))
            .await
            .map_err(|_| FetchFailed::new("no whole answer within the time limit"))?
    }

    async fn fetch_checked(&self, url: &Url, max_bytes: usize) -> Result<Vec<u8>, FetchFailed> {
        let mut response = self
            .client
            .get(url.clone())
            .send()
            .await
            .map_err(|err| FetchFailed::new(describe(&err)))?;
        let status = response.status();
        if !status.is_success() {
            // Redirects included: they are not followed, and not reported as anything special.
            return Err(FetchFailed::new(format!("the answer was HTTP {status}")));
        }
        let declared = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|length| length > max_bytes as u64) {
            return Err(FetchFailed::new("the answer declares a body over the cap"));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|err| FetchFailed::new(describe(&err)))?
        {
            if bytes.len() + chunk.len() > max_bytes {
                return Err(FetchFailed::new("the body goes over the cap"));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }
}

fn describe(err: &reqwest::Error) -> String {
    // The source chain names the resolver's refusal; the URL is left out (it may carry secrets).
    let mut text = if err.is_timeout() {
        "timed out".to_string()
    } else if err.is_connect() {
        "could not connect".to_string()
    } else {
        "the transfer failed".to_string()
    };
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use AddressRange::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ranges_are_told_apart() {
        for (text, range) in [
            ("8.8.8.8", Global),
            ("1.1.1.1", Global),
            ("127.0.0.1", Loopback),
            ("127.255.0.9", Loopback),
            ("10.1.2.3", Private),
            ("172.16.0.1", Private),
            ("172.31.255.255", Private),
            ("172.32.0.1", Global),
            ("192.168.1.1", Private),
            ("100.64.0.1", Private),
            ("169.254.169.254", LinkLocal),
            ("0.0.0.0", Special),
            ("224.0.0.1", Special),
            ("255.255.255.255", Special),
            ("192.0.2.1", Special),
            ("198.18.0.1", Special),
            ("::1", Loopback),
            ("::", Special),
            ("::ffff:127.0.0.1", Loopback),
            ("::ffff:169.254.169.254", LinkLocal),
            ("::ffff:8.8.8.8", Global),
            ("64:ff9b::7f00:1", Special),
            ("64:ff9b::808:808", Global),
            ("2002:7f00:1::", Special),
            ("fd00::1", Private),
            ("fe80::1", LinkLocal),
            ("ff02::1", Special),
            ("2001:db8::1", Special),
            ("2001::1", Special),
            ("2606:4700::1111", Global),
        ] {
            assert_eq!(range_of(ip(text)), range, "{text}");
        }
    }

    #[test]
    fn the_private_opt_in_never_opens_link_local_or_special() {
        for text in ["169.254.169.254", "fe80::1", "0.0.0.0", "ff02::1", "::"] {
            assert!(!AddressPolicy::AllowPrivate.allows(ip(text)), "{text}");
        }
        for text in ["127.0.0.1", "::1", "10.0.0.1", "fd00::1"] {
            assert!(AddressPolicy::AllowPrivate.allows(ip(text)), "{text}");
            assert!(!AddressPolicy::PublicOnly.allows(ip(text)), "{text}");
        }
    }

    #[test]
    fn urls_are_checked_by_scheme_and_written_address() {
        let check = |text: &str| check_url(&Url::parse(text).unwrap(), AddressPolicy::PublicOnly);
        assert!(
            check("https://example.com/a.png").is_ok(),
            "names wait for the resolver"
        );
        assert!(check("http://8.8.8.8/a.png").is_ok());
        for refused in [
            "ftp://8.8.8.8/a.png",
            "http://127.0.0.1/a.png",
            "http://2130706433/a.png",
            "http://0x7f.1/a.png",
            "http://[::ffff:7f00:1]/a.png",
            "http://169.254.169.254/latest/meta-data/",
        ] {
            assert!(check(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn a_name_with_one_address_not_allowed_is_refused_whole() {
        let public: SocketAddr = "8.8.8.8:0".parse().unwrap();
        let local: SocketAddr = "127.0.0.1:0".parse().unwrap();
        assert!(checked_addresses(vec![public], AddressPolicy::PublicOnly).is_ok());
        assert!(checked_addresses(vec![public, local], AddressPolicy::PublicOnly).is_err());
        assert!(checked_addresses(vec![], AddressPolicy::PublicOnly).is_err());
    }
}
