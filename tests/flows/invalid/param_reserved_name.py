# parameter error (Parameter.init, run by the CLI before lint): reserved parameter name
from metaflow import FlowSpec, Parameter, step


class ParamReservedNameFlow(FlowSpec):
    tags = Parameter("tags", default="a,b")

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ParamReservedNameFlow()
