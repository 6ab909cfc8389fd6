from metaflow import FlowSpec, current, retry, step


class RetryInLoopAndBranchFlow(FlowSpec):
    """Retries inside a parallel foreach iteration and inside a static branch: each task's
    retry count must be its own (the attempt lives in the enclosing subflow's status)."""

    @step
    def start(self):
        self.items = [0, 1, 2]
        self.next(self.body, foreach="items")

    @retry(times=2, minutes_between_retries=0)
    @step
    def body(self):
        if self.input == 1 and current.retry_count == 0:
            raise RuntimeError("index 1 fails once")
        self.rc = current.retry_count
        self.next(self.join)

    @step
    def join(self, inputs):
        self.rcs = [i.rc for i in inputs]
        self.next(self.fan)

    @step
    def fan(self):
        self.next(self.left, self.right)

    @retry(times=1, minutes_between_retries=0)
    @step
    def left(self):
        if current.retry_count == 0:
            raise RuntimeError("left fails once")
        self.side_rc = current.retry_count
        self.next(self.meet)

    @step
    def right(self):
        self.side_rc = current.retry_count
        self.next(self.meet)

    @step
    def meet(self, inputs):
        self.sides = sorted(i.side_rc for i in inputs)
        self.rcs = inputs[0].rcs
        self.next(self.end)

    @step
    def end(self):
        assert self.rcs == [0, 1, 0], self.rcs
        assert self.sides == [0, 1], self.sides


if __name__ == "__main__":
    RetryInLoopAndBranchFlow()
