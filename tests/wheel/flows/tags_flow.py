from metaflow import FlowSpec, current, step


class TagsFlow(FlowSpec):
    @step
    def start(self):
        self.seen = {"start": sorted(current.tags)}
        self.items = [1, 2]
        self.next(self.each, foreach="items")

    @step
    def each(self):
        self.mine = sorted(current.tags)
        self.next(self.join)

    @step
    def join(self, inputs):
        self.children = [i.mine for i in inputs]
        self.here = sorted(current.tags)
        self.next(self.end)

    @step
    def end(self):
        self.last = sorted(current.tags)


if __name__ == "__main__":
    TagsFlow()
