//===- Session.cpp - Running predictions ----------------------------------===//

#include "mlc/Runtime/Session.h"

#include "CustomKernel.h"
#include "Kernel.h"
#include "PreparedPlan.h"
#include "mlc/Format/Schema_generated.h"
#include "mlc/Runtime/CustomLayer.h"
#include "mlc/Runtime/Planner.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <omp.h>
#include <set>

namespace mlc::rt {
namespace {

// Sets the calling thread's OpenMP thread count while it lives, then gives
// the caller's back.
class ThreadCount {
public:
  explicit ThreadCount(int threads) { omp_set_num_threads(threads); }
  ~ThreadCount() { omp_set_num_threads(callers); }

private:
  int callers = omp_get_max_threads();
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
  /// The Fast backend's state: weights in oneDNN's layouts, shared by all
  /// plans, and the scratchpad.
  std::unique_ptr<BackendState> backendState;
  std::map<std::vector<int64_t>, std::unique_ptr<PreparedPlan>> plans;
  /// Reused by every run, so that a prediction allocates nothing.
  std::vector<int64_t> symbolValues;
  std::vector<const Tensor *> given;
  /// Per op, then conversions and copies (SessionOptions::profile).
  std::vector<OpProfile> profile;
  /// A batch's inputs stacked, and its outputs before they are split.
  TensorMap stackedInputs, batchOutputs;

  PlanData loadPlan(const std::vector<int64_t> &symbolValues);
  PreparedPlan &getPlan(const std::vector<int64_t> &symbolValues);
  void prepareStoredPlans();
  void run(const TensorMap &inputs, int64_t batch, TensorMap &outputs);
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

PreparedPlan &
Session::Impl::getPlan(const std::vector<int64_t> &symbolValues) {
  auto found = plans.find(symbolValues);
  if (found != plans.end())
    return *found->second;
  auto plan = std::make_unique<PreparedPlan>(*model, loadPlan(symbolValues),
                                             options);
  // A batch runs its first ops item by item with the kernels its items'
  // plan was tuned to, when there is one.
  const PreparedPlan *like = nullptr;
  int32_t batch = model->graph().batch_symbol();
  if (batch >= 0 && size_t(batch) < symbolValues.size() &&
      symbolValues[batch] > 1) {
    std::vector<int64_t> item = symbolValues;
    item[batch] = 1;
    auto itemPlan = plans.find(item);
    if (itemPlan != plans.end())
      like = itemPlan->second.get();
  }
  plan->build(std::make_shared<Arena>(plan->arenaBytes()), backendState.get(),
              threads, options.tune, like);
  return *plans.emplace(symbolValues, std::move(plan)).first->second;
}

// Every shape the file has a plan for, made ready now: their kernels,
// weights in the kernels' layouts and one arena that they share (a session
// runs one prediction at a time), so that no prediction at those shapes
// pays for any of it.
void Session::Impl::prepareStoredPlans() {
  const format::Model &graph = model->graph();
  if (!graph.plans())
    return;
  std::vector<std::pair<std::vector<int64_t>, std::unique_ptr<PreparedPlan>>>
      laidOut;
  uint64_t arenaBytes = 0;
  for (const format::Plan *stored : *graph.plans()) {
    std::vector<int64_t> values(stored->symbol_values()->begin(),
                                stored->symbol_values()->end());
    if (values.size() != graph.symbols()->size() || plans.count(values))
      continue;
    auto plan =
        std::make_unique<PreparedPlan>(*model, loadPlan(values), options);
    arenaBytes = std::max(arenaBytes, plan->arenaBytes());
    laidOut.emplace_back(std::move(values), std::move(plan));
  }
  if (laidOut.empty())
    return;
  auto arena = std::make_shared<Arena>(arenaBytes);
  for (auto &[values, plan] : laidOut) {
    plan->build(arena, backendState.get(), threads, options.tune);
    plans.emplace(std::move(values), std::move(plan));
  }
}

// Runs one pass. `batch` > 0 when the inputs are a batch of that many
// stacked items (dim 0), already checked one by one.
void Session::Impl::run(const TensorMap &inputs, int64_t batch,
                        TensorMap &outputs) {
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
  given.clear();
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
    if (!info.shapes.contains(tensor.shape(), batch))
      throw Error("input '" + info.name + "' has shape " +
                  formatShape(tensor.shape()) + "; the model takes " +
                  info.shapes.describe());
    given.push_back(&tensor);
  }
  symbolValues.clear();
  for (const format::Symbol *symbol : *graph.symbols())
    symbolValues.push_back(given[symbol->input()]->shape()[symbol->dim()]);
  // oneDNN's primitives are made for the session's thread count, which is
  // the calling thread's OpenMP setting: set for the run, then given back.
  ThreadCount count(threads);
  PreparedPlan &plan = getPlan(symbolValues);

  for (size_t i = 0; i < infos.size(); ++i) {
    const TensorRef &ref = plan.tensor(graph.inputs()->Get(i)->tensor());
    if (ref.dims != given[i]->shape())
      throw Error("input '" + infos[i].name + "' has shape " +
                  formatShape(given[i]->shape()) +
                  ", which disagrees with the other inputs' sizes (the model "
                  "expects " + formatShape(ref.dims) + " with them)");
  }
  // oneDNN's ReLU (max(x, 0)) turns NaN into 0, so a NaN or an infinity in
  // the inputs would come out as a plausible number; the reference kernels
  // pass them through as ONNX defines. Checking the inputs is cheap.
  bool reference =
      options.backend == Backend::Fast &&
      std::any_of(given.begin(), given.end(),
                  [](const Tensor *t) { return hasNonFinite(*t); });
  plan.run(given, reference, outputs,
           options.profile ? &profile : nullptr);
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
  impl->threads = options.threads > 0 ? options.threads : omp_get_max_threads();
  if (options.backend == Backend::Fast)
    impl->backendState = makeOneDNNState(options.winograd);
  if (options.profile) {
    for (const format::Op *op : *impl->model->graph().ops())
      impl->profile.push_back(
          {op->name() ? op->name()->str() : "", opTypeName(*op)});
    impl->profile.push_back({"", "layout conversion"});
    impl->profile.push_back({"", "copy in and out"});
  }
  if (options.prepare) {
    ThreadCount count(impl->threads);
    impl->prepareStoredPlans();
  }
}

Session::~Session() = default;

TensorMap Session::predict(const TensorMap &inputs) {
  TensorMap outputs;
  impl->run(inputs, 0, outputs);
  return outputs;
}

void Session::predict(const TensorMap &inputs, TensorMap &outputs) {
  impl->run(inputs, 0, outputs);
}

std::vector<TensorMap>
Session::predictBatch(const std::vector<TensorMap> &batch) {
  std::vector<TensorMap> results;
  predictBatch(batch, results);
  return results;
}

void Session::predictBatch(const std::vector<TensorMap> &batch,
                           std::vector<TensorMap> &results) {
  results.resize(batch.size());
  if (batch.empty())
    return;
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
    for (size_t i = 0; i < batch.size(); ++i)
      predict(batch[i], results[i]);
    return;
  }
  // The stacked inputs and the batch's outputs are the session's, reused
  // from one batch to the next: fresh ones would take their page faults
  // at every call.
  int64_t n = batch.size();
  TensorMap &stacked = impl->stackedInputs;
  for (auto it = stacked.begin(); it != stacked.end();)
    it = batch[0].count(it->first) ? std::next(it) : stacked.erase(it);
  for (const auto &[name, first] : batch[0]) {
    std::vector<int64_t> shape = first.shape();
    shape[0] *= n;
    Tensor &tensor = stacked[name];
    reuseOrMake(tensor, first.type(), shape);
    size_t bytes = first.byteSize();
    for (int64_t i = 0; i < n; ++i)
      std::memcpy(tensor.data<uint8_t>() + i * bytes,
                  batch[i].at(name).data(), bytes);
  }
  TensorMap &outputs = impl->batchOutputs;
  impl->run(stacked, n, outputs);
  for (const auto &[name, tensor] : outputs) {
    std::vector<int64_t> shape = tensor.shape();
    if (shape.empty() || shape[0] % n)
      throw Error("output '" + name + "' of a batch of " + std::to_string(n) +
                  " has shape " + formatShape(shape) +
                  ", which does not split into the items");
    shape[0] /= n;
    for (int64_t i = 0; i < n; ++i) {
      Tensor &item = results[i][name];
      reuseOrMake(item, tensor.type(), shape);
      std::memcpy(item.data(), tensor.data<uint8_t>() + i * item.byteSize(),
                  item.byteSize());
    }
  }
}

std::vector<OpProfile> Session::profile() const { return impl->profile; }

size_t Session::planCount() const { return impl->plans.size(); }

size_t Session::arenaBytes() const {
  // Plans prepared together share an arena: count each once.
  std::set<const Arena *> arenas;
  size_t total = 0;
  for (const auto &[values, plan] : impl->plans)
    if (arenas.insert(plan->arena().get()).second)
      total += plan->arena()->size();
  return total;
}

} // namespace mlc::rt
