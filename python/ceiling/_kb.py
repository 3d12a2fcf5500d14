"""The knowledge base and its questions: one method per operation of the library API."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

from . import _bulk, _convert
from . import _ceiling  # type: ignore[attr-defined]
from ._errors import InputError, from_tuple
from ._results import (
    RESULT_TYPES,
    Capability,
    Chip,
    ChipList,
    Classification,
    Comparison,
    DesignResult,
    Fleet,
    Headroom,
    Index,
    Matrix,
    PerfServe,
    PerfTrain,
    Report,
    Response,
    RulesStatus,
    Timeline,
    WhatIf,
)

# A date: datetime.date, datetime.datetime, numpy.datetime64 or "YYYY-MM-DD".
DateLike = Any
# A catalog entry: an id, TOML text, a pathlib.Path to a TOML file, or {"toml": ..., "name": ...}.
RefLike = Any
# Inline TOML: text, a pathlib.Path, or {"toml": ..., "name": ...}.
TextLike = Any

# The operations whose searches take a deadline and can be interrupted with Ctrl-C (they run on a
# helper thread while the calling thread watches for KeyboardInterrupt).
_SEARCHES = {"compare", "design", "capability", "validate", "calibrate", "fleet", "report"}

_SCHEMAS: Dict[str, Dict[str, Any]] = {}
_SUMMARIES: Dict[str, str] = {}
for _name, _summary, _tag, _request, _response in _ceiling.operations():
    _SCHEMAS[_name] = json.loads(_request)
    _SUMMARIES[_name] = _summary


def operations() -> Dict[str, str]:
    """Every operation of the library API (name -> one-line summary); each is reachable through
    :meth:`KnowledgeBase.call`, the common ones through a method of their own."""
    return dict(_SUMMARIES)


def request_schema(operation: str) -> Dict[str, Any]:
    """The JSON schema of an operation's request: its fields, types, defaults and docs."""
    if operation not in _SCHEMAS:
        raise InputError(f"unknown operation {operation!r}", field="operation", code="not-found")
    return json.loads(json.dumps(_SCHEMAS[operation]))


def default_data_dir() -> str:
    """The data directory `load()` uses by default: $CEILING_DATA, else the data installed with
    the package, else the source tree's data/ this module was built from."""
    env = os.environ.get("CEILING_DATA")
    if env:
        return env
    bundled = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
    if os.path.isdir(bundled):
        return bundled
    return _ceiling.DEFAULT_DATA_DIR


def load(data: Union[str, "os.PathLike[str]", None] = None) -> "KnowledgeBase":
    """Loads a knowledge base: chips, rules, countries, models, systems, calibration, designs.

    `data` is a data directory in the format of the bundled one (chips/, rules/, countries/ and
    optionally models/, perf/, designs/, validation/); default: :func:`default_data_dir`. The
    result is immutable and safe to share between threads. Raises :class:`DataError` (with the
    file:line:col of the first malformed file) when the directory does not load.

    >>> kb = ceiling.load()
    >>> kb.classify("nvidia-h20", "2025-05-01", "CN").license_required
    True
    """
    path = os.fspath(data) if data is not None else default_data_dir()
    if not os.path.isdir(path):
        raise from_tuple(("not-found", "data", f"no data directory at {path}", None), True)
    err, kb = _ceiling.KnowledgeBase.load(path)
    if err is not None:
        raise from_tuple(err, data_error=True)
    return KnowledgeBase(kb)


def _fields(values: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in values.items() if k not in ("self", "deadline")}


class KnowledgeBase:
    """Everything the engine knows, loaded once (see :func:`load`); its methods ask questions.

    Each method is one operation of the library API: its keyword arguments are the request's
    fields (the HTTP API's JSON keys, the CLI's flags with '_' for '-'), absent ones take the
    library's defaults, and the answer is a typed object whose ``to_json()`` is byte for byte what
    ``ceiling <command> --json`` prints for the same question. The engine runs with the GIL
    released. ``deadline=`` (seconds) stops a search with :class:`DeadlineExceeded`. Errors raise
    :class:`InputError` with the offending ``field``.
    """

    def __init__(self, core: Any) -> None:
        self._kb = core

    def __repr__(self) -> str:
        v = self.version()
        return (f"<ceiling.KnowledgeBase {self.data_dir}: {v['chips']} chips, "
                f"{len(v['rule_versions'])} rule versions, current as of {v['current_as_of']}>")

    @property
    def data_dir(self) -> str:
        """The data directory it was loaded from."""
        return self._kb.data_dir

    def version(self) -> Dict[str, Any]:
        """Build and data versions: the rule versions, chips, models and the latest date a source
        was read ("current_as_of"), as the HTTP API's /api/v1/version."""
        return json.loads(self._kb.version_json())

    def openapi(self) -> Dict[str, Any]:
        """The OpenAPI 3.1 document of the HTTP API (every operation, field and default)."""
        return json.loads(self._kb.openapi_json())

    # The one path every question takes --------------------------------------------------------

    def call(self, operation: str, deadline: Optional[float] = None, **fields: Any) -> Response:
        """Asks any operation of the library API by name (see :func:`operations`), with its
        request fields as keyword arguments; returns its typed answer (a :class:`Response` for
        operations without a type of their own, e.g. "rules/list", "map", "validate").

        >>> kb.call("rules/show", id="us-2023-10-acs")["id"]
        'us-2023-10-acs'
        """
        schema = _SCHEMAS.get(operation)
        if schema is None:
            raise InputError(f"unknown operation {operation!r}; see ceiling.operations()",
                             field="operation", code="not-found")
        body = _convert.body(schema, fields)
        limit = _convert.check_deadline(deadline)
        err, text = self._kb.run(operation, json.dumps(body), limit, operation in _SEARCHES)
        if err is not None:
            raise from_tuple(err)
        cls = RESULT_TYPES.get(operation, Response)
        result = cls(text, body)
        if cls is Response:
            result.operation = operation
        return result

    # Catalog ------------------------------------------------------------------------------------

    def chips(self, vendor: Optional[str] = None, market: Optional[str] = None,
              sort: str = "id") -> ChipList:
        """The chip catalog with export-control metrics.

        vendor: only this vendor's chips ("nvidia"); market: datacenter, consumer, workstation or
        edge; sort: id, tpp, pd, bandwidth (largest first) or released (oldest first).
        ``to_frame()``: one row per chip with every metric.
        """
        return self.call("chips", **_fields(locals()))  # type: ignore[return-value]

    def chip(self, chip: RefLike) -> Chip:
        """One chip: its record, metrics with derivations (TPP, PD, bandwidths ...) and sources.

        chip: a catalog id ("nvidia-h20"), or a chip as TOML text, a Path or {"toml": ...}.
        """
        return self.call("show", chip=chip)  # type: ignore[return-value]

    def check_data(self) -> Response:
        """The consistency check of the loaded data directory: every finding, per file."""
        return self.call("check-data")

    # Rules --------------------------------------------------------------------------------------

    def classify(self, chip: RefLike, date: DateLike, to: str, hq: Optional[str] = None,
                 view: str = "enforced", end_user: Optional[str] = None, *,
                 owners: Optional[Sequence[str]] = None,
                 screening_list: Optional[TextLike] = None,
                 set: Optional[Sequence[str]] = None, rules: Optional[Sequence[TextLike]] = None,
                 trace: bool = True) -> Classification:
        """May this chip go there? Controls met, license, exceptions, review policy, measures,
        the end user's screening, and the clause-by-clause trace.

        chip: catalog id or TOML; date: the date of the export; to: destination (ISO 3166
        alpha-2, e.g. "CN"); hq: the end user's headquarters or ultimate parent (default: the
        destination); view: "enforced" (what BIS enforces) or "text" (every rule whose text is
        in force, e.g. the AI Diffusion rule); end_user: the end user's name, screened (fuzzy)
        against the Entity List and `screening_list`; owners: the end user's owners ("NAME",
        "NAME=60%", "NAME=60%>OWNED") for the Affiliates (50 percent) rule; screening_list: a
        Consolidated Screening List (CSV or JSON text, or a Path); set: parameter overrides
        ("tpp_a=4000"); rules: extra rule versions as TOML; trace: include the trace.
        ``end_user`` of the answer: the screening's result (None when no end user was given).
        """
        return self.call("classify", **_fields(locals()))  # type: ignore[return-value]

    def classify_many(self, data: Any, *, chip: Optional[str] = None,
                      date: Optional[DateLike] = None, to: Optional[str] = None,
                      hq: Optional[str] = None, view: str = "enforced",
                      set: Optional[Sequence[str]] = None,
                      rules: Optional[Sequence[TextLike]] = None, threads: int = 0,
                      deadline: Optional[float] = None) -> _bulk.BulkClassification:
        """Classifies every row of a table of (chip, date, to, hq) questions at once.

        data: a pandas DataFrame with columns chip, date, to and optionally hq; a mapping of such
        columns; or an iterable of records (mappings, or (chip, date, to[, hq]) tuples). chip:
        catalog ids; date: dates (datetime64, datetime.date or "YYYY-MM-DD"); to, hq: ISO codes
        (a missing hq is the destination). A keyword chip/date/to/hq stands for a column the data
        lacks (e.g. ``to="CN"`` for every row). view, set, rules: as for :meth:`classify`;
        threads: at most this many threads (0: all cores).

        Returns a :class:`BulkClassification`: ``to_frame()`` gives one row per input row
        (license_required, controlled, controls, review_policy, exceptions, measures, status,
        code, disputed, ...), aligned with the input's index. Each row's answer is what
        :meth:`classify` answers for it. Errors name the column and the first row at fault.
        """
        options = {"view": view, "threads": threads}
        if set is not None:
            options["set"] = _convert.listify(set)
        if rules is not None:
            options["rules"] = [_convert.text(r, "rules") for r in _convert.listify(rules)]
        given = {"chip": chip, "date": date, "to": to, "hq": hq}
        return _bulk.classify_many(self._kb, data, given, options,
                                   _convert.check_deadline(deadline))

    def timeline(self, chip: RefLike, to: str = "CN", hq: Optional[str] = None,
                 view: str = "enforced", *, end_user: Optional[str] = None,
                 owners: Optional[Sequence[str]] = None,
                 screening_list: Optional[TextLike] = None,
                 set: Optional[Sequence[str]] = None,
                 rules: Optional[Sequence[TextLike]] = None) -> Timeline:
        """Every date on which a chip's export status to `to` changes, with what changed and why
        (for `end_user`, with `owners` and `screening_list`, as for :meth:`classify`: listings
        and removals are changes too).

        ``to_frame()``: one row per status, indexed by its first day.
        """
        return self.call("timeline", **_fields(locals()))  # type: ignore[return-value]

    def matrix(self, chips: Optional[Sequence[str]] = None, to: str = "CN",
               hq: Optional[str] = None, view: str = "enforced", *,
               set: Optional[Sequence[str]] = None,
               rules: Optional[Sequence[TextLike]] = None) -> Matrix:
        """Chips x rule versions: the status of each chip under each rule (to `to`).

        chips: only these catalog ids (default: every chip). ``to_frame(value="code")``: chips x
        rules.
        """
        return self.call("matrix", **_fields(locals()))  # type: ignore[return-value]

    def headroom(self, chip: RefLike, date: Optional[DateLike] = None, to: str = "CN",
                 hq: Optional[str] = None, view: str = "enforced", *,
                 set: Optional[Sequence[str]] = None,
                 rules: Optional[Sequence[TextLike]] = None) -> Headroom:
        """A chip's metrics against every threshold of the rules in force on `date` (default: the
        latest date on which a rule or country group changes): value / threshold per clause.
        """
        return self.call("headroom", **_fields(locals()))  # type: ignore[return-value]

    def whatif(self, set: Optional[Sequence[str]] = None,
               rules: Optional[Sequence[TextLike]] = None, date: Optional[DateLike] = None,
               to: str = "CN", hq: Optional[str] = None, view: str = "enforced") -> WhatIf:
        """The chips whose status changes when parameters are overridden (set=["tpp_a=4000"]) or
        a rule version is added (rules=[toml]); at least one of the two is required.
        """
        return self.call("whatif", **_fields(locals()))  # type: ignore[return-value]

    def rules_list(self, *, set: Optional[Sequence[str]] = None,
                   rules: Optional[Sequence[TextLike]] = None) -> Response:
        """Every rule version, in order of effect (id, title, citation, dates, status)."""
        return self.call("rules/list", **_fields(locals()))

    def rule(self, id: str, *, set: Optional[Sequence[str]] = None,
             rules: Optional[Sequence[TextLike]] = None) -> Response:
        """One rule version: dates, parameters, clauses and sources."""
        return self.call("rules/show", **_fields(locals()))

    def rules_diff(self, a: str, b: str, to: str = "CN", hq: Optional[str] = None,
                   view: str = "enforced", *, set: Optional[Sequence[str]] = None,
                   rules: Optional[Sequence[TextLike]] = None) -> Response:
        """What rule version `b` changes relative to `a`, and which chips change status."""
        return self.call("rules/diff", **_fields(locals()))

    def rules_status(self, *, set: Optional[Sequence[str]] = None,
                     rules: Optional[Sequence[TextLike]] = None) -> RulesStatus:
        """Every rule version, measure, entity-list notice and country group with the date its
        data was last checked and the kinds of its sources (primary, quoted, secondary ...).
        ``to_frame()``: one row each.
        """
        return self.call("rules/status", **_fields(locals()))  # type: ignore[return-value]

    def index(self) -> Index:
        """What the knowledge base holds: the dates on which rules or country groups change (with
        what happens on each), destinations with their groups, models and design spaces.
        ``to_frame()``: one row per change date.
        """
        return self.call("index")  # type: ignore[return-value]

    def chip_map(self, date: Optional[DateLike] = None, to: str = "CN", hq: Optional[str] = None,
                 view: str = "enforced", *, set: Optional[Sequence[str]] = None,
                 rules: Optional[Sequence[TextLike]] = None) -> Response:
        """The TPP x PD chart's data: threshold regions of the rules in force and every chip
        with its status for `to`."""
        return self.call("map", **_fields(locals()))

    # Performance --------------------------------------------------------------------------------

    def perf_serve(self, chip: RefLike, model: RefLike, gpus: int = 8, *,
                   tp: Optional[int] = None, pp: Optional[int] = None, ep: Optional[int] = None,
                   dp_attn: Optional[int] = None, isl: int = 1024, osl: int = 1024,
                   concurrency: Optional[int] = None,
                   requests: Optional[int] = None, precision: str = "fp8",
                   kv_precision: Optional[str] = None,
                   attention_precision: Optional[str] = None, engine: Optional[str] = None,
                   sla_tpot: Optional[float] = None, sla_ttft: Optional[float] = None,
                   gpus_per_node: Optional[int] = None, scale_out: Optional[str] = None,
                   spec_steps: int = 0, spec_draft: int = 0,
                   spec_accept: float = 1.0, adp_balance_timeout: int = 0,
                   adp_balance_wait: int = 0,
                   batch_wait_timeout: int = 0, batch_wait_ratio: float = 0.0,
                   token_budget: int = 0, postprocess_workers: int = 0,
                   max_batch: int = 0, memory_share: float = 0.0, recv_interval: int = 1,
                   prefill_workers: int = 0,
                   decode_workers: int = 1, prefill_gpus: Optional[int] = None,
                   prefill_tp: Optional[int] = None, prefill_pp: Optional[int] = None,
                   prefill_ep: Optional[int] = None,
                   prefill_dp_attn: Optional[int] = None) -> PerfServe:
        """LLM serving on `gpus` chips: TTFT, TPOT and tokens/s of the best deployment.

        model: a model id (data/models, e.g. "deepseek-r1") or TOML. Give `concurrency` (clients),
        `requests` (an offline run: all queued at once, served until the last is done) or an SLA
        (`sla_tpot`/`sla_ttft`, ms: the best deployment within it). tp, pp, ep,
        dp_attn: parallel sizes (default: searched); isl/osl: input/output tokens per request;
        precision: weights/activations format; scale_out: e.g. "400 Gb/s". Disaggregated
        serving: `prefill_workers` (>= 1) workers of `prefill_gpus` GPUs prefill and
        `decode_workers` share the other GPUs and decode (tp, pp, ep, dp_attn are then a decode
        worker's; prefill_tp ... a prefill worker's). Raises NoAnswerError when no deployment
        fits.
        """
        return self.call("perf/serve", **_fields(locals()))  # type: ignore[return-value]

    def perf_train(self, chip: RefLike, model: RefLike, gpus: int = 8, *, tp: int = 1,
                   pp: int = 1, dp: Optional[int] = None, ep: int = 1, cp: int = 1,
                   zero: int = 1, micro_batch: int = 1, virtual_stages: int = 1,
                   recompute: str = "selective", sequence_parallel: bool = True,
                   tp_comm_overlap: bool = True, ep_comm_overlap: bool = False,
                   dualpipe: bool = False, bf16_moments: bool = False,
                   grad_reduce: str = "fp32",
                   global_batch: Optional[int] = None, seq: Optional[int] = None,
                   tokens: Optional[float] = None, precision: str = "bf16",
                   gpus_per_node: Optional[int] = None,
                   scale_out: Optional[str] = None) -> PerfTrain:
        """LLM training: step time, tokens/s, MFU and memory per GPU.

        global_batch (sequences per step) and seq (tokens per sequence) are required; tokens:
        tokens to train on (for the time to train); zero: ZeRO stage 0-3; virtual_stages:
        interleaved 1F1B chunks per pipeline rank; recompute: "none", "selective" (Megatron-Core's
        default) or "full"; grad_reduce: the gradients' format, "fp32" or "bf16";
        sequence_parallel, tp_comm_overlap, ep_comm_overlap, dualpipe and bf16_moments as in the
        HTTP API's perf/train fields.
        """
        return self.call("perf/train", **_fields(locals()))  # type: ignore[return-value]

    def compare(self, chips: Sequence[RefLike], model: RefLike, gpus: int = 8, *,
                tp: Optional[int] = None, pp: Optional[int] = None, ep: Optional[int] = None,
                dp_attn: Optional[int] = None, isl: int = 1024, osl: int = 1024,
                concurrency: Optional[int] = None,
                requests: Optional[int] = None, precision: str = "fp8",
                kv_precision: Optional[str] = None, attention_precision: Optional[str] = None,
                engine: Optional[str] = None, sla_tpot: Optional[float] = None,
                sla_ttft: Optional[float] = None, gpus_per_node: Optional[int] = None,
                scale_out: Optional[str] = None, spec_steps: int = 0, spec_draft: int = 0,
                spec_accept: float = 1.0, adp_balance_timeout: int = 0,
                adp_balance_wait: int = 0,
                batch_wait_timeout: int = 0, batch_wait_ratio: float = 0.0,
                token_budget: int = 0, postprocess_workers: int = 0, max_batch: int = 0,
                memory_share: float = 0.0, recv_interval: int = 1, prefill_workers: int = 0,
                decode_workers: int = 1,
                prefill_gpus: Optional[int] = None, prefill_tp: Optional[int] = None,
                prefill_pp: Optional[int] = None, prefill_ep: Optional[int] = None,
                prefill_dp_attn: Optional[int] = None,
                deadline: Optional[float] = None) -> Comparison:
        """The same serving workload on several chips, with ratios to the first (the serving
        arguments as for :meth:`perf_serve`). ``to_frame()``: one row per chip.
        """
        return self.call("compare", deadline=deadline,
                         **_fields(locals()))  # type: ignore[return-value]

    # Design -------------------------------------------------------------------------------------

    def design(self, base: RefLike, date: DateLike, to: str, model: RefLike, *,
               hq: Optional[str] = None, view: str = "enforced",
               set: Optional[Sequence[str]] = None, rules: Optional[Sequence[TextLike]] = None,
               design: Optional[TextLike] = None, require: str = "no-license",
               objective: str = "decode", gpus: int = 8, tp: Optional[int] = None,
               pp: Optional[int] = None, ep: Optional[int] = None, dp_attn: Optional[int] = None,
               isl: int = 1024, osl: int = 1024, concurrency: Optional[int] = None,
               requests: Optional[int] = None,
               precision: str = "fp8", kv_precision: Optional[str] = None,
               attention_precision: Optional[str] = None, engine: Optional[str] = None,
               sla_tpot: Optional[float] = None, sla_ttft: Optional[float] = None,
               gpus_per_node: Optional[int] = None, scale_out: Optional[str] = None,
               spec_steps: int = 0, spec_draft: int = 0, spec_accept: float = 1.0,
               adp_balance_timeout: int = 0, adp_balance_wait: int = 0,
               batch_wait_timeout: int = 0, batch_wait_ratio: float = 0.0,
               token_budget: int = 0, postprocess_workers: int = 0, max_batch: int = 0,
                memory_share: float = 0.0, recv_interval: int = 1,
               seq: int = 4096, global_batch: int = 256, micro_batch: int = 1, zero: int = 1,
               recompute: bool = False, train_precision: str = "bf16",
               max_tdp: Optional[str] = None, max_memory: Optional[str] = None,
               market: Optional[str] = None, strategy: str = "auto",
               budget: int = 50_000_000, threads: int = 0, compare: Optional[RefLike] = None,
               keep_candidates: bool = False,
               deadline: Optional[float] = None) -> DesignResult:
        """The best derivative of the `base` chip's die that still meets `require` for (date, to):
        the H20 move. Knobs: enabled units, tensor rate, memory, scale-up links, market.

        require: no-license, not-3a090, exception-eligible or case-by-case; objective: decode,
        prefill or train (several comma-separated give a Pareto front), scored on `model` with
        the serving (or training) arguments; the decode objective without a concurrency searches
        within TPOT <= 50 ms. compare: a product to measure against the optimum (e.g.
        "nvidia-h20"). design: a design space as TOML (default: data/designs for the die).
        max_tdp/max_memory: caps such as "400 W", "96 GB". An infeasible search is an answer
        (``feasible`` False).
        """
        return self.call("design", deadline=deadline,
                         **_fields(locals()))  # type: ignore[return-value]

    def capability(self, dates: Union[DateLike, Sequence[DateLike]], to: str, model: RefLike, *,
                   hq: Optional[str] = None, view: str = "enforced",
                   set: Optional[Sequence[str]] = None,
                   rules: Optional[Sequence[TextLike]] = None, require: str = "no-license",
                   objective: str = "decode", gpus: int = 8, tp: Optional[int] = None,
                   pp: Optional[int] = None, ep: Optional[int] = None,
                   dp_attn: Optional[int] = None, isl: int = 1024, osl: int = 1024,
                   concurrency: Optional[int] = None,
                   requests: Optional[int] = None, precision: str = "fp8",
                   kv_precision: Optional[str] = None, attention_precision: Optional[str] = None,
                   engine: Optional[str] = None, sla_tpot: Optional[float] = None,
                   sla_ttft: Optional[float] = None, gpus_per_node: Optional[int] = None,
                   scale_out: Optional[str] = None, spec_steps: int = 0, spec_draft: int = 0,
                   spec_accept: float = 1.0, adp_balance_timeout: int = 0,
                   adp_balance_wait: int = 0,
                   batch_wait_timeout: int = 0, batch_wait_ratio: float = 0.0,
                   token_budget: int = 0, postprocess_workers: int = 0, max_batch: int = 0,
                memory_share: float = 0.0, recv_interval: int = 1,
                   seq: int = 4096,
                   global_batch: int = 256,
                   micro_batch: int = 1, zero: int = 1, recompute: bool = False,
                   train_precision: str = "bf16", max_tdp: Optional[str] = None,
                   max_memory: Optional[str] = None, market: Optional[str] = None,
                   strategy: str = "auto", budget: int = 50_000_000, threads: int = 0,
                   deadline: Optional[float] = None) -> Capability:
        """Per die, the best derivative that meets `require` on each of `dates` (one, or two to
        show the change): the capability a rule leaves open (the design arguments as for
        :meth:`design`). ``to_frame()``: one row per (die, date).
        """
        return self.call("capability", deadline=deadline,
                         **_fields(locals()))  # type: ignore[return-value]

    # Fleets -----------------------------------------------------------------------------------

    def fleet(self, shipments: Optional[TextLike] = None, *, fleet: Optional[str] = None,
              count: Optional[Sequence[str]] = None,
              reference: str = "nvidia-h100-sxm", view: str = "enforced",
              throughput: bool = True, model: str = "llama-3.1-70b", gpus: int = 8,
              isl: int = 1024, osl: int = 1024, precision: str = "fp8", sla_tpot: float = 50.0,
              engine: Optional[str] = None, train_gpus: int = 64, train_tp: int = 8,
              train_pp: int = 4, zero: int = 1, micro_batch: int = 1, global_batch: int = 256,
              seq: int = 4096, train_precision: str = "bf16",
              train_flops: Optional[float] = None, train_model: Optional[str] = None,
              train_tokens: Optional[float] = None, rules: Optional[Sequence[TextLike]] = None,
              set: Optional[Sequence[str]] = None, as_of: Optional[DateLike] = None,
              chart: str = "tpp", deadline: Optional[float] = None) -> Fleet:
        """What shipments add up to: each row classified on its own dates for its destination and
        end user, totals in H100-equivalents (by TPP, decode and training throughput), licenses,
        the revenue shares owed, the time to train a reference run, and a what-if.

        shipments: a shipments file as a ``pathlib.Path`` (.csv or .toml, e.g.
        data/fleets/china-2022-2026.toml), TOML text, or {"toml": text, "name": "x.csv"} (the
        name's extension selects the format); or fleet: the id of a shipments file of the data
        (data/fleets, e.g. "china-2022-2026"; ``index()["fleets"]`` lists them). count: the
        statuses counted in totals (default: shipped and produced); reference: the chip that
        counts as one H100-equivalent;
        throughput: evaluate the decode (model, gpus, isl, osl, precision, sla_tpot ms, engine)
        and training (train_gpus, train_tp, train_pp, zero, micro_batch, global_batch, seq,
        train_precision) yardsticks; train_flops, or train_model with train_tokens: the run whose
        time to train is reported; rules, set, as_of: the what-if (another rule, overridden
        parameters, every row classified on one date). ``to_frame()``: one row per shipment row,
        ``to_frame("chip")`` (or buyer, family, license, quarter, vendor): totals per group.
        """
        return self.call("fleet", deadline=deadline,
                         **_fields(locals()))  # type: ignore[return-value]

    # Report -------------------------------------------------------------------------------------

    def report(self, chip: RefLike, to: str, date: Optional[DateLike] = None,
               hq: Optional[str] = None, view: str = "enforced", *,
               model: str = "llama-3.1-70b", gpus: int = 8, isl: int = 2048, osl: int = 512,
               concurrency: int = 32, deadline: Optional[float] = None) -> Report:
        """A chip's dossier as one self-contained HTML document (what ``ceiling report`` writes):
        verdict, headroom, timeline, trace, figures with sources, the comparison with its die's
        flagship and the design search that rebuilds it (serving workload: model, gpus, isl,
        osl, concurrency). date: default the latest date on which a rule or group changes.
        ``html`` is the document; ``save(path)`` writes it; a notebook displays it inline.
        """
        return self.call("report", deadline=deadline,
                         **_fields(locals()))  # type: ignore[return-value]
