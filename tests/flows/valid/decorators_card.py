from metaflow import FlowSpec, card, step


class DecoratorsCardFlow(FlowSpec):
    @card
    @step
    def start(self):
        self.rows = [[1, "a"], [2, "b"]]
        self.next(self.report)

    @card(type="blank", id="summary")
    @step
    def report(self):
        self.n = len(self.rows)
        self.next(self.end)

    @step
    def end(self):
        assert self.n == 2


if __name__ == "__main__":
    DecoratorsCardFlow()
