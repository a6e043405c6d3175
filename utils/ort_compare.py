#!/usr/bin/env python3
"""Run ONNX models in ONNX Runtime (the measuring peer) and compare their outputs.

ONNX Runtime runs from Node.js through utils/ort_run.js; this
module drives it, reads the float32 outputs it writes, and compares two models' outputs
on the same inputs. numpy is the only non-stdlib import, so CI (python3-numpy, no torch)
can use it.

CLI:

    python3 utils/ort_compare.py REF.onnx TEST.onnx --shape 1x3x224x224 \
        [--input NAME=FILE.bin:1x3x224x224]... [--rtol 1e-5] [--atol 0] \
        [--threads 2] [--work DIR] [--json]

Inputs not given with --input get ort-run.js's deterministic pattern x[i] = 0.5*sin(i) at
--shape, identical for both models. Each output passes when

    max |ref - test|  <=  atol + rtol * max |ref|

its shapes agree, and NaNs sit at the same places in both. Outputs are matched by name; if
the names differ but the counts agree, by position (noted in the report).

Exit code: 0 every output within tolerance, 1 a mismatch, 2 an error (a model does not
load or run, an output is not float32, bad arguments).

Environment: ORT_NODE_MODULES (folder holding onnxruntime-node; default
~/.cache/mlc/ortpeer/node_modules, where utils/setup.sh installs it, else
/tmp/ortpeer/node_modules), ORT_RUN (default utils/ort_run.js), NODE (default `node`).

As a module:

    import ort_compare as oc
    ref, _ = oc.run_model("a.onnx", "/tmp/a-out", shape=[1, 3, 224, 224])
    test, _ = oc.run_model("b.onnx", "/tmp/b-out", shape=[1, 3, 224, 224])
    rows = oc.compare_outputs(ref, test, rtol=1e-5)
    ok = all(r["ok"] for r in rows)
"""

import argparse
import collections
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class OrtError(Exception):
    """A model could not be run (or its outputs not read)."""


def default_ort_run():
    env = os.environ.get("ORT_RUN")
    if env:
        return env
    return os.path.join(REPO, "utils", "ort_run.js")


def default_node_modules():
    env = os.environ.get("ORT_NODE_MODULES")
    if env:
        return env
    # Where utils/setup.sh installs it, else where the peer's README does.
    cached = os.path.join(os.path.expanduser("~"), ".cache", "mlc", "ortpeer", "node_modules")
    return cached if os.path.isdir(cached) else "/tmp/ortpeer/node_modules"


def ort_installed():
    """True when onnxruntime-node is installed and Node.js runs: run_model can work."""
    node = os.environ.get("NODE", "node")
    return (os.path.isdir(os.path.join(default_node_modules(), "onnxruntime-node"))
            and shutil.which(node) is not None)


def parse_dims(text):
    """'1x3x224x224' -> [1, 3, 224, 224]"""
    try:
        dims = [int(d) for d in text.lower().split("x")]
    except ValueError:
        raise ValueError("bad dims %r (want e.g. 1x3x224x224)" % text)
    if not dims or any(d < 0 for d in dims):
        raise ValueError("bad dims %r" % text)
    return dims


def format_dims(dims):
    return "x".join(str(int(d)) for d in dims)


def sin_pattern(dims):
    """The input ort-run.js generates when none is given: x[i] = 0.5 * sin(i), float32.

    Computed in float64 then rounded, like JavaScript's Math.sin into a Float32Array (the
    last bit may differ between libm implementations for large i)."""
    n = int(np.prod(dims)) if dims else 1
    return (0.5 * np.sin(np.arange(n, dtype=np.float64))).astype(np.float32).reshape(dims)


def write_input(path, array):
    """Writes an array as the raw little-endian float32 file ort-run.js reads; returns the
    --input spec suffix 'PATH:DIMS'."""
    a = np.ascontiguousarray(array, dtype="<f4")
    a.tofile(path)
    return "%s:%s" % (path, format_dims(a.shape))


def _output_file(out_dir, name):
    # Same sanitising as ort-run.js.
    return os.path.join(out_dir, re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".bin")


def run_model(model, out_dir, shape=None, inputs=None, threads=2, runs=0, timeout=None,
              ort_run=None, node_modules=None, node=None, sequence=()):
    """Runs MODEL in ONNX Runtime through ort-run.js.

    shape: dims for every input not in `inputs` (the sin pattern is used for them).
    sequence: further shapes for them (a model of dynamic sizes), each run after the
    first in the same session and timed (report["sequence"]).
    inputs: {name: (file, dims)} raw float32 input files.
    Returns (outputs, report): outputs is an OrderedDict name -> float32 ndarray in the
    session's output order; report is ort-run.js's result.json (timings, dims).
    Raises OrtError if the model does not run."""
    ort_run = ort_run or default_ort_run()
    node_modules = node_modules or default_node_modules()
    node = node or os.environ.get("NODE", "node")
    if not os.path.exists(ort_run):
        raise OrtError("ort-run.js not found at %s (set ORT_RUN)" % ort_run)
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)
    cmd = [node, ort_run, model, "--threads", str(threads), "--runs", str(runs), "--out", out_dir]
    for dims in ([shape] if shape is not None else []) + list(sequence):
        cmd += ["--shape", format_dims(dims)]
    for name, (path, dims) in (inputs or {}).items():
        cmd += ["--input", "%s=%s:%s" % (name, path, format_dims(dims))]
    env = dict(os.environ, ORT_NODE_MODULES=node_modules)
    try:
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout)
    except FileNotFoundError:
        raise OrtError("cannot run %r (is Node.js installed? set NODE)" % node)
    except subprocess.TimeoutExpired:
        raise OrtError("%s: ONNX Runtime timed out after %s s" % (model, timeout))
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip()
        raise OrtError("%s: ONNX Runtime failed (exit %d): %s" % (model, proc.returncode, err[-2000:]))
    with open(os.path.join(out_dir, "result.json")) as f:
        report = json.load(f, object_pairs_hook=collections.OrderedDict)
    outputs = collections.OrderedDict()
    for name, info in report["outputs"].items():
        dims = [int(d) for d in info["dims"]]
        path = _output_file(out_dir, name)
        nbytes = os.path.getsize(path)
        count = int(np.prod(dims)) if dims else 1
        if nbytes != 4 * count:
            raise OrtError("%s: output %r has %d bytes for dims %s: not float32"
                           % (model, name, nbytes, format_dims(dims)))
        outputs[name] = np.fromfile(path, dtype="<f4").reshape(dims)
    return outputs, report


def compare_arrays(ref, test, rtol=1e-5, atol=0.0):
    """Compares two arrays. Returns a dict: max_abs_diff, max_abs_ref, ratio (diff / max
    |ref|), ok, note."""
    r = {"shape": list(ref.shape), "max_abs_diff": float("nan"), "max_abs_ref": float("nan"),
         "ratio": float("nan"), "ok": False, "note": ""}
    if ref.shape != test.shape:
        r["note"] = "shape %s vs %s" % (format_dims(ref.shape), format_dims(test.shape))
        return r
    ref64 = ref.astype(np.float64)
    test64 = test.astype(np.float64)
    nan_ref, nan_test = np.isnan(ref64), np.isnan(test64)
    if not np.array_equal(nan_ref, nan_test):
        r["note"] = "NaN in %d vs %d places" % (int(nan_ref.sum()), int(nan_test.sum()))
        return r
    finite = ~nan_ref
    if nan_ref.any():
        r["note"] = "%d NaN (same places)" % int(nan_ref.sum())
    if not finite.any():
        r.update(max_abs_diff=0.0, max_abs_ref=0.0, ratio=0.0, ok=True)
        return r
    a, b = ref64[finite], test64[finite]
    inf_a, inf_b = np.isinf(a), np.isinf(b)
    if not np.array_equal(a[inf_a | inf_b], b[inf_a | inf_b]):
        r["note"] = "infinities differ"
        return r
    fin = ~(inf_a | inf_b)
    diff = float(np.max(np.abs(a[fin] - b[fin]))) if fin.any() else 0.0
    scale = float(np.max(np.abs(a[fin]))) if fin.any() else 0.0
    if scale > 0:
        ratio = diff / scale
    else:
        ratio = 0.0 if diff == 0 else math.inf
    r.update(max_abs_diff=diff, max_abs_ref=scale, ratio=ratio,
             ok=bool(diff <= atol + rtol * scale))
    return r


def compare_outputs(ref, test, rtol=1e-5, atol=0.0):
    """Compares two OrderedDicts of outputs (as run_model returns). Returns one row per
    reference output: dict with name, test_name and compare_arrays' fields."""
    rows = []
    if set(ref) == set(test):
        pairs = [(n, n) for n in ref]
        note = ""
    elif len(ref) == len(test):
        pairs = list(zip(ref, test))
        note = "matched by position"
    else:
        return [{"name": ",".join(ref), "test_name": ",".join(test), "shape": [],
                 "max_abs_diff": float("nan"), "max_abs_ref": float("nan"),
                 "ratio": float("nan"), "ok": False,
                 "note": "%d outputs vs %d" % (len(ref), len(test))}]
    for rn, tn in pairs:
        row = {"name": rn, "test_name": tn}
        row.update(compare_arrays(ref[rn], test[tn], rtol, atol))
        if note:
            row["note"] = (note + "; " + row["note"]).strip("; ")
        rows.append(row)
    return rows


def compare_models(ref_model, test_model, work, shape=None, inputs=None, rtol=1e-5,
                   atol=0.0, threads=2, timeout=None, ref_outputs=None):
    """Runs both models on the same inputs and compares. ref_outputs (from an earlier
    run_model of ref_model on the same inputs) skips re-running the reference.
    Returns (rows, ok). Raises OrtError if a model does not run."""
    if ref_outputs is None:
        ref_outputs, _ = run_model(ref_model, os.path.join(work, "ref"), shape, inputs,
                                   threads=threads, timeout=timeout)
    test_outputs, _ = run_model(test_model, os.path.join(work, "test"), shape, inputs,
                                threads=threads, timeout=timeout)
    rows = compare_outputs(ref_outputs, test_outputs, rtol, atol)
    return rows, all(r["ok"] for r in rows)


def format_rows(rows):
    lines = ["%-24s %-16s %12s %12s %10s  %s" % ("output", "shape", "max|ref|", "max|diff|",
                                                  "ratio", "result")]
    for r in rows:
        name = r["name"] if r["name"] == r["test_name"] else "%s/%s" % (r["name"], r["test_name"])
        lines.append("%-24s %-16s %12.4g %12.4g %10.3g  %s%s" % (
            name, format_dims(r["shape"]) if r["shape"] else "-", r["max_abs_ref"],
            r["max_abs_diff"], r["ratio"], "PASS" if r["ok"] else "FAIL",
            "  (%s)" % r["note"] if r["note"] else ""))
    return "\n".join(lines)


def _json_safe(row):
    """NaN and infinity are not JSON: write them as strings."""
    return {k: (repr(v) if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in row.items()}


def main(argv=None):
    p = argparse.ArgumentParser(description="Run two ONNX models in ONNX Runtime on the same "
                                "inputs and compare their outputs.")
    p.add_argument("ref", help="reference model (.onnx)")
    p.add_argument("test", help="model to check against it (.onnx)")
    p.add_argument("--shape", help="dims of inputs not given with --input, e.g. 1x3x224x224")
    p.add_argument("--input", action="append", default=[], metavar="NAME=FILE:DIMS",
                   help="raw float32 input file for input NAME")
    p.add_argument("--rtol", type=float, default=1e-5,
                   help="pass when max|diff| <= atol + rtol * max|ref| (default 1e-5)")
    p.add_argument("--atol", type=float, default=0.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--timeout", type=float, default=None, help="seconds per model run")
    p.add_argument("--work", help="folder for outputs (default: a temporary one, removed)")
    p.add_argument("--json", action="store_true", help="print the comparison as JSON")
    args = p.parse_args(argv)
    try:
        shape = parse_dims(args.shape) if args.shape else None
        inputs = collections.OrderedDict()
        for spec in args.input:
            name, rest = spec.split("=", 1)
            path, dims = rest.rsplit(":", 1)
            inputs[name] = (path, parse_dims(dims))
    except ValueError as e:
        print("ort_compare: %s" % e, file=sys.stderr)
        return 2
    work = args.work or tempfile.mkdtemp(prefix="ort_compare.")
    try:
        rows, ok = compare_models(args.ref, args.test, work, shape, inputs, args.rtol,
                                  args.atol, args.threads, args.timeout)
    except OrtError as e:
        print("ort_compare: %s" % e, file=sys.stderr)
        return 2
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps({"ok": ok, "rtol": args.rtol, "atol": args.atol,
                          "outputs": [_json_safe(r) for r in rows]}, indent=1))
    else:
        print(format_rows(rows))
        print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
