#!/usr/bin/env python3
"""Markdown tables of mlc-bench-kernels' figures: the machine's peak (the FMA loop at each
thread count against the theoretical peak from the measured clock), each convolution's
time, GFLOP/s and fraction of that peak, each inverted residual block's op by op and
as a Conv chain, and each DenseNet layer's concatenation and batch norm as two kernels
and as one.

    build/benchmarks/kernels/mlc-bench-kernels --benchmark_out=k.json --benchmark_out_format=json
    python3 benchmarks/kernel_table.py k.json

Standard library only.
"""

import json
import re
import sys


def tables(report):
    peak = ["| benchmark | GFLOP/s | theoretical GFLOP/s | measured / theoretical |",
            "|---|---|---|---|"]
    conv = ["| convolution | algorithm | batch | threads | ms | GFLOP | GFLOP/s | of peak |",
            "|---|---|---|---|---|---|---|---|"]
    chain = ["| block | threads | op by op ms | chain ms | chain / op by op | GFLOP |"
             " chain GFLOP/s | chain of peak |",
             "|---|---|---|---|---|---|---|---|"]
    concat = ["| layer | threads | two kernels ms | one kernel ms | one / two |"
              " one kernel GB/s |",
              "|---|---|---|---|---|---|"]
    apart = {}
    clock = None
    for b in report["benchmarks"]:
        if b.get("error_occurred"):
            conv.append("| %s | | | %s | | | |" % (b["name"], b.get("error_message", "error")))
            continue
        m = re.match(r"Peak/FMA/threads:(\d+)", b["name"])
        if m:
            peak.append("| FMA loop (%s), %s thread%s | %.0f | %.0f | %.2f |" % (
                b.get("label", ""), m.group(1), "s" if m.group(1) != "1" else "",
                b["GFLOP/s"], b["theoretical_GFLOP/s"], b["of_theoretical"]))
            continue
        if b["name"].startswith("Peak/Clock"):
            clock = b
            continue
        # A case as two kernels or more (flag 0) and as one (flag 1): its row
        # comes with the second.
        m = re.match(r"(ConvChain|ConcatNorm)/([^/]+)/([^/]+)/threads:(\d+)/(?:chained|fused):(\d)",
                     b["name"])
        if m:
            family, block, shape, threads, flag = m.groups()
            key = (family, block, shape, threads)
            if flag == "0":
                apart[key] = b["real_time"]
            elif key in apart:
                row = "| %s %s | %s | %.3f | %.3f | %.2f |" % (
                    block, shape, threads, apart[key], b["real_time"],
                    b["real_time"] / apart[key])
                if family == "ConvChain":
                    chain.append(row + " %.3f | %.0f | %.0f%% |" % (
                        b["GFLOP"], b["GFLOP/s"], 100 * b["of_peak"]))
                else:
                    concat.append(row + " %.0f |" % b["GB/s"])
            continue
        m = re.match(r"Conv/([^/]+)/([^/]+)/batch:(\d+)/threads:(\d+)(?:/algorithm:(\d+))?",
                     b["name"])
        if m:
            algorithm = "Winograd" if m.group(5) == "1" else "direct"
            conv.append("| %s %s | %s | %s | %s | %.3f | %.3f | %.0f | %.0f%% |" % (
                m.group(1), m.group(2), algorithm, m.group(3), m.group(4), b["real_time"],
                b["GFLOP"], b["GFLOP/s"], 100 * b["of_peak"]))
    lines = []
    if clock:
        lines.append("Clock %.2f GHz (dependent integer adds); theoretical peak %d vector floats"
                     " x 2 x %d FMA units x %d cores x clock = %.0f GFLOP/s." % (
                         clock["GHz"], clock["vector_floats"], clock["fma_units"],
                         clock["cores"], clock["theoretical_GFLOP/s"]))
        lines.append("")
    if len(peak) > 2:
        lines += peak + [""]
    if len(conv) > 2:
        lines += conv
    for table in (chain, concat):
        if len(table) > 2:
            if lines and lines[-1]:
                lines.append("")
            lines += table
    return "\n".join(lines)


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        print(tables(json.load(f)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
