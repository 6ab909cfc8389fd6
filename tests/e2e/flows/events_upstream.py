"""Upstream of EventsDownstreamFlow (tests/e2e/test_events.py): its successful runs
publish `metaflow.EventsUpstreamFlow.end`; with --fail true its end step fails."""

from metaflow import FlowSpec, Parameter, step


class EventsUpstreamFlow(FlowSpec):
    fail = Parameter("fail", type=bool, default=False)

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        if self.fail:
            raise RuntimeError("asked to fail")


if __name__ == "__main__":
    EventsUpstreamFlow()
