"""Timed runs of a command, and its peak memory: for the scripts that run mlc and report
how long it took (utils/check_*torchvision.py, test/Analysis/flexible_ort.py,
test/Merge/merge_ort.py). Standard library only.

    import measure
    proc, seconds = measure.run_timed(["mlc", "export", "a.onnx", "-o", "b.onnx"])
    seconds, peak_rss, code, stderr = measure.run_peak_rss(["mlc", "merge", ...])
"""

import os
import re
import subprocess
import time

TIME = "/usr/bin/time"


def run_timed(cmd, timeout=None):
    """subprocess.run(cmd) with stdout and stderr captured (bytes): returns
    (CompletedProcess, wall seconds). Its exceptions pass through (FileNotFoundError when
    cmd[0] does not run); a subprocess.TimeoutExpired carries the seconds it waited as
    .seconds."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout)
    except subprocess.TimeoutExpired as e:
        e.seconds = time.perf_counter() - start
        raise
    return proc, time.perf_counter() - start


def run_peak_rss(cmd, timeout=None):
    """Runs cmd under `/usr/bin/time -v` (without it: os.wait4, and no timeout): returns
    (wall seconds, peak RSS in bytes or None, exit code, stderr text without time's
    report). stdout is discarded."""
    if os.access(TIME, os.X_OK):
        proc, secs = run_timed([TIME, "-v"] + list(cmd), timeout)
        err = proc.stderr.decode(errors="replace")
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
        rss = int(m.group(1)) * 1024 if m else None
        err = err.split("\tCommand being timed:")[0]
        return secs, rss, proc.returncode, err
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    secs = time.perf_counter() - t
    return secs, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status), err
