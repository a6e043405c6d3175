#!/usr/bin/python3
"""Acceptance check on real networks: torchvision models through `mlc import` / `mlc export`
must give ONNX Runtime the same numbers as the originals.

    /usr/bin/python3 utils/check_torchvision.py                      # everything
    /usr/bin/python3 utils/check_torchvision.py --models resnet18 --opsets 13
    /usr/bin/python3 utils/check_torchvision.py --self-test          # no mlc: checks the
                                                                     # export/ORT/compare parts
    /usr/bin/python3 utils/check_torchvision.py --export-only --models fcn_resnet50 --opsets 13

For each model (resnet18, mobilenet_v2, fcn_resnet50; random weights from
torch.manual_seed(0), eval mode) and opset (13, 17), it exports WORK/<model>_<size>_op<opset>.onnx
with torch.onnx.export (input "image" 1x3xSxS, output "logits" or "out"; an existing export
is reused, so torch is only needed the first time), then checks two routes:

    mlirbc   mlc import X.onnx -o X.mlirbc ; mlc export X.mlirbc -o X.mlc.onnx
    direct   mlc export X.onnx -o X.direct.mlc.onnx

Each re-exported model and the original run in ONNX Runtime (../shared/peer/ort-run.js, via
utils/ort_compare.py) on the same input (ort-run.js's pattern 0.5*sin(i)); every output
must satisfy  max|orig - re-export| <= 1e-5 * max|orig|  (--rtol). A table shows, per row:
model, opset, route, mlc import and export seconds, the original and re-exported file
sizes, the max abs difference, its ratio to max|orig| and PASS/FAIL. Exit code 0 when all
pass, 1 on any failure, 2 on a usage error.

--self-test replaces mlc: the "re-export" is a byte copy of the original (must PASS), and a
copy whose first float initializer is perturbed by 1e-3 of its std (must FAIL: the
comparison can fail). The self-test exits 0 when both behave so.

Environment: ORT_NODE_MODULES (default /tmp/ortpeer/node_modules), ORT_RUN, NODE: see
utils/ort_compare.py.
"""

import os
import shutil
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "utils"))
import acceptance  # noqa: E402
from acceptance import log  # noqa: E402
import measure  # noqa: E402
import ort_compare as oc  # noqa: E402
import torch_exports as te  # noqa: E402

MODELS = {
    # name: output name
    "resnet18": "logits",
    "mobilenet_v2": "logits",
    "fcn_resnet50": "out",
}


def export_path(work, model, size, opset):
    return os.path.join(work, "%s_%d_op%d.onnx" % (model, size, opset))


def ensure_export(work, name, size, opset, log):
    """The export of torchvision's NAME at SIZExSIZE and OPSET, made if missing."""
    return te.cached(
        export_path(work, name, size, opset),
        "%s at %dx%d, opset %d" % (name, size, size, opset),
        lambda tmp: te.export(te.torchvision_model(name), [(1, 3, size, size)], tmp,
                              MODELS[name], opset), log)


def run_mlc(cmd, timeout):
    """Runs an mlc command; returns (seconds, error or None)."""
    try:
        proc, secs = measure.run_timed(cmd, timeout)
    except FileNotFoundError:
        return 0.0, "cannot run %s" % cmd[0]
    except subprocess.TimeoutExpired as e:
        return e.seconds, "timed out after %s s: %s" % (timeout, " ".join(cmd))
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip().splitlines()
        return secs, "exit %d: %s: %s" % (proc.returncode, " ".join(cmd[1:2]),
                                           " | ".join(err[-5:]) or "(no message)")
    return secs, None


def perturb(src, dst):
    """Copies src to dst with its first float initializer changed by 1e-3 of its std."""
    import numpy as np
    import onnx
    from onnx import numpy_helper
    model = onnx.load(src)
    for t in model.graph.initializer:
        if t.data_type == onnx.TensorProto.FLOAT and np.prod(t.dims) > 1:
            a = numpy_helper.to_array(t).copy()
            a += np.float32(1e-3 * a.std() + 1e-6)
            t.CopyFrom(numpy_helper.from_array(a, t.name))
            break
    else:
        raise RuntimeError("%s has no float initializer to perturb" % src)
    onnx.save(model, dst)


class Row:
    def __init__(self, model, opset, route, onnx_mb):
        self.model, self.opset, self.route, self.onnx_mb = model, opset, route, onnx_mb
        self.import_s = self.export_s = self.out_mb = None
        self.diff = self.ratio = None
        self.result = "FAIL"
        self.passed = False  # whether the row counts as a success
        self.notes = []


def route_steps(mlc, original, stem, route):
    """The mlc commands of a route, in order: [(step, command, the file it writes)]; the
    last one writes the re-exported model."""
    if route == "mlirbc":
        ir, out = stem + ".mlirbc", stem + ".mlc.onnx"
        return [("import", [mlc, "import", original, "-o", ir], ir),
                ("export", [mlc, "export", ir, "-o", out], out)]
    out = stem + ".direct.mlc.onnx"
    return [("export", [mlc, "export", original, "-o", out], out)]


def run_route(row, original, stem, args, log):
    """Runs the mlc commands of row's route (their seconds into row.import_s, .export_s);
    returns the re-exported model, or None (the reason in row.notes)."""
    steps = route_steps(args.mlc, original, stem, row.route)
    for _, _, out in steps:  # files of an earlier run must not pass for this run's
        if os.path.exists(out):
            os.remove(out)
    for step, cmd, _ in steps:
        secs, err = run_mlc(cmd, args.timeout)
        setattr(row, step + "_s", secs)
        if err:
            row.notes.append("mlc %s %s" % (step, err))
            log("  %s: FAIL (%s)" % (row.route, step))
            return None
    test = steps[-1][2]
    if not os.path.exists(test):
        row.notes.append("mlc export exited 0 but wrote no %s" % test)
        return None
    return test


def check_route(row, original, test_model, work, shape, ref, args):
    """Compares test_model's outputs with the reference outputs; fills row."""
    row.out_mb = os.path.getsize(test_model) / 1e6
    try:
        rows, ok = oc.compare_models(original, test_model, work, shape=shape, rtol=args.rtol,
                                     threads=args.threads, timeout=args.timeout,
                                     ref_outputs=ref)
    except oc.OrtError as e:
        row.notes.append(str(e))
        return False
    worst = max(rows, key=lambda r: (not r["ok"], r["ratio"] if r["ratio"] == r["ratio"] else 1e300))
    row.diff, row.ratio = worst["max_abs_diff"], worst["ratio"]
    for r in rows:
        if r["note"] or not r["ok"]:
            row.notes.append("%s: %s%s" % (r["name"], "PASS" if r["ok"] else "FAIL",
                                          " (%s)" % r["note"] if r["note"] else ""))
    return ok


def fmt(v, spec):
    return "-" if v is None else spec % v


def print_table(rows, rtol):
    head = "%-14s %5s %-9s %8s %8s %8s %8s %11s %9s  %s" % (
        "model", "opset", "route", "import s", "export s", "onnx MB", "out MB",
        "max|diff|", "ratio", "result")
    print()
    print(head)
    print("-" * len(head))
    for r in rows:
        print("%-14s %5d %-9s %8s %8s %8s %8s %11s %9s  %s" % (
            r.model, r.opset, r.route, fmt(r.import_s, "%.2f"), fmt(r.export_s, "%.2f"),
            fmt(r.onnx_mb, "%.1f"), fmt(r.out_mb, "%.1f"), fmt(r.diff, "%.3g"),
            fmt(r.ratio, "%.2g"), r.result))
        for n in r.notes:
            print("      %s" % n)
    print("(pass: max|diff| <= %g * max|original output|, every output)" % rtol)


def main():
    p = acceptance.parser("mlc import/export round trip of torchvision models, checked in "
                          "ONNX Runtime.", "/tmp/mlc-torchvision", "exports and outputs")
    p.add_argument("--models", default=",".join(MODELS),
                   help="comma-separated list (default: %s)" % ",".join(MODELS))
    p.add_argument("--opsets", default="13,17", help="comma-separated list (default 13,17)")
    p.add_argument("--size", type=int, default=224, help="input height and width (default 224)")
    p.add_argument("--rtol", type=float, default=1e-5,
                   help="max|diff| <= rtol * max|original| (default 1e-5)")
    p.add_argument("--threads", type=int, default=2, help="ONNX Runtime threads")
    p.add_argument("--timeout", type=float, default=1200, help="seconds per command")
    p.add_argument("--routes", default="mlirbc,direct",
                   help="mlirbc (import, then export the .mlirbc) and/or direct (export the "
                   ".onnx); default both")
    p.add_argument("--self-test", action="store_true",
                   help="no mlc: compare each original with a copy (must pass) and with a "
                   "perturbed copy (must fail)")
    p.add_argument("--export-only", action="store_true",
                   help="only make the exports (prints their paths)")
    args = p.parse_args()

    routes = [r for r in args.routes.split(",") if r]
    try:
        opsets = [int(o) for o in args.opsets.split(",") if o]
    except ValueError:
        p.error("--opsets takes numbers, e.g. 13,17")
    models = acceptance.names(p, args.models, MODELS, "model")
    for r in routes:
        if r not in ("mlirbc", "direct"):
            p.error("unknown route %s" % r)
    if not acceptance.ready("check_torchvision", args,
                            not args.self_test and not args.export_only,
                            "build it, or pass --mlc; --self-test runs without it",
                            need_ort=False):
        return 2

    shape = [1, 3, args.size, args.size]
    rows = []
    for name in models:
        for opset in opsets:
            original = ensure_export(args.work, name, args.size, opset, log)
            if args.export_only:
                print(original)
                continue
            stem = original[:-len(".onnx")]
            onnx_mb = os.path.getsize(original) / 1e6
            log("%s opset %d: running the original in ONNX Runtime" % (name, opset))
            try:
                ref, _ = oc.run_model(original, stem + ".out" + os.sep + "ref", shape,
                                      threads=args.threads, timeout=args.timeout)
            except oc.OrtError as e:
                row = Row(name, opset, "original", onnx_mb)
                row.notes.append(str(e))
                rows.append(row)
                continue
            cmp_work = stem + ".out"

            if args.self_test:
                for route, expect_ok in (("self", True), ("perturbed", False)):
                    row = Row(name, opset, route, onnx_mb)
                    test = stem + "." + route + ".onnx"
                    if route == "self":
                        shutil.copyfile(original, test)
                    else:
                        perturb(original, test)
                    ok = check_route(row, original, test, cmp_work, shape, ref, args)
                    row.passed = ok == expect_ok
                    row.result = ("PASS" if ok else "FAIL") + ("" if expect_ok else
                                                              " (expected FAIL)" if not ok
                                                              else " (expected FAIL!)")
                    rows.append(row)
                    os.remove(test)
                    log("  %s: %s" % (route, row.result))
                continue

            for route in routes:
                row = Row(name, opset, route, onnx_mb)
                rows.append(row)
                test = run_route(row, original, stem, args, log)
                if test is None:
                    continue
                row.passed = check_route(row, original, test, cmp_work, shape, ref, args)
                row.result = "PASS" if row.passed else "FAIL"
                log("  %s: %s" % (route, row.result))

    if args.export_only:
        return 0
    print_table(rows, args.rtol)
    failed = [r for r in rows if not r.passed]
    if args.self_test:
        print("self-test: %s" % ("ok (copies pass, perturbed copies fail)" if not failed
                                 else "%d row(s) did not behave as expected" % len(failed)))
    else:
        print("%d of %d checks passed" % (len(rows) - len(failed), len(rows)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
