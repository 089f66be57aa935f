#!/usr/bin/env bash
# Generates the TypeScript side's Thrift code from suites/thrift/data/conformance.thrift with the
# same compiler the reference peers use (Debian trixie's thrift-compiler 0.19.0, in a container).
#
#   generate.sh           write impls/npm-thrift/gen/ (committed: unit tests and typecheck need no Docker)
#   generate.sh --check   regenerate into a scratch folder and fail if impls/npm-thrift/gen/ differs
#
# Generator choice: 0.19's plain `js:node` output calls `thrift.Q`, which npm thrift 0.24 no longer
# has (every async call would throw); `js:node,es6` emits native Promises and classes and only
# needs what 0.24 still exports (Thrift, Int64, the protocols), so that is the combination we use.
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
trap 'rm -rf "$scratch"' EXIT
run() {
  docker run --rm --network none --label org.avro-thrift-conformance.suite=true \
    --user "$(id -u):$(id -g)" -v "$PWD/suites/thrift/data:/idl:ro" -v "$scratch:/out" "$tag" "$@"
}
version=$(run --version | sed 's/^Thrift version //')
run -strict --gen "$GENERATOR" -out /out /idl/conformance.thrift 2> >(grep -v '^$' >&2 || true)
run --gen json -out /out /idl/conformance.thrift
# The repository is an ES module package; the generated code is CommonJS.
printf '{\n  "type": "commonjs"\n}\n' > "$scratch/package.json"
cat > "$scratch/stamp.json" <<JSON
{
  "idl": "$IDL",
  "idlSha256": "$(sha256sum "$IDL" | cut -d' ' -f1)",
  "compiler": "thrift-compiler $version (Debian trixie)",
  "generator": "$GENERATOR"
}
JSON

if [ "${1:-}" = "--check" ]; then
  if diff -r "$scratch" "$OUT" >&2; then
    echo "generate:thrift: $OUT is current" >&2
  else
    echo "generate:thrift: $OUT is stale: run 'npm run generate:thrift' and commit it" >&2
    exit 1
  fi
else
  rm -rf "$OUT"
  mkdir -p "$OUT"
  cp -r "$scratch"/. "$OUT"/
  echo "generate:thrift: wrote $OUT with thrift-compiler $version ($GENERATOR)" >&2
fi
