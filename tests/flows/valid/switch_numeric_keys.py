from metaflow import FlowSpec, step


class SwitchNumericKeysFlow(FlowSpec):
    """Switch keyed by integers."""

    @step
    def start(self):
        self.level = 2
        self.next({1: self.one, 2: self.two, 3: self.three}, condition="level")

    @step
    def one(self):
        self.name_of_level = "one"
        self.next(self.done)

    @step
    def two(self):
        self.name_of_level = "two"
        self.next(self.done)

    @step
    def three(self):
        self.name_of_level = "three"
        self.next(self.done)

    @step
    def done(self):
        self.next(self.end)

    @step
    def end(self):
        assert self.name_of_level == "two"


if __name__ == "__main__":
    SwitchNumericKeysFlow()
