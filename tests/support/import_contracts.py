"""An import-linter contract type for what its own types cannot say: "only these packages
import this *submodule* of an external package" (only kiosk.ui imports PySide6.QtWidgets).

import-linter sees an external package as one module (PySide6), so its forbidden contract
cannot tell QtWidgets from QtCore. This contract looks at the import statements grimp
recorded for each import of the external package and refuses those that name the
submodule. `make lint` runs it with the others ([tool.importlinter] in pyproject.toml).
"""

from __future__ import annotations

import re

import grimp
from importlinter import Contract, ContractCheck, fields, output


def _within(module: str, packages: list[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


class ExternalSubmoduleContract(Contract):
    """Modules of `source_packages` outside `allowed_packages` do not import `submodule`
    (a dotted name inside an external package, such as PySide6.QtWidgets)."""

    source_packages = fields.ListField(subfield=fields.StringField())
    allowed_packages = fields.ListField(subfield=fields.StringField(), required=False)
    submodule = fields.StringField()

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        submodule: str = self.submodule  # type: ignore[assignment]
        sources: list[str] = list(self.source_packages)  # type: ignore[call-overload]
        allowed: list[str] = list(self.allowed_packages or [])  # type: ignore[call-overload]
        package, _, name = submodule.rpartition(".")
        root = submodule.split(".")[0]
        # `import a.b.c`, `from a.b.c import x`, `from a.b import c` (and `c as d`, lists)
        pattern = re.compile(
            rf"\b{re.escape(submodule)}\b|^\s*from\s+{re.escape(package)}\s+import\b.*\b{name}\b"
        )
        illegal: list[tuple[str, int, str]] = []
        for importer in sorted(graph.find_modules_that_directly_import(root)):
            if not _within(importer, sources) or _within(importer, allowed):
                continue
            for detail in graph.get_import_details(importer=importer, imported=root):
                line = str(detail["line_contents"])
                if pattern.search(line):
                    illegal.append((importer, int(detail["line_number"]), line))
        return ContractCheck(kept=not illegal, metadata={"illegal": illegal})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, line_number, line in check.metadata["illegal"]:
            output.print_error(f"- {importer} (l.{line_number}): {line}")
        output.new_line()
