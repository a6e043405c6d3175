# Helpers so that every mlc library and tool is declared the same way.

# A compiler-side library (links MLIR). Wraps add_mlir_library so the target gets
# LLVM's flags (no exceptions, RTTI as LLVM) and shows up in the project's
# library list. The object library add_mlir_library compiles the sources in
# gets the LINK_LIBS' usage requirements too (onnx_proto's ONNX_ML and
# ONNX_NAMESPACE definitions, say), which add_mlir_library leaves out.
function(add_mlc_library name)
  cmake_parse_arguments(ARG "" "" "LINK_LIBS" ${ARGN})
  add_mlir_library(${name} ${ARGN} DISABLE_INSTALL)
  if(TARGET obj.${name} AND ARG_LINK_LIBS)
    target_link_libraries(obj.${name} ${ARG_LINK_LIBS})
  endif()
  set_property(GLOBAL APPEND PROPERTY MLC_LIBS ${name})
endfunction()

# Compile options of every runtime (mlcrt) target: C++ exceptions and RTTI
# back on (LLVM's flags turn them off), and the generated schema header.
function(mlc_runtime_target name)
  target_compile_options(${name} PRIVATE -fexceptions -frtti)
  target_include_directories(${name} PRIVATE ${MLC_DNNL_INCLUDE_DIR}
                             ${CMAKE_SOURCE_DIR}/lib/Runtime)
  add_dependencies(${name} MLCFormatSchema)
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()
