import metaflow


class ModuleImportFlow(metaflow.FlowSpec):
    """Everything accessed through the `metaflow` module object."""

    label = metaflow.Parameter("label", default="x")

    @metaflow.step
    def start(self):
        self.labels = [self.label] * 2
        self.next(self.a, self.b)

    @metaflow.catch(var="a_error")
    @metaflow.step
    def a(self):
        self.part = "a"
        self.next(self.join)

    @metaflow.step
    def b(self):
        self.part = "b"
        self.next(self.join)

    @metaflow.step
    def join(self, inputs):
        self.parts = sorted(i.part for i in inputs)
        self.next(self.end)

    @metaflow.step(end=True)
    def end(self):
        assert self.parts == ["a", "b"]


if __name__ == "__main__":
    ModuleImportFlow()
