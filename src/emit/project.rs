//! @project naming (as `plugins/project_decorator.py` `format_name`), the Windmill path,
//! and @schedule as a Windmill schedule object (6-field cron, seconds first).

use serde_json::{Value, json};

use super::CompileOptions;
use crate::parse::model::Flow;

pub struct Project {
    /// `<project>.<branch>.<Flow>` or the flow name.
    pub display_name: String,
    pub project_flow_name: Option<String>,
    /// `f/<folder>/<name>`.
    pub path: String,
    /// `--branch B` / `--production`, only with @project.
    pub top_options: Vec<String>,
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn path_name(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '.' => '-',
            c if c.is_ascii_alphanumeric() || c == '_' || c == '-' => c,
            _ => '_',
        })
        .collect()
}

pub fn resolve(flow: &Flow, opts: &CompileOptions) -> Result<Project, String> {
    if !opts
        .folder
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        || opts.folder.is_empty()
    {
        return Err(format!(
            "--folder '{}' is not a valid Windmill folder name",
            opts.folder
        ));
    }
    let Some(d) = flow.decorator("project") else {
        if opts.branch.is_some() || opts.production {
            return Err("--branch/--production need a @project flow decorator".into());
        }
        let path = format!("f/{}/{}", opts.folder, path_name(&flow.name));
        return Ok(Project {
            display_name: flow.name.clone(),
            project_flow_name: None,
            path,
            top_options: vec![],
        });
    };
    let lit = |k: &str| {
        d.kwarg(k)
            .and_then(|a| a.value.literal())
            .and_then(|l| l.as_str().map(str::to_string))
    };
    let project = lit("name").ok_or("@project needs a literal name=")?;
    if !valid_name(&project) {
        return Err(format!(
            "@project name '{project}' must match [a-z0-9_]+ (at most 128 characters)"
        ));
    }
    let dec_branch = lit("branch");
    let dec_prod = d
        .kwarg("production")
        .and_then(|a| a.value.literal())
        .is_some_and(|l| l.truthy());
    // The same branch twice is what the Metaflow extension passes (it forwards the branch
    // Metaflow resolved); only a conflict is an error.
    if dec_branch.is_some() && opts.branch.is_some() && dec_branch != opts.branch {
        return Err("the branch is given both in @project(branch=...) and with --branch".into());
    }
    let branch = opts.branch.clone().or(dec_branch);
    let production = opts.production || dec_prod;
    if let Some(b) = &branch
        && !valid_name(b)
    {
        return Err(format!(
            "branch '{b}' must match [a-z0-9_]+ (at most 128 characters)"
        ));
    }
    let branch_name = match (&branch, production) {
        (Some(b), true) => format!("prod.{b}"),
        (Some(b), false) => format!("test.{b}"),
        (None, true) => "prod".to_string(),
        (None, false) => format!("user.{}", opts.user),
    };
    let name = format!("{project}.{branch_name}.{}", flow.name);
    let mut top = vec![];
    if let Some(b) = &opts.branch {
        top.extend(["--branch".to_string(), b.clone()]);
    }
    if opts.production {
        top.push("--production".to_string());
    }
    let path = format!("f/{}/{}", opts.folder, path_name(&name));
    if path.len() > 255 {
        return Err(format!(
            "the Windmill path {path} is longer than 255 characters"
        ));
    }
    Ok(Project {
        display_name: name.clone(),
        project_flow_name: Some(name),
        path,
        top_options: top,
    })
}

const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

fn dow_names(field: &str, eventbridge: bool) -> Result<String, String> {
    let conv = |tok: &str| -> Result<String, String> {
        match tok.parse::<u32>() {
            Ok(n) => {
                let i = if eventbridge {
                    if !(1..=7).contains(&n) {
                        return Err(format!("day of week {n} out of range 1-7"));
                    }
                    n - 1
                } else {
                    if n > 7 {
                        return Err(format!("day of week {n} out of range 0-7"));
                    }
                    n % 7
                };
                Ok(DAYS[i as usize].to_string())
            }
            Err(_) => Ok(tok.to_string()),
        }
    };
    let mut out = vec![];
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (part, None),
        };
        let r = match range.split_once('-') {
            Some((a, b)) => format!("{}-{}", conv(a)?, conv(b)?),
            None => conv(range)?,
        };
        out.push(match step {
            Some(s) => format!("{r}/{s}"),
            None => r,
        });
    }
    Ok(out.join(","))
}

/// Metaflow cron (5 fields, or AWS EventBridge's 6 with a year) → Windmill's 6 fields.
pub fn convert_cron(cron: &str) -> Result<String, String> {
    let f: Vec<&str> = cron.split_whitespace().collect();
    let eventbridge = match f.len() {
        5 => false,
        6 => {
            if f[5] != "*" && f[5] != "?" {
                return Err(format!(
                    "cron '{cron}': a year other than * cannot be scheduled on Windmill"
                ));
            }
            true
        }
        n => return Err(format!("cron '{cron}' has {n} fields; expected 5 or 6")),
    };
    if f[..5]
        .iter()
        .any(|x| x.contains('L') || x.contains('W') || x.contains('#'))
    {
        return Err(format!(
            "cron '{cron}': L, W and # are not supported by Windmill's scheduler"
        ));
    }
    let q = |s: &str| {
        if s == "?" {
            "*".to_string()
        } else {
            s.to_string()
        }
    };
    let dow = if f[4] == "?" || f[4] == "*" {
        "*".to_string()
    } else {
        dow_names(f[4], eventbridge)?
    };
    Ok(format!(
        "0 {} {} {} {} {}",
        q(f[0]),
        q(f[1]),
        q(f[2]),
        q(f[3]),
        dow
    ))
}

pub fn schedule(flow: &Flow, path: &str) -> Result<Option<Value>, String> {
    let Some(d) = flow.decorator("schedule") else {
        return Ok(None);
    };
    let truthy = |k: &str| {
        d.kwarg(k)
            .and_then(|a| a.value.literal())
            .map(|l| l.truthy())
    };
    let cron_lit = d
        .kwarg("cron")
        .and_then(|a| a.value.literal())
        .and_then(|l| l.as_str().map(str::to_string));
    let cron = if let Some(c) = cron_lit {
        convert_cron(&c)?
    } else if truthy("weekly") == Some(true) {
        "0 0 0 * * SUN".to_string()
    } else if truthy("hourly") == Some(true) {
        "0 0 * * * *".to_string()
    } else if truthy("daily").unwrap_or(true) {
        "0 0 0 * * *".to_string()
    } else {
        return Ok(None);
    };
    let tz = d
        .kwarg("timezone")
        .and_then(|a| a.value.literal())
        .and_then(|l| l.as_str().map(str::to_string))
        .unwrap_or_else(|| "UTC".to_string());
    Ok(Some(json!({
        "path": path,
        "schedule": cron,
        "timezone": tz,
        "script_path": path,
        "is_flow": true,
        "args": {},
        "enabled": true,
        "summary": format!("@schedule of {}", flow.name),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_conversion() {
        assert_eq!(convert_cron("0 * * * *").unwrap(), "0 0 * * * *");
        assert_eq!(convert_cron("0 0 ? * 1 *").unwrap(), "0 0 0 * * SUN");
        assert_eq!(convert_cron("30 6 * * 1-5").unwrap(), "0 30 6 * * MON-FRI");
        assert_eq!(convert_cron("0 0 ? * 2,7 *").unwrap(), "0 0 0 * * MON,SAT");
        assert!(convert_cron("0 0 L * ? *").is_err());
        assert!(convert_cron("0 0 * * ? 2030").is_err());
        assert!(convert_cron("0 0 *").is_err());
    }
}
