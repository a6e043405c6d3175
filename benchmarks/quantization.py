#!/usr/bin/env python3
"""What each quantization mode costs on real networks: file size against the float .mlc and
output accuracy, in one run.

    /usr/bin/python3 benchmarks/quantization.py [--mlc BIN] [--markdown]

For torchvision resnet18 and fcn_resnet50 (random weights, torch.manual_seed(0), exported
at 224x224 into utils' caches; made with torch if missing), each mode and bit width runs
`mlc quantize MODEL -o q.mlc --report --json`: the quantized .mlc's size over the fp32
.mlc's (`mlc compile`), and the output SNR, max abs error, cosine and top-1 agreement on
mlc compare's deterministic synthetic inputs (4 samples: a smooth pattern and 3 standard
normal ones).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "utils"))

MODES = [
    ("fp16", ["--mode", "fp16"]),
    ("linear 8-bit per channel", ["--mode", "linear", "--bits", "8"]),
    ("linear 8-bit per tensor", ["--mode", "linear", "--bits", "8", "--granularity", "per-tensor"]),
    ("linear 4-bit per channel", ["--mode", "linear", "--bits", "4"]),
    ("linear 2-bit per channel", ["--mode", "linear", "--bits", "2"]),
    ("k-means 8-bit", ["--mode", "kmeans", "--bits", "8"]),
    ("k-means 6-bit", ["--mode", "kmeans", "--bits", "6"]),
    ("k-means 4-bit", ["--mode", "kmeans", "--bits", "4"]),
    ("k-means 4-bit, a LUT per channel", ["--mode", "kmeans", "--bits", "4", "--group-channels", "1"]),
    ("k-means 2-bit", ["--mode", "kmeans", "--bits", "2"]),
    ("k-means 1-bit", ["--mode", "kmeans", "--bits", "1"]),
]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mlc", default=os.path.join(REPO, "build", "bin", "mlc"))
    p.add_argument("--markdown", action="store_true")
    args = p.parse_args()
    import torch_exports as te
    work = tempfile.mkdtemp(prefix="mlc-quant-")
    rows = []
    for name in ("resnet18", "fcn_resnet50"):
        model = te.sized_export(os.path.join("/tmp/mlc-flexible", "%s_224.onnx" % name))
        fp32 = os.path.join(work, name + ".mlc")
        subprocess.run([args.mlc, "compile", model, "-o", fp32], check=True,
                       stdout=subprocess.DEVNULL)
        base = os.path.getsize(fp32)
        for label, flags in MODES:
            out = os.path.join(work, "q.mlc")
            proc = subprocess.run([args.mlc, "quantize", model, "-o", out, "--report",
                                   "--json"] + flags, check=True, stdout=subprocess.PIPE,
                                  text=True)
            report = json.loads(proc.stdout)
            worst = min(report["comparison"]["outputs"],
                        key=lambda o: float(o["snr_db"]))
            top1 = ("%d/%d" % (worst["top1_agree"], worst["top1_count"])
                    if "top1_agree" in worst else "-")
            rows.append((name, label, os.path.getsize(out) / base, float(worst["snr_db"]),
                         float(worst["max_abs_error"]), float(worst["max_abs_reference"]),
                         float(worst["cosine"]), top1))
            print("%-13s %-36s size %.3fx  SNR %6.2f dB  cos %.6f  top-1 %s" % (
                rows[-1][0], rows[-1][1], rows[-1][2], rows[-1][3], rows[-1][6], top1),
                flush=True)
    if args.markdown:
        print("\n| model | mode | size / fp32 .mlc | output SNR dB | max abs error "
              "(of max) | cosine | top-1 |")
        print("|---|---|---|---|---|---|---|")
        for r in rows:
            print("| %s | %s | %.3f | %.2f | %.3g (%.3g) | %.6f | %s |" % r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
