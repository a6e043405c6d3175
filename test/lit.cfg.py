# -*- Python -*-
#
# lit configuration of mlc's tests. The build writes lit.site.cfg.py (paths)
# into build/test, which loads this file; run the tests through that:
#
#   python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv build/test
#   python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv build/test/Dialect/NN/ops.mlir

import os
import sys

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "MLC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)

# .mlir: dialect and pass tests; .json, .pbtxt: ONNX models as text for the
# importer; .test: everything else (the mlc CLI).
config.suffixes = [".mlir", ".json", ".pbtxt", ".test"]

# Data that tests read (with %S/Inputs/...) is not a test itself.
config.excludes = ["Inputs", "CMakeLists.txt", "README.md", "lit.cfg.py"]

config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.mlc_obj_root, "test")

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
# FileCheck, not, count (from LLVM's package).
llvm_config.use_default_substitutions()

# mlc's tools come first on PATH, then LLVM's.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.mlc_tools_dir, append_path=True)

# Each tool resolves to its full path in the build (a missing tool fails the
# tests that use it, with "command not found").
tool_dirs = [config.mlc_tools_dir, config.llvm_tools_dir]
tools = [
    "mlc-opt",
    ToolSubst("mlc", unresolved="ignore"),
    # Several inputs in one test file: `split-file %s %t`.
    "split-file",
]
llvm_config.add_tool_substitutions(tools, tool_dirs)

config.substitutions.append(("%mlc_src_root", config.mlc_src_root))

# %same-bytes OUT... -- CMD...: runs CMD twice and fails unless each OUT has
# the same bytes both times; see utils/same-bytes.py.
config.substitutions.insert(
    0,
    (
        "%same-bytes",
        '"%s" "%s"'
        % (
            sys.executable,
            os.path.join(config.mlc_src_root, "utils", "same-bytes.py"),
        ),
    ),
)

# %expect-exit CODE [--keeps OUT] CMD...: runs CMD and fails unless it exits
# with CODE (lit's shell has no `$?`); see utils/expect-exit.py.
config.substitutions.insert(
    0,
    (
        "%expect-exit",
        '"%s" "%s"'
        % (
            sys.executable,
            os.path.join(config.mlc_src_root, "utils", "expect-exit.py"),
        ),
    ),
)
