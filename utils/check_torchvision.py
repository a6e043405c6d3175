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

import argparse
import os
import shutil
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "utils"))
import ort_compare as oc  # noqa: E402

MODELS = {
    # name: output name
    "resnet18": "logits",
    "mobilenet_v2": "logits",
    "fcn_resnet50": "out",
}


def export_path(work, model, size, opset):
    return os.path.join(work, "%s_%d_op%d.onnx" % (model, size, opset))


def torchvision_model(name):
    import torch
    import torchvision
    torch.manual_seed(0)
    if name == "resnet18":
        net = torchvision.models.resnet18(weights=None)
    elif name == "mobilenet_v2":
        net = torchvision.models.mobilenet_v2(weights=None)
    elif name == "fcn_resnet50":
        fcn = torchvision.models.segmentation.fcn_resnet50(weights=None, weights_backbone=None)

        class Out(torch.nn.Module):  # the segmentation models return a dict
            def __init__(self, net):
                super().__init__()
                self.net = net

            def forward(self, x):
                return self.net(x)["out"]

        net = Out(fcn)
    else:
        raise ValueError("unknown model %s" % name)
    return net.eval()


def export(name, size, opset, path):
    """torch.onnx.export into path (written to a temporary name, then renamed, so that an
    interrupted export is not reused)."""
    import torch
    net = torchvision_model(name)
    tmp = path + ".tmp"
    with torch.no_grad():
        torch.onnx.export(net, torch.zeros(1, 3, size, size), tmp, opset_version=opset,
                          input_names=["image"], output_names=[MODELS[name]],
                          do_constant_folding=True)
    os.replace(tmp, path)


def ensure_export(work, name, size, opset, log):
    path = export_path(work, name, size, opset)
    if os.path.exists(path):
        return path
    log("exporting %s at %dx%d, opset %d -> %s" % (name, size, size, opset, path))
    t = time.perf_counter()
    export(name, size, opset, path)
    log("  %.1f s, %.1f MB" % (time.perf_counter() - t, os.path.getsize(path) / 1e6))
    return path


def run_mlc(cmd, timeout):
    """Runs an mlc command; returns (seconds, error or None)."""
    t = time.perf_counter()
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout)
    except FileNotFoundError:
        return 0.0, "cannot run %s" % cmd[0]
    except subprocess.TimeoutExpired:
        return time.perf_counter() - t, "timed out after %s s: %s" % (timeout, " ".join(cmd))
    secs = time.perf_counter() - t
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
    p = argparse.ArgumentParser(description="mlc import/export round trip of torchvision "
                                "models, checked in ONNX Runtime.")
    p.add_argument("--mlc", default=os.path.join(REPO, "build", "bin", "mlc"),
                   help="the mlc binary (default: build/bin/mlc in the repository)")
    p.add_argument("--work", default="/tmp/mlc-torchvision",
                   help="folder for exports and outputs (default /tmp/mlc-torchvision)")
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

    models = [m for m in args.models.split(",") if m]
    routes = [r for r in args.routes.split(",") if r]
    try:
        opsets = [int(o) for o in args.opsets.split(",") if o]
    except ValueError:
        p.error("--opsets takes numbers, e.g. 13,17")
    for m in models:
        if m not in MODELS:
            p.error("unknown model %s (known: %s)" % (m, ", ".join(MODELS)))
    for r in routes:
        if r not in ("mlirbc", "direct"):
            p.error("unknown route %s" % r)
    if not args.self_test and not args.export_only and not os.access(args.mlc, os.X_OK):
        print("check_torchvision: mlc not found at %s (build it, or pass --mlc; "
              "--self-test runs without it)" % args.mlc, file=sys.stderr)
        return 2
    os.makedirs(args.work, exist_ok=True)

    def log(msg):
        print(msg, flush=True)

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
                # Files of an earlier run must not pass for this run's.
                outputs = ([stem + ".mlirbc", stem + ".mlc.onnx"] if route == "mlirbc"
                           else [stem + ".direct.mlc.onnx"])
                for stale in outputs:
                    if os.path.exists(stale):
                        os.remove(stale)
                if route == "mlirbc":
                    ir = stem + ".mlirbc"
                    test = stem + ".mlc.onnx"
                    row.import_s, err = run_mlc([args.mlc, "import", original, "-o", ir],
                                                args.timeout)
                    if err:
                        row.notes.append("mlc import " + err)
                        log("  %s: FAIL (import)" % route)
                        continue
                    row.export_s, err = run_mlc([args.mlc, "export", ir, "-o", test],
                                                args.timeout)
                else:
                    test = stem + ".direct.mlc.onnx"
                    row.export_s, err = run_mlc([args.mlc, "export", original, "-o", test],
                                                args.timeout)
                if err:
                    row.notes.append("mlc export " + err)
                    log("  %s: FAIL (export)" % route)
                    continue
                if not os.path.exists(test):
                    row.notes.append("mlc export exited 0 but wrote no %s" % test)
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
