//! SARIF 2.1.0, the format code-scanning services ingest.

use super::paths::location;
use super::{Applicability, Finding, Fix, RenderContext, Report, RuleInfo, Severity, Span};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Every uri is relative to this base, the root of the git checkout (or the
/// project when there is no git repository): the base CI tools resolve from.
const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    results: Vec<SarifResult<'a>>,
    original_uri_base_ids: BTreeMap<&'static str, UriBase>,
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    name: String,
    short_description: Message<'a>,
    full_description: Message<'a>,
    help: Help<'a>,
    default_configuration: Configuration,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    tags: Vec<&'a str>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Message<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct Help<'a> {
    text: &'a str,
    markdown: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: OwnedMessage,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    partial_fingerprints: BTreeMap<&'static str, &'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties<'a>>,
}

/// A finding's fix (SARIF §3.55): its edits grouped by file. SARIF has no
/// word for applicability; it goes in the property bag.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Message<'a>,
    artifact_changes: Vec<ArtifactChange<'a>>,
    properties: FixProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation<'a>,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region,
    inserted_content: Message<'a>,
}

#[derive(Serialize)]
struct FixProperties {
    applicability: &'static str,
}

#[derive(Serialize)]
struct OwnedMessage {
    text: String,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    service: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    /// Set on related locations: the target of `[text](id)` links in the
    /// result's message, which is how code scanning shows them.
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message<'a>>,
}

/// An entry of `originalUriBaseIds`. SARIF wants its `uri` absolute or
/// absent; the checkout's absolute path differs per machine, so it is absent
/// and the description says what the base is.
#[derive(Serialize)]
struct UriBase {
    description: Message<'static>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation<'a> {
    uri: Cow<'a, str>,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

pub(crate) fn render(report: &Report, ctx: &RenderContext) -> String {
    // Every rule that ran is described, plus any rule a finding names that the
    // job did not describe, so that every ruleIndex points at a descriptor.
    let mut rules: Vec<RuleInfo> = report.rules.clone();
    for finding in &report.findings {
        if !rules.iter().any(|r| r.id == finding.rule) {
            // A built-in rule is described by the registry; a custom lint
            // rule, which has no docs, by its id.
            rules.push((ctx.describe)(&finding.rule).unwrap_or_else(|| RuleInfo {
                id: finding.rule.clone(),
                job: report.command.clone(),
                default_severity: finding.severity,
                summary: finding.rule.clone(),
                docs: String::new(),
            }));
        }
    }
    let descriptors = rules
        .iter()
        .map(|rule| ReportingDescriptor {
            id: &rule.id,
            name: pascal_case(&rule.id),
            short_description: Message {
                text: &rule.summary,
            },
            full_description: Message {
                text: if rule.docs.is_empty() {
                    &rule.summary
                } else {
                    &rule.docs
                },
            },
            help: Help {
                text: if rule.docs.is_empty() {
                    &rule.summary
                } else {
                    &rule.docs
                },
                markdown: if rule.docs.is_empty() {
                    &rule.summary
                } else {
                    &rule.docs
                },
            },
            default_configuration: Configuration {
                level: level(rule.default_severity),
            },
            properties: RuleProperties {
                tags: vec![rule.job.as_str()],
            },
        })
        .collect();
    let results = report
        .findings
        .iter()
        .map(|finding| result(finding, &rules, ctx))
        .collect();
    let mut base = BTreeMap::new();
    base.insert(
        SRCROOT,
        UriBase {
            description: Message {
                text: "The root of the git checkout the project is in (the project directory when it is in no git repository).",
            },
        },
    );
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "trellis",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: "https://crates.io/crates/trellis",
                    rules: descriptors,
                },
            },
            results,
            original_uri_base_ids: base,
            column_kind: "unicodeCodePoints",
        }],
    };
    let mut out = serde_json::to_string_pretty(&log).expect("sarif serializes");
    out.push('\n');
    out
}

fn result<'a>(finding: &'a Finding, rules: &[RuleInfo], ctx: &RenderContext) -> SarifResult<'a> {
    let rule_index = rules
        .iter()
        .position(|r| r.id == finding.rule)
        .expect("every finding's rule has a descriptor");
    let mut text = finding.message.clone();
    for note in &finding.notes {
        text.push('\n');
        text.push_str(note);
    }
    let mut related_locations = Vec::with_capacity(finding.related.len());
    for (index, related) in finding.related.iter().enumerate() {
        // Ids start at 1 so that no link reads as the primary location.
        let id = index + 1;
        let uri = ctx.ci_path(&related.path);
        text.push('\n');
        if uri.is_empty() {
            text.push_str(&escape_link_text(&related.label));
        } else {
            text.push_str(&format!(
                "[{}]({id}): {}",
                escape_link_text(&location(&uri, related.line, related.column)),
                escape_link_text(&related.label)
            ));
        }
        related_locations.push(Location {
            id: Some(id),
            physical_location: physical_location(
                uri,
                region(related.span(), related.end_line, related.end_column),
            ),
            message: Some(Message {
                text: &related.label,
            }),
        });
    }
    if let Some(help) = &finding.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let primary = region(finding.span(), finding.end_line, finding.end_column);
    let locations = physical_location(ctx.ci_path(&finding.path), primary)
        .map(|physical| Location {
            id: None,
            physical_location: Some(physical),
            message: None,
        })
        .into_iter()
        .collect();
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("trellis/v1", finding.fingerprint.as_str());
    SarifResult {
        rule_id: &finding.rule,
        rule_index,
        level: level(finding.severity),
        message: OwnedMessage { text },
        locations,
        related_locations,
        partial_fingerprints: fingerprints,
        fixes: finding.fix.iter().map(|fix| sarif_fix(fix, ctx)).collect(),
        properties: finding
            .service
            .as_deref()
            .map(|service| ResultProperties { service }),
    }
}

fn sarif_fix<'a>(fix: &'a Fix, ctx: &RenderContext) -> SarifFix<'a> {
    let mut changes: Vec<ArtifactChange<'a>> = Vec::new();
    for edit in &fix.edits {
        let uri = Cow::Owned(ctx.ci_path(&edit.path).into_owned());
        let replacement = Replacement {
            deleted_region: Region {
                start_line: edit.span.line,
                start_column: edit.span.column.max(1),
                end_line: Some(edit.span.end_line),
                end_column: Some(edit.span.end_column),
            },
            inserted_content: Message {
                text: &edit.replacement,
            },
        };
        match changes
            .iter_mut()
            .find(|change| change.artifact_location.uri == uri)
        {
            Some(change) => change.replacements.push(replacement),
            None => changes.push(ArtifactChange {
                artifact_location: ArtifactLocation {
                    uri,
                    uri_base_id: SRCROOT,
                },
                replacements: vec![replacement],
            }),
        }
    }
    SarifFix {
        description: Message {
            text: &fix.description,
        },
        artifact_changes: changes,
        properties: FixProperties {
            applicability: match fix.applicability {
                Applicability::Safe => "safe",
                Applicability::Unsafe => "unsafe",
            },
        },
    }
}

/// Where a finding or a related location points, if at a file.
fn physical_location(uri: Cow<'_, str>, region: Option<Region>) -> Option<PhysicalLocation<'_>> {
    if uri.is_empty() {
        return None;
    }
    Some(PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri,
            uri_base_id: SRCROOT,
        },
        region,
    })
}

/// The region's end is given only when the finding knows it: spans fill a
/// missing end in, SARIF should not claim it.
fn region(span: Option<Span>, end_line: Option<u32>, end_column: Option<u32>) -> Option<Region> {
    span.map(|span| Region {
        start_line: span.line,
        start_column: span.column.max(1),
        end_line,
        end_column: end_column.filter(|c| *c > 0),
    })
}

/// Brackets in message text would read as embedded links (SARIF §3.11.6).
fn escape_link_text(text: &str) -> Cow<'_, str> {
    if text.contains(['[', ']']) {
        Cow::Owned(text.replace('[', "\\[").replace(']', "\\]"))
    } else {
        Cow::Borrowed(text)
    }
}

fn pascal_case(id: &str) -> String {
    id.split(['-', '_'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let lower = part.to_ascii_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::report::sample;

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(super::render(&sample::report(), &sample::context("")));
    }

    #[test]
    fn uris_are_relative_to_the_git_root() {
        let out = super::render(&sample::report(), &sample::context("tools/shop"));
        let log: serde_json::Value = serde_json::from_str(&out).unwrap();
        let run = &log["runs"][0];
        assert!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"].is_null());
        let mut uris = Vec::new();
        for result in run["results"].as_array().unwrap() {
            let locations = result["locations"].as_array().into_iter().flatten();
            let related = result["relatedLocations"].as_array().into_iter().flatten();
            for location in locations.chain(related) {
                let artifact = &location["physicalLocation"]["artifactLocation"];
                assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
                uris.push(artifact["uri"].as_str().unwrap().to_string());
            }
        }
        assert_eq!(
            uris,
            [
                "tools/shop/services/order/go.mod",
                "tools/shop/services/inventory/go.mod",
                "tools/shop/services/payment/go.mod",
                "tools/shop/services/order/internal/service/order.go",
            ]
        );
    }

    #[test]
    fn related_locations_are_linked_from_the_message() {
        let out = super::render(&sample::report(), &sample::context(""));
        let log: serde_json::Value = serde_json::from_str(&out).unwrap();
        let result = &log["runs"][0]["results"][1];
        assert_eq!(result["ruleId"], "drift-version-mismatch");
        let related = result["relatedLocations"].as_array().unwrap();
        let ids: Vec<_> = related.iter().map(|r| r["id"].as_u64().unwrap()).collect();
        assert_eq!(ids, [1, 2]);
        assert_eq!(related[0]["message"]["text"], "v1.5.0 required here");
        assert_eq!(related[0]["physicalLocation"]["region"]["startLine"], 5);
        assert!(related[1]["physicalLocation"]["region"].is_null());
        let text = result["message"]["text"].as_str().unwrap();
        assert!(
            text.contains("[services/inventory/go.mod:5:9](1): v1.5.0 required here"),
            "{text}"
        );
        assert!(
            text.contains("[services/payment/go.mod](2): v1.5.0 \\[indirect\\] required here"),
            "{text}"
        );
    }

    #[test]
    fn a_rule_the_job_did_not_describe_is_described_by_the_registry() {
        let mut report = sample::report();
        report.rules.clear();
        report.findings.push(crate::report::Finding::new(
            "my-custom-rule",
            crate::report::Severity::Warning,
            "go.mod",
            "custom",
            "custom",
        ));
        let out = super::render(&report, &sample::context(""));
        let log: serde_json::Value = serde_json::from_str(&out).unwrap();
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        let described = |id: &str| {
            rules
                .iter()
                .find(|r| r["id"] == id)
                .map(|r| r["shortDescription"]["text"].as_str().unwrap().to_string())
        };
        let mismatch = crate::rules::entry(crate::registry::RuleId::DriftVersionMismatch);
        assert_eq!(
            described("drift-version-mismatch").as_deref(),
            Some(mismatch.summary)
        );
        assert_eq!(
            described("my-custom-rule").as_deref(),
            Some("my-custom-rule")
        );
    }

    #[test]
    fn fixes_group_their_edits_by_file_and_say_their_applicability() {
        let out = super::render(&sample::report(), &sample::context("tools/shop"));
        let log: serde_json::Value = serde_json::from_str(&out).unwrap();
        let result = &log["runs"][0]["results"][1];
        let fixes = result["fixes"].as_array().unwrap();
        assert_eq!(fixes.len(), 1);
        assert_eq!(fixes[0]["properties"]["applicability"], "unsafe");
        let changes = fixes[0]["artifactChanges"].as_array().unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(
            changes[0]["artifactLocation"]["uri"],
            "tools/shop/services/inventory/go.mod"
        );
        let replacement = &changes[0]["replacements"][0];
        assert_eq!(replacement["deletedRegion"]["startColumn"], 32);
        assert_eq!(replacement["deletedRegion"]["endColumn"], 38);
        assert_eq!(replacement["insertedContent"]["text"], "v1.6.0");
        assert_eq!(changes[0]["replacements"].as_array().unwrap().len(), 2);
        // Findings without a fix have no `fixes`.
        assert!(log["runs"][0]["results"][0].get("fixes").is_none());
    }

    #[test]
    fn names_are_pascal_case() {
        assert_eq!(
            super::pascal_case("go-http-client-timeout"),
            "GoHttpClientTimeout"
        );
        assert_eq!(super::pascal_case("FIELD_NO_DELETE"), "FieldNoDelete");
    }
}
