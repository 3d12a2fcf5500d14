#!/usr/bin/env python3
"""Drafts JSON schemas for API responses from sample responses (a maintainer's aid).

    scripts/infer_schema.py OP=sample.json [OP=sample.json ...] > draft.json

Each object's properties are the union over the samples, `required` those present in every
sample, a value's type the union of the types seen (null included). The draft is reviewed by
hand before it goes into src/api/response_schemas.json; the API tests then check every response
the suite produces against that file, so a schema that is wrong fails the tests.
"""
import json
import sys
from collections import defaultdict


def type_of(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


# Objects keyed by data (source keys, clause ids, variable names): one schema for every value.
MAP_KEYS = {"sources", "binding_counts", "inputs", "parameters_by_name"}


def infer(values, name=""):
    types = sorted({type_of(v) for v in values})
    if "integer" in types and "number" in types:
        types.remove("integer")
    schema = {"type": types[0] if len(types) == 1 else types}
    objs = [v for v in values if isinstance(v, dict)]
    if objs and name in MAP_KEYS:
        members = [x for o in objs for x in o.values()]
        schema["additionalProperties"] = infer(members) if members else {}
        objs = []
    if objs:
        keys = defaultdict(list)
        for o in objs:
            for k, v in o.items():
                keys[k].append(v)
        schema["properties"] = {k: infer(vs, k) for k, vs in sorted(keys.items())}
        req = [k for k in sorted(keys) if all(k in o for o in objs)]
        if req:
            schema["required"] = req
    arrays = [v for v in values if isinstance(v, list)]
    items = [x for a in arrays for x in a]
    if arrays:
        schema["items"] = infer(items, name) if items else {}
    return schema


def main():
    samples = defaultdict(list)
    for arg in sys.argv[1:]:
        op, path = arg.split("=", 1)
        with open(path) as f:
            samples[op].append(json.load(f))
    out = {op: infer(vs) for op, vs in sorted(samples.items())}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
