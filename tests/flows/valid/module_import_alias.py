import metaflow as mf
from metaflow import step


class ModuleImportAliasFlow(mf.FlowSpec):
    """`import metaflow as mf`, mixed with a direct `step` import."""

    count = mf.Parameter("count", type=int, default=2)

    @mf.step(start=True)
    def begin(self):
        self.items = list(range(self.count))
        self.next(self.each, foreach="items")

    @mf.timeout(seconds=30)
    @step
    def each(self):
        self.sq = self.input ** 2
        self.next(self.join)

    @mf.step
    def join(self, inputs):
        self.sqs = [i.sq for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        assert self.sqs == [0, 1]


if __name__ == "__main__":
    ModuleImportAliasFlow()
