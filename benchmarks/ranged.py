#!/usr/bin/env python3
"""A ranged model meeting sizes one after another, beside ONNX Runtime on an export of
dynamic sizes: what an app pays the first time it runs each size.

    /usr/bin/python3 benchmarks/ranged.py [--models resnet18,mobilenet_v2]
        [--sizes 224,320x256,448,256x416,288] [--threads 1,2] [--runs 10] [--rounds 3]
        [--mlc BIN] [--work DIR]

Per network (torchvision's, random weights; utils/torch_exports.py): its exports at 224
and 448 merged over 224..448:32 (`mlc merge ... --shapes 224..448:32 -o x.mlc`, planned
at 224 and 448), and one export of dynamic H and W traced at 224 for ONNX Runtime. In one
session each, the sizes in --sizes order (H = W, or HxW), each size's first prediction
and the median of --runs more: `mlc bench` with a --shape per size, and ONNX Runtime
(utils/ort_run.js) with the same shapes, in turns, --rounds times. Per size: medians over
the rounds of both runtimes' first and warm times, and mlc's first over ONNX Runtime's;
also the session's making (mlc's prepare, ONNX Runtime's load). Exports are cached in
/tmp/mlc-perf (made with /usr/bin/python3 and torch). Run it on a quiet machine.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "utils"))
sys.path.insert(0, os.path.join(REPO, "benchmarks"))

import ort_compare as oc  # noqa: E402
import torch_exports as te  # noqa: E402
from models import PERF_CACHE, batch1_export, log  # noqa: E402

RANGE = "224..448:32"


def shape_of(size):
    dims = te.parse_size(size)
    return (1, 3) + (dims if isinstance(dims, tuple) else (dims, dims))


def mlc_sequence(mlc, model, shapes, threads, runs):
    """(prepare ms, [(first ms, median ms) per shape]) of one `mlc bench` session."""
    cmd = [mlc, "bench", model, "--threads", str(threads), "--runs", str(runs), "--json"]
    for s in shapes:
        cmd += ["--shape", "x".join(map(str, s))]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), proc.stderr.strip()))
    rows = json.loads(proc.stdout)
    return rows[0]["prepare_ms"], [(r["first_ms"], r["median_ms"]) for r in rows]


def ort_sequence(onnx, shapes, threads, runs, work):
    """(load ms, [(first ms, median ms) per shape]) of one ONNX Runtime session."""
    _, report = oc.run_model(onnx, os.path.join(work, "ort"), shape=shapes[0],
                             sequence=shapes[1:], threads=threads, runs=runs, timeout=3600)
    times = [(report["first_run_ms"], report["median_ms"])] + [
        (r["first_run_ms"], r["median_ms"]) for r in report.get("sequence", [])]
    return report["load_ms"], times


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--models", default="resnet18,mobilenet_v2")
    p.add_argument("--sizes", default="224,320x256,448,256x416,288")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--mlc", default=os.path.join(REPO, "build", "bin", "mlc"))
    p.add_argument("--work", help="where the merged models go (default: a temporary folder)")
    args = p.parse_args()
    shapes = [shape_of(s) for s in args.sizes.split(",")]
    threads = [int(t) for t in args.threads.split(",")]
    work = args.work or tempfile.mkdtemp(prefix="mlc-ranged-")
    os.makedirs(work, exist_ok=True)
    lines = ["| model, threads | session made: mlc / ORT | " + " | ".join(
        "%s: mlc first (warm) / ORT first (warm)" % "x".join(map(str, s[2:]))
        for s in shapes) + " |", "|---" * (len(shapes) + 2) + "|"]
    for name in args.models.split(","):
        merged = os.path.join(work, "%s_ranged.mlc" % name)
        subprocess.run([args.mlc, "merge", batch1_export(name, 224), batch1_export(name, 448),
                        "--shapes", RANGE, "-o", merged, "--quiet"], check=True)
        dynamic = te.sized_export(os.path.join(PERF_CACHE, "dynamic-size", "%s_224.onnx" % name),
                                  log, dynamic_size=True)
        for t in threads:
            mine, theirs = [], []
            for r in range(args.rounds):
                log("%s, %d thread%s, round %d" % (name, t, "s" if t > 1 else "", r + 1))
                mine.append(mlc_sequence(args.mlc, merged, shapes, t, args.runs))
                theirs.append(ort_sequence(dynamic, shapes, t, args.runs, work))
            med = statistics.median
            cells = ["%s, %d" % (name, t), "%.0f / %.0f ms" % (
                med(m[0] for m in mine), med(o[0] for o in theirs))]
            for i in range(len(shapes)):
                cells.append("%.1f (%.1f) / %.1f (%.1f)" % (
                    med(m[1][i][0] for m in mine), med(m[1][i][1] for m in mine),
                    med(o[1][i][0] for o in theirs), med(o[1][i][1] for o in theirs)))
            lines.append("| " + " | ".join(cells) + " |")
            print(lines[-1], flush=True)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
