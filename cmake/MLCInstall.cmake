# What `cmake --install build [--prefix DIR]` puts where:
#
#   bin/          mlc, mlc-opt
#   include/mlc/  the public headers, and the ones TableGen and flatc generate
#   lib/          libmlcrt.so (the runtime), the compiler's static libraries
#   lib/pkgconfig/mlcrt.pc
#   lib/cmake/mlc/  the CMake package: mlcConfig.cmake, its version file, the
#                 exported targets (mlcRuntimeTargets: the runtime and the
#                 tools; mlcCompilerTargets: the libraries that need MLIR) and
#                 MLCModel.cmake (mlc_add_model)
#
# See docs/build-integration.md.

include(CMakePackageConfigHelpers)
set(MLC_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/mlc)

install(TARGETS mlcrt mlc mlc-opt
  EXPORT mlcRuntimeTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT mlcRuntimeTargets NAMESPACE mlc::
  DESTINATION ${MLC_CMAKE_INSTALL_DIR})

# The compiler's libraries (add_mlc_library's list), exported as mlc::NAME
# without their MLC prefix, and the static runtime they plan and encode with.
get_property(_mlc_compiler_libs GLOBAL PROPERTY MLC_LIBS)
list(APPEND _mlc_compiler_libs MLCQuantization MLCRuntime)
foreach(_lib IN LISTS _mlc_compiler_libs)
  get_target_property(_name ${_lib} EXPORT_NAME)
  if(NOT _name)
    string(REGEX REPLACE "^MLC" "" _name ${_lib})
    set_target_properties(${_lib} PROPERTIES EXPORT_NAME ${_name})
  endif()
endforeach()
install(TARGETS ${_mlc_compiler_libs}
  EXPORT mlcCompilerTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT mlcCompilerTargets NAMESPACE mlc::
  DESTINATION ${MLC_CMAKE_INSTALL_DIR})

# Headers: the sources' and the generated ones.
foreach(_dir ${PROJECT_SOURCE_DIR}/include/mlc
             ${PROJECT_SOURCE_DIR}/dialects/nn/include/mlc)
  install(DIRECTORY ${_dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mlc
    FILES_MATCHING PATTERN "*.h" PATTERN "*.td" PATTERN "*.fbs")
endforeach()
foreach(_dir ${PROJECT_BINARY_DIR}/include/mlc
             ${PROJECT_BINARY_DIR}/dialects/nn/include/mlc)
  install(DIRECTORY ${_dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mlc
    FILES_MATCHING PATTERN "*.h" PATTERN "*.inc"
    PATTERN "CMakeFiles" EXCLUDE)
endforeach()

# pkg-config, relocatable: the prefix is found from the .pc file's place.
file(RELATIVE_PATH MLC_PC_TO_PREFIX
  "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
configure_file(${CMAKE_CURRENT_LIST_DIR}/mlcrt.pc.in
  ${PROJECT_BINARY_DIR}/mlcrt.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/mlcrt.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The package config.
string(REGEX MATCH "^[0-9]+\\.[0-9]+" MLIR_VERSION_FOR_CONFIG "${MLIR_VERSION}")
if(NOT MLIR_VERSION_FOR_CONFIG)
  set(MLIR_VERSION_FOR_CONFIG "${LLVM_VERSION_MAJOR}.${LLVM_VERSION_MINOR}")
endif()
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/mlcConfig.cmake.in
  ${PROJECT_BINARY_DIR}/mlcConfig.cmake
  INSTALL_DESTINATION ${MLC_CMAKE_INSTALL_DIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/mlcConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/mlcConfig.cmake
  ${PROJECT_BINARY_DIR}/mlcConfigVersion.cmake
  ${CMAKE_CURRENT_LIST_DIR}/MLCModel.cmake
  DESTINATION ${MLC_CMAKE_INSTALL_DIR})
