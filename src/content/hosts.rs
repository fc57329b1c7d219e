//! Host names: how sites are found from the HTTP Host header.

/// Lowercases a host, drops a port and a trailing dot, and checks it is a host name.
/// "Diemen.Localhost:8080" gives "diemen.localhost".
pub fn normalize_host(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let without_port = if let Some(rest) = raw.strip_prefix('[') {
        // An IPv6 literal such as [::1]:8080.
        let end = rest.find(']')?;
        return Some(format!("[{}]", rest[..end].to_ascii_lowercase()));
    } else {
        match raw.rsplit_once(':') {
            Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
            Some(_) => return None,
            None => raw,
        }
    };
    let host = without_port.strip_suffix('.').unwrap_or(without_port).to_ascii_lowercase();
    let valid = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    valid.then_some(host)
}

/// The port of a Host header value, if it names one.
pub fn port_of(raw: &str) -> Option<u16> {
    let raw = raw.trim();
    let after = match raw.rfind(']') {
        Some(i) => &raw[i + 1..],
        None => raw,
    };
    after.rsplit_once(':').and_then(|(_, p)| p.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes() {
        assert_eq!(normalize_host("Diemen.Localhost:8080").as_deref(), Some("diemen.localhost"));
        assert_eq!(normalize_host("diemen.localhost.").as_deref(), Some("diemen.localhost"));
        assert_eq!(normalize_host("[::1]:80").as_deref(), Some("[::1]"));
        assert_eq!(normalize_host("a b"), None);
        assert_eq!(normalize_host("http://x"), None);
        assert_eq!(normalize_host(""), None);
        assert_eq!(port_of("diemen.localhost:8080"), Some(8080));
        assert_eq!(port_of("diemen.localhost"), None);
    }
}
