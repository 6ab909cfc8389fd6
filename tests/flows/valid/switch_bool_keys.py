from metaflow import FlowSpec, step


class SwitchBoolKeysFlow(FlowSpec):
    """Switch keyed by booleans."""

    @step
    def start(self):
        self.data = [5, 0, 7]
        self.has_zero = 0 in self.data
        self.next({True: self.clean, False: self.keep}, condition="has_zero")

    @step
    def clean(self):
        self.data = [d for d in self.data if d]
        self.next(self.end)

    @step
    def keep(self):
        self.next(self.end)

    @step
    def end(self):
        assert self.data == [5, 7]


if __name__ == "__main__":
    SwitchBoolKeysFlow()
