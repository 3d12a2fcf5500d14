"""Bulk classification: a table of (chip, date, to, hq) rows in, one outcome per row out.

The columns are interned here -- each distinct value once, one int32 code per row (with pandas,
``pandas.factorize``, a hash table in C; without it, a dict) -- and the engine
(``api::ClassifyMany``) classifies each distinct (chip, date interval, destination,
headquarters) once, with the GIL released, and returns a code per row into a small table of
distinct outcomes. Building the result columns is then an index into that table (numpy ``take``).
"""

from __future__ import annotations

import array
import datetime as _dt
import json
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from ._convert import date_text
from ._errors import InputError, from_tuple

FIELDS = ("chip", "date", "to", "hq")

# Result columns, in order, and how each is built from an outcome (see api/bulk_api.h).
COLUMNS = (
    "license_required",
    "controlled",
    "controls",
    "review_policy",
    "exceptions",
    "measures",
    "status",
    "code",
    "disputed",
    "controls_undecided",
    "exceptions_undecided",
    "exceptions_blocked",
    "review_decided",
    "before_first_rule",
)
_TRI = {"yes": True, "no": False}
_TRI_COLUMNS = ("license_required", "controlled", "review_decided")
_BOOL_COLUMNS = ("exceptions_blocked", "before_first_rule")


def _cell(outcome: Dict[str, Any], column: str) -> Any:
    v = outcome[column]
    if column in _TRI_COLUMNS:
        return _TRI.get(v)
    if isinstance(v, list):
        return ", ".join(v)
    return v


def _try_pandas():
    try:
        import numpy
        import pandas
    except ImportError:
        return None, None
    return numpy, pandas


def _date_value(v: Any) -> str:
    t = date_text(v, "date")
    if not isinstance(t, str):
        raise InputError(f"expected a date (datetime.date or 'YYYY-MM-DD'), got "
                         f"{type(v).__name__}", field="date")
    return t


def _text_value(v: Any, field: str) -> str:
    if not isinstance(v, str):
        raise InputError(f"expected a string, got {type(v).__name__}", field=field)
    return v


def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or str(v) == "NaT" or v == ""


class _Column:
    """One interned column: distinct values and an int32 code per row (-1: missing)."""

    def __init__(self, values: List[str], codes: Any) -> None:
        self.values = values
        self.codes = codes


def _intern_python(items: Sequence[Any], field: str) -> _Column:
    index: Dict[Any, int] = {}
    values: List[str] = []
    codes = array.array("i", bytes(4 * len(items)))
    for row, v in enumerate(items):
        if _is_missing(v):
            codes[row] = -1
            continue
        k = index.get(v)
        if k is None:
            try:
                text = _date_value(v) if field == "date" else _text_value(v, field)
            except InputError as e:
                raise InputError(f"row {row}: {e.message}", field=field) from None
            k = index[v] = len(values)
            values.append(text)
        codes[row] = k
    return _Column(values, codes)


def _intern_pandas(np, pd, col: Any, field: str) -> _Column:
    codes, uniques = pd.factorize(col)  # missing values (None, NaN, NaT) get -1
    if isinstance(uniques, pd.DatetimeIndex):
        values = list(uniques.strftime("%Y-%m-%d"))
    else:
        values = []
        for k, v in enumerate(uniques.tolist() if hasattr(uniques, "tolist") else uniques):
            try:
                if field == "date":
                    values.append(_date_value(v))
                else:
                    values.append(_text_value(v, field))
            except InputError as e:
                row = int(np.argmax(codes == k))
                raise InputError(f"row {row}: {e.message}", field=field) from None
    if field == "hq":  # "" is "not given", like None
        for k, v in enumerate(values):
            if v == "":
                codes[codes == k] = -1
    return _Column(values, np.ascontiguousarray(codes, dtype=np.int32))


def _constant(np, value: Any, rows: int, field: str) -> _Column:
    text = _date_value(value) if field == "date" else _text_value(value, field)
    if np is not None:
        return _Column([text], np.zeros(rows, dtype=np.int32))
    return _Column([text], array.array("i", bytes(4 * rows)))


def columns(data: Any, given: Dict[str, Any]) -> Tuple[int, Dict[str, Optional[_Column]], Any]:
    """The interned columns of `data` (a DataFrame, a mapping of columns, or records), with
    keyword values standing for absent columns. Returns (rows, columns, index)."""
    np, pd = _try_pandas()
    index = None
    cols: Dict[str, Any] = {}
    if pd is not None and isinstance(data, pd.DataFrame):
        index = data.index
        rows = len(data)
        for f in FIELDS:
            if f in data.columns:
                cols[f] = data[f]
    elif isinstance(data, Mapping):
        lengths = set()
        for f in FIELDS:
            if f in data:
                v = data[f]
                cols[f] = v if hasattr(v, "__len__") and not isinstance(v, str) else list(v)
                lengths.add(len(cols[f]))
        unknown = [k for k in data if k not in FIELDS]
        if unknown:
            raise InputError(f"unknown column (the columns are chip, date, to, hq)",
                             field=str(unknown[0]))
        if len(lengths) > 1:
            raise InputError(f"columns of different lengths: {sorted(lengths)}", field="chip")
        rows = lengths.pop() if lengths else 0
    else:
        records = list(data) if isinstance(data, Iterable) else None
        if records is None:
            raise InputError(f"expected a DataFrame, a mapping of columns or an iterable of "
                             f"records, got {type(data).__name__}", field=None)
        rows = len(records)
        lists: Dict[str, List[Any]] = {f: [] for f in FIELDS}
        for i, r in enumerate(records):
            if isinstance(r, Mapping):
                for f in FIELDS:
                    lists[f].append(r.get(f))
                extra = [k for k in r if k not in FIELDS]
                if extra:
                    raise InputError(f"row {i}: unknown key (the keys are chip, date, to, hq)",
                                     field=str(extra[0]))
            elif isinstance(r, (tuple, list)) and 3 <= len(r) <= 4:
                for f, v in zip(FIELDS, r):
                    lists[f].append(v)
                if len(r) == 3:
                    lists["hq"].append(None)
            else:
                raise InputError(f"row {i}: expected a mapping or a (chip, date, to[, hq]) "
                                 f"tuple, got {type(r).__name__}", field=None)
        for f in FIELDS:
            empty = rows == 0 and f != "hq" and given.get(f) is None
            if empty or any(v is not None for v in lists[f]):
                cols[f] = lists[f]
    out: Dict[str, Optional[_Column]] = {}
    for f in FIELDS:
        if f in cols and given.get(f) is not None:
            raise InputError("given both as a column and as an argument", field=f)
        if f in cols:
            col = cols[f]
            if pd is not None:
                out[f] = _intern_pandas(np, pd, col, f)
            else:
                out[f] = _intern_python(list(col), f)
        elif given.get(f) is not None:
            out[f] = _constant(np, given[f], rows, f)
        elif f == "hq":
            out[f] = None
        else:
            raise InputError("is required: a column or an argument", field=f)
    return rows, out, index


class BulkClassification:
    """The outcome of every row of a :meth:`KnowledgeBase.classify_many` call.

    ``outcomes`` is the table of distinct outcomes (dicts with the classify answer's field names:
    controlled, license_required, controls, exceptions, review_policy, measures, status, code,
    disputed, ...); ``outcome_index`` holds, per row, an index into it (a numpy int32 array when
    numpy is installed, else an ``array.array``). ``to_frame()`` expands them into one row per
    input row, aligned with the input DataFrame's index.
    """

    outcomes: List[Dict[str, Any]]
    outcome_index: Any
    distinct_queries: int

    def __init__(self, outcomes: List[Dict[str, Any]], codes: Any, distinct_queries: int,
                 index: Any = None) -> None:
        np, _ = _try_pandas()
        self.outcomes = outcomes
        if np is not None:
            self.outcome_index = np.frombuffer(codes, dtype=np.int32)  # no copy
        else:
            self.outcome_index = array.array("i")
            self.outcome_index.frombytes(memoryview(codes).tobytes())
        self.distinct_queries = distinct_queries
        self._index = index

    def __len__(self) -> int:
        return len(self.outcome_index)

    def __repr__(self) -> str:
        return (f"<BulkClassification {len(self)} rows, {self.distinct_queries} distinct "
                f"questions, {len(self.outcomes)} distinct outcomes>")

    def column(self, name: str) -> Any:
        """One result column (see COLUMNS): a pandas Series aligned with the input when pandas
        is installed, else a list."""
        if name not in COLUMNS:
            raise InputError(f"unknown column; the columns are {', '.join(COLUMNS)}", field=name)
        np, pd = _try_pandas()
        table = [_cell(o, name) for o in self.outcomes]
        if pd is None:
            return [table[i] for i in self.outcome_index]
        codes = self.outcome_index
        index = self._index if self._index is not None else pd.RangeIndex(len(codes))
        if name in _TRI_COLUMNS:
            values = pd.array(table, dtype="boolean").take(codes)
            return pd.Series(values, index=index, name=name)
        if name in _BOOL_COLUMNS:
            return pd.Series(np.asarray(table, dtype=bool).take(codes), index=index, name=name)
        categories = list(dict.fromkeys(table))
        where = {v: k for k, v in enumerate(categories)}
        mapped = np.asarray([where[v] for v in table], dtype=np.int32)
        cat = pd.Categorical.from_codes(mapped.take(codes), categories=categories)
        return pd.Series(cat, index=index, name=name)

    def to_frame(self, columns: Optional[Sequence[str]] = None):
        """One row per input row (the input DataFrame's index): license_required and controlled
        (nullable booleans: <NA> = cannot decide), controls, review_policy, exceptions, measures,
        status, code, disputed (categoricals; lists joined with ", "), and the rest of COLUMNS."""
        _, pd = _try_pandas()
        if pd is None:
            raise ImportError("to_frame() needs pandas (Debian: python3-pandas)")
        names = list(columns) if columns is not None else list(COLUMNS)
        return pd.concat([self.column(c) for c in names], axis=1)

    def to_dict(self) -> Dict[str, Any]:
        """{"rows", "distinct_queries", "outcomes", "outcome"}: the library's JSON form of the
        answer (api::ToJson(ClassifyManyResponse)), "outcome" holding a list of row codes."""
        return {
            "rows": len(self),
            "distinct_queries": self.distinct_queries,
            "outcomes": json.loads(json.dumps(self.outcomes)),
            "outcome": [int(i) for i in self.outcome_index],
        }


def classify_many(kb: Any, data: Any, given: Dict[str, Any], options: Dict[str, Any],
                  deadline: Optional[float]) -> BulkClassification:
    rows, cols, index = columns(data, given)
    hq = cols["hq"]
    err, value = kb.classify_many(
        cols["chip"].values, cols["chip"].codes, cols["date"].values, cols["date"].codes,
        cols["to"].values, cols["to"].codes, hq.values if hq else [], hq.codes if hq else None,
        json.dumps(options), deadline)
    if err is not None:
        raise from_tuple(err)
    table, codes, distinct = value
    return BulkClassification(json.loads(table), codes, distinct, index)
