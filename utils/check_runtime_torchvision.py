#!/usr/bin/python3
"""Acceptance check of the runtime on real networks, against ONNX Runtime.

    /usr/bin/python3 utils/check_runtime_torchvision.py [--reference] [--work DIR]

torchvision resnet18, mobilenet_v2 and fcn_resnet50 (random weights, torch.manual_seed(0))
exported at 224x224 are compiled (`mlc compile`), and fcn_resnet50's 224 and 448 exports
merged straight into one .mlc (`mlc merge ... -o x.mlc`); each runs in mlcrt (`mlc run`)
at every enumerated size and must match ONNX Runtime on the export of that size within
1e-4 of the output's largest magnitude (test/Runtime/runtime_ort.py does each check; the
classifiers also check that a batch of 2 equals its items run alone).

Needs torch and torchvision (Debian's /usr/bin/python3) the first time, to export (the
exports are cached in /tmp/mlc-flexible and /tmp/mlc-merge, shared with the other
acceptance scripts); Node.js and onnxruntime-node (utils/setup.sh). Manual, not in CI.
"""

import argparse
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "utils"))

import torch_exports as te  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mlc", default=os.path.join(REPO, "build", "bin", "mlc"))
    p.add_argument("--reference", action="store_true", help="mlc run --reference")
    p.add_argument("--work", default="/tmp/mlc-runtime-check")
    args = p.parse_args()
    flexible, merge = "/tmp/mlc-flexible", "/tmp/mlc-merge"
    cases = [
        ("resnet18", ["--batch", "2"], [os.path.join(flexible, "resnet18_224.onnx")]),
        ("mobilenet_v2", ["--batch", "2"], [os.path.join(flexible, "mobilenet_v2_224.onnx")]),
        ("fcn_resnet50", [], [os.path.join(flexible, "fcn_resnet50_224.onnx")]),
        ("fcn_resnet50 merged 224+448", [],
         [os.path.join(merge, "fcn_resnet50_%d.onnx" % s) for s in (224, 448)]),
    ]
    failed = []
    for name, extra, exports in cases:
        for path in exports:
            te.square_export(path)
        print("== %s" % name, flush=True)
        cmd = [sys.executable, os.path.join(REPO, "test", "Runtime", "runtime_ort.py"),
               "--mlc", args.mlc, "--work", os.path.join(args.work, name.replace(" ", "_"))]
        cmd += extra + (["--reference"] if args.reference else []) + exports
        if subprocess.run(cmd).returncode != 0:
            failed.append(name)
    print("runtime vs ONNX Runtime: %d of %d models agree%s" % (
        len(cases) - len(failed), len(cases), "; FAILED: " + ", ".join(failed) if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
