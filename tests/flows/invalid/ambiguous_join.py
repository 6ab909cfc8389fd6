# check: check_ambiguous_joins (a switch case goes straight into a join)
from metaflow import FlowSpec, step


class AmbiguousJoinFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.decide, self.other)

    @step
    def decide(self):
        self.flag = "skip"
        self.next({"skip": self.join, "work": self.work}, condition="flag")

    @step
    def work(self):
        self.next(self.join)

    @step
    def other(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    AmbiguousJoinFlow()
