from metaflow import Config, FlowSpec, step


class SwitchConfigKeysFlow(FlowSpec):
    """Switch keys taken from a Config (self.cfg.key expressions)."""

    cfg = Config("cfg", default_value={"small": "tiny", "large": "huge", "limit": 5})

    @step
    def start(self):
        self.size = 3
        self.bucket = self.cfg.small if self.size < self.cfg.limit else self.cfg.large
        self.next(
            {self.cfg.small: self.small_step, self.cfg.large: self.large_step},
            condition="bucket",
        )

    @step
    def small_step(self):
        self.handled = "small"
        self.next(self.end)

    @step
    def large_step(self):
        self.handled = "large"
        self.next(self.end)

    @step
    def end(self):
        assert self.handled == "small"
        assert self.bucket == "tiny"


if __name__ == "__main__":
    SwitchConfigKeysFlow()
