#!/usr/bin/env python3
"""Writes fuzz/seeds/{condition,setexpr,quantity}/: the conditions, set expressions and quantity
strings of data/, one per file, as starting points for the grammar fuzzers. Run from the
repository root; the outputs are checked in (a few KB). Condition seeds start with the 16-byte
header fuzz_condition.cc reads (facts and paragraphs): two headers per condition, one with every
fact known and one with TPP, PD and the market unknown."""
import glob
import os
import re

ROOT = "fuzz/seeds"
texts = {"condition": set(), "setexpr": set(), "quantity": set()}
for path in sorted(glob.glob("data/**/*.toml", recursive=True)):
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"""\s*(condition|applies_to|eligible|destinations|headquarters|definition)\s*=\s*(['"])(.*)\2\s*$""", line)
            if m:
                kind = "setexpr" if m.group(1) in ("destinations", "headquarters", "definition") else "condition"
                texts[kind].add(m.group(3))
            for q in re.findall(r'"(-?[0-9][0-9.eE+-]*\s*[A-Za-z\u00b5][A-Za-z/^0-9\u00b5]*)"', line):
                texts["quantity"].add(q)

known = bytes([3, 5, 2, 1, 3, 6, 2, 3, 0x80, 0, 0, 0, 0, 0, 0, 0b011001])
unknown = bytes([0x80, 0x80, 2, 1, 3, 6, 2, 3, 0x80, 0, 0, 0, 0x80, 0, 0, 0b101010])
for kind, items in texts.items():
    d = os.path.join(ROOT, kind)
    os.makedirs(d, exist_ok=True)
    for i, t in enumerate(sorted(items)):
        body = t.encode("utf-8")
        if kind == "condition":
            for tag, header in (("k", known), ("u", unknown)):
                with open(os.path.join(d, f"{i:03d}{tag}"), "wb") as f:
                    f.write(header + body)
        else:
            with open(os.path.join(d, f"{i:03d}"), "wb") as f:
                f.write(body)
    print(kind, len(items))


# Dictionaries: TOML syntax for every file target plus the keys and enum values its files use;
# the grammar tokens for the text targets.
def dict_line(s):
    out = ""
    for b in s.encode("utf-8"):
        c = chr(b)
        if c in '\\"':
            out += "\\" + c
        elif 0x20 <= b < 0x7f:
            out += c
        else:
            out += "\\x%02X" % b
    return '"' + out + '"'


TOML_SYNTAX = ["=", "[", "]", "[[", "]]", "{", "}", "\"", "'", '"""', "'''", ".", ",", "#",
               "\n", "true", "false", "inf", "nan", "-inf", "+nan", "2024-01-01", "1979-05-27T07:32:00Z",
               "1e300", "1e-330", "0x10", "0o7", "0b1", "9223372036854775807", "-0", "\\u001b",
               "\\u009b", "\\n", "a.a.a.a.a.a.a.a", "[[[[", "]]]]", "{ a = { b = {"]
FILES = {"toml": ["data/**/*.toml"], "chip": ["data/chips/**/*.toml"], "model": ["data/models/*.toml"],
         "rule": ["data/rules/*.toml"], "country": ["data/countries/*.toml"],
         "design": ["data/designs/*.toml"], "systems": ["data/perf/systems.toml"],
         "calibration": ["data/perf/calibration.toml"], "points": ["data/validation/points.toml"]}
os.makedirs("fuzz/dict", exist_ok=True)
for target, globs in FILES.items():
    tokens = set(TOML_SYNTAX)
    for g in globs:
        for path in glob.glob(g, recursive=True):
            with open(path, encoding="utf-8") as f:
                for line in f:
                    m = re.match(r"\s*\[*([A-Za-z0-9_.-]+)\]*\s*(=)?", line)
                    if m and (m.group(2) or line.lstrip().startswith("[")):
                        for part in m.group(1).split("."):
                            tokens.add(part)
                    for v in re.findall(r'"([A-Za-z][A-Za-z0-9_:-]{0,20})"', line):
                        tokens.add(v)
                    for v in re.findall(r'"(-?[0-9][0-9.]*\s*[A-Za-z/^0-9]+)"', line):
                        tokens.add(v)
    with open(f"fuzz/dict/{target}.dict", "w", encoding="utf-8") as f:
        f.write(f"# {target}: TOML syntax, keys and values of its bundled files (fuzz/make_seeds.py)\n")
        for t in sorted(tokens):
            if t and len(t) < 64:
                f.write(dict_line(t) + "\n")

GRAMMARS = {
    "condition": ["and", "or", "not", "(", ")", "<", "<=", ">", ">=", "==", "!=", "+", "-", "*", "/",
                  "true", "false", "meets(\"3A090\")", "meets(\"3A090.a\")", "meets(\"3A090.a.1\")",
                  "meets(\"3A090.b\")", "tpp", "pd", "io_bw", "dram_bw", "mem_capacity", "die_area",
                  "scale_up_bw", "tdp", "mbd", "id", "vendor", "family", "market", "form_factor", "item",
                  "tpp_a", "pd_a", "dram_bw_cbc", "area_x", "\"datacenter\"", "\"consumer\"",
                  "\"sxm\"", "\"pcie\"", "\"hbm\"", "\"processor\"", "\"nvidia-h20\"", "1e308", "4800",
                  "5.92", "0.5", "1e-300", "\\\"", "\"", "(((((", ")))))"],
    "setexpr": ["|", "&", "-", "(", ")", "ALL", "D:1", "D:4", "D:5", "A:5", "A:6", "E:1", "E:2",
                "AI:1", "AI:2", "AI:3", "CN", "HK", "MO", "US", "IL", "AE", "d:5", "ZZ"],
    "quantity": ["B", "b", "bit", "FLOP", "OP", "FLOPS", "OPS", "W", "s", "min", "h", "Hz", "m",
                 "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "\u00b5", "k", "M", "G", "T", "P", "E", "c",
                 "u", "n", "p", "K", "/", "^", "^2", "^-1", "e", "E+", "e-", ".", "-", "+", " ",
                 "TFLOP/s", "TB/s", "GB/s", "mm^2", "GHz", "1e308", "1e-308", "nan", "inf", "0x"],
    "date": ["-", "2024", "02", "29", "0000", "9999", "12", "31", "10000", "+"],
}
for target, tokens in GRAMMARS.items():
    with open(f"fuzz/dict/{target}.dict", "w", encoding="utf-8") as f:
        f.write(f"# {target}: tokens of the grammar (fuzz/make_seeds.py)\n")
        for t in tokens:
            f.write(dict_line(t) + "\n")

# The API target (fuzz_api.cc): "OPERATION\nBODY" from every case of tests/cases/api/routes.toml
# (a GET's query string becomes a JSON object: numbers and booleans where they read as such, a
# repeated name a list), and a dictionary of operation names, field names and JSON syntax.
import json
import tomllib
import urllib.parse


def query_value(v):
    if v in ("true", "false"):
        return v == "true"
    try:
        return int(v)
    except ValueError:
        pass
    try:
        return float(v)
    except ValueError:
        return v


with open("tests/cases/api/routes.toml", "rb") as f:
    cases = tomllib.load(f)["case"]
d = os.path.join(ROOT, "api")
os.makedirs(d, exist_ok=True)
for old in glob.glob(os.path.join(d, "*")):
    os.remove(old)
api_tokens = set(['{', '}', '[', ']', ':', ',', '"', 'null', 'true', 'false', '-1', '0', '1e308',
                  '1e-308', '2147483647', '9223372036854775808', '"\\u001b"', '"\\ud800"', '\n'])
for c in cases:
    if "body" in c:
        body = c["body"]
    else:
        obj = {}
        for k, v in urllib.parse.parse_qsl(c.get("query", ""), keep_blank_values=True):
            v = query_value(v)
            if k in obj:
                obj[k] = obj[k] if isinstance(obj[k], list) else [obj[k]]
                obj[k].append(v)
            else:
                obj[k] = v
        body = json.dumps(obj)
    api_tokens.add(c["route"])
    try:
        for k in json.loads(body) if body.strip().startswith("{") else []:
            api_tokens.add('"' + k + '"')
    except ValueError:
        pass
    with open(os.path.join(d, c["name"]), "w", encoding="utf-8") as f:
        f.write(c["route"] + "\n" + body)
print("api", len(cases))
with open("fuzz/dict/api.dict", "w", encoding="utf-8") as f:
    f.write("# api: operation names, request field names and JSON syntax (fuzz/make_seeds.py)\n")
    for t in sorted(api_tokens):
        f.write(dict_line(t) + "\n")
