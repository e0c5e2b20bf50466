#!/usr/bin/env bash
# Regenerates the uniffi bindings checked in under bindings/ from a fresh debug build of vrs-ffi
# (library mode: uniffi-bindgen reads the interface from the cdylib's metadata, and the
# configuration from vrs-ffi/uniffi.toml).
#
#   bindings/generate.sh          rewrite bindings/python/vrs.py, bindings/kotlin/, bindings/swift/
#   bindings/generate.sh --check  change nothing; print a diff and exit 1 when they are stale (CI)
#
# The generator is vrs-ffi's own `uniffi-bindgen` binary (feature `bindgen`), so it always has the
# exact uniffi version of the library. Output is not run through formatters (--no-format), so it
# does not depend on which tools are installed.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=write
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  *)
    echo "usage: $0 [--check]" >&2
    exit 2
    ;;
esac

cargo build --quiet -p vrs-ffi --features bindgen --lib --bin uniffi-bindgen

target_dir="${CARGO_TARGET_DIR:-target}"
case "$(uname -s)" in
  Darwin) lib="$target_dir/debug/libvrs.dylib" ;;
  *) lib="$target_dir/debug/libvrs.so" ;;
esac
bindgen="$target_dir/debug/uniffi-bindgen"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

for language in python kotlin swift; do
  "$bindgen" generate --library "$lib" --language "$language" --no-format \
    --out-dir "$tmp/$language" >/dev/null
done

# The generated files and where they are checked in.
#   python: vrs.py (next to the packaging files, which are not generated)
#   kotlin: jp/vrs/vrs.kt
#   swift:  Vrs.swift, VrsFFI.h, VrsFFI.modulemap
if [[ "$mode" == check ]]; then
  stale=0
  diff -u bindings/python/vrs.py "$tmp/python/vrs.py" || stale=1
  diff -ru bindings/kotlin "$tmp/kotlin" || stale=1
  diff -ru bindings/swift "$tmp/swift" || stale=1
  if [[ "$stale" -ne 0 ]]; then
    echo "bindings/ is stale: run bindings/generate.sh and commit the result" >&2
    exit 1
  fi
  echo "bindings/ is up to date"
else
  mkdir -p bindings/python bindings/kotlin bindings/swift
  cp "$tmp/python/vrs.py" bindings/python/vrs.py
  rm -rf bindings/kotlin bindings/swift
  cp -r "$tmp/kotlin" bindings/kotlin
  cp -r "$tmp/swift" bindings/swift
  echo "regenerated bindings/python/vrs.py, bindings/kotlin/, bindings/swift/"
fi
