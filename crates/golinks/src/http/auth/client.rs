//! Who is on the other end of the connection: the client's address, and whether the
//! `X-Forwarded-*` headers may be believed. They are only when the TCP peer is one of the
//! `--trusted-proxies`; anyone else could write them. This is the one place that decides;
//! [`layer`] applies the decision to every request before any handler runs: it records the
//! [`Client`] and removes forwarded headers it does not believe, so that `origin::is_https`,
//! `request_origin` and the SCIM base URL cannot read a forged `X-Forwarded-Proto`.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

use crate::app::AppState;

/// Headers a proxy sets to say who the client is and how it connected.
const FORWARDED_HEADERS: [&str; 4] = [
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-forwarded-host",
    "forwarded",
];

/// An address range, `10.0.0.0/8` or `fd00::/8`; a bare address is a range of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

#[derive(Debug, thiserror::Error)]
#[error("not an address range (e.g. 10.0.0.0/8, fd00::/8 or 192.0.2.7): {0:?}")]
pub struct CidrError(String);

impl FromStr for Cidr {
    type Err = CidrError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let bad = || CidrError(raw.to_owned());
        let (addr, prefix) = raw.trim().split_once('/').unwrap_or((raw.trim(), ""));
        let network: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = if prefix.is_empty() {
            max
        } else {
            prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(bad)?
        };
        Ok(Cidr {
            network: mask(network, prefix),
            prefix,
        })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        ip.is_ipv4() == self.network.is_ipv4() && mask(ip, self.prefix) == self.network
    }
}

/// `ip` with all but its first `prefix` bits cleared.
fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let bits = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((u32::from(v4) & bits).into())
        }
        IpAddr::V6(v6) => {
            let bits = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((u128::from(v6) & bits).into())
        }
    }
}

/// An IPv4 client reaching a dual-stack socket appears as `::ffff:a.b.c.d`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The key that per-address limits count by: the address, or for IPv6 its /64, since one
/// subscriber usually holds a whole /64 and could otherwise change address at every attempt.
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64))),
        v4 => v4,
    }
}

/// The client of one request, as decided by [`client_of`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    pub addr: IpAddr,
    /// Whether the peer is a trusted proxy, whose `X-Forwarded-*` headers are believed.
    pub via_trusted_proxy: bool,
}

/// The rule. From an untrusted peer, the peer is the client and its forwarded headers are
/// ignored. From a trusted proxy, `X-Forwarded-For` is walked from the right, since each
/// proxy appends the address it received from: the first entry that is not itself a trusted
/// proxy is the client; entries left of it are whatever the client sent and may be forged.
pub fn client_of(peer: IpAddr, headers: &HeaderMap, trusted: &[Cidr]) -> Client {
    let peer = canonical(peer);
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return Client {
            addr: peer,
            via_trusted_proxy: false,
        };
    }
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    let mut addr = peer;
    for entry in entries.iter().rev() {
        // A proxy that cannot tell (or a garbled entry) ends the walk at the last known hop.
        let Some(ip) = parse_entry(entry) else { break };
        addr = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    Client {
        addr,
        via_trusted_proxy: true,
    }
}

/// One `X-Forwarded-For` entry: `192.0.2.7`, `2001:db8::1`, or with a port.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(canonical)
}

/// Decides the [`Client`] of every request and drops the forwarded headers of an untrusted
/// peer (with one warning per process: a proxy is probably missing from `--trusted-proxies`).
pub async fn layer(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if let Some(peer) = peer {
        let client = client_of(peer, request.headers(), &state.config.trusted_proxies);
        if !client.via_trusted_proxy {
            drop_forwarded_headers(request.headers_mut(), peer);
        }
        request.extensions_mut().insert(client);
    } else {
        drop_forwarded_headers(request.headers_mut(), IpAddr::from([0, 0, 0, 0]));
    }
    next.run(request).await
}

static WARNED: AtomicBool = AtomicBool::new(false);

fn drop_forwarded_headers(headers: &mut HeaderMap, peer: IpAddr) {
    let mut found = false;
    for name in FORWARDED_HEADERS {
        found |= headers.remove(name).is_some();
    }
    if found && !WARNED.swap(true, Ordering::Relaxed) {
        tracing::warn!(
            %peer,
            "ignoring X-Forwarded-* headers from a peer that is not in --trusted-proxies \
             (logged once); if this server runs behind a reverse proxy, add its address there"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    fn xff(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.append("x-forwarded-for", value.parse().expect("value"));
        h
    }

    fn ranges(list: &[&str]) -> Vec<Cidr> {
        list.iter().map(|c| c.parse().expect("cidr")).collect()
    }

    #[test]
    fn address_ranges_parse_and_match() {
        let net: Cidr = "10.1.0.0/16".parse().expect("cidr");
        assert!(net.contains(ip("10.1.200.3")));
        assert!(!net.contains(ip("10.2.0.1")));
        assert!(net.contains(ip("::ffff:10.1.0.9")), "IPv4-mapped IPv6");
        let one: Cidr = "192.0.2.7".parse().expect("cidr");
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let v6: Cidr = "fd00::/8".parse().expect("cidr");
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        assert!(
            "0.0.0.0/0"
                .parse::<Cidr>()
                .expect("all")
                .contains(ip("8.8.8.8"))
        );
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "10.0.0/8",
            "example.com/8",
            "10.0.0.0/x",
        ] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_its_headers_say() {
        let client = client_of(
            ip("203.0.113.5"),
            &xff("198.51.100.1"),
            &ranges(&["10.0.0.0/8"]),
        );
        assert_eq!(client.addr, ip("203.0.113.5"));
        assert!(
            !client.via_trusted_proxy,
            "its X-Forwarded-* are not believed"
        );
        let nobody_trusted = client_of(ip("10.0.0.1"), &xff("198.51.100.1"), &[]);
        assert_eq!(nobody_trusted.addr, ip("10.0.0.1"));
    }

    #[test]
    fn forged_entries_left_of_the_proxys_own_are_ignored() {
        let proxies = ranges(&["10.0.0.0/8"]);
        let client = client_of(ip("10.0.0.1"), &xff("6.6.6.6, 192.0.2.7"), &proxies);
        assert_eq!(client.addr, ip("192.0.2.7"), "the entry the proxy appended");
        assert!(client.via_trusted_proxy);
    }

    #[test]
    fn a_chain_of_trusted_proxies_is_walked_from_the_right() {
        let proxies = ranges(&["10.0.0.0/8", "fd00::/8"]);
        let mut headers = xff("6.6.6.6, 192.0.2.7, 10.0.0.9");
        headers.append("x-forwarded-for", "fd00::2".parse().expect("value"));
        let client = client_of(ip("10.0.0.1"), &headers, &proxies);
        assert_eq!(client.addr, ip("192.0.2.7"));
        let only_proxies = client_of(ip("10.0.0.1"), &xff("10.0.0.3, 10.0.0.2"), &proxies);
        assert_eq!(only_proxies.addr, ip("10.0.0.3"), "the farthest hop");
        let garbled = client_of(ip("10.0.0.1"), &xff("6.6.6.6, junk, 10.0.0.2"), &proxies);
        assert_eq!(
            garbled.addr,
            ip("10.0.0.2"),
            "the walk stops at a garbled entry"
        );
        let with_port = client_of(ip("10.0.0.1"), &xff("[2001:db8::7]:4711"), &proxies);
        assert_eq!(with_port.addr, ip("2001:db8::7"));
        let none = client_of(ip("10.0.0.1"), &HeaderMap::new(), &proxies);
        assert_eq!(none.addr, ip("10.0.0.1"));
    }

    #[test]
    fn ipv6_clients_are_counted_per_64() {
        assert_eq!(
            limit_key(ip("2001:db8:1:2:aaaa::1")),
            limit_key(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            limit_key(ip("2001:db8:1:2::1")),
            limit_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(limit_key(ip("192.0.2.7")), ip("192.0.2.7"));
        assert_eq!(limit_key(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
    }
}
