#!/usr/bin/env python3
"""End-to-end check of import and export against ONNX Runtime's numbers.

    ort_roundtrip.py --mlc build/bin/mlc MODEL.onnx --shape 1x3x64x64 [--via mlirbc|mlir|direct]

Imports MODEL with mlc (through MLIR bytecode or text, or straight), exports it
back to ONNX, runs both the original and mlc's export in ONNX Runtime on the
same input, and requires every output to agree: max |a - b| <= 1e-5 * max |a|.

Exit codes: 0 agree, 1 differ or mlc failed, 77 ONNX Runtime is not installed
(ctest reports the test as skipped).
"""

import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "utils"))
import ort_compare  # noqa: E402

SKIP = 77


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--mlc", required=True)
    parser.add_argument("--shape", required=True, help="input dims, e.g. 1x3x64x64")
    parser.add_argument("--via", default="mlirbc", choices=["mlirbc", "mlir", "direct"])
    parser.add_argument("--opset", type=int, help="the opset mlc exports at")
    parser.add_argument("--rtol", type=float, default=1e-5)
    args = parser.parse_args()

    if not os.path.isdir(os.path.join(ort_compare.default_node_modules(), "onnxruntime-node")):
        print("onnxruntime-node is not installed (utils/setup.sh installs it): skipped")
        return SKIP

    with tempfile.TemporaryDirectory(prefix="mlc-roundtrip-") as work:
        source = args.model
        if args.via != "direct":
            source = os.path.join(work, "model." + args.via)
            subprocess.run([args.mlc, "import", args.model, "-o", source], check=True)
        exported = os.path.join(work, "exported.onnx")
        command = [args.mlc, "export", source, "-o", exported]
        if args.opset:
            command += ["--opset", str(args.opset)]
        subprocess.run(command, check=True)
        shape = ort_compare.parse_dims(args.shape)
        ref, _ = ort_compare.run_model(args.model, os.path.join(work, "ref"), shape=shape)
        test, _ = ort_compare.run_model(exported, os.path.join(work, "test"), shape=shape)
        rows = ort_compare.compare_outputs(ref, test, rtol=args.rtol)
        ok = True
        for row in rows:
            print("%-12s %-14s max|ref| %-10.4g max|diff| %-10.4g %s %s" % (
                row["name"], "x".join(map(str, row["shape"])), row["max_abs_ref"],
                row["max_abs_diff"], "PASS" if row["ok"] else "FAIL", row["note"]))
            ok = ok and row["ok"]
        return 0 if ok and rows else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as e:
        print("mlc failed: %s" % " ".join(e.cmd))
        sys.exit(1)
    except ort_compare.OrtError as e:
        print("ONNX Runtime: %s" % e)
        sys.exit(1)
