#!/usr/bin/env bash
# `make demo`: the main job on the bundled data.
set -euo pipefail
bin=${1:-build/ceiling}
echo "== The chip catalog, by total processing performance (TPP), with the Oct 2023 rule's TPP lines =="
echo
"$bin" chips --sort tpp \
  --mark-tpp "4800=3A090.a.1 (TPP >= 4800; Oct 2023 rule)" \
  --mark-tpp "2400=3A090.b.1 lower bound (TPP >= 2400 with 1.6 <= PD < 5.92)" \
  --mark-tpp "1600=PD tests apply from TPP 1600 (3A090.a.2 / b.2)"
