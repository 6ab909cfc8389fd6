# check: check_num_args (no self argument)
from metaflow import FlowSpec, step


class MissingSelfFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.lonely)

    @step
    def lonely():
        pass

    @step
    def end(self):
        pass


if __name__ == "__main__":
    MissingSelfFlow()
