# check: check_valid_transitions (a negative number is a UnaryOp, not a literal key)
from metaflow import FlowSpec, step


class SwitchNegativeKeyFlow(FlowSpec):
    @step
    def start(self):
        self.code = -1
        self.next({-1: self.neg, 0: self.zero}, condition="code")

    @step
    def neg(self):
        self.next(self.end)

    @step
    def zero(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    SwitchNegativeKeyFlow()
