from metaflow import FlowSpec, exit_hook, step


def notify_success():
    print("flow succeeded")


def notify_failure():
    print("flow failed")


@exit_hook(on_success=[notify_success], on_error=[notify_failure])
class ExitHookFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ExitHookFlow()
