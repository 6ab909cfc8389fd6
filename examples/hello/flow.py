"""The smallest useful example: a parameter, one step in the middle, an artifact."""

from metaflow import FlowSpec, Parameter, step


class HelloFlow(FlowSpec):
    """Greets someone, compiled to Windmill OpenFlow by mf-windmill."""

    who = Parameter("who", default="world", help="who to greet")

    @step
    def start(self):
        self.greeting = "hello"
        self.next(self.greet)

    @step
    def greet(self):
        self.message = f"{self.greeting}, {self.who}!"
        print(self.message)
        self.next(self.end)

    @step
    def end(self):
        print("done:", self.message)


if __name__ == "__main__":
    HelloFlow()
