"""tourism never imports marketplace: checked in a fresh interpreter and by reading every module's imports."""

import ast
import subprocess
import sys
from pathlib import Path

import tourism

TOURISM_DIR = Path(tourism.__file__).parent


def test_importing_every_tourism_module_loads_no_marketplace_module() -> None:
    modules = sorted(
        ".".join(path.relative_to(TOURISM_DIR.parent).with_suffix("").parts) for path in TOURISM_DIR.rglob("*.py")
    )
    modules = [name.removesuffix(".__init__") for name in modules]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'marketplace' or m.startswith('marketplace.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=TOURISM_DIR.parent
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert len(modules) > 15  # the scan really covered the package


def test_no_module_mentions_marketplace_in_an_import() -> None:
    offenders = []
    for path in TOURISM_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module",
                "__import__",
            ):
                names = [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
            offenders.extend(
                f"{path.name}: {name}" for name in names if name == "marketplace" or name.startswith("marketplace.")
            )
    assert offenders == []
