"""An import-linter contract that no module of ours is part of an import cycle.

import-linter's own `acyclic_siblings` judges packages as wholes: a channel
package such as `tickets.email` has modules above the services (incoming
mail calls them) and below them (the services write outgoing mail), which
it counts as a cycle although no module imports itself back. Cycles of
modules are the design problem: this contract finds them (strongly
connected components of the import graph, imports inside functions
included) and names each import that closes one. Used by `make test`
through `lint-imports`; not imported by the running site.
"""

from __future__ import annotations

import grimp
from importlinter import Contract, ContractCheck, fields, output


class AcyclicModulesContract(Contract):
    type_name = "acyclic_modules"

    packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        modules = sorted(
            module
            for package in self.packages  # type: ignore[attr-defined]
            for module in graph.find_descendants(package) | {package}
        )
        cycles = _cycles(graph, modules)
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            output.print(f"A cycle of {len(cycle['modules'])} modules:")
            for importer, imported, lines in cycle["imports"]:
                output.indent_cursor()
                output.print(f"{importer} -> {imported} (l. {lines})")
            output.new_line()


def _cycles(graph: grimp.ImportGraph, modules: list[str]) -> list[dict]:
    """Tarjan's strongly connected components of more than one module."""
    inside = set(modules)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module) & inside:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    return [
        {
            "modules": component,
            "imports": [
                (
                    importer,
                    imported,
                    ", ".join(
                        str(detail["line_number"])
                        for detail in graph.get_import_details(
                            importer=importer, imported=imported
                        )
                    ),
                )
                for importer in component
                for imported in sorted(
                    graph.find_modules_directly_imported_by(importer) & set(component)
                )
            ],
        }
        for component in found
    ]
