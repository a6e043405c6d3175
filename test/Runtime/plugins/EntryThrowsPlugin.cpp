//===- EntryThrowsPlugin.cpp - A plugin whose entry point throws ----------===//

#include "Plugin.h"

#include <stdexcept>

MLC_PLUGIN_EXPORT void
mlc_register_custom_layers(mlc::rt::CustomLayerRegistry *) {
  throw std::runtime_error("no licence for this machine");
}
