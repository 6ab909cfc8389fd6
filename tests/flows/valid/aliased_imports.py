from metaflow import FlowSpec as FS, Parameter as P, retry as again, step as s


class AliasedImportsFlow(FS):
    """FlowSpec, step, Parameter and a decorator all imported under aliases."""

    factor = P("factor", default=3)

    @s
    def start(self):
        self.values = [1, 2]
        self.next(self.scale)

    @again(times=1)
    @s
    def scale(self):
        self.values = [v * self.factor for v in self.values]
        self.next(self.end)

    @s
    def end(self):
        assert self.values == [3, 6]


if __name__ == "__main__":
    AliasedImportsFlow()
