//===- GoodPlugin.cpp - A plugin with one class: y = 2 * x + weight -------===//
//
// Class PluginDouble: one float input, one output of its shape; an optional
// weight (one value per channel, dim 1) is added.

#include "Plugin.h"

#include <stdexcept>

namespace {
using namespace mlc::rt;

class PluginDouble : public CustomLayer {
public:
  void setWeights(const std::vector<TensorView> &w) override { weights = w; }
  std::vector<std::vector<int64_t>>
  outputShapes(const std::vector<std::vector<int64_t>> &shapes) override {
    if (shapes.size() != 1)
      throw std::invalid_argument("PluginDouble takes one input");
    return {shapes[0]};
  }
  void evaluate(const std::vector<TensorView> &inputs,
                const std::vector<TensorView> &outputs) override {
    const TensorView &x = inputs[0];
    int64_t channels = x.shape.size() > 1 ? x.shape[1] : 1;
    int64_t inner = 1;
    for (size_t d = 2; d < x.shape.size(); ++d)
      inner *= x.shape[d];
    const float *bias = weights.empty() ? nullptr : weights[0].as<float>();
    for (int64_t i = 0, n = x.elementCount(); i < n; ++i)
      outputs[0].as<float>()[i] =
          2 * x.as<float>()[i] + (bias ? bias[i / inner % channels] : 0.0f);
  }

private:
  std::vector<TensorView> weights;
};
} // namespace

MLC_PLUGIN_EXPORT void mlc_register_custom_layers(CustomLayerRegistry *registry) {
  registry->add("PluginDouble", [](const CustomLayerSpec &) {
    return std::make_unique<PluginDouble>();
  });
}
