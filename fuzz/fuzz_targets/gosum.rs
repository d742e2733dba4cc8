//! go.sum: any input parses or fails with a position, never panics; whatever
//! parses formats to text that parses to the same lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trellis::drift::gomod::sum::GoSum;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(parsed) = GoSum::parse(text) {
        let again = GoSum::parse(&parsed.format()).expect("formatted go.sum parses");
        let strip = |s: &GoSum| {
            s.lines
                .iter()
                .map(|l| (l.path.clone(), l.version.clone(), l.go_mod_only, l.hash.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&parsed), strip(&again));
    }
});
