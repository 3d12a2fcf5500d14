#!/usr/bin/env python3
"""Writes tests/cases/hostile/KIND/NAME.(toml|txt): hostile variants of small valid files.

Run from the repository root; the outputs are checked in (each under 2 KB), and their .expect
files are written by `CEILING_UPDATE_GOLDEN=1 build/tests/hostile_test` and reviewed by hand.
Bigger hostile inputs (50,000-part keys, 600 KB lines, 10,000-term conditions) are generated in
C++ by tests/hostile/generated_test.cc instead of being stored.
"""
import os
import re

ROOT = "tests/cases/hostile"

CHIP = '''id = "acme-x1"
name = "Acme X1"
vendor = "acme"
family = "x"
market = "datacenter"
form_factor = "pcie"
released = { value = 2024-01-02, source = "ds" }

[[dies]]
name = "X1"
kind = "logic"
process = "N5"
non_planar = true
area = { value = "600 mm^2", source = "ds" }

[throughput]
bf16 = { value = "300 TFLOP/s", source = "ds" }
fp8 = { value = "600 TFLOP/s", sparse = "1200 TFLOP/s", source = "ds" }

[memory]
type = "HBM3"
capacity = { value = "80 GB", source = "ds" }
bandwidth = { value = "3.35 TB/s", source = "ds" }
stacks = { value = 5, source = "ds" }

[compute]
units = { value = 114, source = "ds" }
unit_name = "SM"

[power]
tdp = { value = "400 W", source = "ds" }

[sources.ds]
title = "Acme X1 datasheet"
url = "https://example.com/x1"
kind = "primary"
read = 2026-11-29
'''

RULE = '''id = "x-test"
title = "A test rule"
short_title = "test"
citation = "none"
summary = "A rule written to test the loader."
effective = 2024-06-01
source = "s"

[parameters]
tpp_x = { value = 4800, title = "TPP threshold", source = "s" }
bw_x = { value = "6500 GB/s", title = "bandwidth threshold", source = "s" }

[[clause]]
id = "a1"
kind = "control"
paragraph = "3A090.z.1"
title = "a.1"
condition = "tpp >= tpp_x"
source = "s"

[[clause]]
id = "lic"
kind = "license"
title = "license"
applies_to = 'meets("3A090.z")'
destinations = "D:5 | MO"
source = "s"

[sources.s]
title = "test source"
url = "https://example.com"
kind = "primary"
read = 2026-01-01
'''

GROUP = '''id = "X:1"
title = "Country Group X:1 (test)"
citation = "none"
as_of = 2026-01-01
members = ["FR", "DE"]
source = "s"

[sources.s]
title = "test source"
url = "https://example.com"
kind = "primary"
read = 2026-01-01
'''

POINTS = '''[[serving]]
id = "p1"
source = "s"
chip = "nvidia-h200-sxm"
model = "llama-3.1-8b"
precision = "fp8"
gpus = 1
tp = 1
isl = 1024
osl = 1024
concurrency = 8
tpot_ms = 12.8

[sources.s]
title = "test source"
url = "https://example.com"
kind = "primary"
read = 2026-01-01
'''

def read(p):
    with open(p) as f:
        return f.read()

MODEL = read("data/models/llama-3.1-8b.toml")
DESIGN = read("data/designs/gh100.toml")
SYSTEMS = read("data/perf/systems.toml")
# Kept under 2 KB: the driver-memory table keeps the H100's entry alone.
SYSTEMS = re.sub(r"^# device_memory:.*?\n\n", "", SYSTEMS, flags=re.M | re.S)
SYSTEMS = re.sub(r"^\[chips\.nvidia-(h200-sxm|h20|b200|b300)\]\n.*?\n\n", "", SYSTEMS,
                 flags=re.M | re.S)
SYSTEMS = re.sub(r'^device_memory = .*\ndatasheet_memory = .*\nsource = \["(gb[23]00-nvl72)", "smi-gb[23]00"\]',
                 r'source = "\1"', SYSTEMS, flags=re.M)
SYSTEMS = re.sub(r"^\[sources\.smi-(?!h100).*?(\n\n|\Z)", "", SYSTEMS, flags=re.M | re.S).rstrip() + "\n"
CALIB = read("data/perf/calibration.toml")


def sub(text, old, new):
    if old not in text:
        raise SystemExit("pattern not found: " + old)
    return text.replace(old, new, 1)


def rsub(text, pattern, new):
    out, n = re.subn(pattern, lambda m: new, text, count=1, flags=re.M)
    if n != 1:
        raise SystemExit("pattern not found: " + pattern)
    return out


CASES = {}


def case(kind, name, text, ext="toml"):
    CASES[(kind, name, ext)] = text


# Chips: values the loader must refuse.
case("chip", "valid", CHIP)
case("chip", "rate-1e300-tflops", sub(CHIP, '"300 TFLOP/s"', '"1e300 TFLOP/s"'))
case("chip", "rate-underflow", sub(CHIP, '"300 TFLOP/s"', '"1e-330 TFLOP/s"'))
case("chip", "units-fractional", sub(CHIP, "units = { value = 114", "units = { value = 78.5"))
case("chip", "units-inf", sub(CHIP, "units = { value = 114", "units = { value = inf"))
case("chip", "units-nan", sub(CHIP, "units = { value = 114", "units = { value = nan"))
case("chip", "units-1e12", sub(CHIP, "units = { value = 114", "units = { value = 1e12"))
case("chip", "stacks-negative", sub(CHIP, "stacks = { value = 5", "stacks = { value = -5"))
case("chip", "tdp-negative-zero", sub(CHIP, '"400 W"', '"-0 W"'))
case("chip", "area-power-99", sub(CHIP, '"600 mm^2"', '"600 mm^99"'))
case("chip", "area-power-overflow", sub(CHIP, '"600 mm^2"', '"600 mm^2147483647"'))
case("chip", "unit-many-terms", sub(CHIP, '"3.35 TB/s"', '"3.35 TB/s/s/s/s/s/s/s/s/s/s"'))
case("chip", "name-escape", sub(CHIP, '"Acme X1"', '"Acme \\u001b[31mX1\\u0007"'))
case("chip", "name-c1-csi", sub(CHIP, '"Acme X1"', '"Acme \\u009b31mX1"'))
case("chip", "name-newline-ok", sub(CHIP, '"Acme X1"', '"Acme\\nX1"'))
case("chip", "source-title-del", sub(CHIP, '"Acme X1 datasheet"', '"Acme\\u007f datasheet"'))
case("chip", "dotted-key-65", "a" + ".a" * 64 + " = 1\n")
case("chip", "dotted-key-64-passes-guard", "a" + ".a" * 63 + " = 1\n")
case("chip", "header-65", "[" + ".".join(["t"] * 65) + "]\nx = 1\n")
case("chip", "quoted-dotted-key-65", ".".join(['"k"'] * 65) + " = 1\n")
case("chip", "inline-dotted-key-65", "x = { " + ".".join(["k"] * 65) + " = 1 }\n")
case("chip", "array-nesting-65", "x = " + "[" * 65 + "]" * 65 + "\n")
case("chip", "inline-nesting-65", "x = " + "{ a = " * 65 + "1" + " }" * 65 + "\n")
case("chip", "array-nesting-64-passes-guard", "x = " + "[" * 64 + "]" * 64 + "\n")
case("chip", "dots-in-strings-pass-guard", 'note = "' + "." * 500 + '"\n' + "x = '''\n" + "a." * 300 + "\n'''\n")
case("chip", "crlf-bom", "\ufeff" + CHIP.replace("\n", "\r\n"))
case("chip", "nul-byte", CHIP.replace('name = "Acme X1"', 'name = "Acme\x00X1"'))
case("chip", "derived-self", sub(CHIP, 'form_factor = "pcie"', 'form_factor = "pcie"\nderived_from = "acme-x1"'))

# Models.
case("model", "layers-inf", rsub(MODEL, r"^layers = .*$", "layers = inf"))
case("model", "layers-zero", rsub(MODEL, r"^layers = .*$", "layers = 0"))
case("model", "layers-int64-max", rsub(MODEL, r"^layers = .*$", "layers = 9223372036854775807"))
case("model", "hidden-float", rsub(MODEL, r"^hidden = .*$", "hidden = 4096.5"))
case("model", "name-escape", rsub(MODEL, r'^name = .*$', 'name = "Llama\\u001b]0;pwned\\u0007"'))

# Rules on their own (parameters, sets).
case("rule", "valid", RULE)
case("rule", "param-inf", sub(RULE, "value = 4800", "value = inf"))
case("rule", "param-nan", sub(RULE, "value = 4800", "value = nan"))
case("rule", "param-negative", sub(RULE, "value = 4800", "value = -1"))
case("rule", "param-hex-string", sub(RULE, "value = 4800", 'value = "0x10"'))
case("rule", "param-1e400-string", sub(RULE, "value = 4800", 'value = "1e400"'))
case("rule", "param-negative-bandwidth", sub(RULE, '"6500 GB/s"', '"-7 TB/s"'))
case("rule", "param-inf-bandwidth", sub(RULE, '"6500 GB/s"', '"1e400 TB/s"'))
case("rule", "condition-escape", sub(RULE, '"tpp >= tpp_x"', '"tpp >= tpp_x\\u001b[2J"'))
case("book", "condition-nested-65", sub(RULE, '"tpp >= tpp_x"', '"' + "(" * 65 + "tpp >= tpp_x" + ")" * 65 + '"'))
case("book", "condition-not-65", sub(RULE, '"tpp >= tpp_x"', '"' + "not " * 66 + 'tpp >= tpp_x"'))
case("book", "condition-power-17", sub(RULE, '"tpp >= tpp_x"', '"' + " * ".join(["dram_bw"] * 17) + ' > bw_x"'))
case("rule", "set-unknown-escape", sub(RULE, '"D:5 | MO"', '"D:5 | \\u001b[31m"'))

# Rules added to the bundled book: cycles and references across files.
MEETS = sub(sub(RULE, 'source = "s"\n\n[parameters]',
                'supersedes = "us-2023-10-acs"\nsource = "s"\n\n[parameters]'),
            'meets("3A090.z")', 'meets("3A090.a")')
case("book", "valid", RULE)
case("book", "meets-cycle",
     sub(sub(sub(MEETS, 'paragraph = "3A090.z.1"', 'paragraph = "3A090.a.1"'),
             '"tpp >= tpp_x"', "'meets(\"3A090.a.2\")'"),
         '[[clause]]\nid = "lic"',
         '[[clause]]\nid = "a2"\nkind = "control"\nparagraph = "3A090.a.2"\ntitle = "a.2"\n'
         'condition = \'meets("3A090.a.1")\'\nsource = "s"\n\n[[clause]]\nid = "lic"'))
case("book", "meets-forward",
     sub(sub(sub(MEETS, 'paragraph = "3A090.z.1"', 'paragraph = "3A090.a.1"'),
             '"tpp >= tpp_x"', "'meets(\"3A090.a.2\")'"),
         '[[clause]]\nid = "lic"',
         '[[clause]]\nid = "a2"\nkind = "control"\nparagraph = "3A090.a.2"\ntitle = "a.2"\n'
         'condition = "tpp >= tpp_x"\nsource = "s"\n\n[[clause]]\nid = "lic"'))
case("book", "meets-self",
     sub(sub(MEETS, 'paragraph = "3A090.z.1"', 'paragraph = "3A090.a.1"'),
         '"tpp >= tpp_x"', "'tpp >= tpp_x or meets(\"3A090.a.1\")'"))
case("book", "supersedes-self", sub(RULE, 'source = "s"\n\n[parameters]',
                                    'supersedes = "x-test"\nsource = "s"\n\n[parameters]'))
case("book", "supersedes-clauses-mutual",
     sub(sub(RULE, 'title = "a.1"', 'title = "a.1"\nsupersedes = "x-test/lic"'),
         'title = "license"', 'title = "license"\nsupersedes = "x-test/a1"'))
case("book", "clause-supersedes-own-rule",
     sub(RULE, 'title = "a.1"', 'title = "a.1"\nsupersedes = "x-test"'))
case("book", "duplicate-bundled-id", sub(RULE, 'id = "x-test"', 'id = "us-2023-10-acs"'))

# Country groups.
case("group", "valid", GROUP)
case("group", "member-escape", sub(GROUP, '"DE"]', '"D\\u001bE"]'))
case("group", "definition-10-deep-ok", sub(GROUP, 'members = ["FR", "DE"]', 'definition = "' + "(" * 10 + "D:5" + ")" * 10 + '"').replace("as_of = 2026-01-01\n", ""))
case("group", "definition-too-large", sub(GROUP, 'members = ["FR", "DE"]', 'definition = "' + " | ".join(["D:5"] * 120) + '"').replace("as_of = 2026-01-01\n", ""))

# Design spaces.
case("design", "valid", DESIGN)
case("design", "links-int64-max", sub(DESIGN, "links = { min = 0, max = 18,", "links = { min = 0, max = 9223372036854775807,"))
case("design", "links-step-int64-max", sub(DESIGN, "links = { min = 0, max = 18,", "links = { min = 1, max = 18, step = 9223372036854775807,"))
case("design", "step-nan", sub(DESIGN, "step = 0.01, note", "step = nan, note"))
case("design", "max-inf", sub(DESIGN, "max = 132, step = 2", "max = inf, step = 2"))
case("design", "max-1e15", sub(DESIGN, "max = 132, step = 2", "max = 1e15, step = 2"))
case("design", "tensor-step-1e-12", sub(DESIGN, "step = 0.01, note", "step = 1e-12, note"))
case("design", "step-repeats-values", sub(DESIGN, "min = 8, max = 132, step = 2", "min = 1e15, max = 1.000000000000001e15, step = 0.01"))
case("design", "values-inf", sub(DESIGN, "min = 8, max = 132, step = 2", "values = [8, inf]"))
case("design", "units-zero", sub(DESIGN, "min = 8, max = 132, step = 2", "values = [0, 8, 132]"))
case("design", "tdp-zero", sub(DESIGN, 'tdp = ["350 W", "400 W", "700 W"]', 'tdp = ["0 W", "700 W"]'))
case("design", "tdp-duplicates-ok", sub(DESIGN, 'tdp = ["350 W", "400 W", "700 W"]', 'tdp = ["700 W", "700 W", "0.7 kW"]'))
case("design", "link-rate-zero", sub(DESIGN, 'rate = "50 GB/s"', 'rate = "0 GB/s"'))
case("design", "compute-axis-too-large", sub(sub(DESIGN, "min = 8, max = 132, step = 2", "min = 1, max = 20000, step = 1"), "step = 0.01, note", "step = 0.001, note"))

# System defaults.
case("systems", "valid", SYSTEMS)
case("systems", "domain-zero", rsub(SYSTEMS, r"^scale_up_domain = 8 ", "scale_up_domain = 0 "))
case("systems", "scale-out-zero", sub(SYSTEMS, 'scale_out = "50 GB/s"', 'scale_out = "0 Gb/s"'))
case("systems", "scale-out-negative", sub(SYSTEMS, 'scale_out = "50 GB/s"', 'scale_out = "-400 Gb/s"'))
case("systems", "scale-out-1e-300", sub(SYSTEMS, 'scale_out = "50 GB/s"', 'scale_out = "1e-300 Gb/s"'))
case("systems", "chip-domain-zero", sub(SYSTEMS, "scale_up_domain = 72", "scale_up_domain = 0"))
case("systems", "fallback-zero", sub(SYSTEMS, 'scale_up_fallback = "400 GB/s"', 'scale_up_fallback = "0 GB/s"'))
case("systems", "device-memory-alone", sub(SYSTEMS, 'datasheet_memory = "80 GB"\n', ""))
case("systems", "device-memory-unit-slip", sub(SYSTEMS, 'device_memory = "81559 MiB"', 'device_memory = "81559 GiB"'))
case("systems", "device-memory-negative", sub(SYSTEMS, 'device_memory = "81559 MiB"', 'device_memory = "-5 GB"'))
case("systems", "datasheet-memory-zero", sub(SYSTEMS, 'datasheet_memory = "80 GB"', 'datasheet_memory = "0 GB"'))
case("systems", "device-memory-not-a-size", sub(SYSTEMS, 'device_memory = "81559 MiB"', 'device_memory = "81559 MHz"'))

# Calibration.
case("calib", "valid", CALIB)
case("calib", "efficiency-nan", rsub(CALIB, r"^gemm_efficiency = .*$", "gemm_efficiency = nan"))
case("calib", "efficiency-inf", rsub(CALIB, r"^gemm_efficiency = .*$", "gemm_efficiency = inf"))
case("calib", "count-negative", rsub(CALIB, r"^count = .*$", "count = -3"))

# Validation points.
case("points", "valid", POINTS)
case("points", "tpot-inf", sub(POINTS, "tpot_ms = 12.8", "tpot_ms = inf"))
case("points", "isl-zero", sub(POINTS, "isl = 1024", "isl = 0"))
case("points", "concurrency-huge", sub(POINTS, "concurrency = 8", "concurrency = 10000000000"))
case("points", "zero-stage-99", sub(POINTS, "[[serving]]", "[[training]]").replace("tpot_ms = 12.8", "zero = 99\nglobal_batch = 8\nseq = 1024\ntflops_per_gpu = 400").replace("isl = 1024\nosl = 1024\nconcurrency = 8\n", ""))

# What-if parameters (--set NAME=VALUE).
for name, value in [("nan", "tpp_a=nan"), ("negative", "tpp_a=-1"), ("1e400", "tpp_a=1e400"),
                    ("hex", "tpp_a=0x10"), ("inf", "tpp_a=inf"), ("empty", "tpp_a="),
                    ("bandwidth-negative", "dram_bw_cbc=-7 TB/s"),
                    ("bandwidth-bare", "dram_bw_cbc=6500"), ("unit-on-plain", "tpp_a=4800 GB/s"),
                    ("identity-ok", "tpp_a=4800"), ("escape-name", "tpp_\x1b[31ma=1")]:
    case("set", name, value + "\n", "txt")

# Quantities, dates, conditions, set expressions: one text each.
for name, text in [("1e300-tflops", "1e300 TFLOP/s"), ("power-overflow", "1 B^2147483647"),
                   ("nan", "nan W"), ("inf", "inf W"), ("hex", "0x10 W"),
                   ("many-terms", "1 B/s/s/s/s/s/s/s/s"), ("comma", "1,000 W"),
                   ("escape-unit", "1 \x1b[31mW"), ("long-number", "1" * 5000 + " W"),
                   ("valid-micro", "5 \u00b5s")]:
    case("quantity", name, text + "\n", "txt")
for name, text in [("feb-30", "2024-02-30"), ("year-0", "0000-01-01"), ("year-10000", "10000-01-01"),
                   ("signs", "+2024-01-01"), ("unicode-digits", "２０２４-01-01"), ("valid", "2024-02-29")]:
    case("date", name, text + "\n", "txt")
for name, text in [("nested-65", "(" * 65 + "tpp > 1" + ")" * 65),
                   ("unary-65", "-" * 66 + "tpp > 1"),
                   ("unterminated-string", 'market == "datacenter'),
                   ("chain-1999-tokens-ok", " and ".join(["tpp > 1"] * 500)),
                   ("chain-2003-tokens", " and ".join(["tpp > 1"] * 501)),
                   ("sum-chain-ok", "tpp " + "+ tpp " * 900 + "> 1"),
                   ("stack-too-deep", "tpp > 1 or (" * 47 + "tpp > 1" + ")" * 47),
                   ("division-by-zero-ok", "tpp / 0 > 1"),
                   ("escape", "tpp > 1 and \x1b[31m"),
                   ("number-1e400", "tpp > 1e400")]:
    case("condition", name, text + "\n", "txt")
for name, text in [("unbalanced", "(D:5 | MO"), ("empty", ""), ("escape", "D:5 | \x1b[31m"),
                   ("too-large", " | ".join(["D:5"] * 101)), ("deep-ok", "(" * 50 + "D:5" + ")" * 50),
                   ("lowercase", "d:5 | mo")]:
    case("setexpr", name, text + "\n", "txt")


def main():
    for (kind, name, ext), text in sorted(CASES.items()):
        d = os.path.join(ROOT, kind)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"{name}.{ext}"), "w", newline="") as f:
            f.write(text)
    print(f"{len(CASES)} cases")


if __name__ == "__main__":
    main()
