from metaflow import FlowSpec, IncludeFile, Parameter, step


class ParamsIncludeFileFlow(FlowSpec):
    """IncludeFile parameters (a small text file lives next to the flow)."""

    data = IncludeFile("data", default="data.txt", help="a small text file")
    raw = IncludeFile("raw", is_text=False, default="data.txt")
    sep = Parameter("sep", default="\n")

    @step
    def start(self):
        self.lines = self.data.split(self.sep)
        self.num_bytes = len(self.raw)
        self.next(self.end)

    @step
    def end(self):
        assert self.lines[:2] == ["line one", "line two"], self.lines
        assert self.num_bytes == 18


if __name__ == "__main__":
    ParamsIncludeFileFlow()
