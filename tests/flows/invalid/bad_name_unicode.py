# check: check_step_names (non-ascii identifier, legal in Python)
from metaflow import FlowSpec, step


class BadNameUnicodeFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.café)

    @step
    def café(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    BadNameUnicodeFlow()
