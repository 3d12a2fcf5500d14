"""Every question with bad input: the exception class, the field at fault, the code and the
message -- the API's field-level errors -- and, where the CLI takes the same input, the same
message the CLI prints."""

from __future__ import annotations

import math
import os
import pathlib
import shutil
import signal
import threading
import time

import pytest

import ceiling

from conftest import DATA_DIR

FLEET = DATA_DIR / "fleets" / "china-2022-2026.toml"

# (call, exception, field, code, start of the message)
BAD = [
    (lambda kb: kb.chips(sort="size"), ceiling.InputError, "sort", "invalid-argument",
     'expected id, tpp, pd, bandwidth or released, got "size"'),
    (lambda kb: kb.chips(market="space"), ceiling.InputError, "market", "invalid-argument",
     "expected datacenter"),
    (lambda kb: kb.chips(vendor=3), ceiling.InputError, "vendor", "invalid-argument",
     "expected a string, got an integer"),
    (lambda kb: kb.chip("nvidia-h21"), ceiling.InputError, "chip", "not-found",
     'unknown chip "nvidia-h21"; did you mean "nvidia-h20"'),
    (lambda kb: kb.chip("id = 3"), ceiling.InputError, "chip", "schema",
     "missing required table [sources]"),
    (lambda kb: kb.chip({"toml": "x", "extra": 1}), ceiling.InputError, "chip",
     "invalid-argument", 'unknown key "extra"'),
    (lambda kb: kb.classify("nvidia-h21", "2024-06-01", "CN"), ceiling.InputError, "chip",
     "not-found", 'unknown chip "nvidia-h21"'),
    (lambda kb: kb.classify(123, "2024-06-01", "CN"), ceiling.InputError, "chip",
     "invalid-argument", "expected an id (string)"),
    (lambda kb: kb.classify(None, "2024-06-01", "CN"), ceiling.InputError, "chip",
     "invalid-argument", "is required"),
    (lambda kb: kb.classify("nvidia-h20", "2024-02-30", "CN"), ceiling.InputError, "date",
     "invalid-argument", 'no such date: "2024-02-30"'),
    (lambda kb: kb.classify("nvidia-h20", 20240601, "CN"), ceiling.InputError, "date",
     "invalid-argument", "expected a string, got an integer"),
    (lambda kb: kb.classify("nvidia-h20", "2024-06-01", "XX"), ceiling.InputError, "to",
     "invalid-argument", 'unknown country'),
    (lambda kb: kb.classify("nvidia-h20", "2024-06-01", "CN", hq="ZZ"), ceiling.InputError, "hq",
     "invalid-argument", 'unknown country'),
    (lambda kb: kb.classify("nvidia-h20", "2024-06-01", "CN", view="law"), ceiling.InputError,
     "view", "invalid-argument", 'expected enforced or text, got "law"'),
    (lambda kb: kb.classify("nvidia-h20", "2024-06-01", "CN", set=["tpp_q=1"]),
     ceiling.InputError, "set", "invalid-argument", 'tpp_q: unknown parameter; did you mean'),
    (lambda kb: kb.classify("nvidia-h20", "2024-06-01", "CN", set="tpp_a"), ceiling.InputError,
     "set", "invalid-argument", 'expected NAME=VALUE, got "tpp_a"'),
    (lambda kb: kb.classify("nvidia-h20", "2024-06-01", "CN", rules=["[rule]\nid="]),
     ceiling.InputError, "rules", "parse", "invalid TOML"),
    (lambda kb: kb.classify("nvidia-h20", "2024-06-01", "CN", trace="yes"), ceiling.InputError,
     "trace", "invalid-argument", "expected true or false, got a string"),
    (lambda kb: kb.classify("nvidia-h20", "2024-06-01", "CN", end_user=3),
     ceiling.InputError, "end_user", "invalid-argument", "expected a string, got an integer"),
    (lambda kb: kb.classify("nvidia-h20", "2024-06-01", "CN", owners=["Huawei=60%"]),
     ceiling.InputError, "owners", "invalid-argument", "owners need an end user"),
    (lambda kb: kb.classify("nvidia-h20", "2024-06-01", "CN", end_user="X",
                            owners=["Huawei=160%"]),
     ceiling.InputError, "owners", "invalid-argument", '"Huawei=160%": the share must be'),
    (lambda kb: kb.classify("nvidia-h20", "2024-06-01", "CN", end_user="X",
                            screening_list='name,source\n"Acme'),
     ceiling.InputError, "screening_list", "parse", "a quoted field is not closed"),
    (lambda kb: kb.timeline("nvidia-h20", end_user="B", owners=["A=x%"]), ceiling.InputError,
     "owners", "invalid-argument", '"A=x%": the share must be'),
    (lambda kb: kb.rules_status(set=["x"]), ceiling.InputError, "set", "invalid-argument",
     'expected NAME=VALUE, got "x"'),
    (lambda kb: kb.rules_status(rules=["[rule]\nid="]), ceiling.InputError, "rules", "parse",
     "invalid TOML"),
    (lambda kb: kb.fleet(None), ceiling.InputError, "shipments", "invalid-argument",
     "is required"),
    (lambda kb: kb.fleet(fleet="nope"), ceiling.InputError, "fleet", "not-found",
     'no fleet "nope"; the data\'s: china-2022-2026'),
    (lambda kb: kb.fleet(FLEET, fleet="china-2022-2026"), ceiling.InputError, "fleet",
     "invalid-argument", "give a shipments file or a fleet of the data, not both"),
    (lambda kb: kb.fleet("[[shipment]]\nchip = 3\n"), ceiling.InputError, "shipments",
     "schema", "missing required table [sources]"),
    (lambda kb: kb.fleet({"toml": "a,b\n1,2\n", "name": "s.csv"}), ceiling.InputError,
     "shipments", "schema", 'unknown column "a"'),
    (lambda kb: kb.fleet(pathlib.Path("/nonexistent/ships.toml")), ceiling.InputError,
     "shipments", "invalid-argument", "cannot read /nonexistent/ships.toml"),
    (lambda kb: kb.fleet(FLEET, reference="nope"), ceiling.InputError, "reference", "not-found",
     'unknown chip "nope"'),
    (lambda kb: kb.fleet(FLEET, as_of="2026-13-01"), ceiling.InputError, "as_of",
     "invalid-argument", 'no such date: "2026-13-01"'),
    (lambda kb: kb.fleet(FLEET, count=["lost"]), ceiling.InputError, "count", "invalid-argument",
     "expected shipped, produced"),
    (lambda kb: kb.fleet(FLEET, train_tp=0), ceiling.InputError, "train_tp", "invalid-argument",
     "must be at least 1"),
    (lambda kb: kb.fleet(FLEET, chart="pie"), ceiling.InputError, "chart", "invalid-argument",
     'expected tpp, decode or train, got "pie"'),
    (lambda kb: kb.fleet(FLEET, model="nope"), ceiling.InputError, "model", "not-found",
     'unknown model "nope"'),
    (lambda kb: kb.report("nope", "CN"), ceiling.InputError, "chip", "not-found",
     'unknown chip "nope"'),
    (lambda kb: kb.report("nvidia-h20", "XX"), ceiling.InputError, "to", "invalid-argument",
     'unknown country code "XX"'),
    (lambda kb: kb.report("nvidia-h20", "CN", date="2024-02-30"), ceiling.InputError, "date",
     "invalid-argument", 'no such date: "2024-02-30"'),
    (lambda kb: kb.report("nvidia-h20", "CN", gpus=0), ceiling.InputError, "gpus",
     "invalid-argument", "must be between 1 and"),
    (lambda kb: kb.report("nvidia-h20", "CN", model="nope"), ceiling.InputError, "model",
     "not-found", 'unknown model "nope"'),
    (lambda kb: kb.timeline("nvidia-h20", to="XX"), ceiling.InputError, "to", "invalid-argument",
     "unknown country"),
    (lambda kb: kb.timeline("no-chip"), ceiling.InputError, "chip", "not-found", "unknown chip"),
    (lambda kb: kb.matrix(chips=["nope"]), ceiling.InputError, "chips", "not-found",
     'unknown chip "nope"'),
    (lambda kb: kb.headroom("nvidia-h20", date="June"), ceiling.InputError, "date",
     "invalid-argument", ""),
    (lambda kb: kb.whatif(), ceiling.InputError, "set", "invalid-argument",
     "what-if needs a parameter override or an added rule"),
    (lambda kb: kb.whatif(set=["tpp_a=fast"]), ceiling.InputError, "set", "invalid-argument", ""),
    (lambda kb: kb.rules_list(set=["x"]), ceiling.InputError, "set", "invalid-argument",
     'expected NAME=VALUE, got "x"'),
    (lambda kb: kb.rule("nope"), ceiling.InputError, "id", "not-found", 'unknown rule "nope"'),
    (lambda kb: kb.rules_diff("us-2022-10-acs", "nope"), ceiling.InputError, "b", "not-found",
     'unknown rule "nope"'),
    (lambda kb: kb.chip_map(view="all"), ceiling.InputError, "view", "invalid-argument",
     "expected enforced or text"),
    (lambda kb: kb.perf_serve("nvidia-h20", "deepseek-r1", tp=3, concurrency=4),
     ceiling.InputError, "tp", "invalid-argument", "3 does not divide gpus 8"),
    (lambda kb: kb.perf_serve("nvidia-h20", "deepseek-r1"), ceiling.InputError, "concurrency",
     "invalid-argument", "is required"),
    (lambda kb: kb.perf_serve("nvidia-h20", "no-model", concurrency=1), ceiling.InputError,
     "model", "not-found", ""),
    (lambda kb: kb.perf_serve("nvidia-h20", "deepseek-r1", gpus=-1, concurrency=1),
     ceiling.InputError, "gpus", "invalid-argument", "must be between 1 and"),
    (lambda kb: kb.perf_serve("nvidia-h20", "deepseek-r1", concurrency="1"), ceiling.InputError,
     "concurrency", "invalid-argument", "expected an integer, got a string"),
    (lambda kb: kb.perf_serve("nvidia-h20", "deepseek-r1", concurrency=1, memory_share=1.5),
     ceiling.InputError, "memory_share", "invalid-argument", "must be 0 to 1"),
    (lambda kb: kb.perf_serve("nvidia-h20", "deepseek-r1", concurrency=1, precision="fp7"),
     ceiling.InputError, "precision", "invalid-argument", ""),
    (lambda kb: kb.perf_serve("nvidia-h20", "deepseek-r1", concurrency=1, sla_tpot=math.nan),
     ceiling.InputError, "sla_tpot", "invalid-argument", "must be finite"),
    (lambda kb: kb.perf_serve("nvidia-h20", "deepseek-r1", concurrency=1, scale_out="fast"),
     ceiling.InputError, "scale_out", "invalid-argument", 'expected a number at the start'),
    (lambda kb: kb.perf_serve("huawei-ascend-920", "deepseek-r1", concurrency=1),
     ceiling.NoAnswerError, "chip", "no-answer", "huawei-ascend-920: the performance model needs"),
    (lambda kb: kb.perf_train("nvidia-h20", "llama-3.1-8b", seq=4096), ceiling.InputError,
     "global_batch", "invalid-argument", "is required"),
    (lambda kb: kb.perf_train("nvidia-h20", "llama-3.1-8b", global_batch=8, seq=4096, zero=7),
     ceiling.InputError, "zero", "invalid-argument", ""),
    (lambda kb: kb.compare([], "llama-3.1-8b", concurrency=1), ceiling.InputError, "chips",
     "invalid-argument", "is required"),
    (lambda kb: kb.compare(["nvidia-h20", "nope"], "llama-3.1-8b", concurrency=1),
     ceiling.InputError, "chips", "not-found", 'unknown chip "nope"'),
    (lambda kb: kb.compare(["huawei-ascend-920"], "llama-3.1-8b", concurrency=1),
     ceiling.NoAnswerError, "chips", "no-answer", "huawei-ascend-920: the performance model needs"),
    (lambda kb: kb.design("nvidia-h100-sxm", "2024-06-01", "CN", model="deepseek-r1",
                          require="free"),
     ceiling.InputError, "require", "invalid-argument", "expected no-license"),
    (lambda kb: kb.design("nvidia-h100-sxm", "2024-06-01", "CN", model="deepseek-r1",
                          max_tdp="hot"),
     ceiling.InputError, "max_tdp", "invalid-argument", "expected a number"),
    (lambda kb: kb.design("nvidia-h100-sxm", "2024-06-01", "CN", model="deepseek-r1", budget=0),
     ceiling.InputError, "budget", "invalid-argument", "must be at least 1"),
    (lambda kb: kb.design("huawei-ascend-910b", "2024-06-01", "CN", model="deepseek-r1"),
     ceiling.NoAnswerError, "base", "no-answer", "huawei-ascend-910b: no default design space"),
    (lambda kb: kb.design("nvidia-h100-sxm", "2024-06-01", "CN", model="deepseek-r1",
                          design="[space]"),
     ceiling.InputError, "design", "schema", ""),
    (lambda kb: kb.capability(["2024-01-01", "2024-02-01", "2024-03-01"], "CN",
                              model="llama-3.1-8b"),
     ceiling.InputError, "dates", "invalid-argument", "give one date, or two"),
    (lambda kb: kb.capability([], "CN", model="llama-3.1-8b"), ceiling.InputError, "dates",
     "invalid-argument", "is required"),
    (lambda kb: kb.call("nope"), ceiling.InputError, "operation", "not-found",
     "unknown operation 'nope'"),
    (lambda kb: kb.call("classify", chip="nvidia-h20", date="2024-06-01", to="CN", tooo=1),
     ceiling.InputError, "tooo", "invalid-argument", 'unknown field; did you mean "to"?'),
]


@pytest.mark.parametrize("call,exc,field,code,message", BAD,
                         ids=[f"{b[2]}:{b[4][:30]}" for b in BAD])
def test_bad_input_names_its_field(kb, call, exc, field, code, message):
    with pytest.raises(exc) as info:
        call(kb)
    e = info.value
    assert isinstance(e, ceiling.Error)
    assert (e.field, e.code) == (field, code), e
    assert e.message.startswith(message), e.message
    assert e.to_dict()["field"] == field
    if exc is ceiling.InputError:
        assert isinstance(e, ValueError)
    assert field in str(e)


def test_inline_toml_errors_point_into_the_text(kb):
    with pytest.raises(ceiling.InputError) as info:
        kb.chip({"toml": "id = 3\n", "name": "mine.toml"})
    assert info.value.location == "mine.toml:1:1"
    assert str(info.value).startswith("mine.toml:1:1: chip: ")
    with pytest.raises(ceiling.InputError) as info:
        kb.classify("nvidia-h20", "2024-06-01", "CN", rules=["[rule]\nid="])
    assert info.value.location == "rules:2:4"


def test_the_cli_prints_the_same_messages(kb, cli):
    cases = [
        (lambda: kb.perf_serve("nvidia-h20", "deepseek-r1", tp=3, concurrency=4),
         ["perf", "serve", "--chip", "nvidia-h20", "--model", "deepseek-r1", "--tp", "3",
          "--concurrency", "4"]),
        (lambda: kb.classify("nvidia-h21", "2024-06-01", "CN"),
         ["classify", "nvidia-h21", "--date", "2024-06-01", "--to", "CN"]),
        (lambda: kb.classify("nvidia-h20", "2024-02-30", "CN"),
         ["classify", "nvidia-h20", "--date", "2024-02-30", "--to", "CN"]),
        (lambda: kb.design("nvidia-h100-sxm", "2024-06-01", "CN", model="deepseek-r1",
                           require="free"),
         ["design", "--base", "nvidia-h100-sxm", "--date", "2024-06-01", "--to", "CN", "--model",
          "deepseek-r1", "--require", "free"]),
    ]
    for call, args in cases:
        with pytest.raises(ceiling.InputError) as info:
            call()
        p = cli.run(*args)
        assert p.returncode == 2
        assert info.value.message in p.stderr, (info.value.message, p.stderr)


@pytest.mark.parametrize("deadline", [0, -1, math.inf, math.nan, "soon", True])
def test_bad_deadlines(kb, deadline):
    with pytest.raises(ceiling.InputError) as info:
        kb.design("nvidia-h100-sxm", "2024-06-01", "CN", model="deepseek-r1", deadline=deadline)
    assert info.value.field == "deadline"


def test_a_deadline_stops_a_search(kb):
    for call in (
        lambda: kb.design("nvidia-h100-sxm", "2024-06-01", "CN", model="deepseek-r1",
                          strategy="exhaustive", deadline=0.2),
        lambda: kb.capability("2024-06-01", "CN", model="deepseek-r1", deadline=0.05),
        lambda: kb.compare(["nvidia-h20", "nvidia-h200-sxm"], "deepseek-r1", sla_tpot=50, deadline=1e-6),
        lambda: kb.report("nvidia-h20", "CN", deadline=1e-6),
        lambda: kb.fleet(FLEET, deadline=1e-6),
    ):
        start = time.monotonic()
        with pytest.raises(ceiling.DeadlineExceeded) as info:
            call()
        assert time.monotonic() - start < 30
        assert info.value.code == "deadline-exceeded" and isinstance(info.value, TimeoutError)
    # A generous deadline changes nothing.
    assert kb.design("nvidia-h100-sxm", "2024-06-01", "CN", model="deepseek-r1",
                     deadline=600) == kb.design("nvidia-h100-sxm", "2024-06-01", "CN",
                                                model="deepseek-r1")


def test_ctrl_c_stops_a_search(kb):
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        # An exhaustive search of the 598,500 GH100 designs with the decode objective: about a
        # minute on this machine without the interrupt.
        kb.design("nvidia-h100-sxm", "2024-06-01", "CN", model="deepseek-r1",
                  strategy="exhaustive")
    assert time.monotonic() - start < 20


def test_the_engine_runs_without_the_gil(kb):
    # While one thread searches (with its deadline), another keeps running Python.
    window = {}

    def search():
        window["start"] = time.perf_counter()
        with pytest.raises(ceiling.DeadlineExceeded):
            kb.design("nvidia-h100-sxm", "2024-06-01", "CN", model="deepseek-r1",
                      strategy="exhaustive", deadline=1.0)
        window["end"] = time.perf_counter()

    t = threading.Thread(target=search)
    t.start()
    stamps = []
    while t.is_alive():
        stamps.append(time.perf_counter())
    t.join()
    inside = [s for s in stamps if window["start"] + 0.2 < s < window["end"] - 0.2]
    assert len(inside) > 1000


def test_data_errors(tmp_path):
    with pytest.raises(ceiling.DataError) as info:
        ceiling.load(tmp_path / "none")
    assert info.value.field == "data"
    with pytest.raises(ceiling.DataError):
        ceiling.load(tmp_path)  # no chips/, rules/ or countries/
    bad = tmp_path / "data"
    shutil.copytree(DATA_DIR, bad)
    h20 = bad / "chips" / "nvidia" / "h20.toml"
    h20.write_text(h20.read_text().replace('bandwidth = { value = "4 TB/s"',
                                           'bandwidth = { value = 4.0', 1))
    with pytest.raises(ceiling.DataError) as info:
        ceiling.load(bad)
    assert info.value.location and info.value.location.startswith(str(h20))
