"""What the manual acceptance checks (utils/check_torchvision.py,
utils/check_flexible_torchvision.py, utils/check_merge_torchvision.py) share on their
command line: the --mlc and --work options (and --no-mlc, --export-only), the lists of
names they take, the check that the tools they need are there, and the progress log.
Standard library only (with utils/ort_compare.py's numpy).
"""

import argparse
import os
import sys

import ort_compare as oc

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MLC = os.path.join(REPO, "build", "bin", "mlc")


def parser(description, work, work_holds):
    """An ArgumentParser with --mlc (default: build/bin/mlc in the repository) and --work
    (default work: "folder for WORK_HOLDS")."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--mlc", default=MLC,
                   help="the mlc binary (default: build/bin/mlc in the repository)")
    p.add_argument("--work", default=work,
                   help="folder for %s (default %s)" % (work_holds, work))
    return p


def add_mode_options(p, no_mlc_help):
    """--no-mlc (help: no_mlc_help) and --export-only, of the checks that can run without
    mlc (mlc_mode)."""
    p.add_argument("--no-mlc", action="store_true", help=no_mlc_help)
    p.add_argument("--export-only", action="store_true", help="only make the exports")


def names(p, text, known, what):
    """The names of the comma-separated text; a usage error (p.error) for one not in
    known."""
    picked = [n for n in text.split(",") if n]
    for n in picked:
        if n not in known:
            p.error("unknown %s %s (known: %s)" % (what, n, ", ".join(known)))
    return picked


def ready(prog, args, use_mlc, mlc_hint, need_ort):
    """Whether the check can run. When mlc (needed if use_mlc) or onnxruntime-node (needed
    if need_ort) is missing, says so on stderr (with mlc_hint: what to do) and returns
    False: the check exits 2. Else makes the --work folder and returns True."""
    if use_mlc and not os.access(args.mlc, os.X_OK):
        print("%s: mlc not found at %s (%s)" % (prog, args.mlc, mlc_hint), file=sys.stderr)
        return False
    if need_ort and not oc.ort_installed():
        print("%s: onnxruntime-node is not installed (utils/setup.sh)" % prog, file=sys.stderr)
        return False
    os.makedirs(args.work, exist_ok=True)
    return True


def mlc_mode(prog, args):
    """For the checks with add_mode_options: whether they run mlc (neither --no-mlc nor
    --export-only), or None when they cannot run (see ready: they exit 2). They need ONNX
    Runtime unless --export-only."""
    use_mlc = not args.no_mlc and not args.export_only
    if not ready(prog, args, use_mlc, "build it, pass --mlc, or --no-mlc",
                 need_ort=not args.export_only):
        return None
    return use_mlc


def log(msg):
    """A progress line, flushed at once (the exports and runs take a while)."""
    print(msg, flush=True)
