# foreach=ITEMS_ATTR, a module-level string constant: Metaflow's graph has foreach_param None; the runtime evaluates it, and so does the static reader
from metaflow import FlowSpec, step

ITEMS_ATTR = "items"


class ForeachNonliteralFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2, 3]
        self.next(self.body, foreach=ITEMS_ATTR)

    @step
    def body(self):
        self.v = self.input * 2
        self.next(self.join)

    @step
    def join(self, inputs):
        self.vs = [i.v for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        assert self.vs == [2, 4, 6]


if __name__ == "__main__":
    ForeachNonliteralFlow()
