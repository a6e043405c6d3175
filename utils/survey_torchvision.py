#!/usr/bin/python3
"""Survey of torchvision's architectures: what users get from mlc on each, at several sizes.

    /usr/bin/python3 utils/survey_torchvision.py                     # every model, 224 and 320
    /usr/bin/python3 utils/survey_torchvision.py --models resnet18,swin_t --sizes 224,288,448
    /usr/bin/python3 utils/survey_torchvision.py --large             # the >300 MB ones too
    /usr/bin/python3 utils/survey_torchvision.py --markdown docs/survey.md
    /usr/bin/python3 utils/survey_torchvision.py --dynamic-batch --work /tmp/mlc-survey-batch
    /usr/bin/python3 utils/survey_torchvision.py --dynamic-size --work /tmp/mlc-survey-dynsize
    /usr/bin/python3 utils/survey_torchvision.py --sizes 224,448 --range 224..448 \
        --held-out 288,250x333

For each of torchvision's classification, segmentation and video classification models
(random weights from torch.manual_seed(0), eval mode; utils/torch_exports.py), it exports
WORK/<model>_<size>.onnx at every size (a video model's of 16 frames; torch.onnx.export at
opset 13 or --opset, batch 1 or --dynamic-batch; an existing export is reused; a model
torch cannot export at a size is reported as such), then:

1. `mlc check-flexible` on the export of the first size: the verdict (flexible, or what
   stops it); an exit code other than 0 or 1 is a failure;
2. `mlc merge` of the exports into one .mlc, run by `mlc run` at each size against ONNX
   Runtime on that export (test/Runtime/runtime_ort.py: max|diff| at most 1e-4 of the
   output's largest magnitude), and a batch of 2 against its items run alone. When mlc
   refuses to merge the exports as different networks (exit 1: torchvision's graph changes
   with the size, as Swin's at 224), each export is compiled and checked alone instead.
   With --dynamic-size: one export of dynamic H and W (D too for a video) traced at the
   first size, merged alone with `--shapes SIZES`, and run at each size against ONNX
   Runtime on that export. With --range SPEC: the exports merged with `--shapes SPEC`
   (a range), and run at their sizes and at each --held-out size (H = W, or HxW), whose
   exports are made but not merged: what the range promises between its exports' sizes.
   A network the range does not fit (exit 1: a size it cannot take) is checked at each
   export alone.

A table gives, per model, the sizes exported, the verdict, the merge (merged / refused /
failed), the largest max|diff| / max|ort| of its outputs and the seconds taken. Exit code 0
when every model torch exports passes, 1 otherwise, 2 on usage errors or a missing tool.
Manual, not in CI: about an hour for every model under --large's limit, ~40 GB under WORK
(--clean drops the files of each model that passes).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "utils"))
import acceptance  # noqa: E402
from acceptance import log  # noqa: E402
import torch_exports as te  # noqa: E402

# Over 300 MB of weights at float32 (or, for swin_v2_*, not exportable by torch 1.13's
# exporter): left out unless --large.
LARGE = ("vit_h_14", "vit_l_16", "vit_l_32", "regnet_y_128gf", "regnet_y_32gf",
         "regnet_x_32gf", "convnext_large", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16",
         "vgg16_bn", "vgg19", "vgg19_bn", "wide_resnet101_2", "swin_v2_t", "swin_v2_s",
         "swin_v2_b")

RATIO = re.compile(r"max\|diff\| \S+, (\S+) of max\|ort\|")


def all_models():
    import torchvision
    return (torchvision.models.list_models(module=torchvision.models)
            + list(te.SEGMENTATION) + list(te.VIDEO))


def export_all(name, sizes, args):
    """The exports of name at sizes ("224" or "256x320") that torch makes, and for each
    size it cannot, why."""
    made, refused = [], []
    # With --dynamic-size, one export (traced at the first size) takes them all.
    for size in sizes[:1] if args.dynamic_size else sizes:
        path = os.path.join(args.work, "%s_%s.onnx" % (name, size))
        try:
            te.sized_export(path, log=log, dynamic_batch=args.dynamic_batch,
                             opset=args.opset, dynamic_size=args.dynamic_size)
            made.append(path)
        except Exception as e:  # torch's exporter and torchvision's own asserts
            line = (str(e).strip().splitlines() or [type(e).__name__])[0]
            refused.append("%s: %s" % (size, line.split(" Please ")[0][:120]))
    return made, refused


def check_flexible(mlc, export):
    """(ok, verdict) of mlc check-flexible --json on export: the verdict, and for a network
    that is not flexible, how many nodes stop it or bake its size and the first's op."""
    proc = subprocess.run([mlc, "check-flexible", export, "--json"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=600)
    if proc.returncode not in (0, 1):
        return False, "exit %d: %s" % (proc.returncode, proc.stderr.strip()[-200:])
    report = json.loads(proc.stdout)
    verdict = report["verdict"]
    for kind in ("blockers", "baked"):
        if report[kind]:
            verdict += ", %d %s (first: %s)" % (len(report[kind]), kind,
                                                report[kind][0].get("op", "?"))
    return True, verdict


def runtime_check(mlc, exports, work, batch, shapes=None, held_out=()):
    """(returncode, output) of runtime_ort.py on exports (merged when several, or merged
    with --shapes: an export of dynamic sizes, run at each of `shapes`, each the export's
    input shape after the channels, or a range spec as text; held_out: exports checked but
    not merged)."""
    cmd = [sys.executable, os.path.join(REPO, "test", "Runtime", "runtime_ort.py"),
           "--mlc", mlc, "--work", work, "--batch", str(batch)] + exports
    if shapes:
        cmd += ["--shapes", shapes if isinstance(shapes, str) else
                ",".join("x".join(str(d) for d in s) for s in shapes)]
    if held_out:
        cmd += ["--held-out"] + list(held_out)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return proc.returncode, proc.stdout


def worst_ratio(output):
    ratios = [float(r) for r in RATIO.findall(output)]
    return "%.1e" % max(ratios) if ratios else "-"


def survey(name, args):
    start = time.time()
    row = {"model": name}
    exports, refused = export_all(name, args.sizes, args)
    held_out, refused_held_out = export_all(name, args.held_out, args) if exports else ([], [])
    row["sizes"] = ",".join(size_of(e) for e in exports)
    if args.dynamic_size and exports:
        row["sizes"] = ",".join(args.sizes) + " (one dynamic export)"
    if args.range and exports:
        row["sizes"] += " as %s%s" % (args.range, "; held out %s" % ",".join(
            size_of(e) for e in held_out) if held_out else "")
    row["not exported"] = "; ".join(refused + refused_held_out)
    if not exports:
        row.update(verdict="-", merge="-", ratio="-", ok=None)
        return row
    ok, row["verdict"] = check_flexible(args.mlc, exports[0])
    log("  check-flexible: %s" % row["verdict"])
    work = os.path.join(args.work, name)
    # An export of dynamic sizes is given every size (D x H x W of a video).
    shapes = [te.input_shape(name, te.parse_size(size))[2:] for size in args.sizes] \
        if args.dynamic_size and len(args.sizes) > 1 else args.range
    code, out = runtime_check(args.mlc, exports, work, args.batch, shapes, held_out)
    row["merge"] = "merged" if len(exports) > 1 or shapes else "one size"
    merge_refused = re.search(r"mlc merge -o model.mlc \(\S+ s\): exit 1:", out)
    if code != 0 and merge_refused and "is not the same network" in out:
        row["merge"] = "refused"
    elif code != 0 and merge_refused and args.range:
        # A range the network cannot take (its export fixes the size: ViT's position
        # embedding, or a size its flexibility proof refuses).
        row["merge"] = "refused range"
    elif code != 0 and args.dynamic_size and "which the shape set asks for" in out:
        # A size the network cannot take (its export fixes it: ViT's position
        # embedding): refused, as it should be; the export is checked at its own.
        row["merge"] = "refused %s" % ",".join(str(s) for s in args.sizes[1:])
        code, more = runtime_check(args.mlc, exports, work, args.batch, shapes[:1])
        out += more
    if row["merge"] in ("refused", "refused range"):
        # Each export checked alone instead.
        code = 0
        for e in exports:
            c, o = runtime_check(args.mlc, [e], work, args.batch)
            code, out = max(code, c), out + o
    elif code != 0 and (len(exports) > 1 or args.range):
        row["merge"] = "failed"
    for line in out.splitlines():
        log("    " + line)
    row["ratio"] = worst_ratio(out)
    row["ok"] = ok and code == 0
    row["seconds"] = time.time() - start
    if args.clean and row["ok"]:
        for e in exports + held_out:
            for data in external_data_files(e):
                if os.path.exists(data):
                    os.remove(data)
            os.remove(e)
        shutil.rmtree(work, ignore_errors=True)
    return row


def size_of(export):
    """The size an export's file name gives ("224", "256x320")."""
    return os.path.basename(export)[:-len(".onnx")].rsplit("_", 1)[1]


def external_data_files(path):
    """The files beside the export at path that hold its weights (torch writes them for
    models over protobuf's 2 GB: ViT-H/14)."""
    import onnx
    model = onnx.load(path, load_external_data=False)
    files = set()
    for tensor in model.graph.initializer:
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            for entry in tensor.external_data:
                if entry.key == "location":
                    files.add(os.path.join(os.path.dirname(path), entry.value))
    return sorted(files)


def table(rows):
    lines = ["| model | sizes | check-flexible (first size) | merge | max rel. diff | result |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        result = {True: "pass", False: "FAIL", None: "not exported"}[r["ok"]]
        if r["not exported"]:
            result += " (torch refuses %s)" % r["not exported"]
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            r["model"], r["sizes"] or "-", r["verdict"], r["merge"], r["ratio"], result))
    return "\n".join(lines)


def main():
    p = acceptance.parser(__doc__.split("\n")[0], "/tmp/mlc-survey", "the exports")
    p.add_argument("--models", help="comma-separated (default: every model of torchvision's)")
    p.add_argument("--sizes", default="224,320", help="square input sizes (default 224,320)")
    p.add_argument("--batch", type=int, default=2, help="the batch checked (default 2)")
    p.add_argument("--large", action="store_true", help="also the models in LARGE")
    p.add_argument("--opset", type=int, default=13,
                   help="the exports' opset (default 13; torch 1.13's own default is 14, "
                        "its newest 17; use another --work for each)")
    p.add_argument("--dynamic-batch", action="store_true",
                   help="export with a dynamic batch axis (torch's dynamic_axes {0: 'batch'}; "
                        "use another --work than fixed-batch exports)")
    p.add_argument("--dynamic-size", action="store_true",
                   help="one export per model with dynamic H and W (and D of a video), "
                        "traced at the first size, merged with --shapes SIZES and run at "
                        "each (use another --work)")
    p.add_argument("--range", metavar="SPEC",
                   help="merge the exports over this range (mlc merge --shapes SPEC, e.g. "
                        "224..448:32; use another --work per range)")
    p.add_argument("--held-out", default="",
                   help="with --range: sizes in it (H = W, or HxW) exported and checked but "
                        "not merged")
    p.add_argument("--clean", action="store_true", help="drop the files of each model that passes")
    p.add_argument("--markdown", help="also write the table to this file")
    args = p.parse_args()
    try:
        args.sizes = [str(int(s)) for s in args.sizes.split(",")]
        args.held_out = [s for s in args.held_out.split(",") if s]
        [te.parse_size(s) for s in args.held_out]
    except ValueError:
        p.error("--sizes takes comma-separated integers, --held-out sizes or HxW pairs")
    if args.held_out and not args.range:
        p.error("--held-out is for a --range")
    if args.range and args.dynamic_size:
        p.error("--range merges exports of fixed sizes; --dynamic-size takes --sizes")
    known = all_models()
    models = acceptance.names(p, args.models, known, "model") if args.models else [
        m for m in known if args.large or m not in LARGE]
    if not acceptance.ready(p.prog, args, True, "build it or pass --mlc", need_ort=True):
        return 2
    rows = []
    for name in models:
        log("== %s" % name)
        rows.append(survey(name, args))
        r = rows[-1]
        log("  %s in %.0f s" % ({True: "pass", False: "FAIL", None: "not exported"}[r["ok"]],
                                r.get("seconds", 0)))
    text = table(rows)
    print(text)
    if args.markdown:
        with open(args.markdown + ".tmp", "w") as f:
            f.write(text + "\n")
        os.replace(args.markdown + ".tmp", args.markdown)
    failed = [r["model"] for r in rows if r["ok"] is False]
    print("survey: %d of %d models pass%s" % (
        sum(r["ok"] is True for r in rows), len(rows),
        "; FAILED: " + ", ".join(failed) if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
