# parameter error (Parameter.init, run by the CLI before lint): separator on a non-string parameter
from metaflow import FlowSpec, Parameter, step


class ParamSeparatorNonStringFlow(FlowSpec):
    counts = Parameter("counts", type=int, default=1, separator=",")

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ParamSeparatorNonStringFlow()
