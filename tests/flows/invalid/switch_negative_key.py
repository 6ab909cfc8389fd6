from metaflow import FlowSpec, step


class SwitchSpecialKeysFlow(FlowSpec):
    """Switch keys with spaces, unicode, escapes and a negative number."""

    @step
    def start(self):
        self.choice = "with space"
        self.next(
            {"with space": self.spaced, "ünïcode ✓": self.uni, 'q"uote': self.quoted},
            condition="choice",
        )

    @step
    def spaced(self):
        self.code = -1
        self.next({-1: self.neg, 0: self.zero}, condition="code")

    @step
    def uni(self):
        self.next(self.end)

    @step
    def quoted(self):
        self.next(self.end)

    @step
    def neg(self):
        self.reached = "neg"
        self.next(self.end)

    @step
    def zero(self):
        self.reached = "zero"
        self.next(self.end)

    @step
    def end(self):
        assert self.reached == "neg"


if __name__ == "__main__":
    SwitchSpecialKeysFlow()
