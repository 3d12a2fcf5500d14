"""kb.classify_many: every input shape, every row equal to kb.classify for it, the errors, the
GIL, and the path without pandas."""

from __future__ import annotations

import datetime as dt
import threading
import time

import numpy as np
import pandas as pd
import pytest

import ceiling
from ceiling import _bulk

ROWS = [
    ("nvidia-h20", "2025-05-01", "CN", None),
    ("nvidia-h20", "2024-06-01", "CN", None),
    ("nvidia-h100-sxm", "2024-06-01", "AE", None),
    ("nvidia-h100-sxm", "2023-12-01", "SG", "CN"),
    ("nvidia-h200-sxm", "2026-02-01", "CN", None),
    ("huawei-ascend-910b", "2024-06-01", "CN", None),
    ("nvidia-a100-sxm-80gb", "2021-01-01", "CN", None),
    ("nvidia-rtx-4090", "2024-06-01", "VN", ""),
    ("amd-mi308x", "2025-05-01", "CN", None),
]


def frame(rows=ROWS):
    return pd.DataFrame(rows, columns=["chip", "date", "to", "hq"])


def expected(kb, rows, view="enforced", set=None):
    """What kb.classify answers for each row, in the bulk columns' terms."""
    out = []
    for chip, date, to, hq in rows:
        r = kb.classify(chip, date, to, hq=hq or None, view=view, set=set, trace=False)
        d = r.to_dict()
        out.append({
            "license_required": r.license_required,
            "controlled": r.controlled,
            "controls": ", ".join(r.controls),
            "review_policy": r.review_policy,
            "exceptions": ", ".join(e["exception"] for e in d["exceptions"]
                                    if e["eligible"] == "yes"),
            "measures": ", ".join(r.measures),
            "disputed": r.disputed or "none",
        })
    return out


def as_records(f: pd.DataFrame):
    out = []
    for rec in f.to_dict("records"):
        out.append({k: (None if v is pd.NA else v) for k, v in rec.items() if k in expected_keys})
    return out


expected_keys = ("license_required", "controlled", "controls", "review_policy", "exceptions",
                 "measures", "disputed")


def test_each_row_is_what_classify_answers(kb):
    r = kb.classify_many(frame())
    assert isinstance(r, ceiling.BulkClassification)
    assert len(r) == len(ROWS)
    assert as_records(r.to_frame()) == expected(kb, ROWS)
    f = r.to_frame()
    assert f.loc[0, "license_required"] == True  # noqa: E712 -- the H20 letter
    assert f.loc[1, "license_required"] == False  # noqa: E712
    assert "3A090.a.1" in f.loc[2, "controls"]
    assert str(f["license_required"].dtype) == "boolean"
    assert str(f["status"].dtype) == "category"
    assert list(f.columns) == list(_bulk.COLUMNS)


def test_random_rows_against_classify(kb):
    rng = np.random.default_rng(5)
    ids = kb.chips().ids
    countries = ["CN", "AE", "US", "VN", "MO", "RU", "SA", "IN", "DE", "SG"]
    start = dt.date(2022, 6, 1)
    rows = [(ids[rng.integers(len(ids))], start + dt.timedelta(days=int(rng.integers(1500))),
             countries[rng.integers(len(countries))],
             "CN" if rng.integers(4) == 0 else None) for _ in range(300)]
    got = as_records(kb.classify_many(frame(rows)).to_frame())
    assert got == expected(kb, rows)


def test_options_as_classify(kb):
    rows = ROWS[:4]
    for view, set_ in (("text", None), ("enforced", ["tpp_b1=2000"])):
        got = kb.classify_many(frame(rows), view=view, set=set_).to_frame()
        assert as_records(got) == expected(kb, rows, view=view, set=set_)


def test_input_shapes_give_the_same_answer(kb):
    want = kb.classify_many(frame()).to_dict()
    f = frame()
    shapes = {
        "records (dicts)": [dict(zip(("chip", "date", "to", "hq"), r)) for r in ROWS],
        "tuples": [tuple(r) for r in ROWS],
        "3-tuples and 4-tuples": [r[:3] if r[3] is None else r for r in ROWS],
        "mapping of lists": {k: list(f[k]) for k in f.columns},
        "mapping of arrays": {k: f[k].to_numpy() for k in f.columns},
        "categorical columns": f.astype("category"),
        "datetime64 dates": f.assign(date=pd.to_datetime(f["date"])),
        "datetime.date dates": f.assign(date=[dt.date.fromisoformat(d) for d in f["date"]]),
        "generator": (r for r in ROWS),
    }
    for name, data in shapes.items():
        assert kb.classify_many(data).to_dict() == want, name


def test_constant_columns_and_index(kb):
    f = pd.DataFrame({"chip": ["nvidia-h20", "nvidia-h100-sxm"]}, index=["a", "b"])
    r = kb.classify_many(f, date="2025-05-01", to="CN")
    out = r.to_frame()
    assert list(out.index) == ["a", "b"]
    joined = f.join(out)
    assert joined.loc["a", "license_required"] == True  # noqa: E712
    assert r.to_dict() == kb.classify_many(
        {"chip": ["nvidia-h20", "nvidia-h100-sxm"], "date": ["2025-05-01"] * 2,
         "to": ["CN", "CN"]}).to_dict()
    hq = kb.classify_many(f, date="2023-12-01", to="SG", hq="CN").to_frame()
    assert as_records(hq) == expected(kb, [("nvidia-h20", "2023-12-01", "SG", "CN"),
                                           ("nvidia-h100-sxm", "2023-12-01", "SG", "CN")])


def test_outcome_table(kb):
    r = kb.classify_many(frame(ROWS * 1000))
    assert len(r) == 9000
    assert r.distinct_queries <= len(ROWS)
    assert len(r.outcomes) <= len(ROWS)
    assert r.outcome_index.dtype == np.int32
    d = r.to_dict()
    assert d["rows"] == 9000 and len(d["outcome"]) == 9000
    assert set(d["outcomes"][0]) == {
        "controlled", "license_required", "controls", "controls_undecided", "exceptions",
        "exceptions_undecided", "exceptions_blocked", "review_policy", "review_decided",
        "measures", "before_first_rule", "status", "code", "disputed"}
    required = sum(1 for e in expected(kb, ROWS) if e["license_required"])
    assert r.column("license_required").sum() == 1000 * required
    with pytest.raises(ceiling.InputError) as info:
        r.column("colour")
    assert info.value.field == "colour"
    assert "9000 rows" in repr(r)


def test_empty_input(kb):
    r = kb.classify_many(frame([]))
    assert len(r) == 0 and len(r.to_frame()) == 0
    assert kb.classify_many([]).to_dict()["rows"] == 0


def test_without_pandas(kb, monkeypatch):
    with_pandas = kb.classify_many(frame())
    want = with_pandas.to_frame()
    monkeypatch.setattr(_bulk, "_try_pandas", lambda: (None, None))
    r = kb.classify_many([tuple(x) for x in ROWS])
    assert list(r.outcome_index) == list(with_pandas.outcome_index)
    assert r.to_dict() == with_pandas.to_dict()
    assert r.column("license_required") == [None if v is pd.NA else bool(v)
                                            for v in want["license_required"]]
    assert r.column("status") == list(want["status"])
    with pytest.raises(ImportError):
        r.to_frame()


BAD = [
    (frame([("nvidia-h21", "2024-06-01", "CN", None)]), {}, "chip",
     'row 0: unknown chip "nvidia-h21"; did you mean "nvidia-h20"'),
    (frame(ROWS + [("nvidia-h20", "2024-02-30", "CN", None)]), {}, "date",
     'row 9: no such date: "2024-02-30"'),
    (frame(ROWS + [("nvidia-h20", 20240101, "CN", None)]), {}, "date",
     "row 9: expected a date (datetime.date or 'YYYY-MM-DD'), got int"),
    (frame(ROWS + [("nvidia-h20", "2024-01-01", "XX", None)]), {}, "to", "row 9: unknown country"),
    (frame(ROWS + [("nvidia-h20", "2024-01-01", "CN", "ZZ")]), {}, "hq", "row 9: unknown country"),
    (frame(ROWS + [(None, "2024-01-01", "CN", None)]), {}, "chip", "row 9: no chip given"),
    (frame(ROWS + [("nvidia-h20", None, "CN", None)]), {}, "date", "row 9: no date given"),
    (frame(ROWS + [(7, "2024-01-01", "CN", None)]), {}, "chip", "row 9: expected a string, got int"),
    (frame()[["chip", "date"]], {}, "to", "is required: a column or an argument"),
    (frame(), {"to": "CN"}, "to", "given both as a column and as an argument"),
    (frame(), {"view": "law"}, "view", 'expected enforced or text, got "law"'),
    (frame(), {"set": ["tpp_q=1"]}, "set", "tpp_q: unknown parameter"),
    (frame(), {"threads": -1}, "threads", "must be 0 or more, got -1"),
    ({"chip": ["nvidia-h20"], "date": ["2024-01-01", "2024-01-02"], "to": ["CN"]}, {}, "chip",
     "columns of different lengths"),
    ({"chip": ["nvidia-h20"], "date": ["2024-01-01"], "to": ["CN"], "colour": ["red"]}, {},
     "colour", "unknown column"),
    ([("nvidia-h20", "2024-01-01")], {}, None, "row 0: expected a mapping or a (chip, date, to"),
    ([{"chip": "nvidia-h20", "date": "2024-01-01", "to": "CN", "x": 1}], {}, "x",
     "row 0: unknown key"),
    (42, {}, None, "expected a DataFrame, a mapping of columns or an iterable of records"),
]


@pytest.mark.parametrize("data,kwargs,field,message", BAD, ids=[b[3][:40] for b in BAD])
def test_bad_input(kb, data, kwargs, field, message):
    with pytest.raises(ceiling.InputError) as info:
        kb.classify_many(data, **kwargs)
    assert info.value.field == field
    assert info.value.message.startswith(message), info.value.message


def test_a_deadline_stops_it(kb):
    f = pd.DataFrame({"chip": pd.Categorical(["nvidia-h20"] * 10)})
    with pytest.raises(ceiling.InputError):
        kb.classify_many(f, date="2024-01-01", to="CN", deadline=0)
    big = _big_table(kb, 300_000)
    with pytest.raises(ceiling.DeadlineExceeded):
        kb.classify_many(big, deadline=1e-6)


def _big_table(kb, n):
    """n rows over every chip, 1,700 days and 25 countries as destination and headquarters:
    most rows a question of their own (the slow case), as categoricals (cheap to intern)."""
    rng = np.random.default_rng(9)
    ids = kb.chips().ids
    countries = ["CN", "AE", "US", "VN", "MO", "RU", "SA", "IN", "DE", "SG", "MY", "JP", "KR",
                 "TW", "IL", "FR", "GB", "BR", "MX", "ID", "TH", "PH", "PK", "EG", "TR"]
    dates = pd.date_range("2022-01-01", periods=1700).strftime("%Y-%m-%d")
    return pd.DataFrame({
        "chip": pd.Categorical.from_codes(rng.integers(0, len(ids), n), ids),
        "date": pd.Categorical.from_codes(rng.integers(0, len(dates), n), dates),
        "to": pd.Categorical.from_codes(rng.integers(0, len(countries), n), countries),
        "hq": pd.Categorical.from_codes(rng.integers(0, len(countries), n), countries),
    })


def test_the_engine_runs_without_the_gil(kb):
    big = _big_table(kb, 400_000)
    window = {}

    def work():
        window["start"] = time.perf_counter()
        window["result"] = kb.classify_many(big, threads=1)
        window["end"] = time.perf_counter()

    t = threading.Thread(target=work)
    t.start()
    stamps = []
    while t.is_alive():
        stamps.append(time.perf_counter())
    t.join()
    assert len(window["result"]) == len(big)
    assert window["result"].distinct_queries > 100_000
    # The interning (pandas, with the GIL) is quick for categoricals; the engine's part is most
    # of the call, and this thread keeps running through it.
    inside = [s for s in stamps if window["start"] < s < window["end"]]
    assert len(inside) > 1000
