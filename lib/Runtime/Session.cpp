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
#include <exception>
#include <map>
#include <omp.h>
#include <set>
#include <utility>

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

// Whether any of `n` IEEE numbers (as bits) is a NaN or an infinity: its
// exponent bits all ones. Blocks without an early exit, which the compiler
// vectorizes (about 2.5x faster than std::isfinite element by element), for
// the machine's widest vectors (target_clones: 3x224x224 floats in the
// cache in 4.6 us with AVX-512 against 17 with the baseline's SSE2; from
// memory, which bounds both, 17 against 20).
template <typename Bits>
__attribute__((always_inline)) inline bool
anyNonFinite(const Bits *bits, int64_t n, Bits exponent) {
  constexpr int64_t kBlock = 4096;
  for (int64_t begin = 0; begin < n; begin += kBlock) {
    int found = 0;
    for (int64_t i = begin, end = std::min(n, begin + kBlock); i < end; ++i)
      found |= (bits[i] & exponent) == exponent;
    if (found)
      return true;
  }
  return false;
}

__attribute__((target_clones("avx512f", "avx2", "default"))) bool
anyNonFiniteF32(const uint32_t *bits, int64_t n) {
  return anyNonFinite(bits, n, uint32_t(0x7f800000));
}

__attribute__((target_clones("avx512f", "avx2", "default"))) bool
anyNonFiniteF64(const uint64_t *bits, int64_t n) {
  return anyNonFinite(bits, n, uint64_t(0x7ff0000000000000));
}

// Whether a floating-point tensor holds a NaN or an infinity.
bool hasNonFinite(const Tensor &tensor) {
  if (tensor.type() == ElementType::f32)
    return anyNonFiniteF32(tensor.data<uint32_t>(), tensor.elementCount());
  if (tensor.type() == ElementType::f64)
    return anyNonFiniteF64(tensor.data<uint64_t>(), tensor.elementCount());
  return false;
}

// The items [first, second) that part `part` of `parts` takes of a batch of
// `n`: the parts' sizes are within one of each other.
std::pair<int64_t, int64_t> partItems(int64_t n, int parts, int part) {
  return {n * part / parts, n * (part + 1) / parts};
}

} // namespace

// What one thread of predictions keeps: its plans (each with its arena),
// the backend's scratchpad and staging, and what its runs reuse. A session
// runs on its main lane; a batch split across threads runs each part on a
// lane of its own (SessionOptions::splitBatches).
struct Lane {
  int threads = 1;
  std::unique_ptr<BackendState> backendState;
  std::map<std::vector<int64_t>, std::unique_ptr<PreparedPlan>> plans;
  /// The plans made at predictions with another's choices, by when each
  /// was last used (a tick of `uses`): at most SessionOptions::plansKept
  /// of them stay.
  std::map<std::vector<int64_t>, uint64_t> lastUse;
  uint64_t uses = 0;
  /// Per op, then conversions and copies (SessionOptions::profile).
  std::vector<OpProfile> profile;
  /// One run of a plan: its inputs and where its outputs go, then (once
  /// planned) the plan, the inputs in the model's order, and whether they
  /// hold NaN or Inf. Reused by every run, so that a prediction allocates
  /// nothing.
  struct Pass {
    const TensorMap *inputs = nullptr;
    int64_t batch = 0;
    TensorMap *outputs = nullptr;
    PreparedPlan *plan = nullptr;
    std::vector<const Tensor *> given;
    bool reference = false;
  };
  std::vector<Pass> passes;
  size_t passCount = 0;
  /// The results of the items a batch gave this lane; when the items run
  /// as one pass, their inputs stacked and the pass's outputs before they
  /// are split.
  TensorMap *results = nullptr;
  int64_t itemCount = 0;
  bool stacked = false;
  TensorMap stackedInputs, batchOutputs;
  std::vector<int64_t> symbolValues;
  /// Outputs (and a batch's stacked inputs and outputs) made with the
  /// session, their page faults taken then, for the first predictions at
  /// their shapes to take rather than touch fresh memory: a 4 MB
  /// segmentation output's 4 KB pages took 11 ms of faults here, more than
  /// the whole prediction.
  std::vector<Tensor> ready;
  size_t readyBytes = 0;

  /// Makes `tensor` one of `type` and `dims`: itself when it is one, else a
  /// ready one, else a new one.
  void reuseOrTake(Tensor &tensor, ElementType type,
                   const std::vector<int64_t> &dims) {
    if (tensor.type() == type && tensor.shape() == dims)
      return;
    for (Tensor &made : ready)
      if (made.type() == type && made.shape() == dims) {
        readyBytes -= made.byteSize();
        tensor = std::move(made);
        std::swap(made, ready.back());
        ready.pop_back();
        return;
      }
    tensor = Tensor(type, dims);
  }
  /// Adds a tensor of `type` and `dims` to the ready ones, unless they would
  /// then take more than twice the bytes of the lane's arenas (a ranged
  /// model's many shapes would hold outputs no prediction may ask for).
  void makeReady(ElementType type, std::vector<int64_t> dims) {
    size_t bytes = elementSize(type);
    for (int64_t d : dims)
      bytes *= d;
    std::set<const Arena *> arenas;
    size_t budget = 0;
    for (const auto &[values, plan] : plans)
      if (arenas.insert(plan->arena().get()).second)
        budget += 2 * plan->arena()->size();
    if (readyBytes + bytes > budget)
      return;
    readyBytes += bytes;
    ready.emplace_back(type, std::move(dims));
  }

  /// An arena of at least `bytes` for a new plan: the lane's largest when
  /// it is large enough (the lane runs one plan at a time), else a new
  /// one: a ranged model's sizes do not each hold an arena of their own.
  std::shared_ptr<Arena> arenaFor(uint64_t bytes) const {
    const std::shared_ptr<Arena> *largest = nullptr;
    for (const auto &[values, plan] : plans)
      if (!largest || plan->arena()->size() > (*largest)->size())
        largest = &plan->arena();
    if (largest && (*largest)->size() >= bytes)
      return *largest;
    return std::make_shared<Arena>(bytes);
  }

  Pass &addPass(const TensorMap &inputs, int64_t batch, TensorMap &outputs) {
    if (passCount == passes.size())
      passes.emplace_back();
    Pass &pass = passes[passCount++];
    pass.inputs = &inputs;
    pass.batch = batch;
    pass.outputs = &outputs;
    return pass;
  }
};

struct Session::Impl {
  std::shared_ptr<const Model> model;
  SessionOptions options;
  Lane main;
  /// One lane per thread for the parts of a split batch, made at the first.
  std::vector<std::unique_ptr<Lane>> parts;
  /// Custom layers' code may not be safe to run on several threads at once:
  /// their batches are not split.
  bool hasCustomLayers = false;

  /// The parts a batch of `items` runs in (Session::batchParts).
  int partsOf(size_t items) const;
  PlanData loadPlan(const std::vector<int64_t> &symbolValues);
  /// The lane's plan at `symbolValues`, made when it has none: `ahead`
  /// when the session is being made (tuned then), else at a prediction.
  PreparedPlan &getPlan(Lane &lane, const std::vector<int64_t> &symbolValues,
                        bool ahead = false);
  /// The lane's tuned plan whose sizes are nearest `symbolValues`', a
  /// batch if they are one (PreparedPlan::batched); nullptr when it has
  /// none.
  const PreparedPlan *
  nearestTuned(const Lane &lane,
               const std::vector<int64_t> &symbolValues) const;
  /// Drops the lane's least recently used plans made at predictions while
  /// it has more than SessionOptions::plansKept of them.
  void dropLeastUsed(Lane &lane);
  void prepareStoredPlans();
  /// Makes ready the plans batches of SessionOptions::batchSizes run at the
  /// shapes made ready (the file's, SessionOptions::shapes).
  void prepareBatches();
  /// Makes ready the outputs of `items` predictions by `plan` on `lane`
  /// (each a slice of the plan's when `stacked`: a batch's items).
  void makeOutputsReady(Lane &lane, const PreparedPlan &plan, int64_t items,
                        bool stacked);
  /// Makes ready the plans of SessionOptions::shapes.
  void prepareShapes();
  /// Checks a pass's inputs and finds (or makes: `ahead`, see getPlan) its
  /// plan.
  void plan(Lane &lane, Lane::Pass &pass, bool ahead = false);
  void runPasses(Lane &lane);
  /// Plans `lane`'s passes over `count` items: one with the items stacked
  /// when they can run as one, else one per item.
  void planItems(Lane &lane, const TensorMap *items, TensorMap *results,
                 int64_t count);
  /// Runs them, then splits the stacked outputs into the items' results.
  void runItems(Lane &lane);
  Lane &partLane(size_t part);
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

PreparedPlan &Session::Impl::getPlan(Lane &lane,
                                     const std::vector<int64_t> &symbolValues,
                                     bool ahead) {
  auto found = lane.plans.find(symbolValues);
  if (found != lane.plans.end()) {
    auto used = lane.lastUse.find(symbolValues);
    if (used != lane.lastUse.end())
      used->second = ++lane.uses;
    return *found->second;
  }
  auto plan = std::make_unique<PreparedPlan>(*model, loadPlan(symbolValues),
                                             options);
  // A split batch's part has a plan like the first part's lane's: it makes
  // it (tuned on one thread, where choices differ from two threads'), the
  // others take all its choices: the lanes are alike.
  const PreparedPlan *like = nullptr;
  bool tune = options.tune;
  int32_t batch = model->graph().batch_symbol();
  Lane *from = &lane == &main ? &main : parts.front().get();
  if (from != &lane) {
    auto same = from->plans.find(symbolValues);
    if (same != from->plans.end())
      like = same->second.get();
  }
  // A shape first met at a prediction (a ranged model's new size, a new
  // batch size) takes the choices of the nearest shape tuned that is a
  // batch as it is or not, untimed: its first prediction then costs the
  // kernels' making, not tens of runs of tuning (resnet18 at 256x416 after
  // 224 and 448: 48 ms against 436, 28 warm).
  if (!like && !ahead && tune && (like = nearestTuned(*from, symbolValues)))
    tune = false;
  // A batch runs its first ops item by item with the kernels its items'
  // plan was tuned to, when there is one.
  if (!like && batch >= 0 && size_t(batch) < symbolValues.size() &&
      symbolValues[batch] > 1) {
    std::vector<int64_t> item = symbolValues;
    item[batch] = 1;
    auto itemPlan = from->plans.find(item);
    if (itemPlan != from->plans.end())
      like = itemPlan->second.get();
    else if (from != &main)
      like = &getPlan(*from, item, ahead);
  }
  plan->build(lane.arenaFor(plan->arenaBytes()), lane.backendState.get(),
              lane.threads, tune, like);
  PreparedPlan &made =
      *lane.plans.emplace(symbolValues, std::move(plan)).first->second;
  // The plans tuned at a prediction (the first size met at each batch)
  // stay: the others take their choices.
  if (!ahead && !made.tuned()) {
    lane.lastUse[symbolValues] = ++lane.uses;
    dropLeastUsed(lane);
  }
  return made;
}

void Session::Impl::dropLeastUsed(Lane &lane) {
  // Not a plan a pass of this prediction (on any lane) is to run.
  auto inUse = [&](const PreparedPlan *plan) {
    auto planned = [&](const Lane &l) {
      for (size_t i = 0; i < l.passCount; ++i)
        if (l.passes[i].plan == plan)
          return true;
      return false;
    };
    if (planned(main))
      return true;
    for (const auto &part : parts)
      if (planned(*part))
        return true;
    return false;
  };
  while (lane.lastUse.size() > options.plansKept) {
    auto least = lane.lastUse.end();
    for (auto it = lane.lastUse.begin(); it != lane.lastUse.end(); ++it)
      if (it->second != lane.uses && !inUse(lane.plans.at(it->first).get()) &&
          (least == lane.lastUse.end() || it->second < least->second))
        least = it;
    if (least == lane.lastUse.end())
      return;
    lane.plans.erase(least->first);
    lane.lastUse.erase(least);
  }
}

const PreparedPlan *
Session::Impl::nearestTuned(const Lane &lane,
                            const std::vector<int64_t> &symbolValues) const {
  int32_t batch = model->graph().batch_symbol();
  const PreparedPlan *nearest = nullptr;
  double nearestDistance = INFINITY;
  bool batched = batch >= 0 && symbolValues[batch] > 1;
  for (const auto &[values, plan] : lane.plans) {
    if (!plan->tuned() || plan->batched() != batched)
      continue;
    // Sizes (and batch sizes) compare by ratio: 224 is as near 448 as 448
    // is near 896.
    double distance = 0;
    for (size_t s = 0; s < values.size(); ++s)
      distance +=
          std::abs(std::log(double(std::max<int64_t>(values[s], 1))) -
                   std::log(double(std::max<int64_t>(symbolValues[s], 1))));
    if (distance < nearestDistance) {
      nearest = plan.get();
      nearestDistance = distance;
    }
  }
  return nearest;
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
    if (values.size() != graph.symbols()->size() || main.plans.count(values))
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
    plan->build(arena, main.backendState.get(), main.threads, options.tune);
    const PreparedPlan &made =
        *main.plans.emplace(std::move(values), std::move(plan)).first->second;
    makeOutputsReady(main, made, 1, false);
  }
}

void Session::Impl::makeOutputsReady(Lane &lane, const PreparedPlan &plan,
                                     int64_t items, bool stacked) {
  const format::Model &graph = model->graph();
  for (size_t i = 0; i < model->outputs().size(); ++i) {
    const TensorRef &ref = plan.tensor(graph.outputs()->Get(i));
    std::vector<int64_t> dims = ref.dims;
    if (stacked && (dims.empty() || dims[0] % items))
      continue;
    if (stacked)
      dims[0] /= items;
    for (int64_t item = 0; item < items; ++item)
      lane.makeReady(ref.type, dims);
  }
}

void Session::Impl::prepareBatches() {
  const format::Model &graph = model->graph();
  int32_t batchSymbol = graph.batch_symbol();
  // At the shapes made ready so far: the file's and SessionOptions::shapes.
  std::vector<std::vector<int64_t>> shapes;
  for (const auto &[values, plan] : main.plans)
    shapes.push_back(values);
  for (int64_t items : options.batchSizes) {
    int parts = partsOf(items);
    for (std::vector<int64_t> values : shapes) {
      // Each part, as planItems runs it: one pass at its size when the
      // model takes batches, else item by item at the stored shape.
      for (int l = 0; l < parts; ++l) {
        auto [begin, end] = partItems(items, parts, l);
        int64_t count = end - begin;
        if (batchSymbol >= 0)
          values[batchSymbol] = count;
        Lane &lane = parts > 1 ? partLane(l) : main;
        ThreadCount threads(lane.threads);
        const PreparedPlan &plan = getPlan(lane, values, true);
        bool stacked = batchSymbol >= 0 && count > 1;
        makeOutputsReady(lane, plan, count, stacked);
        if (!stacked)
          continue;
        // Its stacked inputs and outputs too (a lane keeps one set, of the
        // last size and shape it ran).
        for (size_t i = 0; i < model->inputs().size(); ++i) {
          const TensorRef &ref = plan.tensor(graph.inputs()->Get(i)->tensor());
          lane.makeReady(ref.type, ref.dims);
        }
        makeOutputsReady(lane, plan, 1, false);
      }
    }
  }
}

void Session::Impl::prepareShapes() {
  for (const auto &shape : options.shapes) {
    TensorMap inputs, outputs;
    for (const auto &[name, dims] : shape) {
      ElementType type = ElementType::f32;
      for (const TensorInfo &info : model->inputs())
        if (info.name == name)
          type = info.type;
      inputs.emplace(name, Tensor(type, dims));
    }
    Lane::Pass pass;
    pass.inputs = &inputs;
    pass.outputs = &outputs;
    try {
      plan(main, pass, true);
    } catch (const Error &e) {
      throw Error(std::string("a shape to prepare: ") + e.what());
    }
    makeOutputsReady(main, *pass.plan, 1, false);
  }
}

// `pass.batch` > 0 when its inputs are a batch of that many stacked items
// (dim 0), already checked one by one.
void Session::Impl::plan(Lane &lane, Lane::Pass &pass, bool ahead) {
  const format::Model &graph = model->graph();
  const auto &infos = model->inputs();
  for (const auto &[name, tensor] : *pass.inputs) {
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
  std::vector<const Tensor *> &given = pass.given;
  given.clear();
  for (const TensorInfo &info : infos) {
    auto found = pass.inputs->find(info.name);
    if (found == pass.inputs->end())
      throw Error("missing input '" + info.name + "' (it takes " +
                  info.shapes.describe() + ", " + elementTypeName(info.type) +
                  ")");
    const Tensor &tensor = found->second;
    if (tensor.type() != info.type)
      throw Error("input '" + info.name + "' is " +
                  elementTypeName(tensor.type()) + ", the model takes " +
                  elementTypeName(info.type));
    if (!info.shapes.contains(tensor.shape(), pass.batch)) {
      // Items stacked along dim 0 are a batch: predictBatch takes them.
      int64_t items = tensor.shape().empty() ? 0 : tensor.shape()[0];
      bool stacked = pass.batch == 0 && items > 1 &&
                     info.shapes.contains(tensor.shape(), items);
      throw Error("input '" + info.name + "' has shape " +
                  formatShape(tensor.shape()) + "; the model takes " +
                  info.shapes.describe() +
                  (stacked ? " (a batch of " + std::to_string(items) +
                                 " of them: predictBatch, mlc run --batch " +
                                 std::to_string(items) + ")"
                           : ""));
    }
    given.push_back(&tensor);
  }
  std::vector<int64_t> &symbolValues = lane.symbolValues;
  symbolValues.clear();
  for (const format::Symbol *symbol : *graph.symbols())
    symbolValues.push_back(given[symbol->input()]->shape()[symbol->dim()]);
  pass.plan = &getPlan(lane, symbolValues, ahead);
  for (size_t i = 0; i < model->outputs().size(); ++i) {
    const TensorRef &ref = pass.plan->tensor(graph.outputs()->Get(i));
    lane.reuseOrTake((*pass.outputs)[model->outputs()[i].name], ref.type,
                     ref.dims);
  }

  for (size_t i = 0; i < infos.size(); ++i) {
    const TensorRef &ref = pass.plan->tensor(graph.inputs()->Get(i)->tensor());
    if (ref.dims != given[i]->shape())
      throw Error("input '" + infos[i].name + "' has shape " +
                  formatShape(given[i]->shape()) +
                  ", which disagrees with the other inputs' sizes (the model "
                  "expects " + formatShape(ref.dims) + " with them)");
  }
  // oneDNN's ReLU (max(x, 0)) turns NaN into 0, so a NaN or an infinity in
  // the inputs would come out as a plausible number; the reference kernels
  // pass them through as ONNX defines. Checking the inputs is cheap.
  pass.reference =
      options.backend == Backend::Fast &&
      std::any_of(given.begin(), given.end(),
                  [](const Tensor *t) { return hasNonFinite(*t); });
}

void Session::Impl::runPasses(Lane &lane) {
  for (size_t i = 0; i < lane.passCount; ++i) {
    Lane::Pass &pass = lane.passes[i];
    pass.plan->run(pass.given, pass.reference, *pass.outputs,
                   options.profile ? &lane.profile : nullptr);
  }
}

void Session::Impl::planItems(Lane &lane, const TensorMap *items,
                              TensorMap *results, int64_t count) {
  lane.results = results;
  lane.itemCount = count;
  lane.passCount = 0;
  // One pass needs a batch dim and items of one shape.
  bool together = model->batchable() && count > 1;
  for (int64_t i = 0; i < count && together; ++i) {
    if (items[i].size() != items[0].size())
      together = false;
    for (const auto &[name, tensor] : items[i]) {
      auto first = items[0].find(name);
      if (first == items[0].end() || first->second.shape() != tensor.shape() ||
          first->second.type() != tensor.type() || tensor.shape().empty())
        together = false;
    }
  }
  lane.stacked = together;
  if (!together) {
    for (int64_t i = 0; i < count; ++i)
      plan(lane, lane.addPass(items[i], 0, results[i]));
    return;
  }
  // The stacked inputs and the batch's outputs are the lane's, reused from
  // one batch to the next: fresh ones would take their page faults at every
  // call.
  TensorMap &stacked = lane.stackedInputs;
  for (auto it = stacked.begin(); it != stacked.end();)
    it = items[0].count(it->first) ? std::next(it) : stacked.erase(it);
  for (const auto &[name, first] : items[0]) {
    std::vector<int64_t> shape = first.shape();
    shape[0] *= count;
    Tensor &tensor = stacked[name];
    lane.reuseOrTake(tensor, first.type(), shape);
    size_t bytes = first.byteSize();
    for (int64_t i = 0; i < count; ++i)
      std::memcpy(tensor.data<uint8_t>() + i * bytes,
                  items[i].at(name).data(), bytes);
  }
  plan(lane, lane.addPass(stacked, count, lane.batchOutputs));
}

void Session::Impl::runItems(Lane &lane) {
  runPasses(lane);
  if (!lane.stacked)
    return;
  int64_t n = lane.itemCount;
  for (const auto &[name, tensor] : lane.batchOutputs) {
    std::vector<int64_t> shape = tensor.shape();
    if (shape.empty() || shape[0] % n)
      throw Error("output '" + name + "' of a batch of " + std::to_string(n) +
                  " has shape " + formatShape(shape) +
                  ", which does not split into the items");
    shape[0] /= n;
    for (int64_t i = 0; i < n; ++i) {
      Tensor &item = lane.results[i][name];
      lane.reuseOrTake(item, tensor.type(), shape);
      std::memcpy(item.data(), tensor.data<uint8_t>() + i * item.byteSize(),
                  item.byteSize());
    }
  }
}

// A lane of one thread, with its own scratchpad and staging; the weights
// are the main lane's.
Lane &Session::Impl::partLane(size_t part) {
  while (parts.size() <= part) {
    auto lane = std::make_unique<Lane>();
    if (main.backendState)
      lane->backendState =
          makeOneDNNState(options.winograd, main.backendState.get());
    lane->profile = main.profile;
    for (OpProfile &entry : lane->profile)
      entry = {entry.name, entry.type};
    parts.push_back(std::move(lane));
  }
  return *parts[part];
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
  Lane &main = impl->main;
  main.threads = options.threads > 0 ? options.threads : omp_get_max_threads();
  if (options.backend == Backend::Fast)
    main.backendState = makeOneDNNState(options.winograd);
  for (const format::Op *op : *impl->model->graph().ops()) {
    impl->hasCustomLayers |= op->params_as_CustomParams() != nullptr;
    if (options.profile)
      main.profile.push_back(
          {op->name() ? op->name()->str() : "", opTypeName(*op)});
  }
  if (options.profile) {
    main.profile.push_back({"", "layout conversion"});
    main.profile.push_back({"", "copy in and out"});
  }
  for (int64_t items : options.batchSizes)
    if (items < 1)
      throw Error("batch sizes to prepare must be 1 or more, not " +
                  std::to_string(items));
  if (options.prepare) {
    ThreadCount count(main.threads);
    impl->prepareStoredPlans();
    impl->prepareShapes();
    impl->prepareBatches();
  }
}

Session::~Session() = default;

TensorMap Session::predict(const TensorMap &inputs) {
  TensorMap outputs;
  predict(inputs, outputs);
  return outputs;
}

void Session::predict(const TensorMap &inputs, TensorMap &outputs) {
  // oneDNN's primitives are made for the lane's thread count, which is the
  // calling thread's OpenMP setting: set for the run, then given back.
  ThreadCount count(impl->main.threads);
  impl->planItems(impl->main, &inputs, &outputs, 1);
  impl->runItems(impl->main);
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
  int64_t n = batch.size();
  int lanes = batchParts(n);
  if (lanes == 1) {
    ThreadCount count(impl->main.threads);
    impl->planItems(impl->main, batch.data(), results.data(), n);
    impl->runItems(impl->main);
    return;
  }
  // Each thread takes a part of the batch (sizes within one of each
  // other) through its own lane. The parts' plans are checked and made
  // first, one after another on this thread: tuning times kernels, which
  // other threads' work would disturb.
  ThreadCount count(1);
  for (int l = 0; l < lanes; ++l) {
    auto [begin, end] = partItems(n, lanes, l);
    impl->planItems(impl->partLane(l), batch.data() + begin,
                    results.data() + begin, end - begin);
  }
  // A loop, not one lane per thread number: called from a parallel region,
  // this one gets a single thread, which then runs every part.
  std::vector<std::exception_ptr> failures(lanes);
#pragma omp parallel for num_threads(lanes) schedule(static, 1)
  for (int l = 0; l < lanes; ++l) {
    try {
      impl->runItems(*impl->parts[l]);
    } catch (...) {
      failures[l] = std::current_exception();
    }
  }
  for (const std::exception_ptr &failure : failures)
    if (failure)
      std::rethrow_exception(failure);
}

int Session::Impl::partsOf(size_t items) const {
  return options.splitBatches && main.threads > 1 &&
                 items >= size_t(main.threads) && !hasCustomLayers
             ? main.threads
             : 1;
}

int Session::batchParts(size_t items) const { return impl->partsOf(items); }

std::vector<OpProfile> Session::profile() const {
  std::vector<OpProfile> total = impl->main.profile;
  for (const auto &lane : impl->parts)
    for (size_t i = 0; i < total.size(); ++i) {
      const OpProfile &part = lane->profile[i];
      total[i].milliseconds += part.milliseconds;
      total[i].runs += part.runs;
      if (!part.kernel.empty())
        total[i].kernel = part.kernel;
    }
  return total;
}

size_t Session::planCount() const {
  size_t count = impl->main.plans.size();
  for (const auto &lane : impl->parts)
    count += lane->plans.size();
  return count;
}

size_t Session::arenaBytes() const {
  // Plans prepared together share an arena: count each once.
  std::set<const Arena *> arenas;
  size_t total = 0;
  auto add = [&](const Lane &lane) {
    for (const auto &[values, plan] : lane.plans)
      if (arenas.insert(plan->arena().get()).second)
        total += plan->arena()->size();
  };
  add(impl->main);
  for (const auto &lane : impl->parts)
    add(*lane);
  return total;
}

} // namespace mlc::rt
