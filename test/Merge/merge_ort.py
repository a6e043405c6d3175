#!/usr/bin/env python3
"""Holds `mlc merge` to ONNX Runtime: the merged model must compute what each export does.

    merge_ort.py --mlc BIN EXPORT.onnx EXPORT.onnx [...] [--shapes SPEC] [--input NAME]
                 [--between FRESH.onnx]... [--expect-exit 0] [--expect-message TEXT]...
                 [--max-size-ratio 1.01] [--rtol 1e-5] [--work DIR]
    merge_ort.py --self-test [-v]

1. Runs `mlc merge EXPORT... [--shapes SPEC] [--input NAME] -o WORK/merged.onnx --json`
   (timed) and checks its exit code against --expect-exit (default 0). When a failure is
   expected (1: not one network, a size the network does not allow...; 2: bad arguments),
   that is all: the exit code, no file left in WORK (no output, no temporary), a message on
   stderr, and each --expect-message (case-insensitive, in stdout or stderr; e.g. the node
   and attribute a refusal must name).
2. The --json report on stdout: "inputs" names the exports' inputs in order, and the
   input SPEC is about (--input, else the first) has the expected shape set: SPEC's sizes
   ("shapes", in SPEC's order) or SPEC's range ("range", per dim min/max/step), or without
   --shapes the exports' own shapes in the order given; "default_shape" is the first shape
   (for a range: a shape in it); "generalized" is a list (printed); "weights_bytes" and
   "shared_bytes" are whole numbers.
3. The merged file: at most --max-size-ratio (default 1.01) x the largest export's size;
   its graph inputs are the exports' (names, order); each dim of that input that varies in
   the shape set is a dim_param, each dim that does not is that value; two dims that
   differ in some shape of the set (H and W of 64x96 and 96x128, or of a range per dim)
   have different dim_params; metadata_props "mlc.shapes" holds the shape set
   ("image: 1x3x224x224, 1x3x448x448" or "image: 1x3x(224..448:32)x(224..448:32)"; inputs
   separated by ";"), equal to the expected one.
4. ONNX Runtime: for each export, the merged model runs at the export's input shapes and
   every output equals the export's own output on the same input (the sin pattern of
   utils/ort_compare.py: x[i] = 0.5*sin(i)), max |diff| <= rtol * max |export's output|
   (rtol 1e-5). For each --between FRESH.onnx (a static export of the same network at
   another size, which must be in the shape set: say a range), the same against FRESH.
5. Probes: shapes of the set that are no export's and no --between's (every extra
   enumerated shape; for a range its corners, H != W ones included, and its middle; at
   most --probes of them, default 4) must run in ONNX Runtime with finite outputs: the
   set is a promise the merged model must keep (there is no reference to compare with).
   Only for a single-input model.

SPEC, as `mlc merge` reads it: `224,448` (square H = W), `224x320,448x640` (H x W),
`1x3x224x224,...` (full shapes), or one range: `224..448` or `224..448:32` (square: H and W
each in it), per dim `224..448:32x320..640:32`, or a full shape with ranges
(`1x3x224..448:32x224..448:32`). The range set is a product (H and W vary independently).
H and W are the last two dims of the input's shape; the others come from the exports.

Without onnxruntime-node (utils/setup.sh installs it) a run that expects exit 0 is skipped
(exit 77); an expected failure needs no ONNX Runtime. The merged ONNX is read with a small
protobuf reader in this file (no onnx package needed).

--self-test checks this script's own parsing and checks with no mlc: "merged" models made
from the fixtures (an export with dim_params and the metadata written in; the dynamic FCN
of test/Analysis/Inputs) with hand-written reports; right ones must pass, wrong ones (a
baked constant kept, other weights, no dim_params, a file too large, H and W under one
name, a between size outside the set, a failure that leaves a file...) must fail.

Exit codes: 0 every check passed, 1 a check failed (or mlc could not be run), 2 usage
errors, 77 ONNX Runtime is not installed (ctest: skipped).

The fixtures (utils/make_fixtures.py's header says what each is; I = test/Merge/Inputs):

    $I/unet_64.onnx $I/unet_96.onnx $I/unet_128.onnx
    $I/unet_64.onnx $I/unet_96.onnx $I/unet_128.onnx --shapes 64..128:16 --between $I/unet_112.onnx
    $I/fcn_64.onnx $I/fcn_96.onnx --shapes 64..96:16 --between $I/fcn_80.onnx
    $I/hw_64x96.onnx $I/hw_96x128.onnx
    $I/classifier_64.onnx $I/classifier_96.onnx
    $I/other_net_64.onnx $I/classifier_96.onnx --expect-exit 1 --expect-message /conv4/Conv
    $I/adaptive_64.onnx $I/adaptive_96.onnx --expect-exit 1 --expect-message /pool/AveragePool
        --expect-message kernel_shape
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "utils"))
import measure  # noqa: E402
import ort_compare as oc  # noqa: E402
from checker import (SKIP, Checker, add_self_test_options, error_line,  # noqa: E402
                     self_test_result, skipped_without_ort)

METADATA_KEY = "mlc.shapes"


class SpecError(ValueError):
    """A SPEC, a report's shape set or a metadata value that does not parse."""


# ----------------------------------------------------------------------------------------
# A small protobuf reader (and, for the self-test, writer) for the parts of ModelProto used
# here: graph inputs and outputs (names, element types, dims), initializer names,
# metadata_props. Initializers' data is skipped, not copied.

def _varint(buf, pos):
    value, shift = 0, 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def pb_fields(buf, start=0, end=None):
    """Yields (field number, wire type, value, start of the field, end of the field): value
    is an int (varint, fixed) or a (start, end) span of buf (length-delimited)."""
    pos = start
    end = len(buf) if end is None else end
    while pos < end:
        field_start = pos
        key, pos = _varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            value, pos = int.from_bytes(buf[pos:pos + 8], "little"), pos + 8
        elif wire == 5:
            value, pos = int.from_bytes(buf[pos:pos + 4], "little"), pos + 4
        elif wire == 2:
            n, pos = _varint(buf, pos)
            value, pos = (pos, pos + n), pos + n
        else:
            raise ValueError("wire type %d at byte %d" % (wire, field_start))
        if pos > end:
            raise ValueError("field %d runs past its message" % field)
        yield field, wire, value, field_start, pos


def _text(buf, span):
    return bytes(buf[span[0]:span[1]]).decode("utf-8", errors="replace")


def _value_info(buf, span):
    """ValueInfoProto -> (name, element type or None, [int | str | None] or None)."""
    name, elem, dims = "", None, None
    for f, w, v, _, _ in pb_fields(buf, *span):
        if f == 1 and w == 2:
            name = _text(buf, v)
        elif f == 2 and w == 2:                                 # TypeProto
            for tf, tw, tv, _, _ in pb_fields(buf, *v):
                if tf != 1 or tw != 2:                          # tensor_type
                    continue
                for ef, ew, ev, _, _ in pb_fields(buf, *tv):
                    if ef == 1 and ew == 0:
                        elem = ev
                    elif ef == 2 and ew == 2:                   # TensorShapeProto
                        dims = []
                        for sf, sw, sv, _, _ in pb_fields(buf, *ev):
                            if sf != 1 or sw != 2:
                                continue
                            dim = None                          # Dimension
                            for df, dw, dv, _, _ in pb_fields(buf, *sv):
                                if df == 1 and dw == 0:
                                    dim = dv - (1 << 64) if dv >> 63 else dv
                                elif df == 2 and dw == 2:
                                    dim = _text(buf, dv)
                            dims.append(dim)
    return name, elem, dims


def read_model_info(path):
    """{"inputs": [(name, elem, dims)], "outputs": [...], "metadata": OrderedDict,
    "initializers": set of names} of an ONNX file. Graph inputs that are initializers
    (old IR versions list them) are left out of "inputs". Raises ValueError."""
    with open(path, "rb") as f:
        buf = memoryview(f.read())
    info = {"inputs": [], "outputs": [], "metadata": collections.OrderedDict(),
            "initializers": set()}
    graph = None
    for f, w, v, _, _ in pb_fields(buf):
        if f == 7 and w == 2:
            graph = v
        elif f == 14 and w == 2:
            key = value = ""
            for ef, ew, ev, _, _ in pb_fields(buf, *v):
                if ef == 1 and ew == 2:
                    key = _text(buf, ev)
                elif ef == 2 and ew == 2:
                    value = _text(buf, ev)
            info["metadata"][key] = value
    if graph is None:
        raise ValueError("%s: no graph" % path)
    inputs = []
    for f, w, v, _, _ in pb_fields(buf, *graph):
        if f == 5 and w == 2:                                   # initializer: its name
            for tf, tw, tv, _, _ in pb_fields(buf, *v):
                if tf == 8 and tw == 2:
                    info["initializers"].add(_text(buf, tv))
        elif f == 11 and w == 2:
            inputs.append(_value_info(buf, v))
        elif f == 12 and w == 2:
            info["outputs"].append(_value_info(buf, v))
    info["inputs"] = [i for i in inputs if i[0] not in info["initializers"]]
    return info


def _key(field, wire):
    return _enc_varint(field << 3 | wire)


def _enc_varint(n):
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _enc_bytes(field, data):
    if isinstance(data, str):
        data = data.encode()
    return _key(field, 2) + _enc_varint(len(data)) + data


def _enc_value_info(name, elem, dims):
    shape = b"".join(_enc_bytes(1, _enc_bytes(2, d) if isinstance(d, str)
                                else _key(1, 0) + _enc_varint(d)) for d in dims)
    tensor = _key(1, 0) + _enc_varint(elem) + _enc_bytes(2, shape)
    return _enc_bytes(1, name) + _enc_bytes(2, _enc_bytes(1, tensor))


def write_variant(src, dst, input_dims=None, metadata=None, pad=0):
    """Copies the ONNX file src to dst with the dims of the graph inputs named in
    input_dims ({name: [int | str]}) replaced, metadata_props set from metadata ({key:
    value}; replaces those keys, None removes a key), and a metadata entry "pad" of pad
    bytes. For the self-test's hand-made "merged" models."""
    with open(src, "rb") as f:
        buf = memoryview(f.read())
    input_dims = input_dims or {}
    metadata = dict(metadata or {})
    if pad:
        metadata["pad"] = "x" * pad
    out = bytearray()
    for f, w, v, s, e in pb_fields(buf):
        if f == 7 and w == 2:
            graph = bytearray()
            for gf, gw, gv, gs, ge in pb_fields(buf, *v):
                name, elem, _ = _value_info(buf, gv) if gf == 11 and gw == 2 else ("", 0, 0)
                if gf == 11 and gw == 2 and name in input_dims:
                    graph += _enc_bytes(11, _enc_value_info(name, elem, input_dims[name]))
                else:
                    graph += buf[gs:ge]
            out += _enc_bytes(7, bytes(graph))
        elif f == 14 and w == 2:
            key = [_text(buf, ev) for ef, ew, ev, _, _ in pb_fields(buf, *v) if ef == 1]
            if not key or key[0] not in metadata:
                out += buf[s:e]
        else:
            out += buf[s:e]
    for key, value in metadata.items():
        if value is not None:
            out += _enc_bytes(14, _enc_bytes(1, key) + _enc_bytes(2, value))
    with open(dst, "wb") as f:
        f.write(out)


# ----------------------------------------------------------------------------------------
# Shape sets: ("enum", [shape, ...]) or ("range", [(min, max, step) per dim]); None for
# a dim that takes any size (a dynamic batch: "?" in mlc.shapes, null in the report)

def any_size(dims):
    """An export's input dims with each dim_param (a dynamic batch) as None."""
    return tuple(None if isinstance(d, str) else d for d in dims)


def format_shape(dims):
    return "x".join("?" if d is None else str(int(d)) for d in dims)


class ShapeSet:
    """planned: a range's shapes planned ahead (a merge's exports' sizes)."""

    def __init__(self, kind, items, planned=()):
        self.kind = kind
        self.items = [tuple(x) for x in items]
        self.planned = [tuple(x) for x in planned]

    def __eq__(self, other):
        if not isinstance(other, ShapeSet) or self.kind != other.kind:
            return False
        if self.kind == "enum":
            return self.items == other.items
        norm = lambda r: (r[0], r[1], r[2] if r[0] != r[1] else 1)  # noqa: E731
        return ([norm(r) for r in self.items] == [norm(r) for r in other.items]
                and self.planned == other.planned)

    def rank(self):
        if self.kind == "range":
            return len(self.items)
        return len(self.items[0]) if self.items else 0

    def contains(self, shape):
        shape = tuple(shape)
        if self.kind == "enum":
            return any(len(shape) == len(s) and all(
                d == a or (a is None and d is not None and d >= 1)
                for d, a in zip(shape, s)) for s in self.items)
        return len(shape) == len(self.items) and all(
            (d is not None and d >= 1) if lo is None else
            d is not None and lo <= d <= hi and (d - lo) % (step or 1) == 0
            for d, (lo, hi, step) in zip(shape, self.items))

    def free(self):
        """Indices of the dims that take any size."""
        if self.kind == "enum":
            return [i for i in range(self.rank()) if self.items[0][i] is None]
        return [i for i, (lo, _, _) in enumerate(self.items) if lo is None]

    def varying(self):
        """Indices of the dims that are not the same in every shape (free ones aside)."""
        if self.kind == "enum":
            return [i for i in range(self.rank()) if len({s[i] for s in self.items}) > 1]
        return [i for i, (lo, hi, _) in enumerate(self.items) if lo != hi and lo is not None]

    def independent(self, i, j):
        """True if dims i and j differ in some shape of the set."""
        if self.kind == "enum":
            return any(s[i] != s[j] for s in self.items)
        a, b = self.items[i], self.items[j]
        return a[0] != a[1] or b[0] != b[1] or a[0] != b[0]

    def probes(self, limit):
        """Shapes of the set worth running: enumerated ones in order; a range's corners
        (aligned to its steps) and middle; a batch of 2 where any size is taken."""
        if self.kind == "enum":
            return [tuple(2 if d is None else d for d in s) for s in self.items][:limit]
        def top(lo, hi, step):
            return lo + (hi - lo) // step * step
        items = [(2, 2, 1) if lo is None else (lo, hi, st) for lo, hi, st in self.items]
        los = [lo for lo, _, _ in items]
        his = [top(*r) for r in items]
        mids = [lo + ((hi - lo) // st // 2) * st for lo, hi, st in items]
        shapes = [tuple(his), tuple(mids)]
        var = self.varying()
        if len(var) >= 2:
            a, b = var[-2], var[-1]
            for x, y in ((los, his), (his, los)):
                s = list(los)
                s[a], s[b] = x[a], y[b]
                shapes.append(tuple(s))
        shapes.append(tuple(los))
        out = []
        for s in shapes:
            if s not in out:
                out.append(s)
        return out[:limit]

    def first(self):
        if self.kind == "enum":
            return self.items[0]
        return tuple(lo for lo, _, _ in self.items)

    def default(self):
        """The shape mlc reports as the default: the first, 1 where any size is taken."""
        return tuple(1 if d is None else d for d in self.first())

    def __repr__(self):
        return self.text()

    def text(self):
        if self.kind == "enum":
            return ", ".join(format_shape(s) for s in self.items)
        text = "x".join("?" if lo is None else str(lo) if lo == hi else
                        "(%d..%d:%d)" % (lo, hi, step) for lo, hi, step in self.items)
        if self.planned:
            text += " planned " + ", ".join(format_shape(s) for s in self.planned)
        return text


def _size(text, what):
    """A positive size, or "?" (any size: None)."""
    return None if text.strip() == "?" else _positive(text, what)


def _positive(text, what):
    if not re.fullmatch(r"\d+", text.strip()):
        raise SpecError("%s: %r is not a positive whole number" % (what, text))
    n = int(text)
    if n <= 0:
        raise SpecError("%s: %d is not positive" % (what, n))
    return n


def _range(text, what):
    m = re.fullmatch(r"\s*\(?\s*(\d+)\s*\.\.\s*(\d+)\s*(?::\s*(\d+))?\s*\)?\s*", text)
    if not m:
        raise SpecError("%s: bad range %r (want MIN..MAX or MIN..MAX:STEP)" % (what, text))
    lo, hi = int(m.group(1)), int(m.group(2))
    step = int(m.group(3)) if m.group(3) is not None else 1
    if lo <= 0 or step <= 0:
        raise SpecError("%s: range %r: bounds and step must be positive" % (what, text))
    if lo > hi:
        raise SpecError("%s: range %r has min > max" % (what, text))
    return lo, hi, step


def _place(parts, base, what):
    """parts (one per dim given: 1 = square H = W, 2 = H, W, rank = full) -> full shape."""
    rank = len(base)
    if len(parts) == rank:
        return list(parts)
    if len(parts) == 1 and rank >= 2:
        return list(base[:-2]) + [parts[0], parts[0]]
    if len(parts) == 2 and rank >= 2:
        return list(base[:-2]) + list(parts)
    raise SpecError("%s: %d dims for an input of rank %d" % (what, len(parts), rank))


def parse_spec(text, base):
    """SPEC (see the module doc) for an input whose export shape is base -> ShapeSet."""
    text = text.strip()
    if not text:
        raise SpecError("empty SPEC")
    if ".." in text:
        if "," in text:
            raise SpecError("a range SPEC is one item: %r" % text)
        dims = []
        for part in text.split("x"):
            if ".." in part:
                dims.append(_range(part, "SPEC"))
            else:
                n = _positive(part, "SPEC")
                dims.append((n, n, 1))
        full = _place(dims, [(d, d, 1) for d in base], "SPEC %r" % text)
        return ShapeSet("range", full)
    shapes = []
    for item in text.split(","):
        parts = [_positive(p, "SPEC %r" % text) for p in item.strip().split("x")]
        shape = tuple(_place(parts, base, "SPEC item %r" % item))
        if shape in shapes:
            raise SpecError("SPEC %r lists %s twice" % (text, format_shape(shape)))
        shapes.append(shape)
    return ShapeSet("enum", shapes)


def parse_metadata(value):
    """mlc.shapes -> {input name: ShapeSet}."""
    sets = collections.OrderedDict()
    for chunk in re.split(r"[;\n]", value):
        if not chunk.strip():
            continue
        if ":" not in chunk:
            raise SpecError("%r: want NAME: SHAPES" % chunk)
        name, body = chunk.split(":", 1)
        name, body = name.strip(), body.strip()
        if ".." in body:
            body, _, planned = body.partition(" planned ")
            dims = []
            for part in re.findall(r"\([^)]*\)|[^x]+", body):
                if ".." in part:
                    dims.append(_range(part, name))
                else:
                    n = _size(part, name)
                    dims.append((n, n, 1))
            sets[name] = ShapeSet("range", dims, [
                tuple(_size(d, name) for d in s.strip().split("x"))
                for s in planned.split(",") if planned.strip()])
        else:
            sets[name] = ShapeSet("enum", [
                tuple(_size(d, name) for d in s.strip().split("x"))
                for s in body.split(",")])
    return sets


def report_set(entry):
    """A report's "inputs" entry -> ShapeSet."""
    if isinstance(entry.get("shapes"), list):
        shapes = entry["shapes"]
        if not all(isinstance(s, list) and all(d is None or isinstance(d, int) for d in s)
                   for s in shapes):
            raise SpecError("\"shapes\" is not a list of lists of whole numbers (or null)")
        return ShapeSet("enum", shapes)
    if isinstance(entry.get("range"), list):
        dims = []
        for r in entry["range"]:
            free = isinstance(r, dict) and r.get("min") is None and r.get("max") is None
            if not free and (not isinstance(r, dict) or not isinstance(r.get("min"), int)
                             or not isinstance(r.get("max"), int)):
                raise SpecError("\"range\" item %r has no whole min and max" % (r,))
            dims.append((r["min"], r["max"], int(r.get("step") or 1)))
        planned = entry.get("planned", [])
        if not isinstance(planned, list) or not all(
                isinstance(s, list) and all(d is None or isinstance(d, int) for d in s)
                for s in planned):
            raise SpecError("\"planned\" is not a list of lists of whole numbers (or null)")
        return ShapeSet("range", dims, planned)
    raise SpecError("input %r has neither \"shapes\" nor \"range\"" % entry.get("name"))


# ----------------------------------------------------------------------------------------
# The checks (a Checker, of utils/checker.py, collects them)

MergeResult = collections.namedtuple("MergeResult", "exit_code stdout stderr seconds")


def run_merge(mlc, exports, spec, input_name, out_path, timeout=600):
    cmd = [mlc, "merge"] + list(exports)
    if spec is not None:
        cmd += ["--shapes", spec]
    if input_name:
        cmd += ["--input", input_name]
    cmd += ["-o", out_path, "--json"]
    try:
        proc, seconds = measure.run_timed(cmd, timeout)
    except OSError as e:
        return MergeResult(None, "", "cannot run %s: %s" % (mlc, e), 0.0)
    except subprocess.TimeoutExpired:
        return MergeResult(None, "", "mlc merge timed out after %d s" % timeout, timeout)
    return MergeResult(proc.returncode, proc.stdout.decode(errors="replace"),
                       proc.stderr.decode(errors="replace"), seconds)


def _first_line(text):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[0][:200] if lines else ""


def check_failure(ck, result, expect, out_dir, messages):
    """An expected failure: exit code, nothing left in out_dir, a message."""
    ck.check(result.exit_code == expect, "mlc merge exits %s (expected %d)%s" % (
        result.exit_code, expect, ": " + _first_line(result.stderr) if result.stderr else ""))
    left = sorted(os.listdir(out_dir)) if os.path.isdir(out_dir) else []
    ck.check(not left, "no output file left behind%s" % (": " + ", ".join(left) if left else ""))
    ck.check(result.stderr.strip() != "", "an error message on stderr")
    for line in result.stderr.strip().splitlines()[:12]:
        ck.say("       | " + line)
    both = (result.stdout + "\n" + result.stderr).lower()
    for m in messages:
        ck.check(m.lower() in both, "the message names %r" % m)


def check_report(ck, report, names, spec_input, want):
    """The --json report against the expected shape set."""
    if not isinstance(report, dict):
        ck.fail("the --json report is not a JSON object")
        return
    inputs = report.get("inputs")
    if not isinstance(inputs, list) or not all(isinstance(i, dict) for i in inputs):
        ck.fail("report: \"inputs\" is not a list of objects")
        return
    got_names = [i.get("name") for i in inputs]
    ck.check(got_names == names, "report: inputs %s (expected %s)" % (got_names, names))
    entry = next((i for i in inputs if i.get("name") == spec_input), None)
    if entry is None:
        ck.fail("report: no entry for input %r" % spec_input)
        return
    try:
        got = report_set(entry)
    except SpecError as e:
        ck.fail("report: input %r: %s" % (spec_input, e))
        return
    ck.check(got == want, "report: %s: %s %s (expected %s)" % (
        spec_input, got.kind, got.text(), want.text()))
    default = report.get("default_shape")
    if want.kind == "enum":
        ck.check(default == list(want.default()), "report: default_shape %s (expected %s)"
                 % (default, list(want.default())))
    else:
        ck.check(isinstance(default, list) and want.contains(default),
                 "report: default_shape %s is in the range" % (default,))
    gen = report.get("generalized")
    if ck.check(isinstance(gen, list), "report: \"generalized\" is a list (%s)"
                % (len(gen) if isinstance(gen, list) else type(gen).__name__)):
        for g in gen:
            if not isinstance(g, dict):
                ck.fail("report: generalized item %r is not an object" % (g,))
                continue
            ck.say("       %s '%s' %s[%s] %s -> %s" % (
                g.get("op"), g.get("node"), g.get("operand"), g.get("index"),
                g.get("values"), g.get("formula")))
    for key in ("weights_bytes", "shared_bytes"):
        v = report.get(key)
        ck.check(isinstance(v, int) and not isinstance(v, bool) and v >= 0,
                 "report: %s = %s" % (key, v))


def check_onnx(ck, info, names, spec_input, want):
    """The merged file's graph inputs (dim_params) and mlc.shapes metadata."""
    got_names = [i[0] for i in info["inputs"]]
    ck.check(got_names == names, "merged ONNX: inputs %s (expected %s)" % (got_names, names))
    entry = next((i for i in info["inputs"] if i[0] == spec_input), None)
    if entry is None:
        ck.fail("merged ONNX: no input %r" % spec_input)
    else:
        dims = entry[2] or []
        shown = "x".join("?" if d is None else str(d) for d in dims)
        if ck.check(len(dims) == want.rank(), "merged ONNX: %s is %s (rank %d)"
                    % (spec_input, shown, want.rank())):
            varying = want.varying() + want.free()
            bad = []
            for i, d in enumerate(dims):
                if i in varying:
                    if not isinstance(d, str) or not d:
                        bad.append("dim %d is %s, not a dim_param" % (i, d))
                else:
                    if d != want.first()[i]:
                        bad.append("dim %d is %s, not %d" % (i, d, want.first()[i]))
            for a in varying:
                for b in varying:
                    if a < b and isinstance(dims[a], str) and dims[a] == dims[b] \
                            and want.independent(a, b):
                        bad.append("dims %d and %d are both %r but differ in the shape set"
                                   % (a, b, dims[a]))
            ck.check(not bad, "merged ONNX: %s: dim_params on the dims that vary (%s)%s"
                     % (spec_input, ", ".join(str(i) for i in varying) or "none",
                        ": " + "; ".join(bad) if bad else ""))
    meta = info["metadata"].get(METADATA_KEY)
    if not ck.check(meta is not None, "merged ONNX: metadata_props %r%s" % (
            METADATA_KEY, " = %r" % meta if meta is not None else " missing")):
        return
    try:
        sets = parse_metadata(meta)
    except SpecError as e:
        ck.fail("merged ONNX: %s does not parse: %s" % (METADATA_KEY, e))
        return
    got = sets.get(spec_input)
    ck.check(got == want, "merged ONNX: %s for %s: %s (expected %s)" % (
        METADATA_KEY, spec_input, got.text() if got else "none", want.text()))


class Runner:
    """Runs models in ONNX Runtime on the sin pattern; keeps the outputs of each
    (model, input shapes) so that an export is run once."""

    def __init__(self, work):
        self.work = work
        self.cache = {}
        self.n = 0

    def inputs_for(self, info):
        inputs = collections.OrderedDict()
        for name, _, dims in info["inputs"]:
            if not dims or not all(isinstance(d, int) and d > 0 for d in dims):
                raise oc.OrtError("input %r has dims %s: not a fixed-size export" % (name, dims))
            path = os.path.join(self.work, "in-%s-%s.bin" % (
                re.sub(r"[^A-Za-z0-9_.-]", "_", name), oc.format_dims(dims)))
            if not os.path.exists(path):
                oc.write_input(path, oc.sin_pattern(list(dims)))
            inputs[name] = (path, list(dims))
        return inputs

    def run(self, model, inputs):
        key = (os.path.abspath(model), os.path.getmtime(model),
               tuple((n, tuple(d)) for n, (_, d) in inputs.items()))
        if key not in self.cache:
            self.n += 1
            outs, _ = oc.run_model(model, os.path.join(self.work, "out-%d" % self.n),
                                   inputs=inputs)
            self.cache[key] = outs
        return self.cache[key]


def compare_at(ck, runner, merged, ref_model, ref_info, rtol, label):
    try:
        inputs = runner.inputs_for(ref_info)
        shapes = ", ".join(oc.format_dims(d) for _, d in inputs.values())
        ref = runner.run(ref_model, inputs)
    except oc.OrtError as e:
        ck.fail("%s: %s does not run in ONNX Runtime: %s"
                % (label, os.path.basename(ref_model), _short_error(e)))
        return
    try:
        test = runner.run(merged, inputs)
    except oc.OrtError as e:
        ck.fail("%s: the merged model fails in ONNX Runtime at %s: %s"
                % (label, shapes, _short_error(e)))
        return
    for r in oc.compare_outputs(ref, test, rtol):
        ck.check(r["ok"], "%s at %s: output %s %s max|diff| %.3g, %.3g of max|ref| %.4g%s" % (
            label, shapes, r["name"], oc.format_dims(r["shape"]) if r["shape"] else "-",
            r["max_abs_diff"], r["ratio"], r["max_abs_ref"],
            " (%s)" % r["note"] if r["note"] else ""))


def _short_error(e):
    return error_line(e).split("Status Message: ")[-1][:300]


def _at_batch(info, batch):
    """info (read_model_info's) with its inputs' dim_params at `batch` (None: as is)."""
    if batch is None:
        return info
    return dict(info, inputs=[(n, e, [batch if isinstance(d, str) else d for d in dims])
                              for n, e, dims in info["inputs"]])


def _input_dims(info, name, default=None):
    """The dims of the graph input `name` in info (read_model_info's), else default."""
    return next((d for n, _, d in info["inputs"] if n == name), default)


def run_checks(args, result, merged, work, ck):
    """Everything after mlc merge ran: result (MergeResult), merged (the output path; its
    folder holds nothing else)."""
    expect = args.expect_exit
    out_dir = os.path.dirname(merged)
    if expect != 0:
        check_failure(ck, result, expect, out_dir, args.expect_message)
        return
    if not ck.check(result.exit_code == 0, "mlc merge exits %s in %.2f s%s" % (
            result.exit_code, result.seconds,
            ": " + result.stderr.strip()[-2000:] if result.exit_code != 0 else "")):
        return
    both = (result.stdout + "\n" + result.stderr).lower()
    for m in args.expect_message:
        ck.check(m.lower() in both, "the output names %r" % m)
    infos = []
    for path in args.exports:
        try:
            infos.append(read_model_info(path))
        except (OSError, ValueError) as e:
            ck.fail("cannot read %s: %s" % (path, e))
            return
    names = [i[0] for i in infos[0]["inputs"]]
    spec_input = args.input or (names[0] if names else None)
    base = _input_dims(infos[0], spec_input)
    base = any_size(base) if base is not None else None
    if base is None:
        ck.fail("%s has no input %r" % (args.exports[0], spec_input))
        return
    shapes = []  # the exports' own
    for info in infos:
        d = any_size(_input_dims(info, spec_input, ()))
        if d not in shapes:
            shapes.append(d)
    if args.shapes is not None:
        try:
            want = parse_spec(args.shapes, base)
        except SpecError as e:
            ck.fail("SPEC: %s (use --expect-exit 2 for a SPEC mlc must refuse)" % e)
            return
        # A range merged from exports of fixed sizes is planned at them.
        if want.kind == "range" and all(
                d is not None for s in shapes for d in s[1:]):
            want.planned = [tuple(None if want.items[i][0] is None else d
                                  for i, d in enumerate(s)) for s in shapes]
    else:
        want = ShapeSet("enum", shapes)
    ck.say("  --   expected shape set of %s: %s" % (spec_input, want.text()))
    try:
        report = json.loads(result.stdout)
    except ValueError:
        report = None
        ck.fail("stdout is not a JSON report: %r" % result.stdout[:300])
    if report is not None:
        check_report(ck, report, names, spec_input, want)
    if not ck.check(os.path.isfile(merged), "the merged file exists"):
        return
    left = sorted(set(os.listdir(out_dir)) - {os.path.basename(merged)})
    ck.check(not left, "nothing else left in the output folder%s"
             % (": " + ", ".join(left) if left else ""))
    size = os.path.getsize(merged)
    largest = max(os.path.getsize(p) for p in args.exports)
    ck.check(size <= args.max_size_ratio * largest,
             "merged size %d bytes = %.4fx the largest export (%d; at most %.2fx)"
             % (size, size / largest, largest, args.max_size_ratio))
    try:
        info = read_model_info(merged)
    except (OSError, ValueError) as e:
        ck.fail("the merged file does not read as ONNX: %s" % e)
        return
    check_onnx(ck, info, names, spec_input, want)
    runner = Runner(work)
    for path, export_info in zip(args.exports, infos):
        d = _input_dims(export_info, spec_input)
        label = os.path.basename(path)
        # A dynamic batch: the merged model and the export, at 1 and at 2.
        for batch in ((1, 2) if d is not None and any_size(d) != tuple(d) else (None,)):
            at = _at_batch(export_info, batch)
            d = _input_dims(at, spec_input)
            if d is None or not want.contains(d):
                ck.say("  --   %s: its shape %s is not in the shape set: not run"
                       % (label, d))
                continue
            compare_at(ck, runner, merged, path, at, args.rtol, label)
    export_shapes = [tuple(_input_dims(_at_batch(i, 1), spec_input, ())) for i in infos]
    for path in args.between:
        try:
            fresh = read_model_info(path)
        except (OSError, ValueError) as e:
            ck.fail("cannot read %s: %s" % (path, e))
            continue
        d = tuple(_input_dims(fresh, spec_input, ()))
        label = "between: " + os.path.basename(path)
        if not ck.check(want.contains(d), "%s: %s is in the shape set %s"
                        % (label, oc.format_dims(d), want.text())):
            continue
        if d in export_shapes:
            ck.say("  --   %s: %s is an export's own size" % (label, oc.format_dims(d)))
        compare_at(ck, runner, merged, path, fresh, args.rtol, label)
    probe(ck, runner, merged, info, want, export_shapes, args)


def probe(ck, runner, merged, info, want, export_shapes, args):
    """The merged model at shapes of the set that no export or --between has: it must
    run, with finite outputs."""
    limit = getattr(args, "probes", 4)
    if limit <= 0:
        return
    if len(info["inputs"]) != 1:
        ck.say("  --   probes: the model has %d inputs: not probed" % len(info["inputs"]))
        return
    seen = set(export_shapes)
    for path in args.between:
        try:
            seen.add(tuple(read_model_info(path)["inputs"][0][2]))
        except (OSError, ValueError, IndexError):
            pass
    shapes = [s for s in want.probes(limit + len(seen)) if s not in seen][:limit]
    name = info["inputs"][0][0]
    for shape in shapes:
        one = {"inputs": [(name, 1, list(shape))]}
        label = "probe %s" % oc.format_dims(shape)
        try:
            outs = runner.run(merged, runner.inputs_for(one))
        except oc.OrtError as e:
            ck.fail("%s (in the shape set, no export's): the merged model fails in ONNX "
                    "Runtime: %s" % (label, _short_error(e)))
            continue
        bad = [n for n, a in outs.items() if not np.all(np.isfinite(a))]
        ck.check(not bad, "%s (in the shape set, no export's): runs in ONNX Runtime -> %s%s"
                 % (label, ", ".join("%s %s" % (n, oc.format_dims(a.shape))
                                     for n, a in outs.items()),
                    ": not finite: " + ", ".join(bad) if bad else ""))


# ----------------------------------------------------------------------------------------
# Self-test

def _self_test_parsing():
    failures = []
    base = [1, 3, 64, 64]

    def expect(spec, want):
        try:
            got = parse_spec(spec, base)
        except SpecError as e:
            got = e
        ok = isinstance(got, SpecError) if want is SpecError else got == want
        if not ok:
            failures.append("SPEC %r: got %r, want %r" % (spec, got, want))

    E, R = (lambda *s: ShapeSet("enum", s)), (lambda *d: ShapeSet("range", d))
    expect("224,448", E((1, 3, 224, 224), (1, 3, 448, 448)))
    expect("448, 224", E((1, 3, 448, 448), (1, 3, 224, 224)))
    expect("224x320,448x640", E((1, 3, 224, 320), (1, 3, 448, 640)))
    expect("1x3x224x224,1x3x448x448", E((1, 3, 224, 224), (1, 3, 448, 448)))
    expect("224..448", R((1, 1, 1), (3, 3, 1), (224, 448, 1), (224, 448, 1)))
    expect("224..448:32", R((1, 1, 1), (3, 3, 1), (224, 448, 32), (224, 448, 32)))
    expect("224..448:32x320..640:32", R((1, 1, 1), (3, 3, 1), (224, 448, 32), (320, 640, 32)))
    expect("1x3x224..448:32x224", R((1, 1, 1), (3, 3, 1), (224, 448, 32), (224, 224, 1)))
    for bad in ("", "0", "-1", "224,224", "abc", "448..224", "224..448:0", "1x3x224",
                "224..448,512", "224,", "22.4", "0..448"):
        expect(bad, SpecError)
    s = parse_spec("224..448:32", base)
    for shape, inside in (((1, 3, 256, 448), True), ((1, 3, 240, 256), False),
                          ((1, 3, 480, 256), False), ((2, 3, 256, 256), False)):
        if s.contains(shape) != inside:
            failures.append("range 224..448:32 contains %s: %s" % (shape, not inside))
    if s.varying() != [2, 3] or not s.independent(2, 3):
        failures.append("range 224..448:32: varying %s" % s.varying())
    batch = parse_spec("224,448", [None, 3, 64, 64])
    for shape, inside in (((1, 3, 224, 224), True), ((5, 3, 448, 448), True),
                          ((5, 3, 224, 448), False)):
        if batch.contains(shape) != inside:
            failures.append("?x3x224x224, ?x3x448x448 contains %s: %s" % (shape, not inside))
    if batch.free() != [0] or batch.varying() != [2, 3] or batch.default() != (1, 3, 224, 224):
        failures.append("?x3x224x224, ?x3x448x448: free %s, varying %s, default %s"
                        % (batch.free(), batch.varying(), batch.default()))
    sq = parse_spec("64,96", base)
    if sq.independent(2, 3) or not parse_spec("64x96,96x128", base).independent(2, 3):
        failures.append("independent() is wrong on enumerated sets")
    for text, want in (
            ("image: 1x3x224x224, 1x3x448x448",
             {"image": E((1, 3, 224, 224), (1, 3, 448, 448))}),
            ("image: 1x3x(224..448:32)x(224..448:32)",
             {"image": R((1, 1, 1), (3, 3, 1), (224, 448, 32), (224, 448, 32))}),
            ("image: 1x3x64x96; mask: 1x1x64x96",
             {"image": E((1, 3, 64, 96)), "mask": E((1, 1, 64, 96))}),
            ("image: ?x3x224x224, ?x3x448x448",
             {"image": E((None, 3, 224, 224), (None, 3, 448, 448))}),
            ("image: ?x3x(224..448:32)x(224..448:32)",
             {"image": R((None, None, 1), (3, 3, 1), (224, 448, 32), (224, 448, 32))})):
        try:
            got = dict(parse_metadata(text))
        except SpecError as e:
            got = e
        if got != want:
            failures.append("metadata %r: got %r" % (text, got))
    rep = {"name": "image", "range": [{"min": 1, "max": 1}, {"min": 3, "max": 3, "step": 1},
                                      {"min": 64, "max": 96, "step": 16},
                                      {"min": 64, "max": 96, "step": 16}]}
    if report_set(rep) != R((1, 1, 1), (3, 3, 1), (64, 96, 16), (64, 96, 16)):
        failures.append("report range %r" % rep)
    return failures


def _self_test_protobuf(inputs, work):
    """The reader against the fixtures (and the onnx package, when there is one)."""
    failures = []
    info = read_model_info(os.path.join(inputs, "two_inputs_64.onnx"))
    if [(n, d) for n, _, d in info["inputs"]] != [("image", [1, 3, 64, 64]),
                                                   ("mask", [1, 1, 64, 64])]:
        failures.append("two_inputs_64 inputs: %s" % info["inputs"])
    if [(n, d) for n, _, d in info["outputs"]] != [("logits", [1, 10])]:
        failures.append("two_inputs_64 outputs: %s" % info["outputs"])
    dst = os.path.join(work, "variant.onnx")
    write_variant(os.path.join(inputs, "classifier_64.onnx"), dst,
                  {"image": [1, 3, "H", "W"]}, {METADATA_KEY: "image: 1x3x64x64, 1x3x96x96"})
    v = read_model_info(dst)
    if v["inputs"] != [("image", 1, [1, 3, "H", "W"])] or \
            v["metadata"].get(METADATA_KEY) != "image: 1x3x64x64, 1x3x96x96":
        failures.append("variant: %s %s" % (v["inputs"], dict(v["metadata"])))
    try:
        import onnx
    except ImportError:
        return failures
    m = onnx.load(dst)
    onnx.checker.check_model(m, full_check=True)
    dims = [d.dim_param or d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim]
    if dims != [1, 3, "H", "W"] or {p.key: p.value for p in m.metadata_props} != {
            METADATA_KEY: "image: 1x3x64x64, 1x3x96x96"}:
        failures.append("onnx reads the variant as %s %s" % (dims, m.metadata_props))
    return failures


def _fake_report(name, shape_set, generalized=()):
    entry = {"name": name}
    if shape_set.kind == "enum":
        entry["shapes"] = [list(s) for s in shape_set.items]
    else:
        entry["range"] = [{"min": lo, "max": hi, "step": st} for lo, hi, st in shape_set.items]
        entry["planned"] = [list(s) for s in shape_set.planned]
    return {"inputs": [entry], "default_shape": list(shape_set.first()),
            "generalized": list(generalized), "weights_bytes": 1000, "shared_bytes": 1000}


HW = [1, 3, "H", "W"]
_E = lambda *s: ShapeSet("enum", s)  # noqa: E731
_SQ = _E((1, 3, 64, 64), (1, 3, 96, 96))
_FCN_PLANNED = [(1, 3, 64, 64), (1, 3, 96, 96)]
_FCN_RANGE = ShapeSet("range", [(1, 1, 1), (3, 3, 1), (64, 96, 16), (64, 96, 16)], _FCN_PLANNED)
_FCN_GEN = [{"node": "/Resize", "op": "Resize", "operand": "sizes", "index": 2,
             "values": [64, 96], "formula": "H"}]

# (name, exports, options, fake merged: (source, input dims, metadata, pad) or None,
#  fake result: (exit code, report or stderr text), True (must pass) or a text that one
#  of the failures must hold (must fail, for that reason))
# Sources: "M/x" is test/Merge/Inputs/x.onnx, "A/x" test/Analysis/Inputs/x.onnx. The
# dynamic FCN export (same net and weights as fcn_*, hw_*) is a right merge of them, 3%
# larger than one export (its Shape/Gather nodes): those cases allow 1.05x.
SELF_TESTS = [
    ("classifier: the export with dim_params is a right merge",
     ["classifier_64", "classifier_96"], {},
     ("M/classifier_64", HW, "image: 1x3x64x64, 1x3x96x96", 0),
     (0, _fake_report("image", _SQ)), True),
    ("classifier: --shapes 96,64 (96 the default)",
     ["classifier_64", "classifier_96"], {"shapes": "96,64"},
     ("M/classifier_64", HW, "image: 1x3x96x96, 1x3x64x64", 0),
     (0, _fake_report("image", _E((1, 3, 96, 96), (1, 3, 64, 64)))), True),
    ("classifier: the report's set misses 96",
     ["classifier_64", "classifier_96"], {},
     ("M/classifier_64", HW, "image: 1x3x64x64, 1x3x96x96", 0),
     (0, _fake_report("image", _E((1, 3, 64, 64)))), "report: image: enum"),
    ("classifier: the default is not the first size",
     ["classifier_64", "classifier_96"], {"shapes": "96,64"},
     ("M/classifier_64", HW, "image: 1x3x96x96, 1x3x64x64", 0),
     (0, dict(_fake_report("image", _E((1, 3, 96, 96), (1, 3, 64, 64))),
              default_shape=[1, 3, 64, 64])), "default_shape"),
    ("classifier: no dim_params (one export copied)",
     ["classifier_64", "classifier_96"], {},
     ("M/classifier_64", None, "image: 1x3x64x64, 1x3x96x96", 0),
     (0, _fake_report("image", _SQ)), "not a dim_param"),
    ("classifier: no mlc.shapes metadata",
     ["classifier_64", "classifier_96"], {},
     ("M/classifier_64", HW, None, 0), (0, _fake_report("image", _SQ)), "'mlc.shapes' missing"),
    ("classifier: metadata with another set",
     ["classifier_64", "classifier_96"], {},
     ("M/classifier_64", HW, "image: 1x3x64x64, 1x3x128x128", 0),
     (0, _fake_report("image", _SQ)), "mlc.shapes for image"),
    ("classifier: other weights",
     ["classifier_64", "classifier_96"], {},
     ("M/other_weights_64", HW, "image: 1x3x64x64, 1x3x96x96", 0),
     (0, _fake_report("image", _SQ)), "output logits"),
    ("classifier: 2 KB over the size of one export (1.01x)",
     ["classifier_64", "classifier_96"], {},
     ("M/classifier_64", HW, "image: 1x3x64x64, 1x3x96x96", 2048),
     (0, _fake_report("image", _SQ)), "merged size"),
    ("classifier: 2 KB over, with --max-size-ratio 1.05",
     ["classifier_64", "classifier_96"], {"max_size_ratio": 1.05},
     ("M/classifier_64", HW, "image: 1x3x64x64, 1x3x96x96", 2048),
     (0, _fake_report("image", _SQ)), True),
    ("classifier: stdout is not JSON",
     ["classifier_64", "classifier_96"], {},
     ("M/classifier_64", HW, "image: 1x3x64x64, 1x3x96x96", 0), (0, "merged"), "not a JSON report"),
    ("fcn: the baked Resize size kept (64 at 96)",
     ["fcn_64", "fcn_96"], {},
     ("M/fcn_64", HW, "image: 1x3x64x64, 1x3x96x96", 0),
     (0, _fake_report("image", _SQ, _FCN_GEN)), "fcn_96.onnx at 1x3x96x96: output out"),
    ("fcn: range 64..96:16, the dynamic export, fcn_80 between",
     ["fcn_64", "fcn_96"], {"shapes": "64..96:16", "between": ["fcn_80"],
                            "max_size_ratio": 1.05},
     ("A/fcn_dynamic", None,
      "image: 1x3x(64..96:16)x(64..96:16) planned 1x3x64x64, 1x3x96x96", 0),
     (0, _fake_report("image", _FCN_RANGE, _FCN_GEN)), True),
    ("fcn: range not planned at the exports' sizes",
     ["fcn_64", "fcn_96"], {"shapes": "64..96:16", "between": ["fcn_80"],
                            "max_size_ratio": 1.05},
     ("A/fcn_dynamic", None, "image: 1x3x(64..96:16)x(64..96:16)", 0),
     (0, _fake_report("image", _FCN_RANGE, _FCN_GEN)), "mlc.shapes for image"),
    ("fcn: range, baked 64 kept, fcn_80 between",
     ["fcn_64", "fcn_96"], {"shapes": "64..96:16", "between": ["fcn_80"]},
     ("M/fcn_64", HW, "image: 1x3x(64..96:16)x(64..96:16) planned 1x3x64x64, 1x3x96x96", 0),
     (0, _fake_report("image", _FCN_RANGE, _FCN_GEN)), "between: fcn_80.onnx at 1x3x80x80"),
    ("fcn: fcn_80 is not in 64..96:32",
     ["fcn_64", "fcn_96"], {"shapes": "64..96:32", "between": ["fcn_80"],
                            "max_size_ratio": 1.05},
     ("A/fcn_dynamic", None,
      "image: 1x3x(64..96:32)x(64..96:32) planned 1x3x64x64, 1x3x96x96", 0),
     (0, _fake_report("image", ShapeSet("range", [(1, 1, 1), (3, 3, 1), (64, 96, 32),
                                                   (64, 96, 32)], _FCN_PLANNED), _FCN_GEN)),
     "is in the shape set"),
    ("hw: 64x96 and 96x128, the dynamic export",
     ["hw_64x96", "hw_96x128"], {"max_size_ratio": 1.05},
     ("A/fcn_dynamic", None, "image: 1x3x64x96, 1x3x96x128", 0),
     (0, _fake_report("image", _E((1, 3, 64, 96), (1, 3, 96, 128)))), True),
    ("hw: H and W under one dim_param",
     ["hw_64x96", "hw_96x128"], {"max_size_ratio": 1.05},
     ("A/fcn_dynamic", [1, 3, "S", "S"], "image: 1x3x64x96, 1x3x96x128", 0),
     (0, _fake_report("image", _E((1, 3, 64, 96), (1, 3, 96, 128)))), "both 'S'"),
    ("unet: a baked Reshape fails at 96 (in the set, no export's)",
     ["unet_64"], {"shapes": "64,96"},
     ("M/unet_64", HW, "image: 1x3x64x64, 1x3x96x96", 0),
     (0, _fake_report("image", _SQ)), "probe 1x3x96x96"),
    ("unet: the same with --probes 0 passes (nothing runs at 96)",
     ["unet_64"], {"shapes": "64,96", "probes": 0},
     ("M/unet_64", HW, "image: 1x3x64x64, 1x3x96x96", 0),
     (0, _fake_report("image", _SQ)), True),
    ("adaptive: exit 1, no file, names the node and attribute",
     ["adaptive_64", "adaptive_96"],
     {"expect_exit": 1, "expect_message": ["/pool/AveragePool", "kernel_shape"]}, None,
     (1, "mlc merge: not one network: node 2 '/pool/AveragePool' (AveragePool): attribute "
         "kernel_shape is [8, 8] in adaptive_64.onnx, [12, 12] in adaptive_96.onnx"), True),
    ("adaptive: the message does not name the attribute",
     ["adaptive_64", "adaptive_96"],
     {"expect_exit": 1, "expect_message": ["/pool/AveragePool", "kernel_shape"]}, None,
     (1, "mlc merge: not one network: '/pool/AveragePool' differs"), "names 'kernel_shape'"),
    ("other_net: exit 1 but a file left behind",
     ["other_net_64", "classifier_96"], {"expect_exit": 1},
     ("M/classifier_64", None, None, 0), (1, "mlc merge: not one network"), "no output file left behind"),
    ("other_net: exit 0 where 1 is expected",
     ["other_net_64", "classifier_96"], {"expect_exit": 1}, None, (0, ""), "exits 0 (expected 1)"),
    ("other_net: exit 1 without a message",
     ["other_net_64", "classifier_96"], {"expect_exit": 1}, None, (1, ""), "an error message on stderr"),
]


def self_test(verbose=False):
    failures = _self_test_parsing()
    inputs = os.path.join(HERE, "Inputs")
    analysis = os.path.join(REPO, "test", "Analysis", "Inputs")
    with tempfile.TemporaryDirectory(prefix="mlc-merge-ort-selftest.") as work:
        try:
            failures += _self_test_protobuf(inputs, work)
        except (OSError, ValueError) as e:
            failures.append("protobuf: %s" % e)
        for f in failures:
            print("parsing: FAIL %s" % f)
        print("parsing, protobuf: %s" % ("ok" if not failures else "%d failure(s)"
                                         % len(failures)))
        status = 1 if failures else 0
        have_ort = oc.ort_installed()
        if not have_ort:
            print("onnxruntime-node is not installed: the cases that run ONNX Runtime are "
                  "skipped")

        def path(stem):
            folder, stem = (analysis, stem[2:]) if stem.startswith("A/") else \
                (inputs, stem[2:] if stem.startswith("M/") else stem)
            return os.path.join(folder, stem + ".onnx")

        for name, exports, opts, fake, (code, out), must_pass in SELF_TESTS:
            expect = opts.get("expect_exit", 0)
            if expect == 0 and not have_ort:
                continue
            args = argparse.Namespace(
                exports=[path(e) for e in exports], shapes=opts.get("shapes"), input=None,
                between=[path(b) for b in opts.get("between", [])], expect_exit=expect,
                expect_message=opts.get("expect_message", []),
                max_size_ratio=opts.get("max_size_ratio", 1.01), rtol=1e-5,
                probes=opts.get("probes", 4))
            case = tempfile.mkdtemp(dir=work)
            out_dir = os.path.join(case, "out")
            os.makedirs(out_dir)
            merged = os.path.join(out_dir, "merged.onnx")
            if fake:
                src, dims, meta, pad = fake
                write_variant(path(src), merged, {"image": dims} if dims else None,
                              {METADATA_KEY: meta}, pad)
            stdout = json.dumps(out) if isinstance(out, dict) else (out if code == 0 else "")
            stderr = out if code != 0 else ""
            ck = Checker(quiet=not verbose)
            ck.say("== %s" % name)
            run_checks(args, MergeResult(code, stdout, stderr, 0.0), merged, case, ck)
            if must_pass is True:
                good = ck.ok
            else:
                good = not ck.ok and any(must_pass in f for f in ck.failures)
            status = status if good else 1
            print(ck.case_line(good, name, 62, why=True))
    return self_test_result(status) or (0 if have_ort else SKIP)


# ----------------------------------------------------------------------------------------

def main(argv=None):
    p = argparse.ArgumentParser(
        description="Check `mlc merge` against ONNX Runtime: the merged model must compute "
        "what each export does.",
        epilog="Exit codes: 0 pass, 1 fail, 2 usage, 77 ONNX Runtime not installed (skip).")
    p.add_argument("exports", nargs="*", help="the per-size exports to merge")
    p.add_argument("--mlc", help="the mlc binary")
    p.add_argument("--shapes", help="passed to mlc merge (SPEC)")
    p.add_argument("--input", help="passed to mlc merge: the input SPEC is about")
    p.add_argument("--between", action="append", default=[], metavar="FRESH.onnx",
                   help="a static export at a size in the shape set that is no export's")
    p.add_argument("--expect-exit", type=int, default=0,
                   help="mlc merge's expected exit code (default 0)")
    p.add_argument("--expect-message", action="append", default=[], metavar="TEXT",
                   help="text mlc's output must hold (case-insensitive)")
    p.add_argument("--max-size-ratio", type=float, default=1.01,
                   help="merged size / largest export's size at most this (default 1.01)")
    p.add_argument("--probes", type=int, default=4,
                   help="shapes of the set that are no export's to run (default 4; 0: none)")
    p.add_argument("--rtol", type=float, default=1e-5,
                   help="max|diff| <= rtol * max|export's output| (default 1e-5)")
    p.add_argument("--work", help="keep the merged model and outputs here (default: a "
                   "temporary folder, removed)")
    add_self_test_options(p, "this script's parsing and checks", "each check")
    args = p.parse_args(argv)

    if args.self_test:
        return self_test(args.verbose)
    if not args.mlc:
        p.error("--mlc is required")
    if not args.exports:
        p.error("no exports given")
    if args.expect_exit == 0 and not oc.ort_installed():
        return skipped_without_ort()
    work = args.work or tempfile.mkdtemp(prefix="mlc-merge-ort.")
    try:
        out_dir = os.path.join(work, "out")
        if os.path.isdir(out_dir):
            shutil.rmtree(out_dir)
        os.makedirs(out_dir)
        merged = os.path.join(out_dir, "merged.onnx")
        print("mlc merge %s%s%s" % (" ".join(os.path.basename(e) for e in args.exports),
                                    " --shapes " + args.shapes if args.shapes else "",
                                    " --input " + args.input if args.input else ""))
        result = run_merge(args.mlc, args.exports, args.shapes, args.input, merged)
        if result.exit_code is None:
            print("  FAIL %s" % result.stderr)
            return 1
        ck = Checker()
        run_checks(args, result, merged, work, ck)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return ck.result()


if __name__ == "__main__":
    sys.exit(main())
