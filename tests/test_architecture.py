"""The code's shape, checked: arrows point down (cli -> commands -> build -> outputs -> stages
-> helpers -> model), no import circles, functions under ~60 lines, modules under ~400."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def layer(module: str) -> int:
    if module in ("pipeline.cli", "pipeline.__main__"):
        return 0
    if module.startswith("pipeline.commands"):
        return 1
    if module == "pipeline.build":
        return 2
    if module.startswith("pipeline.outputs") or module == "pipeline.site":
        return 3
    if module.startswith(("pipeline.stages", "pipeline.tts", "pipeline.speech_text")):
        return 4
    if module in ("pipeline.model", "pipeline"):
        return 6
    return 5  # helpers: catalogs, checks, config, jobs, writer, state...


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pipeline"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names
                         if f"{node.module}.{a.name}" in modules)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("pipeline"))
    return {m for m in found if m in modules}


def test_no_module_imports_one_above_it():
    modules = _modules()
    upward = [f"{m} -> {d}" for m, path in modules.items() for d in _imports(path, modules)
              if layer(d) < layer(m)]
    assert upward == []


def test_no_import_circles():
    modules = _modules()
    graph = {m: _imports(p, modules) - {m} for m, p in modules.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_functions_and_modules_stay_small():
    long_functions, long_modules = [], []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > 420:
            long_modules.append(str(path))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                    node.end_lineno - node.lineno + 1 > 62:
                long_functions.append(f"{path.name}:{node.name}")
    assert long_functions == [] and long_modules == []


def test_the_architecture_page_cites_real_code():
    """Every ``pipeline.x.y`` name docs/architecture.md cites is a module or an attribute."""
    import importlib
    import re

    doc = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    names = set(re.findall(r"`(pipeline(?:\.\w+)+)", doc))
    assert len(names) > 30
    missing = []
    for name in sorted(names):
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:cut]))
            except ImportError:
                continue
            try:
                for attr in parts[cut:]:
                    obj = getattr(obj, attr)
            except AttributeError:
                missing.append(name)
            break
        else:
            missing.append(name)
    assert missing == []
