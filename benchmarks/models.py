#!/usr/bin/env python3
"""Whole models: mlc's runtime beside ONNX Runtime, in one run on the same machine.

At each size, batch and thread count, with the FLOP rate each reaches against the
machine's peak; and what compiling the fcn_resnet50 pair costs.

    /usr/bin/python3 benchmarks/models.py [--runs 10] [--rounds 3] [--threads 1,2] [--sizes 224,448]
        [--batches 1,8] [--models resnet18,mobilenet_v2,fcn_resnet50,fcn_resnet50_merged]
        [--peak GFLOPS | --kernels-json FILE] [--compile-runs 3] [--work DIR] [--mlc BIN]
        [--markdown] [--json FILE]

Models: torchvision resnet18, mobilenet_v2 and fcn_resnet50 by default, or any other of
torchvision's classifiers named in --models (random weights from
torch.manual_seed(0); utils/torch_exports.py), batch-1 exports at each size, compiled with
`mlc compile`; fcn_resnet50_merged is one .mlc merged from the 224 and 448 exports, run at
both sizes. Exports are reused from the acceptance scripts' caches (/tmp/mlc-flexible,
/tmp/mlc-merge) or made into /tmp/mlc-perf, with /usr/bin/python3 and torch.

Each case runs ONNX Runtime (utils/ort_run.js, through ort_compare.run_model) and then
`mlc bench --json` for each mlc model of that network, same input shape, --runs timed runs
after a first one, and does so --rounds times; a figure is the median over the rounds and
the ratio the median of the rounds' ratios (the shared machines' speed drifts by 10% and
more from one minute to the next; a ratio taken within seconds holds). mlc runs a batch of
B items in one pass (`--batch B`) of the batch-1 export; ONNX Runtime runs an export with
a dynamic batch axis at Bx3xHxW. Inputs: the sin pattern for ONNX Runtime, mlc's own for
mlc (latency does not depend on the values).

Per row: both medians and mlc / ONNX Runtime (below 1: mlc faster); GFLOP per item (2 x
the multiply-adds of every Conv, Gemm and MatMul, counted from the ONNX file with shape
inference); each runtime's GFLOP/s and its fraction of the peak at that thread count (the
FMA loop of build/benchmarks/kernels/mlc-bench-kernels, or --peak per core x threads);
mlc's first prediction over its warm median; at batch B > 1, items/s over items/s at
batch 1 (both runtimes).

Compile figures (--compile-runs, 0 leaves them out): wall time and peak RSS of mlc import,
merge and compile on the fcn_resnet50 224 and 448 exports.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "utils"))

import ort_compare as oc  # noqa: E402
import torch_exports as te  # noqa: E402

NETWORKS = ("resnet18", "mobilenet_v2", "fcn_resnet50")
MERGED = "fcn_resnet50_merged"
# Exports other scripts already made (utils/check_flexible_torchvision.py,
# utils/check_merge_torchvision.py): the same networks and weights.
CACHES = ("/tmp/mlc-flexible", "/tmp/mlc-merge")
PERF_CACHE = "/tmp/mlc-perf"
KERNELS = os.path.join(REPO, "build", "benchmarks", "kernels", "mlc-bench-kernels")


def log(message):
    print(message, file=sys.stderr, flush=True)


def int_list(text):
    return [int(v) for v in text.split(",") if v]


# --- Exports and their FLOP counts ---------------------------------------------------------

def batch1_export(name, size):
    """NAME at SIZExSIZE, batch 1: a cached export, else made into PERF_CACHE."""
    for folder in CACHES:
        path = os.path.join(folder, "%s_%d.onnx" % (name, size))
        if os.path.exists(path):
            return path
    return te.sized_export(os.path.join(PERF_CACHE, "%s_%d.onnx" % (name, size)), log)


def dynamic_batch_export(name, size):
    """NAME at SIZExSIZE with a dynamic batch axis, for ONNX Runtime at batch > 1."""
    output = "out" if name in te.SEGMENTATION else "logits"
    path = os.path.join(PERF_CACHE, "%s_%d_batch.onnx" % (name, size))
    os.makedirs(PERF_CACHE, exist_ok=True)
    return te.cached(path, "%s at %d, dynamic batch" % (name, size), lambda tmp: te.export(
        te.torchvision_model(name), [(1, 3, size, size)], tmp, output,
        dynamic_axes={"image": {0: "batch"}, output: {0: "batch"}}), log)


def gflop_per_item(onnx_path):
    """GFLOP of one prediction of a batch-1 ONNX model: 2 x the multiply-adds of every Conv,
    ConvTranspose, Gemm, MatMul and Einsum, as the direct algorithm does them, from the shapes that
    onnx's shape inference gives; None where it gives none (a Resize to a size computed from
    the input's shape: the segmentation heads)."""
    import onnx
    model = onnx.shape_inference.infer_shapes(onnx.load(onnx_path))
    graph = model.graph
    dims = {t.name: list(t.dims) for t in graph.initializer}
    for info in list(graph.input) + list(graph.value_info) + list(graph.output):
        shape = info.type.tensor_type.shape
        dims[info.name] = [d.dim_value if d.HasField("dim_value") else None for d in shape.dim]

    def count(name):
        if name not in dims or None in dims[name]:
            raise ValueError("%s: no static shape for %s" % (onnx_path, name))
        n = 1
        for d in dims[name]:
            n *= d
        return n

    def dim_of(name, axis):
        if not dims.get(name) or dims[name][axis] is None:
            raise ValueError("%s: no static shape for %s" % (onnx_path, name))
        return dims[name][axis]

    macs = 0
    try:
        for node in graph.node:
            if node.op_type == "Conv":
                # Each output element: C/group x kernel taps (the weight's dims after M).
                macs += count(node.output[0]) * count(node.input[1]) // dims[node.input[1]][0]
            elif node.op_type == "ConvTranspose":
                # Each input element reaches M/group x kernel outputs.
                macs += count(node.input[0]) * count(node.input[1]) // dims[node.input[1]][0]
            elif node.op_type == "Gemm":
                trans_a = any(a.name == "transA" and a.i for a in node.attribute)
                macs += count(node.output[0]) * dims[node.input[0]][0 if trans_a else 1]
            elif node.op_type == "MatMul":
                macs += count(node.output[0]) * dim_of(node.input[0], -1)
            elif node.op_type == "Einsum":
                # Each output element: the product of the contracted letters' sizes.
                equation = next(a.s.decode() for a in node.attribute if a.name == "equation")
                terms, out = equation.replace(" ", "").split("->")
                contracted = 1
                for letter in set(terms) - set(out) - {","}:
                    term = next(t for t in terms.split(",") if letter in t)
                    contracted *= dim_of(node.input[terms.split(",").index(term)],
                                         term.index(letter))
                macs += count(node.output[0]) * contracted
    except ValueError as e:
        log("%s: GFLOP not counted" % e)
        return None
    return 2 * macs / 1e9


# --- The machine ---------------------------------------------------------------------------

def machine():
    """The CPU's model name, cores and whether it has AVX-512, from lscpu."""
    info = {"cpu": "?", "cores": os.cpu_count(), "avx512f": False}
    try:
        text = subprocess.run(["lscpu"], stdout=subprocess.PIPE, text=True).stdout
        m = re.search(r"^Model name:\s*(.+)$", text, re.M)
        info["cpu"] = m.group(1).strip() if m else "?"
        info["avx512f"] = " avx512f " in " %s " % re.sub(r"\s+", " ", text)
    except OSError:
        pass
    return info


def kernel_peaks(kernels_json):
    """{threads: GFLOP/s} of the Peak/FMA benchmarks and the Peak/Clock counters, from
    mlc-bench-kernels' JSON (a file, or a run of it now)."""
    if kernels_json:
        with open(kernels_json) as f:
            report = json.load(f)
    else:
        out = subprocess.run([KERNELS, "--benchmark_filter=^Peak/", "--benchmark_format=json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             check=True).stdout
        report = json.loads(out)
    peaks, clock = {}, {}
    for b in report["benchmarks"]:
        m = re.match(r"Peak/FMA/threads:(\d+)", b["name"])
        if m:
            peaks[int(m.group(1))] = b["GFLOP/s"]
        elif b["name"].startswith("Peak/Clock"):
            clock = {k: b[k] for k in ("GHz", "cores", "theoretical_GFLOP/s") if k in b}
    return peaks, clock


def peak_at(peaks, threads):
    """The peak at a thread count: measured there, else per core x threads, capped at the
    most threads measured."""
    if threads in peaks:
        return peaks[threads]
    most = max(peaks)
    return peaks[1] * threads if threads < most else peaks[most]


# --- Running things ------------------------------------------------------------------------

def measured(cmd):
    """Runs cmd; returns (wall seconds, peak RSS in bytes of that command alone). The RSS
    comes from /usr/bin/time: wait4 or getrusage on a child of this process would count
    this process's own memory too (Linux keeps the largest RSS across fork and exec)."""
    with tempfile.NamedTemporaryFile("r") as rss:
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name] + cmd,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError("%s failed: %s" % (" ".join(cmd), proc.stderr.strip()))
        return seconds, int(rss.read().split()[-1]) * 1024


def mlc_bench(mlc, model, size, batch, threads, runs):
    cmd = [mlc, "bench", model, "--shape", "1x3x%dx%d" % (size, size), "--batch", str(batch),
           "--threads", str(threads), "--runs", str(runs), "--json"]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), proc.stderr.strip()))
    return json.loads(proc.stdout)


def ort_bench(onnx, size, batch, threads, runs, work):
    _, report = oc.run_model(onnx, os.path.join(work, "ort"), shape=(batch, 3, size, size),
                             threads=threads, runs=runs, timeout=3600)
    return report


def compile_models(mlc, networks, sizes, merged, work):
    """{(network, size): .mlc} for the batch-1 exports, and the merged fcn_resnet50."""
    models = {}
    for name in networks:
        for size in sizes:
            out = os.path.join(work, "%s_%d.mlc" % (name, size))
            seconds, _ = measured([mlc, "compile", batch1_export(name, size), "-o", out])
            log("compiled %s at %d in %.2f s" % (name, size, seconds))
            models[(name, size)] = out
    if merged:
        out = os.path.join(work, MERGED + ".mlc")
        exports = [batch1_export("fcn_resnet50", s) for s in (224, 448)]
        seconds, _ = measured([mlc, "merge"] + exports + ["-o", out])
        log("merged and compiled fcn_resnet50 224+448 in %.2f s" % seconds)
        for size in sizes:
            models[(MERGED, size)] = out
    return models


def compile_figures(mlc, runs, work):
    """Wall time (min, median of runs) and peak RSS of each compile step on the
    fcn_resnet50 pair."""
    e224, e448 = batch1_export("fcn_resnet50", 224), batch1_export("fcn_resnet50", 448)
    one_export = os.path.getsize(e224)
    out = os.path.join(work, "compile")
    os.makedirs(out, exist_ok=True)
    f = lambda name: os.path.join(out, name)  # noqa: E731
    steps = [
        ("mlc import fcn_resnet50_224.onnx -o f.mlirbc",
         [mlc, "import", e224, "-o", f("f.mlirbc")], f("f.mlirbc")),
        ("mlc compile fcn_resnet50_224.onnx -o f.mlc",
         [mlc, "compile", e224, "-o", f("f.mlc")], f("f.mlc")),
        ("mlc merge fcn_resnet50_224.onnx fcn_resnet50_448.onnx -o m.mlirbc",
         [mlc, "merge", e224, e448, "-o", f("m.mlirbc")], f("m.mlirbc")),
        ("mlc compile m.mlirbc -o m.mlc",
         [mlc, "compile", f("m.mlirbc"), "-o", f("m.mlc")], f("m.mlc")),
        ("mlc merge fcn_resnet50_224.onnx fcn_resnet50_448.onnx -o m.mlc",
         [mlc, "merge", e224, e448, "-o", f("m2.mlc")], f("m2.mlc")),
    ]
    for path in (e224, e448):
        with open(path, "rb") as fh:  # Into the page cache before timing.
            while fh.read(1 << 24):
                pass
    rows = []
    for label, cmd, output in steps:
        walls, rss = [], 0
        for _ in range(runs):
            seconds, peak = measured(cmd)
            walls.append(seconds)
            rss = max(rss, peak)
        rows.append({"command": label, "wall_min_s": min(walls),
                     "wall_median_s": statistics.median(walls), "peak_rss_mb": rss / 1e6,
                     "rss_over_export": rss / one_export,
                     "output_over_export": os.path.getsize(output) / one_export})
        r = rows[-1]
        log("%-66s %6.2f s (median %6.2f)  %7.1f MB  %.2f x one export" % (
            label, r["wall_min_s"], r["wall_median_s"], r["peak_rss_mb"], r["rss_over_export"]))
    return rows


# --- Tables --------------------------------------------------------------------------------

def fmt(value, spec):
    return "-" if value is None else format(value, spec)


def model_table(rows):
    lines = ["| model | input | batch | threads | mlc ms | ORT ms | mlc / ORT (rounds' range) "
             "| GFLOP/item | "
             "mlc GFLOP/s | ORT GFLOP/s | mlc of peak | ORT of peak | mlc first / warm | "
             "mlc batch gain | ORT batch gain |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append("| %s | %s | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |"
                     % (r["model"], r["input"], r["batch"], r["threads"],
                        fmt(r["mlc_median_ms"], ".1f"), fmt(r["ort_median_ms"], ".1f"),
                        "%s (%s-%s)" % (fmt(r["ratio"], ".2f"),
                                        fmt(r["ratio_range"][0], ".2f"),
                                        fmt(r["ratio_range"][1], ".2f")),
                        fmt(r["gflop_per_item"], ".2f"),
                        fmt(r["mlc_gflops"], ".0f"), fmt(r["ort_gflops"], ".0f"),
                        fmt(r["mlc_of_peak"], ".0%"), fmt(r["ort_of_peak"], ".0%"),
                        fmt(r["mlc_first_over_warm"], ".2f"), fmt(r["mlc_batch_gain"], ".2f"),
                        fmt(r["ort_batch_gain"], ".2f")))
    return "\n".join(lines)


def compile_table(rows):
    lines = ["| command | wall min / median | peak RSS | RSS / one export | output / one export |",
             "|---|---|---|---|---|"]
    for r in rows:
        lines.append("| `%s` | %.2f s / %.2f s | %.0f MB | %.2f | %.4f |" % (
            r["command"], r["wall_min_s"], r["wall_median_s"], r["peak_rss_mb"],
            r["rss_over_export"], r["output_over_export"]))
    return "\n".join(lines)


# Seconds between measurements of the peak when it says the machine is busy.
BUSY_PAUSE = 30


def busy_threads(peaks):
    """(threads, ratio to one thread's rate) of the first thread count whose FMA peak falls
    short of that many times one thread's (by 10%): a core taken by something else.
    None when every count scales."""
    for t, g in sorted(peaks.items()):
        if t > 1 and 1 in peaks and g < 0.9 * t * peaks[1]:
            return t, g / peaks[1]
    return None


# --- Main ----------------------------------------------------------------------------------

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mlc", default=os.path.join(REPO, "build", "bin", "mlc"),
                   help="the mlc binary (build/bin/mlc)")
    p.add_argument("--runs", type=int, default=10, help="timed runs after the first (10)")
    p.add_argument("--rounds", type=int, default=3,
                   help="turns each runtime takes at each case (3); figures are medians "
                        "over them")
    p.add_argument("--threads", type=int_list, default=[1, 2], help="thread counts (1,2)")
    p.add_argument("--sizes", type=int_list, default=[224, 448],
                   help="square input sizes (224,448)")
    p.add_argument("--batches", type=int_list, default=[1, 8], help="batch sizes (1,8)")
    p.add_argument("--models", default=",".join(NETWORKS + (MERGED,)),
                   help="%s, or any other torchvision classifier (efficientnet_b0, ...)"
                   % ",".join(NETWORKS + (MERGED,)))
    p.add_argument("--peak", type=float,
                   help="the FMA peak of one core in GFLOP/s (default: measured by "
                   "mlc-bench-kernels' Peak benchmarks)")
    p.add_argument("--kernels-json", help="take the peak from this mlc-bench-kernels "
                   "--benchmark_format=json output instead of running it")
    p.add_argument("--compile-runs", type=int, default=3,
                   help="runs of each compile step on the fcn_resnet50 pair (0: none)")
    p.add_argument("--work", default=os.path.join(PERF_CACHE, "work"),
                   help="folder for compiled models and outputs (/tmp/mlc-perf/work)")
    p.add_argument("--markdown", action="store_true", help="print Markdown tables")
    p.add_argument("--json", help="write the machine, the rows and the compile figures here")
    p.add_argument("--allow-busy", action="store_true",
                   help="run even when the FMA loop says another process takes a core "
                        "(by default: measured again 3 times, then exit 2)")
    args = p.parse_args()
    models = [m for m in args.models.split(",") if m]
    if not models:
        p.error("no models")
    if MERGED in models and not set(args.sizes) <= {224, 448}:
        p.error("%s takes the sizes 224 and 448 only" % MERGED)
    if not oc.ort_installed():
        log("onnxruntime-node is not installed (utils/setup.sh installs it)")
        return 77
    os.makedirs(args.work, exist_ok=True)

    host = machine()
    clock = {}
    if args.peak:
        peaks = {t: args.peak * min(t, host["cores"]) for t in args.threads}
    elif args.kernels_json or os.path.exists(KERNELS):
        peaks, clock = kernel_peaks(args.kernels_json)
        # Another process on a core halves the rate of the threads that share it, and
        # every figure of this run with it: measured again after a pause, and refused
        # if it stays so (figures go into docs/performance.md).
        for attempt in range(3):
            slow = busy_threads(peaks)
            if not slow or not os.path.exists(KERNELS):
                break
            log("the FMA loop on %d threads reaches %.2f x its rate on one: is the machine "
                "busy? measuring again in %d s" % (slow[0], slow[1], BUSY_PAUSE))
            time.sleep(BUSY_PAUSE)
            peaks, clock = kernel_peaks(None)
        if busy_threads(peaks) and not args.allow_busy:
            log("the machine is busy (the FMA loop on %d threads reaches %.2f x its rate "
                "on one): stop what else runs, or give --allow-busy" % busy_threads(peaks))
            return 2
    else:
        p.error("no peak: build mlc-bench-kernels (ninja -C build mlc-bench-kernels) "
                "or give --peak")
    log("machine: %s, %s cores, %s; FMA peak %s GFLOP/s%s" % (
        host["cpu"], host["cores"], "avx512f" if host["avx512f"] else "no avx512f",
        ", ".join("%.0f at %d thread%s" % (g, t, "s" if t > 1 else "")
                  for t, g in sorted(peaks.items())),
        "; clock %.2f GHz, theoretical %.0f GFLOP/s" % (clock["GHz"], clock["theoretical_GFLOP/s"])
        if clock else ""))
    if busy_threads(peaks):
        log("warning: the FMA loop on %d threads reaches %.2f x its rate on one: is the "
            "machine busy? Figures measured now are not comparable" % busy_threads(peaks))

    networks = [n for n in models if n != MERGED]
    mlc_models = compile_models(args.mlc, networks, args.sizes, MERGED in models, args.work)
    gflop = {}
    rows, failures = [], []
    for name in networks + (["fcn_resnet50"] if MERGED in models and
                            "fcn_resnet50" not in networks else []):
        variants = [v for v in (name, name + "_merged") if v in models]
        if not variants:
            continue
        for size in args.sizes:
            key = (name, size)
            if key not in gflop:
                gflop[key] = gflop_per_item(batch1_export(name, size))
            for batch in args.batches:
                onnx = batch1_export(name, size) if batch == 1 else dynamic_batch_export(name, size)
                for threads in args.threads:
                    # A case that fails is reported and left out: the rest of a long run
                    # still counts. The runtimes take turns, --rounds times: the
                    # machine's speed drifts, and each round's ratio is measured within
                    # seconds.
                    orts, mines = [], {v: [] for v in variants}
                    try:
                        for _ in range(args.rounds):
                            orts.append(ort_bench(onnx, size, batch, threads, args.runs,
                                                  args.work))
                            for variant in variants:
                                mines[variant].append(mlc_bench(
                                    args.mlc, mlc_models[(variant, size)], size, batch,
                                    threads, args.runs))
                    except (oc.OrtError, RuntimeError) as e:
                        failures.append(str(e))
                        log(str(e))
                        continue
                    for variant in variants:
                        rows.append(make_row(variant, size, batch, threads, mines[variant],
                                             orts, gflop[key], peak_at(peaks, threads)))
                        r = rows[-1]
                        log("%-20s %-12s b%d t%d  mlc %8.1f ms (first %8.1f)  ort %8.1f ms  "
                            "mlc/ort %.2f  %s / %s GFLOP/s" % (
                                r["model"], r["input"], batch, threads, r["mlc_median_ms"],
                                r["mlc_first_ms"], r["ort_median_ms"], r["ratio"],
                                fmt(r["mlc_gflops"], ".0f"), fmt(r["ort_gflops"], ".0f")))
    add_batch_gains(rows)
    compiled = compile_figures(args.mlc, args.compile_runs, args.work) if args.compile_runs else []

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": host, "peak_gflops": peaks, "clock": clock, "runs": args.runs,
                       "rows": rows, "compile": compiled, "failures": failures}, f, indent=1)
    if args.markdown:
        print(model_table(rows))
        if compiled:
            print("\nCompiling the fcn_resnet50 pair (224 and 448 exports; --compile-runs %d):\n"
                  % args.compile_runs)
            print(compile_table(compiled))
    for failure in failures:
        log("failed: %s" % failure)
    return 1 if failures else 0


def make_row(model, size, batch, threads, mines, orts, gflop, peak):
    """A table row from the rounds of one case: each figure the median over the rounds;
    the ratio is the median of the rounds' ratios (each taken within one round)."""
    items = lambda ms: batch * 1000.0 / ms  # noqa: E731
    median = lambda reports, key: statistics.median(r[key] for r in reports)  # noqa: E731
    ratios = [m["median_ms"] / o["median_ms"] for m, o in zip(mines, orts)]
    firsts = [m["first_ms"] / m["median_ms"] for m in mines]
    mine_ms = median(mines, "median_ms")
    row = {"model": model.replace("_merged", " merged"), "input": "1x3x%dx%d" % (size, size),
           "size": size, "batch": batch, "threads": threads, "rounds": len(mines),
           "mlc_prepare_ms": median(mines, "prepare_ms"),
           "mlc_first_ms": median(mines, "first_ms"), "mlc_median_ms": mine_ms,
           "mlc_min_ms": min(m["min_ms"] for m in mines),
           "mlc_items_per_second": items(mine_ms),
           "ort_first_ms": median(orts, "first_run_ms"),
           "ort_median_ms": median(orts, "median_ms"),
           "ort_min_ms": min(o["min_ms"] for o in orts),
           "ort_items_per_second": items(median(orts, "median_ms")),
           "ratio": statistics.median(ratios), "ratio_range": [min(ratios), max(ratios)],
           "gflop_per_item": gflop, "peak_gflops": peak,
           "mlc_first_over_warm": statistics.median(firsts)}
    for runtime in ("mlc", "ort"):
        gflops = gflop * items(row[runtime + "_median_ms"]) if gflop else None
        row[runtime + "_gflops"] = gflops
        row[runtime + "_of_peak"] = gflops / peak if gflops else None
    return row


def add_batch_gains(rows):
    """At batch > 1: items/s over the same model, size and threads at batch 1."""
    single = {(r["model"], r["size"], r["threads"]): r for r in rows if r["batch"] == 1}
    for r in rows:
        one = single.get((r["model"], r["size"], r["threads"])) if r["batch"] > 1 else None
        r["mlc_batch_gain"] = (r["mlc_items_per_second"] / one["mlc_items_per_second"]
                               if one else None)
        r["ort_batch_gain"] = (r["ort_items_per_second"] / one["ort_items_per_second"]
                               if one else None)


if __name__ == "__main__":
    sys.exit(main())
