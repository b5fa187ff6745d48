//! Active content under `content/`: files that could run script on the
//! trust center's origin.
//!
//! [`check_name`] refuses markup and script files (`.html`, `.htm`,
//! `.xhtml`, `.js`, `.mjs`, and the other types a browser runs script
//! from, see [`ACTIVE_EXTENSIONS`]) unless `trust.yaml`'s `allow_active`
//! names the file. [`check_svg`] parses an SVG as XML and passes it only
//! when every element, attribute and reference is on an allow-list of inert
//! ones: no script, event handler, `foreignObject`, animation, processing
//! instruction, DTD internal subset or entity, and every `href` and CSS
//! `url(…)` is a fragment of the same file. Anything it cannot parse is
//! refused (fail closed). Pure: bytes in, diagnostics out; no IO.

use crate::diag::Diagnostic;

/// Extensions of files a browser runs script from when opened directly, and
/// of pages a web server would execute if the site were uploaded to one that
/// runs them (lowercase, without the dot). `.svg` is checked by content.
pub const ACTIVE_EXTENSIONS: &[&str] = &[
    "html", "htm", "xhtml", "xht", "shtml", "shtm", "js", "mjs", "cjs", "xml", "xsl", "xslt",
    "svgz", "php", "phtml", "phar", "asp", "aspx", "jsp", "cgi",
];

/// Problems with a file under `content/` given its site-relative path
/// (`content/x/y.html`) and bytes: the name check, then the SVG check.
/// `allowed` is `allow_active` (site-relative paths); a file it names is
/// not checked at all.
pub fn check_asset(path: &str, bytes: &[u8], allowed: &[String]) -> Vec<Diagnostic> {
    if allowed.iter().any(|a| a == path) {
        return Vec::new();
    }
    if let Some(d) = check_name(path, allowed) {
        return vec![d];
    }
    if is_svg(path) {
        return check_svg(path, bytes).into_iter().collect();
    }
    Vec::new()
}

/// The name check over every file under content/ (content-relative paths),
/// and a warning for each `allow_active` entry that names no such file.
pub fn check_names<'a>(
    files: impl IntoIterator<Item = &'a str>,
    allowed: &[String],
) -> Vec<Diagnostic> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for rel in files {
        let path = format!("content/{rel}");
        out.extend(check_name(&path, allowed));
        seen.insert(path);
    }
    for a in allowed.iter().filter(|a| !seen.contains(a.as_str())) {
        out.push(
            Diagnostic::warning(
                "trust.yaml",
                0,
                0,
                format!("`allow_active`: `{a}` names no file under content/"),
            )
            .code("config/allow-active-unused"),
        );
    }
    out
}

/// Whether `path` names an SVG file (any case).
pub fn is_svg(path: &str) -> bool {
    extension(path).is_some_and(|e| e.eq_ignore_ascii_case("svg"))
}

fn extension(path: &str) -> Option<&str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').map(|(_, ext)| ext)
}

/// An error when `path` (site-relative) is a markup or script file that
/// `allow_active` does not name.
pub fn check_name(path: &str, allowed: &[String]) -> Option<Diagnostic> {
    let ext = extension(path)?.to_ascii_lowercase();
    if !ACTIVE_EXTENSIONS.contains(&ext.as_str()) || allowed.iter().any(|a| a == path) {
        return None;
    }
    Some(
        Diagnostic::error(
            path,
            0,
            0,
            format!(
                "`.{ext}` file under content/ is active content and is never published: markup and script belong in the theme; a file that must be served as is (a site-verification file) is listed by path in trust.yaml `allow_active`"
            ),
        )
        .code("asset/active"),
    )
}

/// SVG elements that draw, group, describe or define paint servers and
/// filters; nothing that runs script, loads a document or animates.
const ELEMENTS: &[&str] = &[
    "a",
    "circle",
    "clipPath",
    "defs",
    "desc",
    "ellipse",
    "feBlend",
    "feColorMatrix",
    "feComponentTransfer",
    "feComposite",
    "feConvolveMatrix",
    "feDiffuseLighting",
    "feDisplacementMap",
    "feDistantLight",
    "feDropShadow",
    "feFlood",
    "feFuncA",
    "feFuncB",
    "feFuncG",
    "feFuncR",
    "feGaussianBlur",
    "feImage",
    "feMerge",
    "feMergeNode",
    "feMorphology",
    "feOffset",
    "fePointLight",
    "feSpecularLighting",
    "feSpotLight",
    "feTile",
    "feTurbulence",
    "filter",
    "g",
    "image",
    "line",
    "linearGradient",
    "marker",
    "mask",
    "metadata",
    "path",
    "pattern",
    "polygon",
    "polyline",
    "radialGradient",
    "rect",
    "stop",
    "style",
    "svg",
    "switch",
    "symbol",
    "text",
    "textPath",
    "title",
    "tspan",
    "use",
    "view",
];

/// Attributes without a namespace that only describe geometry, paint,
/// text layout, filters or accessibility (plus `href`, checked below).
/// `aria-*` and `data-*` are allowed too; `on*` never.
const ATTRIBUTES: &[&str] = &[
    "alignment-baseline",
    "amplitude",
    "azimuth",
    "baseFrequency",
    "baseProfile",
    "baseline-shift",
    "bias",
    "class",
    "clip",
    "clip-path",
    "clip-rule",
    "clipPathUnits",
    "color",
    "color-interpolation",
    "color-interpolation-filters",
    "color-profile",
    "color-rendering",
    "cx",
    "cy",
    "d",
    "diffuseConstant",
    "direction",
    "display",
    "divisor",
    "dominant-baseline",
    "dx",
    "dy",
    "edgeMode",
    "elevation",
    "enable-background",
    "exponent",
    "fill",
    "fill-opacity",
    "fill-rule",
    "filter",
    "filterUnits",
    "flood-color",
    "flood-opacity",
    "focusable",
    "font",
    "font-family",
    "font-size",
    "font-size-adjust",
    "font-stretch",
    "font-style",
    "font-variant",
    "font-weight",
    "fr",
    "fx",
    "fy",
    "glyph-orientation-horizontal",
    "glyph-orientation-vertical",
    "gradientTransform",
    "gradientUnits",
    "height",
    "href",
    "id",
    "image-rendering",
    "in",
    "in2",
    "intercept",
    "isolation",
    "k1",
    "k2",
    "k3",
    "k4",
    "kernelMatrix",
    "kernelUnitLength",
    "kerning",
    "lang",
    "lengthAdjust",
    "letter-spacing",
    "lighting-color",
    "limitingConeAngle",
    "marker",
    "marker-end",
    "marker-mid",
    "marker-start",
    "markerHeight",
    "markerUnits",
    "markerWidth",
    "mask",
    "maskContentUnits",
    "maskUnits",
    "method",
    "mix-blend-mode",
    "mode",
    "numOctaves",
    "offset",
    "opacity",
    "operator",
    "order",
    "orient",
    "overflow",
    "paint-order",
    "pathLength",
    "patternContentUnits",
    "patternTransform",
    "patternUnits",
    "pointer-events",
    "points",
    "pointsAtX",
    "pointsAtY",
    "pointsAtZ",
    "preserveAlpha",
    "preserveAspectRatio",
    "primitiveUnits",
    "r",
    "radius",
    "refX",
    "refY",
    "requiredExtensions",
    "requiredFeatures",
    "result",
    "role",
    "rotate",
    "rx",
    "ry",
    "scale",
    "seed",
    "shape-rendering",
    "side",
    "slope",
    "spacing",
    "specularConstant",
    "specularExponent",
    "spreadMethod",
    "startOffset",
    "stdDeviation",
    "stitchTiles",
    "stop-color",
    "stop-opacity",
    "stroke",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-opacity",
    "stroke-width",
    "style",
    "surfaceScale",
    "systemLanguage",
    "tabindex",
    "tableValues",
    "targetX",
    "targetY",
    "text-anchor",
    "text-decoration",
    "text-rendering",
    "textLength",
    "transform",
    "transform-origin",
    "type",
    "unicode-bidi",
    "values",
    "vector-effect",
    "version",
    "viewBox",
    "visibility",
    "width",
    "word-spacing",
    "writing-mode",
    "x",
    "x1",
    "x2",
    "xChannelSelector",
    "y",
    "y1",
    "y2",
    "yChannelSelector",
    "z",
    "zoomAndPan",
];

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Namespaces of editor and licence metadata (Inkscape, Sodipodi, RDF,
/// Dublin Core, Creative Commons): never rendered, never run. Elements and
/// attributes in them are allowed; XHTML and every other namespace are not.
const INERT_NAMESPACES: &[&str] = &[
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://purl.org/dc/elements/1.1/",
    "http://purl.org/dc/terms/",
    "http://creativecommons.org/ns#",
    "http://web.resource.org/cc/",
];

/// The first reason the SVG at `path` (site-relative) is not inert, as an
/// error located at its line and column; None when it is inert.
pub fn check_svg(path: &str, bytes: &[u8]) -> Option<Diagnostic> {
    let refuse = |line: usize, col: usize, why: String| {
        Diagnostic::error(
            path,
            line,
            col,
            format!("SVG is not published: {why}; only inert drawings are (no script, event handlers, foreignObject, animation or references outside the file)"),
        )
        .code("svg/active")
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let line = line_at(bytes, e.valid_up_to());
            return Some(refuse(line, 1, "it is not UTF-8 text".into()));
        }
    };
    if let Some((at, why)) = dtd_problem(text) {
        let line = line_at(bytes, at);
        return Some(refuse(line, 1, why));
    }
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        nodes_limit: 1_000_000,
    };
    let doc = match roxmltree::Document::parse_with_options(text, options) {
        Ok(doc) => doc,
        Err(e) => {
            let p = e.pos();
            return Some(refuse(
                p.row as usize,
                p.col as usize,
                format!("it is not well-formed XML ({e})"),
            ));
        }
    };
    let root = doc.root_element();
    if root.tag_name().namespace() != Some(SVG_NS) || root.tag_name().name() != "svg" {
        let p = doc.text_pos_at(root.range().start);
        return Some(refuse(
            p.row as usize,
            p.col as usize,
            "its root element is not <svg> in the SVG namespace".into(),
        ));
    }
    let problem = doc.descendants().find_map(|n| node_problem(&n))?;
    let p = doc.text_pos_at(problem.0);
    Some(refuse(p.row as usize, p.col as usize, problem.1))
}

/// 1-based line of byte offset `at`.
fn line_at(bytes: &[u8], at: usize) -> usize {
    bytes[..at.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A DOCTYPE may name a public DTD, nothing more: an internal subset can
/// declare entities (which hide markup from a scan) or default attributes
/// (which add event handlers no element shows). `(byte offset, reason)`.
fn dtd_problem(text: &str) -> Option<(usize, String)> {
    for decl in ["<!ENTITY", "<!ATTLIST", "<!ELEMENT", "<!NOTATION"] {
        if let Some(at) = find_ignore_case(text, decl) {
            return Some((at, format!("it declares `{decl}` in a DTD")));
        }
    }
    let start = find_ignore_case(text, "<!DOCTYPE")?;
    let mut quote = None;
    for (i, c) in text[start..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[') => {
                return Some((start + i, "its DOCTYPE has an internal subset".into()));
            }
            (None, '>') => return None,
            _ => {}
        }
    }
    None
}

fn find_ignore_case(hay: &str, needle: &str) -> Option<usize> {
    let n = needle.len();
    hay.as_bytes()
        .windows(n)
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Why node `n` is not inert: `(byte offset, reason)`.
fn node_problem(n: &roxmltree::Node) -> Option<(usize, String)> {
    if n.is_pi() {
        let target = n.pi().map(|p| p.target).unwrap_or_default();
        return Some((
            n.range().start,
            format!(
                "processing instruction `<?{target}` (a stylesheet or transform it loads can run script)"
            ),
        ));
    }
    if n.is_text()
        && let Some(parent) = n.parent_element()
        && parent.tag_name().name() == "style"
        && parent.tag_name().namespace() == Some(SVG_NS)
    {
        return css_problem(n.text().unwrap_or_default())
            .map(|why| (n.range().start, format!("<style>: {why}")));
    }
    if !n.is_element() {
        return None;
    }
    let tag = n.tag_name();
    let allowed = match tag.namespace() {
        Some(SVG_NS) => ELEMENTS.contains(&tag.name()),
        Some(ns) => INERT_NAMESPACES.contains(&ns),
        None => false,
    };
    if !allowed {
        return Some((
            n.range().start,
            format!(
                "element <{}> is not on the list of inert SVG elements",
                tag.name()
            ),
        ));
    }
    n.attributes()
        .find_map(|a| attribute_problem(tag.name(), &a).map(|why| (a.range().start, why)))
}

/// A bitmap embedded in the file: `data:image/png|jpeg|gif|webp;base64,…`
/// (a raster image cannot run script; SVG, HTML and every other type can or
/// might, so they are refused).
fn is_raster_data(value: &str) -> bool {
    let v = value.trim_start().to_ascii_lowercase();
    ["png", "jpeg", "jpg", "gif", "webp"]
        .iter()
        .any(|t| v.starts_with(&format!("data:image/{t};base64,")))
}

/// Why attribute `a` of element `element` is not inert.
fn attribute_problem(element: &str, a: &roxmltree::Attribute) -> Option<String> {
    let name = a.name();
    let value = a.value();
    let ok_name = match a.namespace() {
        None => {
            !name.to_ascii_lowercase().starts_with("on")
                && (ATTRIBUTES.contains(&name)
                    || name.starts_with("aria-")
                    || name.starts_with("data-"))
        }
        Some(XLINK_NS) => matches!(name, "href" | "title"),
        Some(XML_NS) => matches!(name, "space" | "lang"),
        Some(ns) => INERT_NAMESPACES.contains(&ns),
    };
    if !ok_name {
        return Some(format!(
            "attribute `{name}` is not on the list of inert SVG attributes"
        ));
    }
    let raster = matches!(element, "image" | "feImage") && is_raster_data(value);
    if name == "href" && !value.trim().starts_with('#') && !raster {
        return Some(format!(
            "`{name}=\"{}\"` refers outside the file (only `#fragment` references are allowed)",
            shorten(value)
        ));
    }
    if name == "style" {
        return css_problem(value).map(|why| format!("style attribute: {why}"));
    }
    url_problem(value)
}

/// CSS (a `<style>` element or `style` attribute) that loads or runs
/// something: `@import`, escapes (which can spell anything), legacy
/// script hooks, or a `url()` outside the file.
fn css_problem(css: &str) -> Option<String> {
    let lower = css.to_ascii_lowercase();
    if lower.contains('\\') {
        return Some("CSS escapes (`\\`) are not allowed".into());
    }
    for word in [
        "@import",
        "expression",
        "javascript:",
        "-moz-binding",
        "behavior",
    ] {
        if lower.contains(word) {
            return Some(format!("`{word}` is not allowed in CSS"));
        }
    }
    url_problem(css)
}

/// Every `url(` must refer to a `#fragment` of this file.
fn url_problem(value: &str) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(i) = rest.find("url(") {
        rest = &rest[i + 4..];
        let target = rest.trim_start().trim_start_matches(['"', '\'']);
        if !target.starts_with('#') {
            return Some(format!(
                "`url(` refers outside the file in `{}` (only `url(#fragment)` is allowed)",
                shorten(value)
            ));
        }
    }
    None
}

/// At most 60 characters of a value for a message.
fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "content/x.svg";

    fn svg(body: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 10 10\">\n{body}\n</svg>\n"
        )
    }

    fn refused(text: &str) -> Diagnostic {
        match check_svg(P, text.as_bytes()) {
            Some(d) => d,
            None => panic!("accepted: {text}"),
        }
    }

    #[test]
    fn inert_drawings_pass() {
        let ok = [
            svg("<rect x=\"1\" y=\"1\" width=\"8\" height=\"8\" fill=\"url(#g)\" style=\"stroke: red; fill: url('#g')\"/>"),
            svg("<defs><linearGradient id=\"g\"><stop offset=\"0\" stop-color=\"#fff\"/></linearGradient></defs><use href=\"#g\"/><use xlink:href=\"#g\"/>"),
            svg("<title>Diagram</title><desc>d</desc><g transform=\"rotate(3)\" aria-label=\"x\" data-n=\"1\"><text x=\"1\" y=\"2\">a &amp; b &lt; c</text></g>"),
            svg("<style>rect { fill: url(#g); stroke: blue }</style><!-- a comment --><a href=\"#top\"><circle r=\"2\"/></a>"),
            svg("<image width=\"2\" height=\"2\" xlink:href=\"data:image/png;base64,iVBORw0KGgo=\"/><image href=\" data:image/JPEG;base64,/9j/4AAQ\"/>"),
            svg("<filter id=\"f\"><feGaussianBlur stdDeviation=\"2\"/></filter><path d=\"M0 0L1 1\" filter=\"url(#f)\" xml:space=\"preserve\"/>"),
            // Inkscape's editor metadata.
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:inkscape=\"http://www.inkscape.org/namespaces/inkscape\" xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" inkscape:version=\"1.3\"><metadata><rdf:RDF><dc:title>t</dc:title></rdf:RDF></metadata><g inkscape:label=\"Layer 1\"/></svg>".to_string(),
            // A public DTD without an internal subset (Illustrator's export).
            "<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"1\" height=\"1\"/></svg>".to_string(),
        ];
        for text in ok {
            assert_eq!(check_svg(P, text.as_bytes()), None, "{text}");
        }
    }

    #[test]
    fn script_and_handlers_are_refused_at_their_line() {
        let d = refused(&svg("<rect/>\n<script>alert(1)</script>"));
        assert_eq!((d.line, d.code), (4, "svg/active"));
        assert!(d.message.contains("<script>"), "{}", d.message);
        let d = refused(&svg("<rect onclick=\"alert(1)\"/>"));
        assert_eq!(d.line, 3);
        assert!(d.message.contains("onclick"), "{}", d.message);
        let d = refused("<svg xmlns=\"http://www.w3.org/2000/svg\"\n  onload=\"alert(1)\"></svg>");
        assert_eq!(d.line, 2);
        // Event handlers in any case, and on an allowed element.
        refused(&svg("<g ONLOAD=\"alert(1)\"/>"));
        refused(&svg("<svg onbegin=\"x()\"/>"));
    }

    #[test]
    fn documents_animation_and_foreign_markup_are_refused() {
        for body in [
            "<foreignObject><body xmlns=\"http://www.w3.org/1999/xhtml\"><script>alert(1)</script></body></foreignObject>",
            "<a href=\"#x\"><animate attributeName=\"href\" to=\"javascript:alert(1)\"/></a>",
            "<set attributeName=\"onmouseover\" to=\"alert(1)\"/>",
            "<animateTransform attributeName=\"transform\"/>",
            "<script xmlns=\"http://www.w3.org/1999/xhtml\">alert(1)</script>",
            "<metadata><h:script xmlns:h=\"http://www.w3.org/1999/xhtml\">alert(1)</h:script></metadata>",
            "<iframe src=\"https://evil.example\"/>",
            "<handler type=\"application/ecmascript\">alert(1)</handler>",
            "<unknown/>",
        ] {
            let d = refused(&svg(body));
            assert!(d.message.contains("element <"), "{body}: {}", d.message);
        }
    }

    #[test]
    fn references_outside_the_file_are_refused() {
        for body in [
            "<a href=\"javascript:alert(1)\"><rect/></a>",
            "<a xlink:href=\" javascript:alert(1)\"><rect/></a>",
            "<a href=\"https://evil.example/\"><rect/></a>",
            "<use href=\"data:image/svg+xml;base64,PHN2Zz4=#x\"/>",
            "<use xlink:href=\"other.svg#x\"/>",
            "<image href=\"https://tracker.example/p.png\"/>",
            "<image href=\"data:image/svg+xml;base64,PHN2Zz4=\"/>",
            "<image href=\"data:text/html;base64,PHN2Zz4=\"/>",
            "<image href=\"data:image/png,<svg onload=x()>\"/>",
            "<use href=\"data:image/png;base64,iVBORw0KGgo=\"/>",
            "<feImage href=\"//evil.example/x\"/>",
            "<rect fill=\"url(https://evil.example/x.svg#p)\"/>",
            "<rect style=\"fill: url( 'https://evil.example/x' )\"/>",
            "<style>@import 'https://evil.example/x.css';</style>",
            "<style>rect { fill: u\\72l(https://evil.example/x) }</style>",
            "<style>rect { background: URL(//evil.example/x) }</style>",
            "<style><![CDATA[ rect { -moz-binding: url(#x) } ]]></style>",
            "<rect style=\"width: expression(alert(1))\"/>",
        ] {
            let d = refused(&svg(body));
            assert_eq!(d.code, "svg/active", "{body}");
        }
    }

    #[test]
    fn dtd_tricks_pis_and_broken_files_are_refused() {
        let entity = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg [\n<!ENTITY s \"&#60;script&#62;alert(1)&#60;/script&#62;\">\n]>\n<svg xmlns=\"http://www.w3.org/2000/svg\">&s;</svg>";
        let d = refused(entity);
        assert_eq!(d.line, 3, "{}", d.message);
        let attlist = "<!DOCTYPE svg [ <!attlist svg onload CDATA \"alert(1)\"> ]><svg xmlns=\"http://www.w3.org/2000/svg\"/>";
        refused(attlist);
        let subset = "<!DOCTYPE svg SYSTEM \"a>b\" [ ]><svg xmlns=\"http://www.w3.org/2000/svg\"/>";
        refused(subset);
        let pi = "<?xml-stylesheet type=\"text/xsl\" href=\"x.xsl\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
        assert_eq!(refused(pi).line, 1);
        let d = refused("<svg xmlns=\"http://www.w3.org/2000/svg\">\n<rect>\n</svg>");
        assert!(d.message.contains("not well-formed"), "{}", d.message);
        assert_eq!(d.line, 3);
        refused("<html><script>alert(1)</script></html>");
        refused("<svg><rect/></svg>"); // no namespace: not an SVG to a browser
        refused("");
        let d = check_svg(P, b"<svg xmlns=\"http://www.w3.org/2000/svg\">\n\xff</svg>").unwrap();
        assert_eq!(d.line, 2);
    }

    #[test]
    fn active_names_need_allow_active() {
        let allowed = vec!["content/google1234.html".to_string()];
        for p in [
            "content/a.html",
            "content/x/b.HTM",
            "content/c.xhtml",
            "content/d.js",
            "content/e.mjs",
            "content/f.Xml",
            "content/g.svgz",
            "content/h.php",
            "content/i.aspx",
        ] {
            let d = check_name(p, &allowed).unwrap_or_else(|| panic!("{p}"));
            assert_eq!((d.path.as_str(), d.code), (p, "asset/active"));
            assert_eq!(check_asset(p, b"", &allowed).len(), 1, "{p}");
        }
        assert!(check_name("content/google1234.html", &allowed).is_none());
        assert!(check_asset("content/google1234.html", b"<script>", &allowed).is_empty());
        for p in [
            "content/a.pdf",
            "content/html",
            "content/a.md",
            "content/js.txt",
        ] {
            assert!(check_name(p, &allowed).is_none(), "{p}");
        }
        // An SVG goes through the content check unless allow_active names it.
        let bad = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"x()\"/>";
        assert_eq!(check_asset("content/a.SVG", bad, &allowed).len(), 1);
        let listed = vec!["content/a.svg".to_string()];
        assert!(check_asset("content/a.svg", bad, &listed).is_empty());
    }
}
