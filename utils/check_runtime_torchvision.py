#!/usr/bin/python3
"""Acceptance check of the runtime on real networks, against ONNX Runtime.

    /usr/bin/python3 utils/check_runtime_torchvision.py [--reference] [--work DIR]

torchvision resnet18, mobilenet_v2 and fcn_resnet50 (random weights, torch.manual_seed(0))
exported at 224x224 are compiled (`mlc compile`), and fcn_resnet50's 224 and 448 exports
merged straight into one .mlc (`mlc merge ... -o x.mlc`); each runs in mlcrt (`mlc run`)
at every enumerated size and must match ONNX Runtime on the export of that size within
1e-4 of the output's largest magnitude (test/Runtime/runtime_ort.py does each check; the
classifiers also check that a batch of 2 equals its items run alone). With --more, a dozen
other torchvision classifiers too (MORE).

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

# More torchvision classifiers (--more): each family's building blocks (depthwise and
# grouped convs, squeeze-excite, channel shuffle, dense concatenation, inception
# branches and their padded average pools, layer norm and GELU in ConvNeXt, SiLU and
# Hardswish exported as x times a gate; ViT's attention, and the Equal and Where that
# torch's expand(n, -1, -1) of its class token exports; MaxViT's attention as Einsum;
# Swin's shifted-window masks from Range, Mod and ScatterND).
MORE = ["mobilenet_v3_small", "squeezenet1_0", "shufflenet_v2_x1_0", "efficientnet_b0",
        "densenet121", "googlenet", "regnet_y_400mf", "convnext_tiny", "vgg11", "mnasnet0_5",
        "resnext50_32x4d", "wide_resnet50_2", "inception_v3", "mobilenet_v3_large",
        "efficientnet_v2_s", "vit_b_16", "maxvit_t", "swin_t"]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mlc", default=os.path.join(REPO, "build", "bin", "mlc"))
    p.add_argument("--reference", action="store_true", help="mlc run --reference")
    p.add_argument("--work", default="/tmp/mlc-runtime-check")
    p.add_argument("--more", action="store_true",
                   help="also the other architectures (MORE), each at 224 with a batch of 2")
    args = p.parse_args()
    flexible, merge = "/tmp/mlc-flexible", "/tmp/mlc-merge"
    cases = [
        ("resnet18", ["--batch", "2"], [os.path.join(flexible, "resnet18_224.onnx")]),
        ("mobilenet_v2", ["--batch", "2"], [os.path.join(flexible, "mobilenet_v2_224.onnx")]),
        ("fcn_resnet50", [], [os.path.join(flexible, "fcn_resnet50_224.onnx")]),
        ("fcn_resnet50 merged 224+448", [],
         [os.path.join(merge, "fcn_resnet50_%d.onnx" % s) for s in (224, 448)]),
    ]
    if args.more:
        cases += [(name, ["--batch", "2"], [os.path.join(args.work, "%s_224.onnx" % name)])
                  for name in MORE]
    failed = []
    for name, extra, exports in cases:
        for path in exports:
            te.sized_export(path)
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
