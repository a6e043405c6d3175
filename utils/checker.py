"""What the end-to-end checkers (test/Analysis/flexible_ort.py, test/Merge/merge_ort.py)
share: the Checker that prints their ok/FAIL lines and their PASS/FAIL result, ctest's
skip code when ONNX Runtime is missing, their --self-test options and lines, and the one
line of an ONNX Runtime error worth showing. Standard library only: ctest runs the
checkers with numpy and nothing else (no torch, no onnx).
"""

import re

SKIP = 77  # the exit code ctest counts as skipped (SKIP_RETURN_CODE)


class Checker:
    """Collects ok/FAIL lines; `ok` is False once anything failed, `failures` holds the
    failed checks' texts. quiet: print nothing."""

    def __init__(self, quiet=False):
        self.ok = True
        self.count = 0
        self.quiet = quiet
        self.failures = []

    def say(self, text):
        if not self.quiet:
            print(text)

    def check(self, good, text):
        self.count += 1
        self.ok &= bool(good)
        if not good:
            self.failures.append(text)
        self.say("  %-4s %s" % ("ok" if good else "FAIL", text))
        return good

    def fail(self, text):
        return self.check(False, text)

    def result(self):
        """Prints PASS or FAIL with the number of checks; returns the exit code (0, 1)."""
        print("%s (%d checks)" % ("PASS" if self.ok else "FAIL", self.count))
        return 0 if self.ok else 1

    def case_line(self, good, name, width, why=False):
        """A self-test case's line: ok when the case behaved as it must (good), else FAIL;
        its name (padded to width); whether its checks passed; with why, the first
        failure."""
        return "%-4s %-*s %s (%d checks)%s" % (
            "ok" if good else "FAIL", width, name, "passes" if self.ok else "fails",
            self.count, ": " + self.failures[0][:90] if why and not self.ok else "")


def skipped_without_ort():
    """Says that the checks are skipped for want of ONNX Runtime; returns SKIP."""
    print("onnxruntime-node is not installed (utils/setup.sh installs it): skipped")
    return SKIP


def add_self_test_options(p, checks, verbose):
    """--self-test (help: "check CHECKS (needs no mlc)") and -v/--verbose (help: "with
    --self-test: VERBOSE")."""
    p.add_argument("--self-test", action="store_true",
                   help="check %s (needs no mlc)" % checks)
    p.add_argument("-v", "--verbose", action="store_true", help="with --self-test: " + verbose)


def self_test_result(status):
    """Prints the self-test's last line; returns status."""
    print("self-test: %s" % ("ok" if status == 0 else "FAILED"))
    return status


def error_line(e):
    """The last non-blank line of an error's text (ONNX Runtime's message comes last),
    without terminal colour codes."""
    lines = [l for l in str(e).splitlines() if l.strip()]
    return re.sub(r"\x1b\[[0-9;]*m", "", lines[-1] if lines else str(e))
