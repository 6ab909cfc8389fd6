# expect: @kubernetes compute decorator is not supported on Windmill
from metaflow import FlowSpec, kubernetes, step


class KubernetesStepFlow(FlowSpec):
    @kubernetes(cpu=1, memory=1024)
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    KubernetesStepFlow()
