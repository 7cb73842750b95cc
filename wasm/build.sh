#!/usr/bin/env bash
# Builds the wasm package into wasm/pkg/ (one command, also for a fresh machine):
#   wasm/pkg/stockbook.js, stockbook.d.ts    the public ES module and its types
#   wasm/pkg/stockbook_wasm{.js,_bg.wasm}    wasm-bindgen glue (--target web) and module
#   wasm/pkg/stockbook_raw.wasm              the raw module for wasmtime (no imports)
#   wasm/pkg/package.json, README.md
#   wasm/pkg-test/                           the `test-trap` variants, used by the
#                                            trap tests only (never shipped);
#                                            --no-test-builds skips them
#
# Environment: CARGO_TARGET_DIR (default ./target).
#
# Installs what is missing: the wasm32 target, wasm-bindgen-cli pinned to the
# exact wasm-bindgen version of Cargo.lock, and binaryen/typescript (npm ci).
set -euo pipefail

WASM_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$WASM_DIR/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
PROFILE=wasm-release
OUT_WASM=$TARGET_DIR/wasm32-unknown-unknown/$PROFILE/stockbook_wasm.wasm
WITH_TEST=1
for arg in "$@"; do
  case $arg in
    --no-test-builds) WITH_TEST=0 ;;
    *) echo "usage: $0 [--no-test-builds]" >&2; exit 2 ;;
  esac
done

step() { printf '\n== %s\n' "$*"; }
t0=$SECONDS

step "tools"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")
if [ -z "$WB_VERSION" ]; then echo "wasm-bindgen not found in Cargo.lock" >&2; exit 1; fi
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WB_VERSION"; then
  # Not --locked: the CLI's lockfile names a webpki-roots release the registry lacks.
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi
if [ ! -x "$WASM_DIR/node_modules/.bin/wasm-opt" ] || [ ! -x "$WASM_DIR/node_modules/.bin/tsc" ]; then
  (cd "$WASM_DIR" && npm ci --no-audit --no-fund)
fi
WASM_OPT=("$WASM_DIR/node_modules/.bin/wasm-opt" -Oz --strip-debug --strip-producers
  --enable-bulk-memory --enable-reference-types --enable-sign-ext --enable-multivalue
  --enable-nontrapping-float-to-int)

cargo_wasm() {
  cargo build --quiet --target wasm32-unknown-unknown --profile "$PROFILE" -p stockbook-wasm "$@"
}

# The raw module must import nothing (no `env`, no wasm-bindgen glue).
check_raw() {
  node --input-type=module -e '
    import { readFileSync } from "node:fs";
    const m = new WebAssembly.Module(readFileSync(process.argv[1]));
    const imports = WebAssembly.Module.imports(m);
    if (imports.length !== 0) { console.error("raw module imports:", imports); process.exit(1); }
    const names = WebAssembly.Module.exports(m).map((e) => e.name);
    for (const n of ["memory", "sb_abi_version", "sb_alloc", "sb_free", "sb_execute", "sb_snapshot", "sb_restore", "sb_pull_run", "sb_pull_supply"]) {
      if (!names.includes(n)) { console.error("raw module lacks export", n); process.exit(1); }
    }
  ' "$1"
}

# build_js OUT_DIR [cargo feature args...]
build_js() {
  local out=$1; shift
  cargo_wasm "$@"
  rm -rf "$out" && mkdir -p "$out"
  wasm-bindgen --target web --experimental-reset-state-function --out-name stockbook_wasm \
    --out-dir "$out" "$OUT_WASM"
  "${WASM_OPT[@]}" "$out/stockbook_wasm_bg.wasm" -o "$out/stockbook_wasm_bg.wasm"
  cp "$WASM_DIR/js/stockbook.js" "$WASM_DIR/js/stockbook.d.ts" "$out/"
}

# build_raw OUT_FILE [extra features]
build_raw() {
  local out=$1 features=raw${2:+,$2}
  cargo_wasm --no-default-features --features "$features"
  "${WASM_OPT[@]}" "$OUT_WASM" -o "$out"
  check_raw "$out"
}

step "JS package (wasm-bindgen)"
t=$SECONDS
build_js "$WASM_DIR/pkg"
echo "   $((SECONDS - t)) s"

step "raw module (wasmtime)"
t=$SECONDS
build_raw "$WASM_DIR/pkg/stockbook_raw.wasm"
echo "   $((SECONDS - t)) s, imports: none"

step "package files"
VERSION=$(awk -F'"' '/^version = / { print $2; exit }' "$ROOT/Cargo.toml")
cat > "$WASM_DIR/pkg/package.json" <<JSON
{
  "name": "stockbook-wasm",
  "version": "$VERSION",
  "description": "Stockbook's inventory and purchasing rules, compiled to WebAssembly: the same answers as the server, in browsers, edge workers and Node.",
  "license": "Apache-2.0",
  "type": "module",
  "main": "./stockbook.js",
  "module": "./stockbook.js",
  "types": "./stockbook.d.ts",
  "exports": {
    ".": { "types": "./stockbook.d.ts", "default": "./stockbook.js" },
    "./stockbook_wasm_bg.wasm": "./stockbook_wasm_bg.wasm",
    "./stockbook_raw.wasm": "./stockbook_raw.wasm",
    "./package.json": "./package.json"
  },
  "files": [
    "stockbook.js", "stockbook.d.ts", "stockbook_wasm.js", "stockbook_wasm.d.ts",
    "stockbook_wasm_bg.wasm", "stockbook_wasm_bg.wasm.d.ts", "stockbook_raw.wasm", "README.md"
  ],
  "sideEffects": false,
  "engines": { "node": ">=20" }
}
JSON
cp "$WASM_DIR/README.md" "$WASM_DIR/pkg/README.md"
rm -f "$WASM_DIR/pkg/.gitignore"

if [ "$WITH_TEST" = 1 ]; then
  step "test-trap builds (wasm/pkg-test/)"
  t=$SECONDS
  build_js "$WASM_DIR/pkg-test" --features test-trap
  build_raw "$WASM_DIR/pkg-test/stockbook_raw_trap.wasm" test-trap
  rm -f "$WASM_DIR/pkg-test/.gitignore"
  echo "   $((SECONDS - t)) s"
fi

step "sizes"
for f in "$WASM_DIR/pkg/stockbook_wasm_bg.wasm" "$WASM_DIR/pkg/stockbook_raw.wasm"; do
  printf '   %-28s %7d bytes, %7d gzipped\n' "$(basename "$f")" "$(wc -c < "$f")" "$(gzip -9 -c "$f" | wc -c)"
done
echo "done in $((SECONDS - t0)) s"
