#!/usr/bin/python3
"""Acceptance check of `mlc merge` on real networks, against ONNX Runtime.

    /usr/bin/python3 utils/check_merge_torchvision.py                # everything
    /usr/bin/python3 utils/check_merge_torchvision.py --cases fcn-range,unet-enum
    /usr/bin/python3 utils/check_merge_torchvision.py --no-mlc       # before mlc merge:
                           # exports, ORT, and the checks on a stand-in "merged" model
    /usr/bin/python3 utils/check_merge_torchvision.py --export-only
    /usr/bin/python3 utils/check_merge_torchvision.py --diff         # also print what
                           # differs between the exports (needs the onnx package)

Needs torch and torchvision (Debian's /usr/bin/python3) the first time, to export; Node.js
and onnxruntime-node (utils/setup.sh) for ONNX Runtime; /usr/bin/time (else os.wait4) for
the memory figures. Manual, not in CI: a few minutes and ~1 GB under WORK.

Exports (torch.onnx.export, opset 13, eval mode, do_constant_folding, input "image", output
"out"; an existing file is reused; WORK defaults to /tmp/mlc-merge):

    fcn_resnet50_{224,448}.onnx   torchvision fcn_resnet50(weights=None, weights_backbone=None,
                                  aux_loss=False), torch.manual_seed(0), a wrapper returning
                                  out["out"]; ~135 MB each, byte-identical weights
    fcn_resnet50_320.onnx         the same at 320: a fresh export in the range, never merged
    fcn_resnet50_dynamic.onnx     the same with dynamic H, W: only --no-mlc's stand-in
    unet_{64,96,128}.onnx         the repository's test UNet (utils/make_fixtures.py,
                                  merge_unet: the same as test/Merge/Inputs/unet_*.onnx;
                                  --unet-sizes picks others), unet_112.onnx the fresh one
                                  (--unet-between), unet_dynamic.onnx the stand-in

Cases (each checked by test/Merge/merge_ort.py's checks: exit code, the --json report's
shape set, dim_params and mlc.shapes in the merged .onnx, its size at most 1.01x one export,
and ONNX Runtime at each export's size with outputs equal to that export's, max |diff| at
most 1e-5 of the output's largest magnitude; for a range, also against the fresh export,
and the merged model run at sizes of the set no export has, H != W among them):

    fcn-enum     mlc merge fcn_resnet50_224 fcn_resnet50_448
    fcn-range    ... --shapes 224..448:32, between: fcn_resnet50_320
    unet-enum    mlc merge unet_64 unet_96 unet_128
    unet-range   ... --shapes 64..128:16, between: unet_112

Then the cost (the issue's targets): `mlc merge fcn_resnet50_224 fcn_resnet50_448 -o
merged.onnx` and `-o merged.mlirbc`, each --time-runs times under /usr/bin/time -v: wall
time (min) under 3 s, peak RSS (max) under 1.5x one export's file size, and the merged
.onnx at most 1.01x one export (the .mlirbc's ratio is printed, not held to it).

--no-mlc: the exports, each run in ORT against torch (1e-4), the weights of each family
compared, and each case's checks run on a stand-in for mlc's output: the dynamic export
with the shape set written into its metadata and a report made by hand. It shows that the
checks pass on a right model at this scale (and that the fresh export matches a flexible
model of the same weights); it checks nothing of mlc.

Exit code 0 when every check passes, 1 otherwise, 2 on usage errors or a missing tool.
Environment: ORT_NODE_MODULES, ORT_RUN, NODE (see utils/ort_compare.py).
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "utils"))
sys.path.insert(0, os.path.join(REPO, "test", "Merge"))
import acceptance  # noqa: E402
from acceptance import log  # noqa: E402
import measure  # noqa: E402
import merge_ort as mo  # noqa: E402
import ort_compare as oc  # noqa: E402
import torch_exports as te  # noqa: E402

TIME_TARGET_S = 3.0
RSS_TARGET = 1.5      # x one export's file size
SIZE_TARGET = 1.01    # x one export's file size
FCN = "fcn_resnet50"


# ----------------------------------------------------------------------------------------
# Exports

def unet():
    import make_fixtures as mf
    net, _, _ = mf.build_merge_net("unet", 0)
    return net


NETS = {"fcn_resnet50": lambda: te.torchvision_model("fcn_resnet50"), "unet": unet}


def export(family, size, path, dynamic=False):
    """torch.onnx.export of family at SIZExSIZE into path; dynamic: H and W of the input
    and output are dynamic_axes."""
    if family == "unet":  # the fixtures' own export: byte-identical to test/Merge/Inputs
        import make_fixtures as mf
        mf.export_merge("unet", 0, (size, size), ("image",), path, dynamic=dynamic)
        return
    axes = {"image": {2: "height", 3: "width"}, "out": {2: "height", 3: "width"}} \
        if dynamic else None
    te.export(NETS[family](), [(1, 3, size, size)], path, "out", dynamic_axes=axes)


def export_path(work, family, size):
    return os.path.join(work, "%s_%s.onnx" % (family, size))


def ensure(work, family, size, log):
    """The export of family at size (an int, or "dynamic": traced at 64 for the UNet, 224
    for the FCN), made if missing."""
    dynamic = size == "dynamic"
    traced = (64 if family == "unet" else 224) if dynamic else size
    return te.cached(export_path(work, family, size), "%s at %s" % (family, size),
                     lambda tmp: export(family, traced, tmp, dynamic=dynamic), log)


# ----------------------------------------------------------------------------------------
# Checks

def check_exports(ck, family, paths, work):
    """Each export in ORT against torch on the sin pattern (1e-4): the exports themselves
    are right, before mlc is held to them."""
    net = NETS[family]()
    for path in paths:
        info = mo.read_model_info(path)
        dims = info["inputs"][0][2]
        try:
            outs, _ = oc.run_model(path, os.path.join(work, "ort"), shape=dims)
        except oc.OrtError as e:
            ck.fail("%s does not run in ORT: %s" % (os.path.basename(path), mo._short_error(e)))
            continue
        r = te.against_torch(net, [oc.sin_pattern(dims)], list(outs.values())[0])
        ck.check(r["ok"], "%s: ORT vs torch at %s: ratio %.2g%s" % (
            os.path.basename(path), oc.format_dims(dims), r["ratio"],
            " " + r["note"] if r["note"] else ""))


def print_diffs(ck, paths):
    """What differs between the first export and each other one (make_fixtures'
    diff_models); the initializers must not."""
    try:
        import onnx
        import make_fixtures as mf
    except ImportError:
        ck.say("  --   (no onnx package: the exports are not diffed)")
        return
    first = onnx.load(paths[0])
    for path in paths[1:]:
        other = onnx.load(path)
        diffs = mf.diff_models(first, other)
        ck.say("  --   %s vs %s: %d differences" % (os.path.basename(paths[0]),
                                                     os.path.basename(path), len(diffs)))
        for key, text in diffs:
            ck.say("         %-44s %s" % (key, text))
        inits = [k for k, _ in diffs if k.startswith("initializer ") or k == "nodes"]
        ck.check(not inits, "%s and %s: the same nodes and byte-identical weights%s" % (
            os.path.basename(paths[0]), os.path.basename(path),
            ": " + ", ".join(inits[:5]) if inits else ""))
        del other


def stand_in(dynamic, spec_set, merged, input_name):
    """--no-mlc: the dynamic export with the shape set in its metadata, and a report."""
    mo.write_variant(dynamic, merged, None, {mo.METADATA_KEY: "%s: %s" % (
        input_name, spec_set.text())})
    return mo.MergeResult(0, json.dumps(mo._fake_report(input_name, spec_set)), "", 0.0)


def run_case(args, name, exports, spec, between, dynamic, log):
    """One merge case: mlc merge (or the stand-in) and merge_ort's checks."""
    ck = mo.Checker()
    log("\n== %s: merge %s%s%s" % (name, " ".join(os.path.basename(e) for e in exports),
                                    " --shapes " + spec if spec else "",
                                    "; between " + ", ".join(os.path.basename(b)
                                                             for b in between)
                                    if between else ""))
    work = tempfile.mkdtemp(prefix="case-%s." % name, dir=args.work)
    try:
        out_dir = os.path.join(work, "out")
        os.makedirs(out_dir)
        merged = os.path.join(out_dir, "merged.onnx")
        # The stand-in (a dynamic export: its Shape/Gather nodes make the small UNet's file
        # 4% larger) is not held to the size target: that is mlc's.
        margs = argparse.Namespace(exports=exports, shapes=spec, input=None, between=between,
                                   expect_exit=0, expect_message=[],
                                   max_size_ratio=1.10 if args.no_mlc else SIZE_TARGET,
                                   rtol=1e-5)
        if args.no_mlc:
            base = mo.read_model_info(exports[0])["inputs"][0]
            if spec:
                want = mo.parse_spec(spec, base[2])
            else:
                want = mo.ShapeSet("enum", [tuple(mo.read_model_info(e)["inputs"][0][2])
                                            for e in exports])
            result = stand_in(dynamic, want, merged, base[0])
            ck.say("  --   stand-in for mlc: %s with the shape set in its metadata"
                   % os.path.basename(dynamic))
        else:
            result = mo.run_merge(args.mlc, exports, spec, None, merged, timeout=args.timeout)
            if result.exit_code is None:
                ck.fail(result.stderr)
                return ck, None
        mo.run_checks(margs, result, merged, work, ck)
        return ck, result.seconds
    finally:
        if args.keep:
            log("  (kept %s)" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


def measure_merge(args, exports, out_path):
    """One `mlc merge EXPORTS -o out_path`: (seconds, peak RSS in bytes, exit code, stderr)."""
    if os.path.exists(out_path):
        os.remove(out_path)
    return measure.run_peak_rss([args.mlc, "merge"] + list(exports) + ["-o", out_path],
                                args.timeout)


def timing(args, exports, log):
    """Rows: (output, [seconds], peak RSS, size, status text, ok)."""
    one = os.path.getsize(exports[0])
    rows = []
    out_dir = tempfile.mkdtemp(prefix="timing.", dir=args.work)
    try:
        for ext in ("onnx", "mlirbc"):
            out = os.path.join(out_dir, "merged." + ext)
            times, peak, fail = [], 0, None
            for _ in range(args.time_runs):
                secs, rss, code, err = measure_merge(args, exports, out)
                if code != 0:
                    fail = "exit %d: %s" % (code, err.strip()[-300:])
                    break
                times.append(secs)
                peak = max(peak, rss or 0)
            if fail:
                rows.append(("merged." + ext, [], 0, 0, fail, False))
                continue
            size = os.path.getsize(out)
            good_t = min(times) < TIME_TARGET_S
            good_m = peak < RSS_TARGET * one
            good_s = ext != "onnx" or size <= SIZE_TARGET * one
            rows.append(("merged." + ext, times, peak, size, "time %s, RSS %s%s" % (
                "ok" if good_t else "OVER", "ok" if good_m else "OVER",
                ", size " + ("ok" if good_s else "OVER") if ext == "onnx" else ""),
                good_t and good_m and good_s))
            log("  %s: %s s, peak RSS %.1f MB, %.1f MB" % (
                "merged." + ext, ", ".join("%.2f" % t for t in times), peak / 1e6, size / 1e6))
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    return rows


# ----------------------------------------------------------------------------------------

CASES = ("fcn-enum", "fcn-range", "unet-enum", "unet-range")


def parse_ints(text):
    return [int(x) for x in text.split(",") if x.strip()]


def main():
    p = acceptance.parser("mlc merge on fcn_resnet50 and a UNet, checked against ONNX "
                          "Runtime, with its time and memory.", "/tmp/mlc-merge", "the exports")
    p.add_argument("--cases", default=",".join(CASES),
                   help="comma-separated (default: %s)" % ",".join(CASES))
    p.add_argument("--fcn-sizes", default="224,448", help="default 224,448")
    p.add_argument("--fcn-range", default="224..448:32", help="default 224..448:32")
    p.add_argument("--fcn-between", default="320", help="default 320")
    p.add_argument("--unet-sizes", default="64,96,128", help="default 64,96,128")
    p.add_argument("--unet-range", default="64..128:16", help="default 64..128:16")
    p.add_argument("--unet-between", default="112", help="default 112")
    p.add_argument("--time-runs", type=int, default=3,
                   help="runs of each timed merge (default 3)")
    p.add_argument("--timeout", type=float, default=600, help="seconds per mlc run")
    acceptance.add_mode_options(p, "no mlc: exports, ORT, and the checks on a stand-in model")
    p.add_argument("--diff", action="store_true",
                   help="print what differs between the exports of each net")
    p.add_argument("--keep", action="store_true", help="keep each case's merged model")
    args = p.parse_args()

    cases = acceptance.names(p, args.cases, CASES, "case")
    try:
        fcn_sizes, unet_sizes = parse_ints(args.fcn_sizes), parse_ints(args.unet_sizes)
        fcn_between, unet_between = parse_ints(args.fcn_between), parse_ints(args.unet_between)
    except ValueError as e:
        p.error(str(e))
    use_mlc = acceptance.mlc_mode("check_merge_torchvision", args)
    if use_mlc is None:
        return 2

    families = {"fcn": (FCN, fcn_sizes, args.fcn_range, fcn_between),
                "unet": ("unet", unet_sizes, args.unet_range, unet_between)}
    wanted = sorted({c.split("-")[0] for c in cases}, reverse=True)
    files = {}
    for fam in wanted:
        net, sizes, _, between = families[fam]
        files[fam] = {
            "exports": [ensure(args.work, net, s, log) for s in sizes],
            "between": [ensure(args.work, net, s, log) for s in between],
            "dynamic": ensure(args.work, net, "dynamic", log) if args.no_mlc else None}
    if args.export_only:
        for fam in wanted:
            for path in files[fam]["exports"] + files[fam]["between"]:
                print(path)
        return 0

    summary = []
    for fam in wanted if args.diff or args.no_mlc else []:
        net, _, _, _ = families[fam]
        f = files[fam]
        ck = mo.Checker()
        log("\n== %s exports" % net)
        if args.diff or args.no_mlc:
            print_diffs(ck, f["exports"] + f["between"])
        if args.no_mlc:
            with tempfile.TemporaryDirectory(prefix="exports.", dir=args.work) as work:
                check_exports(ck, net, f["exports"] + f["between"], work)
        if ck.count:
            summary.append(("%s exports" % net, ck.ok, ck.count, None))
    for case in cases:
        fam, kind = case.split("-")
        net, _, rng, _ = families[fam]
        f = files[fam]
        spec = rng if kind == "range" else None
        between = f["between"] if kind == "range" else []
        ck, secs = run_case(args, case, f["exports"], spec, between, f["dynamic"], log)
        summary.append((case, ck.ok, ck.count, secs))

    rows = []
    if use_mlc and "fcn" in files:
        log("\n== cost: mlc merge %s" % " ".join(os.path.basename(e)
                                                   for e in files["fcn"]["exports"][:2]))
        rows = timing(args, files["fcn"]["exports"][:2], log)

    print("\n%-24s %-6s %7s %9s" % ("case", "result", "checks", "mlc (s)"))
    for name, ok, count, secs in summary:
        print("%-24s %-6s %7d %9s" % (name, "PASS" if ok else "FAIL", count,
                                      "-" if secs is None or args.no_mlc else "%.2f" % secs))
    status = 0 if all(ok for _, ok, _, _ in summary) else 1
    if rows:
        one = os.path.getsize(files["fcn"]["exports"][0])
        print("\none export: %s, %.1f MB; targets: time < %.0f s, peak RSS < %.1fx (%.0f MB), "
              ".onnx size <= %.2fx" % (os.path.basename(files["fcn"]["exports"][0]), one / 1e6,
                                       TIME_TARGET_S, RSS_TARGET, RSS_TARGET * one / 1e6,
                                       SIZE_TARGET))
        print("%-14s %9s %9s %12s %8s %10s %7s  %s" % (
            "output", "min (s)", "med (s)", "peak RSS MB", "x file", "size MB", "x file",
            "result"))
        for out, times, peak, size, text, ok in rows:
            if not times:
                print("%-14s FAIL %s" % (out, text))
            else:
                print("%-14s %9.2f %9.2f %12.1f %8.2f %10.1f %7.4f  %s %s" % (
                    out, min(times), statistics.median(times), peak / 1e6, peak / one,
                    size / 1e6, size / one, "PASS" if ok else "FAIL", text))
            status = status if ok else 1
    return status


if __name__ == "__main__":
    sys.exit(main())
