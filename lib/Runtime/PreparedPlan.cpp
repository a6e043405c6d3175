//===- PreparedPlan.cpp - A plan made ready to run ------------------------===//

#include "PreparedPlan.h"

#include "mlc/Format/Schema_generated.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <omp.h>
#include <unistd.h>

namespace mlc::rt {

using Clock = std::chrono::steady_clock;

void reuseOrMake(Tensor &tensor, ElementType type,
                 const std::vector<int64_t> &shape) {
  if (tensor.type() != type || tensor.shape() != shape)
    tensor = Tensor(type, shape);
}

// A large arena takes whole huge pages: the kernels sweep it, and fewer TLB
// misses and a physically contiguous layout make their times steady from one
// process to the next.
Arena::Arena(uint64_t size)
    : memory(allocateZeroed(size, "an arena")), bytes(size) {}

PreparedPlan::~PreparedPlan() = default;

PreparedPlan::PreparedPlan(const Model &model, PlanData planData,
                           const SessionOptions &options)
    : model(model), plan(std::move(planData)), backend(options.backend),
      convChains(options.convChains) {
  const format::Model &graph = model.graph();
  const auto &formatTensors = *graph.tensors();
  tensors.resize(formatTensors.size());
  for (size_t t = 0; t < tensors.size(); ++t) {
    TensorRef &ref = tensors[t];
    ref.type = static_cast<ElementType>(formatTensors[t]->type());
    ref.dims = plan.dims[t];
    if (formatTensors[t]->weight()) {
      ref.data = const_cast<uint8_t *>(model.weightData(t));
      ref.constant = true;
    }
  }
  const auto &ops = *graph.ops();
  operands.resize(ops.size());
  readers.assign(tensors.size(), 0);
  for (const format::Op *op : ops)
    for (int32_t t : *op->inputs())
      if (t >= 0)
        ++readers[t];
  for (int32_t t : *graph.outputs())
    ++readers[t];
  if (backend != Backend::Fast) {
    for (size_t i = 0; i < ops.size(); ++i)
      for (int32_t t : *ops[i]->inputs())
        operands[i].push_back(t >= 0 ? &tensors[t] : nullptr);
    return;
  }

  LayoutChoice choice = chooseOneDNNLayouts(graph, tensors);
  for (size_t t = 0; t < tensors.size(); ++t)
    if (!tensors[t].constant)
      tensors[t].layout = choice.tensors[t];
  // Each operand read in another layout than its tensor's gets a version:
  // one per tensor and layout, shared by the ops that read it so.
  std::map<std::pair<int32_t, Layout>, Version *> versionOf;
  for (size_t i = 0; i < ops.size(); ++i) {
    const auto &inputs = *ops[i]->inputs();
    for (size_t k = 0; k < inputs.size(); ++k) {
      int32_t t = inputs[k];
      if (t < 0) {
        operands[i].push_back(nullptr);
        continue;
      }
      TensorRef &base = tensors[t];
      Layout layout = choice.operands[i][k];
      if (base.constant || layout == base.layout) {
        operands[i].push_back(&base);
        continue;
      }
      Version *&version = versionOf[{t, layout}];
      if (!version) {
        versions.push_back({base, uint32_t(t)});
        version = &versions.back();
        version->ref.layout = layout;
        if (!base.layoutNeutral()) {
          version->extra = static_cast<int64_t>(extras.size());
          extras.push_back({int64_t(i), int64_t(i), base.bytes()});
        }
      }
      if (version->extra >= 0)
        extras[version->extra].last = int64_t(i);
      operands[i].push_back(&version->ref);
    }
  }
  findItemOps(options.itemByItemBytes);
  if (itemOps)
    planItemByItem();
  else
    placeExtraBuffers(graph, plan, extras);
}

/// A core's second-level cache (sysconf may not know it: 1 MiB, a common
/// size).
static uint64_t coreL2Bytes() {
  long cache = sysconf(_SC_LEVEL2_CACHE_SIZE);
  return cache > 0 ? uint64_t(cache) : uint64_t(1) << 20;
}

void PreparedPlan::findItemOps(size_t largeBytes) {
  const format::Model &graph = model.graph();
  int32_t batch = graph.batch_symbol();
  if (batch < 0 || size_t(batch) >= plan.symbolValues.size() ||
      plan.symbolValues[batch] < 2)
    return;
  // One item's dims: the plan's at a batch of 1.
  std::vector<int64_t> itemSymbols = plan.symbolValues;
  itemSymbols[batch] = 1;
  try {
    itemExprValues = evaluateExprs(graph, itemSymbols);
  } catch (const Error &) {
    return;
  }
  int64_t n = plan.symbolValues[batch];
  const auto &formatTensors = *graph.tensors();
  itemDims.resize(tensors.size());
  for (size_t t = 0; t < tensors.size(); ++t)
    for (uint32_t e : *formatTensors[t]->shape())
      itemDims[t].push_back(itemExprValues[e]);
  // A tensor of the batch: n items' worth along dim 0, one item's dims
  // otherwise.
  auto batched = [&](uint32_t t) {
    const std::vector<int64_t> &all = tensors[t].dims, &one = itemDims[t];
    return !all.empty() && all.size() == one.size() && one[0] > 0 &&
           all[0] == n * one[0] &&
           std::equal(all.begin() + 1, all.end(), one.begin() + 1);
  };
  // Item by item while an op's tensors, for one item, fill a core's
  // second-level cache.
  uint64_t large = largeBytes ? largeBytes : coreL2Bytes();
  const auto &ops = *graph.ops();
  size_t count = 0;
  for (; count < ops.size(); ++count) {
    uint64_t bytes = 0;
    bool perItem = true;
    auto visit = [&](int32_t t) {
      if (t < 0 || tensors[t].constant)
        return;
      perItem &= batched(t);
      bytes += tensors[t].bytes() / n;
    };
    for (int32_t t : *ops[count]->inputs())
      visit(t);
    for (int32_t t : *ops[count]->outputs())
      visit(t);
    if (!perItem || bytes < large ||
        ops[count]->params_type() == format::OpParams::CustomParams)
      break;
  }
  if (count == 0)
    return;
  items = n;
  itemOps = count;
}

void PreparedPlan::planItemByItem() {
  // The ops run in the order: ops [0, k) of item 0, of item 1, ..., then
  // the rest on the whole batch. A tensor that lives and dies within the
  // first k ops lives within one item's turn: each item's gets a buffer of
  // one item's bytes, which the next items' reuse. Any other (read after
  // them, or an input, copied in for the whole batch) gets the whole
  // batch's bytes, item i's at slice i, live across every item's turn.
  const format::Model &graph = model.graph();
  int64_t k = itemOps, n = items;
  auto position = [&](int64_t op, int64_t item) {
    return op < 0 ? op : op < k ? item * k + op : n * k + (op - k);
  };
  struct Owner {
    bool extra;
    size_t index;
    int64_t item;
  };
  std::vector<Buffer> buffers;
  std::vector<Owner> owners;
  auto add = [&](bool extra, size_t index, int64_t first, int64_t last,
                 uint64_t bytes) {
    if (last < first)
      return;
    if (first >= 0 && last < k) {
      for (int64_t item = 0; item < n; ++item) {
        buffers.push_back(
            {position(first, item), position(last, item), bytes / n});
        owners.push_back({extra, index, item});
      }
      return;
    }
    buffers.push_back({position(first, 0),
                       last < k ? position(last, n - 1) : position(last, 0),
                       bytes});
    owners.push_back({extra, index, -1});
  };
  // The plan's tensors written over an operand (an elementwise op's result,
  // a Conv's over its residual) keep sharing its buffer: a group of
  // tensors is one buffer, live from its first tensor's birth to its last's
  // death. Two tensors share one when the plan puts them at one offset,
  // one dying at the op that makes the other.
  std::vector<Lifetime> lifetimes = tensorLifetimes(graph);
  std::vector<size_t> group(tensors.size());
  for (size_t t = 0; t < tensors.size(); ++t)
    group[t] = t;
  auto root = [&](size_t t) {
    while (group[t] != t)
      t = group[t] = group[group[t]];
    return t;
  };
  auto placed = [&](int32_t t) {
    return t >= 0 && !tensors[t].constant && plan.offsets[t] >= 0;
  };
  const auto &ops = *graph.ops();
  for (size_t i = 0; i < ops.size(); ++i)
    for (int32_t out : *ops[i]->outputs())
      for (int32_t in : *ops[i]->inputs())
        if (placed(in) && placed(out) &&
            plan.offsets[in] == plan.offsets[out] &&
            lifetimes[in].last == int64_t(i) &&
            lifetimes[out].first == int64_t(i))
          group[root(out)] = root(in);
  std::map<size_t, Lifetime> spans;
  std::map<size_t, uint64_t> sizes;
  for (size_t t = 0; t < tensors.size(); ++t) {
    if (!placed(t))
      continue;
    auto [span, fresh] = spans.emplace(root(t), lifetimes[t]);
    if (!fresh) {
      span->second.first = std::min(span->second.first, lifetimes[t].first);
      span->second.last = std::max(span->second.last, lifetimes[t].last);
    }
    sizes[root(t)] = std::max(sizes[root(t)], uint64_t(tensors[t].bytes()));
  }
  for (const auto &[t, span] : spans)
    add(false, t, span.first, span.last, sizes[t]);
  for (size_t e = 0; e < extras.size(); ++e)
    add(true, e, extras[e].first, extras[e].last, extras[e].bytes);
  plan.arenaSize = placeBuffers(buffers);
  std::vector<int64_t> groupOffsets(tensors.size(), -1);
  std::vector<std::vector<int64_t>> groupItemOffsets(tensors.size());
  extraItemOffsets.assign(extras.size(), {});
  for (size_t b = 0; b < buffers.size(); ++b) {
    const Owner &owner = owners[b];
    if (owner.extra && owner.item >= 0)
      extraItemOffsets[owner.index].push_back(buffers[b].offset);
    else if (owner.extra)
      extras[owner.index].offset = buffers[b].offset;
    else if (owner.item >= 0)
      groupItemOffsets[owner.index].push_back(buffers[b].offset);
    else
      groupOffsets[owner.index] = buffers[b].offset;
  }
  itemOffsets.assign(tensors.size(), {});
  for (size_t t = 0; t < tensors.size(); ++t) {
    bool wasPlaced = placed(t);
    plan.offsets[t] = wasPlaced ? groupOffsets[root(t)] : -1;
    if (wasPlaced)
      itemOffsets[t] = groupItemOffsets[root(t)];
  }
  for (size_t e = 0; e < extras.size(); ++e)
    if (!extraItemOffsets[e].empty())
      extras[e].offset = -1;
}

PreparedPlan::Step PreparedPlan::copyStep(const format::Op *op,
                                          TensorRef *from, TensorRef *to) {
  Step step;
  step.args.op = op;
  step.args.inputs = {from};
  step.args.outputs = {to};
  step.args.backend = backendState;
  step.args.threads = threads;
  step.slot = model.graph().ops()->size() + kConversionSlot;
  if (from->layout != to->layout && !from->layoutNeutral())
    step.kernel = makeLayoutConversion(step.args);
  return step;
}

PreparedPlan::Step PreparedPlan::opStep(size_t op, KernelArgs args,
                                        Choice choice, bool reference) {
  for (TensorRef *ref : args.inputs)
    if (ref && !ref->data && ref->count())
      args.fail("an operand has no place in the memory plan");
  for (TensorRef *ref : args.outputs)
    if (!ref->data && ref->count())
      args.fail("a result has no place in the memory plan");
  Step step;
  step.slot = op;
  if (reference) {
    step.kernel = makeReferenceKernel(args);
    step.args = std::move(args);
    return step;
  }
  if (backend == Backend::Fast) {
    args.variant = choice.variant;
    omp_set_num_threads(choice.threads ? choice.threads : threads);
    step.kernel = makeOneDNNKernel(args);
    // A variant another shape chose may not apply at this one.
    if (!step.kernel && args.variant) {
      args.variant = 0;
      step.kernel = makeOneDNNKernel(args);
    }
    omp_set_num_threads(threads);
    step.onednn = step.kernel != nullptr;
  }
  if (!step.kernel) {
    auto plain = [](const TensorRef *t) {
      return !t || t->layout == Layout::plain || t->layoutNeutral();
    };
    bool allPlain =
        std::all_of(args.inputs.begin(), args.inputs.end(), plain) &&
        std::all_of(args.outputs.begin(), args.outputs.end(), plain);
    step.kernel =
        allPlain ? makeReferenceKernel(args) : makePlainFallback(args);
  }
  step.args = std::move(args);
  return step;
}

void PreparedPlan::build(std::shared_ptr<Arena> arena, BackendState *state,
                         int threadCount, bool tune, const PreparedPlan *like) {
  memory = std::move(arena);
  backendState = state;
  threads = threadCount;
  uint8_t *base = memory->data();
  for (size_t t = 0; t < tensors.size(); ++t)
    if (!tensors[t].constant && plan.offsets[t] >= 0)
      tensors[t].data = base + plan.offsets[t];
  for (Version &version : versions)
    version.ref.data = version.extra < 0 ? tensors[version.tensor].data
                       : extras[version.extra].offset >= 0
                           ? base + extras[version.extra].offset
                           : nullptr;

  const format::Model &graph = model.graph();
  const auto &ops = *graph.ops();
  // A batch's first ops run item by item, as its items' plan runs them:
  // they take that plan's choices. The ops on the whole batch are tuned at
  // the batch (fcn_resnet50's run 10-15% faster at batch 8 with their own).
  // A plan like one that is a batch as it is or not (another lane's at this
  // shape, or one at another size or batch size) takes all of its choices; but
  // an op that ran on one thread at a smaller size may not be short at this
  // one: it takes the plan's threads.
  bool twin = like && like->batched() == batched();
  opChoices.assign(ops.size(), Choice());
  if (twin) {
    opChoices = like->opChoices;
    for (size_t i = 0; i < ops.size(); ++i) {
      int32_t out = ops[i]->outputs()->Get(0);
      if (like->tensors[out].count() < tensors[out].count())
        opChoices[i].threads = 0;
    }
  } else if (like)
    std::copy(like->opChoices.begin(), like->opChoices.begin() + itemOps,
              opChoices.begin());
  // The conversions into each op's copies run just before it.
  copiesBefore.assign(ops.size(), {});
  for (Version &version : versions)
    if (version.extra >= 0)
      copiesBefore[extras[version.extra].first].push_back(&version);
  // The caller's tensors are plain: the copies in and out convert.
  callerInputs.resize(graph.inputs()->size());
  callerOutputs.resize(graph.outputs()->size());
  for (size_t i = 0; i < callerInputs.size(); ++i) {
    callerInputs[i] = tensors[graph.inputs()->Get(i)->tensor()];
    callerInputs[i].layout = Layout::plain;
    callerInputs[i].data = nullptr;
  }
  for (size_t i = 0; i < callerOutputs.size(); ++i) {
    callerOutputs[i] = tensors[graph.outputs()->Get(i)];
    callerOutputs[i].layout = Layout::plain;
    callerOutputs[i].data = nullptr;
  }
  // Tuning times each op's kernels alone: pairs are fused after it.
  bool tuning = backend == Backend::Fast && tune;
  makeSteps(backend == Backend::Fast && convChains == ConvChains::Always &&
                !twin,
            !tuning);
  if (backendState)
    backendState->prepare();
  if (!tuning)
    return;

  // A first run on zero inputs warms up (and takes the first-touch costs).
  for (const format::Input *input : *graph.inputs()) {
    TensorRef &ref = tensors[input->tensor()];
    std::memset(ref.data, 0, ref.bytes());
  }
  std::vector<double> seconds(steps.size(), INFINITY);
  bool tuneHere = runAll(steps, seconds) && !twin;
  tunedHere = tuneHere;
  double warmUp = 0;
  for (double s : seconds)
    warmUp += s;
  if (tuneHere) {
    tuneKernels(seconds);
    if (convChains == ConvChains::Tuned)
      tuneChains();
  }
  if (fuseSteps()) {
    backendState->prepare();
    // The fused kernels' first run (their code, their weights), before the
    // first prediction's.
    seconds.assign(steps.size(), INFINITY);
    runAll(steps, seconds);
  }
  if (tuneHere)
    tuneThreads(warmUp);
  omp_set_num_threads(threads);
}

bool PreparedPlan::batched() const {
  int32_t batch = model.graph().batch_symbol();
  return batch >= 0 && plan.symbolValues[batch] > 1;
}

void PreparedPlan::makeSteps(bool chainAll, bool fuse) {
  const format::Model &graph = model.graph();
  const auto &ops = *graph.ops();
  steps.clear();
  for (size_t i = itemOps; i < ops.size(); ++i) {
    for (Version *version : copiesBefore[i])
      steps.push_back(
          copyStep(ops[i], &tensors[version->tensor], &version->ref));
    KernelArgs args;
    args.op = ops[i];
    args.exprValues = &plan.exprValues;
    args.threads = threads;
    args.backend = backendState;
    args.inputs = operands[i];
    for (int32_t t : *ops[i]->outputs())
      args.outputs.push_back(&tensors[t]);
    steps.push_back(opStep(i, std::move(args), opChoices[i]));
  }
  if (chainAll)
    markChains();
  applyChains(steps);
  itemSteps.clear();
  if (itemOps) {
    itemSteps = makeItemSteps(false);
    std::map<size_t, std::shared_ptr<Kernel>> chains;
    for (std::vector<Step> &item : itemSteps)
      applyChains(item, &chains);
  }
  if (fuse)
    fuseSteps();
  copyIn.clear();
  copyOut.clear();
  for (size_t i = 0; i < callerInputs.size(); ++i)
    copyIn.push_back(copyStep(nullptr, &callerInputs[i],
                              &tensors[graph.inputs()->Get(i)->tensor()]));
  for (size_t i = 0; i < callerOutputs.size(); ++i)
    copyOut.push_back(copyStep(nullptr, &tensors[graph.outputs()->Get(i)],
                               &callerOutputs[i]));
}

void PreparedPlan::tuneThreads(double warmUpSeconds) {
  // A small network can lose more to its threads meeting at the end of
  // every op than they gain it (shufflenet_v2_x1_0 at 224: 2.9 ms on one
  // thread, 3.5-3.9 ms on two, its ops 5-40 us each; ONNX Runtime gains
  // nothing from a second thread either): the whole plan on one thread is
  // timed against it, in whole runs, and kept where it is clearly faster.
  // Only short runs are tried (a network of longer ops
  // gains from every thread), only plans without item-by-item ops, and
  // only without custom layers (their instances are made once).
  constexpr double kShortRun = 10e-3;
  if (threads == 1 || itemOps || warmUpSeconds > 2 * kShortRun)
    return;
  for (const Step &step : steps)
    if (step.args.op &&
        step.args.op->params_type() == format::OpParams::CustomParams)
      return;
  auto wholeRun = [&](std::vector<Step> &list) {
    std::vector<double> ignored(list.size(), INFINITY);
    Clock::time_point start = Clock::now();
    if (!runAll(list, ignored))
      return double(INFINITY);
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  double several = wholeRun(steps);
  if (!(several < kShortRun))
    return;
  std::vector<Step> severalSteps = steps, severalIn = copyIn,
                    severalOut = copyOut;
  std::vector<Choice> severalChoices = opChoices;
  int severalThreads = threads;
  threads = 1;
  omp_set_num_threads(1);
  for (Choice &choice : opChoices)
    choice.threads = 0;
  makeSteps(false);
  backendState->prepare();
  // Not in turns: after a run on several threads the others spin for a
  // while, and a run on one thread next to them is slower than it is once
  // they sleep (as they do when a session runs on one thread only).
  double one = INFINITY;
  for (int round = 0; round < 4; ++round)
    one = std::min(one, wholeRun(steps));
  omp_set_num_threads(severalThreads);
  for (int round = 0; round < 3; ++round)
    several = std::min(several, wholeRun(severalSteps));
  if (one < 0.95 * several) {
    // Runs on one thread until the others, spinning after the runs on
    // several, sleep: the first prediction would otherwise run next to them
    // (shufflenet_v2_x0_5 on two threads: first 1.4 ms against 1.14 warm).
    omp_set_num_threads(1);
    for (int round = 0; round < 3; ++round)
      wholeRun(steps);
    return;
  }
  threads = severalThreads;
  omp_set_num_threads(threads);
  steps = std::move(severalSteps);
  copyIn = std::move(severalIn);
  copyOut = std::move(severalOut);
  opChoices = std::move(severalChoices);
}

std::vector<std::vector<PreparedPlan::Step>>
PreparedPlan::makeItemSteps(bool reference) {
  // Item i of a tensor: its own buffer when it lives within one item's
  // turn, else the i-th of `items` equal slices (the batch dim is
  // outermost in either layout).
  uint8_t *base = memory->data();
  std::map<std::pair<const TensorRef *, int64_t>, TensorRef *> views;
  auto viewOf = [&](TensorRef *ref, uint32_t t,
                    const std::vector<int64_t> *offsets,
                    int64_t item) -> TensorRef * {
    TensorRef *&result = views[{ref, item}];
    if (!result) {
      TensorRef one = *ref;
      one.dims = itemDims[t];
      one.data = !offsets->empty()
                     ? base + (*offsets)[item]
                     : static_cast<uint8_t *>(ref->data) +
                           item * (ref->bytes() / static_cast<size_t>(items));
      if (reference)
        one.layout = Layout::plain;
      itemViews.push_back(std::move(one));
      result = &itemViews.back();
    }
    return result;
  };
  auto tensorView = [&](TensorRef *ref, int64_t item) -> TensorRef * {
    if (!ref || ref->constant)
      return ref;
    size_t t = ref - tensors.data();
    return viewOf(ref, t, &itemOffsets[t], item);
  };
  auto versionView = [&](Version &version, int64_t item) {
    const std::vector<int64_t> &offsets =
        version.extra >= 0 ? extraItemOffsets[version.extra]
                           : itemOffsets[version.tensor];
    return viewOf(&version.ref, version.tensor, &offsets, item);
  };
  std::map<const TensorRef *, Version *> versionOf;
  for (Version &version : versions)
    versionOf[&version.ref] = &version;

  const auto &ops = *model.graph().ops();
  std::vector<std::vector<Step>> result(items);
  for (int64_t item = 0; item < items; ++item)
    for (size_t i = 0; i < itemOps; ++i) {
      KernelArgs args;
      args.op = ops[i];
      args.exprValues = &itemExprValues;
      args.threads = threads;
      args.backend = reference ? nullptr : backendState;
      if (!reference)
        for (Version *version : copiesBefore[i])
          result[item].push_back(
              copyStep(ops[i], tensorView(&tensors[version->tensor], item),
                       versionView(*version, item)));
      for (size_t k = 0; k < operands[i].size(); ++k) {
        int32_t t = ops[i]->inputs()->Get(k);
        TensorRef *ref = reference && t >= 0 ? &tensors[t] : operands[i][k];
        auto version = versionOf.find(ref);
        args.inputs.push_back(version != versionOf.end()
                                  ? versionView(*version->second, item)
                                  : tensorView(ref, item));
      }
      for (int32_t t : *ops[i]->outputs())
        args.outputs.push_back(tensorView(&tensors[t], item));
      // Item 0's kernel serves every item when it takes its tensors'
      // addresses at each run: making a oneDNN kernel takes far longer
      // than running it on a small image.
      size_t index = result[item].size();
      if (item > 0 && !reference && result[0][index].kernel->rebinds()) {
        Step step;
        step.kernel = result[0][index].kernel;
        step.slot = i;
        step.onednn = result[0][index].onednn;
        step.args = std::move(args);
        result[item].push_back(std::move(step));
        continue;
      }
      result[item].push_back(
          opStep(i, std::move(args), opChoices[i], reference));
    }
  return result;
}

bool PreparedPlan::runAll(std::vector<Step> &list,
                          std::vector<double> &seconds) {
  try {
    for (std::vector<Step> &item : itemSteps)
      for (Step &step : item)
        step.kernel->run(step.args);
    for (size_t i = 0; i < list.size(); ++i) {
      // A plugin's custom layer sees only predictions.
      if (list[i].args.op &&
          list[i].args.op->params_type() == format::OpParams::CustomParams)
        continue;
      Clock::time_point start = Clock::now();
      list[i].kernel->run(list[i].args);
      seconds[i] = std::min(
          seconds[i],
          std::chrono::duration<double>(Clock::now() - start).count());
    }
    return true;
  } catch (const Error &) {
    return false;
  }
}

void PreparedPlan::tuneKernels(const std::vector<double> &warmUpSeconds) {
  // Each oneDNN kernel's alternatives: its variants (Winograd's algorithm
  // for a 3x3 convolution, and on several threads its row parts side by
  // side), else, for a short op, one thread, which may lose less to
  // splitting than it gains. Each is timed in whole runs, with the weights
  // and activations in the caches as a prediction finds them, the defaults
  // and each set of alternatives (every op's k-th) taking turns; the
  // fastest stays where it is clearly faster than the default.
  constexpr double kShort = 250e-6;
  // The warm-up's times tell the short ops; the turns time them all, each
  // op's fastest turn counting: two each, three for a short run. With one,
  // a hiccup of the machine in one turn made every alternative of its set
  // look slow (resnet50 at 448 on two threads kept the direct kernel for
  // 1-3 of its 13 stride-1 3x3 convolutions in 3 sessions of 5; with two,
  // in none of 5).
  std::vector<double> seconds = warmUpSeconds;
  double runSeconds = 0;
  for (double s : seconds)
    runSeconds += s;
  int rounds = runSeconds < 0.1 ? 3 : 2;
  size_t opCount = opChoices.size();
  struct Alternative {
    Step step;
    Choice choice;
    double seconds = INFINITY;
  };
  std::vector<std::vector<Alternative>> alternatives(steps.size());
  size_t sets = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    Step &step = steps[i];
    if (!step.onednn || step.slot >= opCount)
      continue;
    for (int variant = 1; variant <= kMaxVariant; ++variant) {
      Choice choice{variant, 0};
      Step made = opStep(step.slot, step.args, choice);
      if (made.onednn && made.args.variant == variant)
        alternatives[i].push_back({std::move(made), choice});
    }
    if (alternatives[i].empty() && threads > 1 && seconds[i] < kShort) {
      Choice choice{0, 1};
      alternatives[i].push_back({opStep(step.slot, step.args, choice), choice});
    }
    sets = std::max(sets, alternatives[i].size());
  }
  if (!sets)
    return;
  backendState->prepare();
  auto swap = [&](size_t set) {
    for (size_t i = 0; i < steps.size(); ++i)
      if (set < alternatives[i].size())
        std::swap(steps[i].kernel, alternatives[i][set].step.kernel);
  };
  std::vector<double> setSeconds(steps.size());
  seconds.assign(steps.size(), INFINITY);
  for (int round = 0; round < rounds; ++round) {
    for (size_t set = 0; set < sets; ++set) {
      setSeconds.assign(steps.size(), INFINITY);
      swap(set);
      bool ran = runAll(steps, setSeconds);
      swap(set);
      if (!ran)
        return;
      for (size_t i = 0; i < steps.size(); ++i)
        if (set < alternatives[i].size())
          alternatives[i][set].seconds =
              std::min(alternatives[i][set].seconds, setSeconds[i]);
    }
    if (!runAll(steps, seconds))
      return;
  }
  bool kept = false;
  for (size_t i = 0; i < steps.size(); ++i) {
    Alternative *best = nullptr;
    for (Alternative &alternative : alternatives[i])
      if (alternative.seconds < 0.95 * seconds[i] &&
          (!best || alternative.seconds < best->seconds))
        best = &alternative;
    if (best) {
      steps[i] = std::move(best->step);
      opChoices[steps[i].slot] = best->choice;
      kept = true;
    }
  }
  alternatives.clear();
  // A last run leaves the kept kernels' code and weights where the first
  // prediction will look for them.
  if (kept)
    runAll(steps, seconds);
}

bool PreparedPlan::chainLink(const std::vector<Step> &list, size_t i) const {
  if (i + 1 >= list.size())
    return false;
  const Step &from = list[i], &to = list[i + 1];
  auto isConv = [&](const Step &step) {
    if (!step.onednn || step.slot >= opChoices.size() ||
        step.args.op->params_type() != format::OpParams::ConvParams)
      return false;
    // The direct algorithm by whichever implementation: a chain makes its
    // own primitives for its bands.
    const Choice &choice = opChoices[step.slot];
    return (choice.variant == kConvDefault ||
            choice.variant == kConvNextImplementation ||
            choice.variant == kConvAVX2) &&
           choice.threads == 0;
  };
  if (!isConv(from) || !isConv(to) || to.slot != from.slot + 1 ||
      from.args.input(3) || to.args.input(0) != from.args.outputs[0])
    return false;
  int32_t t = from.args.op->outputs()->Get(0);
  return readers[t] == 1;
}

void PreparedPlan::applyChains(
    std::vector<Step> &list,
    std::map<size_t, std::shared_ptr<Kernel>> *shared) {
  std::vector<Step> result;
  for (size_t i = 0; i < list.size(); ++i) {
    size_t length = 0;
    if (list[i].slot < opChoices.size())
      length = opChoices[list[i].slot].chained;
    for (size_t k = 0; k < length; ++k)
      if (!chainLink(list, i + k))
        length = 0;
    if (!length) {
      result.push_back(std::move(list[i]));
      continue;
    }
    std::vector<KernelArgs> stages;
    for (size_t k = 0; k <= length; ++k)
      stages.push_back(list[i + k].args);
    Step step;
    step.slot = list[i].slot;
    step.args = convChainArgs(stages);
    std::shared_ptr<Kernel> *kernel =
        shared ? &(*shared)[step.slot] : nullptr;
    if (kernel && *kernel) {
      step.kernel = *kernel;
    } else {
      // A band's rows take half a core's L2 cache at most.
      step.kernel = makeOneDNNConvChain(stages, coreL2Bytes() / 2);
      if (kernel)
        *kernel = step.kernel;
    }
    if (!step.kernel) {
      // oneDNN cannot run it so at this shape: op by op.
      opChoices[step.slot].chained = 0;
      result.push_back(std::move(list[i]));
      continue;
    }
    result.push_back(std::move(step));
    i += length;
  }
  list = std::move(result);
}

namespace {
/// Two ops, the second reading the first's output, run by one kernel.
struct PairFusion {
  format::OpParams first, second;
  std::unique_ptr<Kernel> (*make)(const KernelArgs &, const KernelArgs &);
  KernelArgs (*args)(const KernelArgs &, const KernelArgs &);
  /// Whether a profile shows the pair on the second op (the one whose
  /// work the kernel does) rather than the first.
  bool onSecond;
  /// Whether other ops may read the first's output too (the kernel writes
  /// it); otherwise the second must be its only reader.
  bool firstOutputShared;
};
const PairFusion kPairFusions[] = {
    {format::OpParams::ConcatParams, format::OpParams::BatchNormParams,
     makeOneDNNConcatNorm, concatNormArgs, false, false},
    {format::OpParams::BinaryParams, format::OpParams::ConvParams,
     makeOneDNNScaledConv, scaledConvArgs, true, false},
    {format::OpParams::ConvParams, format::OpParams::GlobalPoolParams,
     makeOneDNNConvPool, convPoolArgs, false, true},
};
} // namespace

bool PreparedPlan::fuseSteps() {
  size_t before = steps.size();
  fusePairs(steps);
  std::map<size_t, std::shared_ptr<Kernel>> pairs;
  for (std::vector<Step> &item : itemSteps)
    fusePairs(item, &pairs);
  // `pairs` also holds the pairs tried and refused (nullptr).
  return steps.size() != before ||
         std::any_of(pairs.begin(), pairs.end(),
                     [](const auto &pair) { return pair.second != nullptr; });
}

void PreparedPlan::fusePairs(
    std::vector<Step> &list,
    std::map<size_t, std::shared_ptr<Kernel>> *shared) const {
  auto runs = [](const Step &step, format::OpParams type) {
    return step.onednn && step.args.op->params_type() == type;
  };
  std::vector<Step> result;
  for (size_t i = 0; i < list.size(); ++i) {
    std::shared_ptr<Kernel> kernel;
    const PairFusion *fusion = nullptr;
    if (i + 1 < list.size())
      for (const PairFusion &candidate : kPairFusions)
        if (runs(list[i], candidate.first) &&
            runs(list[i + 1], candidate.second) &&
            (candidate.firstOutputShared ||
             readers[list[i].args.op->outputs()->Get(0)] == 1))
          fusion = &candidate;
    if (fusion) {
      std::shared_ptr<Kernel> *made =
          shared ? &(*shared)[list[i].slot] : nullptr;
      if (made && *made) {
        kernel = *made;
      } else {
        // Its primitives run on the threads tuning chose for the op whose
        // work it does.
        const Choice &choice =
            opChoices[list[i + (fusion->onSecond ? 1 : 0)].slot];
        omp_set_num_threads(choice.threads ? choice.threads : threads);
        kernel = fusion->make(list[i].args, list[i + 1].args);
        omp_set_num_threads(threads);
      }
      if (made)
        *made = kernel;
    }
    if (!kernel) {
      result.push_back(std::move(list[i]));
      continue;
    }
    Step step;
    step.slot = list[i + (fusion->onSecond ? 1 : 0)].slot;
    step.args = fusion->args(list[i].args, list[i + 1].args);
    step.kernel = std::move(kernel);
    result.push_back(std::move(step));
    ++i;
  }
  list = std::move(result);
}

std::vector<size_t> PreparedPlan::markChains() {
  std::vector<size_t> firsts;
  for (size_t i = 0; i < steps.size(); ++i) {
    size_t length = 0;
    while (chainLink(steps, i + length))
      ++length;
    if (length) {
      opChoices[steps[i].slot].chained = static_cast<int>(length);
      firsts.push_back(i);
    }
    i += length;
  }
  return firsts;
}

void PreparedPlan::tuneChains() {
  // Each longest chain, as one kernel, against its Convs op by op: a chain
  // saves the memory traffic of the tensors between them where those
  // outgrow the caches (mobilenet_v2's first blocks), and loses to the
  // bands' overhead where they do not.
  //
  // Measured on mobilenet_v2 (docs/performance.md, 1 MB of L2 per core):
  // chains gained 5-36% where the widest tensor between their convs took
  // 4.8 MB or more per image, and lost 5-30% where it took 2.4 MB or less;
  // the small ones are not tried, which also spares tuning runs.
  const uint64_t minChainedBytes = 4 * coreL2Bytes();
  std::vector<size_t> firsts;
  for (size_t first : markChains()) {
    int &length = opChoices[steps[first].slot].chained;
    size_t widest = 0;
    for (int k = 0; k < length; ++k) {
      const TensorRef &between = *steps[first + k].args.outputs[0];
      widest = std::max(widest, between.bytes() / between.dim(0));
    }
    if (widest < minChainedBytes)
      length = 0;
    else
      firsts.push_back(first);
  }
  if (firsts.empty())
    return;
  std::vector<Step> chained = steps;
  applyChains(chained);
  if (chained.size() == steps.size())
    return;
  // A chain stages a copy of its input where its output overlaps it.
  backendState->prepare();
  std::vector<double> seconds(steps.size(), INFINITY),
      chainedSeconds(chained.size(), INFINITY);
  for (int round = 0; round < 2; ++round)
    if (!runAll(chained, chainedSeconds) || !runAll(steps, seconds)) {
      for (size_t first : firsts)
        opChoices[steps[first].slot].chained = 0;
      return;
    }
  // Each chain's step against the sum of its ops' steps.
  std::map<size_t, std::shared_ptr<Kernel>> kept;
  for (size_t i = 0, k = 0; k < chained.size(); ++k, ++i) {
    size_t slot = chained[k].slot;
    int length = slot < opChoices.size() ? opChoices[slot].chained : 0;
    if (!length)
      continue;
    double apart = 0;
    for (int j = 0; j <= length; ++j)
      apart += seconds[i + j];
    if (chainedSeconds[k] < 0.95 * apart)
      kept[slot] = chained[k].kernel;
    else
      opChoices[slot].chained = 0;
    i += length;
  }
  if (kept.empty())
    return;
  applyChains(steps, &kept);
  runAll(steps, seconds);
}

void PreparedPlan::makeReferenceSteps() {
  plainTensors = tensors;
  for (TensorRef &ref : plainTensors)
    ref.layout = Layout::plain;
  const auto &ops = *model.graph().ops();
  for (size_t i = itemOps; i < ops.size(); ++i) {
    KernelArgs args;
    args.op = ops[i];
    args.exprValues = &plan.exprValues;
    args.threads = threads;
    for (int32_t t : *ops[i]->inputs())
      args.inputs.push_back(t >= 0 ? &plainTensors[t] : nullptr);
    for (int32_t t : *ops[i]->outputs())
      args.outputs.push_back(&plainTensors[t]);
    referenceSteps.push_back(opStep(i, std::move(args), {}, true));
  }
  if (itemOps)
    referenceItemSteps = makeItemSteps(true);
}

void PreparedPlan::run(const std::vector<const Tensor *> &inputs,
                       bool reference, TensorMap &outputs,
                       std::vector<OpProfile> *profile) {
  using Clock = std::chrono::steady_clock;
  size_t copySlot = model.graph().ops()->size() + kCopySlot;
  Clock::time_point start;
  auto begin = [&] {
    if (profile)
      start = Clock::now();
  };
  auto end = [&](size_t slot) {
    if (!profile)
      return;
    OpProfile &entry = (*profile)[slot];
    entry.milliseconds +=
        std::chrono::duration<double, std::milli>(Clock::now() - start)
            .count();
    ++entry.runs;
  };
  auto runStep = [&](Step &step) {
    begin();
    step.kernel->run(step.args);
    end(step.slot);
    if (profile && step.slot < copySlot - kCopySlot)
      (*profile)[step.slot].kernel = step.kernel->implementation();
  };
  auto runSteps = [&](std::vector<std::vector<Step>> &perItem,
                      std::vector<Step> &rest) {
    for (std::vector<Step> &item : perItem)
      for (Step &step : item)
        runStep(step);
    for (Step &step : rest)
      runStep(step);
  };

  if (reference && backend == Backend::Fast && referenceSteps.empty())
    makeReferenceSteps();
  // The reference kernels read and write every tensor plain.
  bool plain = reference || backend != Backend::Fast;
  begin();
  for (size_t i = 0; i < copyIn.size(); ++i) {
    Step &step = copyIn[i];
    callerInputs[i].data = const_cast<void *>(inputs[i]->data());
    if (step.kernel && !plain)
      step.kernel->run(step.args);
    else
      std::memcpy(step.args.outputs[0]->data, inputs[i]->data(),
                  inputs[i]->byteSize());
  }
  end(copySlot);
  if (plain && backend == Backend::Fast)
    runSteps(referenceItemSteps, referenceSteps);
  else
    runSteps(itemSteps, steps);
  begin();
  const auto &infos = model.outputs();
  for (size_t i = 0; i < copyOut.size(); ++i) {
    const TensorRef &result = *copyOut[i].args.inputs[0];
    Tensor &out = outputs[infos[i].name];
    reuseOrMake(out, result.type, result.dims);
    callerOutputs[i].data = out.data();
    Step &step = copyOut[i];
    if (step.kernel && !plain)
      step.kernel->run(step.args);
    else
      std::memcpy(out.data(), result.data, out.byteSize());
  }
  end(copySlot);
}

} // namespace mlc::rt
