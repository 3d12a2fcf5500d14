#!/usr/bin/env bash
# `make demo`: an H20 case study on the bundled data. The H20 is the H100's GH100 die with
# dense compute cut to about 15%, designed to sit under the 3A090 lines; this walks through
# what that bought (export status) and what it cost (serving performance).
set -euo pipefail
bin=${1:-build/ceiling}

echo "== 1. H100, H200 and H20: same die, very different export-control metrics =="
echo
"$bin" chips --vendor nvidia --sort tpp |
  awk 'NR <= 2 || $1 == "nvidia-h100-sxm" || $1 == "nvidia-h200-sxm" || $1 == "nvidia-h20"'
echo
echo "The H20 against every threshold in force for China on 2024-06-01 (value/threshold):"
"$bin" headroom nvidia-h20 --date 2024-06-01 --to CN
echo

echo "== 2. How the H20's status for China changed over time =="
echo
"$bin" timeline nvidia-h20 --to CN
echo

echo "== 3. H100 vs H20 to China on 2024-06-01 =="
echo
"$bin" classify nvidia-h100-sxm --date 2024-06-01 --to CN --no-trace
echo
"$bin" classify nvidia-h20 --date 2024-06-01 --to CN --no-trace
echo

echo "== 4. What the H20 can do: DeepSeek-R1 serving, decode-heavy, 16 GPUs of each chip =="
echo
"$bin" compare nvidia-h20 nvidia-h100-sxm nvidia-h200-sxm --model deepseek-r1 --gpus 16 \
  --isl 4096 --osl 1536 --concurrency 128

echo
echo "== 5. Make the H20 move automatically: the best GH100 derivative China may buy without a license =="
echo
# Decode throughput of DeepSeek-R1 at TPOT <= 50 ms, against the real H20. The chart of the
# search goes to build/demo-design.svg.
"$bin" design --base nvidia-h100-sxm --date 2024-06-01 --to CN --require no-license \
  --objective decode --model deepseek-r1 --sla-tpot 50 --compare nvidia-h20 \
  -o build/demo-design.svg

echo
echo "== 6. The H20 dossier: one self-contained HTML file (opens offline, prints) =="
echo
mkdir -p out
"$bin" report nvidia-h20 --to CN --date 2024-06-01 -o out/nvidia-h20-dossier.html
echo "wrote $(pwd)/out/nvidia-h20-dossier.html"
