from metaflow import FlowSpec, step


class SwitchNestedFlow(FlowSpec):
    """A switch case that leads to another switch."""

    @step
    def start(self):
        self.animal = "cat"
        self.kind = "mammal"
        self.next({"mammal": self.mammal, "bird": self.bird}, condition="kind")

    @step
    def mammal(self):
        self.next({"cat": self.cat, "dog": self.dog}, condition="animal")

    @step
    def cat(self):
        self.sound = "meow"
        self.next(self.speak)

    @step
    def dog(self):
        self.sound = "woof"
        self.next(self.speak)

    @step
    def bird(self):
        self.sound = "tweet"
        self.next(self.speak)

    @step
    def speak(self):
        self.said = "%s says %s" % (self.animal, self.sound)
        self.next(self.end)

    @step
    def end(self):
        assert self.said == "cat says meow"


if __name__ == "__main__":
    SwitchNestedFlow()
