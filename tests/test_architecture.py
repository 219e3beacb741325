"""The layout is a contract: import layers without cycles, routes at module level, short functions."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("marketplace", "tourism", "search", "i18n")
MAX_FUNCTION_LINES = 60


def _sources() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def test_import_contracts_are_kept() -> None:
    # The same check CI runs as `lint-imports`: layers marketplace -> tourism -> search -> i18n, no cycles.
    lint_imports = Path(sys.executable).with_name("lint-imports")
    if not lint_imports.exists():
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_no_route_factories_remain() -> None:
    factory = re.compile(r"^\s*def \w*_handlers\(", re.MULTILINE)
    offenders = [str(path.relative_to(ROOT)) for path in _sources() if factory.search(path.read_text())]
    assert offenders == []


def test_functions_stay_short() -> None:
    long_ones = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long_ones.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert long_ones == []
