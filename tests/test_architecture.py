"""handlers/ and knowledge/ never import a platform library (DESIGN.md: data flows one way)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_LIBRARIES = {"telegram", "aiohttp", "httpx", "requests"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", ["handlers", "knowledge"])
def test_no_platform_imports(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files
    offenders = {str(f.relative_to(ROOT)): imported_roots(f) & PLATFORM_LIBRARIES for f in files}
    assert {f: libs for f, libs in offenders.items() if libs} == {}


@pytest.mark.parametrize("package", ["handlers", "knowledge"])
def test_no_bot_imports(package):
    """The core does not reach back into the application shell either."""
    files = sorted((ROOT / package).rglob("*.py"))
    assert {str(f.relative_to(ROOT)) for f in files if "bot" in imported_roots(f)} == set()
