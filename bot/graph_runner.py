"""Runs a trained model's graph (NLU, and the policies before every action) node after node.

Rasa 3.6 runs these graphs with `dask.get`: for every message and every prediction it rebuilds a
dask graph, formats its inputs (the whole tracker) into a DEBUG line even when DEBUG is off, and
lets dask's scheduler walk the graph: about 0.5 ms per prediction and 1.4 ms per message, on the
event loop (measured alternating both runners on the same inputs). Here the order of the nodes is
worked out once per set of targets and the nodes are called in it, with the same inputs as dask
gives them; the nodes (Rasa's GraphNode) and so the results, hooks and errors are Rasa's own.

Only the model that serves conversations runs this way (installed as the runner of
rasa.core.processor); training keeps Rasa's runner.
"""
import logging
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

logger = logging.getLogger(__name__)


class InOrderGraphRunner(DaskGraphRunner):
    """DaskGraphRunner whose `run` calls the nodes itself, in an order computed once."""

    def run(self, inputs: Optional[Dict[Text, Any]] = None,
            targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
        inputs = inputs or {}
        run_targets = targets if targets else self._graph_schema.target_names
        order = self._order(tuple(run_targets), frozenset(inputs))
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(f"Running graph with inputs: {inputs}, targets: {targets} "
                         f"and {self._execution_context}.")
        # Rasa's own check (and error) for an input whose value names a node.
        self._add_inputs_to_graph(inputs, dict.fromkeys(order.node_names))
        # An input is handed to its readers as (name, value), as dask hands over a node's output.
        outputs: Dict[Text, Any] = {name: (name, value) for name, value in inputs.items()}
        for name, parents in order.steps:
            # A parent that nothing provides reaches the node as its bare name, as with dask;
            # the node then reports the missing input.
            outputs[name] = self._instantiated_nodes[name](*(outputs.get(parent, parent) for parent in parents))
        return dict(outputs[target] for target in run_targets)

    def _order(self, targets: Tuple[Text, ...], input_names: frozenset) -> "_RunOrder":
        orders = self.__dict__.setdefault("_orders", {})
        key = (targets, input_names)
        if key not in orders:
            orders[key] = _RunOrder.of(self, targets, input_names)
        return orders[key]


class _RunOrder:
    """The nodes a run needs, each after its parents, with the names of its parents."""

    def __init__(self, steps: List[Tuple[Text, Tuple[Text, ...]]], node_names: frozenset) -> None:
        self.steps = steps
        self.node_names = node_names

    @classmethod
    def of(cls, runner: DaskGraphRunner, targets: Tuple[Text, ...], input_names: frozenset) -> "_RunOrder":
        schema = runner._graph_schema.minimal_graph_schema(list(targets))
        steps: List[Tuple[Text, Tuple[Text, ...]]] = []
        placed, visiting = set(input_names), set()

        def place(name: Text) -> None:
            # An input replaces the node of the same name, as in Rasa's runner.
            if name in placed or name not in schema.nodes:
                return
            if name in visiting:
                raise GraphRunError(f"Error running runner: the graph has a cycle through '{name}'.")
            visiting.add(name)
            parents = tuple(schema.nodes[name].needs.values())
            for parent in parents:
                place(parent)
            visiting.discard(name)
            placed.add(name)
            steps.append((name, parents))

        for target in targets:
            place(target)
        return cls(steps, frozenset(schema.nodes))
