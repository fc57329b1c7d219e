//! How failed logins slow down the next attempt. Nothing here locks an account: a key (an
//! account from unknown browsers, one browser, a client network) that failed often waits
//! longer before its next try, up to `MAX_DELAY`. The rightful user on a browser that signed
//! in before is keyed by that browser, so strangers' failures never slow them down.

use std::net::IpAddr;

/// Failures are counted over this window (seconds): longer than the longest delay, so the
/// delays build up instead of starting over every quarter of an hour.
pub const WINDOW: i64 = 24 * 3600;
/// The longest wait between two attempts of one key (seconds).
pub const MAX_DELAY: i64 = 15 * 60;

/// What is throttled, with the failures it may have before it has to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// An account, for attempts from browsers that never signed in to it.
    Account,
    /// A browser that signed in to the account before (the `meent_device` cookie).
    Device,
    /// A client network: one IPv4 address, or an IPv6 /64.
    Network,
}

impl KeyKind {
    fn free(self) -> i64 {
        match self {
            KeyKind::Account => 5,
            KeyKind::Device => 10,
            KeyKind::Network => 20,
        }
    }

    pub fn key(self, value: &str) -> String {
        let prefix = match self {
            KeyKind::Account => "account",
            KeyKind::Device => "device",
            KeyKind::Network => "address",
        };
        format!("{prefix}:{value}")
    }
}

/// The first wait, once a key used its free failures.
pub const FIRST_DELAY: i64 = 15;

/// Seconds to wait after the last failure, when a key had `failures` in the window.
pub fn delay(kind: KeyKind, failures: i64) -> i64 {
    let over = failures - kind.free();
    if over < 0 {
        return 0;
    }
    // 15 s, 30 s, 1 min … doubling per failure beyond the free ones.
    FIRST_DELAY.checked_shl(over.min(30) as u32).unwrap_or(MAX_DELAY).min(MAX_DELAY)
}

/// Seconds until a key may try again (0: now).
pub fn wait(kind: KeyKind, failures: i64, last: Option<i64>, now: i64) -> i64 {
    match last {
        Some(last) => (last + delay(kind, failures) - now).max(0),
        None => 0,
    }
}

/// The network a client address belongs to for throttling: the address itself for IPv4, its
/// /64 for IPv6 (one subscriber usually gets a whole /64 and can rotate within it).
pub fn network(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64))),
        v4 => v4,
    }
}

/// `network` for an address written as text; text that is not an address stays as it is.
pub fn network_of(address: &str) -> String {
    address.parse::<IpAddr>().map(|ip| network(ip).to_string()).unwrap_or_else(|_| address.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_are_capped() {
        assert_eq!(delay(KeyKind::Account, 0), 0);
        assert_eq!(delay(KeyKind::Account, 4), 0);
        assert_eq!(delay(KeyKind::Account, 5), 15);
        assert_eq!(delay(KeyKind::Account, 7), 60);
        assert_eq!(delay(KeyKind::Account, 500), MAX_DELAY);
        assert_eq!(wait(KeyKind::Account, 7, Some(100), 104), 56);
        assert_eq!(wait(KeyKind::Account, 7, Some(100), 200), 0);
        assert_eq!(wait(KeyKind::Network, 3, Some(100), 100), 0);
    }

    #[test]
    fn ipv6_counts_per_64() {
        assert_eq!(network_of("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::");
        assert_eq!(network_of("2001:db8:1:2:ffff::9"), network_of("2001:db8:1:2::1"));
        assert_ne!(network_of("2001:db8:1:3::1"), network_of("2001:db8:1:2::1"));
        assert_eq!(network_of("192.0.2.7"), "192.0.2.7");
        assert_eq!(network_of("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(network_of("unknown"), "unknown");
    }
}
