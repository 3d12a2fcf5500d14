"""Typed answers: one class per operation, each a view over the API's JSON answer.

Every answer keeps the exact JSON text the engine returned -- the bytes ``ceiling <command>
--json`` prints and the HTTP API sends for the same request -- so ``to_json()`` is that text and
``to_dict()`` its parse, by construction. Attributes give the main fields in Python types (``True``
/ ``False`` / ``None`` for "yes" / "no" / "cannot-decide", lists, floats); any other top-level
field of the JSON is reachable as an attribute or with ``answer["field"]``. Tabular answers have
``to_frame()``, a pandas DataFrame (pandas is imported only then); list-valued cells of a frame are
joined with ", ".
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List, Optional


def tri(value: Any) -> Optional[bool]:
    """ "yes" -> True, "no" -> False, anything else ("cannot-decide") -> None."""
    if value == "yes":
        return True
    if value == "no":
        return False
    return None


def _pandas():
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - pandas is a Debian package in the tests
        raise ImportError("to_frame() needs pandas (Debian: python3-pandas)") from e
    return pandas


def _joined(v: Any) -> Any:
    return ", ".join(str(x) for x in v) if isinstance(v, list) else v


def _flatten(d: Dict[str, Any], prefix: str = "") -> Dict[str, Any]:
    """Nested objects as dotted keys; lists of scalars joined."""
    out: Dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        elif isinstance(v, list) and all(not isinstance(x, (dict, list)) for x in v):
            out[key] = _joined(v)
        elif not isinstance(v, list):
            out[key] = v
    return out


class Response:
    """An answer of the engine (the base of every answer type).

    ``to_json()`` is the API's JSON text, ``to_dict()`` its parse; ``request`` is the JSON body
    that was asked (the HTTP API's POST body for the same question).
    """

    operation: str = ""

    def __init__(self, text: str, request: Dict[str, Any]) -> None:
        self._text = text
        self._data = json.loads(text)
        self._request = request

    def to_json(self) -> str:
        """The answer as JSON text: what the CLI prints with --json and the HTTP API returns."""
        return self._text

    def to_dict(self) -> Any:
        """The answer as plain Python data (a fresh copy): the parse of to_json()."""
        return json.loads(self._text)

    @property
    def request(self) -> Dict[str, Any]:
        """The request body that was sent (a copy)."""
        return json.loads(json.dumps(self._request))

    def __getitem__(self, key: Any) -> Any:
        return self._data[key]

    def __getattr__(self, name: str) -> Any:
        data = self.__dict__.get("_data")
        if isinstance(data, dict) and name in data:
            return data[name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def __dir__(self) -> List[str]:
        keys = list(self._data) if isinstance(self._data, dict) else []
        return sorted(set(super().__dir__()) | set(keys))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Response) and other._text == self._text

    def __hash__(self) -> int:
        return hash(self._text)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._summary()}>"

    def _summary(self) -> str:
        return self.operation


# Catalog -----------------------------------------------------------------------------------------

_METRICS = ("tpp", "pd", "die_area", "dram_bw", "mem_capacity", "io_bw", "scale_up_bw", "tdp")


class Chip(Response):
    """One chip: its record, metrics with their derivations, and sources (``kb.chip``)."""

    operation = "show"

    @property
    def id(self) -> str:
        """The catalog id, e.g. "nvidia-h20"."""
        return self._data["id"]

    @property
    def name(self) -> str:
        """The product name."""
        return self._data["name"]

    @property
    def metrics(self) -> Dict[str, Optional[float]]:
        """Export-control metrics by name (tpp, pd, dram_bw GB/s, mem_capacity GB, die_area mm^2,
        io_bw GB/s, scale_up_bw GB/s, tdp W); None where the record cannot give one."""
        m = self._data["metrics"]
        return {k: m[k]["value"] for k in _METRICS if k in m}

    @property
    def tpp(self) -> Optional[float]:
        """Total processing performance (3A090 Technical Note)."""
        return self.metrics.get("tpp")

    @property
    def pd(self) -> Optional[float]:
        """Performance density: TPP per mm^2 of applicable die area."""
        return self.metrics.get("pd")

    def to_frame(self):
        """The metrics: one row each, with title, value, unit, derivation and sources."""
        pd = _pandas()
        rows = []
        for k in _METRICS:
            m = self._data["metrics"].get(k)
            if m is None:
                continue
            rows.append(
                {
                    "metric": k,
                    "title": m.get("title"),
                    "value": m.get("value"),
                    "unit": m.get("unit"),
                    "how": m.get("how", m.get("missing")),
                    "sources": _joined(m.get("sources", [])),
                }
            )
        return pd.DataFrame(rows).set_index("metric")

    def _summary(self) -> str:
        return f"{self.id} TPP {self.tpp} PD {self.pd}"


class ChipList(Response):
    """The chip catalog with export-control metrics (``kb.chips``): a sequence of chip records."""

    operation = "chips"

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        return iter(self.to_dict())

    @property
    def ids(self) -> List[str]:
        """The chips' catalog ids, in the answer's order."""
        return [c["id"] for c in self._data]

    def to_frame(self):
        """One row per chip (index: id): name, vendor, family, market, form factor, release date,
        memory type and every metric (tpp, pd, die_area mm^2, dram_bw GB/s, mem_capacity GB,
        io_bw GB/s, scale_up_bw GB/s, tdp W)."""
        pd = _pandas()
        rows = []
        for c in self._data:
            row = {
                "id": c["id"],
                "name": c["name"],
                "vendor": c["vendor"],
                "family": c.get("family"),
                "market": c.get("market"),
                "form_factor": c.get("form_factor"),
                "released": (c.get("released") or {}).get("value"),
                "memory_type": (c.get("memory") or {}).get("type"),
                "tpp_precision": c["metrics"].get("tpp_precision"),
            }
            for k in _METRICS:
                m = c["metrics"].get(k)
                row[k] = m.get("value") if m else None
            rows.append(row)
        return pd.DataFrame(rows).set_index("id")

    def _summary(self) -> str:
        return f"{len(self)} chips"


# Rules -------------------------------------------------------------------------------------------


class Classification(Response):
    """May this chip go there? (``kb.classify``): controls, license, exceptions, review, trace."""

    operation = "classify"

    @property
    def chip(self) -> str:
        """The chip's id."""
        return self._data["chip"]["id"]

    @property
    def date(self) -> str:
        """The date asked, YYYY-MM-DD."""
        return self._data["query"]["date"]

    @property
    def to(self) -> str:
        """The destination's ISO code."""
        return self._data["query"]["destination"]

    @property
    def hq(self) -> str:
        """The end user's headquarters (the destination when not given)."""
        return self._data["query"]["headquarters"]

    @property
    def controlled(self) -> Optional[bool]:
        """Whether any 3A090/4A090 paragraph is met (None: a missing figure leaves it open)."""
        return tri(self._data["controlled"])

    @property
    def license_required(self) -> Optional[bool]:
        """Whether an export license is required (None: cannot decide)."""
        return tri(self._data["license_required"])

    @property
    def controls(self) -> List[str]:
        """The control paragraphs met, e.g. ["3A090.a.1", "4A090.a"]."""
        return list(self._data["controls"])

    @property
    def exceptions(self) -> List[str]:
        """License exceptions that apply (NAC, ACA, ...)."""
        return [e["exception"] for e in self._data["exceptions"]]

    @property
    def review_policy(self) -> str:
        """presumption-of-denial, case-by-case, ... or none."""
        return self._data["review_policy"]

    @property
    def measures(self) -> List[str]:
        """Product-specific measures in force (clause ids)."""
        return [m["id"] for m in self._data["measures"]]

    @property
    def disputed(self) -> Optional[str]:
        """For a chip with disputed figures, whether the sources agree ("identical",
        "same-paragraphs", "depends"); None for other chips."""
        d = self._data.get("disputed_figures")
        return d["agreement"] if d else None

    @property
    def end_user(self) -> Optional[Dict[str, Any]]:
        """The end user's screening when one was given: "listed", "affiliate", "reason", the
        listing it rests on ("basis") with its citation, and the screening hits; None otherwise."""
        e = self._data.get("end_user")
        return json.loads(json.dumps(e)) if e is not None else None

    @property
    def trace(self) -> List[Dict[str, Any]]:
        """Every clause evaluated, with inputs, thresholds, outcome and citation."""
        return self.to_dict()["trace"]

    def to_frame(self):
        """The trace: one row per clause evaluated (rule, clause, kind, condition, outcome,
        citation)."""
        pd = _pandas()
        rows = [
            {
                "rule": s.get("rule"),
                "clause": s.get("clause"),
                "kind": s.get("kind"),
                "condition": s.get("condition"),
                "condition_value": s.get("condition_value"),
                "outcome": s.get("outcome"),
                "outcome_text": s.get("outcome_text"),
                "citation": s.get("citation"),
            }
            for s in self._data["trace"]
        ]
        return pd.DataFrame(rows, columns=["rule", "clause", "kind", "condition",
                                           "condition_value", "outcome", "outcome_text",
                                           "citation"])

    def _summary(self) -> str:
        lic = {True: "license required", False: "no license required", None: "cannot decide"}
        return f"{self.chip} {self.date} to {self.to}: {lic[self.license_required]}"


_SUMMARY_COLUMNS = ["status", "code", "license_required", "controls", "controls_undecided",
                    "exceptions", "review_policy", "measures"]


class Timeline(Response):
    """Every date on which a chip's status changes (``kb.timeline``)."""

    operation = "timeline"

    @property
    def chip(self) -> str:
        """The chip's id."""
        return self._data["chip"]["id"]

    @property
    def entries(self) -> List[Dict[str, Any]]:
        """One dict per status: from, status, code, license_required, controls, exceptions,
        review_policy, measures, changes, events."""
        return self.to_dict()["timeline"]

    def __len__(self) -> int:
        return len(self._data["timeline"])

    def to_frame(self):
        """One row per status (index: the first day, a datetime64), with the status line, its
        matrix code, license_required (True/False/None), paragraphs, exceptions, review policy,
        measures, what changed and what happened that day."""
        pd = _pandas()
        rows = []
        for e in self._data["timeline"]:
            row = {"from": e["from"]}
            for k in _SUMMARY_COLUMNS:
                row[k] = tri(e[k]) if k == "license_required" else _joined(e[k])
            row["changes"] = _joined(e["changes"])
            row["events"] = _joined(e["events"])
            rows.append(row)
        f = pd.DataFrame(rows)
        f["from"] = pd.to_datetime(f["from"])
        return f.set_index("from")

    def _summary(self) -> str:
        return f"{self.chip} to {self._data['destination']}: {len(self)} statuses"


class Matrix(Response):
    """Chips x rule versions (``kb.matrix``): how each rule moved each chip."""

    operation = "matrix"

    @property
    def rules(self) -> List[str]:
        """The rule versions (columns), in order of effect."""
        return [c["rule"] for c in self._data["columns"]]

    @property
    def chips(self) -> List[str]:
        """The chips (rows)."""
        return [r["chip"] for r in self._data["rows"]]

    def to_frame(self, value: str = "code"):
        """Index: chip ids; one column per rule version; cells: `value` of each cell ("code",
        the compact matrix code; "status", the status line; "license_required", True/False/None;
        or any other cell field)."""
        pd = _pandas()
        data = {}
        for i, col in enumerate(self._data["columns"]):
            cells = [r["cells"][i].get(value) for r in self._data["rows"]]
            if value == "license_required":
                cells = [tri(c) for c in cells]
            data[col["rule"]] = [_joined(c) for c in cells]
        f = pd.DataFrame(data, index=pd.Index(self.chips, name="chip"))
        if value == "license_required":
            f = f.astype("boolean")
        f.columns.name = "rule"
        return f

    def _summary(self) -> str:
        return f"{len(self._data['rows'])} chips x {len(self._data['columns'])} rules"


class Headroom(Response):
    """A chip's metrics against every threshold in force (``kb.headroom``)."""

    operation = "headroom"

    @property
    def chip(self) -> str:
        """The chip's id."""
        return self._data["chip"]["id"]

    @property
    def rows(self) -> List[Dict[str, Any]]:
        """One dict per comparison of a metric with a threshold."""
        return self.to_dict()["headroom"]

    def to_frame(self):
        """One row per comparison: rule, clause, metric, value, unit, op, threshold_name,
        threshold, ratio (value / threshold) and holds (True/False/None)."""
        pd = _pandas()
        cols = ["rule", "clause", "metric", "value", "unit", "op", "threshold_name", "threshold",
                "ratio", "holds"]
        rows = [{**{k: r.get(k) for k in cols}, "holds": tri(r.get("holds"))}
                for r in self._data["headroom"]]
        return pd.DataFrame(rows, columns=cols)

    def _summary(self) -> str:
        return f"{self.chip} on {self._data['date']}: {len(self._data['headroom'])} thresholds"


class WhatIf(Response):
    """Chips whose status changes under overridden parameters or an added rule (``kb.whatif``)."""

    operation = "whatif"

    @property
    def changes(self) -> List[Dict[str, Any]]:
        """One dict per chip whose status changes: chip, before, after, changes."""
        return self.to_dict()["changes"]

    @property
    def chips(self) -> List[str]:
        """The chips whose status changes."""
        return [c["chip"] for c in self._data["changes"]]

    def to_frame(self):
        """One row per chip that changes (index: chip): status and license before and after, and
        what changed."""
        pd = _pandas()
        rows = [
            {
                "chip": c["chip"],
                "before": c["before"]["status"],
                "after": c["after"]["status"],
                "license_before": tri(c["before"]["license_required"]),
                "license_after": tri(c["after"]["license_required"]),
                "changes": _joined(c["changes"]),
            }
            for c in self._data["changes"]
        ]
        return pd.DataFrame(rows, columns=["chip", "before", "after", "license_before",
                                           "license_after", "changes"]).set_index("chip")

    def _summary(self) -> str:
        return f"{', '.join(self._data['settings'])}: {len(self._data['changes'])} chips change"


# Performance -------------------------------------------------------------------------------------


class PerfServe(Response):
    """LLM serving on one chip (``kb.perf_serve``): TTFT, TPOT and tokens/s of the deployment."""

    operation = "perf/serve"

    @property
    def fits(self) -> bool:
        """Whether a deployment fits in memory (if not, the times are None and does_not_fit says
        why)."""
        return self._data["fits"]

    @property
    def tpot_ms(self) -> Optional[float]:
        """Time per output token, ms."""
        return self._data["tpot_ms"]

    @property
    def ttft_ms(self) -> Optional[float]:
        """Time to first token, ms."""
        return self._data["ttft_ms"]

    @property
    def output_tokens_per_s_per_gpu(self) -> Optional[float]:
        """Output tokens per second per GPU."""
        return self._data["output_tokens_per_s_per_gpu"]

    @property
    def tokens_per_s_per_user(self) -> Optional[float]:
        """Output tokens per second seen by one client."""
        return self._data["tokens_per_s_per_user"]

    def to_frame(self):
        """One row: every scalar field, nested ones as dotted names (parallelism.tp, ...)."""
        pd = _pandas()
        return pd.DataFrame([_flatten(self._data)])

    def _summary(self) -> str:
        head = f"{self._data['chip']} {self._data['model']}"
        if not self.fits:
            return f"{head}: does not fit"
        return (f"{head}: TPOT {self.tpot_ms:.1f} ms, "
                f"{self.output_tokens_per_s_per_gpu:.1f} tok/s/GPU")


class PerfTrain(Response):
    """LLM training on one chip (``kb.perf_train``): step time, tokens/s, MFU, memory."""

    operation = "perf/train"

    @property
    def fits(self) -> bool:
        """Whether the training step fits in memory (does_not_fit says why not)."""
        return self._data["fits"]

    @property
    def step_time_s(self) -> Optional[float]:
        """Time per optimizer step, seconds."""
        return self._data["step_time_s"]

    @property
    def tokens_per_s(self) -> Optional[float]:
        """Training tokens per second, all GPUs."""
        return self._data["tokens_per_s"]

    @property
    def mfu(self) -> Optional[float]:
        """Model FLOPs utilisation (0-1)."""
        return self._data["mfu"]

    def to_frame(self):
        """One row: every scalar field, nested ones as dotted names."""
        pd = _pandas()
        return pd.DataFrame([_flatten(self._data)])

    def _summary(self) -> str:
        head = f"{self._data['chip']} {self._data['model']}"
        if not self.fits:
            return f"{head}: does not fit"
        return f"{head}: step {self.step_time_s:.2f} s"


class Comparison(Response):
    """The same serving workload on several chips (``kb.compare``), ratios to the first."""

    operation = "compare"

    @property
    def chips(self) -> List[Dict[str, Any]]:
        """One dict per chip, as perf serve answers, plus ratio_to_first."""
        return self.to_dict()["chips"]

    @property
    def left_out(self) -> List[Dict[str, str]]:
        """The chips the model has no answer for ({"chip", "reason"}: a figure missing from the
        chip's record, or no deployment serving the workload); the others are compared."""
        return self.to_dict()["left_out"]

    def to_frame(self):
        """One row per chip (index: chip): fits, TPOT, TTFT, tokens/s per GPU and per user, the
        deployment, memory per GPU and the ratios to the first chip (ratio.*)."""
        pd = _pandas()
        rows = []
        for c in self._data["chips"]:
            row = {
                "chip": c["chip"],
                "fits": c["fits"],
                "tpot_ms": c.get("tpot_ms"),
                "ttft_ms": c.get("ttft_ms"),
                "output_tokens_per_s_per_gpu": c.get("output_tokens_per_s_per_gpu"),
                "tokens_per_s_per_user": c.get("tokens_per_s_per_user"),
                "concurrency": c.get("workload", {}).get("concurrency"),
                "memory_per_gpu_gb": (c.get("memory_per_gpu_bytes") or 0) / 1e9,
            }
            for k, v in (c.get("parallelism") or {}).items():
                row[k] = v
            for k, v in (c.get("ratio_to_first") or {}).items():
                row[f"ratio.{k}"] = v
            row["does_not_fit"] = c.get("does_not_fit")
            rows.append(row)
        return pd.DataFrame(rows).set_index("chip")

    def _summary(self) -> str:
        return ", ".join(c["chip"] for c in self._data["chips"])


# Design ------------------------------------------------------------------------------------------


class DesignResult(Response):
    """The best derivative of a die that a rule still lets through (``kb.design``)."""

    operation = "design"

    @property
    def feasible(self) -> bool:
        """Whether any design meets the requirement."""
        return self._data["feasible"]

    @property
    def best(self) -> Optional[Dict[str, Any]]:
        """The best design: a full chip record plus metrics, objective, binding clause and
        headroom; None when no design meets the requirement."""
        return self.to_dict()["best"]

    @property
    def best_id(self) -> Optional[str]:
        """The best design's id (None when infeasible)."""
        b = self._data.get("best")
        return b["id"] if b else None

    @property
    def binding_clause(self) -> Optional[str]:
        """The clause that stops the best design from going further (e.g.
        "us-2023-10-acs/3A090.b.1")."""
        b = self._data.get("best")
        return b["binding_clause"]["id"] if b and b.get("binding_clause") else None

    def objective(self, name: Optional[str] = None) -> Optional[float]:
        """The best design's value of objective `name` (default: the first objective)."""
        b = self._data.get("best")
        if not b:
            return None
        name = name or self._data["objectives"][0]
        return b["objective"][name]["value"]

    def to_frame(self):
        """The Pareto front: one row per design (index: id) with knobs, metrics and objective
        values."""
        pd = _pandas()
        rows = []
        for d in self._data["front"]:
            row = {"id": d["id"], "knobs": d["knobs"]}
            row.update(d.get("metrics", {}))
            for k, v in d.get("objective", {}).items():
                row[f"objective.{k}"] = v
            rows.append(row)
        return pd.DataFrame(rows).set_index("id") if rows else pd.DataFrame()

    def _summary(self) -> str:
        if not self.feasible:
            return "infeasible"
        return f"best {self.best_id} (binding {self.binding_clause})"


class Capability(Response):
    """Per die, the best compliant derivative (``kb.capability``)."""

    operation = "capability"

    @property
    def rows(self) -> List[Dict[str, Any]]:
        """One dict per die: die, base and a cell per date."""
        return self.to_dict()["rows"]

    def to_frame(self):
        """One row per (die, setting): base chip, feasible, objective, TPP, PD, memory bandwidth,
        binding clause and knobs (index: die, setting)."""
        pd = _pandas()
        rows = []
        for r in self._data["rows"]:
            for c in r["cells"]:
                rows.append({"die": r["die"], "base": r["base"], **c})
        f = pd.DataFrame(rows)
        return f.set_index(["die", "setting"]) if rows else f

    def _summary(self) -> str:
        return f"{len(self._data['rows'])} dies, {self._data['requirement']}"


class RulesStatus(Response):
    """The currency of the rule data (``kb.rules_status``): every rule version, measure,
    entity-list notice and country group with the date it was last checked and its sources."""

    operation = "rules/status"

    @property
    def rows(self) -> List[Dict[str, Any]]:
        """One dict per item: id, kind, title, citation, effective, checked, sources by kind."""
        return self.to_dict()["rows"]

    def to_frame(self):
        """One row per item (index: id): kind, title, citation, effective, checked and one
        ``sources.<kind>`` column per kind of source (primary, quoted, secondary, ...)."""
        pd = _pandas()
        f = pd.DataFrame([_flatten(r) for r in self._data["rows"]])
        return f.set_index("id") if len(f) else f

    def _summary(self) -> str:
        return f"{len(self._data['rows'])} items, data checked {self._data.get('data_checked')}"


class Index(Response):
    """What the knowledge base holds (``kb.index``): change dates with their events,
    destinations, models and design spaces."""

    operation = "index"

    @property
    def dates(self) -> List[str]:
        """The dates on which a rule or country group changes, ascending (YYYY-MM-DD)."""
        return [d["date"] for d in self._data["dates"]]

    def to_frame(self):
        """One row per change date (index: date) with its events joined."""
        pd = _pandas()
        f = pd.DataFrame([{"date": d["date"], "events": _joined(d["events"])}
                          for d in self._data["dates"]], columns=["date", "events"])
        return f.set_index("date")

    def _summary(self) -> str:
        return (f"{len(self._data['dates'])} change dates, {self._data['chips']} chips, "
                f"{len(self._data['models'])} models")


_FLEET_GROUPS = ("chip", "buyer", "family", "license", "quarter", "vendor")


class Fleet(Response):
    """What shipments add up to (``kb.fleet``): per-row classification, totals in
    H100-equivalents with low/high ranges, licenses, revenue shares, time to train, what-if."""

    operation = "fleet"

    @property
    def rows(self) -> List[Dict[str, Any]]:
        """One dict per shipment row: chip, buyer, destination, dates, quantity, status,
        whether it is counted, its classification over its dates, sources."""
        return self.to_dict()["rows"]

    @property
    def totals(self) -> Dict[str, Dict[str, float]]:
        """The counted rows' totals: units, tpp, h100_eq_tpp, h100_eq_decode, h100_eq_train,
        memory_gb, bandwidth_gbps, power_mw, train_pflops (each value, low, high,
        unknown_units)."""
        return self.to_dict()["totals"]

    @property
    def h100_equivalents(self) -> Optional[float]:
        """The counted rows in H100-equivalents by TPP (the central value)."""
        return self._data["totals"]["h100_eq_tpp"]["value"]

    @property
    def what_if(self) -> Optional[Dict[str, Any]]:
        """The what-if's answer (rows whose status changes, what it denies); None without one."""
        w = self._data.get("what_if")
        return json.loads(json.dumps(w)) if w is not None else None

    def to_frame(self, by: Optional[str] = None):
        """by=None: one row per shipment row (index: id) with chip, buyer, destination, hq,
        first, last, kind, status, counted, quantity (value/low/high), unit price and the
        license column of each classification period joined; by="chip" (or buyer, family,
        license, quarter, vendor): the totals per group (index: the group's key), each total's
        central value."""
        pd = _pandas()
        if by is not None:
            if by not in _FLEET_GROUPS:
                raise ValueError(f"by must be one of {', '.join(_FLEET_GROUPS)}, got {by!r}")
            rows = [{by: g["key"], **{k: v["value"] for k, v in g["totals"].items()
                                      if isinstance(v, dict)}}
                    for g in self._data[f"by_{by}"]]
            f = pd.DataFrame(rows)
            return f.set_index(by) if rows else f
        rows = []
        for r in self._data["rows"]:
            q = r.get("quantity") or {}
            rows.append({
                "id": r["id"], "chip": r["chip"], "buyer": r.get("buyer"),
                "destination": r.get("destination"), "hq": r.get("hq"), "first": r.get("first"),
                "last": r.get("last"), "kind": r.get("kind"), "status": r.get("status"),
                "counted": r.get("counted"), "quantity": q.get("value"),
                "quantity_low": q.get("low"), "quantity_high": q.get("high"),
                "unit_price": r.get("unit_price"),
                "license": _joined([c.get("license") for c in r.get("classification", [])]),
            })
        f = pd.DataFrame(rows)
        return f.set_index("id") if rows else f

    def _summary(self) -> str:
        h = self.h100_equivalents
        return f"{len(self._data['rows'])} rows, " + (
            f"{h:,.0f} H100-equivalents (TPP)" if h is not None else "H100-equivalents unknown")


class Report(Response):
    """A chip's dossier (``kb.report``): one self-contained HTML document, the bytes ``ceiling
    report`` writes. It is HTML, not JSON: ``html`` / ``to_html()`` give it, ``save(path)``
    writes it, and a notebook shows it inline."""

    operation = "report"

    def __init__(self, text: str, request: Dict[str, Any]) -> None:  # pylint: disable=super-init-not-called
        self._text = text
        self._data = {}
        self._request = request

    @property
    def html(self) -> str:
        """The HTML document."""
        return self._text

    def to_html(self) -> str:
        """The HTML document (as ``html``)."""
        return self._text

    def to_json(self) -> str:
        """Not available: a report is an HTML document (TypeError); see ``html``."""
        raise TypeError("a report is an HTML document, not JSON: use .html or .save(path)")

    def to_dict(self) -> Any:
        """Not available: a report is an HTML document (TypeError); see ``html``."""
        raise TypeError("a report is an HTML document, not JSON: use .html or .save(path)")

    def save(self, path: Any) -> None:
        """Writes the document to `path` (UTF-8)."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self._text)

    def _repr_html_(self) -> str:
        # In an iframe: the dossier's own styles and script stay out of the notebook's page.
        import html as _html

        return (f'<iframe srcdoc="{_html.escape(self._text, quote=True)}" '
                'style="width:100%;height:720px;border:1px solid #ccc"></iframe>')

    def _summary(self) -> str:
        return f"{self._request.get('chip')} to {self._request.get('to')}: {len(self._text)} chars"


RESULT_TYPES = {
    cls.operation: cls
    for cls in (Chip, ChipList, Classification, Timeline, Matrix, Headroom, WhatIf, PerfServe,
                PerfTrain, Comparison, DesignResult, Capability, RulesStatus, Index, Fleet,
                Report)
}
