# check: step_init of @catch (CatchDecorator): @catch on a switch step
from metaflow import FlowSpec, catch, step


class CatchOnSwitchFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.choose)

    @catch(var="error")
    @step
    def choose(self):
        self.mode = "a"
        self.next({"a": self.a, "b": self.b}, condition="mode")

    @step
    def a(self):
        self.next(self.end)

    @step
    def b(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    CatchOnSwitchFlow()
