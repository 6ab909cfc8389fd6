# A plain mixin class (base `object`) in the same file contributes a Parameter and a step
from metaflow import FlowSpec, Parameter, step


class GreetingMixin(object):
    greeting = Parameter("greeting", default="hello")

    @step
    def greet(self):
        self.message = self.greeting + " world"
        self.next(self.end)


class MixinSameFileFlow(FlowSpec, GreetingMixin):
    @step
    def start(self):
        self.next(self.greet)

    @step
    def end(self):
        print(self.message)


if __name__ == "__main__":
    MixinSameFileFlow()
