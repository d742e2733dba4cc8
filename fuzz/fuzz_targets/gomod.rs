//! go.mod and go.work: any input parses or fails with a position, never
//! panics; whatever parses formats to text that parses to the same contents.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trellis::drift::gomod::{Mode, parse_go_mod, parse_go_work};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_go_work(text);
    let _ = parse_go_mod(text, Mode::Lax);
    if let Ok(parsed) = parse_go_mod(text, Mode::Strict) {
        let formatted = parsed.format();
        let again = parse_go_mod(&formatted, Mode::Strict)
            .unwrap_or_else(|e| panic!("formatted go.mod does not parse: {e:?}\n{formatted}"));
        assert_eq!(parsed.without_positions(), again.without_positions());
    }
});
