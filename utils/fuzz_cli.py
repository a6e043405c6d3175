#!/usr/bin/env python3
"""Bad input never crashes mlc: mutated models through the command line.

Takes the example models, breaks each in one of many ways (a structure-aware change of
the ONNX graph: an attribute, a weight's dims or bytes, a node's wiring, an input's
shape, the opset; or raw bytes flipped or cut off, of the .onnx, of a compiled .mlc and
of an .npy input), and runs mlc on the result: check-flexible, compile, merge with the
unbroken model, export, quantize, and run of a compiled model. Each run must end as mlc promises:

  - exit 0, 1 or 2; never a signal (a crash, an assertion), never a hang (--timeout);
  - at exit 2, a message on stderr that names a file it was given, and no "Stack dump",
    "Assertion", "LLVM ERROR" or sanitizer report;
  - at exit 2, no output file left behind (mlc writes to a temporary, then renames).

    /usr/bin/python3 utils/fuzz_cli.py --mlc build/bin/mlc [--cases 300] [--seed 1]
        [--jobs 2] [--timeout 60] [--models examples/models] [--keep DIR]

The mutations are drawn from --seed, so a run is repeatable; a failing case is written
to --keep (default: a temporary directory named in the report) with the command that
failed. Exit 0 when every case ended as promised, 1 otherwise. ctest runs a short
campaign (test/mlc/CMakeLists.txt); longer ones are for before a release.
"""

import argparse
import collections
import concurrent.futures
import os
import random
import shutil
import subprocess
import sys
import tempfile

import onnx
from onnx import TensorProto, helper

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Seeds: small exports of each kind of network the tests cover (fixed and
# dynamic batch, custom ops, attention, video).
SEEDS = ("tiny_resnet_64.onnx", "tiny_mobilenetv2_64.onnx", "tiny_fcn_64.onnx",
         "tiny_fcn_64_dynbatch.onnx", "custom_ops_64.onnx", "tiny_vit_32.onnx",
         "tiny_video_8x32.onnx", "tiny_blocks_64_opset17.onnx",
         # Dynamic H and W; a channels-last image.
         "test/Merge/Inputs/fcn_dynamic.onnx", "test/Merge/Inputs/nhwc_64.onnx")


def seed_path(name):
    """A seed's file: a name in examples/models, or a path (from the repository)."""
    return os.path.join(REPO, name if os.sep in name else os.path.join("examples", "models", name))


# Values that break shape arithmetic: zero, negative, huge, overflowing.
BAD_INTS = (0, -1, -2, 1, 2, 3, 7, 1000, 1 << 31, (1 << 63) - 1, -(1 << 63))
CRASH_MARKS = ("Stack dump", "Assertion", "LLVM ERROR", "AddressSanitizer",
               "UndefinedBehaviorSanitizer", "runtime error:", "terminate called",
               "Segmentation fault", "PLEASE submit a bug report")


# --- Mutations of an ONNX ModelProto (each returns a description) ---------

def mutate_attribute(model, rng):
    nodes = [n for n in model.graph.node if n.attribute]
    if not nodes:
        return None
    node = rng.choice(nodes)
    attr = rng.choice(node.attribute)
    choice = rng.randrange(4)
    if choice == 0:
        node.attribute.remove(attr)
        return f"removed attribute {attr.name} of {node.name or node.op_type}"
    if attr.type == onnx.AttributeProto.INTS and attr.ints:
        if choice == 1:
            attr.ints[rng.randrange(len(attr.ints))] = rng.choice(BAD_INTS)
        elif choice == 2:
            del attr.ints[rng.randrange(len(attr.ints))]
        else:
            attr.ints.append(rng.choice(BAD_INTS))
    elif attr.type == onnx.AttributeProto.INT:
        attr.i = rng.choice(BAD_INTS)
    elif attr.type == onnx.AttributeProto.FLOAT:
        attr.f = rng.choice((0.0, -1.0, float("nan"), float("inf"), 1e30))
    elif attr.type == onnx.AttributeProto.STRING:
        attr.s = rng.choice((b"", b"bogus", b"\xff\xfe"))
    elif attr.type == onnx.AttributeProto.TENSOR:
        # A Constant's value: its shape, or one of its numbers (the shape
        # vectors of Reshape, Slice, Resize and Pad are such constants).
        if choice == 1 or not change_value(attr.t, rng):
            attr.t.dims.append(rng.choice(BAD_INTS))
    else:
        # Another type under the same name.
        attr.type = rng.choice((onnx.AttributeProto.INT, onnx.AttributeProto.STRING,
                                onnx.AttributeProto.INTS))
    return f"changed attribute {attr.name} of {node.name or node.op_type}"


def change_value(tensor, rng):
    """Sets one number of an int64 or float tensor to a bad one; False when
    it holds neither."""
    import numpy
    from onnx import numpy_helper
    array = numpy_helper.to_array(tensor).copy()
    if array.size == 0 or array.dtype not in (numpy.int64, numpy.float32):
        return False
    bad = rng.choice(BAD_INTS) if array.dtype == numpy.int64 else rng.choice(
        (0.0, -1.0, float("nan"), float("inf"), 1e30))
    array.flat[rng.randrange(array.size)] = bad
    tensor.CopyFrom(numpy_helper.from_array(array, tensor.name))
    return True


def mutate_initializer(model, rng):
    inits = list(model.graph.initializer)
    if not inits:
        return None
    init = rng.choice(inits)
    choice = rng.randrange(7)
    if choice == 6 and change_value(init, rng):
        return f"changed a value of weight {init.name}"
    if choice == 0 and init.dims:
        init.dims[rng.randrange(len(init.dims))] = rng.choice(BAD_INTS)
    elif choice == 1 and init.dims:
        del init.dims[rng.randrange(len(init.dims))]
    elif choice == 2:
        init.dims.append(rng.choice((1, 2, 0)))
    elif choice == 3 and init.raw_data:
        init.raw_data = init.raw_data[: rng.randrange(len(init.raw_data))]
    elif choice == 4:
        init.data_type = rng.choice((TensorProto.INT64, TensorProto.FLOAT16,
                                     TensorProto.STRING, TensorProto.BOOL, 0, 99))
    else:
        model.graph.initializer.remove(init)
        return f"removed weight {init.name}"
    return f"changed weight {init.name} (way {choice})"


def mutate_wiring(model, rng):
    nodes = list(model.graph.node)
    node = rng.choice(nodes)
    names = [o for n in nodes for o in n.output] + [i.name for i in model.graph.input]
    choice = rng.randrange(7)
    if choice == 0 and node.input:
        node.input[rng.randrange(len(node.input))] = "no_such_tensor"
    elif choice == 1 and node.input:
        node.input[rng.randrange(len(node.input))] = rng.choice(names)
    elif choice == 2 and node.input:
        del node.input[rng.randrange(len(node.input))]
    elif choice == 3:
        node.input.append(rng.choice(names))
    elif choice == 4:
        model.graph.node.remove(node)
        return f"removed node {node.name or node.op_type}"
    elif choice == 5 and len(nodes) > 1:
        # A cycle or a use before definition: a node reads a later one's output.
        later = nodes[rng.randrange(nodes.index(node), len(nodes))]
        if node.input and later.output:
            node.input[0] = later.output[0]
    else:
        node.op_type = rng.choice(("Conv", "Add", "Reshape", "Gemm", "Concat",
                                   "MaxPool", "Resize", "NoSuchOp", "Transpose"))
    return f"rewired node {node.name or node.op_type} (way {choice})"


def mutate_io(model, rng):
    graph = model.graph
    choice = rng.randrange(6)
    value = rng.choice(list(graph.input) + list(graph.output))
    tensor_type = value.type.tensor_type
    dims = tensor_type.shape.dim
    if choice == 0 and dims:
        dims[rng.randrange(len(dims))].dim_value = rng.choice(BAD_INTS[:6] + (1 << 40,))
    elif choice == 1 and dims:
        dims[rng.randrange(len(dims))].dim_param = rng.choice(("N", "", "?"))
    elif choice == 2:
        tensor_type.ClearField("shape")
    elif choice == 3:
        tensor_type.elem_type = rng.choice((TensorProto.INT64, TensorProto.STRING,
                                            TensorProto.DOUBLE, 0))
    elif choice == 4 and dims:
        del dims[rng.randrange(len(dims))]
    else:
        if value in graph.output:
            graph.output.remove(value)
        else:
            graph.input.remove(value)
        return f"removed graph input or output {value.name}"
    return f"changed graph input or output {value.name} (way {choice})"


def mutate_opset(model, rng):
    opset = rng.choice(list(model.opset_import))
    choice = rng.randrange(3)
    if choice == 0:
        opset.version = rng.choice((0, 1, 6, 22, 99, -1))
    elif choice == 1:
        opset.domain = "no.such.domain"
    else:
        model.opset_import.remove(opset)
    return f"changed opset import (way {choice})"


ONNX_MUTATIONS = (mutate_attribute, mutate_initializer, mutate_wiring, mutate_io,
                  mutate_opset)


def mutate_bytes(data, rng):
    data = bytearray(data)
    choice = rng.randrange(3)
    if choice == 0:
        for _ in range(rng.randrange(1, 9)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data), "flipped bytes"
    if choice == 1:
        return bytes(data[: rng.randrange(len(data))]), "cut off"
    start = rng.randrange(len(data))
    return bytes(data[:start] + data[start + rng.randrange(1, 64):]), "cut out bytes"


def run_dims(onnx_bytes):
    """The model's first input and the dims to run it at: a dynamic batch at 1, another
    dynamic dim at 16 (mlc run asks for a shape then), as a list."""
    value = onnx.load_from_string(onnx_bytes).graph.input[0]
    dims = [d.dim_value or (16 if i else 1)
            for i, d in enumerate(value.type.tensor_type.shape.dim)]
    return value, dims


def run_shape(onnx_bytes):
    """--shape for `mlc run` of the seed when its first input has a dynamic dim other
    than the batch (mlc run has no size to run it at otherwise)."""
    value, dims = run_dims(onnx_bytes)
    if all(d.dim_value for d in value.type.tensor_type.shape.dim[1:]):
        return []
    return ["--shape", value.name + "=" + "x".join(map(str, dims))]


def input_npy(onnx_bytes):
    """A valid .npy for the model's first input (at run_dims)."""
    import io
    import numpy
    value, dims = run_dims(onnx_bytes)
    dtype = onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[value.type.tensor_type.elem_type]
    buffer = io.BytesIO()
    numpy.save(buffer, numpy.ones(dims, dtype))
    return buffer.getvalue()


# --- One case --------------------------------------------------------------

def make_case(index, seed, models, work, mlc_dir_files):
    """A case: (description, files to write {name: bytes}, commands [[argv], output],
    the --shape to run what compile writes at)."""
    rng = random.Random(seed * 1000003 + index)
    name = rng.choice(models)
    path = seed_path(name)
    with open(path, "rb") as f:
        original = f.read()
    case_dir = os.path.join(work, f"case{index}")
    kind = rng.randrange(10)
    if kind < 7:
        model = onnx.load_from_string(original)
        description = None
        while description is None:
            description = rng.choice(ONNX_MUTATIONS)(model, rng)
        data = model.SerializeToString()
    elif kind < 9:
        data, description = mutate_bytes(original, rng)
    else:
        compiled = mlc_dir_files.get(name)
        if compiled is None:
            return None
        out = os.path.join(case_dir, "out")
        if rng.randrange(2):
            data, description = mutate_bytes(compiled, rng)
            broken = os.path.join(case_dir, "broken.mlc")
            return (f"{name}.mlc: {description}", {broken: data},
                    [(["run", broken, "--quiet", "--output-dir", out] + run_shape(original),
                      None)], [])
        # A broken .npy input to the unbroken compiled model.
        model_file = os.path.join(case_dir, "model.mlc")
        broken = os.path.join(case_dir, "broken.npy")
        data, description = mutate_bytes(input_npy(original), rng)
        first = onnx.load_from_string(original).graph.input[0].name
        return (f"{name} input .npy: {description}", {broken: data, model_file: compiled},
                [(["run", model_file, "--quiet", "--input", f"{first}={broken}",
                   "--output-dir", out], None)], [])
    broken = os.path.join(case_dir, "broken.onnx")
    mlc_out = os.path.join(case_dir, "broken.mlc")
    merged = os.path.join(case_dir, "merged.mlc")
    commands = [(["check-flexible", broken, "--quiet"], None),
                (["compile", broken, "-o", mlc_out, "--quiet"], mlc_out),
                (["merge", broken, path, "-o", merged], merged)]
    # Every third case also through export and quantize (with its report, which runs
    # both models).
    if index % 3 == 0:
        exported = os.path.join(case_dir, "exported.onnx")
        quantized = os.path.join(case_dir, "quantized.mlc")
        commands += [(["export", broken, "-o", exported], exported),
                     (["quantize", broken, "--mode", rng.choice(("linear", "kmeans", "fp16")),
                       "--min-size", "0", "--report", "--quiet", "-o", quantized] +
                      run_shape(original), quantized)]
    return f"{name}: {description}", {broken: data}, commands, run_shape(original)


def run_case(mlc, case, timeout):
    """The broken promises of one case (empty when it ended as promised), and each
    command's (name, exit code)."""
    description, files, commands, run_args = case
    for path, data in files.items():
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    problems, codes = [], []
    for argv, output in commands:
        shown = " ".join(["mlc"] + argv)
        try:
            result = subprocess.run([mlc] + argv, capture_output=True, text=True,
                                    errors="replace", timeout=timeout)
        except subprocess.TimeoutExpired:
            problems.append(f"{shown}: no answer in {timeout} s")
            continue
        err = result.stderr
        codes.append((argv[0], result.returncode))
        if result.returncode < 0 or result.returncode > 2:
            problems.append(f"{shown}: exit {result.returncode}: {err.strip()[-400:]}")
            continue
        marks = [m for m in CRASH_MARKS if m in err]
        if marks:
            problems.append(f"{shown}: {marks[0]} on stderr: {err.strip()[-400:]}")
        if result.returncode == 2:
            given = [a.split("=", 1)[-1] for a in argv]
            named = [a for a in given if os.path.isfile(a) and os.path.basename(a) in err]
            if not named:
                problems.append(f"{shown}: exit 2, message names none of its files: "
                                f"{err.strip()[:300]!r}")
            if output and os.path.exists(output):
                problems.append(f"{shown}: exit 2 left {output} behind")
        if output and os.path.exists(output):
            # The next command runs what compile wrote, when it wrote anything.
            if output.endswith("broken.mlc") and result.returncode == 0:
                try:
                    run = subprocess.run([mlc, "run", output, "--quiet", "--threads", "1"] +
                                         run_args,
                                         capture_output=True, text=True,
                                         errors="replace", timeout=timeout)
                    if run.returncode < 0 or run.returncode > 2 or any(
                            m in run.stderr for m in CRASH_MARKS):
                        problems.append(f"mlc run {output}: exit {run.returncode}: "
                                        f"{run.stderr.strip()[-400:]}")
                except subprocess.TimeoutExpired:
                    problems.append(f"mlc run {output}: no answer in {timeout} s")
    return problems, codes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mlc", default=os.path.join(REPO, "build", "bin", "mlc"))
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--models", default=",".join(SEEDS),
                        help="comma-separated names in examples/models (or paths from the "
                             "repository)")
    parser.add_argument("--keep", help="where failing cases go")
    args = parser.parse_args()

    models = args.models.split(",")
    work = tempfile.mkdtemp(prefix="mlc-fuzz-")
    # Compiled seeds, whose bytes the .mlc cases break.
    compiled = {}
    for name in models:
        path = seed_path(name)
        out = os.path.join(work, os.path.basename(name) + ".mlc")
        if subprocess.run([args.mlc, "compile", path, "-o", out, "--quiet"]).returncode == 0:
            with open(out, "rb") as f:
                compiled[name] = f.read()
    cases = [make_case(i, args.seed, models, work, compiled) for i in range(args.cases)]
    cases = [(i, c) for i, c in enumerate(cases) if c]
    failures = []
    codes = collections.Counter()
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(run_case, args.mlc, case, args.timeout): (i, case)
                   for i, case in cases}
        for future in concurrent.futures.as_completed(futures):
            index, case = futures[future]
            problems, ran = future.result()
            codes.update(ran)
            if problems:
                failures.append((index, case[0], problems))
            else:
                shutil.rmtree(os.path.join(work, f"case{index}"), ignore_errors=True)
    failures.sort()
    for index, description, problems in failures:
        print(f"case {index} ({description}):")
        for problem in problems:
            print(f"  {problem}")
    keep = args.keep or work
    if failures and args.keep:
        os.makedirs(keep, exist_ok=True)
        for index, _, _ in failures:
            shutil.copytree(os.path.join(work, f"case{index}"),
                            os.path.join(keep, f"case{index}"), dirs_exist_ok=True)
    if not failures or args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print("exit codes: " + ", ".join(f"{command} {code}: {count}" for (command, code), count
                                      in sorted(codes.items())))
    print(f"fuzz_cli: {len(cases) - len(failures)} of {len(cases)} cases ended as "
          f"promised (seed {args.seed})" + (f"; failing cases in {keep}" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
