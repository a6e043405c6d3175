//===- Session.cpp - Running predictions ----------------------------------===//

#include "mlc/Runtime/Session.h"

#include "CustomKernel.h"
#include "Kernel.h"
#include "mlc/Format/Schema_generated.h"
#include "mlc/Runtime/CustomLayer.h"
#include "mlc/Runtime/Planner.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <omp.h>

namespace mlc::rt {
namespace {

struct FreeAligned {
  void operator()(void *p) const { std::free(p); }
};

// One plan in use: its shapes, its arena, and the kernels made for it.
struct PlanState {
  PlanData data;
  std::unique_ptr<void, FreeAligned> arena;
  std::vector<TensorRef> tensors;
  std::vector<KernelArgs> args;
  std::vector<std::unique_ptr<Kernel>> kernels;
  /// The reference kernels, made when a Fast session first meets an input
  /// with NaN or Inf (see run).
  std::vector<std::unique_ptr<Kernel>> referenceKernels;
};

// Whether a floating-point tensor holds a NaN or an infinity.
bool hasNonFinite(const Tensor &tensor) {
  if (tensor.type() == ElementType::f32) {
    const float *v = tensor.data<float>();
    for (int64_t i = 0, n = tensor.elementCount(); i < n; ++i)
      if (!std::isfinite(v[i]))
        return true;
  } else if (tensor.type() == ElementType::f64) {
    const double *v = tensor.data<double>();
    for (int64_t i = 0, n = tensor.elementCount(); i < n; ++i)
      if (!std::isfinite(v[i]))
        return true;
  }
  return false;
}

} // namespace

struct Session::Impl {
  std::shared_ptr<const Model> model;
  SessionOptions options;
  int threads = 1;
  std::map<std::vector<int64_t>, std::unique_ptr<PlanState>> plans;

  PlanState &getPlan(const std::vector<int64_t> &symbolValues);
  PlanData loadPlan(const std::vector<int64_t> &symbolValues);
  TensorMap run(const TensorMap &inputs, int64_t batch);
};

// The file's precomputed plan for these sizes when it has one (checked
// against the model's shapes), else a new one.
PlanData Session::Impl::loadPlan(const std::vector<int64_t> &symbolValues) {
  const format::Model &graph = model->graph();
  if (graph.plans())
    for (const format::Plan *stored : *graph.plans()) {
      if (!std::equal(symbolValues.begin(), symbolValues.end(),
                      stored->symbol_values()->begin()))
        continue;
      PlanData plan;
      plan.symbolValues = symbolValues;
      plan.exprValues = evaluateExprs(graph, symbolValues);
      plan.arenaSize = stored->arena_size();
      if (plan.arenaSize > kMaxPlanBytes)
        throw Error(model->path() + ": the precomputed plan asks for an arena of " +
                    std::to_string(plan.arenaSize) + " bytes");
      const auto &tensors = *graph.tensors();
      size_t dim = 0;
      for (size_t t = 0; t < tensors.size(); ++t) {
        const format::Tensor *tensor = tensors[t];
        std::vector<int64_t> dims;
        for (uint32_t e : *tensor->shape()) {
          dims.push_back(plan.exprValues[e]);
          if (stored->dims()->Get(dim++) != dims.back() || dims.back() < 0)
            throw Error(model->path() + ": the precomputed plan's dims of '" +
                        tensor->name()->str() + "' disagree with its shape");
        }
        int64_t offset = stored->offsets()->Get(t);
        int64_t bytes = elementSize(static_cast<ElementType>(tensor->type()));
        for (int64_t d : dims)
          if (__builtin_mul_overflow(bytes, d, &bytes))
            bytes = -1;
        if (!tensor->weight() &&
            (offset < -1 || bytes < 0 ||
             (offset >= 0 && uint64_t(offset) > plan.arenaSize) ||
             (offset >= 0 && uint64_t(bytes) > plan.arenaSize - offset)))
          throw Error(model->path() + ": the precomputed plan places '" +
                      tensor->name()->str() + "' outside its arena");
        plan.dims.push_back(std::move(dims));
        plan.offsets.push_back(tensor->weight() ? -1 : offset);
      }
      return plan;
    }
  return planModel(graph, symbolValues);
}

PlanState &Session::Impl::getPlan(const std::vector<int64_t> &symbolValues) {
  auto found = plans.find(symbolValues);
  if (found != plans.end())
    return *found->second;
  auto state = std::make_unique<PlanState>();
  state->data = loadPlan(symbolValues);
  const PlanData &plan = state->data;
  // The arena: rounded to 64 bytes, never empty.
  size_t arenaBytes = (plan.arenaSize + 63) / 64 * 64 + 64;
  state->arena.reset(std::aligned_alloc(64, arenaBytes));
  if (!state->arena)
    throw Error("out of memory allocating a " + std::to_string(arenaBytes) +
                "-byte arena");
  auto *arena = static_cast<uint8_t *>(state->arena.get());
  const format::Model &graph = model->graph();
  const auto &tensors = *graph.tensors();
  state->tensors.resize(tensors.size());
  for (size_t t = 0; t < tensors.size(); ++t) {
    TensorRef &ref = state->tensors[t];
    ref.type = static_cast<ElementType>(tensors[t]->type());
    ref.dims = plan.dims[t];
    if (tensors[t]->weight()) {
      ref.data = const_cast<uint8_t *>(model->weightData(t));
      ref.constant = true;
    }
    else if (plan.offsets[t] >= 0)
      ref.data = arena + plan.offsets[t];
  }
  const auto &ops = *graph.ops();
  state->args.resize(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    KernelArgs &args = state->args[i];
    args.op = ops[i];
    args.exprValues = &state->data.exprValues;
    args.threads = threads;
    for (int32_t t : *ops[i]->inputs())
      args.inputs.push_back(t >= 0 ? &state->tensors[t] : nullptr);
    for (int32_t t : *ops[i]->outputs())
      args.outputs.push_back(&state->tensors[t]);
    for (TensorRef *ref : args.inputs)
      if (ref && !ref->data && ref->count())
        args.fail("an operand has no place in the memory plan");
    for (TensorRef *ref : args.outputs)
      if (!ref->data && ref->count())
        args.fail("a result has no place in the memory plan");
    std::unique_ptr<Kernel> kernel;
    if (options.backend == Backend::Fast)
      kernel = makeOneDNNKernel(args);
    if (!kernel)
      kernel = makeReferenceKernel(args);
    state->kernels.push_back(std::move(kernel));
  }
  return *plans.emplace(symbolValues, std::move(state)).first->second;
}

// Runs one pass. `batch` > 0 when the inputs are a batch of that many
// stacked items (dim 0), already checked one by one.
TensorMap Session::Impl::run(const TensorMap &inputs, int64_t batch) {
  const format::Model &graph = model->graph();
  const auto &infos = model->inputs();
  for (const auto &[name, tensor] : inputs) {
    bool known = false;
    for (const TensorInfo &info : infos)
      known |= info.name == name;
    if (!known) {
      std::string names;
      for (const TensorInfo &info : infos)
        names += (names.empty() ? "" : ", ") + info.name;
      throw Error("the model has no input named '" + name + "' (its inputs: " +
                  names + ")");
    }
  }
  std::vector<const Tensor *> given;
  for (const TensorInfo &info : infos) {
    auto found = inputs.find(info.name);
    if (found == inputs.end())
      throw Error("missing input '" + info.name + "' (it takes " +
                  info.shapes.describe() + ", " + elementTypeName(info.type) +
                  ")");
    const Tensor &tensor = found->second;
    if (tensor.type() != info.type)
      throw Error("input '" + info.name + "' is " +
                  elementTypeName(tensor.type()) + ", the model takes " +
                  elementTypeName(info.type));
    std::vector<int64_t> shape = tensor.shape();
    if (batch > 0 && !shape.empty())
      shape[0] /= batch;
    if (!info.shapes.contains(shape))
      throw Error("input '" + info.name + "' has shape " +
                  formatShape(tensor.shape()) + "; the model takes " +
                  info.shapes.describe());
    given.push_back(&tensor);
  }
  std::vector<int64_t> symbolValues;
  for (const format::Symbol *symbol : *graph.symbols())
    symbolValues.push_back(given[symbol->input()]->shape()[symbol->dim()]);
  PlanState &plan = getPlan(symbolValues);

  for (size_t i = 0; i < infos.size(); ++i) {
    TensorRef &ref = plan.tensors[graph.inputs()->Get(i)->tensor()];
    if (ref.dims != given[i]->shape())
      throw Error("input '" + infos[i].name + "' has shape " +
                  formatShape(given[i]->shape()) +
                  ", which disagrees with the other inputs' sizes (the model "
                  "expects " + formatShape(ref.dims) + " with them)");
    std::memcpy(ref.data, given[i]->data(), given[i]->byteSize());
  }
  // oneDNN's ReLU (max(x, 0)) turns NaN into 0, so a NaN or an infinity in
  // the inputs would come out as a plausible number; the reference kernels
  // pass them through as ONNX defines. Checking the inputs is cheap.
  std::vector<std::unique_ptr<Kernel>> *kernels = &plan.kernels;
  if (options.backend == Backend::Fast &&
      std::any_of(given.begin(), given.end(),
                  [](const Tensor *t) { return hasNonFinite(*t); })) {
    if (plan.referenceKernels.empty())
      for (const KernelArgs &args : plan.args)
        plan.referenceKernels.push_back(makeReferenceKernel(args));
    kernels = &plan.referenceKernels;
  }
  for (size_t i = 0; i < kernels->size(); ++i)
    (*kernels)[i]->run(plan.args[i]);
  TensorMap outputs;
  for (size_t i = 0; i < model->outputs().size(); ++i) {
    const TensorRef &ref = plan.tensors[graph.outputs()->Get(i)];
    Tensor out(ref.type, ref.dims);
    std::memcpy(out.data(), ref.data, out.byteSize());
    outputs[model->outputs()[i].name] = std::move(out);
  }
  return outputs;
}

Session::Session(std::shared_ptr<const Model> model, SessionOptions options)
    : modelRef(model), impl(std::make_unique<Impl>()) {
  // Plugins first: they provide the custom layer classes the model needs.
  for (const std::string &plugin : options.plugins)
    loadPlugin(plugin);
  if (!model)
    throw Error("no model given to the session");
  // A class nobody registered fails now, not at the first prediction.
  checkCustomClasses(model->graph());
  impl->model = std::move(model);
  impl->options = options;
  if (options.threads < 0)
    throw Error("threads must be 0 (one per core) or more");
  if (options.threads > 0)
    omp_set_num_threads(options.threads);
  impl->threads = options.threads > 0 ? options.threads : omp_get_max_threads();
}

Session::~Session() = default;

TensorMap Session::predict(const TensorMap &inputs) {
  return impl->run(inputs, 0);
}

std::vector<TensorMap>
Session::predictBatch(const std::vector<TensorMap> &batch) {
  std::vector<TensorMap> results;
  if (batch.empty())
    return results;
  // One pass needs a batch dim and items of one shape.
  bool together = modelRef->batchable() && batch.size() > 1;
  for (const TensorMap &item : batch) {
    if (!together)
      break;
    if (item.size() != batch[0].size())
      together = false;
    for (const auto &[name, tensor] : item) {
      auto first = batch[0].find(name);
      if (first == batch[0].end() || first->second.shape() != tensor.shape() ||
          first->second.type() != tensor.type() || tensor.shape().empty())
        together = false;
    }
  }
  if (!together) {
    for (const TensorMap &item : batch)
      results.push_back(predict(item));
    return results;
  }
  int64_t n = batch.size();
  TensorMap stacked;
  for (const auto &[name, first] : batch[0]) {
    std::vector<int64_t> shape = first.shape();
    shape[0] *= n;
    Tensor tensor(first.type(), shape);
    size_t bytes = first.byteSize();
    for (int64_t i = 0; i < n; ++i)
      std::memcpy(tensor.data<uint8_t>() + i * bytes,
                  batch[i].at(name).data(), bytes);
    stacked.emplace(name, std::move(tensor));
  }
  TensorMap outputs = impl->run(stacked, n);
  results.resize(n);
  for (const auto &[name, tensor] : outputs) {
    std::vector<int64_t> shape = tensor.shape();
    if (shape.empty() || shape[0] % n)
      throw Error("output '" + name + "' of a batch of " + std::to_string(n) +
                  " has shape " + formatShape(shape) +
                  ", which does not split into the items");
    shape[0] /= n;
    for (int64_t i = 0; i < n; ++i) {
      Tensor item(tensor.type(), shape);
      std::memcpy(item.data(), tensor.data<uint8_t>() + i * item.byteSize(),
                  item.byteSize());
      results[i].emplace(name, std::move(item));
    }
  }
  return results;
}

size_t Session::planCount() const { return impl->plans.size(); }

size_t Session::arenaBytes() const {
  size_t total = 0;
  for (const auto &[values, plan] : impl->plans)
    total += plan->data.arenaSize;
  return total;
}

} // namespace mlc::rt
