# Helpers so that every mlc library and tool is declared the same way.

# A compiler-side library (links MLIR). Wraps add_mlir_library so the target gets
# LLVM's flags (no exceptions, RTTI as LLVM) and shows up in the project's
# library list.
function(add_mlc_library name)
  add_mlir_library(${name} ${ARGN} DISABLE_INSTALL)
  set_property(GLOBAL APPEND PROPERTY MLC_LIBS ${name})
endfunction()
