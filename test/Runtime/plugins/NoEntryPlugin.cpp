//===- NoEntryPlugin.cpp - A shared library that is not an mlc plugin -----===//

#include "Plugin.h"

MLC_PLUGIN_EXPORT int mlc_not_the_entry_point() { return 42; }
