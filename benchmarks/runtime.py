#!/usr/bin/env python3
"""mlc's runtime beside ONNX Runtime, in one run on the same machine: `mlc bench` and
utils/ort_run.js take turns on each model, at each thread count, and the table gives both
medians and their ratio (mlc / ONNX Runtime: below 1 means mlc is faster).

    /usr/bin/python3 benchmarks/runtime.py [--runs 10] [--threads 1,2] [--work DIR]
                                           [--mlc BIN] [--markdown]

Models (torchvision, random weights from torch.manual_seed(0), exported by the
acceptance scripts into their caches; made with /usr/bin/python3 and torch if missing):
resnet18, mobilenet_v2 and fcn_resnet50 at 224x224, and fcn_resnet50 merged from its 224
and 448 exports (run at both sizes; ONNX Runtime runs the export of that size).
Each model is compiled once (`mlc compile`, or `mlc merge -o x.mlc`); its compile time
is reported too. Inputs: ONNX Runtime's sin pattern for it, mlc's own pattern for mlc
(latency does not depend on the values).
"""

import argparse
import json
import os
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "utils"))

import ort_compare as oc  # noqa: E402

FLEXIBLE = "/tmp/mlc-flexible"   # utils/check_flexible_torchvision.py's cache
MERGE = "/tmp/mlc-merge"         # utils/check_merge_torchvision.py's cache


def ensure_exports():
    """Exports the torchvision models the table needs when their caches lack them."""
    import torch_exports as te
    for name in ("resnet18", "mobilenet_v2", "fcn_resnet50"):
        te.square_export(os.path.join(FLEXIBLE, "%s_224.onnx" % name))
    for size in (224, 448):
        te.square_export(os.path.join(MERGE, "fcn_resnet50_%d.onnx" % size))


def timed(cmd):
    start = time.time()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), proc.stderr.strip()))
    return proc.stdout, time.time() - start


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mlc", default=os.path.join(REPO, "build", "bin", "mlc"))
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--work", default="/tmp/mlc-runtime-bench")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = p.parse_args()
    if not oc.ort_installed():
        print("onnxruntime-node is not installed (utils/setup.sh installs it)")
        return 77
    ensure_exports()
    os.makedirs(args.work, exist_ok=True)
    threads = [int(t) for t in args.threads.split(",")]

    # (label, compiled model, [(shape, ONNX export at that shape)])
    cases = []
    for name in ("resnet18", "mobilenet_v2", "fcn_resnet50"):
        onnx = os.path.join(FLEXIBLE, "%s_224.onnx" % name)
        mlc_file = os.path.join(args.work, name + ".mlc")
        _, seconds = timed([args.mlc, "compile", onnx, "-o", mlc_file])
        print("compiled %s in %.2f s" % (name, seconds), file=sys.stderr)
        cases.append((name, mlc_file, [((1, 3, 224, 224), onnx)]))
    exports = [os.path.join(MERGE, "fcn_resnet50_%d.onnx" % s) for s in (224, 448)]
    merged = os.path.join(args.work, "fcn_resnet50_merged.mlc")
    _, seconds = timed([args.mlc, "merge"] + exports + ["-o", merged])
    print("merged and compiled fcn_resnet50 224+448 in %.2f s" % seconds, file=sys.stderr)
    cases.append(("fcn_resnet50 merged", merged,
                  [((1, 3, s, s), e) for s, e in zip((224, 448), exports)]))

    rows = []
    for label, mlc_file, shapes in cases:
        for shape, onnx in shapes:
            dims = "x".join(map(str, shape))
            for t in threads:
                out, _ = timed([args.mlc, "bench", mlc_file, "--shape", dims, "--threads",
                                str(t), "--runs", str(args.runs), "--json"])
                mine = json.loads(out)
                _, report = oc.run_model(onnx, os.path.join(args.work, "ort"), shape=shape,
                                         threads=t, runs=args.runs, timeout=1800)
                rows.append({"model": label, "shape": dims, "threads": t,
                             "mlc_first_ms": mine["first_ms"],
                             "mlc_median_ms": mine["median_ms"],
                             "ort_first_ms": report["first_run_ms"],
                             "ort_median_ms": report["median_ms"],
                             "ratio": mine["median_ms"] / report["median_ms"]})
                r = rows[-1]
                print("%-20s %-12s %d thr  mlc %8.1f ms (first %8.1f)  ort %8.1f ms "
                      "(first %8.1f)  ratio %.2f" % (
                          label, dims, t, r["mlc_median_ms"], r["mlc_first_ms"],
                          r["ort_median_ms"], r["ort_first_ms"], r["ratio"]), flush=True)
    if args.markdown:
        print("\n| model | input | threads | mlc median ms | mlc first ms | "
              "ORT median ms | ORT first ms | mlc / ORT |")
        print("|---|---|---|---|---|---|---|---|")
        for r in rows:
            print("| %s | %s | %d | %.1f | %.1f | %.1f | %.1f | %.2f |" % (
                r["model"], r["shape"], r["threads"], r["mlc_median_ms"],
                r["mlc_first_ms"], r["ort_median_ms"], r["ort_first_ms"], r["ratio"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
