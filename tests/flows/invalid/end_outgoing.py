# check: check_start_end_degree (end has an outgoing transition)
from metaflow import FlowSpec, step


class EndOutgoingFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        self.next(self.extra)

    @step
    def extra(self):
        pass


if __name__ == "__main__":
    EndOutgoingFlow()
