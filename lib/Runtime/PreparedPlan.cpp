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
#include <sys/mman.h>

namespace mlc::rt {

void Arena::FreeAligned::operator()(void *p) const { std::free(p); }

Arena::Arena(uint64_t size) : bytes(size) {
  // Never empty. A large arena takes whole huge pages: the kernels sweep
  // it, and fewer TLB misses and a physically contiguous layout make their
  // times steady from one process to the next.
  constexpr size_t kHugePage = size_t(2) << 20;
  size_t alignment = size >= kHugePage ? kHugePage : 64;
  size_t allocated = (size + alignment) / alignment * alignment;
  memory.reset(std::aligned_alloc(alignment, allocated));
  if (!memory)
    throw Error("out of memory allocating a " + std::to_string(allocated) +
                "-byte arena");
  if (alignment == kHugePage)
    madvise(memory.get(), allocated, MADV_HUGEPAGE);
  std::memset(memory.get(), 0, allocated);
}

PreparedPlan::~PreparedPlan() = default;

PreparedPlan::PreparedPlan(const Model &model, PlanData planData,
                           Backend backend)
    : model(model), plan(std::move(planData)), backend(backend) {
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
  placeExtraBuffers(graph, plan, extras);
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

void PreparedPlan::build(std::shared_ptr<Arena> arena,
                         BackendState *state, int threadCount, bool tune) {
  memory = std::move(arena);
  backendState = state;
  threads = threadCount;
  uint8_t *base = memory->data();
  for (size_t t = 0; t < tensors.size(); ++t)
    if (!tensors[t].constant && plan.offsets[t] >= 0)
      tensors[t].data = base + plan.offsets[t];
  for (Version &version : versions)
    version.ref.data = version.extra >= 0
                           ? base + extras[version.extra].offset
                           : tensors[version.tensor].data;

  const format::Model &graph = model.graph();
  const auto &ops = *graph.ops();
  // The conversions into each op's copies run just before it.
  std::vector<std::vector<Version *>> copiesBefore(ops.size());
  for (Version &version : versions)
    if (version.extra >= 0)
      copiesBefore[extras[version.extra].first].push_back(&version);
  for (size_t i = 0; i < ops.size(); ++i) {
    for (Version *version : copiesBefore[i])
      steps.push_back(
          copyStep(ops[i], &tensors[version->tensor], &version->ref));
    Step step;
    step.slot = i;
    KernelArgs &args = step.args;
    args.op = ops[i];
    args.exprValues = &plan.exprValues;
    args.threads = threads;
    args.backend = backendState;
    args.inputs = operands[i];
    for (int32_t t : *ops[i]->outputs())
      args.outputs.push_back(&tensors[t]);
    for (TensorRef *ref : args.inputs)
      if (ref && !ref->data && ref->count())
        args.fail("an operand has no place in the memory plan");
    for (TensorRef *ref : args.outputs)
      if (!ref->data && ref->count())
        args.fail("a result has no place in the memory plan");
    if (backend == Backend::Fast) {
      step.kernel = makeOneDNNKernel(args);
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
    steps.push_back(std::move(step));
  }

  // The caller's tensors are plain: the copies in and out convert.
  callerInputs.resize(graph.inputs()->size());
  callerOutputs.resize(graph.outputs()->size());
  for (size_t i = 0; i < callerInputs.size(); ++i) {
    TensorRef &input = tensors[graph.inputs()->Get(i)->tensor()];
    callerInputs[i] = input;
    callerInputs[i].layout = Layout::plain;
    callerInputs[i].data = nullptr;
    copyIn.push_back(copyStep(nullptr, &callerInputs[i], &input));
  }
  for (size_t i = 0; i < callerOutputs.size(); ++i) {
    TensorRef &output = tensors[graph.outputs()->Get(i)];
    callerOutputs[i] = output;
    callerOutputs[i].layout = Layout::plain;
    callerOutputs[i].data = nullptr;
    copyOut.push_back(copyStep(nullptr, &output, &callerOutputs[i]));
  }
  if (backendState)
    backendState->prepare();
  if (backend == Backend::Fast && tune)
    warmUpAndTune();
}

void PreparedPlan::warmUpAndTune() {
  using Clock = std::chrono::steady_clock;
  // Runs every step in order, as a prediction does (on zero inputs, or on
  // what the last run left: any values time the same), keeping each step's
  // fastest time so far.
  // Custom layers are left out: a plugin's layer sees only predictions.
  std::vector<double> seconds(steps.size(), INFINITY);
  auto runAll = [&](std::vector<double> &times) {
    for (size_t i = 0; i < steps.size(); ++i) {
      if (steps[i].args.op &&
          steps[i].args.op->params_type() == format::OpParams::CustomParams)
        continue;
      Clock::time_point start = Clock::now();
      steps[i].kernel->run(steps[i].args);
      times[i] = std::min(
          times[i],
          std::chrono::duration<double>(Clock::now() - start).count());
    }
  };
  try {
    for (const format::Input *input : *model.graph().inputs()) {
      TensorRef &ref = tensors[input->tensor()];
      std::memset(ref.data, 0, ref.bytes());
    }
    // The first run warms up (and takes the first-touch costs).
    runAll(seconds);
    seconds.assign(steps.size(), INFINITY);
  } catch (const Error &) {
    // A custom layer may refuse zeros: the plan runs all the same.
    return;
  }

  // Each oneDNN kernel's alternative: its variant when it has one
  // (Winograd's algorithm for a 3x3 convolution), else, for a short op,
  // one thread, which may lose less to splitting than it gains. Each is
  // timed in whole runs, with the weights and activations in the caches
  // as a prediction finds them, the defaults and the alternatives taking
  // turns; an alternative stays where it is clearly faster.
  constexpr double kShort = 250e-6;
  runAll(seconds);
  std::vector<std::unique_ptr<Kernel>> alternatives(steps.size());
  std::vector<int> variants(steps.size(), 0);
  bool any = false;
  for (size_t i = 0; i < steps.size(); ++i) {
    Step &step = steps[i];
    if (!step.onednn)
      continue;
    KernelArgs args = step.args;
    for (int variant = 1; variant <= kMaxVariant && !alternatives[i];
         ++variant) {
      args.variant = variant;
      alternatives[i] = makeOneDNNKernel(args);
      variants[i] = variant;
    }
    if (!alternatives[i] && threads > 1 && seconds[i] < kShort) {
      args.variant = 0;
      omp_set_num_threads(1);
      alternatives[i] = makeOneDNNKernel(args);
      omp_set_num_threads(threads);
      variants[i] = 0;
    }
    any |= alternatives[i] != nullptr;
  }
  if (!any)
    return;
  backendState->prepare();
  std::vector<double> alternativeSeconds(steps.size(), INFINITY);
  auto swap = [&] {
    for (size_t i = 0; i < steps.size(); ++i)
      if (alternatives[i])
        std::swap(steps[i].kernel, alternatives[i]);
  };
  for (int round = 0; round < 2; ++round) {
    swap();
    runAll(alternativeSeconds);
    swap();
    if (round == 0)
      runAll(seconds);
  }
  for (size_t i = 0; i < steps.size(); ++i)
    if (alternatives[i] && alternativeSeconds[i] < 0.95 * seconds[i]) {
      steps[i].kernel = std::move(alternatives[i]);
      steps[i].args.variant = variants[i];
    }
  omp_set_num_threads(threads);
}

void PreparedPlan::makeReferenceSteps() {
  plainTensors = tensors;
  for (TensorRef &ref : plainTensors)
    ref.layout = Layout::plain;
  const auto &ops = *model.graph().ops();
  for (size_t i = 0; i < ops.size(); ++i) {
    Step step;
    step.slot = i;
    KernelArgs &args = step.args;
    args.op = ops[i];
    args.exprValues = &plan.exprValues;
    args.threads = threads;
    for (int32_t t : *ops[i]->inputs())
      args.inputs.push_back(t >= 0 ? &plainTensors[t] : nullptr);
    for (int32_t t : *ops[i]->outputs())
      args.outputs.push_back(&plainTensors[t]);
    step.kernel = makeReferenceKernel(args);
    referenceSteps.push_back(std::move(step));
  }
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
  for (Step &step :
       plain && backend == Backend::Fast ? referenceSteps : steps) {
    begin();
    step.kernel->run(step.args);
    end(step.slot);
    if (profile && step.slot < copySlot - kCopySlot)
      (*profile)[step.slot].kernel = step.kernel->implementation();
  }
  begin();
  const auto &infos = model.outputs();
  for (size_t i = 0; i < copyOut.size(); ++i) {
    const TensorRef &result = *copyOut[i].args.inputs[0];
    Tensor &out = outputs[infos[i].name];
    if (out.type() != result.type || out.shape() != result.dims)
      out = Tensor(result.type, result.dims);
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
