//! Metaflow's built-in decorators and the attributes each accepts, as shipped in
//! metaflow 2.19.39 (`STEP_DECORATORS` / `FLOW_DECORATORS` in metaflow/plugins/__init__.py,
//! each class's `defaults` dict and `allow_multiple` flag). Metaflow rejects any other
//! attribute on import (`InvalidDecoratorAttribute`, metaflow/exception.py).

/// A known decorator.
pub struct KnownDecorator {
    pub name: &'static str,
    pub attributes: &'static [&'static str],
    pub allow_multiple: bool,
}

const fn d(name: &'static str, attributes: &'static [&'static str]) -> KnownDecorator {
    KnownDecorator {
        name,
        attributes,
        allow_multiple: false,
    }
}

const fn multi(name: &'static str, attributes: &'static [&'static str]) -> KnownDecorator {
    KnownDecorator {
        name,
        attributes,
        allow_multiple: true,
    }
}

pub const STEP_DECORATORS: &[KnownDecorator] = &[
    d("conda", &["packages", "libraries", "python", "disabled"]),
    d("pytorch_parallel", &["master_port"]),
    d("environment", &["vars"]),
    d("secrets", &["sources", "role", "allow_override"]),
    d(
        "batch",
        &[
            "cpu",
            "gpu",
            "memory",
            "image",
            "queue",
            "iam_role",
            "execution_role",
            "shared_memory",
            "max_swap",
            "swappiness",
            "inferentia",
            "trainium",
            "efa",
            "host_volumes",
            "efs_volumes",
            "use_tmpfs",
            "aws_batch_tags",
            "tmpfs_tempdir",
            "tmpfs_size",
            "tmpfs_path",
            "ephemeral_storage",
            "log_driver",
            "log_options",
            "executable",
            "privileged",
        ],
    ),
    d("timeout", &["seconds", "minutes", "hours"]),
    d("retry", &["times", "minutes_between_retries"]),
    d("catch", &["var", "print_exception"]),
    d(
        "kubernetes",
        &[
            "cpu",
            "memory",
            "disk",
            "image",
            "image_pull_policy",
            "image_pull_secrets",
            "service_account",
            "secrets",
            "node_selector",
            "namespace",
            "gpu",
            "gpu_vendor",
            "tolerations",
            "labels",
            "annotations",
            "use_tmpfs",
            "tmpfs_tempdir",
            "tmpfs_size",
            "tmpfs_path",
            "persistent_volume_claims",
            "shared_memory",
            "port",
            "compute_pool",
            "executable",
            "hostname_resolution_timeout",
            "qos",
            "extended_resources",
            "security_context",
        ],
    ),
    d(
        "resources",
        &["cpu", "gpu", "disk", "memory", "shared_memory"],
    ),
    d("parallel", &[]),
    d("pypi", &["packages", "python", "disabled"]),
    multi(
        "card",
        &[
            "type",
            "options",
            "scope",
            "rank",
            "timeout",
            "id",
            "save_errors",
            "customize",
            "refresh_interval",
        ],
    ),
];

pub const FLOW_DECORATORS: &[KnownDecorator] = &[
    d("trigger", &["event", "events", "options"]),
    d(
        "schedule",
        &["cron", "weekly", "daily", "hourly", "timezone"],
    ),
    d("pypi_base", &["packages", "python", "disabled"]),
    multi("exit_hook", &["on_success", "on_error", "options"]),
    d("project", &["name", "production", "branch"]),
    d("trigger_on_finish", &["flow", "flows", "options"]),
    d(
        "conda_base",
        &["packages", "libraries", "python", "disabled"],
    ),
];

pub fn step_decorator(name: &str) -> Option<&'static KnownDecorator> {
    STEP_DECORATORS.iter().find(|k| k.name == name)
}

pub fn flow_decorator(name: &str) -> Option<&'static KnownDecorator> {
    FLOW_DECORATORS.iter().find(|k| k.name == name)
}
