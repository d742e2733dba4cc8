//! Credentials out of everything trellis shows.

/// `text` with the user information of every URL in it (`https://user:token@host`)
/// replaced by `***`: GOPROXY, index and template URLs may carry
/// credentials, and reports, errors and logs end up in CI output.
pub(crate) fn userinfo(text: &str) -> String {
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

/// `url` without the credentials in it, for what trellis stores (the
/// scaffold state file is committed): the user information of an
/// `http(s)://` or `git://` URL is dropped whole (a token is often the
/// user name alone); an `ssh://` URL keeps its user name, which selects
/// the key, and drops a password. `git@host:path` has no password to drop.
pub(crate) fn strip_userinfo(url: &str) -> String {
    let Some(i) = url.find("://") else {
        return url.to_string();
    };
    let (scheme, after) = (&url[..i], &url[i + 3..]);
    let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let authority = &after[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let (user, host) = (&authority[..at], &authority[at + 1..]);
    let kept = if scheme.eq_ignore_ascii_case("ssh") {
        match user.split_once(':') {
            Some((name, _)) => format!("{name}@"),
            None => format!("{user}@"),
        }
    } else {
        String::new()
    };
    format!("{scheme}://{kept}{host}{}", &after[authority_end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_urls_carry_no_credentials() {
        assert_eq!(
            strip_userinfo("https://alice:s3cret@git.example/t.git"),
            "https://git.example/t.git"
        );
        assert_eq!(
            strip_userinfo("https://ghp_token@github.com/o/t.git"),
            "https://github.com/o/t.git"
        );
        assert_eq!(
            strip_userinfo("ssh://git:pw@host/o/t.git"),
            "ssh://git@host/o/t.git"
        );
        assert_eq!(
            strip_userinfo("ssh://git@host/o/t.git"),
            "ssh://git@host/o/t.git"
        );
        assert_eq!(strip_userinfo("git@host:o/t.git"), "git@host:o/t.git");
        assert_eq!(strip_userinfo("file:///tmp/t"), "file:///tmp/t");
        assert_eq!(
            strip_userinfo("https://h.example/a@b/t.git"),
            "https://h.example/a@b/t.git"
        );
    }

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
