//! Signing `manifest.json` with an SSH key (SSHSIG), and checking it against
//! an OpenSSH `allowed_signers` file.
//!
//! The signature is what `ssh-keygen -Y sign -n trustsite-manifest` writes:
//! an armored SSHSIG over the manifest's bytes, SHA-512 inside, made with an
//! Ed25519 key. Ed25519 is deterministic, so the same manifest and key give
//! the same signature bytes. The key is held in memory only (the `ssh-key`
//! crate zeroizes it on drop); it is never written anywhere. Checking trusts
//! only the keys of the verifier's `allowed_signers` file whose principal
//! pattern matches the site's host, never a key shipped with the site.

use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

/// File name of the signature beside `manifest.json`.
pub const SIG_FILE: &str = "manifest.json.sig";
/// SSHSIG namespace of manifest signatures.
pub const NAMESPACE: &str = "trustsite-manifest";
/// Environment variable holding the signing key (a path or the key text).
pub const KEY_ENV: &str = "TRUSTSITE_SIGNING_KEY";

/// An Ed25519 signing key, in memory only.
pub struct Signer {
    key: PrivateKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({})", self.fingerprint())
    }
}

impl Signer {
    /// The key from `text` (an OpenSSH private key); `origin` names it in
    /// messages (never the text itself).
    pub fn from_openssh(text: &str, origin: &str) -> Result<Signer, String> {
        let text = text.trim().replace("\r\n", "\n") + "\n";
        let key = PrivateKey::from_openssh(text.as_bytes()).map_err(|e| {
            format!("{origin}: not an OpenSSH private key ({e}); generate one with `ssh-keygen -t ed25519 -N '' -f trustsite-signing`")
        })?;
        if key.is_encrypted() {
            return Err(format!(
                "{origin}: the key is protected by a passphrase; trustsite signs unattended and needs an unencrypted key (keep it in your CI's secret store)"
            ));
        }
        if key.algorithm() != ssh_key::Algorithm::Ed25519 {
            return Err(format!(
                "{origin}: a {} key; trustsite signs with Ed25519 keys only (`ssh-keygen -t ed25519`)",
                key.algorithm()
            ));
        }
        Ok(Signer { key })
    }

    /// The key named by `--sign-key PATH`, else by `TRUSTSITE_SIGNING_KEY`
    /// (`env`: its value), which is a path or the key text itself.
    pub fn resolve(
        path: Option<&std::path::Path>,
        env: Option<&str>,
    ) -> Result<Option<Signer>, String> {
        if let Some(path) = path {
            return Self::from_path(path, &format!("--sign-key {}", path.display())).map(Some);
        }
        match env.map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) if v.contains("-----BEGIN") => Self::from_openssh(v, KEY_ENV).map(Some),
            Some(v) => Self::from_path(std::path::Path::new(v), KEY_ENV).map(Some),
        }
    }

    fn from_path(path: &std::path::Path, origin: &str) -> Result<Signer, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{origin}: cannot read {}: {e}", path.display()))?;
        Self::from_openssh(&text, origin)
    }

    /// `SHA256:...` fingerprint of the public key.
    pub fn fingerprint(&self) -> String {
        self.key
            .public_key()
            .fingerprint(HashAlg::Sha256)
            .to_string()
    }

    /// The armored SSHSIG of `message` (the manifest's bytes).
    pub fn sign(&self, message: &[u8]) -> Result<String, String> {
        let sig = self
            .key
            .sign(NAMESPACE, HashAlg::Sha512, message)
            .map_err(|e| format!("cannot sign the manifest: {e}"))?;
        let mut pem = sig
            .to_pem(LineEnding::LF)
            .map_err(|e| format!("cannot encode the signature: {e}"))?;
        if !pem.ends_with('\n') {
            pem.push('\n');
        }
        Ok(pem)
    }
}

/// One usable line of an `allowed_signers` file.
#[derive(Debug, Clone)]
pub struct AllowedSigner {
    /// Comma-separated principal patterns (`*`, `?`, `!` negation).
    pub principals: String,
    /// `namespaces="..."` patterns, when the line restricts them.
    pub namespaces: Option<String>,
    /// The pinned key.
    pub key: PublicKey,
    /// Line number in the file.
    pub line: usize,
}

/// Parses an `allowed_signers` file (OpenSSH format: `principals [options]
/// keytype base64 [comment]`). Lines with `cert-authority`, `valid-after`
/// or `valid-before` are refused (not supported), so a verifier never
/// trusts a line more widely than it reads.
pub fn parse_allowed_signers(text: &str) -> Result<Vec<AllowedSigner>, String> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = i + 1;
        let (principals, rest) = split_token(line);
        let (options, key_text) = if is_key_type(first_word(rest)) {
            (None, rest)
        } else {
            let (opts, rest) = split_token(rest);
            (Some(opts), rest)
        };
        let mut namespaces = None;
        for opt in options.map(split_options).unwrap_or_default() {
            let (name, value) = opt.split_once('=').unwrap_or((opt.as_str(), ""));
            match name.to_ascii_lowercase().as_str() {
                "namespaces" => namespaces = Some(value.trim_matches('"').to_string()),
                other => {
                    return Err(format!(
                        "line {at}: option `{other}` is not supported by trustsite verify (use plain key lines)"
                    ));
                }
            }
        }
        let key = PublicKey::from_openssh(key_text.trim())
            .map_err(|e| format!("line {at}: not a public key ({e})"))?;
        out.push(AllowedSigner {
            principals: principals.to_string(),
            namespaces,
            key,
            line: at,
        });
    }
    Ok(out)
}

fn first_word(s: &str) -> &str {
    s.split_whitespace().next().unwrap_or("")
}

fn is_key_type(word: &str) -> bool {
    word.starts_with("ssh-") || word.starts_with("ecdsa-sha2-") || word.starts_with("sk-")
}

/// The first whitespace-separated token (quotes keep spaces) and the rest.
fn split_token(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => return (&s[..i], s[i..].trim_start()),
            _ => {}
        }
    }
    (s, "")
}

/// Comma-separated options; commas inside quotes do not split.
fn split_options(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in s.chars() {
        if c == '"' {
            quoted = !quoted;
        }
        if c == ',' && !quoted {
            out.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    out.push(current);
    out.into_iter().filter(|o| !o.is_empty()).collect()
}

/// OpenSSH `match_pattern_list`: true when `name` matches a pattern of the
/// comma-separated `list` and no negated (`!`) pattern.
pub fn matches_pattern_list(name: &str, list: &str) -> bool {
    let mut matched = false;
    for pattern in list.split(',') {
        let (negated, pattern) = match pattern.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, pattern),
        };
        if glob(&name.to_ascii_lowercase(), &pattern.to_ascii_lowercase()) {
            if negated {
                return false;
            }
            matched = true;
        }
    }
    matched
}

/// `*` and `?` wildcards.
fn glob(name: &str, pattern: &str) -> bool {
    let (n, p): (Vec<char>, Vec<char>) = (name.chars().collect(), pattern.chars().collect());
    let (mut ni, mut pi, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            ni += 1;
            pi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Checks the armored SSHSIG `sig` over `message` for `principal`: the
/// namespace is ours and the key is one the allowed signers pin for the
/// principal. Ok names the key's fingerprint and the line that pinned it.
pub fn check(
    message: &[u8],
    sig: &str,
    principal: &str,
    allowed: &[AllowedSigner],
) -> Result<String, String> {
    let sig = SshSig::from_pem(sig.trim().as_bytes())
        .map_err(|e| format!("{SIG_FILE} is not an SSH signature ({e})"))?;
    if sig.namespace() != NAMESPACE {
        return Err(format!(
            "{SIG_FILE} is signed for namespace `{}`, not `{NAMESPACE}`",
            sig.namespace()
        ));
    }
    let pinned = allowed.iter().find(|a| {
        a.key.key_data() == sig.public_key()
            && matches_pattern_list(principal, &a.principals)
            && a.namespaces
                .as_deref()
                .is_none_or(|ns| matches_pattern_list(NAMESPACE, ns))
    });
    let fingerprint = sig.public_key().fingerprint(HashAlg::Sha256);
    let Some(pinned) = pinned else {
        return Err(format!(
            "{SIG_FILE} is signed by key {fingerprint}, which the allowed signers do not pin for principal `{principal}` and namespace `{NAMESPACE}`"
        ));
    };
    pinned
        .key
        .verify(NAMESPACE, message, &sig)
        .map_err(|_| format!("{SIG_FILE} does not match manifest.json (the manifest was changed after signing, or the signature is forged)"))?;
    Ok(format!(
        "{fingerprint} (allowed signers line {})",
        pinned.line
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principal_patterns_follow_openssh() {
        assert!(matches_pattern_list(
            "trust.example.com",
            "trust.example.com"
        ));
        assert!(matches_pattern_list("trust.example.com", "*.example.com"));
        assert!(matches_pattern_list(
            "TRUST.example.com",
            "x,trust.exampl?.com"
        ));
        assert!(!matches_pattern_list(
            "trust.example.com",
            "*.example.com,!trust.*"
        ));
        assert!(!matches_pattern_list("trust.example.com", "example.com"));
        assert!(!matches_pattern_list("evil.com", "*.example.com"));
    }

    #[test]
    fn allowed_signers_lines_parse_and_unsupported_options_are_refused() {
        let key =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFROH/sG8hwqKUUfOEOSrvH4wsGW+I6lI1IfB4vQqMUX";
        let text = format!(
            "# pinned\n\ntrust.example.com {key} ci\n*.example.com namespaces=\"trustsite-manifest,git\" {key}\n"
        );
        let lines = parse_allowed_signers(&text).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].principals, "trust.example.com");
        assert_eq!(lines[0].line, 3);
        assert_eq!(
            lines[1].namespaces.as_deref(),
            Some("trustsite-manifest,git")
        );
        let e = parse_allowed_signers(&format!("x cert-authority {key}\n")).unwrap_err();
        assert!(e.contains("line 1") && e.contains("cert-authority"), "{e}");
        assert!(parse_allowed_signers("x ssh-ed25519 notbase64\n").is_err());
    }

    #[test]
    fn a_key_that_is_not_openssh_is_a_clear_error_without_its_text() {
        let e = Signer::from_openssh("secret-material", "TRUSTSITE_SIGNING_KEY").unwrap_err();
        assert!(
            e.starts_with("TRUSTSITE_SIGNING_KEY: not an OpenSSH private key"),
            "{e}"
        );
        assert!(!e.contains("secret-material"));
    }
}
