from metaflow import Config, FlowSpec, Parameter, step


class ConfigBasicFlow(FlowSpec):
    """Config objects with inline defaults, used inside steps."""

    cfg = Config("cfg", default_value={"lr": 0.1, "layers": [4, 2], "name": "m1"})
    tuning = Config(
        "tuning", default_value={"trials": 2}, help="tuning settings"
    )
    epochs = Parameter("epochs", default=1)

    @step
    def start(self):
        self.lr = self.cfg.lr
        self.layers = list(self.cfg.layers)
        self.trials = list(range(self.tuning.trials))
        self.next(self.trial, foreach="trials")

    @step
    def trial(self):
        self.result = self.lr * (self.input + 1) * self.epochs
        self.next(self.join)

    @step
    def join(self, inputs):
        self.results = [i.result for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        assert self.results == [0.1, 0.2], self.results
        assert self.cfg.name == "m1"


if __name__ == "__main__":
    ConfigBasicFlow()
