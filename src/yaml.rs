//! All YAML parsing goes through this module (serde-saphyr underneath).
//!
//! It turns YAML text into typed values and every failure into a
//! [`YamlError`] with a 1-based line and column inside the YAML text. Callers
//! shift the line to the file they read from (front-matter starts one line
//! below the opening `---`). Alias expansion and nesting are bounded by the
//! parser's budget, so an alias bomb is an error, not an out-of-memory.

use serde::de::DeserializeOwned;

pub use serde_saphyr::Spanned;

/// A YAML problem located inside the YAML text (1-based; 0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// 1-based line in the YAML text.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// What went wrong, without location or snippet.
    pub message: String,
}

/// Parses `src` into `T`. Duplicate keys and budget breaches (alias bombs,
/// excessive nesting) are errors.
pub fn from_str<T: DeserializeOwned>(src: &str) -> Result<T, YamlError> {
    serde_saphyr::from_str_with_options(src, options()).map_err(convert)
}

/// Parser options: the default budget (bounded aliases, depth, events) and
/// duplicate keys rejected.
fn options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    if options.budget.is_none() {
        options.budget = Some(serde_saphyr::Budget::default());
    }
    options
}

/// Line and column of a spanned value (1-based; 0 when unknown).
pub fn position<T>(s: &Spanned<T>) -> (usize, usize) {
    (s.referenced.line() as usize, s.referenced.column() as usize)
}

fn convert(err: serde_saphyr::Error) -> YamlError {
    let (line, col) = err
        .location()
        .map(|l| (l.line() as usize, l.column() as usize))
        .unwrap_or((0, 0));
    let message = with_suggestion(clean_message(&err.without_snippet().to_string()));
    YamlError { line, col, message }
}

/// Adds a did-you-mean hint to serde's "unknown field `x`, expected one of a, b".
fn with_suggestion(message: String) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message;
    };
    let Some((unknown, tail)) = rest.split_once('`') else {
        return message;
    };
    let known: Vec<&str> = tail
        .split_once("expected one of ")
        .map(|(_, list)| list.split(", ").map(|k| k.trim_matches('`')).collect())
        .unwrap_or_default();
    match crate::diag::closest(unknown, &known) {
        Some(k) => format!("{message}; did you mean `{k}`?"),
        None => message,
    }
}

/// Strips the location suffix the parser appends, keeping one line.
fn clean_message(raw: &str) -> String {
    let first = raw.lines().next().unwrap_or("invalid YAML").trim();
    let cut = [" at line ", " at Line ", ", set DuplicateKeyPolicy"]
        .iter()
        .filter_map(|p| first.find(p))
        .min()
        .unwrap_or(first.len());
    let message = first[..cut].trim_end_matches([',', ' ']);
    match message.strip_prefix("budget breached: ") {
        Some(what) => format!(
            "YAML too large or too many aliases expanded (limit: {what}); an alias bomb is refused"
        ),
        None => message.to_string(),
    }
}

/// Parses `src` with a stateful seed (front-matter uses this to apply the
/// site's field aliases while reading). Same error handling as [`from_str`].
pub fn from_str_seed<'de, S>(src: &'de str, seed: S) -> Result<S::Value, YamlError>
where
    S: serde::de::DeserializeSeed<'de>,
{
    serde_saphyr::with_deserializer_from_str_with_options(src, options(), |de| seed.deserialize(de))
        .map_err(convert)
}

/// A scalar read as its text, whatever YAML would type it as: `version: 1.10`
/// stays `"1.10"`, `A.5.1` stays itself.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Text(pub String);

impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        d.deserialize_string(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn scalars_keep_their_text() {
        let m: BTreeMap<String, Text> = from_str("a: 1.10\nb: A.5.1\nc: 2\n").unwrap();
        assert_eq!(m["a"].0, "1.10");
        assert_eq!(m["b"].0, "A.5.1");
        assert_eq!(m["c"].0, "2");
    }

    #[test]
    fn errors_are_located() {
        let e = from_str::<BTreeMap<String, String>>("a: 1\nb: [unclosed\n").unwrap_err();
        assert!(e.line >= 2, "{e:?}");
        assert!(!e.message.contains("line"), "{e:?}");
    }

    #[test]
    fn unknown_fields_get_a_suggestion() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Cfg {
            review: Option<u8>,
            title: Option<String>,
        }
        let e = from_str::<Cfg>("title: x\nreveiw: 1\n").unwrap_err();
        assert_eq!((e.line, e.col), (2, 1), "{e:?}");
        assert!(e.message.ends_with("did you mean `review`?"), "{e:?}");
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let e = from_str::<BTreeMap<String, String>>("a: x\na: y\n").unwrap_err();
        assert_eq!(e.line, 2, "{e:?}");
        assert_eq!(e.message, "duplicate mapping key: a", "{e:?}");
    }

    #[test]
    fn alias_bomb_is_an_error() {
        let mut y = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            y.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = from_str::<serde_json::Value>(&y).unwrap_err();
        assert!(e.message.contains("alias bomb is refused"), "{e:?}");
    }
}
