#!/usr/bin/env python3
"""Custom layers end to end: a model with two ops mlc does not know, run by a plugin.

    custom_plugin.py --mlc BIN --plugin LIB [--work DIR] [--rtol 1e-4]

examples/models/custom_ops_{64,96}.onnx (Conv -> com.example::Swish -> Conv ->
com.example::L2Pool -> Conv, made by utils/make_fixtures.py) and the plugin that
implements both classes (examples/plugins, lib/libmlc_example_plugin.so):

  1. `mlc check-flexible custom_ops_64.onnx` says flexible (exit 0): the nodes'
     mlc_shape_rule attributes give their output shapes at any size;
  2. `mlc merge custom_ops_64.onnx custom_ops_96.onnx -o WORK/m.mlc`, and `mlc inspect`
     lists its two custom ops by class ("Custom L2Pool 1, Custom Swish 1");
  3. at 64 and 96, `mlc run WORK/m.mlc --plugin LIB --input image=X.npy` gives what numpy
     computes from the same weights (examples/models/custom_ops_weights.npz):
         max |ref - mlc|  <=  rtol * max |ref|
  4. `--batch 2` (mlc run's own input pattern, reproduced here) gives each item's
     output;
  5. without --plugin the run fails with exit 2 and a message naming the class Swish and
     --plugin; with a plugin file that does not exist it fails naming the file;
  6. with the mlc_shape_rule attributes removed (needs the onnx package; skipped
     without it), check-flexible finds the custom op a blocker, and with --plugin (the
     plugin registers its classes' rules) proves the model flexible; merge and run
     then work;
  7. `mlc wrap --custom-model L2Pool` makes a custom model that runs at both sizes of
     its shape set and batched, and refuses another shape.

Needs numpy (and onnx for step 6). Exit codes: 0 all checks pass, 1 something failed.
"""

import argparse
import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "utils"))

import checker  # noqa: E402

MODELS = os.path.join(REPO, "examples", "models")
SIZES = (64, 96)


# ------------------------------------------------------------------------------------
# The numpy reference (float64): the network of make_fixtures.py's custom_ops_model.

def conv2d(x, w, b, pad):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1
    y = np.zeros((n, o, oh, ow))
    for i in range(kh):
        for j in range(kw):
            y += np.einsum("nchw,oc->nohw", xp[:, :, i:i + oh, j:j + ow], w[:, :, i, j])
    return y + b[None, :, None, None]


def swish(x, beta):
    return x / (1.0 + np.exp(-beta * x))


def l2pool(x, k, weight):
    n, c, h, w = x.shape
    oh, ow = h // k, w // k
    win = x[:, :, :oh * k, :ow * k].reshape(n, c, oh, k, ow, k)
    return np.sqrt((win ** 2).mean(axis=(3, 5))) * weight[None, :, None, None]


def reference(x, wts):
    w = {k: wts[k].astype(np.float64) for k in wts.files}
    y = conv2d(x.astype(np.float64), w["conv1.weight"], w["conv1.bias"], 1)
    y = swish(y, 1.5)
    y = conv2d(y, w["conv2.weight"], w["conv2.bias"], 1)
    y = l2pool(y, 2, w["pool.weight"])
    return conv2d(y, w["conv3.weight"], w["conv3.bias"], 0)


def run_pattern(shape, item):
    """mlc run's input when no --input is given (tools/mlc/RuntimeCommands.cpp
    patternTensor): item i, flat index j -> float(sin(0.001 * j * (i + 1) + i))."""
    j = np.arange(int(np.prod(shape)), dtype=np.float64)
    return np.sin(0.001 * j * (item + 1) + item).astype(np.float32).reshape(shape)


# ------------------------------------------------------------------------------------

def run(cmd, ck=None, what=None):
    start = time.time()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.seconds = time.time() - start
    if ck is not None:
        ck.check(proc.returncode == 0, "%s (%.2f s)%s" % (
            what, proc.seconds, "" if proc.returncode == 0 else ": exit %d: %s" % (
                proc.returncode, (proc.stderr + proc.stdout).strip()[-400:])))
    return proc


def compare(ck, what, ref, path, rtol):
    if not os.path.exists(path):
        return ck.fail("%s: %s not written" % (what, os.path.basename(path)))
    got = np.load(path)
    if got.shape != ref.shape:
        return ck.fail("%s: shape %s, expected %s" % (what, got.shape, ref.shape))
    diff = float(np.max(np.abs(got.astype(np.float64) - ref)))
    scale = float(np.max(np.abs(ref)))
    return ck.check(np.all(np.isfinite(got)) and diff <= rtol * scale,
                    "%s: %s max|diff| %.3g of max|ref| %.3g (rtol %g)"
                    % (what, "x".join(map(str, ref.shape)), diff, scale, rtol))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mlc", required=True)
    p.add_argument("--plugin", required=True, help="libmlc_example_plugin.so")
    p.add_argument("--work", help="folder for the files made (default: a temporary one)")
    p.add_argument("--rtol", type=float, default=1e-4)
    args = p.parse_args()
    ck = checker.Checker()
    work = args.work or tempfile.mkdtemp(prefix="mlc-custom-plugin-")
    if not args.work:  # a folder of our own: gone when the check ends
        atexit.register(shutil.rmtree, work, True)
    os.makedirs(work, exist_ok=True)
    wts = np.load(os.path.join(MODELS, "custom_ops_weights.npz"))
    onnx = {s: os.path.join(MODELS, "custom_ops_%d.onnx" % s) for s in SIZES}

    # 1. Flexible, thanks to the shape rules.
    proc = run([args.mlc, "check-flexible", onnx[64]])
    first = (proc.stdout.strip().splitlines() or [""])[0]
    ck.check(proc.returncode == 0 and first.endswith(": flexible"),
             "mlc check-flexible custom_ops_64.onnx: exit %d, %r%s" % (
                 proc.returncode, first,
                 "" if proc.returncode == 0 else ": " + " ".join(
                     (proc.stdout + proc.stderr).split())[-300:]))

    # 2. Merged into one .mlc that lists the custom classes.
    model = os.path.join(work, "m.mlc")
    if os.path.exists(model):
        os.remove(model)
    if run([args.mlc, "merge", onnx[64], onnx[96], "-o", model], ck,
           "mlc merge custom_ops_64.onnx custom_ops_96.onnx -o m.mlc").returncode != 0:
        return ck.result()
    proc = run([args.mlc, "inspect", model])
    ops = [l.strip() for l in proc.stdout.splitlines() if l.strip().startswith("ops:")]
    ck.check(proc.returncode == 0 and ops and re.search(r"Custom L2Pool 1, Custom Swish 1", ops[0]),
             "mlc inspect m.mlc lists the 2 custom ops: %s" % (
                 (ops or ["no ops line"])[0] if proc.returncode == 0 else "exit %d: %s" % (
                     proc.returncode, proc.stderr.strip()[-300:])))

    # 3. Each size, with the plugin, against numpy.
    plugin = ["--plugin", args.plugin]
    for s in SIZES:
        shape = (1, 3, s, s)
        x = (0.5 * np.sin(np.arange(np.prod(shape)) * 0.37)).astype(np.float32).reshape(shape)
        x_path = os.path.join(work, "image_%d.npy" % s)
        np.save(x_path, x)
        out = os.path.join(work, "out_%d" % s)
        if run([args.mlc, "run", model, "--quiet", "--input", "image=" + x_path,
                "--output-dir", out] + plugin, ck,
               "mlc run m.mlc --plugin at %dx%d" % (s, s)).returncode == 0:
            compare(ck, "%dx%d features" % (s, s), reference(x, wts),
                    os.path.join(out, "features.npy"), args.rtol)

    # 4. A batch of 2 on mlc run's own pattern (at the smallest size, its default).
    out = os.path.join(work, "out_batch")
    shape = (1, 3, 64, 64)
    if run([args.mlc, "run", model, "--quiet", "--batch", "2", "--shape",
            "image=1x3x64x64", "--output-dir", out] + plugin, ck,
           "mlc run m.mlc --plugin --batch 2").returncode == 0:
        for i in range(2):
            compare(ck, "batch item %d features" % i, reference(run_pattern(shape, i), wts),
                    os.path.join(out, "features_%d.npy" % i), args.rtol)

    # 5. Without the plugin: a clear refusal; a plugin that is not there: named.
    proc = run([args.mlc, "run", model, "--quiet", "--output-dir",
                os.path.join(work, "out_noplugin")])
    err = proc.stderr + proc.stdout
    ck.check(proc.returncode == 2 and "Swish" in err and "--plugin" in err,
             "mlc run without --plugin: exit %d (want 2), message names Swish and --plugin: %s"
             % (proc.returncode, err.strip().splitlines()[-1][:200] if err.strip() else "none"))
    missing = os.path.join(work, "no_such_plugin.so")
    proc = run([args.mlc, "run", model, "--quiet", "--plugin", missing, "--output-dir",
                os.path.join(work, "out_missing")])
    err = proc.stderr + proc.stdout
    ck.check(proc.returncode != 0 and missing + ": " in err,
             "mlc run --plugin MISSING.so: exit %d (want non-zero), message names the file: %s"
             % (proc.returncode, err.strip().splitlines()[-1][:200] if err.strip() else "none"))

    # 6. Shape rules from the plugin: the same models without their
    # mlc_shape_rule attributes block check-flexible, until the plugin that
    # registers the classes' rules is loaded; then merge and run work.
    try:
        import onnx
    except ImportError:
        onnx = None
    if onnx is None:
        print("  (the onnx package is missing: plugin shape rules not checked)")
    else:
        stripped = []
        for size in (64, 96):
            m = onnx.load(os.path.join(MODELS, "custom_ops_%d.onnx" % size))
            for node in m.graph.node:
                keep = [a for a in node.attribute if a.name != "mlc_shape_rule"]
                del node.attribute[:]
                node.attribute.extend(keep)
            stripped.append(os.path.join(work, "norule_%d.onnx" % size))
            onnx.save(m, stripped[-1])
        proc = run([args.mlc, "check-flexible", stripped[0]])
        ck.check(proc.returncode == 1 and "shape behaviour unknown" in proc.stdout,
                 "without rules, check-flexible names the custom op as a blocker")
        proc = run([args.mlc, "check-flexible", "--plugin", args.plugin, stripped[0]])
        ck.check(proc.returncode == 0 and "flexible" in proc.stdout,
                 "with the plugin's rules (Swish same, L2Pool divide_spatial:@kernel), "
                 "check-flexible proves it flexible")
        merged = os.path.join(work, "norule.mlc")
        if run([args.mlc, "merge", "--plugin", args.plugin] + stripped + ["-o", merged],
               ck, "mlc merge --plugin of the exports without rules").returncode == 0:
            x = np.random.RandomState(3).standard_normal((1, 3, 96, 96)).astype(np.float32)
            np.save(os.path.join(work, "norule_in.npy"), x)
            out = os.path.join(work, "out_norule")
            if run([args.mlc, "run", merged, "--quiet", "--input",
                    "image=" + os.path.join(work, "norule_in.npy"), "--output-dir", out]
                   + plugin, ck, "mlc run of it at 96").returncode == 0:
                compare(ck, "features at 96 (rules from the plugin)", reference(x, wts),
                        os.path.join(out, "features.npy"), args.rtol)

    # 7. A custom model: L2Pool as the whole model (mlc wrap), its weight from
    # a .npy, run at both sizes of its shape set and in a batch.
    weight = np.linspace(0.5, 1.5, 3).astype(np.float32)
    np.save(os.path.join(work, "l2pool_weight.npy"), weight)
    wrapped = os.path.join(work, "l2pool.mlc")
    if run([args.mlc, "wrap", "--custom-model", "L2Pool", "--domain", "com.example",
            "--input", "image=1x3x64x64,1x3x96x96", "--weights",
            os.path.join(work, "l2pool_weight.npy"), "--attribute", "kernel=2",
            "--shape-rule", "divide_spatial:2", "-o", wrapped], ck,
           "mlc wrap --custom-model L2Pool").returncode == 0:
        for size in (64, 96):
            x = np.random.RandomState(size).standard_normal((1, 3, size, size)).astype(np.float32)
            np.save(os.path.join(work, "wrap_in.npy"), x)
            out = os.path.join(work, "out_wrap%d" % size)
            if run([args.mlc, "run", wrapped, "--quiet", "--input",
                    "image=" + os.path.join(work, "wrap_in.npy"), "--output-dir", out] + plugin,
                   ck, "mlc run l2pool.mlc at %d" % size).returncode == 0:
                compare(ck, "custom model at %d" % size, l2pool(x, 2, weight),
                        os.path.join(out, "output.npy"), args.rtol)
        out = os.path.join(work, "out_wrap_batch")
        if run([args.mlc, "run", wrapped, "--quiet", "--batch", "2", "--output-dir", out]
               + plugin, ck, "mlc run l2pool.mlc --batch 2").returncode == 0:
            for i in range(2):
                compare(ck, "custom model batch item %d" % i,
                        l2pool(run_pattern((1, 3, 64, 64), i), 2, weight),
                        os.path.join(out, "output_%d.npy" % i), args.rtol)
        proc = run([args.mlc, "run", wrapped, "--quiet", "--shape", "image=1x3x50x50"]
                   + plugin)
        ck.check(proc.returncode == 2 and "1x3x64x64, 1x3x96x96" in proc.stderr,
                 "the custom model refuses a shape outside its set, listing the set")
    return ck.result()


if __name__ == "__main__":
    sys.exit(main())
