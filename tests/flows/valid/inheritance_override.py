from metaflow import FlowSpec, retry, step


class TemplateFlow(FlowSpec):
    @step
    def start(self):
        self.value = 1
        self.next(self.transform)

    @retry(times=1)
    @step
    def transform(self):
        self.value = -1
        self.next(self.end)

    @step
    def end(self):
        pass


class InheritanceOverrideFlow(TemplateFlow):
    """Overrides `transform` and `end` from the template (decorators are not inherited)."""

    @step
    def transform(self):
        self.value = self.value * 100
        self.next(self.end)

    @step
    def end(self):
        assert self.value == 100


if __name__ == "__main__":
    InheritanceOverrideFlow()
