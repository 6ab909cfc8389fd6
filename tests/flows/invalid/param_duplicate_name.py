# parameter error (FlowSpec._check_parameters, run by `run` only: `check` passes): duplicate parameter name
from metaflow import FlowSpec, Parameter, step


class ParamDuplicateNameFlow(FlowSpec):
    alpha = Parameter("alpha", default=1)
    alpha_again = Parameter("Alpha", default=2)

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ParamDuplicateNameFlow()
