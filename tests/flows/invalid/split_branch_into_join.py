# check: a static split whose branch goes straight into the join: Metaflow's lint crashes (IndexError in check_split_join_balance); mf-windmill names the branch.
from metaflow import FlowSpec, step
class SplitBranchIntoJoinFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.join)
    @step
    def a(self):
        self.next(self.join)
    @step
    def join(self, inputs):
        self.next(self.end)
    @step
    def end(self):
        pass
if __name__ == "__main__":
    SplitBranchIntoJoinFlow()
