//===- CustomLayer.cpp - The custom layer registry and plugins ------------===//

#include "mlc/Runtime/CustomLayer.h"

#include <dlfcn.h>
#include <map>

namespace mlc::rt {

CustomLayerRegistry &CustomLayerRegistry::global() {
  // Never destroyed: plugins stay loaded for the process's life, and a
  // layer made by one may outlive static destruction order.
  static CustomLayerRegistry *registry = new CustomLayerRegistry();
  return *registry;
}

void CustomLayerRegistry::add(const std::string &className,
                              CustomLayerFactory factory,
                              std::string shapeRule) {
  if (className.empty())
    throw Error("a custom layer class needs a name");
  if (!factory)
    throw Error("custom layer class '" + className + "': no factory given");
  std::lock_guard<std::mutex> lock(mutex);
  factories[className] = std::move(factory);
  shapeRules[className] = std::move(shapeRule);
}

std::string CustomLayerRegistry::shapeRule(const std::string &className) const {
  std::lock_guard<std::mutex> lock(mutex);
  auto found = shapeRules.find(className);
  return found == shapeRules.end() ? "" : found->second;
}

bool CustomLayerRegistry::contains(const std::string &className) const {
  std::lock_guard<std::mutex> lock(mutex);
  return factories.count(className) != 0;
}

std::vector<std::string> CustomLayerRegistry::classNames() const {
  std::lock_guard<std::mutex> lock(mutex);
  std::vector<std::string> names;
  for (const auto &entry : factories)
    names.push_back(entry.first);
  return names;
}

std::unique_ptr<CustomLayer>
CustomLayerRegistry::create(const CustomLayerSpec &spec) const {
  CustomLayerFactory factory;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto found = factories.find(spec.className);
    if (found != factories.end())
      factory = found->second;
  }
  if (!factory)
    throw Error("custom layer class '" + spec.className + "' (domain '" +
                spec.domain +
                "') is not registered: load a plugin that provides it (mlc "
                "run --plugin libX.so, or SessionOptions::plugins)");
  // The factory runs outside the lock: it may itself use the registry.
  std::unique_ptr<CustomLayer> layer;
  try {
    layer = factory(spec);
  } catch (const std::exception &e) {
    throw Error("custom layer class '" + spec.className +
                "': making the layer failed: " + e.what());
  } catch (...) {
    throw Error("custom layer class '" + spec.className +
                "': making the layer failed (an unknown exception)");
  }
  if (!layer)
    throw Error("custom layer class '" + spec.className +
                "': its factory gave no layer");
  return layer;
}

void loadPlugin(const std::string &path) {
  static std::mutex mutex;
  // The plugins loaded, by the handle dlopen gives (one per library however
  // it is named), with the error their entry point gave (empty: none).
  // Never closed: their code backs the factories and layers they made.
  static auto *loaded = new std::map<void *, std::string>();
  std::lock_guard<std::mutex> lock(mutex);
  dlerror();
  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *message = dlerror();
    throw Error(path + ": cannot load the plugin: " +
                (message ? message : "unknown error"));
  }
  auto found = loaded->find(handle);
  if (found != loaded->end()) {
    dlclose(handle); // Drops the reference this dlopen added.
    // Loaded before: its classes are registered, or it failed as it did
    // then (its entry point is not run twice).
    if (!found->second.empty())
      throw Error(path + ": the plugin's entry point failed: " +
                  found->second);
    return;
  }
  dlerror();
  void *symbol = dlsym(handle, MLC_PLUGIN_ENTRY_POINT);
  if (!symbol) {
    dlclose(handle);
    throw Error(path + ": no entry point " MLC_PLUGIN_ENTRY_POINT
                       " (is it an mlc plugin?)");
  }
  auto entry = reinterpret_cast<PluginEntryPoint>(symbol);
  // Kept even when the entry point fails part way: what it added stays in
  // the registry, so its code must stay loaded.
  std::string &failure = (*loaded)[handle];
  try {
    entry(&CustomLayerRegistry::global());
  } catch (const std::exception &e) {
    failure = *e.what() ? e.what() : "an exception without a message";
  } catch (...) {
    failure = "an unknown exception";
  }
  if (!failure.empty())
    throw Error(path + ": the plugin's entry point failed: " + failure);
}

} // namespace mlc::rt
