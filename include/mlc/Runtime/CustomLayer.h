//===- CustomLayer.h - Layers the runtime runs through your code -*- C++ -*-===//
//
// An op mlc does not know (an ONNX node of any domain that imports as
// nn.custom) is stored in the .mlc with its class name (the node's op type),
// its attributes and its weights, and runs through a CustomLayer of that
// class: in the spirit of Core ML's MLCustomLayer (set weights, output shapes
// for input shapes, evaluate). Classes are registered by name, in process or
// by plugins: shared libraries with one C entry point,
//
//   extern "C" void mlc_register_custom_layers(mlc::rt::CustomLayerRegistry *);
//
// loaded with `mlc run --plugin libX.so` or SessionOptions::plugins. A model
// that needs a class nobody registered fails when its session is made, with
// an error naming the class and how to provide it.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_CUSTOMLAYER_H
#define MLC_RUNTIME_CUSTOMLAYER_H

#include "mlc/Runtime/Tensor.h"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mlc::rt {

/// A tensor a custom layer reads or writes; it does not own the bytes.
struct TensorView {
  ElementType type = ElementType::f32;
  std::vector<int64_t> shape;
  void *data = nullptr;

  int64_t elementCount() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  template <typename T> T *as() const { return static_cast<T *>(data); }
};

/// A node attribute, as the model gave it: integers, floats or strings (one
/// for a scalar attribute, several for a list).
struct CustomAttribute {
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::vector<std::string> strings;
};

/// What a layer is made with: its class, the node's domain and attributes.
struct CustomLayerSpec {
  std::string className;
  std::string domain;
  std::map<std::string, CustomAttribute> attributes;
};

class CustomLayer {
public:
  virtual ~CustomLayer() = default;

  /// The op's weights (its operands that are constants in the model), in
  /// operand order, once, before anything else. The views stay valid for
  /// the layer's life.
  virtual void setWeights(const std::vector<TensorView> &weights) {}

  /// The shapes of the outputs for inputs of these shapes (the op's other
  /// operands, in order; dim 0 is the batch when predictions are batched).
  /// Throw (anything) to refuse inputs the layer cannot take.
  virtual std::vector<std::vector<int64_t>>
  outputShapes(const std::vector<std::vector<int64_t>> &inputShapes) = 0;

  /// Computes the outputs, whose views have the shapes outputShapes gave.
  /// Called for every prediction, from one thread at a time per layer.
  virtual void evaluate(const std::vector<TensorView> &inputs,
                        const std::vector<TensorView> &outputs) = 0;
};

using CustomLayerFactory =
    std::function<std::unique_ptr<CustomLayer>(const CustomLayerSpec &)>;

/// Custom layer classes by name. Thread-safe.
class CustomLayerRegistry {
public:
  /// The registry sessions use.
  static CustomLayerRegistry &global();

  /// Registers (or replaces) class `className`. `shapeRule`, when given,
  /// tells the compiler how the class's outputs follow its input 0 for nodes
  /// that declare no rule of their own (as the node attribute
  /// `mlc_shape_rule` would: same, fixed, scale_spatial:K, divide_spatial:K,
  /// where K may be `@name`, the node's integer attribute `name`), so that
  /// `mlc check-flexible --plugin`, merge and compile follow it.
  void add(const std::string &className, CustomLayerFactory factory,
           std::string shapeRule = "");
  /// The class's shape rule; "" when it has none or is not registered.
  std::string shapeRule(const std::string &className) const;
  bool contains(const std::string &className) const;
  std::vector<std::string> classNames() const;
  /// A new layer of `spec.className`; throws rt::Error when no such class is
  /// registered or its factory fails.
  std::unique_ptr<CustomLayer> create(const CustomLayerSpec &spec) const;

private:
  mutable std::mutex mutex;
  std::map<std::string, CustomLayerFactory> factories;
  std::map<std::string, std::string> shapeRules;
};

/// The entry point's name and type.
#define MLC_PLUGIN_ENTRY_POINT "mlc_register_custom_layers"
using PluginEntryPoint = void (*)(CustomLayerRegistry *);

/// Loads the plugin at `path` (once; loading it again does nothing) and
/// calls its entry point with the global registry. Throws rt::Error naming
/// the file: not found, not a shared library, no entry point, or the entry
/// point threw.
void loadPlugin(const std::string &path);

} // namespace mlc::rt

#endif // MLC_RUNTIME_CUSTOMLAYER_H
