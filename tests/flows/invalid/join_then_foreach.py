# check: check_num_args (a join that is also a foreach split)
from metaflow import FlowSpec, step


class JoinThenForeachFlow(FlowSpec):
    @step
    def start(self):
        self.first = [1, 2]
        self.next(self.stage1, foreach="first")

    @step
    def stage1(self):
        self.y = self.input
        self.next(self.join1)

    @step
    def join1(self, inputs):
        self.second = [i.y for i in inputs]
        self.next(self.stage2, foreach="second")

    @step
    def stage2(self):
        self.next(self.join2)

    @step
    def join2(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    JoinThenForeachFlow()
