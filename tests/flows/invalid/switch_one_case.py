# check: check_switch_splits (a single case)
from metaflow import FlowSpec, step


class SwitchOneCaseFlow(FlowSpec):
    @step
    def start(self):
        self.mode = "only"
        self.next({"only": self.only}, condition="mode")

    @step
    def only(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    SwitchOneCaseFlow()
