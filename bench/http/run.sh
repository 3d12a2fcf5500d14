#!/usr/bin/env bash
# HTTP load test of `ceiling serve` on loopback, with wrk (Debian package `wrk`).
#
#   bench/http/run.sh [--duration S] [--soak S] [--binary build/ceiling] [--threads N]
#
# Starts the server on a free port, then for classify (with and without the trace), perf serve
# and design, at 1, 16 and 64 connections, runs wrk for DURATION seconds (default 10) and prints
# requests/s, p50 and p99 latency and the error count (non-2xx responses and socket errors).
# Those routes repeat one request, which the server answers from its cache after the first time;
# `classify-distinct` asks a different question each time (a random chip of the catalog, day from
# 2022-10-07 to 2026-11-30 and destination: about 3 million combinations, so nearly every request
# is computed) and shows the uncached cost; `classify-distinct-no-trace` the same without the trace.
# Then a soak (default 300 s) of distinct classify requests at 64 connections on a fresh server
# after a 20 s warm-up (the cache fills in the first second and then evicts), sampling the
# server's RSS every 10 s: the figure to watch is the spread of RSS over the soak. Loopback only;
# time-bounded.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=10
soak=300
binary=build/ceiling
threads=()
server_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --soak) soak=$2; shift 2 ;;
    --binary) binary=$2; shift 2 ;;
    --threads) threads=(--threads "$2"); shift 2 ;;  # the server's worker threads
    --server-arg) server_args+=("$2"); shift 2 ;;    # e.g. --server-arg --cache-mb=0
    *) echo "usage: $0 [--duration S] [--soak S] [--binary PATH] [--threads N] [--server-arg A]" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }

log=$(mktemp)
lua=$(mktemp --suffix=.lua)
server=
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -f "$log" "$lua"' EXIT
start_server() {  # sets server and base
  "$binary" serve --port 0 "${threads[@]}" "${server_args[@]}" >"$log" 2>&1 &
  server=$!
  for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
  local port
  port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\)\/.*/\1/p' "$log")
  [ -n "$port" ] || { echo "the server did not start: $(cat "$log")" >&2; exit 1; }
  base="http://127.0.0.1:$port/api/v1"
}
start_server

declare -A routes=(
  [classify]="$base/classify?chip=nvidia-h20&date=2025-05-01&to=CN"
  [classify-no-trace]="$base/classify?chip=nvidia-h20&date=2025-05-01&to=CN&trace=false"
  [perf-serve]="$base/perf/serve?chip=nvidia-h20&model=llama-3.1-70b&gpus=8&isl=2048&osl=512&sla_tpot=50"
  [design]="$base/design?base=nvidia-h100-sxm&date=2024-06-01&to=CN&model=deepseek-r1&sla_tpot=50"
  [classify-distinct]="$base/classify"
  [classify-distinct-no-trace]="$base/classify"
)

# The distinct classify requests: every catalog chip, a random day and destination each time.
{
  echo "local chips = {"
  "$binary" chips --csv | tail -n +2 | cut -d, -f1 | sed 's/.*/  "&",/'
  echo "}"
  cat <<'LUA'
local to = {"CN", "AE", "SG", "IN", "VN", "MY", "SA", "DE", "JP", "BR", "RU", "IL"}
local first = os.time({year = 2022, month = 10, day = 7, hour = 12})
local days = 1516  -- to 2026-11-30
math.randomseed(os.time())
local suffix = ""
init = function(args) suffix = args[1] or "" end  -- e.g. "&trace=false"
request = function()
  local d = os.date("!%Y-%m-%d", first + 86400 * math.random(0, days - 1))
  return wrk.format("GET", "/api/v1/classify?chip=" .. chips[math.random(#chips)] ..
                    "&date=" .. d .. "&to=" .. to[math.random(#to)] .. suffix)
end
LUA
} >"$lua"

# "Latency   1.23ms ..." lines: wrk prints percentiles in us, ms or s.
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.2f", v}'; }

printf '%-26s %5s %10s %9s %9s %7s\n' route conns "req/s" "p50 ms" "p99 ms" errors
for name in classify classify-no-trace classify-distinct classify-distinct-no-trace perf-serve design; do
  for c in 1 16 64; do
    script=() script_args=()
    case "$name" in
      classify-distinct) script=(-s "$lua") ;;
      classify-distinct-no-trace) script=(-s "$lua") script_args=(-- "&trace=false") ;;
    esac
    out=$(wrk -t"$(( c < 2 ? 1 : 2 ))" -c"$c" -d"${duration}s" --latency "${script[@]}" \
          "${routes[$name]}" "${script_args[@]}")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out" | to_ms)
    p99=$(awk '$1=="99%" {print $2}' <<<"$out" | to_ms)
    non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out"); non2xx=${non2xx:-0}
    sock=$(awk '/Socket errors/ {gsub(",",""); print $4+$6+$8+$10}' <<<"$out"); sock=${sock:-0}
    printf '%-26s %5s %10s %9s %9s %7s\n' "$name" "$c" "$rps" "$p50" "$p99" $((non2xx + sock))
  done
done

if [ "$soak" -gt 0 ]; then
  echo
  # A fresh server, so that the soak sees its own workload only (the routes above leave answers
  # of other sizes in the cache and the allocator), warmed up for 20 s first: the cache fills in
  # the first second and then evicts.
  kill $server; wait $server 2>/dev/null || true
  start_server
  wrk -t2 -c64 -d20s -s "$lua" "$base/classify" >/dev/null
  echo "soak: distinct classify requests at 64 connections for ${soak} s (after a 20 s warm-up on a"
  echo "fresh server), server RSS (MiB) every 10 s"
  wrk -t2 -c64 -d"${soak}s" --latency -s "$lua" "$base/classify" >"$log.soak" &
  loader=$!
  samples=()
  for _ in $(seq $((soak / 10))); do
    sleep 10
    samples+=("$(awk '/VmRSS/ {printf "%.1f", $2/1024}' /proc/$server/status)")
  done
  wait $loader
  echo "RSS: ${samples[*]}"
  printf '%s\n' "${samples[@]}" | awk 'NR==1 {first=$1} {if (min=="" || $1<min) min=$1; if ($1>max) max=$1} END {printf "RSS min %.1f max %.1f MiB: spread %.1f%% of the first sample\n", min, max, 100*(max-min)/first}'
  rps=$(awk '/Requests\/sec/ {print $2}' "$log.soak")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$log.soak"); non2xx=${non2xx:-0}
  p99=$(awk '$1=="99%" {print $2}' "$log.soak" | to_ms)
  sock=$(awk '/Socket errors/ {gsub(",",""); print $4+$6+$8+$10}' "$log.soak"); sock=${sock:-0}
  echo "soak throughput ${rps} req/s, p99 ${p99} ms, non-2xx responses ${non2xx}, socket errors ${sock}"
  rm -f "$log.soak"
fi
