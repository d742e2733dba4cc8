use crate::lint::facts::Facts;
use crate::lint::rule::{Cx, Rule, RuleMeta, Target};
use crate::registry::RuleId;
use crate::report::Severity;

pub(crate) struct LayoutContract;

static META: RuleMeta = RuleMeta {
    id: RuleId::LayoutContract.as_str(),
    target: Target::Repo,
    default_severity: Severity::Warning,
    summary: "A service owns no .proto contract",
    docs: include_str!("layout_contract.md"),
    needs: &[],
};

impl Rule for LayoutContract {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_repo(&self, facts: &Facts<'_>, cx: &mut Cx<'_>) {
        // Services that talk over HTTP or messaging only: nothing here says
        // which of them should have had a contract, so the rule cannot tell.
        if !facts.repo.files.iter().any(|f| f.ends_with(".proto")) {
            if !facts.repo.services.is_empty() {
                log::info!(
                    "layout-contract: not checked: the repository has no .proto file, so its services do not use protobuf contracts"
                );
            }
            return;
        }
        let shared = SharedProtos::read(facts);
        for service in &facts.repo.services {
            if service.contracts.is_empty() && facts.is_selected(&service.manifest) {
                if is_command_module(&service.root) {
                    log::info!(
                        "layout-contract: service {}: not checked: a module of its own under cmd/ is a command the repository ships (a CLI, a protoc plugin), not a service it deploys",
                        service.name
                    );
                    continue;
                }
                if let Some(proto) = shared.naming(&service.name) {
                    log::info!(
                        "layout-contract: service {}: its contract is {proto}, which is named after it or declares its gRPC service",
                        service.name
                    );
                    continue;
                }
                if let Some((generated, proto)) = shared.generated_into(facts, service) {
                    log::info!(
                        "layout-contract: service {}: its generated code {generated} comes from {proto}, a contract of this repository",
                        service.name
                    );
                    continue;
                }
                cx.emit_in(
                    &service.manifest,
                    Some(&service.name),
                    None,
                    format!("service {} owns no .proto contract", service.name),
                    &service.name,
                )
                .help(format!(
                    "add api/{}/v1/{}.proto, or map its contract directory under contracts.owners",
                    service.name.trim_end_matches("-service"),
                    service.name.trim_end_matches("-service").replace('-', "_")
                ));
            }
        }
    }
}

/// The repository's protos with the gRPC services each declares: a shared
/// contract directory (`protos/demo.proto` declaring `service CheckoutService`
/// for `src/checkoutservice`, `grpc/proto/order.proto` for `order-service`)
/// is the contract of the services it is named after or declares.
struct SharedProtos {
    /// (path, normalised file stem and directory, normalised `service` names)
    files: Vec<(String, [String; 2], Vec<String>)>,
}

impl SharedProtos {
    fn read(facts: &Facts<'_>) -> SharedProtos {
        let files = facts
            .repo
            .files
            .iter()
            .filter(|f| f.ends_with(".proto") && !is_test_data(f))
            .map(|file| {
                let stem = file
                    .rsplit('/')
                    .next()
                    .unwrap_or(file)
                    .trim_end_matches(".proto");
                let source =
                    std::fs::read_to_string(facts.repo.root.join(file)).unwrap_or_default();
                let services = source
                    .lines()
                    .filter_map(|line| line.trim_start().strip_prefix("service "))
                    .filter_map(|rest| rest.split(|c: char| c.is_whitespace() || c == '{').next())
                    .map(normalise)
                    .filter(|name| !name.is_empty())
                    .collect();
                (
                    file.clone(),
                    [normalise(stem), directory_name(file)],
                    services,
                )
            })
            .collect();
        SharedProtos { files }
    }

    /// A Go file of the service generated from one of these protos
    /// (`// source: echo.proto` in `kitex_gen/pbapi/echo.pb.go`, where the
    /// repository has `idl/echo.proto`), and that proto: the service was
    /// built from a contract the repository holds, even one named after
    /// neither the service nor its directory. Read only from the file's header.
    fn generated_into(
        &self,
        facts: &Facts<'_>,
        service: &crate::repo::Service,
    ) -> Option<(String, String)> {
        use std::io::Read;
        let prefix = if service.root.is_empty() {
            String::new()
        } else {
            format!("{}/", service.root)
        };
        facts
            .repo
            .files
            .iter()
            .filter(|f| f.starts_with(&prefix) && f.ends_with(".pb.go"))
            .find_map(|file| {
                let mut header = String::new();
                std::fs::File::open(facts.repo.root.join(file))
                    .ok()?
                    .take(2048)
                    .read_to_string(&mut header)
                    .ok()?;
                let source = header
                    .lines()
                    .find_map(|line| line.strip_prefix("// source: "))?
                    .trim();
                let (proto, _, _) = self
                    .files
                    .iter()
                    .find(|(path, _, _)| path == source || path.ends_with(&format!("/{source}")))?;
                Some((file.clone(), proto.clone()))
            })
    }

    fn naming(&self, service: &str) -> Option<&str> {
        let name = normalise(service.rsplit('/').next().unwrap_or(service));
        if name.is_empty() {
            return None;
        }
        self.files
            .iter()
            .find(|(_, names, services)| names.contains(&name) || services.contains(&name))
            .map(|(path, _, _)| path.as_str())
    }
}

/// The directory a proto is filed under, past version directories
/// (`idl/frontend/home.proto`, `api/frontend/v1/home.proto`: `frontend`);
/// empty for a directory that only says it holds contracts.
fn directory_name(file: &str) -> String {
    let directory = file
        .rsplit('/')
        .skip(1)
        .find(|part| {
            !(part.starts_with('v')
                && part.len() > 1
                && part[1..].bytes().all(|b| b.is_ascii_digit()))
        })
        .unwrap_or_default();
    let name = normalise(directory);
    let generic = [
        "proto",
        "protos",
        "protobuf",
        "idl",
        "api",
        "apis",
        "pb",
        "rpc",
        "grpc",
        "schema",
        "schemas",
        "contract",
        "contracts",
        "",
    ];
    if generic.contains(&name.as_str()) {
        String::new()
    } else {
        name
    }
}

/// `order-service`, `order_svc`, `OrderService` and `order` are one name.
fn normalise(name: &str) -> String {
    let flat: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    for suffix in ["service", "svc"] {
        if let Some(base) = flat.strip_suffix(suffix)
            && !base.is_empty()
        {
            return base.to_string();
        }
    }
    flat
}

/// Protos under test directories feed tests.
fn is_test_data(file: &str) -> bool {
    file.split('/')
        .any(|part| matches!(part, "test" | "tests" | "testdata" | "fixtures" | "e2e"))
}

/// `cmd/<program>` with a go.mod of its own (kratos's `cmd/kratos`,
/// `cmd/protoc-gen-go-http`).
fn is_command_module(root: &str) -> bool {
    let parts: Vec<&str> = root.split('/').collect();
    parts.len() >= 2 && parts[parts.len() - 2] == "cmd"
}
