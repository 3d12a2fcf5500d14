"""The Python surface mirrors the library API: one method per operation whose keywords are the
request's fields with the library's defaults, docstrings for help(), and a type stub that is
regenerated from the code (python/gen_stubs.py) and never stale."""

from __future__ import annotations

import importlib.util
import inspect
import pathlib
import pydoc

import pytest

import ceiling

HERE = pathlib.Path(__file__).resolve().parent

# Method -> operation, and the request fields a method leaves out (with the reason) or adds.
METHODS = {
    "chips": "chips",
    "chip": "show",
    "check_data": "check-data",
    "classify": "classify",
    "timeline": "timeline",
    "matrix": "matrix",
    "headroom": "headroom",
    "whatif": "whatif",
    "rules_list": "rules/list",
    "rule": "rules/show",
    "rules_diff": "rules/diff",
    "chip_map": "map",
    "perf_serve": "perf/serve",
    "perf_train": "perf/train",
    "compare": "compare",
    "design": "design",
    "capability": "capability",
    "rules_status": "rules/status",
    "index": "index",
    "fleet": "fleet",
    "report": "report",
}
LEFT_OUT = {"chips": {"mark_tpp"}}  # lines drawn in the CLI's text table only
ADDED: dict = {}  # keywords that are not request fields
# Operations reached only through kb.call (each takes many seconds: whole-dataset fits).
CALL_ONLY = {"validate", "calibrate"}


def test_every_operation_has_a_method_or_is_reachable_by_call():
    ops = set(ceiling.operations())
    assert ops - set(METHODS.values()) == CALL_ONLY


@pytest.mark.parametrize("method,operation", sorted(METHODS.items()))
def test_keywords_are_the_request_fields_with_their_defaults(method, operation):
    schema = ceiling.request_schema(operation)
    fields = set(schema["properties"])
    sig = inspect.signature(getattr(ceiling.KnowledgeBase, method))
    params = {n: p for n, p in sig.parameters.items() if n not in ("self", "deadline")}
    assert set(params) == (fields - LEFT_OUT.get(method, set())) | ADDED.get(method, set())
    for name, p in params.items():
        prop = schema["properties"].get(name)
        if prop is None:
            assert p.default is None, name
            continue
        if name in schema.get("required", []):
            assert p.default is p.empty, f"{method}({name}) is required"
        elif "default" in prop:
            assert p.default == prop["default"], f"{method}({name}): {p.default!r} vs {prop}"
        else:
            assert p.default is None, f"{method}({name}) has no library default"
    searches = {"compare", "design", "capability", "fleet", "report"}
    assert ("deadline" in sig.parameters) == (operation in searches), method


def test_every_public_name_is_documented():
    for name in ceiling.__all__:
        obj = getattr(ceiling, name)
        if name == "__version__":
            continue
        assert inspect.getdoc(obj), name
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                fn = member.fget if isinstance(member, property) else member
                if callable(fn):
                    assert fn.__doc__, f"{name}.{attr}"
    text = pydoc.render_doc(ceiling.KnowledgeBase, renderer=pydoc.plaintext)
    assert "classify_many" in text and "deadline" in text


def test_the_stub_is_up_to_date():
    spec = importlib.util.spec_from_file_location("gen_stubs", HERE.parent / "gen_stubs.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    committed = (HERE.parent / "ceiling" / "__init__.pyi").read_text()
    assert gen.render() == committed, "run python/gen_stubs.py and commit ceiling/__init__.pyi"
    compile(committed, "__init__.pyi", "exec")  # valid Python
    compile((HERE.parent / "ceiling" / "_ceiling.pyi").read_text(), "_ceiling.pyi", "exec")


def test_the_compiled_stub_lists_the_compiled_names():
    from ceiling import _ceiling

    stub = (HERE.parent / "ceiling" / "_ceiling.pyi").read_text()
    for name in ("KnowledgeBase", "Int32Array", "operations", "DEFAULT_DATA_DIR"):
        assert hasattr(_ceiling, name) and name in stub
    for name in ("load", "run", "classify_many", "version_json", "openapi_json", "data_dir"):
        assert hasattr(_ceiling.KnowledgeBase, name) and f"def {name}" in stub
