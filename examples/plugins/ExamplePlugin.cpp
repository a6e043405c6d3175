//===- ExamplePlugin.cpp - Two custom layers for mlc ----------------------===//
//
// A plugin with two layer classes of the domain com.example, as used by
// examples/models/custom_ops_{64,96}.onnx:
//
//   Swish   y = x * sigmoid(beta * x); attribute beta (float, default 1);
//           one input, any shape; the output has the input's shape.
//   L2Pool  K x K windows with stride K (attribute kernel, int, default 2):
//           y = sqrt(mean of x^2 over the window), per channel, optionally
//           times a per-channel weight (a constant operand of shape [C],
//           given to setWeights). Input NCHW, output N x C x H/K x W/K
//           (rounded down).
//
// f32 only, NCHW, any batch N. The host (mlc, or an application that links
// MLCRuntime and exports its symbols) calls mlc_register_custom_layers once
// when it loads the library.
//
//===----------------------------------------------------------------------===//

#include "mlc/Runtime/CustomLayer.h"

#include <cmath>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using mlc::rt::CustomLayer;
using mlc::rt::CustomLayerRegistry;
using mlc::rt::CustomLayerSpec;
using mlc::rt::ElementType;
using mlc::rt::TensorView;

namespace {

using Shape = std::vector<int64_t>;

std::string formatShape(const Shape &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

// The attribute `name` of the node as a float, or `fallback` when absent.
float floatAttribute(const CustomLayerSpec &spec, const std::string &name,
                     float fallback) {
  auto it = spec.attributes.find(name);
  if (it == spec.attributes.end())
    return fallback;
  if (!it->second.floats.empty())
    return it->second.floats[0];
  if (!it->second.ints.empty())
    return float(it->second.ints[0]);
  throw std::invalid_argument(spec.className + ": attribute '" + name +
                              "' must be a number");
}

int64_t intAttribute(const CustomLayerSpec &spec, const std::string &name,
                     int64_t fallback) {
  auto it = spec.attributes.find(name);
  if (it == spec.attributes.end())
    return fallback;
  if (!it->second.ints.empty())
    return it->second.ints[0];
  throw std::invalid_argument(spec.className + ": attribute '" + name +
                              "' must be an integer");
}

void requireF32(const std::string &layer, const TensorView &view,
                const char *what) {
  if (view.type != ElementType::f32)
    throw std::invalid_argument(layer + ": " + what + " must be f32");
}

//===----------------------------------------------------------------------===//
// Swish: y = x * sigmoid(beta * x)
//===----------------------------------------------------------------------===//

class Swish : public CustomLayer {
public:
  explicit Swish(const CustomLayerSpec &spec)
      : beta(floatAttribute(spec, "beta", 1.0f)) {}

  std::vector<Shape>
  outputShapes(const std::vector<Shape> &inputShapes) override {
    if (inputShapes.size() != 1)
      throw std::invalid_argument("Swish takes 1 input, got " +
                                  std::to_string(inputShapes.size()));
    return {inputShapes[0]};
  }

  void evaluate(const std::vector<TensorView> &inputs,
                const std::vector<TensorView> &outputs) override {
    requireF32("Swish", inputs[0], "the input");
    const float *x = inputs[0].as<float>();
    float *y = outputs[0].as<float>();
    int64_t n = inputs[0].elementCount();
    for (int64_t i = 0; i < n; ++i)
      y[i] = x[i] / (1.0f + std::exp(-beta * x[i]));
  }

private:
  float beta;
};

//===----------------------------------------------------------------------===//
// L2Pool: y = sqrt(mean(x^2)) over K x K windows, stride K, times weight[c]
//===----------------------------------------------------------------------===//

class L2Pool : public CustomLayer {
public:
  explicit L2Pool(const CustomLayerSpec &spec)
      : kernel(intAttribute(spec, "kernel", 2)) {
    if (kernel < 1)
      throw std::invalid_argument("L2Pool: kernel must be >= 1, got " +
                                  std::to_string(kernel));
  }

  // Optional: one weight of shape [C], a scale per channel.
  void setWeights(const std::vector<TensorView> &weights) override {
    if (weights.size() > 1)
      throw std::invalid_argument("L2Pool takes at most 1 weight, got " +
                                  std::to_string(weights.size()));
    if (weights.empty())
      return;
    requireF32("L2Pool", weights[0], "the weight");
    if (weights[0].shape.size() != 1)
      throw std::invalid_argument("L2Pool: the weight must have shape [C], "
                                  "got " + formatShape(weights[0].shape));
    const float *w = weights[0].as<float>();
    scale.assign(w, w + weights[0].shape[0]);
    hasScale = true;
  }

  std::vector<Shape>
  outputShapes(const std::vector<Shape> &inputShapes) override {
    if (inputShapes.size() != 1)
      throw std::invalid_argument("L2Pool takes 1 input, got " +
                                  std::to_string(inputShapes.size()));
    const Shape &in = inputShapes[0];
    if (in.size() != 4)
      throw std::invalid_argument("L2Pool: the input must be NCHW (rank 4), "
                                  "got " + formatShape(in));
    if (in[2] < kernel || in[3] < kernel)
      throw std::invalid_argument(
          "L2Pool: the input " + formatShape(in) + " is smaller than the " +
          std::to_string(kernel) + "x" + std::to_string(kernel) + " kernel");
    if (hasScale && int64_t(scale.size()) != in[1])
      throw std::invalid_argument(
          "L2Pool: the weight has " + std::to_string(scale.size()) +
          " values for an input of " + std::to_string(in[1]) + " channels");
    return {{in[0], in[1], in[2] / kernel, in[3] / kernel}};
  }

  void evaluate(const std::vector<TensorView> &inputs,
                const std::vector<TensorView> &outputs) override {
    requireF32("L2Pool", inputs[0], "the input");
    const Shape &in = inputs[0].shape, &out = outputs[0].shape;
    const int64_t N = in[0], C = in[1], H = in[2], W = in[3];
    const int64_t OH = out[2], OW = out[3];
    const float *x = inputs[0].as<float>();
    float *y = outputs[0].as<float>();
    const float inverseArea = 1.0f / float(kernel * kernel);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t c = 0; c < C; ++c) {
        const float *plane = x + (n * C + c) * H * W;
        float *result = y + (n * C + c) * OH * OW;
        const float factor = hasScale ? scale[c] : 1.0f;
        for (int64_t oh = 0; oh < OH; ++oh)
          for (int64_t ow = 0; ow < OW; ++ow) {
            float sum = 0;
            for (int64_t kh = 0; kh < kernel; ++kh)
              for (int64_t kw = 0; kw < kernel; ++kw) {
                float v = plane[(oh * kernel + kh) * W + ow * kernel + kw];
                sum += v * v;
              }
            result[oh * OW + ow] = factor * std::sqrt(sum * inverseArea);
          }
      }
  }

private:
  int64_t kernel;
  bool hasScale = false;
  std::vector<float> scale;
};

} // namespace

// The entry point mlc looks up after loading the library.
extern "C" __attribute__((visibility("default"))) void
mlc_register_custom_layers(CustomLayerRegistry *registry) {
  // The shape rules let the compiler follow models whose nodes declare
  // none (mlc check-flexible --plugin).
  registry->add(
      "Swish",
      [](const CustomLayerSpec &spec) {
        return std::unique_ptr<CustomLayer>(new Swish(spec));
      },
      "same");
  registry->add(
      "L2Pool",
      [](const CustomLayerSpec &spec) {
        return std::unique_ptr<CustomLayer>(new L2Pool(spec));
      },
      "divide_spatial:@kernel");
}
