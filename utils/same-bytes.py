#!/usr/bin/env python3
"""Runs a command twice and fails unless it writes the same bytes both times.

    same-bytes.py OUT [OUT2...] -- COMMAND ARGS...

Runs COMMAND (which must exit 0), keeps each OUT it wrote, runs it again in a
new process (so that addresses, hash seeds and thread timing differ), and
compares each OUT with the first run's, byte for byte: mlc's outputs depend on
its inputs and options only. On a difference, names the file, the first
differing offset and both sizes. The command's output is discarded.

lit's `%same-bytes` substitution (test/lit.cfg.py).
"""

import os
import shutil
import subprocess
import sys


def fail(message):
    sys.stderr.write("same-bytes: " + message + "\n")
    sys.exit(1)


def run(command):
    result = subprocess.run(command, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    if result.returncode != 0:
        sys.stderr.buffer.write(result.stderr)
        fail("%s exited with %d" % (" ".join(command), result.returncode))


def main():
    args = sys.argv[1:]
    if "--" not in args or args.index("--") == 0:
        fail("usage: same-bytes.py OUT [OUT2...] -- COMMAND ARGS...")
    split = args.index("--")
    outputs, command = args[:split], args[split + 1:]
    for out in outputs:
        if os.path.exists(out):
            os.remove(out)
    run(command)
    firsts = []
    for out in outputs:
        if not os.path.isfile(out):
            fail("%s did not write %s" % (command[0], out))
        firsts.append(out + ".first")
        shutil.move(out, firsts[-1])
    run(command)
    for out, first in zip(outputs, firsts):
        with open(first, "rb") as f:
            a = f.read()
        with open(out, "rb") as f:
            b = f.read()
        if a != b:
            offset = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]),
                          min(len(a), len(b)))
            fail("%s differs between two runs of %s: first at byte %d "
                 "(sizes %d and %d)" % (out, " ".join(command), offset, len(a),
                                        len(b)))
        os.remove(first)


if __name__ == "__main__":
    main()
