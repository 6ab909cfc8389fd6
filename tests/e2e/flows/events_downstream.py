"""Started when EventsUpstreamFlow succeeds (tests/e2e/test_events.py); records the
triggering run as Metaflow's `current.trigger.run` names it."""

from metaflow import FlowSpec, current, step, trigger_on_finish


@trigger_on_finish(flow="EventsUpstreamFlow")
class EventsDownstreamFlow(FlowSpec):
    @step
    def start(self):
        self.upstream = current.trigger.run.pathspec if current.trigger else None
        self.trigger_type = current.trigger.event.type if current.trigger else None
        self.next(self.end)

    @step
    def end(self):
        self.end_upstream = current.trigger.run.pathspec if current.trigger else None


if __name__ == "__main__":
    EventsDownstreamFlow()
