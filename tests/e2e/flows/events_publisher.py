"""Publishes `data_ready` from a step (tests/e2e/test_events.py), as a flow on Argo would
with `ArgoEvent(...).publish(...)`."""

from metaflow import FlowSpec, Parameter, step


class EventsPublisherFlow(FlowSpec):
    date = Parameter("date", type=int, default=11)

    @step
    def start(self):
        from metaflow.integrations import WindmillEvent

        self.event_id = WindmillEvent("data_ready").publish({"date": self.date}, ignore_errors=False)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    EventsPublisherFlow()
