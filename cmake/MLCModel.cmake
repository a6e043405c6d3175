# mlc_add_model: compiles models with mlc at build time. Installed with the
# package (find_package(mlc) includes it); see docs/build-integration.md.
#
#   mlc_add_model(<name>
#     SOURCES <model>...                 one export, or exports at several sizes
#     [SHAPES <spec>]                    mlc merge --shapes: 224,448 or 224..448:32
#     [QUANTIZE fp16|linear<bits>|kmeans<bits>]
#     [INPUT <input name>]               mlc merge --input
#     [PLUGINS <plugin>...]              custom layers' shape rules (mlc --plugin)
#     [OPTIONS <mlc merge/compile option>...]
#     OUTPUT <file.mlc>)
#
# Adds a custom command that writes OUTPUT (relative paths: SOURCES to the
# current source directory, OUTPUT to the current binary directory) and a
# target <name> that builds it (part of `all`), whose MLC_MODEL_FILE property
# is OUTPUT's full path. OUTPUT is rebuilt when a source, a plugin, mlc itself
# or the options change, and not otherwise: the options are written to a file
# that changes only with them, so every generator sees the change. mlc writes
# OUTPUT through a temporary file: a failed build leaves no half-written model.

include_guard(GLOBAL)

function(mlc_add_model name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "SHAPES;QUANTIZE;INPUT;OUTPUT"
                        "SOURCES;PLUGINS;OPTIONS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "mlc_add_model(${name}): unknown arguments "
                        "${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_SOURCES OR NOT ARG_OUTPUT)
    message(FATAL_ERROR "mlc_add_model(${name}): SOURCES and OUTPUT are required")
  endif()
  if(TARGET mlc::mlc)
    set(mlc mlc::mlc)
  elseif(TARGET mlc)
    set(mlc mlc) # inside mlc's own build
  else()
    message(FATAL_ERROR "mlc_add_model(${name}): no mlc executable: "
                        "find_package(mlc) first")
  endif()

  set(sources)
  foreach(source IN LISTS ARG_SOURCES)
    get_filename_component(source "${source}" ABSOLUTE
                           BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND sources "${source}")
  endforeach()
  set(plugins)
  set(plugin_args)
  foreach(plugin IN LISTS ARG_PLUGINS)
    if(TARGET "${plugin}")
      set(plugin "$<TARGET_FILE:${plugin}>")
    else()
      get_filename_component(plugin "${plugin}" ABSOLUTE
                             BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    endif()
    list(APPEND plugins "${plugin}")
    list(APPEND plugin_args --plugin "${plugin}")
  endforeach()
  get_filename_component(output "${ARG_OUTPUT}" ABSOLUTE
                         BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  set(work "${CMAKE_CURRENT_BINARY_DIR}/CMakeFiles/${name}.mlc-model")

  # The merge (or the compile of one export) to .mlc, or to MLIR bytecode that
  # quantize then takes.
  list(LENGTH sources count)
  set(merge_args ${ARG_OPTIONS})
  if(ARG_SHAPES)
    list(APPEND merge_args --shapes "${ARG_SHAPES}")
  endif()
  if(ARG_INPUT)
    list(APPEND merge_args --input "${ARG_INPUT}")
  endif()
  if(count EQUAL 1 AND NOT merge_args)
    set(first_tool compile)
  else()
    set(first_tool merge)
  endif()

  set(quantize_args)
  if(ARG_QUANTIZE STREQUAL "fp16")
    set(quantize_args --mode fp16)
  elseif(ARG_QUANTIZE MATCHES "^(linear|kmeans)([1-8])$")
    set(quantize_args --mode ${CMAKE_MATCH_1} --bits ${CMAKE_MATCH_2})
  elseif(ARG_QUANTIZE)
    message(FATAL_ERROR "mlc_add_model(${name}): QUANTIZE ${ARG_QUANTIZE}: "
                        "fp16, linear<bits> or kmeans<bits> (bits 1 to 8)")
  endif()

  set(commands)
  if(quantize_args)
    if(first_tool STREQUAL "compile")
      list(APPEND commands COMMAND ${mlc} quantize ${sources} ${quantize_args}
           ${plugin_args} --quiet -o "${output}")
    else()
      set(merged "${work}/merged.mlirbc")
      list(APPEND commands
           COMMAND ${mlc} merge ${sources} ${merge_args} ${plugin_args} --quiet
                   -o "${merged}"
           COMMAND ${mlc} quantize "${merged}" ${quantize_args} ${plugin_args}
                   --quiet -o "${output}")
    endif()
  else()
    list(APPEND commands COMMAND ${mlc} ${first_tool} ${sources} ${merge_args}
         ${plugin_args} --quiet -o "${output}")
  endif()

  # Rewritten only when its content changes (file(CONFIGURE) keeps the file
  # as it is otherwise), so that a new option rebuilds the model and a rerun
  # of CMake does not.
  string(REPLACE ";" " " options_text "${commands}")
  file(CONFIGURE OUTPUT "${work}/options.txt" CONTENT "${options_text}\n" @ONLY)

  get_filename_component(output_dir "${output}" DIRECTORY)
  add_custom_command(
    OUTPUT "${output}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${output_dir}" "${work}"
    ${commands}
    DEPENDS ${sources} ${plugins} "${work}/options.txt" "$<TARGET_FILE:${mlc}>"
    COMMENT "Compiling the model ${name} (${ARG_OUTPUT}) with mlc"
    VERBATIM)
  add_custom_target(${name} ALL DEPENDS "${output}")
  set_target_properties(${name} PROPERTIES MLC_MODEL_FILE "${output}")
endfunction()
