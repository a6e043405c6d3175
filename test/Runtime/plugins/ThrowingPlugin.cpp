//===- ThrowingPlugin.cpp - A class whose evaluate throws -----------------===//

#include "Plugin.h"

#include <stdexcept>

namespace {
using namespace mlc::rt;

class Thrower : public CustomLayer {
public:
  std::vector<std::vector<int64_t>>
  outputShapes(const std::vector<std::vector<int64_t>> &shapes) override {
    return {shapes.at(0)};
  }
  void evaluate(const std::vector<TensorView> &,
                const std::vector<TensorView> &) override {
    throw std::runtime_error("the thrower always throws");
  }
};
} // namespace

MLC_PLUGIN_EXPORT void mlc_register_custom_layers(CustomLayerRegistry *registry) {
  registry->add("Thrower", [](const CustomLayerSpec &) {
    return std::make_unique<Thrower>();
  });
}
