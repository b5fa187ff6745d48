//! The module graph of `src/` has no cycle, and nothing below the command
//! layer imports from it (README "Architecture").
//!
//! The graph is read from the source, as a reader sees it: every
//! `crate::a::b` and `super::a` path (in `use` lines, grouped `use
//! crate::{a, b::{c}}` included, and in code) outside comments, strings and
//! the unit tests is an edge from the file's module to the deepest module
//! the path names; and a parent needs each of its children. A module's
//! path to its own ancestors (`super::` in a child) is not an edge: a
//! parent and its children are one unit, only a cycle through another
//! module counts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (`site::pages`) -> modules it names -> where it first does.
type Graph = BTreeMap<String, BTreeMap<String, String>>;

#[test]
fn module_graph_has_no_cycle() {
    let graph = src_graph();
    assert!(
        graph.len() > 30 && graph.contains_key("site::pages"),
        "the module graph of src/ was not read: {:?}",
        graph.keys().collect::<Vec<_>>()
    );
    let cycles = cycles(&graph);
    let mut report = String::new();
    for component in &cycles {
        report.push_str(&format!("modules in a cycle: {}\n", component.join(", ")));
        let mut seen = BTreeSet::new();
        for start in component {
            let path = shortest_cycle(&graph, component, start);
            let mut members: Vec<String> = path.clone();
            members.sort();
            if seen.insert(members) {
                let mut line = format!("  {start}");
                for pair in path.windows(2) {
                    line.push_str(&format!(" -> {} ({})", pair[1], graph[&pair[0]][&pair[1]]));
                }
                report.push_str(&line);
                report.push('\n');
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "{} import cycle(s) in src/ (move the shared type down, or pass a value instead of calling up):\n{report}",
        cycles.len()
    );
}

#[test]
fn nothing_below_the_commands_imports_them() {
    let wrong = imports_of_the_command_layer(&src_graph());
    assert!(
        wrong.is_empty(),
        "the library imports the command layer (`cli`, `cmd`): pass values down instead:\n{}",
        wrong.join("\n")
    );
}

/// Edges into `cli` (from anything) or `cmd` (from outside `cli` and `cmd`).
fn imports_of_the_command_layer(graph: &Graph) -> Vec<String> {
    let mut wrong = Vec::new();
    for (from, targets) in graph {
        let top = from.split("::").next().unwrap_or_default();
        for (to, at) in targets {
            let allowed = match to.split("::").next().unwrap_or_default() {
                "cli" => false,
                "cmd" => top == "cli" || top == "cmd",
                _ => true,
            };
            if !allowed {
                wrong.push(format!("{from} -> {to} ({at})"));
            }
        }
    }
    wrong
}

/// The cycle finder finds a cycle, every module of it, and nothing else.
#[test]
fn cycle_finder_on_a_small_graph() {
    let graph = |edges: &[(&str, &str)]| {
        let mut g = Graph::new();
        for (a, b) in edges {
            g.entry(a.to_string())
                .or_default()
                .insert(b.to_string(), String::new());
            g.entry(b.to_string()).or_default();
        }
        g
    };
    let g = graph(&[("a", "b"), ("b", "c"), ("c", "a"), ("d", "a"), ("c", "e")]);
    assert_eq!(cycles(&g), vec![vec!["a", "b", "c"]]);
    let component = &cycles(&g)[0];
    assert_eq!(shortest_cycle(&g, component, "b"), ["b", "c", "a", "b"]);
    let g = graph(&[("a", "b"), ("b", "c"), ("a", "c"), ("d", "a")]);
    assert!(cycles(&g).is_empty());
    let g = graph(&[("x", "y"), ("y", "x"), ("p", "q"), ("q", "p"), ("q", "x")]);
    assert_eq!(cycles(&g), vec![vec!["p", "q"], vec!["x", "y"]]);
}

/// Only `cli` may import `cmd`, and nothing imports `cli`.
#[test]
fn command_layer_rule_on_a_small_graph() {
    let mut g = Graph::new();
    let mut edge = |a: &str, b: &str| {
        g.entry(a.to_string())
            .or_default()
            .insert(b.to_string(), format!("src/{a}.rs:1"));
    };
    edge("cli", "cmd::build");
    edge("cmd::build", "cmd::time");
    edge("cmd::serve", "serve");
    edge("serve", "cmd::time");
    edge("site", "cli");
    assert_eq!(
        imports_of_the_command_layer(&g),
        [
            "serve -> cmd::time (src/serve.rs:1)",
            "site -> cli (src/site.rs:1)"
        ]
    );
}

/// Paths are read from grouped `use` lines and code; comments, strings,
/// unit tests and a child's paths to its parent are not edges.
#[test]
fn edges_are_read_from_paths_in_code_only() {
    let known: BTreeSet<String> = [
        "site",
        "site::pages",
        "site::views",
        "config",
        "diag",
        "git",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let text = r#####"
//! Uses [`crate::git`] in a comment only.
use crate::{config::{self, SiteConfig}, diag::Diagnostic};
use super::views::Urls;
fn f() { let s = "crate::git"; /* crate::git */ super::super::site::x(); }
#[cfg(test)]
mod tests {
    use crate::git;
}
"#####;
    let edges = module_edges("site::pages", text, &known);
    let names: Vec<&str> = edges.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(names, ["config", "diag", "site::views"]);
    assert_eq!(edges[0].1, 3, "line of the first use");
    let code = code_only(
        "mod a;\n#[cfg(test)]\nmod tests;\n#[cfg(test)]\npub(crate) mod fixtures;\n#[cfg(test)]\nmod inline {}\n",
    );
    assert_eq!(test_only_children(&code), ["tests", "fixtures"]);
}

/// The graph of the crate's `src/`.
fn src_graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut modules = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap().with_extension("");
        let mut parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        if parts == ["lib"] || parts == ["main"] {
            continue;
        }
        modules.insert(parts.join("::"), file);
    }
    // Unit-test files (`#[cfg(test)] mod tests;`) are not part of the graph.
    let mut test_only = Vec::new();
    for (module, file) in &modules {
        let text = std::fs::read_to_string(file).unwrap();
        for child in test_only_children(&code_only(&text)) {
            let lib_root = module.is_empty() || module == "lib";
            test_only.push(if lib_root {
                child
            } else {
                format!("{module}::{child}")
            });
        }
    }
    modules.retain(|m, _| {
        !test_only
            .iter()
            .any(|t| m == t || m.starts_with(&format!("{t}::")))
    });
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    let mut graph = Graph::new();
    // A module needs its children: `rebuild` is not there without
    // `rebuild::pages`, so a child that imports something importing its
    // parent closes a cycle. (A child's own paths to its parent are not
    // edges: see `module_edges`.)
    for module in &known {
        if let Some((parent, _)) = module.rsplit_once("::") {
            graph
                .entry(parent.to_string())
                .or_default()
                .insert(module.clone(), format!("`mod` in {parent}"));
        }
    }
    for (module, file) in &modules {
        let text = std::fs::read_to_string(file).unwrap();
        let shown = file.strip_prefix(src.parent().unwrap()).unwrap().display();
        let edges = graph.entry(module.clone()).or_default();
        for (to, line) in module_edges(module, &text, &known) {
            edges.entry(to).or_insert_with(|| format!("{shown}:{line}"));
        }
    }
    graph
}

/// The child modules `code` declares under `#[cfg(test)]` (`mod tests;`).
fn test_only_children(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in code.match_indices("#[cfg(test)]") {
        let rest = code[i + "#[cfg(test)]".len()..].trim_start();
        let rest = rest
            .strip_prefix("pub(crate) ")
            .or_else(|| rest.strip_prefix("pub "))
            .unwrap_or(rest);
        if let Some(decl) = rest.strip_prefix("mod ") {
            let name: String = decl
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if decl.trim_start()[name.len()..]
                .trim_start()
                .starts_with(';')
            {
                out.push(name);
            }
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The modules `module` names in `text` (its file), each with the line of
/// its first mention, sorted by module.
fn module_edges(module: &str, text: &str, known: &BTreeSet<String>) -> Vec<(String, usize)> {
    let code = code_only(text);
    let code = match code.find("#[cfg(test)]\nmod tests") {
        Some(i) => &code[..i],
        None => &code[..],
    };
    // What `super` names: the parent module (for `site/mod.rs`, module
    // `site`, the crate; for `site/pages.rs`, `site`).
    let parent: Vec<&str> = {
        let mut p: Vec<&str> = module.split("::").collect();
        p.pop();
        p
    };
    let mut found: BTreeMap<String, usize> = BTreeMap::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < code.len() {
        let starts_word = i == 0 || !is_ident(bytes[i - 1]);
        let base: Option<(Vec<String>, usize)> = if !starts_word {
            None
        } else if code[i..].starts_with("crate::") {
            Some((Vec::new(), i + "crate::".len()))
        } else if code[i..].starts_with("super::") {
            let mut base: Vec<String> = parent.iter().map(|s| s.to_string()).collect();
            let mut j = i;
            while code[j..].starts_with("super::") {
                j += "super::".len();
                if code[j..].starts_with("super::") {
                    base.pop();
                }
            }
            Some((base, j))
        } else {
            None
        };
        let Some((base, at)) = base else {
            i += 1;
            continue;
        };
        let line = code[..i].matches('\n').count() + 1;
        let mut paths = Vec::new();
        let end = use_tree(code, at, base, &mut paths);
        for path in paths {
            if let Some(target) = deepest_known(&path, known)
                && target != module
                && !module.starts_with(&format!("{target}::"))
            {
                found.entry(target).or_insert(line);
            }
        }
        i = end.max(i + 1);
    }
    found.into_iter().collect()
}

/// Reads a path or use tree starting at `at` (after `crate::`), pushing
/// every full path it names onto `out`; returns where it ends.
fn use_tree(
    code: &str,
    mut at: usize,
    mut prefix: Vec<String>,
    out: &mut Vec<Vec<String>>,
) -> usize {
    let bytes = code.as_bytes();
    loop {
        while at < code.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        if at < code.len() && bytes[at] == b'{' {
            at += 1;
            loop {
                let before = at;
                at = use_tree(code, at, prefix.clone(), out).max(before + 1);
                while at < code.len() && (bytes[at].is_ascii_whitespace() || bytes[at] == b',') {
                    at += 1;
                }
                if at >= code.len() || bytes[at] == b'}' {
                    return at + 1;
                }
            }
        }
        let start = at;
        while at < code.len() && is_ident(bytes[at]) {
            at += 1;
        }
        let word = &code[start..at];
        if !word.is_empty() && word != "self" {
            prefix.push(word.to_string());
        }
        if word.is_empty() || !code[at..].starts_with("::") {
            out.push(prefix);
            return at;
        }
        at += 2;
    }
}

/// The deepest known module a path starts with.
fn deepest_known(path: &[String], known: &BTreeSet<String>) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|m| known.contains(m))
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `text` with comments, string and character literals blanked (newlines
/// kept, so positions keep their lines).
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && (i == 0 || !is_ident(chars[i - 1] as u8))
            && raw_string_start(&chars[i + 1..]).is_some()
        {
            let hashes = raw_string_start(&chars[i + 1..]).unwrap();
            i += 2 + hashes;
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let close: Vec<char> = close.chars().collect();
            while i < chars.len() && !chars[i..].starts_with(&close) {
                blank(&mut out, chars[i]);
                i += 1;
            }
            i += close.len();
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                if let Some(&c) = chars.get(i) {
                    blank(&mut out, c);
                }
                i += 1;
            }
            i += 1;
        } else if c == '\'' && next == Some('\\') {
            i += 2;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// How many `#` open a raw string at `rest` (just after its `r`).
fn raw_string_start(rest: &[char]) -> Option<usize> {
    let hashes = rest.iter().take_while(|c| **c == '#').count();
    (rest.get(hashes) == Some(&'"')).then_some(hashes)
}

/// A shortest path from `start` back to itself inside `component`
/// (`start`, ..., `start`).
fn shortest_cycle(graph: &Graph, component: &[String], start: &str) -> Vec<String> {
    let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(at) = queue.pop_front() {
        for next in graph[at].keys().filter(|n| component.contains(n)) {
            if next == start {
                let mut path = vec![start.to_string()];
                let mut back = at;
                while back != start {
                    path.push(back.to_string());
                    back = came_from[back];
                }
                path.push(start.to_string());
                path.reverse();
                return path;
            }
            if !came_from.contains_key(next.as_str()) {
                came_from.insert(next, at);
                queue.push_back(next);
            }
        }
    }
    vec![start.to_string()]
}

/// The strongly connected components of more than one module (Tarjan),
/// each sorted, sorted by their first module.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        let graph = s.graph;
        for w in graph.get(v).into_iter().flat_map(|t| t.keys()) {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.found.sort();
    s.found
}
