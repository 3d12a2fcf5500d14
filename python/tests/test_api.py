"""Every question with good input: the typed answer, and its JSON byte for byte equal to the CLI's
--json for the same request (the library API is the one path both take)."""

from __future__ import annotations

import datetime as dt
import json
import pathlib

import pandas as pd
import pytest

import ceiling

from conftest import DATA_DIR

FLEET = DATA_DIR / "fleets" / "china-2022-2026.toml"

# (python call, CLI arguments): the same request both ways.
SAME_REQUEST = [
    (lambda kb: kb.chips(), ["chips"]),
    (lambda kb: kb.chips(vendor="nvidia", sort="tpp"), ["chips", "--vendor", "nvidia", "--sort", "tpp"]),
    (lambda kb: kb.chips(market="consumer", sort="released"),
     ["chips", "--market", "consumer", "--sort", "released"]),
    (lambda kb: kb.chip("nvidia-h20"), ["show", "nvidia-h20"]),
    (lambda kb: kb.chip("huawei-ascend-910b"), ["show", "huawei-ascend-910b"]),
    (lambda kb: kb.classify("nvidia-h20", "2025-05-01", "CN"),
     ["classify", "nvidia-h20", "--date", "2025-05-01", "--to", "CN"]),
    (lambda kb: kb.classify("nvidia-h20", dt.date(2024, 6, 1), "CN", trace=False),
     ["classify", "nvidia-h20", "--date", "2024-06-01", "--to", "CN", "--no-trace"]),
    (lambda kb: kb.classify("nvidia-h100-sxm", dt.datetime(2023, 12, 1, 15, 30), "SG", hq="CN"),
     ["classify", "nvidia-h100-sxm", "--date", "2023-12-01", "--to", "SG", "--hq", "CN"]),
    (lambda kb: kb.classify("nvidia-h100-sxm", "2025-03-01", "IN", view="text"),
     ["classify", "nvidia-h100-sxm", "--date", "2025-03-01", "--to", "IN", "--view", "text"]),
    (lambda kb: kb.classify("nvidia-h20", "2024-06-01", "CN", set=["tpp_b1=2000"]),
     ["classify", "nvidia-h20", "--date", "2024-06-01", "--to", "CN", "--set", "tpp_b1=2000"]),
    (lambda kb: kb.classify("huawei-ascend-910b", "2024-06-01", "CN"),
     ["classify", "huawei-ascend-910b", "--date", "2024-06-01", "--to", "CN"]),
    (lambda kb: kb.classify("nvidia-h100-sxm", "2025-05-01", "SG",
                            end_user="Sophgo Technologies"),
     ["classify", "nvidia-h100-sxm", "--date", "2025-05-01", "--to", "SG", "--end-user",
      "Sophgo Technologies"]),
    (lambda kb: kb.classify("nvidia-h100-sxm", "2025-10-01", "MY", end_user="Acme Compute",
                            owners=["Huawei=60%"], trace=False),
     ["classify", "nvidia-h100-sxm", "--date", "2025-10-01", "--to", "MY", "--end-user",
      "Acme Compute", "--owner", "Huawei=60%", "--no-trace"]),
    (lambda kb: kb.timeline("nvidia-h20"), ["timeline", "nvidia-h20"]),
    (lambda kb: kb.timeline("nvidia-h100-sxm", to="SG", end_user="Sophgo"),
     ["timeline", "nvidia-h100-sxm", "--to", "SG", "--end-user", "Sophgo"]),
    (lambda kb: kb.rules_status(), ["rules", "status"]),
    (lambda kb: kb.index(), ["index"]),
    (lambda kb: kb.fleet(FLEET), ["fleet", str(FLEET)]),
    (lambda kb: kb.fleet(fleet="china-2022-2026", throughput=False),
     ["fleet", "--fleet", "china-2022-2026", "--no-throughput"]),
    (lambda kb: kb.fleet(FLEET, as_of=dt.date(2026, 1, 20), throughput=False,
                         count=["shipped"]),
     ["fleet", str(FLEET), "--as-of", "2026-01-20", "--no-throughput", "--count", "shipped"]),
    (lambda kb: kb.timeline("nvidia-h100-sxm", to="AE", hq="CN"),
     ["timeline", "nvidia-h100-sxm", "--to", "AE", "--hq", "CN"]),
    (lambda kb: kb.matrix(), ["matrix"]),
    (lambda kb: kb.matrix(chips=["nvidia-h20", "nvidia-h100-sxm"], to="MO"),
     ["matrix", "--chip", "nvidia-h20", "--chip", "nvidia-h100-sxm", "--to", "MO"]),
    (lambda kb: kb.headroom("nvidia-h20"), ["headroom", "nvidia-h20"]),
    (lambda kb: kb.headroom("nvidia-h20", date="2024-06-01"),
     ["headroom", "nvidia-h20", "--date", "2024-06-01"]),
    (lambda kb: kb.whatif(set="tpp_a=4000"), ["whatif", "--set", "tpp_a=4000"]),
    (lambda kb: kb.whatif(set=["tpp_b1=2000"], date=dt.date(2024, 6, 1)),
     ["whatif", "--set", "tpp_b1=2000", "--date", "2024-06-01"]),
    (lambda kb: kb.rules_list(), ["rules", "list"]),
    (lambda kb: kb.rule("us-2023-10-acs"), ["rules", "show", "us-2023-10-acs"]),
    (lambda kb: kb.rules_diff("us-2022-10-acs", "us-2023-10-acs"),
     ["rules", "diff", "us-2022-10-acs", "us-2023-10-acs"]),
    (lambda kb: kb.check_data(), ["check-data"]),
    (lambda kb: kb.perf_serve("nvidia-h20", "deepseek-r1", concurrency=32),
     ["perf", "serve", "--chip", "nvidia-h20", "--model", "deepseek-r1", "--concurrency", "32"]),
    (lambda kb: kb.perf_serve("nvidia-h200-sxm", "llama-3.1-70b", sla_tpot=30, tp=4),
     ["perf", "serve", "--chip", "nvidia-h200-sxm", "--model", "llama-3.1-70b", "--sla-tpot",
      "30", "--tp", "4"]),
    (lambda kb: kb.perf_serve("nvidia-b200", "deepseek-r1", gpus=24, prefill_workers=1,
                              decode_workers=2, isl=8192, osl=1024, concurrency=256,
                              engine="sglang"),
     ["perf", "serve", "--chip", "nvidia-b200", "--model", "deepseek-r1", "--gpus", "24",
      "--prefill-workers", "1", "--decode-workers", "2", "--isl", "8192", "--osl", "1024",
      "--concurrency", "256", "--engine", "sglang"]),
    (lambda kb: kb.perf_train("nvidia-h100-sxm", "llama-3.1-8b", global_batch=256, seq=4096,
                              zero=3, tokens=1e12),
     ["perf", "train", "--chip", "nvidia-h100-sxm", "--model", "llama-3.1-8b", "--global-batch",
      "256", "--seq", "4096", "--zero", "3", "--tokens", "1e12"]),
    (lambda kb: kb.compare(["nvidia-h20", "nvidia-h100-sxm", "nvidia-h200-sxm",
                            "huawei-ascend-910c"], "deepseek-r1", sla_tpot=50),
     ["compare", "nvidia-h20", "nvidia-h100-sxm", "nvidia-h200-sxm", "huawei-ascend-910c",
      "--model", "deepseek-r1", "--sla-tpot", "50"]),
    (lambda kb: kb.design("nvidia-h100-sxm", "2024-06-01", "CN", model="deepseek-r1",
                          compare="nvidia-h20"),
     ["design", "--base", "nvidia-h100-sxm", "--date", "2024-06-01", "--to", "CN", "--model",
      "deepseek-r1", "--compare", "nvidia-h20"]),
    (lambda kb: kb.design("nvidia-h100-sxm", "2024-06-01", "CN", model="deepseek-r1",
                          objective="decode,prefill", sla_tpot=50),
     ["design", "--base", "nvidia-h100-sxm", "--date", "2024-06-01", "--to", "CN", "--model",
      "deepseek-r1", "--objective", "decode,prefill", "--sla-tpot", "50"]),
    (lambda kb: kb.capability(["2023-06-01", "2024-06-01"], "CN", model="llama-3.1-70b"),
     ["capability", "--date", "2023-06-01", "--date", "2024-06-01", "--to", "CN", "--model",
      "llama-3.1-70b"]),
]


@pytest.mark.parametrize("call,cli_args", SAME_REQUEST,
                         ids=[" ".join(a[:3]) for _, a in SAME_REQUEST])
def test_answer_is_the_cli_json_byte_for_byte(kb, cli, call, cli_args):
    answer = call(kb)
    expected = cli.json(*cli_args)
    assert answer.to_json() == expected
    assert answer.to_dict() == json.loads(expected)


def test_inline_chip_from_a_path_is_the_cli_reading_the_file(kb, cli, tmp_path):
    # A chip the catalog does not have, given as a file: Python reads it (the library never
    # opens files), the CLI does the same; both send the text.
    text = (DATA_DIR / "chips" / "nvidia" / "h20.toml").read_text()
    text = text.replace('id = "nvidia-h20"', 'id = "nvidia-my-h20"')
    path = tmp_path / "nvidia-my-h20.toml"
    path.write_text(text)
    answer = kb.classify(path, "2024-06-01", "CN")
    assert answer.to_json() == cli.json("classify", str(path), "--date", "2024-06-01", "--to", "CN")
    assert answer.chip == "nvidia-my-h20"
    # TOML text (a string with '=' or a newline) is inline too.
    assert kb.classify(text, "2024-06-01", "CN").to_dict()["chip"] == answer.to_dict()["chip"]
    assert kb.classify({"toml": text, "name": "x.toml"}, "2024-06-01", "CN").chip == "nvidia-my-h20"


def test_chip_map_is_the_plot_commands_data(kb, cli, tmp_path):
    out = tmp_path / "map.svg"
    p = cli.run("plot", "map", "--to", "CN", "-o", str(out))
    assert p.returncode == 0, p.stderr
    assert kb.chip_map(to="CN").to_dict() == json.loads(out.with_suffix(".json").read_text())


def test_classification_fields(kb):
    r = kb.classify("nvidia-h20", "2025-05-01", "CN")
    assert isinstance(r, ceiling.Classification)
    assert (r.chip, r.date, r.to, r.hq) == ("nvidia-h20", "2025-05-01", "CN", "CN")
    assert r.license_required is True  # the letter of April 2025 (a product-specific measure)
    assert r.controlled is False and r.controls == []
    assert r.measures == ["us-2025-04-h20-letter/h20-letter"]
    assert r.disputed is None
    assert r.trace and r.to_frame().shape[0] == len(r.trace)
    assert r["license_required"] == "yes" and r.review_policy == "not-published"
    assert r.query["destination_name"] == "China"  # any JSON field as an attribute
    assert "license required" in repr(r)
    before = kb.classify("nvidia-h20", "2024-06-01", "CN")
    assert before.license_required is False
    h100 = kb.classify("nvidia-h100-sxm", "2024-06-01", "CN")
    assert h100.controlled is True and "3A090.a.1" in h100.controls
    assert h100.license_required is True and h100.review_policy == "presumption-of-denial"
    assert kb.classify("huawei-ascend-910b", "2024-06-01", "CN").disputed in (
        "identical", "same-paragraphs", "depends")
    assert r == kb.classify("nvidia-h20", dt.date(2025, 5, 1), "CN")
    assert r.request == {"chip": "nvidia-h20", "date": "2025-05-01", "to": "CN",
                         "view": "enforced", "trace": True}


def test_dates_of_every_kind(kb):
    import numpy as np

    want = kb.classify("nvidia-h20", "2025-05-01", "CN").to_json()
    for d in (dt.date(2025, 5, 1), dt.datetime(2025, 5, 1, 23, 59), pd.Timestamp("2025-05-01"),
              np.datetime64("2025-05-01")):
        assert kb.classify("nvidia-h20", d, "CN").to_json() == want, d


def test_chips_frame(kb):
    chips = kb.chips()
    assert len(chips) == kb.version()["chips"] == len(chips.ids)
    f = chips.to_frame()
    assert f.loc["nvidia-h20", "tpp"] == pytest.approx(2368)
    assert f.loc["nvidia-h20", "pd"] == pytest.approx(2368 / 814)
    assert f.loc["nvidia-h20", "dram_bw"] == pytest.approx(4000)
    assert list(f.index) == sorted(f.index)
    by_tpp = kb.chips(vendor="nvidia", sort="tpp").to_frame()
    assert set(by_tpp["vendor"]) == {"nvidia"}
    assert list(by_tpp["tpp"].dropna()) == sorted(by_tpp["tpp"].dropna(), reverse=True)
    assert next(iter(chips))["id"] == chips.ids[0]


def test_chip(kb):
    c = kb.chip("nvidia-h20")
    assert isinstance(c, ceiling.Chip)
    assert c.id == "nvidia-h20" and c.tpp == pytest.approx(2368)
    assert c.metrics["mem_capacity"] == pytest.approx(96)
    f = c.to_frame()
    assert f.loc["tpp", "value"] == pytest.approx(2368)
    assert "74 TFLOP/s" in f.loc["tpp", "how"]


def test_timeline_frame(kb):
    t = kb.timeline("nvidia-h20", to="CN")
    f = t.to_frame()
    assert len(f) == len(t) == len(t.entries)
    assert f.index[0] < pd.Timestamp("2022-10-21")
    letter = f.loc[pd.Timestamp("2025-04-09")]
    assert letter["license_required"] == True  # noqa: E712
    assert "us-2025-04-h20-letter/h20-letter" in letter["measures"]


def test_matrix_frame(kb):
    m = kb.matrix(chips=["nvidia-h20", "nvidia-h100-sxm", "nvidia-a100-sxm-80gb"])
    f = m.to_frame()
    assert list(f.index) == m.chips and list(f.columns) == m.rules
    assert f.shape == (3, len(m.rules))
    lic = m.to_frame(value="license_required")
    assert lic.loc["nvidia-h100-sxm", "us-2023-10-acs"] == True  # noqa: E712 (numpy bool)
    assert lic.loc["nvidia-h20", "us-2023-10-acs"] == False  # noqa: E712


def test_headroom_frame(kb):
    h = kb.headroom("nvidia-h20", date="2024-06-01")
    f = h.to_frame()
    tpp_a = f[(f.metric == "tpp") & (f.threshold == 4800)]
    assert not tpp_a.empty
    assert tpp_a["ratio"].iloc[0] == pytest.approx(2368 / 4800)
    assert set(f["holds"].dropna()) <= {True, False}


def test_whatif_frame(kb):
    w = kb.whatif(set=["tpp_b1=2000"], date="2024-06-01")
    f = w.to_frame()
    assert "nvidia-h20" in f.index and "nvidia-h20" in w.chips
    assert f.loc["nvidia-h20", "license_before"] == False  # noqa: E712
    assert f.loc["nvidia-h20", "license_after"] == True  # noqa: E712


def test_perf(kb):
    s = kb.perf_serve("nvidia-h20", "deepseek-r1", concurrency=32)
    assert s.fits and s.tpot_ms > 0 and s.ttft_ms > 0
    assert s.output_tokens_per_s_per_gpu == pytest.approx(s["output_tokens_per_s_per_gpu"])
    assert s.to_frame().loc[0, "parallelism.tp"] == s.parallelism["tp"]
    # SGLang's own memory setting (mem-fraction-static) instead of its heuristic: more KV room.
    h = kb.perf_serve("nvidia-h200-sxm", "deepseek-r1", tp=8, ep=1, isl=8192, osl=1024,
                      concurrency=64, engine="sglang", token_budget=32768)
    m = kb.perf_serve("nvidia-h200-sxm", "deepseek-r1", tp=8, ep=1, isl=8192, osl=1024,
                      concurrency=64, engine="sglang", token_budget=32768, memory_share=0.82)
    assert m["memory"]["kv_cache_bytes"] > h["memory"]["kv_cache_bytes"] and m.ttft_ms < h.ttft_ms
    # Disaggregated: one prefill worker and two decode workers of 8 GPUs each.
    d = kb.perf_serve("nvidia-b200", "deepseek-r1", gpus=24, prefill_workers=1, decode_workers=2,
                      isl=8192, osl=1024, concurrency=256, engine="sglang")
    assert d["disaggregation"]["prefill"]["gpus_per_instance"] == 8
    assert d["disaggregation"]["decode"]["instances"] == 2 and d["latency_parts_ms"]["ttft"][
        "kv_transfer"] > 0
    with pytest.raises(ceiling.InputError) as e:
        kb.perf_serve("nvidia-b200", "deepseek-r1", gpus=15, prefill_workers=1, concurrency=8)
    assert e.value.field == "gpus"
    t = kb.perf_train("nvidia-h100-sxm", "llama-3.1-8b", global_batch=256, seq=4096, zero=3)
    assert t.step_time_s > 0 and 0 < t.mfu < 1 and t.tokens_per_s > 0
    assert t.to_frame().shape[0] == 1


def test_compare_frame(kb):
    c = kb.compare(["nvidia-h20", "nvidia-h200-sxm"], "llama-3.1-70b", concurrency=16)
    f = c.to_frame()
    assert list(f.index) == ["nvidia-h20", "nvidia-h200-sxm"]
    assert f.loc["nvidia-h20", "ratio.tpot"] == pytest.approx(1.0)
    # More memory bandwidth never slows decode: the H200 (4.8 TB/s) beats the H20 (4.0 TB/s).
    assert f.loc["nvidia-h200-sxm", "tpot_ms"] < f.loc["nvidia-h20", "tpot_ms"]


def test_compare_leaves_out_a_chip_it_cannot_model(kb):
    # The Ascend 920's record has no dense tensor rate: left out with the reason, the H20 compared.
    c = kb.compare(["huawei-ascend-920", "nvidia-h20"], "llama-3.1-70b", concurrency=16)
    assert [x["chip"] for x in c.chips] == ["nvidia-h20"]
    assert [x["chip"] for x in c.left_out] == ["huawei-ascend-920"]
    assert "the performance model needs" in c.left_out[0]["reason"]


def test_design_rebuilds_the_h20(kb):
    d = kb.design("nvidia-h100-sxm", "2024-06-01", "CN", model="deepseek-r1",
                  compare="nvidia-h20")
    assert d.feasible
    assert d.binding_clause == "us-2023-10-acs/3A090.b.1"
    best = d.best
    assert best["metrics"]["tpp"]["value"] < 2400  # just under the 3A090.b.1 floor
    assert d.objective() == pytest.approx(best["objective"]["decode"]["value"])
    assert d.to_frame().index[0] == d.best_id
    # The best design classifies as it should: outside 3A090, no license, on that date.
    assert best["status"] == "outside 3A090; no license required"
    # Its headroom rows say "holds" as the headroom call does (once booleans here, words there).
    rows = best["headroom"]
    assert rows and {r["holds"] for r in rows} <= {"yes", "no", "cannot-decide"}
    binding = [r for r in rows if r["clause"] == d.binding_clause and r["metric"] == "tpp"]
    assert binding and binding[0]["holds"] == "no" and binding[0]["rule"] == "us-2023-10-acs"


def test_capability_frame(kb):
    c = kb.capability("2024-06-01", "CN", model="llama-3.1-70b")
    f = c.to_frame()
    assert ("gh100", "2024-06-01") in f.index
    assert f.loc[("gh100", "2024-06-01"), "tpp"] < 4800


def test_rules_and_generic_call(kb):
    rules = kb.rules_list()
    ids = [r["id"] for r in rules.to_dict()]
    assert "us-2023-10-acs" in ids and ids == kb.version()["rule_versions"]
    assert kb.rule("us-2023-10-acs")["id"] == "us-2023-10-acs"
    assert kb.call("rules/show", id="us-2023-10-acs") == kb.rule("us-2023-10-acs")
    assert kb.call("classify", chip="nvidia-h20", date="2025-05-01", to="CN") == kb.classify(
        "nvidia-h20", "2025-05-01", "CN")
    diff = kb.rules_diff("us-2022-10-acs", "us-2023-10-acs")
    assert diff.operation == "rules/diff"
    assert kb.check_data()["ok"] is True


def test_version_and_operations(kb):
    v = kb.version()
    assert v["api"] == "v1" and v["chips"] == len(kb.chips())
    assert ceiling.__version__ == v["ceiling"]
    ops = ceiling.operations()
    assert {"classify", "design", "capability", "perf/serve"} <= set(ops)
    assert ceiling.request_schema("classify")["required"] == ["chip", "date", "to"]
    assert set(kb.openapi()["paths"]) >= {"/api/v1/classify", "/api/v1/design"}
    assert pathlib.Path(kb.data_dir).resolve() == DATA_DIR.resolve()
    assert "87 chips" in repr(kb) or "chips" in repr(kb)


def test_end_user_screening(kb, cli, tmp_path):
    listed = kb.classify("nvidia-h100-sxm", "2025-05-01", "SG", end_user="Sophgo Technologies")
    assert listed.license_required is True
    assert listed.end_user["listed"] is True and listed.end_user["reason"] == "listed"
    assert listed.end_user["basis"]["notice"] == "us-2025-01-el-sophgo"
    assert kb.classify("nvidia-h100-sxm", "2025-05-01", "SG").end_user is None
    # A screening list of one's own (CSL CSV), given as a Path: read here, as the CLI does.
    csl = tmp_path / "csl.csv"
    csl.write_text("source,name,start_date,license_requirement,license_policy\n"
                   '"Entity List (EL) - Bureau of Industry and Security",Example Compute Pte,'
                   "2024-01-10,For all items subject to the EAR,Presumption of denial\n")
    mine = kb.classify("nvidia-h20", "2024-06-01", "SG", end_user="Example Compute",
                       screening_list=csl)
    assert mine.to_json() == cli.json("classify", "nvidia-h20", "--date", "2024-06-01", "--to",
                                      "SG", "--end-user", "Example Compute",
                                      "--screening-list", str(csl))
    assert mine.end_user["listed"] is True and mine.license_required is True
    assert kb.classify("nvidia-h20", "2024-06-01", "SG").license_required is False
    t = kb.timeline("nvidia-h100-sxm", to="SG", end_user="Sophgo").to_frame()
    assert t.loc[pd.Timestamp("2025-01-16"), "license_required"] == True  # noqa: E712


def test_rules_status_and_index(kb):
    st = kb.rules_status()
    assert isinstance(st, ceiling.RulesStatus)
    f = st.to_frame()
    assert len(f) == len(st.rows) and "us-2023-10-acs" in f.index
    assert f.loc["us-2023-10-acs", "kind"] == "rule"
    assert f.loc["us-2023-10-acs", "citation"] == "88 FR 73458"
    assert {"entity-notice", "country-group"} <= set(f["kind"])
    ix = kb.index()
    assert isinstance(ix, ceiling.Index)
    assert "2023-11-17" in ix.dates and ix.dates == sorted(ix.dates)
    assert list(ix.to_frame().index) == ix.dates
    assert "us-2023-10-acs takes effect" in ix.to_frame().loc["2023-11-17", "events"]
    assert ix["chips"] == len(kb.chips())


def test_fleet(kb):
    f = kb.fleet(FLEET)
    assert isinstance(f, ceiling.Fleet)
    assert f["file"] == str(FLEET)
    rows = f.to_frame()
    assert list(rows.index) == [r["id"] for r in f.rows]
    assert rows.loc["h20-2024", "chip"] == "nvidia-h20"
    assert set(rows["counted"]) <= {True, False}
    by_chip = f.to_frame("chip")
    counted = {r["chip"] for r in f.rows if r["counted"]}
    assert counted <= set(by_chip.index)
    # The per-chip totals add up to the total (H100-equivalents by TPP).
    assert by_chip["h100_eq_tpp"].sum() == pytest.approx(f.h100_equivalents, rel=1e-9)
    assert f.totals["h100_eq_tpp"]["low"] <= f.h100_equivalents <= f.totals["h100_eq_tpp"]["high"]
    assert f.what_if is None
    with pytest.raises(ValueError):
        f.to_frame("colour")
    # The same file as text with its name, and a what-if on one date's rules.
    same = kb.fleet({"toml": FLEET.read_text(), "name": str(FLEET)})
    assert same == f
    w = kb.fleet(FLEET, as_of="2026-01-20", throughput=False)
    assert w.what_if is not None and "rows_needing_license" in w.what_if
    assert w.totals["h100_eq_decode"]["value"] == 0  # yardsticks not evaluated
    # The data's own file by its id, as the index lists it: the same rows and totals.
    assert {"id": "china-2022-2026", "title": f["title"], "rows": len(f.rows)} in \
        kb.index()["fleets"]
    by_id = kb.fleet(fleet="china-2022-2026")
    assert by_id.totals == f.totals and by_id.rows == f.rows
    # The chart's data: cumulative by family, ending at the counted rows' total.
    chart = by_id["chart"]
    end = sum(s["values"][-1] for s in chart["families"])
    assert len(chart["dates"]) == len(chart["families"][0]["values"])
    assert end == pytest.approx(f.h100_equivalents, rel=1e-9)


def test_report_is_the_cli_dossier(kb, cli, tmp_path):
    r = kb.report("nvidia-h20", "CN", date=dt.date(2024, 6, 1))
    assert isinstance(r, ceiling.Report)
    out = tmp_path / "cli.html"
    p = cli.run("report", "nvidia-h20", "--to", "CN", "--date", "2024-06-01", "-o", str(out))
    assert p.returncode == 0, p.stderr
    assert r.html == out.read_text(encoding="utf-8") == r.to_html()
    assert r.html.startswith("<!doctype html>") and "nvidia-h20" in r.html.lower()
    saved = tmp_path / "py.html"
    r.save(saved)
    assert saved.read_text(encoding="utf-8") == r.html
    assert r._repr_html_().startswith("<iframe srcdoc=")
    with pytest.raises(TypeError):
        r.to_dict()
    with pytest.raises(TypeError):
        r.to_json()
    assert r.request == {"chip": "nvidia-h20", "to": "CN", "date": "2024-06-01",
                         "view": "enforced", "model": "llama-3.1-70b", "gpus": 8, "isl": 2048,
                         "osl": 512, "concurrency": 32}


def test_default_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("CEILING_DATA", str(tmp_path))
    assert ceiling.default_data_dir() == str(tmp_path)
    monkeypatch.delenv("CEILING_DATA")
    assert pathlib.Path(ceiling.default_data_dir(), "chips").is_dir()
    assert len(ceiling.load().chips()) == len(ceiling.load(DATA_DIR).chips())
