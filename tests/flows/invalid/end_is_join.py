# check: check_that_end_is_end (end is a join; LintWarn line is 0)
from metaflow import FlowSpec, step


class EndIsJoinFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.next(self.end)

    @step
    def b(self):
        self.next(self.end)

    @step
    def end(self, inputs):
        pass


if __name__ == "__main__":
    EndIsJoinFlow()
