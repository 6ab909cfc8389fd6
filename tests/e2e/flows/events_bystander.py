"""Listens to another event than tests/e2e/test_events.py publishes: never started."""

from metaflow import FlowSpec, Parameter, step, trigger


@trigger(events=["other_event", {"name": "yet_another", "parameters": ["day"]}])
class EventsBystanderFlow(FlowSpec):
    day = Parameter("day", type=int, default=0)

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    EventsBystanderFlow()
