# check: check_start_end_degree (start has an incoming transition)
from metaflow import FlowSpec, step


class StartIncomingFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.again)

    @step
    def again(self):
        self.next(self.start)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    StartIncomingFlow()
