"""Started by the event `data_ready` (tests/e2e/test_events.py): the payload field `date`
feeds the parameter `day`; `current.trigger` names the event in every step."""

from metaflow import FlowSpec, Parameter, current, step, trigger


@trigger(event={"name": "data_ready", "parameters": {"day": "date"}})
class EventsConsumerFlow(FlowSpec):
    day = Parameter("day", type=int, default=0)
    note = Parameter("note", default="unset")

    @step
    def start(self):
        self.trigger_name = current.trigger.event.name if current.trigger else None
        self.trigger_type = current.trigger.event.type if current.trigger else None
        self.next(self.end)

    @step
    def end(self):
        self.end_trigger_name = current.trigger.event.name if current.trigger else None


if __name__ == "__main__":
    EventsConsumerFlow()
