//! OSCAL export: `oscal/component-definition.json` (OSCAL 1.2.1).
//!
//! Each published document is a component (`policy`, `standard` or
//! `process-procedure`, from its category) whose front-matter `frameworks`
//! become control implementations, one per framework, with the framework's
//! back-matter resource as `source`. Each document also has a back-matter
//! resource with its version, dates and the SHA-256 of its source: a public
//! document's resource links (`rlinks`) to its page with that hash; a
//! restricted document's resource carries the hash as a property and no
//! link to a body. UUIDs are version 5 from a fixed namespace and the
//! site's base URL, so the same site gives the same file. Reads views only
//! (internal and draft documents never become one).

use crate::view::DocView;
use serde_json::{Value, json};

/// Output path of the component definition.
pub const FILE: &str = "oscal/component-definition.json";
/// OSCAL release the file follows.
pub const OSCAL_VERSION: &str = "1.2.1";
/// Namespace of trustsite's own properties.
pub const NS: &str = "urn:trustsite:oscal";
/// Namespace of every UUID trustsite makes (v5 of "trustsite-oscal" in the
/// URL namespace).
fn namespace() -> uuid::Uuid {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"urn:trustsite:oscal")
}

/// What the export needs beyond the document views.
pub struct Site<'a> {
    /// Site title.
    pub title: &'a str,
    /// Organization.
    pub organization: &'a str,
    /// Absolute base URL (ends in `/`).
    pub base_url: &'a str,
    /// Release label (may be empty).
    pub release: &'a str,
    /// Build instant, `YYYY-MM-DDTHH:MM:SSZ`.
    pub build_time: &'a str,
    /// Absolute URL of the download bundle holding the public sources.
    pub bundle_url: &'a str,
    /// Where to ask for restricted documents (may be empty).
    pub request_access: &'a str,
}

fn uuid(site: &Site, kind: &str, name: &str) -> String {
    let key = format!("{}\u{0}{kind}\u{0}{name}", site.base_url);
    uuid::Uuid::new_v5(&namespace(), key.as_bytes()).to_string()
}

/// The OSCAL component type of a category.
pub fn component_type(category: &str) -> &'static str {
    let c = category.to_lowercase();
    if c.contains("standard") {
        "standard"
    } else if ["procedure", "process", "runbook", "playbook"]
        .iter()
        .any(|w| c.contains(w))
    {
        "process-procedure"
    } else {
        "policy"
    }
}

/// The resource type (`props` name `type`) matching a component type.
fn resource_type(component_type: &str) -> &'static str {
    match component_type {
        "standard" => "standard",
        "process-procedure" => "procedure",
        _ => "policy",
    }
}

/// An OSCAL token for a control id: kept when it is one, otherwise
/// characters outside `[A-Za-z0-9._-]` become `_` and a leading non-letter
/// gets a `_` prefix.
pub fn control_token(id: &str) -> String {
    let mut t: String = id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !t.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        t.insert(0, '_');
    }
    t
}

fn prop(name: &str, value: &str) -> Value {
    json!({"name": name, "ns": NS, "value": value})
}

/// The component definition JSON (pretty, trailing newline).
pub fn component_definition(site: &Site, docs: &[&DocView]) -> String {
    let mut frameworks: Vec<&str> = docs
        .iter()
        .flat_map(|d| d.frameworks.iter().map(|f| f.name.as_str()))
        .collect();
    frameworks.sort_unstable();
    frameworks.dedup();
    let components: Vec<Value> = docs.iter().map(|d| component(site, d)).collect();
    let mut resources: Vec<Value> = docs.iter().map(|d| doc_resource(site, d)).collect();
    resources.extend(frameworks.iter().map(|name| {
        let url = docs
            .iter()
            .flat_map(|d| &d.frameworks)
            .find(|f| f.name == *name)
            .map(|f| absolute(site, &f.url))
            .unwrap_or_default();
        json!({
            "uuid": uuid(site, "framework", name),
            "title": name,
            "description": format!("The {name} controls that {} maps its documents to.", org(site)),
            "props": [{"name": "type", "value": "standard"}],
            "rlinks": [{"href": url, "media-type": "text/html"}],
        })
    }));
    let version = if site.release.is_empty() {
        site.build_time.get(..10).unwrap_or(site.build_time)
    } else {
        site.release
    };
    let mut def = json!({
        "uuid": uuid(site, "component-definition", ""),
        "metadata": {
            "title": format!("{}: policies and controlled documents", site.title),
            "last-modified": site.build_time,
            "version": version,
            "oscal-version": OSCAL_VERSION,
            "parties": [{
                "uuid": uuid(site, "party", org(site)),
                "type": "organization",
                "name": org(site),
            }],
            "links": [{"href": site.base_url, "rel": "alternate", "media-type": "text/html"}],
        },
    });
    if !components.is_empty() {
        def["components"] = Value::Array(components);
    }
    if !resources.is_empty() {
        def["back-matter"] = json!({"resources": resources});
    }
    let mut s =
        serde_json::to_string_pretty(&json!({"component-definition": def})).unwrap_or_default();
    s.push('\n');
    s
}

fn org<'a>(site: &Site<'a>) -> &'a str {
    if site.organization.is_empty() {
        site.title
    } else {
        site.organization
    }
}

fn absolute(site: &Site, url: &str) -> String {
    if url.contains("://") {
        return url.to_string();
    }
    let base = site.base_url.trim_end_matches('/');
    let origin_end = base.find("://").map_or(0, |i| {
        base[i + 3..].find('/').map_or(base.len(), |j| i + 3 + j)
    });
    format!("{}{url}", &base[..origin_end])
}

fn component(site: &Site, d: &DocView) -> Value {
    let kind = component_type(&d.category);
    let description = if d.summary.is_empty() {
        format!("{} of {}.", d.title, org(site))
    } else {
        d.summary.clone()
    };
    let resource = uuid(site, "document", &d.id);
    let mut c = json!({
        "uuid": uuid(site, "component", &d.id),
        "type": kind,
        "title": d.title,
        "description": description,
        "props": [prop("document-id", &d.id), prop("visibility", d.visibility.as_str())],
        "links": [{"href": format!("#{resource}"), "rel": "reference"}],
    });
    let implementations: Vec<Value> = d
        .frameworks
        .iter()
        .filter(|f| !f.controls.is_empty())
        .map(|f| {
            let requirements: Vec<Value> = f
                .controls
                .iter()
                .map(|ctl| requirement(site, d, &f.name, ctl))
                .collect();
            json!({
                "uuid": uuid(site, "control-implementation", &format!("{}\u{0}{}", d.id, f.name)),
                "source": format!("#{}", uuid(site, "framework", &f.name)),
                "description": format!("Controls of {} that {} covers.", f.name, d.title),
                "implemented-requirements": requirements,
            })
        })
        .collect();
    if !implementations.is_empty() {
        c["control-implementations"] = Value::Array(implementations);
    }
    c
}

fn requirement(site: &Site, d: &DocView, framework: &str, ctl: &crate::view::ControlRef) -> Value {
    let token = control_token(&ctl.id);
    let mut r = json!({
        "uuid": uuid(site, "requirement", &format!("{}\u{0}{framework}\u{0}{}", d.id, ctl.id)),
        "control-id": token,
        "description": if ctl.title.is_empty() {
            format!("{} addresses control {} of {framework}.", d.title, ctl.id)
        } else {
            format!("{} addresses control {} ({}) of {framework}.", d.title, ctl.id, ctl.title)
        },
    });
    if token != ctl.id {
        r["props"] = json!([prop("control-label", &ctl.id)]);
    }
    r
}

fn doc_resource(site: &Site, d: &DocView) -> Value {
    let kind = resource_type(component_type(&d.category));
    let mut props = vec![json!({"name": "type", "value": kind})];
    if !d.version.is_empty() {
        props.push(json!({"name": "version", "value": d.version}));
    }
    let day = |d: Option<jiff::civil::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    for (name, value) in [
        ("effective", day(d.effective)),
        ("last-reviewed", day(d.last_reviewed)),
        ("next-review", day(d.next_due)),
        ("owner", d.owner.clone()),
        ("approved-by", d.approved_by.clone()),
    ] {
        if !value.is_empty() {
            props.push(prop(name, &value));
        }
    }
    props.push(prop("review-status", d.status.as_str()));
    props.push(prop("source-path", &d.source_path));
    let hashes = json!([{"algorithm": "SHA-256", "value": d.source_sha256}]);
    let mut r = json!({
        "uuid": uuid(site, "document", &d.id),
        "title": d.title,
        "document-ids": [{"scheme": NS, "identifier": d.id}],
    });
    if d.restricted {
        props.push(prop("source-sha256", &d.source_sha256));
        let how = if site.request_access.is_empty() {
            String::new()
        } else {
            format!(" Request access: {}.", site.request_access)
        };
        r["description"] = json!(format!(
            "Available under NDA: the body is not published. Its source has SHA-256 {}.{how}",
            d.source_sha256
        ));
    } else {
        r["description"] = json!(format!(
            "Published document. The SHA-256 is that of its source file ({}), which the download bundle {} carries.",
            d.source_path, site.bundle_url
        ));
        r["rlinks"] = json!([{
            "href": d.permalink,
            "media-type": "text/html",
            "hashes": hashes,
        }]);
    }
    r["props"] = Value::Array(props);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_map_to_component_types() {
        assert_eq!(component_type("Policies"), "policy");
        assert_eq!(component_type("Standards"), "standard");
        assert_eq!(component_type("Procedures"), "process-procedure");
        assert_eq!(component_type("Incident playbooks"), "process-procedure");
        assert_eq!(component_type("Certifications"), "policy");
    }

    #[test]
    fn control_ids_become_tokens() {
        assert_eq!(control_token("A.5.15"), "A.5.15");
        assert_eq!(control_token("CC6.1"), "CC6.1");
        assert_eq!(control_token("5.1"), "_5.1");
        assert_eq!(control_token("A 8/2"), "A_8_2");
    }

    #[test]
    fn uuids_are_version_5_and_stable() {
        let site = Site {
            title: "T",
            organization: "",
            base_url: "https://t.example/",
            release: "",
            build_time: "2026-11-22T00:00:00Z",
            bundle_url: "https://t.example/download/t.zip",
            request_access: "",
        };
        let a = uuid(&site, "component", "x");
        assert_eq!(a, uuid(&site, "component", "x"));
        assert_ne!(a, uuid(&site, "component", "y"));
        assert_eq!(&a[14..15], "5");
        assert_eq!(
            absolute(&site, "/frameworks/iso/"),
            "https://t.example/frameworks/iso/"
        );
    }
}
