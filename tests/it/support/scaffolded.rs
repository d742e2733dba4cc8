//! Services `trellis new service` generates for a test, and the scaffold
//! commands run in them: the one setup the scaffold and upgrade tests share.
//! Every command runs with --no-generate (no network, no code generation)
//! and with the template cache beside the services, never the user's.

use super::{fixture, stderr_of, trellis};
use std::path::{Path, PathBuf};
use std::process::Output;

/// `fixtures/scaffold/ledger.proto`: two services, every streaming kind.
pub fn ledger_proto() -> PathBuf {
    fixture("scaffold").join("ledger.proto")
}

/// `trellis new service NAME` run in `cwd`, built up flag by flag.
pub struct NewService {
    cwd: PathBuf,
    name: String,
    dir: Option<String>,
    args: Vec<String>,
}

/// A service named `name`, generated in `cwd` (into `cwd/name` unless
/// [`NewService::dir`] says otherwise).
pub fn scaffold(cwd: &Path, name: &str) -> NewService {
    NewService {
        cwd: cwd.to_path_buf(),
        name: name.to_string(),
        dir: None,
        args: Vec::new(),
    }
}

impl NewService {
    /// More flags, as given on the command line.
    pub fn args(mut self, args: &[&str]) -> Self {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    pub fn module(self, module: &str) -> Self {
        self.args(&["--module", module])
    }

    pub fn proto(self, proto: &Path) -> Self {
        self.args(&["--proto", proto.to_str().unwrap()])
    }

    /// From the streaming ledger contract.
    pub fn ledger(self) -> Self {
        self.proto(&ledger_proto())
    }

    pub fn template(self, template: &str) -> Self {
        self.args(&["--template", template])
    }

    /// The built-in Rust template.
    pub fn rust(self) -> Self {
        self.template("rust-tonic-service")
    }

    pub fn set(self, key: &str, value: &str) -> Self {
        self.args(&["--set", &format!("{key}={value}")])
    }

    /// Into `cwd/dir` (`--dir`).
    pub fn dir(mut self, dir: &str) -> Self {
        self.dir = Some(dir.to_string());
        self
    }

    /// Runs `new`, whatever its exit.
    pub fn output(self) -> Output {
        let mut cmd = trellis();
        cmd.current_dir(&self.cwd)
            .env("TRELLIS_CACHE_DIR", self.cwd.join(".cache"))
            .args(["new", "service", &self.name]);
        if let Some(dir) = &self.dir {
            cmd.args(["--dir", dir]);
        }
        cmd.args(&self.args).arg("--no-generate").output().unwrap()
    }

    /// Runs `new`, which must succeed; the service's directory.
    pub fn create(self) -> PathBuf {
        let root = self.cwd.join(self.dir.as_deref().unwrap_or(&self.name));
        let out = self.output();
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        root
    }
}

/// `trellis new service ARGS --no-generate` in `cwd`, the name first in
/// `args`, whatever its exit: for the cases `new` refuses.
pub fn new_service(cwd: &Path, args: &[&str]) -> Output {
    let (name, rest) = args.split_first().expect("a service name");
    scaffold(cwd, name).args(rest).output()
}

/// A scaffold command (`sync`, `upgrade`, `new client`) run in `dir`, a
/// service or a directory in one, with the cache of the services beside it.
fn in_service(dir: &Path, command: &[&str], args: &[&str]) -> Output {
    let cache = dir
        .ancestors()
        .find(|d| d.join(".trellis/scaffold.json").is_file())
        .and_then(Path::parent)
        .unwrap_or(dir)
        .join(".cache");
    trellis()
        .current_dir(dir)
        .env("TRELLIS_CACHE_DIR", cache)
        .args(command)
        .args(args)
        .arg("--no-generate")
        .output()
        .unwrap()
}

/// `trellis sync ARGS --no-generate` in `service`.
pub fn sync(service: &Path, args: &[&str]) -> Output {
    in_service(service, &["sync"], args)
}

/// `trellis upgrade ARGS --no-generate` in `service`.
pub fn upgrade(service: &Path, args: &[&str]) -> Output {
    in_service(service, &["upgrade"], args)
}

/// `trellis new client ARGS --no-generate` in `dir`, inside the calling service.
pub fn new_client(dir: &Path, args: &[&str]) -> Output {
    in_service(dir, &["new", "client"], args)
}
