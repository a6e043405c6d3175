#!/usr/bin/env python3
"""What each change did: several builds of mlc, and ONNX Runtime, in turns on the same cases.

    /usr/bin/python3 benchmarks/stages.py LABEL=MLC_BINARY... [--cases CASE,...] [--runs 10]
        [--rounds 3] [--markdown]

Each LABEL=MLC_BINARY is `mlc` built at one commit (check the runtime's sources out at that
commit, `ninja -C build mlc`, copy build/bin/mlc aside). Every case runs ONNX Runtime, then
each binary's `mlc bench` on the same .mlc (compiled by build/bin/mlc; the .mlc format is
the same at every commit compared), --rounds times; the table gives, per case and build,
the median over the rounds of mlc's median over ONNX Runtime's measured in the same
round, and mlc's first prediction over its warm median. A CASE reads
MODEL:SIZE:BATCH:THREADS (models as in benchmarks/models.py).
"""

import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import models  # noqa: E402

DEFAULT_CASES = ("resnet18:224:1:1,resnet18:224:1:2,mobilenet_v2:224:1:1,"
                 "mobilenet_v2:224:1:2,fcn_resnet50:224:1:1,fcn_resnet50:224:1:2,"
                 "resnet18:224:8:1,resnet18:224:8:2,mobilenet_v2:224:8:1,"
                 "mobilenet_v2:224:8:2")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("builds", nargs="+", help="LABEL=MLC_BINARY, in the order of the table")
    p.add_argument("--cases", default=DEFAULT_CASES)
    p.add_argument("--mlc", default=os.path.join(models.REPO, "build", "bin", "mlc"),
                   help="the mlc that compiles the models")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--work", default=os.path.join(models.PERF_CACHE, "work"))
    p.add_argument("--markdown", action="store_true")
    args = p.parse_args()
    builds = [b.split("=", 1) for b in args.builds]
    cases = [c.split(":") for c in args.cases.split(",") if c]
    compiled = {}
    rows = []
    for name, size, batch, threads in cases:
        size, batch, threads = int(size), int(batch), int(threads)
        if (name, size) not in compiled:
            compiled.update(models.compile_models(args.mlc, [name], [size], False,
                                                  args.work))
        mlc_file = compiled[(name, size)]
        onnx = (models.batch1_export(name, size) if batch == 1
                else models.dynamic_batch_export(name, size))
        ratios = {label: [] for label, _ in builds}
        firsts = {label: [] for label, _ in builds}
        for _ in range(args.rounds):
            ort = models.ort_bench(onnx, size, batch, threads, args.runs, args.work)
            for label, binary in builds:
                mine = models.mlc_bench(binary, mlc_file, size, batch, threads, args.runs)
                ratios[label].append(mine["median_ms"] / ort["median_ms"])
                firsts[label].append(mine["first_ms"] / mine["median_ms"])
        row = {"case": "%s %d b%d t%d" % (name, size, batch, threads)}
        for label, _ in builds:
            row[label] = (statistics.median(ratios[label]), statistics.median(firsts[label]))
        rows.append(row)
        models.log("%-28s %s" % (row["case"], "  ".join(
            "%s %.2f (first %.2f)" % (label, *row[label]) for label, _ in builds)))
    if args.markdown:
        labels = [label for label, _ in builds]
        print("| case | " + " | ".join(labels) + " |")
        print("|---|" + "---|" * len(labels))
        for row in rows:
            print("| %s | %s |" % (row["case"], " | ".join(
                "%.2f (%.2f)" % row[label] for label in labels)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
