# check: "foreach followed directly by a join" at top level: Metaflow's lint
# itself crashes (IndexError in check_split_join_balance), no LintWarn.
from metaflow import FlowSpec, step


class ForeachDirectlyToJoinTopFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.join, foreach="items")

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ForeachDirectlyToJoinTopFlow()
