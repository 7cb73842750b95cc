//! The wasmtime host: runs the raw `.wasm` build of the core
//! (`wasm/src/raw.rs`, `wasm/pkg/stockbook_raw.wasm`) so a backend executes
//! the very module the browser runs.
//!
//! [`WasmCore`] owns one compiled module and at most one live instance. It
//! answers requests either over the module's own in-memory store
//! ([`WasmCore::execute_json`]) or over a store the host keeps, SQLite say,
//! through the pull protocol of `stockbook_wasm::hoststore`
//! ([`WasmCore::execute_over`]): the module runs the command over what the
//! host supplied, reports the reads it still needs, the host answers them from
//! its store and runs it again, and the last run hands back the answer and the
//! changeset, which the host commits with [`Store::commit`].
//!
//! A trap (a bug in the module: it is built with `panic = "abort"`) leaves the
//! instance unusable. The host drops it, answers `conflict` naming the trap
//! (nothing of that command was applied: a pulled command commits on the host
//! side only after the module finished), and instantiates afresh for the next
//! request; the module's own store is rebuilt from the last snapshot taken
//! or restored.

use stockbook_core::error::Error;
use stockbook_core::protocol::answer_json;
use stockbook_core::store::Store;
use stockbook_wasm::hoststore::{resolve, Step, Supply};
use wasmtime::{Engine, Instance, Memory, Module, StoreLimits, StoreLimitsBuilder, TypedFunc};

/// The ABI version this host speaks (`sb_abi_version`).
pub const ABI_VERSION: i32 = 1;

/// Most rounds one pulled command may take; a guard against a module that
/// keeps asking (a bug), far above what any command needs (about one round
/// per dependent read).
pub const MAX_ROUNDS: usize = 100_000;

/// Largest linear memory an instance may grow to.
pub const MAX_MEMORY: usize = 2 << 30;

/// Why a module could not be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum WasmError {
    /// The `.wasm` file is missing or unreadable.
    #[error("cannot read the wasm module {path}: {source} (build it with `wasm/build.sh`, or point STOCKBOOK_WASM at it)")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Compiling, instantiating or calling the module failed.
    #[error("wasm module: {0}")]
    Module(String),
    /// The module speaks another ABI version.
    #[error("wasm module speaks ABI {found}, this host speaks {ABI_VERSION}")]
    Abi {
        /// The module's version.
        found: i32,
    },
    /// The module trapped; the instance was dropped.
    #[error(
        "the wasm module trapped (a bug; the instance was dropped and nothing was applied): {0}"
    )]
    Trapped(String),
}

impl WasmError {
    /// The protocol answer for this failure: `conflict` (nothing was applied;
    /// the next request gets a fresh instance).
    pub fn answer(&self) -> String {
        answer_json(&Err(Error::conflict(self.to_string())))
    }
}

fn module_err(e: impl std::fmt::Display) -> WasmError {
    WasmError::Module(format!("{e:#}"))
}

/// The module file used when none is given: `STOCKBOOK_WASM`, else the build
/// output of `wasm/build.sh` in this source tree.
pub fn default_module_path() -> std::path::PathBuf {
    match std::env::var_os("STOCKBOOK_WASM") {
        Some(p) => p.into(),
        None => {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../wasm/pkg/stockbook_raw.wasm")
        }
    }
}

/// The exports of one live instance.
struct Live {
    store: wasmtime::Store<StoreLimits>,
    memory: Memory,
    alloc: TypedFunc<i32, i32>,
    free: TypedFunc<(i32, i32), ()>,
    execute: TypedFunc<(i32, i32), i64>,
    snapshot: TypedFunc<(), i64>,
    restore: TypedFunc<(i32, i32), i64>,
    pull_begin: TypedFunc<(), ()>,
    pull_run: TypedFunc<(i32, i32), i64>,
    pull_supply: TypedFunc<(i32, i32), i64>,
    /// `sb_trap`, exported by test-trap builds only.
    trap: Option<TypedFunc<(), ()>>,
}

/// A failed call: a trap or another runtime error; either way the instance
/// is no longer trusted.
struct Dead(String);

impl From<wasmtime::Error> for Dead {
    fn from(e: wasmtime::Error) -> Self {
        Dead(format!("{e:#}"))
    }
}

impl Live {
    fn new(engine: &Engine, module: &Module) -> Result<Live, WasmError> {
        let limits = StoreLimitsBuilder::new().memory_size(MAX_MEMORY).build();
        let mut store = wasmtime::Store::new(engine, limits);
        store.limiter(|l| l);
        let instance = Instance::new(&mut store, module, &[]).map_err(module_err)?;
        let version = instance
            .get_typed_func::<(), i32>(&mut store, "sb_abi_version")
            .and_then(|f| f.call(&mut store, ()))
            .map_err(module_err)?;
        if version != ABI_VERSION {
            return Err(WasmError::Abi { found: version });
        }
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or_else(|| WasmError::Module("no exported memory".into()))?;
        macro_rules! func {
            ($name:literal) => {
                instance
                    .get_typed_func(&mut store, $name)
                    .map_err(|e| WasmError::Module(format!("export `{}`: {e:#}", $name)))?
            };
        }
        let trap = instance.get_typed_func(&mut store, "sb_trap").ok();
        Ok(Live {
            trap,
            alloc: func!("sb_alloc"),
            free: func!("sb_free"),
            execute: func!("sb_execute"),
            snapshot: func!("sb_snapshot"),
            restore: func!("sb_restore"),
            pull_begin: func!("sb_pull_begin"),
            pull_run: func!("sb_pull_run"),
            pull_supply: func!("sb_pull_supply"),
            memory,
            store,
        })
    }

    /// Copies `bytes` into a fresh module buffer; its address.
    fn put(&mut self, bytes: &[u8]) -> Result<(i32, i32), Dead> {
        let len = i32::try_from(bytes.len()).map_err(|_| Dead("input larger than 2 GiB".into()))?;
        let ptr = self.alloc.call(&mut self.store, len)?;
        self.memory
            .write(&mut self.store, ptr as u32 as usize, bytes)
            .map_err(|e| Dead(e.to_string()))?;
        Ok((ptr, len))
    }

    /// Copies out and frees an answer buffer `(ptr << 32) | len`.
    fn take(&mut self, packed: i64) -> Result<Vec<u8>, Dead> {
        let packed = packed as u64;
        let (ptr, len) = ((packed >> 32) as u32, packed as u32);
        let mut out = vec![0u8; len as usize];
        self.memory
            .read(&self.store, ptr as usize, &mut out)
            .map_err(|e| Dead(e.to_string()))?;
        self.free.call(&mut self.store, (ptr as i32, len as i32))?;
        Ok(out)
    }

    /// Calls `f(ptr, len)` with `input` in module memory; its answer bytes.
    fn call_with(&mut self, f: TypedFunc<(i32, i32), i64>, input: &[u8]) -> Result<Vec<u8>, Dead> {
        let (ptr, len) = self.put(input)?;
        let packed = f.call(&mut self.store, (ptr, len))?;
        self.free.call(&mut self.store, (ptr, len))?;
        self.take(packed)
    }

    fn text(bytes: Vec<u8>) -> Result<String, Dead> {
        String::from_utf8(bytes)
            .map_err(|_| Dead("the module answered bytes that are not UTF-8".into()))
    }
}

/// The compiled module and its live instance.
pub struct WasmCore {
    engine: Engine,
    module: Module,
    live: Option<Live>,
    /// Snapshot the module's own store is rebuilt from after a trap.
    checkpoint: Option<Vec<u8>>,
}

impl WasmCore {
    /// Compiles the module at `path` and instantiates it.
    pub fn load(path: &std::path::Path) -> Result<WasmCore, WasmError> {
        let bytes = std::fs::read(path).map_err(|source| WasmError::Read {
            path: path.display().to_string(),
            source,
        })?;
        WasmCore::from_bytes(&bytes)
    }

    /// Compiles a module given as bytes and instantiates it.
    pub fn from_bytes(bytes: &[u8]) -> Result<WasmCore, WasmError> {
        let engine = Engine::default();
        let module = Module::new(&engine, bytes).map_err(module_err)?;
        let live = Live::new(&engine, &module)?;
        Ok(WasmCore {
            engine,
            module,
            live: Some(live),
            checkpoint: None,
        })
    }

    /// The live instance, instantiating (and restoring the checkpoint) after
    /// a trap.
    fn live(&mut self) -> Result<&mut Live, WasmError> {
        if self.live.is_none() {
            let mut live = Live::new(&self.engine, &self.module)?;
            if let Some(cp) = &self.checkpoint {
                let f = live.restore.clone();
                let answer = live
                    .call_with(f, cp)
                    .and_then(Live::text)
                    .map_err(|Dead(m)| WasmError::Trapped(m))?;
                if !answer.starts_with(r#"{"ok":"#) {
                    return Err(WasmError::Module(format!(
                        "restoring the checkpoint: {answer}"
                    )));
                }
            }
            self.live = Some(live);
        }
        self.live
            .as_mut()
            .ok_or_else(|| WasmError::Module("no instance".into()))
    }

    /// Runs `f` on the live instance; a failure drops the instance.
    fn with_live<T>(
        &mut self,
        f: impl FnOnce(&mut Live) -> Result<T, Dead>,
    ) -> Result<T, WasmError> {
        let live = self.live()?;
        match f(live) {
            Ok(t) => Ok(t),
            Err(Dead(m)) => {
                self.live = None;
                Err(WasmError::Trapped(m))
            }
        }
    }

    /// True while an instance is live (false right after a trap).
    pub fn is_live(&self) -> bool {
        self.live.is_some()
    }

    /// Executes one request over the module's own in-memory store. Never
    /// panics; a trap answers `conflict`.
    pub fn execute_json(&mut self, request: &str) -> String {
        self.with_live(|l| {
            let f = l.execute.clone();
            l.call_with(f, request.as_bytes()).and_then(Live::text)
        })
        .unwrap_or_else(|e| e.answer())
    }

    /// The module's own store as snapshot JSON (also the trap checkpoint).
    pub fn snapshot(&mut self) -> Result<Vec<u8>, WasmError> {
        let snap = self.with_live(|l| {
            let packed = l.snapshot.call(&mut l.store, ())?;
            l.take(packed)
        })?;
        self.checkpoint = Some(snap.clone());
        Ok(snap)
    }

    /// Replaces the module's own store with a snapshot; the answer
    /// (`{"ok":null,...}` or the error), which also becomes the checkpoint
    /// when it was accepted.
    pub fn restore(&mut self, snapshot: &[u8]) -> String {
        let r = self.with_live(|l| {
            let f = l.restore.clone();
            l.call_with(f, snapshot).and_then(Live::text)
        });
        match r {
            Ok(a) => {
                if a.starts_with(r#"{"ok":"#) {
                    self.checkpoint = Some(snapshot.to_vec());
                }
                a
            }
            Err(e) => e.answer(),
        }
    }

    /// Executes one request in the module over `store`, which the host keeps
    /// (pull protocol), committing its changeset to `store`. Run it inside one
    /// transaction of the store so every read sees one state. Never panics.
    pub fn execute_over(&mut self, store: &mut dyn Store, request: &str) -> String {
        match self.pull(store, request) {
            Ok(answer) => answer,
            Err(e) => e,
        }
    }

    fn pull(&mut self, store: &mut dyn Store, request: &str) -> Result<String, String> {
        let call =
            |core: &mut WasmCore, which: fn(&Live) -> TypedFunc<(i32, i32), i64>, input: &[u8]| {
                core.with_live(|l| {
                    let f = which(l);
                    l.call_with(f, input)
                })
                .map_err(|e| e.answer())
            };
        self.with_live(|l| Ok(l.pull_begin.call(&mut l.store, ())?))
            .map_err(|e| e.answer())?;
        for _ in 0..MAX_ROUNDS {
            let step = call(self, |l| l.pull_run.clone(), request.as_bytes())?;
            let step: Step = serde_json::from_slice(&step).map_err(|e| {
                WasmError::Module(format!("unreadable step from the module: {e}")).answer()
            })?;
            match step {
                Step::Needs(needs) => {
                    let mut supplies = Vec::with_capacity(needs.len());
                    for need in needs {
                        let found = resolve(&*store, &need).map_err(|e| answer_json(&Err(e)))?;
                        supplies.push(Supply { need, found });
                    }
                    let body = serde_json::to_vec(&supplies)
                        .map_err(|e| WasmError::Module(e.to_string()).answer())?;
                    let ack = call(self, |l| l.pull_supply.clone(), &body)?;
                    if !ack.starts_with(br#"{"ok":"#) {
                        return Err(String::from_utf8_lossy(&ack).into_owned());
                    }
                }
                Step::Done { answer, changeset } => {
                    if let Some(cs) = changeset {
                        store.commit(cs).map_err(|e| answer_json(&Err(e)))?;
                    }
                    return Ok(answer);
                }
            }
        }
        Err(WasmError::Module(format!("the command needed more than {MAX_ROUNDS} rounds")).answer())
    }

    /// Test builds only (`test-trap`): calls the module's `sb_trap`, which
    /// panics; the trap is handled like any other.
    pub fn force_trap_for_tests(&mut self) -> Result<(), WasmError> {
        let Some(f) = self.live()?.trap.clone() else {
            return Err(WasmError::Module(
                "not a test-trap build (no `sb_trap`)".into(),
            ));
        };
        self.with_live(|l| Ok(f.call(&mut l.store, ())?))
    }
}

#[cfg(test)]
mod tests {
    //! These load the test-trap build of the raw module (`wasm/build.sh`
    //! writes it to `wasm/pkg-test/stockbook_raw_trap.wasm`); a missing file
    //! fails them with the command that builds it.
    use super::*;
    use crate::sqlite::SqliteStore;
    use serde_json::Value as Json;

    /// The request text the test-trap build panics on (`wasm/src/raw.rs`).
    const TRAP_REQUEST: &str = "__stockbook_test_trap__";

    fn trap_module() -> WasmCore {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../wasm/pkg-test/stockbook_raw_trap.wasm");
        WasmCore::load(&path).unwrap_or_else(|e| panic!("{e}"))
    }

    fn req(cmd: &str, args: &str, minute: u32) -> String {
        format!(
            r#"{{"cmd":"{cmd}","actor":{{"id":"ann","permissions":["admin"]}},"now":"2026-03-02T09:{minute:02}:00Z","args":{args}}}"#
        )
    }

    fn locations(answer: &str) -> Vec<String> {
        let v: Json = serde_json::from_str(answer).unwrap();
        v["ok"]
            .as_array()
            .unwrap_or_else(|| panic!("{answer}"))
            .iter()
            .map(|l| l["name"].as_str().unwrap().to_string())
            .collect()
    }

    fn assert_trap_answer(answer: &str) {
        let v: Json = serde_json::from_str(answer).unwrap();
        assert_eq!(v["error"]["code"], "conflict", "{answer}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains("trapped"),
            "{answer}"
        );
    }

    #[test]
    fn a_trap_in_a_command_is_an_error_answer_and_the_next_instance_restores_the_checkpoint() {
        let mut core = trap_module();
        let ok = core.execute_json(&req("create_location", r#"{"name":"Van"}"#, 0));
        assert!(ok.starts_with(r#"{"ok":"#), "{ok}");
        core.snapshot().unwrap();
        core.execute_json(&req("create_location", r#"{"name":"Shed"}"#, 1));

        assert_trap_answer(&core.execute_json(TRAP_REQUEST));
        assert!(!core.is_live(), "the trapped instance is dropped");

        // A fresh instance, rebuilt from the last snapshot.
        let list = core.execute_json(&req("list_locations", "{}", 2));
        assert_eq!(locations(&list), ["Main", "Van"]);
        assert!(core.is_live());
    }

    #[test]
    fn a_forced_trap_outside_a_command_drops_the_instance_too() {
        let mut core = trap_module();
        let e = core.force_trap_for_tests().unwrap_err();
        assert!(matches!(e, WasmError::Trapped(_)), "{e}");
        assert!(!core.is_live());
        let list = core.execute_json(&req("list_locations", "{}", 0));
        assert_eq!(locations(&list), ["Main"]);
    }

    #[test]
    fn over_sqlite_a_trap_applies_nothing_and_the_host_store_keeps_its_state() {
        let mut core = trap_module();
        let mut db = SqliteStore::open_in_memory().unwrap();
        let mut run =
            |core: &mut WasmCore, r: &str| db.transaction(|db| core.execute_over(db, r)).unwrap();
        let ok = run(&mut core, &req("create_location", r#"{"name":"Van"}"#, 0));
        assert!(ok.starts_with(r#"{"ok":"#), "{ok}");
        assert_trap_answer(&run(&mut core, TRAP_REQUEST));
        assert!(!core.is_live());
        let list = run(&mut core, &req("list_locations", "{}", 1));
        assert_eq!(locations(&list), ["Main", "Van"]);
        // The pulled answers are the native ones.
        let native = db.execute_json(&req("list_locations", "{}", 1));
        assert_eq!(list, native);
    }

    /// A bad snapshot is refused with the words of the native library
    /// (`MemoryStore::from_snapshot_json`, which the package uses too).
    #[test]
    fn a_bad_snapshot_is_refused_like_the_native_library_refuses_it() {
        let mut core = trap_module();
        for bad in [
            r#"{"format":1}"#,
            r#"{"format":2,"records":[],"movements":[]}"#,
            "[1,2]",
        ] {
            let native = match stockbook_core::store::memory::MemoryStore::from_snapshot_json(bad) {
                Ok(_) => panic!("{bad} was accepted"),
                Err(e) => stockbook_core::protocol::answer_json(&Err(e)),
            };
            assert_eq!(core.restore(bad.as_bytes()), native, "{bad}");
        }
    }

    #[test]
    fn a_module_that_is_not_there_names_the_build_command() {
        let e = WasmCore::load(std::path::Path::new("/nonexistent/stockbook_raw.wasm"))
            .err()
            .expect("loading a missing file fails");
        assert!(e.to_string().contains("wasm/build.sh"), "{e}");
    }

    #[test]
    fn garbage_bytes_are_not_a_module() {
        let e = WasmCore::from_bytes(b"\0asm but not really")
            .err()
            .expect("refused");
        assert!(matches!(e, WasmError::Module(_)), "{e}");
    }
}
