#!/usr/bin/env python3
"""Holds mlc's runtime to ONNX Runtime: a compiled model computes what the export does.

    runtime_ort.py --mlc BIN EXPORT.onnx [EXPORT.onnx ...] [--shapes SPEC]
                   [--held-out EXPORT.onnx ...] [--rtol 1e-4] [--threads N]
                   [--reference] [--conv-chains MODE] [--work DIR]

One export is compiled (`mlc compile EXPORT -o WORK/model.mlc`); several exports of one
network at different sizes, or one with --shapes, are merged straight into a .mlc (`mlc
merge ... -o WORK/model.mlc`). Then for each export, at its input shape (one export given
several shapes: an export of dynamic sizes, at each): ONNX Runtime runs the export
on the sin pattern of utils/ort_compare.py (x[i] = 0.5*sin(i)), `mlc run` runs the .mlc
on the same input (as .npy), and every output must agree in shape and within

    max |ort - mlc|  <=  rtol * max |ort|     (rtol 1e-4 by default)

with NaNs at the same places. A model merged over a range runs at each export's own
shape; --held-out exports, of the same network at sizes the merged set takes but no
merged export has, are not merged: the model runs at each one's shape against it (what a
range promises between its exports' sizes, non-square ones included). With --batch N (a batchable model), `mlc run --batch N`
must also give each item's own single-prediction output.

Exit codes: 0 all agree, 1 a mismatch or a failed command, 77 ONNX Runtime is not
installed (ctest: skipped).
"""

import argparse
import atexit
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "utils"))

import checker  # noqa: E402
import ort_compare as oc  # noqa: E402


def run(cmd, ck, what):
    start = time.time()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seconds = time.time() - start
    ck.check(proc.returncode == 0, "%s (%.2f s)%s" % (
        what, seconds, "" if proc.returncode == 0 else ": exit %d: %s" % (
            proc.returncode, proc.stderr.strip()[-400:])))
    return proc.returncode == 0


def export_shape(mlc, export, ck):
    """The input shape export takes (`mlc inspect --json`; a dynamic batch as 1), or
    None after a failed check (not one input, or one of dynamic sizes past the
    batch)."""
    proc = subprocess.run([mlc, "inspect", export, "--json"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    inputs = json.loads(proc.stdout)["inputs"] if proc.returncode == 0 else []
    dims = inputs[0]["shape"].split("x") if len(inputs) == 1 else ["?", "?"]
    if not ck.check(all(d.isdigit() for d in dims[1:]), "%s takes %s" % (
            os.path.basename(export), " and ".join(i["shape"] for i in inputs) or
            "nothing mlc inspect reads")):
        return None
    return oc.parse_dims("x".join(["1"] + dims[1:]))


def read_outputs(out_dir):
    return {name[:-4]: np.load(os.path.join(out_dir, name))
            for name in sorted(os.listdir(out_dir)) if name.endswith(".npy")}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mlc", required=True)
    p.add_argument("exports", nargs="+")
    p.add_argument("--shapes", help="mlc merge --shapes")
    p.add_argument("--held-out", nargs="+", default=[], metavar="EXPORT",
                   help="exports at other sizes of the merged set, checked but not merged")
    p.add_argument("--rtol", type=float, default=1e-4)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reference", action="store_true", help="mlc run --reference")
    p.add_argument("--batch", type=int, default=0)
    p.add_argument("--conv-chains", choices=["tuned", "always", "never"],
                   help="mlc run --conv-chains")
    p.add_argument("--work")
    args = p.parse_args()
    if not oc.ort_installed():
        return checker.skipped_without_ort()
    ck = checker.Checker()
    work = args.work or tempfile.mkdtemp(prefix="mlc-runtime-ort-")
    if not args.work:  # a folder of our own: gone when the check ends
        atexit.register(shutil.rmtree, work, True)
    os.makedirs(work, exist_ok=True)
    model = os.path.join(work, "model.mlc")
    if len(args.exports) > 1 or args.shapes:
        cmd = [args.mlc, "merge"] + args.exports + ["-o", model]
        if args.shapes:
            cmd += ["--shapes", args.shapes]
        if not run(cmd, ck, "mlc merge -o model.mlc"):
            return ck.result()
    elif not run([args.mlc, "compile", args.exports[0], "-o", model], ck, "mlc compile"):
        return ck.result()
    flags = ["--threads", str(args.threads)] + (["--reference"] if args.reference else [])
    if args.conv_chains:
        flags += ["--conv-chains", args.conv_chains]
    # The compiled model's input and its shapes: export n takes the n-th (mlc merge
    # keeps the exports' order).
    info = subprocess.run([args.mlc, "inspect", model, "--json"], stdout=subprocess.PIPE,
                          text=True)
    inputs = json.loads(info.stdout)["inputs"] if info.returncode == 0 else []
    if not ck.check(len(inputs) == 1, "the model has one input (%d)" % len(inputs)):
        return ck.result()
    input_name = inputs[0]["name"]
    # A dim of any size (a dynamic batch: "?x3x224x224") is run at 1, a range
    # ("1x3x[224..448 step 32]x[...]") at its smallest.
    shapes = [oc.parse_dims(re.sub(r"\[(\d+)\.\.[^]]*\]", r"\1", s).replace("?", "1"))
              for s in inputs[0]["shapes"].split(", ")]
    if "[" in inputs[0]["shapes"] and len(args.exports) > 1 or args.held_out:
        # Exports merged over a range, or held out: each at its own shape.
        shapes = [export_shape(args.mlc, e, ck) for e in args.exports + args.held_out]
        if None in shapes:
            return ck.result()

    # One export given several shapes (--shapes): an export of dynamic sizes, which
    # ONNX Runtime runs at each of them.
    exports = args.exports + args.held_out
    runs = list(zip(exports, shapes)) if len(exports) > 1 else [
        (exports[0], dims) for dims in shapes]
    for n, (export, dims) in enumerate(runs):
        name = "%s at %s" % (os.path.basename(export), oc.format_dims(dims))
        try:
            ref, _ = oc.run_model(export, os.path.join(work, "ort%d" % n), shape=dims,
                                  threads=args.threads, timeout=600)
        except oc.OrtError as e:
            ck.fail("%s: %s" % (name, checker.error_line(e)))
            continue
        path = os.path.join(work, "input%d.npy" % n)
        np.save(path, oc.sin_pattern(dims))
        cmd = [args.mlc, "run", model, "--quiet", "--output-dir",
               os.path.join(work, "mlc%d" % n), "--input", "%s=%s" % (input_name, path)]
        if not run(cmd + flags, ck, "%s: mlc run" % name):
            continue
        test = read_outputs(os.path.join(work, "mlc%d" % n))
        for out_name, expected in ref.items():
            got = test.get(out_name.replace("/", "_"))
            if got is None:
                ck.fail("%s: output %s missing from mlc's" % (name, out_name))
                continue
            row = oc.compare_arrays(expected, got.astype(np.float32), rtol=args.rtol)
            ck.check(row["ok"], "%s: %s %s max|diff| %.3g, %.3g of max|ort| %.3g %s" % (
                name, out_name, oc.format_dims(expected.shape), row["max_abs_diff"],
                row["ratio"], row["max_abs_ref"], row["note"]))

    if args.batch > 1:
        single = os.path.join(work, "single")
        batched = os.path.join(work, "batched")
        ok = run([args.mlc, "run", model, "--quiet", "--output-dir", batched,
                  "--batch", str(args.batch)] + flags, ck, "mlc run --batch %d" % args.batch)
        ok = ok and run([args.mlc, "run", model, "--quiet", "--output-dir", single] + flags,
                        ck, "mlc run (item 0 alone)")
        if ok:
            alone = read_outputs(single)
            items = read_outputs(batched)
            for out_name, expected in alone.items():
                got = items.get(out_name + "_0")
                row = oc.compare_arrays(expected, got, rtol=1e-5) if got is not None else None
                ck.check(row is not None and row["ok"],
                         "batch item 0 of %s equals the single prediction" % out_name)
    return ck.result()


if __name__ == "__main__":
    sys.exit(main())
