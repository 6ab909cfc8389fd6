from metaflow import FlowSpec, environment, resources, step, timeout


class DecoratorsMiscFlow(FlowSpec):
    @timeout(seconds=30)
    @step
    def start(self):
        self.next(self.with_env)

    @environment(vars={"A": "x", "GREETING": "hello world"})
    @step
    def with_env(self):
        import os

        self.a = os.environ.get("A")
        self.next(self.heavy)

    @resources(cpu=2, memory=1000)
    @step
    def heavy(self):
        self.total = sum(range(100))
        self.next(self.limited)

    @timeout(minutes=1, hours=0)
    @resources(memory=512, gpu=0)
    @environment(vars={"B": "y"})
    @step
    def limited(self):
        self.next(self.end)

    @step
    def end(self):
        assert self.a == "x"
        assert self.total == 4950


if __name__ == "__main__":
    DecoratorsMiscFlow()
