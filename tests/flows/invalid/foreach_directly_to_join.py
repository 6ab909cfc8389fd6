# check: "foreach followed directly by a join". check_empty_foreaches can never
# fire (check_split_join_balance runs first); here msg1 of the balance check.
from metaflow import FlowSpec, step


class ForeachDirectlyToJoinFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.fan, self.other)

    @step
    def fan(self):
        self.items = [1, 2]
        self.next(self.fan_join, foreach="items")

    @step
    def fan_join(self, inputs):
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
    ForeachDirectlyToJoinFlow()
