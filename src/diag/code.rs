//! The registry of diagnostic codes. Codes are stable: never renumber, only add.
//!
//! - `MF0xx`: reading the file (syntax, imports, declarations Metaflow rejects on import)
//!   and initialising its decorators (`step_init`, which `check` runs before lint).
//! - `MF1xx`: Metaflow's own lint checks (`metaflow/lint.py`), same order, same messages.
//! - `WM2xx`: what Windmill (or this compiler) cannot honour.
//!
//! Each code's long documentation (What it does / Why is this bad / Example) lives next to
//! the rule that emits it; `doc` here is the one-line summary shown by `--format json` and
//! SARIF.

use super::Severity;

macro_rules! codes {
    ($( $(#[$m:meta])* $variant:ident = $code:literal, $name:literal, $sev:ident, $doc:literal; )*) => {
        /// A diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $( $(#[$m])* $variant, )* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable code, e.g. `MF112`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// A kebab-case name, e.g. `orphan-step`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// One line saying what the code is about.
            pub fn doc(self) -> &'static str {
                match self { $(Code::$variant => $doc,)* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }
        }
    };
}

codes! {
    SyntaxError = "MF001", "syntax-error", Error, "The file is not valid Python.";
    InvalidUtf8 = "MF002", "invalid-utf8", Error, "The file is not valid UTF-8, so Python cannot read it.";
    NoFlow = "MF003", "no-flow", Warning, "The file defines no FlowSpec subclass.";
    UnresolvedBase = "MF004", "unresolved-base", Error, "A flow's base class cannot be read statically, so its steps are unknown.";
    DecoratorBelowStep = "MF005", "decorator-below-step", Error, "A decorator sits between @step and the def; Metaflow rejects it on import.";
    DuplicateStepDecorator = "MF006", "duplicate-step-decorator", Error, "A step decorator that may appear once is applied twice.";
    DynamicStepArgument = "MF007", "dynamic-step-argument", Error, "@step(start=..., end=...) is not a literal, so the start/end steps are unknown.";
    UnknownDecoratorAttribute = "MF008", "unknown-decorator-attribute", Error, "A Metaflow decorator is given an attribute it does not support; Metaflow rejects it on import.";
    ReservedParameterName = "MF009", "reserved-parameter-name", Error, "A parameter is named after one of Metaflow's own command-line options.";
    DuplicateParameter = "MF010", "duplicate-parameter", Error, "Two parameters have the same name (names are case-insensitive).";
    SeparatorOnNonString = "MF011", "separator-on-non-string", Error, "A parameter that is not a string has a separator.";
    CatchOnSplit = "MF012", "catch-on-split", Error, "@catch is on a foreach split step or a switch step; Metaflow refuses it when it initialises decorators.";
    RetryTooMany = "MF013", "retry-too-many", Error, "@retry asks for more retries than Metaflow allows.";
    TimeoutWithoutDuration = "MF014", "timeout-without-duration", Error, "@timeout has no duration; Metaflow refuses it when it initialises decorators.";
    ReservedWord = "MF101", "reserved-step-name", Error, "A step is named after a reserved word (name, next, input, index, cmd).";
    BasicSteps = "MF102", "missing-start-or-end", Error, "The flow lacks exactly one start step or exactly one end step.";
    AnnotationNameConflict = "MF103", "annotation-name-conflict", Error, "@step(start=True)/@step(end=True) conflicts with a step named start/end.";
    StartEndDegree = "MF104", "start-end-degree", Error, "The start step has incoming transitions or the end step outgoing ones.";
    EndIsEnd = "MF105", "end-not-terminal", Error, "The end step calls self.next() or is a join.";
    StepName = "MF106", "invalid-step-name", Error, "A step name has characters other than lowercase ASCII letters, digits and underscores, or starts with an underscore.";
    NumArgs = "MF107", "step-arguments", Error, "A step takes the wrong number of arguments.";
    StaticTransitions = "MF108", "missing-next", Error, "A step other than end does not end with self.next().";
    ValidTransitions = "MF109", "invalid-next", Error, "A self.next() call matches none of the supported transition forms.";
    UnknownTransitions = "MF110", "unknown-next-target", Error, "self.next() names a step that does not exist.";
    Acyclicity = "MF111", "cycle", Error, "The flow has a loop that is not a recursive switch.";
    Orphans = "MF112", "orphan-step", Error, "A step cannot be reached from the start step.";
    SplitJoinBalance = "MF113", "split-join-balance", Error, "Splits and joins do not match.";
    SwitchSplits = "MF114", "switch-split", Error, "A switch has fewer than two cases or no condition.";
    EmptyForeach = "MF115", "empty-foreach", Error, "A foreach is followed directly by a join.";
    ParallelStepAfterNext = "MF116", "parallel-without-decorator", Error, "A num_parallel transition targets a step without @parallel.";
    JoinFollowedByParallel = "MF117", "parallel-not-followed-by-join", Error, "An @parallel step is not followed by a join.";
    ParallelForeachCallsParallel = "MF118", "parallel-not-from-num-parallel", Error, "An @parallel step is reached without num_parallel.";
    AmbiguousJoins = "MF120", "conditional-into-join", Error, "A switch case leads straight into a join step.";
    UnsupportedStepDecorator = "WM201", "unsupported-step-decorator", Error, "The step decorator needs compute Windmill cannot provide (@parallel, @batch, @kubernetes).";
    UnsupportedFlowDecorator = "WM202", "unsupported-flow-decorator", Error, "The flow decorator cannot be honoured on Windmill (@conda_base, @pypi_base).";
    DynamicDecoratorArgument = "WM203", "dynamic-decorator-argument", Error, "A decorator argument is not a literal, so its value cannot be known statically.";
    DynamicForeach = "WM204", "dynamic-foreach", Error, "foreach= or num_parallel= is not a constant, so the artifact or width cannot be known statically.";
    InvalidWindmillName = "WM205", "invalid-windmill-name", Error, "A name would make an invalid Windmill path or module id.";
    UnhonouredDecorator = "WM206", "unhonoured-decorator", Warning, "A decorator has no effect on Windmill; it is reported rather than silently dropped.";
    UnknownDecorator = "WM207", "unknown-decorator", Warning, "A decorator is not one of Metaflow's; what it does cannot be known statically.";
    DynamicDeclaration = "WM208", "dynamic-declaration", Warning, "A Parameter or Config argument is not a literal; it will be evaluated by Metaflow at run time.";
    UnknownDefault = "WM209", "unknown-default", Error, "A Parameter or IncludeFile default cannot be evaluated statically, and the run needs it.";
    UnpackagedFile = "WM210", "unpackaged-file", Warning, "A step opens a file next to the flow that the code package does not carry (its suffix is not a package suffix).";
    ExitHookFunctions = "WM211", "exit-hook-functions", Error, "@exit_hook's on_success/on_error do not list hook functions by name, or list none.";
    TriggerNames = "WM212", "trigger-names", Error, "@trigger/@trigger_on_finish event names, parameter mappings or flow names are not literals, or not valid.";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for c in Code::ALL {
            assert!(codes.insert(c.as_str()), "duplicate code {}", c.as_str());
            assert!(names.insert(c.name()), "duplicate name {}", c.name());
            let s = c.as_str();
            assert!(s.len() == 5 && (s.starts_with("MF") || s.starts_with("WM")));
            assert!(s[2..].chars().all(|ch| ch.is_ascii_digit()));
            assert!(!c.doc().is_empty() && c.doc().ends_with('.'));
        }
    }
}
