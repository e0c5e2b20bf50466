#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, one after the other on one core,
# and prints per target: time, executions, coverage (cov/ft of libFuzzer's last status line) and
# the result. Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
#
#   fuzz/run-all.sh SECONDS [TARGET...]
#
# Inputs that find new coverage go to fuzz/work/corpus/<target>/ (not checked in; the checked-in
# seeds in fuzz/corpus/<target>/ are read, never written). A crashing input is kept by libFuzzer
# in fuzz/artifacts/<target>/; after fixing the bug, move it to fuzz/regressions/<target>/, where
# `cargo test` replays it on the stable toolchain. Logs: fuzz/work/logs/<target>.log.
#
# Environment: CARGO_TARGET_DIR (default fuzz/target), FUZZ_TOOLCHAIN (default nightly),
# FUZZ_MAX_LEN (default 16384 bytes per input), FUZZ_DEV=1 (build without optimizations: builds in
# about half the time, runs several times slower; for CI's short smoke runs).
# Exit status: 0 when no target crashed, 1 when one did, 2 when the targets could not be built.
set -uo pipefail

if [ $# -lt 1 ] || ! [[ "$1" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 SECONDS [TARGET...]" >&2
  exit 2
fi
seconds=$1
shift

fuzz_dir="$(cd "$(dirname "$0")" && pwd)"
cd "$fuzz_dir"
toolchain="${FUZZ_TOOLCHAIN:-nightly}"
target_dir="${CARGO_TARGET_DIR:-$fuzz_dir/target}"
max_len="${FUZZ_MAX_LEN:-16384}"
profile=()
[ "${FUZZ_DEV:-0}" = 1 ] && profile=(--dev)
work="$fuzz_dir/work"
mkdir -p "$work/logs"

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in fuzz_targets/*.rs; do
    targets+=("$(basename "$f" .rs)")
  done
fi

echo "== building ${#targets[@]} fuzz targets ($toolchain, target dir $target_dir)"
if ! cargo "+$toolchain" fuzz build "${profile[@]}" --target-dir "$target_dir" >"$work/logs/build.log" 2>&1; then
  tail -n 40 "$work/logs/build.log" >&2
  echo "error: the fuzz targets do not build (log: $work/logs/build.log)" >&2
  exit 2
fi

crashed=0
rows=()
for t in "${targets[@]}"; do
  mkdir -p "$work/corpus/$t" "corpus/$t" "artifacts/$t"
  log="$work/logs/$t.log"
  echo "== $t: ${seconds}s"
  start=$(date +%s)
  # The first corpus directory receives new inputs; the checked-in seeds stay as they are.
  cargo "+$toolchain" fuzz run "${profile[@]}" --target-dir "$target_dir" "$t" "$work/corpus/$t" "corpus/$t" -- \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=30 -rss_limit_mb=2048 \
    -print_final_stats=1 >"$log" 2>&1
  status=$?
  elapsed=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  if [ "$status" -eq 0 ]; then
    result="ok"
  else
    crashed=1
    artifact=$(grep -o 'Test unit written to [^ ]*' "$log" | tail -n 1 | sed 's/Test unit written to //')
    result="CRASH ${artifact:-(see $log)}"
    grep -E 'panicked at|ERROR: AddressSanitizer|ERROR: LeakSanitizer|SUMMARY:' "$log" | head -n 3 | sed 's/^/    /'
  fi
  rows+=("$(printf '%-32s %6ss %12s %7s %7s  %s' "$t" "$elapsed" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$result")")
  echo "${rows[-1]}"
done

echo
printf '%-32s %7s %12s %7s %7s  %s\n' target time execs cov ft result
printf '%s\n' "${rows[@]}"
exit $crashed
