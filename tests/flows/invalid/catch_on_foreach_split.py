# check: step_init of @catch (CatchDecorator): @catch on a foreach split step
from metaflow import FlowSpec, catch, step


class CatchOnForeachSplitFlow(FlowSpec):
    @catch(var="error")
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.work, foreach="items")

    @step
    def work(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    CatchOnForeachSplitFlow()
