#!/usr/bin/python3
"""Acceptance check of `mlc check-flexible` on real networks, against ONNX Runtime.

    /usr/bin/python3 utils/check_flexible_torchvision.py               # everything
    /usr/bin/python3 utils/check_flexible_torchvision.py --models fcn_resnet50,resnet18
    /usr/bin/python3 utils/check_flexible_torchvision.py --sizes 256x256,97x131
    /usr/bin/python3 utils/check_flexible_torchvision.py --no-mlc      # before mlc has it:
                                           # exports and ORT against the expected formulas
    /usr/bin/python3 utils/check_flexible_torchvision.py --export-only

Needs torch and torchvision (Debian's /usr/bin/python3) the first time, to export; Node.js
and onnxruntime-node (utils/setup.sh) for ONNX Runtime. Manual, not in CI: it takes a few
minutes and ~700 MB under WORK.

For each model (fcn_resnet50, deeplabv3_mobilenet_v3_large, lraspp_mobilenet_v3_large,
resnet18, mobilenet_v2; weights=None, weights_backbone=None, aux_loss off, random weights
from torch.manual_seed(0), eval mode) it exports, with torch.onnx.export at opset 13, input
"image" (output "out" for the segmentation nets, "logits" for the classifiers):

    WORK/<model>_224.onnx       fixed size 1x3x224x224 (what users have)
    WORK/<model>_dynamic.onnx   the same with dynamic_axes on H and W ("height", "width")

(an existing file is reused; WORK defaults to /tmp/mlc-flexible), then:

1. runs `mlc check-flexible --json` on both exports (timed) and prints the verdict,
   blockers, baked constants, constraints and output formulas; the verdicts must be the
   expected ones (EXPECTED below: the fixed-size export of a segmentation net is baked,
   every dynamic export flexible), the report must hold together (test/Analysis/
   flexible_ort.py's checks: blockers complete, each baked formula equal to its value at
   224, the constraints met at 224), and the output formulas must equal the expected ones
   at every size checked;
2. runs the dynamic export in ONNX Runtime at each size (default 256x256, 320x192,
   161x161, 32x32, 1x1, plus the smallest size the constraints allow and sizes that break
   them) and the fixed-size export at 224: where the constraints allow the size, ORT
   must run it and give exactly the formulas' shapes; where they exclude it, ORT must
   fail (else: reported, as a FAIL). Each baked constant (a Resize's sizes, a Reshape's
   target) is held to the node of the same name in the dynamic export: its output dim at
   the constant's index, at each allowed size, must equal the baked formula;
3. times `mlc check-flexible` on fcn_resnet50's fixed-size export (~135 MB): the issue's
   target is under 2 s end to end (min and median of --time-runs runs).

--no-mlc skips 1 and 3 and checks ORT against the expected formulas only.

Exit code 0 when every check passes, 1 otherwise, 2 on usage errors or a missing tool.
Environment: ORT_NODE_MODULES, ORT_RUN, NODE (see utils/ort_compare.py).
"""

import argparse
import os
import statistics
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "utils"))
sys.path.insert(0, os.path.join(REPO, "test", "Analysis"))
import acceptance  # noqa: E402
from acceptance import log  # noqa: E402
import flexible_ort as fo  # noqa: E402
import measure  # noqa: E402
import torch_exports as te  # noqa: E402

# model: (output name, expected verdict of the 224 export, expected output dims over H, W).
# The dynamic export must be flexible with the same output formulas. What the 224 exports
# bake (torch 1.13): every segmentation net's final F.interpolate(size=input.shape[-2:])
# becomes Resize sizes [.., 224, 224]; deeplabv3's ASPP pooling branch resizes its 1x1
# back to the feature map (Resize sizes [.., 14, 14] at output stride 16) and lraspp
# resizes its 1/16 branch to the 1/8 map (sizes [.., 28, 28]).
EXPECTED = {
    "fcn_resnet50": ("out", "baked", ["1", "21", "H", "W"]),
    "deeplabv3_mobilenet_v3_large": ("out", "baked", ["1", "21", "H", "W"]),
    "lraspp_mobilenet_v3_large": ("out", "baked", ["1", "21", "H", "W"]),
    "resnet18": ("logits", "flexible", ["1", "1000"]),
    "mobilenet_v2": ("logits", "flexible", ["1", "1000"]),
}

DEFAULT_SIZES = "256x256,320x192,161x161,32x32,1x1"
EXPORT_SIZE = 224
TIMED_MODEL = "fcn_resnet50"
TIME_TARGET_S = 2.0


# ----------------------------------------------------------------------------------------
# Exports

def export_paths(work, name):
    return (os.path.join(work, "%s_%d.onnx" % (name, EXPORT_SIZE)),
            os.path.join(work, "%s_dynamic.onnx" % name))


def export(name, path, dynamic, opset):
    """torch.onnx.export of NAME at EXPORT_SIZE into path; dynamic: H and W of the input
    (and of a segmentation net's output) are dynamic_axes."""
    out_name = EXPECTED[name][0]
    axes = None
    if dynamic:
        axes = {"image": {2: "height", 3: "width"}}
        if name in te.SEGMENTATION:
            axes[out_name] = {2: "height", 3: "width"}
    te.export(te.torchvision_model(name), [(1, 3, EXPORT_SIZE, EXPORT_SIZE)], path, out_name,
              opset, dynamic_axes=axes)


def ensure_exports(work, name, opset, log):
    """The fixed-size and the dynamic export of NAME, made if missing."""
    paths = export_paths(work, name)
    for path, dynamic in zip(paths, (False, True)):
        te.cached(path, "%s (%s)" % (name, "dynamic H, W" if dynamic else
                                     "%dx%d" % (EXPORT_SIZE, EXPORT_SIZE)),
                  lambda tmp: export(name, tmp, dynamic, opset), log)
    return paths


# ----------------------------------------------------------------------------------------
# Reports

def print_report(ck, report, secs, label):
    ck.say("  %s: verdict %s (mlc %.2f s)" % (label, report.get("verdict"), secs))
    for fd in report.get("free_dims", []):
        ck.say("    free dim %s = %s[%d], export size %s"
               % (fd.get("name"), fd.get("input"), fd.get("dim"), fd.get("export_size")))
    for b in report.get("blockers", []):
        ck.say("    blocker %s '%s': %s" % (b.get("op"), b.get("node"), b.get("reason")))
        ck.say("      fix: %s" % b.get("fix"))
    for b in report.get("baked", []):
        ck.say("    baked %s '%s' %s[%s] = %s = %s" % (b.get("op"), b.get("node"),
                                                      b.get("operand"), b.get("index"),
                                                      b.get("value"), b.get("formula")))
    texts = [c.get("text") for c in report.get("constraints", [])]
    texts += report.get("joint_constraints", [])
    ck.say("    constraints: %s" % ("; ".join(t for t in texts if t) or "none"))
    for o in report.get("outputs", []):
        ck.say("    output %s: [%s]" % (o.get("name"), ", ".join(map(str, o.get("dims", [])))))


def expected_report(name):
    """A report made of EXPECTED, for --no-mlc: no constraints, the expected formulas."""
    out_name, _, dims = EXPECTED[name]
    return {"verdict": "flexible", "free_dims": [
        {"name": "H", "input": "image", "dim": 2, "export_size": EXPORT_SIZE},
        {"name": "W", "input": "image", "dim": 3, "export_size": EXPORT_SIZE}],
        "constraints": [], "outputs": [{"name": out_name, "dims": dims}],
        "blockers": [], "baked": []}


def boundary_sizes(report):
    """(allowed, excluded) sizes from the report's constraints: the smallest allowed size,
    one below the minimum, and one off the period."""
    allowed_hw, excluded = [], []
    by_dim = {c.get("dim"): c for c in report.get("constraints", [])}
    names = [fd["name"] for fd in sorted(report.get("free_dims", []), key=lambda f: f["dim"])
             if fd["dim"] in (2, 3)]
    if len(names) != 2:
        return [], []

    def ok(c, v):
        good = v >= int(c.get("min") or 1)
        if c.get("period") and c.get("residues") is not None:
            good = good and v % int(c["period"]) in c["residues"]
        if c.get("multiple_of"):
            good = good and v % int(c["multiple_of"]) == 0
        return good

    def smallest(c):
        v = max(1, int(c.get("min") or 1))
        while not ok(c, v) and v < 8192:
            v += 1
        return v

    smallest_hw = [smallest(by_dim[n]) if n in by_dim else 1 for n in names]
    allowed_hw.append(tuple(smallest_hw))
    for i, n in enumerate(names):
        c = by_dim.get(n)
        if not c:
            continue
        if int(c.get("min") or 1) > 1:
            s = list(smallest_hw)
            s[i] = int(c["min"]) - 1
            excluded.append(tuple(s))
        period = int(c.get("period") or c.get("multiple_of") or 1)
        if period > 1:
            s = list(smallest_hw)
            s[i] = smallest_hw[i] + 1
            while ok(c, s[i]):
                s[i] += 1
            excluded.append(tuple(s))
    return allowed_hw, excluded


def check_formulas_equal(ck, name, report, sizes, label=None):
    """The report's output formulas equal EXPECTED's at every size (as numbers)."""
    out_name, _, want = EXPECTED[name]
    name = label or name
    got = [o for o in report.get("outputs", []) if o.get("name") == out_name]
    if not got:
        ck.fail("%s: no output %r in the report" % (name, out_name))
        return
    for h, w in sizes:
        env = fo.symbol_env(report, [1, 3, h, w])
        try:
            have = [fo.eval_dim(d, env) for d in got[0]["dims"]]
        except fo.FormulaError as e:
            ck.fail("%s at %dx%d: %s" % (name, h, w, e))
            continue
        expect = [fo.eval_dim(d, {"H": h, "W": w}) for d in want]
        if have != expect:
            ck.fail("%s at %dx%d: the report says %s, expected %s"
                    % (name, h, w, fo.fmt_dims(have), fo.fmt_dims(expect)))
            return
    ck.check(True, "%s: output formulas [%s] agree with the expected [%s] at %d sizes"
             % (name, ", ".join(got[0]["dims"]), ", ".join(want), len(sizes)))


def run_mlc(ck, args, name, model, expect_verdict):
    code, report, err, secs = fo.run_check_flexible(args.mlc, model, timeout=args.timeout)
    if report is None or code not in (0, 1):
        ck.fail("%s: mlc check-flexible %s: exit %s: %s"
                % (name, os.path.basename(model), code, (err or "").strip()[-500:]))
        return None
    print_report(ck, report, secs, os.path.basename(model))
    fo.check_report(ck, report, expect_verdict, code)
    return report


def check_sizes(ck, name, report, static, dynamic, sizes, work):
    """ORT against the report at each size: allowed sizes must run with the formulas'
    shapes, excluded ones must fail. Also the static export at its size."""
    by_index = fo.other_symbols(report, static, {})
    fo.check_size(ck, report, static, [1, 3, EXPORT_SIZE, EXPORT_SIZE], work,
                  label="%s export size" % name, by_index=by_index)
    allowed = []
    for h, w in sizes:
        env = fo.symbol_env(report, [1, 3, h, w], None, by_index)
        broken, _ = fo.broken_constraints(report, env)
        if broken:
            fo.check_violation(ck, report, dynamic, [1, 3, h, w], work, by_index=by_index)
        else:
            allowed.append([1, 3, h, w])
            fo.check_size(ck, report, dynamic, [1, 3, h, w], work,
                          label="%s size" % name, by_index=by_index)
    # Each baked constant's formula against what the dynamic export computes in its place.
    fo.check_baked_in_ort(ck, report, dynamic, allowed, work, by_index=by_index)


def time_mlc(args, model):
    times = []
    for _ in range(args.time_runs):
        proc, secs = measure.run_timed([args.mlc, "check-flexible", model], args.timeout)
        times.append(secs)
        if proc.returncode not in (0, 1):
            return None, proc.stderr.decode(errors="replace")[-300:]
    return times, None


def parse_sizes(text):
    sizes = []
    for part in text.split(","):
        if part.strip():
            sizes.append(fo.parse_size(part))
    return sizes


def main():
    p = acceptance.parser("mlc check-flexible on torchvision models, checked against ONNX "
                          "Runtime at other sizes.", "/tmp/mlc-flexible", "the exports")
    p.add_argument("--models", default=",".join(EXPECTED),
                   help="comma-separated (default: %s)" % ",".join(EXPECTED))
    p.add_argument("--sizes", default=DEFAULT_SIZES,
                   help="HxW sizes for the dynamic exports (default %s; the constraints' "
                   "boundary sizes are added)" % DEFAULT_SIZES)
    p.add_argument("--opset", type=int, default=13)
    p.add_argument("--timeout", type=float, default=600, help="seconds per command")
    p.add_argument("--time-runs", type=int, default=5,
                   help="runs of check-flexible on %s to time (default 5)" % TIMED_MODEL)
    acceptance.add_mode_options(
        p, "no mlc: exports, and ONNX Runtime against the expected formulas")
    args = p.parse_args()

    models = acceptance.names(p, args.models, EXPECTED, "model")
    try:
        sizes = parse_sizes(args.sizes)
    except argparse.ArgumentTypeError as e:
        p.error(str(e))
    use_mlc = acceptance.mlc_mode("check_flexible_torchvision", args)
    if use_mlc is None:
        return 2

    summary = []
    timing = None
    for name in models:
        static, dynamic = ensure_exports(args.work, name, args.opset, log)
        if args.export_only:
            print(static)
            print(dynamic)
            continue
        ck = fo.Checker()
        _, expect_verdict, _ = EXPECTED[name]
        log("\n== %s (%.1f MB at %dx%d)" % (name, os.path.getsize(static) / 1e6, EXPORT_SIZE,
                                           EXPORT_SIZE))
        if use_mlc:
            report = run_mlc(ck, args, name, static, expect_verdict)
            dyn_report = run_mlc(ck, args, name, dynamic, "flexible")
        else:
            report = dyn_report = expected_report(name)
            ck.say("  (no mlc: the expected formulas [%s], no constraints)"
                   % ", ".join(EXPECTED[name][2]))
        if report is not None:
            allowed, excluded = boundary_sizes(report)
            todo = list(dict.fromkeys(sizes + allowed + excluded))
            if use_mlc:
                check_formulas_equal(ck, name, report,
                                     [s for s in todo if not fo.broken_constraints(
                                         report, fo.symbol_env(report, [1, 3] + list(s)))[0]])
                if dyn_report is not None:
                    check_formulas_equal(ck, name, dyn_report, sizes,
                                         label=name + " (dynamic export)")
            with tempfile.TemporaryDirectory(prefix="mlc-flexible-ort.") as work:
                check_sizes(ck, name, report, static, dynamic, todo, work)
        summary.append((name, report.get("verdict") if report and use_mlc else "-", ck.ok,
                        ck.count))
        if use_mlc and name == TIMED_MODEL:
            times, err = time_mlc(args, static)
            if err:
                timing = (None, err)
            else:
                timing = (times, None)

    if args.export_only:
        return 0
    print("\n%-30s %-9s %-9s %s" % ("model", "verdict", "expected", "result"))
    for name, verdict, ok, count in summary:
        print("%-30s %-9s %-9s %s (%d checks)" % (name, verdict, EXPECTED[name][1] if use_mlc
                                                   else "-", "PASS" if ok else "FAIL", count))
    status = 0 if all(ok for _, _, ok, _ in summary) else 1
    if timing:
        times, err = timing
        if err:
            print("timing: mlc check-flexible failed: %s" % err)
            status = 1
        else:
            mb = os.path.getsize(export_paths(args.work, TIMED_MODEL)[0]) / 1e6
            fast = min(times) < TIME_TARGET_S
            print("timing: mlc check-flexible %s_%d.onnx (%.0f MB), %d runs: min %.3f s, "
                  "median %.3f s (target < %.0f s: %s)"
                  % (TIMED_MODEL, EXPORT_SIZE, mb, len(times), min(times),
                     statistics.median(times), TIME_TARGET_S, "PASS" if fast else "FAIL"))
            status = status if fast else 1
    return status


if __name__ == "__main__":
    sys.exit(main())
