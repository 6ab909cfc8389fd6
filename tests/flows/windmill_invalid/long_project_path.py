# expect: @project path for this flow name is longer than 255 characters (Windmill path limit)
from metaflow import FlowSpec, project, step


@project(name="demo_project_with_a_fairly_long_name")
class LongProjectPathSegment00Segment01Segment02Segment03Segment04Segment05Segment06Segment07Segment08Segment09Segment10Segment11Segment12Segment13Segment14Segment15Segment16Segment17Segment18Segment19Segment20Segment21Segment22Segment23Segment24Segment25Flow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    LongProjectPathSegment00Segment01Segment02Segment03Segment04Segment05Segment06Segment07Segment08Segment09Segment10Segment11Segment12Segment13Segment14Segment15Segment16Segment17Segment18Segment19Segment20Segment21Segment22Segment23Segment24Segment25Flow()
