//===- Plugin.h - What the test plugins share --------------------*- C++ -*-===//
//
// Test plugins for CustomLayerTest.cpp, each a MODULE library with (or
// deliberately without) the entry point. They call
// CustomLayerRegistry::add, defined in the runtime linked into the test
// executable, which therefore exports its symbols (ENABLE_EXPORTS).
//
//===----------------------------------------------------------------------===//

#ifndef MLC_TEST_RUNTIME_PLUGINS_PLUGIN_H
#define MLC_TEST_RUNTIME_PLUGINS_PLUGIN_H

#include "mlc/Runtime/CustomLayer.h"

#define MLC_PLUGIN_EXPORT extern "C" __attribute__((visibility("default")))

#endif // MLC_TEST_RUNTIME_PLUGINS_PLUGIN_H
