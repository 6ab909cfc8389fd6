//! Live progress lines: one line per step start and end (step, attempt, duration, outcome),
//! the failed step's log tail, retries, skips and warnings.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use super::Event;

/// Format one event as the line(s) printed on stderr; `elapsed` is the time since run start.
pub fn format_event(e: &Event, elapsed: std::time::Duration) -> String {
    let t = format!("[{:>8.2}s]", elapsed.as_secs_f64());
    match e {
        Event::StepStarted { path, attempt, .. } => {
            format!("{t} start  {path} (attempt {attempt})")
        }
        Event::StepFinished {
            path,
            attempt,
            duration,
            success,
            result,
            log_tail,
            ..
        } => {
            if *success {
                format!(
                    "{t} ok     {path} (attempt {attempt}) in {:.2}s",
                    duration.as_secs_f64()
                )
            } else {
                let msg = result
                    .pointer("/error/message")
                    .and_then(|m| m.as_str())
                    .map(|m| m.lines().next().unwrap_or("").to_string())
                    .unwrap_or_else(|| result.to_string());
                let mut s = format!(
                    "{t} FAILED {path} (attempt {attempt}) in {:.2}s: {msg}",
                    duration.as_secs_f64()
                );
                if !log_tail.trim().is_empty() {
                    s.push_str("\n         --- log tail ---");
                    for l in log_tail.lines() {
                        s.push_str("\n         | ");
                        s.push_str(l);
                    }
                }
                s
            }
        }
        Event::StepSkipped { path, .. } => format!("{t} skip   {path} (skip_if)"),
        Event::Retrying {
            path,
            next_attempt,
            delay,
            ..
        } => format!(
            "{t} retry  {path}: attempt {next_attempt} in {:.1}s",
            delay.as_secs_f64()
        ),
        Event::Warning { module_id, message } => match module_id {
            Some(id) => format!("{t} warn   {id}: {message}"),
            None => format!("{t} warn   {message}"),
        },
    }
}

/// An event callback printing [`format_event`] lines on stderr.
pub fn stderr_printer() -> super::EventSink {
    let start = Instant::now();
    Arc::new(move |e: &Event| {
        let line = format_event(e, start.elapsed());
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{line}");
    })
}
