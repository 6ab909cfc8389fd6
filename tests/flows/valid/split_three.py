from metaflow import FlowSpec, step


class SplitThreeFlow(FlowSpec):
    @step
    def start(self):
        self.word = "abc"
        self.next(self.first, self.second, self.third)

    @step
    def first(self):
        self.part = self.word[0]
        self.next(self.first_more)

    @step
    def first_more(self):
        self.part = self.part * 2
        self.next(self.gather)

    @step
    def second(self):
        self.part = self.word[1]
        self.next(self.gather)

    @step
    def third(self):
        self.part = self.word[2]
        self.next(self.third_a)

    @step
    def third_a(self):
        self.part = self.part + "!"
        self.next(self.third_b)

    @step
    def third_b(self):
        self.part = self.part.upper()
        self.next(self.gather)

    @step
    def gather(self, inputs):
        self.parts = [i.part for i in inputs]
        self.merge_artifacts(inputs, exclude=["part"])
        self.next(self.end)

    @step
    def end(self):
        assert sorted(self.parts) == ["C!", "aa", "b"], self.parts
        assert self.word == "abc"


if __name__ == "__main__":
    SplitThreeFlow()
