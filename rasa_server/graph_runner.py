"""Rasa's model graph, run in plain Python instead of through dask.

Every message runs Rasa's graph three times (parse, and two predictions of the next
action). Each run asks ``DaskGraphRunner.run`` to cut the schema down to the targets
(rebuilding and copying it), build a dask task graph and hand it to dask's scheduler,
which orders the tasks again. That bookkeeping was about 8 % of Rasa's CPU time per
message, for graphs of a dozen nodes that always run in the same order.

:func:`sequential_run` does what dask's synchronous scheduler does with the same graph:
it calls each needed node once, parents first, with the parents' ``(name, output)``
pairs, passes a name nobody provides through as the bare name (``GraphNode`` then
reports it), lets an input replace a node of the same name, and turns a
``RuntimeError`` into ``GraphRunError``. The order of nodes is worked out once per set of
targets.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

__all__ = ["plan", "sequential_run"]

_Plan = tuple[tuple[str, tuple[str, ...]], ...]
_PLANS = "_poradnyk_plans"


def plan(runner: DaskGraphRunner, targets: tuple[str, ...], provided: frozenset[str]) -> _Plan:
    """The nodes ``targets`` need, parents before children, each with its parents.

    A ``provided`` input stands in for a node of the same name (and its parents).
    """
    plans: dict[tuple[tuple[str, ...], frozenset[str]], _Plan] = runner.__dict__.setdefault(
        _PLANS, {}
    )
    key = (targets, provided)
    if key in plans:
        return plans[key]
    nodes = runner._graph_schema.nodes
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen or name in provided or name not in nodes:
            return
        seen.add(name)
        for parent in nodes[name].needs.values():
            visit(parent)
        order.append(name)

    for target in targets:
        visit(target)
    plans[key] = tuple((name, tuple(nodes[name].needs.values())) for name in order)
    return plans[key]


def sequential_run(
    self: DaskGraphRunner,
    inputs: dict[str, Any] | None = None,
    targets: list[str] | None = None,
) -> dict[str, Any]:
    """``DaskGraphRunner.run`` without dask: same arguments, same result."""
    run_targets = tuple(targets if targets else self._graph_schema.target_names)
    inputs = inputs or {}
    steps = plan(self, run_targets, frozenset(inputs))
    results: dict[str, Any] = {}
    for name, value in inputs.items():
        # as dask's graph would have it: the needed nodes and the inputs added so far
        if isinstance(value, str) and (value in results or any(value == step for step, _ in steps)):
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure "
                f"that none of the input names passed to the `run` method are the "
                f"same as node names in the graph schema."
            )
        results[name] = (name, value)
    try:
        for name, parents in steps:
            node = self._instantiated_nodes[name]
            results[name] = node(*(results.get(parent, parent) for parent in parents))
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e
    return dict(results[target] for target in run_targets)
