#!/usr/bin/env bash
# Runs every libFuzzer target (or those named) for SECONDS each, one after the other, and writes
# a summary table (executions, coverage, corpus, crashes) to BUILD/fuzz/summary.md.
#   fuzz/run.sh BUILD SECONDS [TARGET...]
# The working corpus of each target grows in BUILD/fuzz/corpus/TARGET (seeded from the bundled
# data and tests/cases, read-only); a crash input lands in BUILD/fuzz/artifacts/TARGET/: copy it
# to fuzz/regressions/TARGET/ with the fix, and ctest replays it from then on.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: fuzz/run.sh BUILD SECONDS [TARGET...]}
seconds=${2:?usage: fuzz/run.sh BUILD SECONDS [TARGET...]}
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(toml chip model rule country design systems calibration points condition setexpr quantity date api)
fi
out="$build/fuzz"
mkdir -p "$out/logs"
summary="$out/summary.md"
{
  echo "| target | seconds | executions | exec/s | coverage (edges) | features | corpus | crashes |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
} > "$summary"
failed=0
total=0
for t in "${targets[@]}"; do
  bin="$build/fuzz/fuzz_$t"
  [ -x "$bin" ] || { echo "missing $bin (build with make fuzz)" >&2; exit 2; }
  mkdir -p "$out/corpus/$t" "$out/artifacts/$t"
  # libFuzzer reads corpora from directories: single seed files are copied into one.
  seeds=()
  rm -rf "$out/seed-files/$t" && mkdir -p "$out/seed-files/$t"
  while IFS= read -r s; do
    if [ -d "$s" ]; then seeds+=("$s"); elif [ -f "$s" ]; then cp "$s" "$out/seed-files/$t/"; fi
  done < "$out/seeds_$t.txt"
  seeds+=("$out/seed-files/$t")
  # Empty folders are not kept by git: only a target with a saved crash input has one.
  [ -d "fuzz/regressions/$t" ] && seeds+=("fuzz/regressions/$t")
  log="$out/logs/$t.log"
  "$bin" "$out/corpus/$t" "${seeds[@]}" -max_total_time="$seconds" -dict="fuzz/dict/$t.dict" \
    -print_final_stats=1 -timeout=30 -rss_limit_mb=2048 -artifact_prefix="$out/artifacts/$t/" \
    > "$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*')
  ft=$(echo "$last" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*')
  corp=$(echo "$last" | grep -o 'corp: [0-9]*' | grep -o '[0-9]*$')
  crashes=$(find "$out/artifacts/$t" -type f | wc -l)
  [ "$rc" -ne 0 ] && failed=1
  total=$((total + ${execs:-0}))
  echo "| $t | $seconds | ${execs:-?} | ${rate:-?} | ${cov:-?} | ${ft:-?} | ${corp:-?} | $crashes |" >> "$summary"
  echo "fuzz_$t: ${execs:-?} executions, cov ${cov:-?}, exit $rc"
done
echo "| **total** | | **$total** | | | | | |" >> "$summary"
echo "summary: $summary ($total executions)"
exit $failed
