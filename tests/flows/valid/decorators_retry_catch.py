from metaflow import FlowSpec, catch, retry, step


class DecoratorsRetryCatchFlow(FlowSpec):
    @retry
    @step
    def start(self):
        self.attempts = 1
        self.next(self.risky)

    @catch(var="err")
    @retry(times=2, minutes_between_retries=0)
    @step
    def risky(self):
        self.outcome = "fine"
        self.next(self.guarded)

    @catch
    @step
    def guarded(self):
        self.guarded_ok = True
        self.next(self.printed)

    @catch(var="quiet_err", print_exception=False)
    @step
    def printed(self):
        self.next(self.end)

    @step
    def end(self):
        assert self.outcome == "fine"
        assert self.err is None


if __name__ == "__main__":
    DecoratorsRetryCatchFlow()
