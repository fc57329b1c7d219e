//! A small GeoIP database in MaxMind DB format, written by the tests themselves (the format is
//! public: https://maxmind.github.io/MaxMind-DB/): an IPv4 search tree with 24-bit records,
//! the data section and the metadata, mapping networks to `{"country": {"iso_code": …}}`.

fn control(kind: u8, size: usize) -> Vec<u8> {
    assert!(size < 29);
    if kind <= 7 { vec![(kind << 5) | size as u8] } else { vec![size as u8, kind - 7] }
}

fn string(s: &str) -> Vec<u8> {
    let mut out = control(2, s.len());
    out.extend_from_slice(s.as_bytes());
    out
}

fn uint(kind: u8, value: u64) -> Vec<u8> {
    let bytes: Vec<u8> = value.to_be_bytes().iter().copied().skip_while(|b| *b == 0).collect();
    let mut out = control(kind, bytes.len());
    out.extend(bytes);
    out
}

fn map(pairs: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = control(7, pairs.len());
    for (k, v) in pairs {
        out.extend(string(k));
        out.extend_from_slice(v);
    }
    out
}

#[derive(Clone, Copy)]
enum Record {
    Empty,
    Node(usize),
    Data(usize),
}

/// The database for `networks`: (IPv4 address, prefix length, ISO country code).
pub fn countries(networks: &[([u8; 4], u32, &str)]) -> Vec<u8> {
    let mut data = Vec::new();
    let mut nodes: Vec<[Record; 2]> = vec![[Record::Empty, Record::Empty]];
    for (address, prefix, code) in networks {
        let offset = data.len();
        data.extend(map(&[("country", map(&[("iso_code", string(code))]))]));
        let bits = u32::from_be_bytes(*address);
        let mut node = 0;
        for depth in 0..*prefix {
            let bit = ((bits >> (31 - depth)) & 1) as usize;
            if depth + 1 == *prefix {
                nodes[node][bit] = Record::Data(offset);
            } else {
                node = match nodes[node][bit] {
                    Record::Node(next) => next,
                    _ => {
                        nodes.push([Record::Empty, Record::Empty]);
                        nodes[node][bit] = Record::Node(nodes.len() - 1);
                        nodes.len() - 1
                    }
                };
            }
        }
    }
    let count = nodes.len();
    let mut out = Vec::new();
    for node in &nodes {
        for record in node {
            let value = match record {
                Record::Empty => count,
                Record::Node(n) => *n,
                Record::Data(offset) => count + 16 + offset,
            } as u32;
            out.extend_from_slice(&value.to_be_bytes()[1..]);
        }
    }
    out.extend_from_slice(&[0u8; 16]);
    out.extend(data);
    out.extend_from_slice(b"\xAB\xCD\xEFMaxMind.com");
    let mut languages = control(11, 1);
    languages.extend(string("en"));
    out.extend(map(&[
        ("binary_format_major_version", uint(5, 2)),
        ("binary_format_minor_version", uint(5, 0)),
        ("build_epoch", uint(9, 1_700_000_000)),
        ("database_type", string("Meent-Test-Country")),
        ("description", map(&[("en", string("Countries for Meent's tests"))])),
        ("ip_version", uint(5, 4)),
        ("languages", languages),
        ("node_count", uint(6, count as u64)),
        ("record_size", uint(5, 24)),
    ]));
    out
}
