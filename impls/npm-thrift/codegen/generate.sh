#!/usr/bin/env bash
# Generates npm-thrift's code from suites/thrift/data/conformance.thrift with the compiler a
# TypeScript user of npm `thrift` has at hand (Debian trixie's thrift-compiler 0.19.0, in a container).
#
#   generate.sh           write impls/npm-thrift/gen/ (committed: unit tests and typecheck need no Docker)
#   generate.sh --check   regenerate into a scratch folder and fail if impls/npm-thrift/gen/ differs
#
# Generator choice: 0.19's plain `js:node` output calls `thrift.Q`, which npm thrift 0.24 no longer
# has (every async call would throw); `js:node,es6` emits native Promises and classes and only
# needs what 0.24 still exports (Thrift, Int64, the protocols), so that is the combination we use.
#
# uuid: the 0.19 js generator stops with "[FAILURE:generation:1] Error: compiler error: unhandled
# type" on any uuid member, so the code is generated from a COPY of the IDL with every declaration
# that names the type uuid removed: each line whose code (the part before any `//`) contains the
# word `uuid` is dropped. In the conformance IDL those are single-line declarations: Tagged's five
# fields (Tagged stays, empty), EvolvingV2's fields 10 (tag), 14 (tags) and 19 (blobsByTag), and the
# method echoUuid. The script refuses to go on if a uuid is left (a declaration spanning lines) and
# writes the removed lines into stamp.json; capabilities.json skips the cases that need them.
set -euo pipefail
cd "$(dirname "$0")/../../.."
IDL=suites/thrift/data/conformance.thrift
OUT=impls/npm-thrift/gen
GENERATOR=js:node,es6

dockerfile=impls/npm-thrift/codegen/Dockerfile
tag="avro-thrift-conformance/thrift-compiler:$(sha256sum "$dockerfile" | cut -c1-16)"
if ! docker image inspect "$tag" >/dev/null 2>&1; then
  echo "generate:thrift: building $tag" >&2
  docker build -q -t "$tag" -f "$dockerfile" impls/npm-thrift/codegen >/dev/null
fi

scratch=$(mktemp -d)
idl_copy=$(mktemp -d)
trap 'rm -rf "$scratch" "$idl_copy"' EXIT

uses_uuid='^[^/]*\<uuid\>'
grep -v "$uses_uuid" "$IDL" > "$idl_copy/conformance.thrift"
if grep -n "$uses_uuid" "$idl_copy/conformance.thrift" >&2; then
  echo "generate:thrift: uuid still used in the IDL copy (above); extend the transformation" >&2
  exit 1
fi
removed_json=$(grep "$uses_uuid" "$IDL" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//; s/\\/\\\\/g; s/"/\\"/g' \
  | while IFS= read -r line; do printf '    "%s"\n' "$line"; done | sed '$!s/$/,/')

run() {
  docker run --rm --network none --label org.avro-thrift-conformance.suite=true \
    --user "$(id -u):$(id -g)" -v "$idl_copy:/idl:ro" -v "$scratch:/out" "$tag" "$@"
}
version=$(run --version | sed 's/^Thrift version //')
run -strict --gen "$GENERATOR" -out /out /idl/conformance.thrift 2> >(grep -v '^$' >&2 || true)
# The compiler's own description of the same IDL copy: the adapter converts values by it.
run --gen json -out /out /idl/conformance.thrift
# The repository is an ES module package; the generated code is CommonJS.
printf '{\n  "type": "commonjs"\n}\n' > "$scratch/package.json"
cat > "$scratch/stamp.json" <<JSON
{
  "idl": "$IDL",
  "idlSha256": "$(sha256sum "$IDL" | cut -d' ' -f1)",
  "compiler": "thrift-compiler $version (Debian trixie)",
  "generator": "$GENERATOR",
  "generatedFrom": "a copy of the IDL without the lines that declare uuid members (codegen/generate.sh)",
  "removedLines": [
$removed_json
  ]
}
JSON

if [ "${1:-}" = "--check" ]; then
  if diff -r "$scratch" "$OUT" >&2; then
    echo "generate:thrift: $OUT is current" >&2
  else
    echo "generate:thrift: $OUT is stale: run impls/npm-thrift/codegen/generate.sh and commit it" >&2
    exit 1
  fi
else
  rm -rf "$OUT"
  mkdir -p "$OUT"
  cp -r "$scratch"/. "$OUT"/
  echo "generate:thrift: wrote $OUT with thrift-compiler $version ($GENERATOR)" >&2
fi
