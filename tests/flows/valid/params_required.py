from metaflow import FlowSpec, Parameter, step


class ParamsRequiredFlow(FlowSpec):
    """A required parameter: run with `run --dataset something`."""

    dataset = Parameter("dataset", required=True, help="dataset name (required)")
    limit = Parameter("limit", type=int, required=False, default=5)

    @step
    def start(self):
        self.seen = self.dataset * 2
        self.next(self.end)

    @step
    def end(self):
        assert self.seen == self.dataset + self.dataset


if __name__ == "__main__":
    ParamsRequiredFlow()
