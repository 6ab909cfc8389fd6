from metaflow import FlowSpec, step


class SwitchInForeachToJoinFlow(FlowSpec):
    """A switch inside a foreach; its case steps go straight to the foreach join."""

    @step
    def start(self):
        self.words = ["apple", "kiwi"]
        self.next(self.route, foreach="words")

    @step
    def route(self):
        self.word = self.input
        self.size = "long" if len(self.word) > 4 else "short"
        self.next({"long": self.shorten, "short": self.keep}, condition="size")

    @step
    def shorten(self):
        self.out = self.word[:4]
        self.next(self.join)

    @step
    def keep(self):
        self.out = self.word
        self.next(self.join)

    @step
    def join(self, inputs):
        # NB: Metaflow's local runtime orders these inputs by parent step
        # (iterating a *set* of step names), not by foreach index: sort them.
        self.outs = sorted(i.out for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        assert self.outs == ["appl", "kiwi"], self.outs


if __name__ == "__main__":
    SwitchInForeachToJoinFlow()
