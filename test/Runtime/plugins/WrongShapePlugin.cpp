//===- WrongShapePlugin.cpp - A class that halves H and W, wrongly --------===//

#include "Plugin.h"

namespace {
using namespace mlc::rt;

class WrongShape : public CustomLayer {
public:
  std::vector<std::vector<int64_t>>
  outputShapes(const std::vector<std::vector<int64_t>> &shapes) override {
    std::vector<int64_t> shape = shapes.at(0);
    for (size_t d = 2; d < shape.size(); ++d)
      shape[d] /= 2;
    return {shape};
  }
  void evaluate(const std::vector<TensorView> &,
                const std::vector<TensorView> &) override {}
};
} // namespace

MLC_PLUGIN_EXPORT void mlc_register_custom_layers(CustomLayerRegistry *registry) {
  registry->add("WrongShape", [](const CustomLayerSpec &) {
    return std::make_unique<WrongShape>();
  });
}
