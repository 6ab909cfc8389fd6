//! Front-end micro-benchmarks: parse, graph, lint and emit of a 15-step and a 500-step
//! generated flow. Run with `cargo bench --bench frontend`.
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use mf_windmill::emit::{CompileOptions, compile};
use mf_windmill::graph::{FlowGraph, check_file, lint::lint};
use mf_windmill::parse::{parse_flow_source, source::SourceFile};

/// A flow of `n` steps: start, blocks of a branch/join and a foreach nested in a foreach
/// with their joins, linear padding, end.
fn gen_flow(n: usize) -> String {
    let blocks = (n - 2) / 9;
    let pad = n - 2 - blocks * 9;
    let mut s = String::from("from metaflow import FlowSpec, step\n\n\nclass GenFlow(FlowSpec):\n");
    let mut step = |name: &str, join: bool, body: &str| {
        let args = if join { "self, inputs" } else { "self" };
        s.push_str(&format!("    @step\n    def {name}({args}):\n{body}\n"));
    };
    let first = if blocks > 0 {
        "p0".to_string()
    } else if pad > 0 {
        "l0".into()
    } else {
        "end".into()
    };
    step(
        "start",
        false,
        &format!("        self.next(self.{first})\n"),
    );
    for i in 0..blocks {
        let after = if i + 1 < blocks {
            format!("p{}", i + 1)
        } else if pad > 0 {
            "l0".into()
        } else {
            "end".into()
        };
        step(
            &format!("p{i}"),
            false,
            &format!("        self.next(self.b{i}a, self.b{i}b)\n"),
        );
        step(
            &format!("b{i}a"),
            false,
            &format!("        self.next(self.j{i})\n"),
        );
        step(
            &format!("b{i}b"),
            false,
            &format!("        self.next(self.j{i})\n"),
        );
        step(
            &format!("j{i}"),
            true,
            &format!("        self.next(self.f{i})\n"),
        );
        step(
            &format!("f{i}"),
            false,
            &format!(
                "        self.items = [1, 2]\n        self.next(self.g{i}, foreach='items')\n"
            ),
        );
        step(
            &format!("g{i}"),
            false,
            &format!("        self.items2 = [1]\n        self.next(self.h{i}, foreach='items2')\n"),
        );
        step(
            &format!("h{i}"),
            false,
            &format!("        self.next(self.k{i})\n"),
        );
        step(
            &format!("k{i}"),
            true,
            &format!("        self.next(self.m{i})\n"),
        );
        step(
            &format!("m{i}"),
            true,
            &format!("        self.next(self.{after})\n"),
        );
    }
    for i in 0..pad {
        let after = if i + 1 < pad {
            format!("l{}", i + 1)
        } else {
            "end".into()
        };
        step(
            &format!("l{i}"),
            false,
            &format!("        self.next(self.{after})\n"),
        );
    }
    step("end", false, "        pass\n");
    s.push_str("\n\nif __name__ == '__main__':\n    GenFlow()\n");
    s
}

fn options(flow_file: PathBuf) -> CompileOptions {
    CompileOptions {
        flow_file,
        max_workers: 16,
        max_num_splits: 100,
        max_flow_bytes: 0,
        package_suffixes: mf_windmill::emit::bundle::package_suffixes(None),
        branch: None,
        production: false,
        tags: vec![],
        with: vec![],
        namespace: None,
        datastore_root: Some(PathBuf::from("/srv/mf/.metaflow")),
        python: "python3".into(),
        user: "tester".into(),
        folder: "metaflow".into(),
        routing: Default::default(),
        env: vec![],
    }
}

fn frontend(c: &mut Criterion) {
    for n in [15usize, 500] {
        let text = gen_flow(n);
        // The emitter bundles the flow file, so it must exist on disk.
        let path = std::env::temp_dir().join(format!("mf-windmill-bench-{n}.py"));
        std::fs::write(&path, &text).expect("write generated flow");
        let opts = options(path.clone());
        let src = || SourceFile::new(path.clone(), "flow.py", text.clone());
        let file = parse_flow_source(src());
        let flow = &file.flows[0];
        if let Err(e) = compile(flow, &opts) {
            panic!("generated {n}-step flow does not compile: {e:?}");
        }
        c.bench_function(&format!("check_file/{n}"), |b| {
            b.iter(|| check_file(black_box(&file)).len())
        });
        c.bench_function(&format!("parse/{n}"), |b| {
            b.iter(|| parse_flow_source(black_box(src())))
        });
        c.bench_function(&format!("graph/{n}"), |b| {
            b.iter(|| FlowGraph::new(black_box(flow)).start().is_some())
        });
        let g = FlowGraph::new(flow);
        c.bench_function(&format!("lint/{n}"), |b| b.iter(|| lint(black_box(&g))));
        c.bench_function(&format!("emit/{n}"), |b| {
            b.iter(|| compile(black_box(flow), &opts).is_ok())
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    targets = frontend
}
criterion_main!(benches);
