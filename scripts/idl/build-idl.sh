#!/usr/bin/env bash
# target/idl/session_keys.json and target/types/session_keys.ts, as `anchor build`
# writes them, built on the host with the normal Rust toolchain.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/scripts/sbf/common.sh"
tool_target="$CACHE/idl-tool"
cargo build --quiet --release --manifest-path "$repo/scripts/idl/Cargo.toml" --target-dir "$tool_target"
mkdir -p "$repo/target/idl" "$repo/target/types"
log "building the IDL (idl-build tests on the host)"
"$tool_target/release/session-keys-idl" "$repo/programs/session-keys" > "$repo/target/idl/session_keys.json.tmp"
mv "$repo/target/idl/session_keys.json.tmp" "$repo/target/idl/session_keys.json"
(cd "$repo" && npx --no-install ts-node --transpile-only scripts/idl/types.ts target/idl/session_keys.json target/types/session_keys.ts)
log "wrote target/idl/session_keys.json and target/types/session_keys.ts"
