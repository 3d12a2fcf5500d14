#!/usr/bin/env bash
# Redrafts src/api/response_schemas.json (the OpenAPI response schemas) from sample answers:
# the requests in tests/cases/api/schema_samples.txt and the responses the last HTTP test run
# saved (build/api-responses). Review the diff before committing: the schemas are an interface,
# and the API tests check every response against them.
#
#   scripts/refresh_response_schemas.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=()
i=0
while IFS='|' read -r op cli; do
  case "$op" in ''|'#'*) continue ;; esac
  i=$((i + 1))
  set +e
  eval "$build/ceiling $cli" >"$tmp/$i.json" 2>/dev/null
  rc=$?
  set -e
  if [ $rc -gt 1 ]; then echo "failed: ceiling $cli" >&2; exit 1; fi
  args+=("$op=$tmp/$i.json")
done < tests/cases/api/schema_samples.txt
if [ -f "$build/api-responses/manifest.jsonl" ]; then
  while read -r entry; do args+=("$entry"); done < <(python3 -c "
import json, sys
for line in open('$build/api-responses/manifest.jsonl'):
    m = json.loads(line)
    if m['status'] == 200:
        print(m['route'] + '=$build/api-responses/' + m['name'] + '.json')")
fi
python3 scripts/infer_schema.py "${args[@]}" > src/api/response_schemas.json
echo "wrote src/api/response_schemas.json from ${#args[@]} answers"
