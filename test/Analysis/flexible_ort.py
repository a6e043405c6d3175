#!/usr/bin/env python3
"""Holds `mlc check-flexible` to ONNX Runtime: every claim of flexibility is run.

    flexible_ort.py --mlc BIN STATIC.onnx --dynamic DYNAMIC.onnx --size 96x128
                    [--size HxW]... [--violate HxW]... [--expect flexible|baked|blocked]
                    [--batch N] [--channels C] [--dim NAME=VALUE]...
                    [--input NAME] [--dims 2,3] [--report REPORT.json]
    flexible_ort.py --self-test

1. Runs `mlc check-flexible STATIC.onnx --json` and checks the report: the verdict is
   --expect (default flexible) and mlc's exit code agrees with it (0 flexible, 1 not);
   every blocker has a node, op, reason and fix; every baked constant's formula gives its
   value at the export size; the constraints hold at the export size.
2. For each --size HxW: the size must satisfy the stated constraints; every output's
   formula is evaluated at H, W (the free dims take their values from the input shape
   BATCHxCHANNELSxHxW by their `dim` index, so the names do not matter); DYNAMIC.onnx runs
   in ONNX Runtime at that shape (utils/ort_compare.run_model); the output shapes must
   equal the formulas. STATIC.onnx also runs at its export size, against the formulas
   there.
3. For each --violate HxW: the size must break a stated constraint (or make a formula
   invalid: a dim <= 0, a division that is not exact), and DYNAMIC.onnx must then fail in
   ONNX Runtime, unless a formula says the size is invalid (ORT is sometimes lenient: its
   MaxPool k=2 s=2 makes 1x1 out of 1x1).

For a baked export the output formulas are read as the shapes of the generalized network
(each baked constant replaced by its formula): what the dynamic re-export computes.

The report (mlc check-flexible --json; schema in docs/), the parts used here:

    {"model": "...", "verdict": "flexible" | "baked" | "blocked",
     "free_dims": [{"name": "H", "input": "image", "dim": 2, "export_size": 64}, ...],
     "constraints": [{"dim": "H", "min": 32, "multiple_of": 32, "period": 32,
                      "residues": [0], "text": "H >= 32 and H % 32 == 0"}, ...],
     "joint_constraints": ["H == W"],
     "outputs": [{"name": "out", "dims": ["1", "21", "H", "W"], "text": "1x21xHxW"}],
     "blockers": [{"node": "/fc/Gemm", "op": "Gemm", "reason": "...", "fix": "..."}],
     "baked": [{"node": "/Resize", "op": "Resize", "operand": "sizes", "index": 2,
                "value": 56, "formula": "floor(H/2)"}]}

A constraint holds for a value v when v >= min, v % multiple_of == 0 (when given), and
v % period is one of residues (when given). Joint constraints are checked when they parse
as comparisons (==, !=, <=, >=, <, >, joined by "and"); others are shown, not checked.

Formulas: integers, the free dims' names, + - * /, parentheses, floor(...), ceil(...),
min(a, b), max(a, b), and " mod " (as Python's %, same precedence as * and /); "?" is an
unknown dim. "/" is exact division (fractions.Fraction): floor((H - 1)/2) rounds, and a
bare H/2 must come out whole at the sizes tested. No eval(): a tokenizer and a
recursive-descent parser.

The fixtures in Inputs/ (utils/make_fixtures.py's header says what each one is) and the
arguments that check them (I = test/Analysis/Inputs):

    $I/fcn_static.onnx --dynamic $I/fcn_dynamic.onnx --expect baked --size 96x128 --size 75x50
    $I/fcn_dynamic.onnx --size 96x128 --size 75x50
    $I/unet_static.onnx --dynamic $I/unet_dynamic.onnx --size 96x128 --size 32x64
        --violate 80x64 --violate 64x48 --violate 16x16
    $I/classifier_gap_static.onnx --dynamic $I/classifier_gap_dynamic.onnx --size 96x128
        --size 33x17 --size 1x1
    $I/classifier_flatten_static.onnx --expect blocked
    $I/resize_const_static.onnx --dynamic $I/resize_const_dynamic.onnx --expect baked
        --size 96x128 --size 100x60           (multiples of 4: floor/ceil(H/2) agree there)
    $I/resize_const20_static.onnx --dynamic $I/resize_const20_dynamic.onnx --size 96x128
        --size 40x72
    $I/reshape_baked_static.onnx --dynamic $I/reshape_baked_dynamic.onnx --expect baked
        --size 64x40 --size 30x50
    $I/channel_shuffle_static.onnx --dynamic $I/channel_shuffle_dynamic.onnx --expect baked
        --size 64x40 --size 31x17
    $I/dynamic_dims_dynamic.onnx --batch 2 --size 48x40 --size 33x17
    $I/depth_to_space_sr_static.onnx --dynamic $I/depth_to_space_sr_dynamic.onnx
        --size 48x40 --size 17x23

--report uses a saved report instead of running mlc (then mlc's exit code is not checked).
--self-test checks the evaluator and the checks themselves on hand-written reports and the
fixtures in Inputs/: right reports must pass, wrong ones must fail.

Exit codes: 0 every check passed, 1 a check failed (or mlc could not be run), 77 ONNX
Runtime is not installed (ctest: skipped), 2 usage errors.
"""

import argparse
import fractions
import json
import math
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "utils"))
import measure  # noqa: E402
import ort_compare as oc  # noqa: E402
from checker import (SKIP, Checker, add_self_test_options, error_line,  # noqa: E402
                     self_test_result, skipped_without_ort)

VERDICTS = ("flexible", "baked", "blocked")


# ----------------------------------------------------------------------------------------
# Formulas

class FormulaError(Exception):
    """A formula does not parse, names an unknown symbol, or has no value here."""


_TOKEN = re.compile(r"\s*(?:(\d+)|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|<=|>=|[-+*/(),<>?%]))")


def tokenize(text):
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise FormulaError("cannot read %r at %r" % (text, text[pos:]))
        number, name, op = m.groups()
        if number is not None:
            tokens.append(("int", int(number)))
        elif name is not None:
            tokens.append(("name", name))
        else:
            tokens.append(("op", op))
        pos = m.end()
    return tokens


class _Parser:
    """expr := term (('+' | '-') term)*
    term := unary (('*' | '/' | 'mod' | '%') unary)*
    unary := '-' unary | '+' unary | primary
    primary := INT | NAME | ('floor' | 'ceil' | 'min' | 'max') '(' expr (',' expr)* ')'
             | '(' expr ')'
    cond := expr ('==' | '!=' | '<=' | '>=' | '<' | '>') expr ('and' cond)*
    Nodes are tuples: ('int', n), ('sym', name), ('neg', a), (op, a, b), ('call', f, args),
    ('cmp', op, a, b), ('and', a, b)."""

    FUNCS = {"floor": 1, "ceil": 1, "min": 2, "max": 2}

    def __init__(self, text):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self, kind=None, value=None):
        tok = self.peek()
        if tok[0] is None or (kind and tok[0] != kind) or (value is not None and tok[1] != value):
            want = value if value is not None else (kind or "more")
            raise FormulaError("in %r: expected %s, found %s"
                               % (self.text, want, "the end" if tok[0] is None else repr(tok[1])))
        self.i += 1
        return tok

    def parse(self, condition=False):
        node = self.cond() if condition else self.expr()
        if self.i != len(self.tokens):
            raise FormulaError("in %r: unexpected %r" % (self.text, self.peek()[1]))
        return node

    def cond(self):
        lhs = self.expr()
        op = self.peek()
        if op[0] != "op" or op[1] not in ("==", "!=", "<=", ">=", "<", ">"):
            raise FormulaError("in %r: expected a comparison" % self.text)
        self.i += 1
        node = ("cmp", op[1], lhs, self.expr())
        if self.peek() == ("name", "and"):
            self.i += 1
            node = ("and", node, self.cond())
        return node

    def expr(self):
        node = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            node = (op, node, self.term())
        return node

    def term(self):
        node = self.unary()
        while self.peek() in (("op", "*"), ("op", "/"), ("op", "%"), ("name", "mod")):
            op = self.take()[1]
            node = ("mod" if op in ("%", "mod") else op, node, self.unary())
        return node

    def unary(self):
        if self.peek() == ("op", "-"):
            self.i += 1
            return ("neg", self.unary())
        if self.peek() == ("op", "+"):
            self.i += 1
            return self.unary()
        return self.primary()

    def primary(self):
        kind, value = self.peek()
        if kind == "int":
            self.i += 1
            return ("int", value)
        if kind == "op" and value == "(":
            self.i += 1
            node = self.expr()
            self.take("op", ")")
            return node
        if kind == "op" and value == "?":
            raise FormulaError("%r is unknown ('?')" % self.text)
        if kind == "name" and value != "mod" and value != "and":
            self.i += 1
            if value in self.FUNCS:
                self.take("op", "(")
                args = [self.expr()]
                while self.peek() == ("op", ","):
                    self.i += 1
                    args.append(self.expr())
                self.take("op", ")")
                if len(args) != self.FUNCS[value] and value in ("floor", "ceil"):
                    raise FormulaError("in %r: %s takes one argument" % (self.text, value))
                return ("call", value, args)
            return ("sym", value)
        raise FormulaError("in %r: unexpected %s" % (self.text,
                                                       "end" if kind is None else repr(value)))


def parse_formula(text):
    return _Parser(str(text)).parse()


def parse_condition(text):
    return _Parser(str(text)).parse(condition=True)


def symbols_of(node):
    if node[0] == "sym":
        return {node[1]}
    if node[0] == "int":
        return set()
    if node[0] == "call":
        return set().union(*(symbols_of(a) for a in node[2]))
    if node[0] == "cmp":
        return symbols_of(node[2]) | symbols_of(node[3])
    return set().union(*(symbols_of(a) for a in node[1:]))


def evaluate(node, env):
    """Value of a parsed formula (a Fraction) with the symbols of env (name -> int)."""
    kind = node[0]
    if kind == "int":
        return fractions.Fraction(node[1])
    if kind == "sym":
        if node[1] not in env:
            raise FormulaError("unknown symbol %r (known: %s)"
                               % (node[1], ", ".join(sorted(env)) or "none"))
        return fractions.Fraction(env[node[1]])
    if kind == "neg":
        return -evaluate(node[1], env)
    if kind == "call":
        args = [evaluate(a, env) for a in node[2]]
        if node[1] == "floor":
            return fractions.Fraction(math.floor(args[0]))
        if node[1] == "ceil":
            return fractions.Fraction(math.ceil(args[0]))
        return min(args) if node[1] == "min" else max(args)
    if kind == "cmp":
        a, b = evaluate(node[2], env), evaluate(node[3], env)
        return {"==": a == b, "!=": a != b, "<=": a <= b, ">=": a >= b, "<": a < b,
                ">": a > b}[node[1]]
    if kind == "and":
        return evaluate(node[1], env) and evaluate(node[2], env)
    a, b = evaluate(node[1], env), evaluate(node[2], env)
    if kind == "+":
        return a + b
    if kind == "-":
        return a - b
    if kind == "*":
        return a * b
    if b == 0:
        raise FormulaError("division by zero")
    if kind == "/":
        return a / b
    if kind == "mod":
        return a % b  # floored, like Python's: 0 <= a mod b < b for b > 0
    raise FormulaError("bad node %r" % (kind,))


def eval_dim(text, env):
    """A dim of the report at the sizes of env: an int, or None for '?'. Raises FormulaError
    if the formula does not parse or is not a whole number there."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    text = str(text).strip()
    if text == "?":
        return None
    value = evaluate(parse_formula(text), env)
    if value.denominator != 1:
        raise FormulaError("%s is %s at %s: not a whole number" % (text, value, fmt_env(env)))
    return int(value)


def fmt_env(env):
    return ", ".join("%s=%d" % kv for kv in sorted(env.items()))


# ----------------------------------------------------------------------------------------
# The report

def check_report_form(report):
    """Problems with the report's form (missing fields, wrong types), as strings."""
    problems = []
    if not isinstance(report, dict):
        return ["the report is not a JSON object"]
    if report.get("verdict") not in VERDICTS:
        problems.append("verdict %r is not one of %s" % (report.get("verdict"), "/".join(VERDICTS)))
    for key in ("free_dims", "constraints", "outputs", "blockers", "baked"):
        if not isinstance(report.get(key, []), list):
            problems.append("%s is not a list" % key)
    for fd in report.get("free_dims", []):
        if not isinstance(fd, dict) or not isinstance(fd.get("name"), str) \
                or not isinstance(fd.get("dim"), int):
            problems.append("free dim %r needs a name and a dim index" % (fd,))
    if not report.get("outputs"):
        problems.append("no outputs")
    for o in report.get("outputs", []):
        if not isinstance(o, dict) or not isinstance(o.get("dims"), list):
            problems.append("output %r has no dims list" % (o,))
    return problems


def symbol_env(report, shape, extra=None, by_index=None):
    """The free dims' values at the input shape `shape` (by their dim index), the symbols of
    by_index (name -> dim index) likewise, then extra (name -> value)."""
    env = {}
    for fd in report.get("free_dims", []):
        if 0 <= fd["dim"] < len(shape):
            env[fd["name"]] = int(shape[fd["dim"]])
    for name, index in (by_index or {}).items():
        if 0 <= index < len(shape):
            env[name] = int(shape[index])
    env.update(extra or {})
    return env


def input_dim_params(model):
    """{dim_param: dim index} over the model's graph inputs (needs the onnx package; {}
    without it). Used for symbols of a report that are no free dim, like "batch"."""
    try:
        import onnx
    except ImportError:
        return {}
    try:
        m = onnx.load(model, load_external_data=False)
    except Exception:  # noqa: BLE001 - a model onnx cannot read: no fallback symbols
        return {}
    params = {}
    for value in m.graph.input:
        for i, d in enumerate(value.type.tensor_type.shape.dim):
            if d.dim_param:
                params.setdefault(d.dim_param, i)
    return params


def report_symbols(report):
    """Every symbol the report's formulas use (those that parse)."""
    names = set()
    texts = [d for o in report.get("outputs", []) for d in o.get("dims", [])]
    texts += [b.get("formula", "?") for b in report.get("baked", [])]
    for text in texts:
        try:
            if str(text).strip() != "?":
                names |= symbols_of(parse_formula(text))
        except FormulaError:
            pass
    for text in report.get("joint_constraints", []):
        try:
            names |= symbols_of(parse_condition(text))
        except FormulaError:
            pass
    return names


def other_symbols(report, model, given):
    """{symbol: dim index} for the report's symbols that are neither free dims nor given
    with --dim: the model input's dim_params of that name (e.g. "batch" -> 0)."""
    known = {fd["name"] for fd in report.get("free_dims", [])} | set(given)
    missing = report_symbols(report) - known
    if not missing:
        return {}
    params = input_dim_params(model)
    return {name: params[name] for name in missing if name in params}


def export_env(report):
    """The free dims' values at the export size, or None if a free dim has none."""
    env = {}
    for fd in report.get("free_dims", []):
        if not isinstance(fd.get("export_size"), int):
            return None
        env[fd["name"]] = fd["export_size"]
    return env


def broken_constraints(report, env):
    """The constraints that env breaks (their texts); joint constraints that do not parse or
    name unknown symbols are skipped (listed in the second result)."""
    broken, unchecked = [], []
    for c in report.get("constraints", []):
        v = env.get(c.get("dim"))
        text = c.get("text") or json.dumps(c)
        if v is None:
            unchecked.append(text)
            continue
        ok = v >= int(c.get("min") or 0)
        if c.get("max") is not None:
            ok = ok and v <= int(c["max"])
        if c.get("multiple_of"):
            ok = ok and v % int(c["multiple_of"]) == 0
        if c.get("period") and c.get("residues") is not None:
            ok = ok and v % int(c["period"]) in [int(r) for r in c["residues"]]
        if not ok:
            broken.append("%s (%s = %d)" % (text, c.get("dim"), v))
    for text in report.get("joint_constraints", []):
        try:
            if not evaluate(parse_condition(text), env):
                broken.append("%s (at %s)" % (text, fmt_env(env)))
        except FormulaError:
            unchecked.append(text)
    return broken, unchecked


def output_shapes(report, env):
    """name -> (dims: list of int or None for '?', error or None)."""
    shapes = {}
    for o in report.get("outputs", []):
        try:
            dims = [eval_dim(d, env) for d in o["dims"]]
            bad = [d for d in dims if d is not None and d <= 0]
            shapes[o["name"]] = (dims, "a dim is %d" % bad[0] if bad else None)
        except FormulaError as e:
            shapes[o["name"]] = (None, str(e))
    return shapes


def fmt_dims(dims):
    return "x".join("?" if d is None else str(d) for d in dims)


def run_check_flexible(mlc, model, input_name=None, dims=None, timeout=600):
    """Runs `mlc check-flexible MODEL --json`. Returns (exit code, report or None, stderr
    text, seconds)."""
    cmd = [mlc, "check-flexible", model, "--json"]
    if input_name:
        cmd += ["--input", input_name]
    if dims:
        cmd += ["--dims", dims]
    try:
        proc, seconds = measure.run_timed(cmd, timeout)
    except FileNotFoundError:
        return None, None, "cannot run %s" % mlc, 0.0
    err = proc.stderr.decode(errors="replace")
    try:
        report = json.loads(proc.stdout.decode())
    except ValueError:
        report = None
        err = (err + "\n(stdout is not JSON: %r)" % proc.stdout[:300]).strip()
    return proc.returncode, report, err, seconds


def ort_shapes(model, shape, work):
    """Runs model in ONNX Runtime at shape: (ordered [(name, dims)], None) or (None, error)."""
    try:
        outs, _ = oc.run_model(model, os.path.join(work, "ort-out"), shape=list(shape))
    except oc.OrtError as e:
        return None, error_line(e).replace("ort_run: ", "")
    return [(name, list(a.shape)) for name, a in outs.items()], None


# ----------------------------------------------------------------------------------------
# The checks (a Checker, of utils/checker.py, collects them)

def check_report(ck, report, expect, exit_code=None):
    """The report on its own: form, verdict, exit code, blockers, baked constants, the
    export size against the constraints."""
    problems = check_report_form(report)
    for p in problems:
        ck.fail("report: " + p)
    if problems:
        return False
    verdict = report["verdict"]
    ck.check(verdict == expect, "verdict %s (expected %s)" % (verdict, expect))
    if exit_code is not None:
        want = 0 if verdict == "flexible" else 1
        ck.check(exit_code == want, "mlc exit code %d (%s wants %d)" % (exit_code, verdict, want))
    blockers, baked = report.get("blockers", []), report.get("baked", [])
    if verdict == "flexible":
        ck.check(not blockers and not baked, "flexible: no blockers, no baked constants "
                 "(%d, %d)" % (len(blockers), len(baked)))
    elif verdict == "baked":
        ck.check(baked and not blockers, "baked: baked constants listed, no blockers (%d, %d)"
                 % (len(baked), len(blockers)))
    else:
        ck.check(len(blockers) > 0, "blocked: %d blocker(s) listed" % len(blockers))
    for b in blockers:
        missing = [k for k in ("node", "op", "reason", "fix") if not b.get(k)]
        ck.check(not missing, "blocker %s '%s': %s%s" % (
            b.get("op"), b.get("node"), b.get("reason"),
            " [missing %s]" % ", ".join(missing) if missing else ""))
    env = export_env(report)
    for b in baked:
        label = "baked %s '%s' %s[%s] = %s" % (b.get("op"), b.get("node"), b.get("operand"),
                                               b.get("index"), b.get("value"))
        if env is None:
            ck.say("  --   %s = %s (no export size to check it at)" % (label, b.get("formula")))
            continue
        try:
            v = eval_dim(b.get("formula", "?"), env)
        except FormulaError as e:
            ck.fail("%s: formula %r: %s" % (label, b.get("formula"), e))
            continue
        ck.check(v is not None and v == b.get("value"),
                 "%s: formula %s gives %s at the export size %s"
                 % (label, b.get("formula"), "?" if v is None else v, fmt_env(env)))
    if env is not None:
        broken, _ = broken_constraints(report, env)
        ck.check(not broken, "the export size %s meets the constraints%s"
                 % (fmt_env(env), ": breaks " + "; ".join(broken) if broken else ""))
    return ck.ok


def check_size(ck, report, model, shape, work, extra=None, label="size", by_index=None):
    """The formulas at shape against ONNX Runtime's output shapes for model."""
    env = symbol_env(report, shape, extra, by_index)
    broken, unchecked = broken_constraints(report, env)
    where = "%s %s" % (label, oc.format_dims(shape))
    if broken:
        ck.fail("%s breaks the stated constraints: %s (test it with --violate)"
                % (where, "; ".join(broken)))
        return
    for text in unchecked:
        ck.say("  --   %s: constraint not checked: %s" % (where, text))
    want = output_shapes(report, env)
    got, err = ort_shapes(model, shape, work)
    if err:
        ck.fail("%s: ONNX Runtime fails on %s: %s" % (where, os.path.basename(model), err))
        return
    names = [n for n, _ in got]
    if set(names) != set(want) and len(names) == len(want):
        pairs = list(zip(list(want), [d for _, d in got]))
        note = " (outputs matched by position)"
    else:
        pairs = [(n, dict(got).get(n)) for n in want]
        note = ""
        for n in names:
            if n not in want:
                ck.fail("%s: ORT output %r is not in the report" % (where, n))
    for name, ort_dims in pairs:
        dims, error = want[name]
        text = [o for o in report["outputs"] if o["name"] == name][0]
        formula = "[%s]" % ", ".join(str(d) for d in text["dims"])
        if ort_dims is None:
            ck.fail("%s: output %r: ORT has no such output" % (where, name))
        elif error:
            ck.fail("%s: output %s %s: %s (ORT %s)" % (where, name, formula, error,
                                                       fmt_dims(ort_dims)))
        elif None in dims:
            same = len(dims) == len(ort_dims) and all(
                d is None or d == o for d, o in zip(dims, ort_dims))
            if report["verdict"] == "flexible":
                ck.fail("%s: output %s %s has unknown dims ('?') in a flexible report (ORT %s)"
                        % (where, name, formula, fmt_dims(ort_dims)))
            else:
                ck.check(same, "%s: output %s %s = %s; ORT %s (the '?' not compared)%s"
                         % (where, name, formula, fmt_dims(dims), fmt_dims(ort_dims), note))
        else:
            ck.check(dims == list(ort_dims), "%s: output %s %s = %s; ORT %s%s"
                     % (where, name, formula, fmt_dims(dims), fmt_dims(ort_dims), note))


def check_violation(ck, report, model, shape, work, extra=None, by_index=None):
    """A size outside the constraints: the report must say so, and ORT must refuse it
    (unless a formula already says it is invalid)."""
    env = symbol_env(report, shape, extra, by_index)
    where = "violate %s" % oc.format_dims(shape)
    broken, _ = broken_constraints(report, env)
    invalid = ["%s: %s" % (n, e) for n, (_, e) in output_shapes(report, env).items() if e]
    if not broken and not invalid:
        ck.fail("%s: meets every stated constraint and every formula is valid there: the "
                "report does not exclude it" % where)
        return
    why = "; ".join(broken + invalid)
    got, err = ort_shapes(model, shape, work)
    if err:
        ck.check(True, "%s: the report excludes it (%s); ORT fails too: %s"
                 % (where, why, err[:200]))
    elif invalid:
        ck.check(True, "%s: a formula says invalid (%s); ORT runs it anyway (%s)"
                 % (where, "; ".join(invalid), ", ".join(fmt_dims(d) for _, d in got)))
    else:
        ck.fail("%s: the report excludes it (%s) but ORT runs it: %s"
                % (where, why, ", ".join("%s %s" % (n, fmt_dims(d)) for n, d in got)))


# Ops whose baked operand entry i is their output's dim i.
BAKED_DIM_OPS = {("Resize", "sizes"), ("Reshape", "shape"), ("Expand", "shape"),
                 ("ConstantOfShape", "input"), ("ConstantOfShape", "shape")}


def model_with_outputs(model, node_names, path):
    """Copies model to path with the first output of each named node added to the graph's
    outputs (as float tensors). Returns {node name: output name} of the nodes found, or
    None without the onnx package."""
    try:
        import onnx
        from onnx import helper
    except ImportError:
        return None
    m = onnx.load(model)
    found = {}
    for node in m.graph.node:
        if node.name in node_names and node.output:
            found[node.name] = node.output[0]
    have = {o.name for o in m.graph.output}
    for out in found.values():
        if out not in have:
            m.graph.output.append(helper.make_tensor_value_info(out, onnx.TensorProto.FLOAT,
                                                                None))
            have.add(out)
    onnx.save(m, path)
    return found


def check_baked_in_ort(ck, report, dynamic, shapes, work, extra=None, by_index=None):
    """Each baked constant against what the dynamic export computes in its place: the
    output dim `index` of the baked node (same node name in the dynamic export) must equal
    the baked formula at each shape. Needs the onnx package (else skipped, with a note)."""
    entries = [b for b in report.get("baked", []) if (b.get("op"), b.get("operand"))
               in BAKED_DIM_OPS and isinstance(b.get("index"), int)]
    skipped = [b for b in report.get("baked", []) if b not in entries]
    for b in skipped:
        ck.say("  --   baked %s '%s' %s[%s]: not comparable with an output dim; not run"
               % (b.get("op"), b.get("node"), b.get("operand"), b.get("index")))
    if not entries or not shapes:
        return
    probe = os.path.join(work, "baked-probe.onnx")
    found = model_with_outputs(dynamic, {b["node"] for b in entries}, probe)
    if found is None:
        ck.say("  --   the baked constants are not run in ORT (no onnx package)")
        return
    for b in entries:
        if b["node"] not in found:
            ck.fail("baked %s '%s': no node of that name in %s, to run the formula"
                    % (b["op"], b["node"], os.path.basename(dynamic)))
    for shape in shapes:
        env = symbol_env(report, shape, extra, by_index)
        got, err = ort_shapes(probe, shape, work)
        where = "baked at %s" % oc.format_dims(shape)
        if err:
            ck.fail("%s: ONNX Runtime fails on %s with the baked nodes as outputs: %s"
                    % (where, os.path.basename(dynamic), err))
            continue
        dims_of = dict(got)
        for b in entries:
            if b["node"] not in found:
                continue
            dims = dims_of.get(found[b["node"]])
            try:
                want = eval_dim(b.get("formula", "?"), env)
            except FormulaError as e:
                ck.fail("%s: %s '%s' %s[%d]: %s" % (where, b["op"], b["node"], b["operand"],
                                                     b["index"], e))
                continue
            have = dims[b["index"]] if dims is not None and b["index"] < len(dims) else None
            ck.check(want is not None and want == have,
                     "%s: %s '%s' %s[%d] = %s = %s; the dynamic export computes %s"
                     % (where, b["op"], b["node"], b["operand"], b["index"], b.get("formula"),
                        "?" if want is None else want, "?" if have is None else have))


def run_checks(args, report, exit_code, work, ck):
    problems = check_report_form(report)
    for p in problems:
        ck.fail("report: " + p)
    if problems:
        return
    for fd in report.get("free_dims", []):
        ck.say("  free dim %s = %s[%d] (export size %s)" % (
            fd["name"], fd.get("input"), fd["dim"], fd.get("export_size")))
    constraints = [c.get("text") or json.dumps(c) for c in report.get("constraints", [])]
    constraints += report.get("joint_constraints", [])
    ck.say("  constraints: %s" % ("; ".join(constraints) or "none"))
    for o in report.get("outputs", []):
        ck.say("  output %s: [%s]" % (o.get("name"), ", ".join(map(str, o["dims"]))))
    check_report(ck, report, args.expect, exit_code)
    extra = dict(args.dim)
    by_index = other_symbols(report, args.model, extra)
    for name, index in sorted(by_index.items()):
        ck.say("  symbol %s = input dim %d (a dim_param of the model)" % (name, index))
    # The static export at its own size (when the report knows it and the model is another
    # file than the dynamic one).
    env = export_env(report)
    if env is not None and args.model != args.dynamic:
        shape = [args.batch, args.channels, 0, 0]
        for fd in report["free_dims"]:
            if fd["dim"] < len(shape):
                shape[fd["dim"]] = fd["export_size"]
        if 0 not in shape:
            check_size(ck, report, args.model, shape, work, extra, "export size", by_index)
    for h, w in args.size:
        check_size(ck, report, args.dynamic, [args.batch, args.channels, h, w], work, extra,
                   by_index=by_index)
    for h, w in args.violate:
        check_violation(ck, report, args.dynamic, [args.batch, args.channels, h, w], work,
                        extra, by_index)
    if report.get("baked") and args.dynamic != args.model:
        check_baked_in_ort(ck, report, args.dynamic,
                           [[args.batch, args.channels, h, w] for h, w in args.size], work,
                           extra, by_index)


# ----------------------------------------------------------------------------------------
# Self-test: the evaluator, and the checks on hand-written reports (right ones pass, wrong
# ones fail) against the fixtures in Inputs/.

def _self_test_evaluator():
    failures = []

    def expect(text, env, want):
        try:
            got = eval_dim(text, env)
        except FormulaError as e:
            got = e
        if want is FormulaError:
            ok = isinstance(got, FormulaError)
        else:
            ok = got == want and not isinstance(got, FormulaError)
        if not ok:
            failures.append("%r at %s: got %r, want %r" % (text, env, got, want))

    e = {"H": 75, "W": 50}
    expect("floor((H - 1)/2) + 1", e, 38)
    expect("ceil(H/2)", e, 38)
    expect("floor(H/2)", e, 37)
    expect("3*H", e, 225)
    expect("H*3", e, 225)
    expect("H/2", e, FormulaError)           # 75/2 is not whole
    expect("W/2", e, 25)
    expect("H mod 32", e, 11)
    expect("H - H mod 32", e, 64)            # mod binds like *: H - (H mod 32)
    expect("2*H mod 7", e, 150 % 7)          # left to right: (2*H) mod 7
    expect("-3 mod 5", {}, 2)                # floored
    expect("(H + 2 - 3)/1 + 1", e, 75)
    expect("floor((floor((H - 1)/2) + 1 - 1)/2) + 1", e, 19)
    expect("ceil(ceil(H/2)/2)*ceil(ceil(W/2)/2)", e, 19 * 13)
    expect("min(H, W)", e, 50)
    expect("max(H, 2*W)", e, 100)
    expect("-H + 100", e, 25)
    expect("1", {}, 1)
    expect(7, {}, 7)
    expect("?", e, None)
    expect("N", e, FormulaError)             # unknown symbol
    expect("H +", e, FormulaError)
    expect("floor(H/2", e, FormulaError)
    expect("H // 2", e, FormulaError)
    expect("__import__('os')", e, FormulaError)
    expect("H/0", e, FormulaError)
    expect("floor(H/(W - 50))", e, FormulaError)
    for text, env, want in (("H == W", {"H": 3, "W": 3}, True), ("H == W", {"H": 3, "W": 4}, False),
                            ("H >= 32 and H mod 32 == 0", {"H": 64}, True),
                            ("H >= 32 and H mod 32 == 0", {"H": 80}, False)):
        if evaluate(parse_condition(text), env) != want:
            failures.append("condition %r at %s is not %s" % (text, env, want))
    c = {"constraints": [{"dim": "H", "min": 32, "multiple_of": 32, "text": "H ok"},
                         {"dim": "W", "min": 1, "period": 4, "residues": [1, 3], "text": "W odd"}]}
    for env, n in (({"H": 64, "W": 5}, 0), ({"H": 80, "W": 5}, 1), ({"H": 0, "W": 4}, 2)):
        if len(broken_constraints(c, env)[0]) != n:
            failures.append("constraints at %s: want %d broken, got %s"
                            % (env, n, broken_constraints(c, env)[0]))
    return failures


def _fd(h, w, name=("H", "W")):
    return [{"name": name[0], "input": "image", "dim": 2, "export_size": h},
            {"name": name[1], "input": "image", "dim": 3, "export_size": w}]


def _report(verdict, free_dims, outputs, constraints=(), blockers=(), baked=(), joint=()):
    return {"model": "x.onnx", "verdict": verdict, "free_dims": free_dims,
            "constraints": list(constraints), "joint_constraints": list(joint),
            "outputs": [{"name": n, "dims": d, "text": "x".join(d)} for n, d in outputs],
            "blockers": list(blockers), "baked": list(baked)}


def _unet_constraints(step=32):
    return [{"dim": d, "min": step, "multiple_of": step, "period": step, "residues": [0],
             "text": "%s >= %d and %s %% %d == 0" % (d, step, d, step)} for d in ("H", "W")]


CONV4 = "floor((floor((H - 1)/2) + 1 - 1)/2) + 1"  # two 3x3 stride-2 pad-1 convs: ceil(H/4)
CONV4W = CONV4.replace("H", "W")

# (name, static, dynamic, expect, report, sizes, violate sizes, must pass)
SELF_TESTS = [
    ("fcn baked", "fcn_static", "fcn_dynamic", "baked", _report(
        "baked", _fd(64, 64), [("out", ["1", "21", "H", "W"])],
        baked=[{"node": "/Resize", "op": "Resize", "operand": "sizes", "index": i,
                "value": 64, "formula": f} for i, f in ((2, "H"), (3, "W"))]),
     [(96, 128), (75, 50)], [], True),
    ("fcn: 8*ceil(H/8) is wrong at 75x50", "fcn_static", "fcn_dynamic", "baked", _report(
        "baked", _fd(64, 64), [("out", ["1", "21", "8*ceil(H/8)", "8*ceil(W/8)"])],
        baked=[{"node": "/Resize", "op": "Resize", "operand": "sizes", "index": 2,
                "value": 64, "formula": "8*ceil(H/8)"}]),
     [(75, 50)], [], False),
    ("fcn: a baked formula that misses its value", "fcn_static", "fcn_dynamic", "baked", _report(
        "baked", _fd(64, 64), [("out", ["1", "21", "H", "W"])],
        baked=[{"node": "/Resize", "op": "Resize", "operand": "sizes", "index": 2,
                "value": 64, "formula": "floor(H/2)"}]),
     [(96, 128)], [], False),
    ("fcn: verdict flexible is not baked", "fcn_static", "fcn_dynamic", "baked", _report(
        "flexible", _fd(64, 64), [("out", ["1", "21", "H", "W"])]), [], [], False),
    ("unet", "unet_static", "unet_dynamic", "flexible", _report(
        "flexible", _fd(64, 64), [("out", ["1", "2", "H", "W"])], _unet_constraints()),
     [(96, 96), (128, 64)], [(80, 64), (64, 48), (16, 16)], True),
    ("unet: without the % 32 constraint, 80x64 is not excluded", "unet_static", "unet_dynamic",
     "flexible", _report("flexible", _fd(64, 64), [("out", ["1", "2", "H", "W"])]),
     [(96, 96)], [(80, 64)], False),
    ("unet: % 16 lets 80x64 through, and ORT fails there", "unet_static", "unet_dynamic",
     "flexible", _report("flexible", _fd(64, 64), [("out", ["1", "2", "H", "W"])],
                         _unet_constraints(16)), [(80, 64)], [], False),
    ("unet: a size that breaks the constraints is no --size", "unet_static", "unet_dynamic",
     "flexible", _report("flexible", _fd(64, 64), [("out", ["1", "2", "H", "W"])],
                         _unet_constraints()), [(80, 64)], [], False),
    ("classifier_gap", "classifier_gap_static", "classifier_gap_dynamic", "flexible", _report(
        "flexible", _fd(64, 64), [("logits", ["1", "1000"])]),
     [(96, 128), (33, 17)], [], True),
    ("classifier_gap: '?' in a flexible report", "classifier_gap_static",
     "classifier_gap_dynamic", "flexible", _report(
         "flexible", _fd(64, 64), [("logits", ["1", "?"])]), [(96, 128)], [], False),
    ("classifier_flatten blocked", "classifier_flatten_static", "classifier_flatten_static",
     "blocked", _report("blocked", _fd(64, 64), [("logits", ["1", "10"])], blockers=[{
         "node": "/fc/Gemm", "op": "Gemm", "reason": "needs K = 768 = 12*8*8; the Flatten "
         "'/flat/Flatten' makes K = 12*ceil(H/8)*ceil(W/8)",
         "fix": "global average pooling before the Flatten"}],
         joint=["ceil(H/8)*ceil(W/8) == 64"]), [], [], True),
    ("classifier_flatten: a blocker without a fix", "classifier_flatten_static",
     "classifier_flatten_static", "blocked", _report(
         "blocked", _fd(64, 64), [("logits", ["1", "10"])],
         blockers=[{"node": "/fc/Gemm", "op": "Gemm", "reason": "K"}]), [], [], False),
    ("resize_const baked", "resize_const_static", "resize_const_dynamic", "baked", _report(
        "baked", _fd(112, 112), [("out", ["1", "4", "floor(H/2)", "floor(W/2)"])],
        baked=[{"node": "/Resize", "op": "Resize", "operand": "sizes", "index": 2,
                "value": 56, "formula": "floor(H/2)"}]),
     [(96, 128), (75, 50)], [], True),
    ("resize_const: ceil(H/2) is not what the dynamic export computes at 75x51",
     "resize_const_static", "resize_const_dynamic", "baked", _report(
         "baked", _fd(112, 112), [("out", ["1", "4", "floor(H/2)", "floor(W/2)"])],
         baked=[{"node": "/Resize", "op": "Resize", "operand": "sizes", "index": 2,
                 "value": 56, "formula": "ceil(H/2)"}]),
     [(96, 128), (75, 51)], [], False),
    ("resize_const20", "resize_const20_static", "resize_const20_dynamic", "flexible", _report(
        "flexible", _fd(64, 64), [("out", ["1", "4", "20", "20"])]), [(96, 128), (40, 72)],
     [], True),
    ("reshape_baked", "reshape_baked_static", "reshape_baked_dynamic", "baked", _report(
        "baked", _fd(32, 48), [("out", ["1", "4", "(%s)*(%s)" % (CONV4, CONV4W)])],
        baked=[{"node": "/Reshape", "op": "Reshape", "operand": "shape", "index": 2,
                "value": 96, "formula": "(%s)*(%s)" % (CONV4, CONV4W)}]),
     [(64, 40), (30, 50)], [], True),
    ("reshape_baked: 3*H fits at 32x48 only", "reshape_baked_static", "reshape_baked_dynamic",
     "baked", _report("baked", _fd(32, 48), [("out", ["1", "4", "3*H"])],
                      baked=[{"node": "/Reshape", "op": "Reshape", "operand": "shape",
                              "index": 2, "value": 96, "formula": "3*H"}]),
     [(64, 40)], [], False),
    ("dynamic_dims (other names, a batch symbol)", "dynamic_dims_dynamic",
     "dynamic_dims_dynamic", "flexible", _report(
         "flexible", [{"name": "N", "input": "image", "dim": 0, "export_size": None}]
         + [dict(d, export_size=None) for d in _fd(0, 0, ("height", "width"))],
         [("out", ["N", "4", "2*(floor((height - 1)/2) + 1)", "2*ceil(width/2)"])]),
     [(48, 40), (33, 17)], [], True),
    ("dynamic_dims (batch: a dim_param, no free dim)", "dynamic_dims_dynamic",
     "dynamic_dims_dynamic", "flexible", _report(
         "flexible", [dict(d, export_size=None) for d in _fd(0, 0, ("height", "width"))],
         [("out", ["batch", "4", "2*floor((height - 1)/2) + 2", "2*floor((width - 1)/2) + 2"])]),
     [(48, 40), (33, 17)], [], True),
    ("depth_to_space_sr", "depth_to_space_sr_static", "depth_to_space_sr_dynamic", "flexible",
     _report("flexible", _fd(32, 32), [("out", ["1", "3", "3*H", "3*W"])]),
     [(48, 40), (17, 23)], [], True),
    ("depth_to_space_sr: 2*H is wrong", "depth_to_space_sr_static", "depth_to_space_sr_dynamic",
     "flexible", _report("flexible", _fd(32, 32), [("out", ["1", "3", "2*H", "3*W"])]),
     [(48, 40)], [], False),
]


def self_test(verbose=False):
    failures = _self_test_evaluator()
    for f in failures:
        print("evaluator: FAIL %s" % f)
    print("evaluator: %s" % ("ok" if not failures else "%d failure(s)" % len(failures)))
    status = 1 if failures else 0
    if not oc.ort_installed():
        print("onnxruntime-node is not installed: the checks against ONNX Runtime are skipped")
        return status or SKIP
    inputs = os.path.join(HERE, "Inputs")
    with tempfile.TemporaryDirectory(prefix="mlc-flexible-ort-selftest.") as work:
        for name, static, dynamic, expect, report, sizes, violate, must_pass in SELF_TESTS:
            args = argparse.Namespace(
                model=os.path.join(inputs, static + ".onnx"),
                dynamic=os.path.join(inputs, dynamic + ".onnx"), expect=expect, size=sizes,
                violate=violate, batch=1, channels=3, dim=[])
            if name.startswith("dynamic_dims"):
                args.batch = 2
            ck = Checker(quiet=not verbose)
            run_checks(args, report, 0 if report["verdict"] == "flexible" else 1, work, ck)
            good = ck.ok == must_pass
            status = status if good else 1
            print(ck.case_line(good, name, 72))
    return self_test_result(status)


# ----------------------------------------------------------------------------------------

def parse_size(text):
    m = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not m:
        raise argparse.ArgumentTypeError("bad size %r (want HxW, e.g. 96x128)" % text)
    return int(m.group(1)), int(m.group(2))


def parse_binding(text):
    m = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\d+)\s*", text)
    if not m:
        raise argparse.ArgumentTypeError("bad --dim %r (want NAME=VALUE)" % text)
    return m.group(1), int(m.group(2))


def main(argv=None):
    p = argparse.ArgumentParser(
        description="Check `mlc check-flexible` against ONNX Runtime at other sizes.",
        epilog="Exit codes: 0 pass, 1 fail, 77 ONNX Runtime not installed (skip), 2 usage.")
    p.add_argument("model", nargs="?", help="the fixed-size export mlc analyzes")
    p.add_argument("--mlc", help="the mlc binary")
    p.add_argument("--dynamic", help="the same net with dynamic H and W, for ONNX Runtime "
                   "(default: MODEL itself)")
    p.add_argument("--size", type=parse_size, action="append", default=[], metavar="HxW",
                   help="a size the report allows: the formulas must equal ORT's shapes")
    p.add_argument("--violate", type=parse_size, action="append", default=[], metavar="HxW",
                   help="a size the constraints exclude: ORT must fail (or a formula say "
                   "invalid)")
    p.add_argument("--expect", choices=VERDICTS, default="flexible")
    p.add_argument("--batch", type=int, default=1, help="input dim 0 (default 1)")
    p.add_argument("--channels", type=int, default=3, help="input dim 1 (default 3)")
    p.add_argument("--dim", type=parse_binding, action="append", default=[],
                   metavar="NAME=VALUE", help="a value for a symbol that is no free dim")
    p.add_argument("--input", help="passed to mlc check-flexible")
    p.add_argument("--dims", help="passed to mlc check-flexible (e.g. 2,3)")
    p.add_argument("--report", help="a saved `check-flexible --json` report instead of "
                   "running mlc")
    add_self_test_options(p, "the evaluator and the checks", "every check")
    args = p.parse_args(argv)

    if args.self_test:
        return self_test(args.verbose)
    if not args.model:
        p.error("MODEL is required")
    if not args.mlc and not args.report:
        p.error("--mlc or --report is required")
    args.dynamic = args.dynamic or args.model
    if (args.size or args.violate or args.dynamic != args.model) and not oc.ort_installed():
        return skipped_without_ort()

    exit_code = None
    if args.report:
        with open(args.report) as f:
            report = json.load(f)
        print("%s (saved report %s)" % (args.model, args.report))
    else:
        exit_code, report, err, secs = run_check_flexible(args.mlc, args.model, args.input,
                                                          args.dims)
        print("mlc check-flexible %s --json: %s, %.2f s"
              % (args.model, "not run" if exit_code is None else "exit %d" % exit_code, secs))
        if report is None or exit_code not in (0, 1):
            print("  FAIL mlc did not give a report%s" % (":\n" + err if err else ""))
            return 1
    ck = Checker()
    with tempfile.TemporaryDirectory(prefix="mlc-flexible-ort.") as work:
        run_checks(args, report, exit_code, work, ck)
    return ck.result()


if __name__ == "__main__":
    sys.exit(main())
