from metaflow import Config, FlowSpec, step


class ConfigFileFlow(FlowSpec):
    """A Config whose default is a JSON file next to the flow."""

    settings = Config("settings", default="settings.json")

    @step
    def start(self):
        self.mode = self.settings.mode
        self.next(
            {"strict": self.strict, "lenient": self.lenient}, condition="mode"
        )

    @step
    def strict(self):
        self.passed = [l for l in self.settings.labels if l == "a"]
        self.next(self.end)

    @step
    def lenient(self):
        self.passed = list(self.settings.labels)
        self.next(self.end)

    @step
    def end(self):
        assert self.passed == ["a"]
        assert self.settings.threshold == 0.5


if __name__ == "__main__":
    ConfigFileFlow()
