"""The import contract `make test` runs (helpdesk/import_contracts.py) finds
a cycle, however it is closed, and keeps a graph without one."""

from __future__ import annotations

import grimp

from helpdesk.import_contracts import AcyclicModulesContract


def _graph(*imports: tuple[str, str, int]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for module in ("app", "app.views", "app.services", "app.models", "app.tasks"):
        graph.add_module(module)
    for importer, imported, line in imports:
        graph.add_import(
            importer=importer,
            imported=imported,
            line_number=line,
            line_contents=f"import {imported}",
        )
    return graph


def _check(graph: grimp.ImportGraph):
    contract = AcyclicModulesContract(
        name="no cycles",
        session_options={"root_packages": ["app"]},
        contract_options={"packages": ["app"]},
    )
    return contract.check(graph, verbose=False)


def test_a_graph_without_cycles_is_kept() -> None:
    check = _check(
        _graph(
            ("app.views", "app.services", 1),
            ("app.services", "app.models", 2),
            ("app.tasks", "app.services", 3),
        )
    )

    assert check.kept
    assert check.metadata["cycles"] == []


def test_a_cycle_is_named_with_the_imports_that_close_it() -> None:
    check = _check(
        _graph(
            ("app.views", "app.services", 1),
            ("app.services", "app.tasks", 7),
            # An import inside a function counts as much as one at the top.
            ("app.tasks", "app.services", 12),
            ("app.services", "app.models", 2),
        )
    )

    assert not check.kept
    assert check.metadata["cycles"] == [
        {
            "modules": ["app.services", "app.tasks"],
            "imports": [
                ("app.services", "app.tasks", "7"),
                ("app.tasks", "app.services", "12"),
            ],
        }
    ]
