#!/usr/bin/python3
"""Runs the ONNX backend node tests (Debian's libonnx-testdata) through mlc.

Each test folder holds model.onnx and test_data_set_*/{input,output}_N.pb.
For each: freeze shape-like inputs into initializers (the runtime fixes shapes
at compile time), `mlc compile`, `mlc run` (oneDNN kernels, then --reference),
and compare every output with output_N.pb.

A test passes when the default (oneDNN) path matches; a mismatch on the
reference path is reported beside it. A test that cannot be compiled or run
for a known, stated reason (an op or element type mlc does not have, a
data-dependent shape, ...) is skipped with that reason; wrong numbers, a crash
or an error no rule explains is a failure.

--expect FILE names the tests not expected to pass (`test_name: reason`);
the exit code is 1 when any other test fails or is skipped, else 0; 77 when
the test data is missing. Tests in FILE that now pass are reported only.

Usage: run_node_tests.py --mlc build/bin/mlc [--filter REGEX] [--jobs N]
           [--list docs/conformance.md] [--expect skips.txt]
           [--write-skips skips.txt] [-v]
"""

import argparse
import concurrent.futures
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

DEFAULT_DATA = "/usr/share/libonnx-testdata/data/node"
SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
OP_IMPORTERS = os.path.join(SOURCE_ROOT, "lib", "Import", "ONNX",
                            "OpImporters.cpp")

# Comparison, as ONNX's backend runner (rtol 1e-3) but with an absolute
# floor of 1e-5 instead of 1e-7: outputs near zero of transcendental
# functions (sin, erf, softplus, ...) differ from numpy's by a few ulps of
# the input's magnitude, not of the output's.
RTOL = 1e-3
ATOL = 1e-5

# Per-command time limit (seconds): a hang is a failure, not a stuck run.
COMMAND_TIMEOUT = 120

# Inputs that parameterize an op's shape or mode rather than carry data:
# op type -> input positions. A graph input that feeds one of these is
# frozen into an initializer holding the test's data.
SHAPE_INPUTS = {
    "Reshape": {1},
    "Expand": {1},
    "Slice": {1, 2, 3, 4},
    "Pad": {1, 2, 3},
    "Resize": {1, 2, 3},
    "Upsample": {1},
    "Tile": {1},
    "ReduceSum": {1},
    "ReduceMean": {1},
    "ReduceMax": {1},
    "ReduceMin": {1},
    "ReduceProd": {1},
    "ReduceL1": {1},
    "ReduceL2": {1},
    "ReduceLogSum": {1},
    "ReduceLogSumExp": {1},
    "ReduceSumSquare": {1},
    "Squeeze": {1},
    "Unsqueeze": {1},
    "Split": {1},
    "Clip": {1, 2},
    "ConstantOfShape": {0},
    "TopK": {1},
    "OneHot": {1},
    "Range": {0, 1, 2},
    "CumSum": {1},
    "Dropout": {1, 2},
    "Trilu": {1},
    "CenterCropPad": {1},
}
# Positions where a float tensor is frozen too (elsewhere only integers).
FLOAT_SHAPE_INPUTS = {
    "Resize": {1, 2},
    "Upsample": {1},
    "Clip": {1, 2},
    "Pad": {2},
    "Dropout": {1},
}


def supported_op_types():
    """The op types mlc's importer maps to nn ops (others become nn.custom),
    read from its table; None when the source is not beside this script."""
    try:
        with open(OP_IMPORTERS) as f:
            text = f.read()
    except OSError:
        return None
    start = text.find("getOpImporters")
    if start < 0:
        return None
    table = text[start:]
    ops = set(re.findall(r'\{\s*"([A-Z][A-Za-z0-9]*)"\s*,', table))
    ops |= set(re.findall(r'(?:UNARY|BINARY|COMPARE|REDUCE)\(\s*"([A-Z][A-Za-z0-9]*)"',
                          table))
    return ops or None


# ---------------------------------------------------------------------------
# Classification of errors into skip reasons
# ---------------------------------------------------------------------------

# (regex on the error line, reason template). The first that matches wins;
# groups fill the template. An error none matches is a failure.
SKIP_RULES = [
    (r"data type (\w+), which mlc does not support",
     "element type {0} not supported by mlc"),
    (r"unsupported element type (\w+) for (\w+)",
     "element type {0} not supported by the runtime for {1}"),
    (r"(\w+) '[^']*': \w+ has element type (\w+), expected (\w+)",
     "element type {1} not supported by the runtime for {0} (it takes {2})"),
    (r"element type (\w+) (?:is )?not supported",
     "element type {0} not supported by the runtime"),
    (r"uses ONNX opset (\d+), older than the oldest mlc supports \((\d+)\)",
     "opset {0} model: mlc imports opset {1} and newer"),
    (r"(\w+) (\w+) '([^']*)' is not one of",
     "attribute/mode not supported: {0} {1}={2}"),
    (r"(?:data-dependent|not known at compile time|not a constant|"
     r"must be (?:a )?constant)",
     "needs data-dependent shapes"),
]


def classify_error(text):
    """A skip reason for an error message, or None (a failure)."""
    for pattern, template in SKIP_RULES:
        m = re.search(pattern, text, re.IGNORECASE)
        if m:
            return template.format(*m.groups())
    if re.search(r"not supported by the runtime|does not support|"
                 r"not supported|unsupported|only supports|not implemented",
                 text, re.IGNORECASE):
        return "not supported: " + shorten(text)
    return None


def shorten(text, limit=160):
    text = " ".join(text.split())
    # Drop the model's path, which every message repeats.
    text = re.sub(r"^\S*model\.onnx:\s*(error:\s*)?", "", text)
    text = re.sub(r"^mlc \w+: error:\s*\S+\.mlc:\s*", "", text)
    text = re.sub(r"^mlc \w+: error:\s*", "", text)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def first_error_line(stderr):
    lines = [l for l in stderr.splitlines() if l.strip()]
    for l in lines:
        if "error" in l:
            return l.strip()
    return lines[-1].strip() if lines else ""


def signal_name(rc):
    try:
        return signal.Signals(-rc).name
    except ValueError:
        return "signal %d" % -rc


# ---------------------------------------------------------------------------
# One test
# ---------------------------------------------------------------------------

def load_sequence_or_tensor(path):
    """A .pb of a test: a TensorProto, or something else (a sequence,
    optional or map), returned as None."""
    import onnx
    from onnx import numpy_helper
    with open(path, "rb") as f:
        data = f.read()
    t = onnx.TensorProto()
    try:
        t.ParseFromString(data)
    except Exception:
        return None
    if not t.HasField("data_type") or t.data_type == 0:
        return None
    return numpy_helper.to_array(t)


def data_sets(test_dir):
    return sorted(glob.glob(os.path.join(test_dir, "test_data_set_*")))


def compare(name, expected, actual):
    """None when they agree, else what differs."""
    import numpy as np
    if expected.shape != actual.shape:
        return "%s: shape %s, expected %s" % (
            name, "x".join(map(str, actual.shape)) or "scalar",
            "x".join(map(str, expected.shape)) or "scalar")
    if expected.dtype.kind in "fc":
        if actual.dtype.kind not in "fc":
            return "%s: dtype %s, expected %s" % (name, actual.dtype,
                                                 expected.dtype)
        e = expected.astype(np.float64)
        a = actual.astype(np.float64)
        en, an = np.isnan(e), np.isnan(a)
        if (en != an).any():
            i = np.argwhere(en != an)[0]
            return "%s: NaN positions differ (first at %s: got %g, want %g)" % (
                name, tuple(i.tolist()), a[tuple(i)], e[tuple(i)])
        ok = ~en
        e, a = e[ok], a[ok]
        ei, ai = np.isinf(e), np.isinf(a)
        if (ei != ai).any() or (e[ei] != a[ei]).any():
            return "%s: infinities differ" % name
        e, a = e[~ei], a[~ei]
        err = np.abs(a - e)
        bad = err > ATOL + RTOL * np.abs(e)
        if bad.any():
            k = int(np.argmax(err / (ATOL + RTOL * np.abs(e))))
            return "%s: %d of %d values differ (max abs err %.3g; got %g, " \
                   "want %g)" % (name, int(bad.sum()), e.size,
                                 float(err.max()), a[k], e[k])
        return None
    # Integers and booleans: exact.
    if actual.dtype.kind == "f":
        return "%s: dtype %s, expected %s" % (name, actual.dtype,
                                             expected.dtype)
    if (expected.astype(np.int64) != actual.astype(np.int64)).any():
        bad = int((expected.astype(np.int64) != actual.astype(np.int64)).sum())
        return "%s: %d of %d values differ" % (name, bad, expected.size)
    return None


def run_cmd(cmd):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, errors="replace",
                           timeout=COMMAND_TIMEOUT)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return None, "", "timed out after %ds" % COMMAND_TIMEOUT


def custom_ops(mlc, model_path, tmp):
    """The nn.custom ops mlc's import makes of the model: a list of
    (op type, attributes text); None if import fails."""
    out = os.path.join(tmp, "import.mlir")
    rc, _, _ = run_cmd([mlc, "import", model_path, "-o", out])
    if rc != 0:
        return None
    with open(out) as f:
        text = f.read()
    return re.findall(r'nn\.custom "([^"]+)"\([^)]*\)\s*(\{[^\n]*?\})?\s*:',
                      text)


def describe_custom(op_type, attrs, graph):
    """Why the importer kept a node of this op type as nn.custom."""
    attrs = attrs or ""
    if "training_mode = 1" in attrs:
        return "training-mode %s not supported by mlc" % op_type
    for node in graph.node:
        if node.op_type != op_type:
            continue
        extra = [o for o in list(node.output)[1:] if o]
        if extra:
            return "%s with its optional output(s) %s not supported by mlc" % (
                op_type, ", ".join("'%s'" % o for o in extra))
    m = re.search(r"node_attributes = (\{.*\})", attrs)
    return "%s in this form (%s) not imported by mlc" % (
        op_type, shorten(m.group(1) if m else attrs, 100))


def run_test(args):
    """Runs one test folder: returns a dict with name, status (pass, fail,
    skip), reason, and ref (reference-path mismatch or None)."""
    test_dir, mlc, supported, tolerance, keep = args
    global RTOL, ATOL
    RTOL, ATOL = tolerance
    name = os.path.basename(test_dir)
    result = {"name": name, "status": "fail", "reason": "", "ref": None,
              "op": ""}
    try:
        return run_test_inner(test_dir, mlc, supported, keep, result)
    except Exception as e:  # a bug in this runner, or unreadable data
        result["status"] = "fail"
        result["reason"] = "runner error: %s: %s" % (type(e).__name__, e)
        return result


def run_test_inner(test_dir, mlc, supported, keep, result):
    import numpy as np
    import onnx
    from onnx import numpy_helper

    model = onnx.load(os.path.join(test_dir, "model.onnx"))
    graph = model.graph
    # The op a test is about: its one op type besides Constant; tests of a
    # function's expansion are grouped by name.
    ops = sorted({n.op_type for n in graph.node} - {"Constant"})
    if result["name"].endswith("_expanded"):
        result["op"] = "(function expansions)"
    elif len(ops) == 1:
        result["op"] = ops[0]
    elif not ops:
        result["op"] = "Constant"
    else:
        result["op"] = "(several ops)"

    # Skipped without running: ops the importer has no entry for.
    if supported is not None:
        missing = sorted({n.op_type for n in graph.node
                          if n.domain in ("", "ai.onnx")
                          and n.op_type not in supported} |
                         {"%s.%s" % (n.domain, n.op_type) for n in graph.node
                          if n.domain not in ("", "ai.onnx")})
        if missing:
            result["status"] = "skip"
            result["reason"] = "op %s not supported by mlc" % ", ".join(missing)
            return result

    # Values that are not tensors, and bfloat16 (numpy has no such type, so
    # no .npy file can carry it in or out).
    for v in list(graph.input) + list(graph.output):
        kind = v.type.WhichOneof("value")
        if kind != "tensor_type":
            result["status"] = "skip"
            result["reason"] = "%s values (%s) not supported by mlc" % (
                {"sequence_type": "sequence", "optional_type": "optional",
                 "map_type": "map"}.get(kind, kind), v.name)
            return result
        if v.type.tensor_type.elem_type == onnx.TensorProto.BFLOAT16:
            result["status"] = "skip"
            result["reason"] = "element type BFLOAT16: .npy files cannot " \
                               "carry it to or from mlc run"
            return result

    sets = data_sets(test_dir)
    if not sets:
        result["status"] = "skip"
        result["reason"] = "no test data"
        return result

    initializer_names = {t.name for t in graph.initializer}
    graph_inputs = [i for i in graph.input if i.name not in initializer_names]

    # Which graph inputs feed a shape parameter.
    freeze = set()
    for node in graph.node:
        positions = SHAPE_INPUTS.get(node.op_type, set())
        floats = FLOAT_SHAPE_INPUTS.get(node.op_type, set())
        for pos, inp in enumerate(node.input):
            if pos in positions and inp:
                freeze.add((inp, pos in floats))

    if keep:
        tmp = os.path.join(keep, result["name"])
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
    else:
        tmp = tempfile.mkdtemp(prefix="mlc-conf-")
    try:
        # Input/output values of every data set; sequences and optionals
        # (not tensors) are skipped.
        loaded = []
        for ds in sets:
            ins = []
            for i, gi in enumerate(graph_inputs):
                p = os.path.join(ds, "input_%d.pb" % i)
                if not os.path.exists(p):
                    break
                v = load_sequence_or_tensor(p)
                if v is None:
                    result["status"] = "skip"
                    result["reason"] = "sequence/optional inputs not " \
                                       "supported by mlc"
                    return result
                ins.append(v)
            outs = []
            for i, go in enumerate(graph.output):
                p = os.path.join(ds, "output_%d.pb" % i)
                v = load_sequence_or_tensor(p)
                if v is None:
                    result["status"] = "skip"
                    result["reason"] = "sequence/optional outputs not " \
                                       "supported by mlc"
                    return result
                outs.append(v)
            loaded.append((ins, outs))

        # Freeze: every data set must agree on the frozen values (they do in
        # the ONNX suite; otherwise one compile per set would be needed).
        frozen = {}
        for i, gi in enumerate(graph_inputs):
            for fname, float_ok in freeze:
                if fname != gi.name:
                    continue
                v = loaded[0][0][i] if i < len(loaded[0][0]) else None
                if v is None:
                    continue
                if v.dtype.kind in "iub" or (float_ok and v.dtype.kind == "f"):
                    frozen[i] = v
        model_path = os.path.join(test_dir, "model.onnx")
        if frozen:
            # (Not `keep`: that names the folder to keep, which `finally` reads.)
            unfrozen = []
            for i, gi in enumerate(graph_inputs):
                if i in frozen:
                    graph.initializer.append(
                        numpy_helper.from_array(frozen[i], gi.name))
                else:
                    unfrozen.append(gi)
            # Rebuild the input list without the frozen ones (initializer
            # inputs that were listed as graph inputs stay).
            rest = [gi for gi in graph.input if gi.name in initializer_names]
            del graph.input[:]
            graph.input.extend(unfrozen + rest)
            model_path = os.path.join(tmp, "model.onnx")
            onnx.save(model, model_path)

        compiled = os.path.join(tmp, "model.mlc")
        rc, _, err = run_cmd([mlc, "compile", model_path, "-o", compiled])
        if rc is None or (rc != 0 and rc != 2):
            result["reason"] = "compile crashed: %s" % (
                "timeout" if rc is None else
                signal_name(rc) if rc < 0 else "exit %d: %s" % (
                    rc, shorten(first_error_line(err))))
            return result
        if rc == 2:
            return skip_or_fail(result, "compile", err, mlc, model_path, tmp)

        default_problem = None
        ref_problem = None
        for k, (ins, outs) in enumerate(loaded):
            run_args = []
            for i, gi in enumerate(graph_inputs):
                if i in frozen or i >= len(ins):
                    continue
                p = os.path.join(tmp, "in_%d_%d.npy" % (k, i))
                np.save(p, ins[i])
                run_args += ["--input", "%s=%s" % (gi.name, p)]
            for mode in ("default", "reference"):
                out_dir = os.path.join(tmp, "out_%d_%s" % (k, mode))
                cmd = [mlc, "run", compiled] + run_args + [
                    "--output-dir", out_dir, "--quiet"]
                if mode == "reference":
                    cmd.append("--reference")
                rc, _, err = run_cmd(cmd)
                problem = None
                if rc is None or rc < 0 or rc not in (0, 2):
                    problem = "run crashed: %s" % (
                        "timeout" if rc is None else
                        signal_name(rc) if rc < 0 else "exit %d" % rc)
                elif rc == 2:
                    if mode == "default":
                        return skip_or_fail(result, "run", err, mlc,
                                            model_path, tmp)
                    problem = "run error: " + shorten(first_error_line(err))
                else:
                    problems = []
                    for go, want in zip(graph.output, outs):
                        p = os.path.join(out_dir,
                                         go.name.replace("/", "_") + ".npy")
                        if not os.path.exists(p):
                            problems.append("%s: no output written" % go.name)
                            continue
                        d = compare(go.name, want, np.load(p))
                        if d:
                            problems.append(d)
                    if problems:
                        problem = "wrong output: " + "; ".join(problems)
                if problem and len(loaded) > 1:
                    problem = "%s: %s" % (os.path.basename(sets[k]), problem)
                if problem and mode == "default":
                    default_problem = default_problem or problem
                elif problem:
                    ref_problem = ref_problem or problem
        if default_problem:
            result["reason"] = shorten(default_problem, 240)
        else:
            result["status"] = "pass"
        result["ref"] = shorten(ref_problem, 240) if ref_problem else None
        return result
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def onnx_load(path):
    import onnx
    return onnx.load(path)


def skip_or_fail(result, stage, stderr, mlc, model_path, tmp):
    line = first_error_line(stderr)
    # An op the importer kept as nn.custom: say which, and why.
    customs = custom_ops(mlc, model_path, tmp)
    if customs:
        result["status"] = "skip"
        graph = onnx_load(model_path).graph
        result["reason"] = "; ".join(sorted({describe_custom(t, a, graph)
                                             for t, a in customs}))
        return result
    reason = classify_error(line)
    if reason:
        result["status"] = "skip"
        result["reason"] = reason
    else:
        result["reason"] = "%s error: %s" % (stage, shorten(line, 240))
    return result


# ---------------------------------------------------------------------------
# Expectations and reports
# ---------------------------------------------------------------------------

def read_expect(path):
    expect = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, reason = line.partition(":")
            expect[name.strip()] = reason.strip()
    return expect


def write_skips(path, results):
    with open(path, "w") as f:
        f.write("# ONNX backend node tests (libonnx-testdata) that mlc is not\n"
                "# expected to pass, one `test_name: reason` a line. Written by\n"
                "# run_node_tests.py --write-skips, then reviewed. A test that\n"
                "# is not listed here and does not pass fails ctest's\n"
                "# onnx-conformance; a listed test that passes is reported.\n")
        for r in sorted(results, key=lambda r: r["name"]):
            if r["status"] != "pass":
                f.write("%s: %s%s\n" % (r["name"],
                                        "FAIL " if r["status"] == "fail"
                                        else "", r["reason"]))


def md_escape(text):
    return text.replace("|", "\\|").replace("\n", " ")


def write_list(path, results, elapsed, jobs, data_dir):
    counts = {s: sum(1 for r in results if r["status"] == s)
              for s in ("pass", "fail", "skip")}
    lines = []
    lines.append("<!-- Generated by test/Conformance/run_node_tests.py "
                 "--list; do not edit by hand. -->")
    lines.append("")
    lines.append("**%d passed, %d failed, %d skipped (of %d)**, in %.0f s "
                 "with %d jobs." % (counts["pass"], counts["fail"],
                                    counts["skip"], len(results), elapsed,
                                    jobs))
    lines.append("")
    # Counts by reason category.
    cats = {}
    for r in results:
        if r["status"] == "pass":
            continue
        key = reason_category(r)
        cats[key] = cats.get(key, 0) + 1
    lines.append("| why not passed | tests |")
    lines.append("| --- | ---: |")
    for key, n in sorted(cats.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append("| %s | %d |" % (md_escape(key), n))
    lines.append("")
    # By op, for the ops mlc imports.
    supported = supported_op_types() or set()
    by_op = {}
    for r in results:
        by_op.setdefault(r["op"], []).append(r)
    lines.append("By op (tests of one op that mlc imports; others below "
                 "under their reason):")
    lines.append("")
    lines.append("| op | tests | passed | failed | skipped |")
    lines.append("| --- | ---: | ---: | ---: | ---: |")
    for op in sorted(by_op, key=lambda o: o.lower()):
        if op not in supported and not any(r["status"] == "pass"
                                           for r in by_op[op]):
            continue
        rs = by_op[op]
        lines.append("| %s | %d | %d | %d | %d |" % (
            op, len(rs), sum(r["status"] == "pass" for r in rs),
            sum(r["status"] == "fail" for r in rs),
            sum(r["status"] == "skip" for r in rs)))
    lines.append("")
    refs = [r for r in results if r["status"] == "pass" and r["ref"]]
    if refs:
        lines.append("Passed on the default (oneDNN) path, but the reference "
                     "kernels (`--reference`) disagree:")
        lines.append("")
        lines.append("| test | reference path |")
        lines.append("| --- | --- |")
        for r in sorted(refs, key=lambda r: r["name"]):
            lines.append("| %s | %s |" % (r["name"], md_escape(r["ref"])))
        lines.append("")
    for status, title in (("fail", "Failures (bugs to fix):"),
                          ("skip", "Skipped tests:")):
        rs = sorted((r for r in results if r["status"] == status),
                    key=lambda r: r["name"])
        if not rs:
            continue
        lines.append(title)
        lines.append("")
        lines.append("| test | reason |")
        lines.append("| --- | --- |")
        for r in rs:
            reason = r["reason"]
            if r["ref"]:
                reason += " (reference path: %s)" % r["ref"]
            lines.append("| %s | %s |" % (r["name"], md_escape(reason)))
        lines.append("")
    table = "\n".join(lines)

    begin, end = "<!-- BEGIN GENERATED -->", "<!-- END GENERATED -->"
    if os.path.exists(path):
        with open(path) as f:
            text = f.read()
        if begin in text and end in text:
            head = text[:text.index(begin) + len(begin)]
            tail = text[text.index(end):]
            with open(path, "w") as f:
                f.write(head + "\n" + table + "\n" + tail)
            return
    with open(path, "w") as f:
        f.write("# ONNX conformance\n\n%s\n%s\n%s\n" % (begin, table, end))


def reason_category(r):
    reason = r["reason"]
    if r["status"] == "fail":
        if "crash" in reason:
            return "fail: crash"
        if reason.startswith("wrong output"):
            return "fail: wrong output"
        return "fail: error"
    rules = [
        (r"^op .* not supported by mlc", "op not supported by mlc"),
        (r"training-mode", "training mode"),
        (r"optional output", "optional output of an op not supported"),
        (r"in this form", "form of an op not imported"),
        (r"element type", "element type not supported"),
        (r"opset", "opset older than 7"),
        (r"attribute/mode", "attribute/mode not supported"),
        (r"data-dependent", "needs data-dependent shapes"),
        (r"values \(", "sequence/optional values"),
    ]
    for pattern, name in rules:
        if re.search(pattern, reason):
            return name
    return "other"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mlc", required=True, help="the mlc binary")
    ap.add_argument("--data", default=DEFAULT_DATA,
                    help="folder of node tests (default: %(default)s)")
    ap.add_argument("--filter", default=None, help="regex on test names")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--list", default=None,
                    help="write the results table into this Markdown file")
    ap.add_argument("--expect", default=None,
                    help="tests expected not to pass (test_name: reason)")
    ap.add_argument("--write-skips", default=None,
                    help="write the tests that did not pass, with reasons")
    ap.add_argument("--rtol", type=float, default=RTOL)
    ap.add_argument("--atol", type=float, default=ATOL)
    ap.add_argument("--keep", default=None, metavar="DIR",
                    help="keep each test's frozen model, .mlc, inputs and "
                         "outputs in DIR/<test> (to reproduce a failure)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print every test's result")
    args = ap.parse_args()

    if not os.path.isdir(args.data):
        print("conformance: no test data at %s (install libonnx-testdata); "
              "skipped" % args.data)
        return 77
    try:
        import numpy  # noqa: F401
        import onnx  # noqa: F401
    except ImportError as e:
        print("conformance: %s (install python3-onnx, python3-numpy); "
              "skipped" % e)
        return 77
    mlc = os.path.abspath(args.mlc)
    if not os.access(mlc, os.X_OK):
        print("conformance: %s is not an executable mlc" % mlc)
        return 2

    tests = sorted(d for d in glob.glob(os.path.join(args.data, "test_*"))
                   if os.path.isfile(os.path.join(d, "model.onnx")))
    if args.filter:
        rx = re.compile(args.filter)
        tests = [t for t in tests if rx.search(os.path.basename(t))]
    supported = supported_op_types()

    start = time.time()
    results = []
    with concurrent.futures.ProcessPoolExecutor(max_workers=args.jobs) as ex:
        for r in ex.map(run_test, [(t, mlc, supported, (args.rtol, args.atol),
                                 os.path.abspath(args.keep) if args.keep
                                 else None) for t in tests],
                        chunksize=4):
            results.append(r)
            if args.verbose or r["status"] == "fail":
                print("%-60s %s%s" % (r["name"], r["status"].upper(),
                                      (": " + r["reason"]) if r["reason"]
                                      else ""))
            if r["ref"] and (args.verbose or r["status"] == "pass"):
                print("%-60s reference path: %s" % (r["name"], r["ref"]))
    elapsed = time.time() - start

    counts = {s: sum(1 for r in results if r["status"] == s)
              for s in ("pass", "fail", "skip")}

    if args.list:
        write_list(args.list, results, elapsed, args.jobs, args.data)
    if args.write_skips:
        write_skips(args.write_skips, results)

    rc = 0
    if args.expect:
        expect = read_expect(args.expect)
        regressions = [r for r in results
                       if r["status"] != "pass" and r["name"] not in expect]
        fixed = [r for r in results
                 if r["status"] == "pass" and r["name"] in expect]
        for r in regressions:
            print("REGRESSION %s: %s: %s" % (r["name"], r["status"],
                                             r["reason"]))
        for r in fixed:
            print("now passes (remove from %s): %s" % (
                os.path.basename(args.expect), r["name"]))
        if regressions:
            rc = 1
    print("conformance time: %.1f s with %d jobs" % (elapsed, args.jobs))
    print("conformance: %d passed, %d failed, %d skipped (of %d)" % (
        counts["pass"], counts["fail"], counts["skip"], len(results)))
    return rc


if __name__ == "__main__":
    sys.exit(main())
