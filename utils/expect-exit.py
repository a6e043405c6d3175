#!/usr/bin/env python3
"""Runs a command and fails unless it exits with the expected code.

    expect-exit.py CODE [--keeps OUT] COMMAND ARGS...

Forwards the command's stdout and stderr unchanged, so that FileCheck can
check them (`%expect-exit 2 mlc import bad.onnx -o %t.mlir 2>&1 | FileCheck`),
and exits 0 only when the command exited with CODE. A command killed by a
signal (a crash) always fails, whatever CODE says.

With `--keeps OUT` (OUT being the command's output file), the command must
also leave OUT alone: it is run twice, once with OUT missing (OUT must still
be missing afterwards) and once with OUT holding known bytes (they must be
unchanged), and neither run may leave a file named OUT.* (a temporary)
behind. Only the first run's output is forwarded; both must exit with CODE.

lit's shell has no `$?`; the lit.local.cfg of each test directory makes
this script the `%expect-exit` substitution.
"""

import glob
import os
import subprocess
import sys


def fail(message):
    sys.stderr.write("expect-exit: " + message + "\n")
    sys.exit(1)


def run(command, expected, forward):
    try:
        result = subprocess.run(command, capture_output=True)
    except OSError as error:
        fail("cannot run %s: %s" % (command[0], error))
    if forward:
        sys.stdout.buffer.write(result.stdout)
        sys.stdout.flush()
        sys.stderr.buffer.write(result.stderr)
        sys.stderr.flush()
    if result.returncode < 0:
        fail("%s was killed by signal %d" % (command[0], -result.returncode))
    if result.returncode != expected:
        fail("%s exited with %d, expected %d" %
             (command[0], result.returncode, expected))


def leftovers(out):
    return sorted(glob.glob(glob.escape(out) + ".*"))


def main(argv):
    if len(argv) < 2:
        fail("usage: expect-exit.py CODE [--keeps OUT] COMMAND ARGS...")
    expected = int(argv[0])
    argv = argv[1:]
    out = None
    if argv[0] == "--keeps":
        if len(argv) < 3:
            fail("--keeps needs a file and a command")
        out, argv = argv[1], argv[2:]
    if out is None:
        run(argv, expected, forward=True)
        return
    # First run: no output file before, none after.
    if os.path.lexists(out):
        os.remove(out)
    run(argv, expected, forward=True)
    if os.path.lexists(out):
        fail("%s was written; it should not exist" % out)
    if leftovers(out):
        fail("left behind: %s" % ", ".join(leftovers(out)))
    # Second run: an existing output file keeps its bytes.
    sentinel = b"expect-exit: the previous contents\n"
    with open(out, "wb") as f:
        f.write(sentinel)
    run(argv, expected, forward=False)
    with open(out, "rb") as f:
        if f.read() != sentinel:
            fail("%s was changed; it should keep its contents" % out)
    os.remove(out)
    if leftovers(out):
        fail("left behind: %s" % ", ".join(leftovers(out)))


if __name__ == "__main__":
    main(sys.argv[1:])
