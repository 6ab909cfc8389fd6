# expect: step name "1only" starts with a digit (not a Python identifier; only reachable by rebinding in the class namespace)
# oracle-graph: skip (the name exists only at run time; a static reader sees `def only`)
from metaflow import FlowSpec, step


class StepNameLeadingDigitFlow(FlowSpec):
    """Metaflow's name check ([a-z0-9_], no leading "_") accepts "1only"; lint
    passes and `run` works.  `def 1only(self)` itself is a SyntaxError."""

    @step(start=True, end=True)
    def only(self):
        self.x = 1

    vars()["1only"] = only
    del only


if __name__ == "__main__":
    StepNameLeadingDigitFlow()
