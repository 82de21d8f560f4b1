"""clinicdesk.domain imports only the standard library and itself (checked on the source, not at run time)."""

import ast
import sys
from pathlib import Path

import clinicdesk.domain

DOMAIN_DIR = Path(clinicdesk.domain.__file__).parent


def imported_modules(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.ImportFrom):
            names.append("clinicdesk.domain")  # relative import: inside the package
    return names


def test_domain_imports_only_the_standard_library():
    modules = sorted(DOMAIN_DIR.rglob("*.py"))
    assert len(modules) >= 9
    offenders = []
    for path in modules:
        for name in imported_modules(path):
            top = name.split(".")[0]
            inside = name == "clinicdesk.domain" or name.startswith("clinicdesk.domain.")
            if not inside and top not in sys.stdlib_module_names:
                offenders.append(f"{path.relative_to(DOMAIN_DIR)} imports {name}")
    assert offenders == []


def test_the_checker_notices_foreign_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import sqlalchemy\nfrom clinicdesk.store import models\nfrom . import roles\nimport json\n")
    assert imported_modules(sample) == ["sqlalchemy", "clinicdesk.store", "clinicdesk.domain", "json"]
