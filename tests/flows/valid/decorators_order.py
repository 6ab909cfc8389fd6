from metaflow import FlowSpec, catch, environment, resources, retry, step, timeout


class DecoratorsOrderFlow(FlowSpec):
    """Same decorators stacked in different orders (Metaflow records them bottom-up)."""

    @retry(times=1)
    @timeout(seconds=60)
    @catch(var="e1")
    @step
    def start(self):
        self.next(self.other_order)

    @catch(var="e2")
    @timeout(seconds=60)
    @retry(times=1)
    @step
    def other_order(self):
        self.next(self.mixed)

    @resources(cpu=1)
    @environment(vars={"K": "v"})
    @retry(times=0)
    @step
    def mixed(self):
        self.next(self.end)

    @step
    def end(self):
        assert self.e1 is None and self.e2 is None


if __name__ == "__main__":
    DecoratorsOrderFlow()
