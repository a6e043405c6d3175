//===- CustomKernel.cpp - Ops run by custom layers ------------------------===//
//
// A CustomParams op's operands that are weights (TensorRef::constant) go to
// the layer's setWeights once, in operand order; the others are its inputs.
// Every kernel owns its layer: one per op and plan.
//
//===----------------------------------------------------------------------===//

#include "CustomKernel.h"

#include "mlc/Runtime/CustomLayer.h"

#include <mutex>

namespace mlc::rt {
namespace {

CustomLayerSpec specOf(const format::CustomParams &params) {
  CustomLayerSpec spec;
  spec.className = params.class_name() ? params.class_name()->str() : "";
  spec.domain = params.domain() ? params.domain()->str() : "";
  if (params.attributes())
    for (const format::CustomAttribute *attr : *params.attributes()) {
      if (!attr || !attr->name())
        continue;
      CustomAttribute value;
      if (attr->ints())
        value.ints.assign(attr->ints()->begin(), attr->ints()->end());
      if (attr->floats())
        value.floats.assign(attr->floats()->begin(), attr->floats()->end());
      if (attr->strings())
        for (const flatbuffers::String *s : *attr->strings())
          value.strings.push_back(s ? s->str() : "");
      spec.attributes[attr->name()->str()] = std::move(value);
    }
  return spec;
}

TensorView viewOf(const TensorRef &ref) {
  TensorView view;
  view.type = ref.type;
  view.shape = ref.dims;
  view.data = ref.data;
  return view;
}

// "custom layer 'Class' (node 'name')": how errors name a custom op.
std::string describeLayer(const KernelArgs &args, const std::string &cls) {
  std::string text = "custom layer '" + cls + "'";
  if (args.op->name() && args.op->name()->size())
    text += " (node '" + args.op->name()->str() + "')";
  return text;
}

// Runs `fn`, turning whatever the layer throws into rt::Error "<layer>
// failed: <what>".
template <typename Fn> auto guarded(const std::string &layer, Fn fn) {
  try {
    return fn();
  } catch (const std::exception &e) {
    throw Error(layer + " failed: " + e.what());
  } catch (...) {
    throw Error(layer + " failed: an unknown exception");
  }
}

class CustomKernel : public Kernel {
public:
  CustomKernel(std::unique_ptr<CustomLayer> layer, std::string name)
      : layer(std::move(layer)), name(std::move(name)) {}

  void run(const KernelArgs &args) override {
    // The tensors' addresses do not change between runs, but a plan's
    // views are cheap to make each time and then cannot go stale.
    std::vector<TensorView> inputs, outputs;
    for (const TensorRef *ref : args.inputs)
      if (ref && !ref->constant)
        inputs.push_back(viewOf(*ref));
    for (const TensorRef *ref : args.outputs)
      outputs.push_back(viewOf(*ref));
    std::lock_guard<std::mutex> lock(mutex);
    guarded(name, [&] { layer->evaluate(inputs, outputs); });
  }

private:
  std::unique_ptr<CustomLayer> layer;
  std::string name;
  std::mutex mutex;
};

} // namespace

std::unique_ptr<Kernel> makeCustomKernel(const KernelArgs &args) {
  const auto *params = args.op->params_as_CustomParams();
  if (!params)
    args.fail("missing parameters");
  CustomLayerSpec spec = specOf(*params);
  std::string name = describeLayer(args, spec.className);
  std::unique_ptr<CustomLayer> layer =
      CustomLayerRegistry::global().create(spec);

  std::vector<TensorView> weights;
  std::vector<std::vector<int64_t>> inputShapes;
  for (size_t i = 0; i < args.inputs.size(); ++i) {
    const TensorRef *ref = args.inputs[i];
    if (!ref)
      throw Error(name + ": operand " + std::to_string(i) + " is missing");
    if (ref->constant)
      weights.push_back(viewOf(*ref));
    else
      inputShapes.push_back(ref->dims);
  }
  guarded(name, [&] { layer->setWeights(weights); });
  std::vector<std::vector<int64_t>> shapes =
      guarded(name, [&] { return layer->outputShapes(inputShapes); });
  if (shapes.size() != args.outputs.size())
    throw Error(name + " gives " + std::to_string(shapes.size()) +
                " outputs, the model expects " +
                std::to_string(args.outputs.size()));
  for (size_t i = 0; i < shapes.size(); ++i)
    if (shapes[i] != args.outputs[i]->dims)
      throw Error(name + " gives output " + std::to_string(i) + " shape " +
                  formatShape(shapes[i]) + ", the model expects " +
                  formatShape(args.outputs[i]->dims));
  return std::make_unique<CustomKernel>(std::move(layer), std::move(name));
}

void checkCustomClasses(const format::Model &graph) {
  if (!graph.ops())
    return;
  for (const format::Op *op : *graph.ops()) {
    const auto *params = op ? op->params_as_CustomParams() : nullptr;
    if (!params)
      continue;
    std::string cls = params->class_name() ? params->class_name()->str() : "";
    if (!CustomLayerRegistry::global().contains(cls))
      throw Error(
          "custom layer class '" + cls + "' (domain '" +
          (params->domain() ? params->domain()->str() : "") +
          "') is not registered: load a plugin that provides it (mlc run "
          "--plugin libX.so, or SessionOptions::plugins)");
  }
}

} // namespace mlc::rt
