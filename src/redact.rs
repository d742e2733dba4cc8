//! Credentials out of everything trellis shows.

/// `text` with the user information of every URL in it (`https://user:token@host`)
/// replaced by `***`: GOPROXY, index and template URLs may carry
/// credentials, and reports, errors and logs end up in CI output.
pub fn userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (before, after) = rest.split_at(i + 3);
        out.push_str(before);
        let authority_end = after
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | ',' | '|' | ')' | '"' | '\'') || c.is_whitespace()
            })
            .unwrap_or(after.len());
        let authority = &after[..authority_end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str("***");
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[authority_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_information_in_urls_is_redacted() {
        assert_eq!(
            userinfo("GOPROXY=https://alice:s3cret@proxy.example/go,https://tok@b.example|direct"),
            "GOPROXY=https://***@proxy.example/go,https://***@b.example|direct"
        );
        assert_eq!(
            userinfo("error sending request for url (http://u:p@127.0.0.1:8080/m/@v/list)"),
            "error sending request for url (http://***@127.0.0.1:8080/m/@v/list)"
        );
        // An `@` in the path is not user information.
        assert_eq!(
            userinfo("https://proxy.example/m/@v/list"),
            "https://proxy.example/m/@v/list"
        );
        assert_eq!(userinfo("no url here"), "no url here");
    }
}
