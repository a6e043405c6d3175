//===- Common.cpp - What the oneDNN kernels share -------------------------===//

#include "OneDNN.h"

#include <cmath>
#include <cstring>
#include <omp.h>

namespace mlc::rt::onednn {

dnnl::engine &engine() {
  static dnnl::engine instance(dnnl::engine::kind::cpu, 0);
  return instance;
}

dnnl::stream &stream() {
  // oneDNN's streams are not for several threads at once: a session's
  // threads running a batch's parts, or a Conv chain's bands, each have one.
  thread_local dnnl::stream instance(engine());
  return instance;
}

bool isF32(const TensorRef *t, size_t minRank, size_t maxRank) {
  if (!t || t->type != ElementType::f32 || !t->data || t->rank() < minRank ||
      t->rank() > maxRank)
    return false;
  int64_t count = 1;
  for (int64_t d : t->dims) {
    if (d < 1 || d >= kMaxDim)
      return false;
    count *= d;
    if (count >= (int64_t(1) << 40))
      return false;
  }
  return true;
}

bool hasOperands(const KernelArgs &args, size_t required, size_t total) {
  if (args.inputs.size() < required || args.inputs.size() > total ||
      args.outputs.size() != 1 || !args.outputs[0])
    return false;
  for (size_t i = 0; i < required; ++i)
    if (!args.inputs[i])
      return false;
  return true;
}

bool windowParam(std::vector<int64_t> &values, size_t spatial, int64_t fill,
                 int64_t min) {
  if (values.empty())
    values.assign(spatial, fill);
  if (values.size() != spatial)
    return false;
  for (int64_t v : values)
    if (v < min || v >= kMaxDim)
      return false;
  return true;
}

dnnl::memory::desc layoutDesc(const dims &d, Layout layout) {
  return dnnl::memory::desc(d, dnnl::memory::data_type::f32,
                            layoutStrides(d, layout));
}

dims layoutStrides(const dims &d, Layout layout) {
  size_t rank = d.size();
  dims strides(rank, 1);
  if (layout == Layout::channelsLast && rank >= 3 && rank <= 5) {
    // N, then the spatial dims, then C innermost.
    int64_t stride = d[1];
    for (size_t i = rank; i-- > 2;) {
      strides[i] = stride;
      stride *= d[i];
    }
    strides[0] = stride;
  } else {
    for (size_t i = rank; i-- > 1;)
      strides[i - 1] = strides[i] * d[i];
  }
  return strides;
}

bool overlaps(const TensorRef &a, const TensorRef &b) {
  auto *p = static_cast<const uint8_t *>(a.data),
       *q = static_cast<const uint8_t *>(b.data);
  return p < q + b.bytes() && q < p + a.bytes();
}

dnnl::memory userMemory(const TensorRef &t) { return userMemory(t, t.dims); }

dnnl::memory userMemory(const TensorRef &t, const dims &d) {
  return dnnl::memory(layoutDesc(d, t.layout), engine(), t.data);
}

bool appendActivation(dnnl::post_ops &ops, const format::Activation *act) {
  if (!act)
    return true;
  using alg = dnnl::algorithm;
  float alpha = act->alpha(), beta = act->beta();
  switch (act->kind()) {
  case format::ActivationKind::none:
    return true;
  case format::ActivationKind::relu:
    ops.append_eltwise(1.0f, alg::eltwise_relu, 0.0f, 0.0f);
    return true;
  case format::ActivationKind::leaky_relu:
    // x >= 0 ? x : alpha x; at 0 both sides give 0.
    if (!std::isfinite(alpha))
      return false;
    ops.append_eltwise(1.0f, alg::eltwise_relu, alpha, 0.0f);
    return true;
  case format::ActivationKind::clip:
    // oneDNN clips x <= alpha to alpha first; min(max(x, a), b) gives b
    // everywhere when a > b.
    if (std::isnan(alpha) || std::isnan(beta) || alpha > beta)
      return false;
    ops.append_eltwise(1.0f, alg::eltwise_clip, alpha, beta);
    return true;
  case format::ActivationKind::sigmoid:
    ops.append_eltwise(1.0f, alg::eltwise_logistic, 0.0f, 0.0f);
    return true;
  case format::ActivationKind::tanh:
    ops.append_eltwise(1.0f, alg::eltwise_tanh, 0.0f, 0.0f);
    return true;
  case format::ActivationKind::hard_sigmoid:
    // max(0, min(1, alpha x + beta)): a linear then a clip.
    if (!std::isfinite(alpha) || !std::isfinite(beta))
      return false;
    ops.append_eltwise(1.0f, alg::eltwise_linear, alpha, beta);
    ops.append_eltwise(1.0f, alg::eltwise_clip, 0.0f, 1.0f);
    return true;
  case format::ActivationKind::hard_swish:
    // oneDNN 2.x: x * min(max(x + 3, 0), 6) / 6, ONNX's fixed alpha 1/6.
    ops.append_eltwise(1.0f, alg::eltwise_hardswish, 0.0f, 0.0f);
    return true;
  case format::ActivationKind::elu:
    if (!std::isfinite(alpha))
      return false;
    ops.append_eltwise(1.0f, alg::eltwise_elu, alpha, 0.0f);
    return true;
  case format::ActivationKind::softplus:
    // oneDNN 2.x soft_relu: log(1 + exp(x)).
    ops.append_eltwise(1.0f, alg::eltwise_soft_relu, 0.0f, 0.0f);
    return true;
  case format::ActivationKind::swish:
    // x * sigmoid(alpha x), alpha 1.
    ops.append_eltwise(1.0f, alg::eltwise_swish, 1.0f, 0.0f);
    return true;
  case format::ActivationKind::gelu:
    ops.append_eltwise(1.0f, alg::eltwise_gelu_erf, 0.0f, 0.0f);
    return true;
  }
  return false;
}

dnnl::primitive_attr makeAttr(const KernelArgs &args,
                              const dnnl::post_ops &ops) {
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  if (args.backend)
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

dnnl::memory reorderedTo(const dnnl::memory &memory,
                         const dnnl::memory::desc &desc) {
  if (memory.get_desc() == desc)
    return memory;
  dnnl::memory source = memory, result(desc, engine());
  dnnl::reorder(source, result).execute(stream(), source, result);
  stream().wait();
  return result;
}

State::Weight State::weight(const dnnl::memory &user,
                            const dnnl::memory::desc &desc) {
  const void *bytes = user.get_data_handle();
  dnnl::memory::desc userDesc = user.get_desc();
  auto [begin, end] = weights->equal_range(bytes);
  for (auto it = begin; it != end;) {
    std::shared_ptr<void> owner = it->second.owner.lock();
    if (!owner && it->second.userDesc != it->second.desc) {
      it = weights->erase(it);
      continue;
    }
    if (it->second.userDesc == userDesc && it->second.desc == desc)
      return {it->second.memory, owner};
    ++it;
  }
  if (userDesc == desc) {
    weights->emplace(bytes, Reordered{userDesc, desc, user, {}});
    return {user, nullptr};
  }
  // Weights are read by every prediction: a large one gets huge pages,
  // which spare TLB misses.
  std::shared_ptr<void> owner = allocateZeroed(desc.get_size(), "weights");
  dnnl::memory result(desc, engine(), owner.get());
  dnnl::memory source = user;
  {
    OmpThreads reorderOn(reorderThreads ? reorderThreads
                                        : omp_get_max_threads());
    dnnl::reorder(source, result).execute(stream(), source, result);
    stream().wait();
  }
  weights->emplace(bytes, Reordered{userDesc, desc, result, owner});
  return {result, owner};
}

State &State::threadState(int t, int sessionThreads) {
  while (threadStates.size() <= static_cast<size_t>(t)) {
    threadStates.push_back(std::make_unique<State>());
    threadStates.back()->winograd = winograd;
    threadStates.back()->shareWeights(*this);
  }
  threadStates[t]->reorderThreads = sessionThreads;
  return *threadStates[t];
}

void State::prepare() {
  for (const std::unique_ptr<State> &thread : threadStates)
    thread->prepare();
  for (Staging &slot : staging) {
    if (slot.booked <= slot.allocated)
      continue;
    slot.memory = allocateZeroed(slot.booked, "staging");
    slot.allocated = slot.booked;
  }
  if (booked <= allocated)
    return;
  // Untouched: the runs before the first prediction (the warm-up, tuning's)
  // take the page faults of the parts the kernels use.
  scratchData = allocateUntouched(booked, "oneDNN's scratchpad");
  scratch = dnnl::memory(
      dnnl::memory::desc({static_cast<int64_t>(booked)},
                         dnnl::memory::data_type::u8,
                         dnnl::memory::format_tag::a),
      engine(), scratchData.get());
  allocated = booked;
}

PrimitiveKernel::PrimitiveKernel(const KernelArgs &args)
    : state(static_cast<State *>(args.backend)),
      threads(omp_get_max_threads()), sessionThreads(args.threads) {
  auto range = [](const TensorRef *ref) {
    return ref ? Range{static_cast<uint8_t *>(ref->data), ref->bytes()}
               : Range{nullptr, 0};
  };
  for (const TensorRef *ref : args.inputs)
    createdInputs.push_back(range(ref));
  for (const TensorRef *ref : args.outputs)
    createdOutputs.push_back(range(ref));
}

void PrimitiveKernel::add(
    const dnnl::primitive &primitive,
    const std::vector<std::pair<int, dnnl::memory>> &arguments) {
  Step step;
  step.primitive = primitive;
  for (const auto &[index, memory] : arguments) {
    // A memory over an operand or a result, or a part of one (not a weight
    // the session reordered, not staging), is bound to it: found by its
    // address.
    auto *handle = static_cast<uint8_t *>(memory.get_data_handle());
    auto bind = [&](const std::vector<Range> &created, bool result) {
      for (size_t i = 0; i < created.size(); ++i)
        if (handle && created[i].begin <= handle &&
            handle < created[i].begin + std::max<size_t>(created[i].bytes, 1)) {
          bindings.push_back({steps.size(), step.memories.size(), result, i,
                              handle - created[i].begin, handle});
          return true;
        }
      return false;
    };
    if (!bind(createdOutputs, true))
      bind(createdInputs, false);
    step.memories.push_back(memory);
    step.arguments.push_back({index, memory.get()});
  }
  // A primitive made with a user scratchpad says how much it needs (none
  // when oneDNN keeps its own).
  const_dnnl_primitive_desc_t pd = nullptr;
  dnnl_primitive_get_primitive_desc(primitive.get(), &pd);
  const dnnl_memory_desc_t *scratchpad =
      pd ? dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0)
         : nullptr;
  size_t bytes = scratchpad ? dnnl_memory_desc_get_size(scratchpad) : 0;
  const char *info = nullptr;
  dnnl_primitive_kind_t kind = dnnl_undefined_primitive;
  if (pd && dnnl_primitive_desc_query(pd, dnnl_query_primitive_kind, 0,
                                      &kind) == dnnl_success &&
      (name.empty() || (kind != dnnl_reorder && kind != dnnl_eltwise)) &&
      dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &info) ==
          dnnl_success &&
      info)
    name = info;
  if (bytes && state) {
    state->bookScratchpad(bytes);
    step.scratchpad = static_cast<int>(step.arguments.size());
    step.arguments.push_back({DNNL_ARG_SCRATCHPAD, nullptr});
  }
  steps.push_back(std::move(step));
}

dnnl::memory PrimitiveKernel::weight(const dnnl::memory &user,
                                     const dnnl::memory::desc &desc) {
  if (!state)
    return reorderedTo(user, desc);
  State::Weight weight = state->weight(user, desc);
  if (weight.owner)
    weights.push_back(weight.owner);
  return weight.memory;
}

dnnl::memory PrimitiveKernel::staged(const dnnl::memory::desc &desc,
                                     int slot, size_t offset) {
  if (!state) {
    if (!offset) {
      ownStaging[slot] = dnnl::memory(desc, engine());
      return ownStaging[slot];
    }
    return dnnl::memory(
        desc, engine(),
        static_cast<uint8_t *>(ownStaging[slot].get_data_handle()) + offset);
  }
  state->bookStaging(slot, offset + desc.get_size());
  dnnl::memory memory(desc, engine(), nullptr);
  stagedMemories.push_back({memory, slot, offset});
  return memory;
}

std::string PrimitiveKernel::implementation() const {
  // Operands converted into the primitive's layout and back cost time the
  // profile should show (Winograd's blocked layout).
  std::string text = stagedMemories.empty() ? name : name + " via reorders";
  if (!fused.empty())
    text += " + " + fused;
  if (threads < sessionThreads)
    text += ", " + std::to_string(threads) + " thread" + (threads > 1 ? "s" : "");
  return text;
}

void PrimitiveKernel::run(const KernelArgs &args) {
  for (Staged &staged : stagedMemories)
    staged.memory.set_data_handle(
        static_cast<uint8_t *>(state->stagingData(staged.slot)) + staged.offset);
  for (Binding &binding : bindings) {
    const std::vector<TensorRef *> &refs =
        binding.result ? args.outputs : args.inputs;
    void *address =
        static_cast<uint8_t *>(refs[binding.operand]->data) + binding.offset;
    if (address != binding.bound) {
      steps[binding.step].memories[binding.memory].set_data_handle(address);
      binding.bound = address;
    }
  }
  if (sumOperand >= 0) {
    const TensorRef &from = *args.inputs[sumOperand], &to = *args.outputs[0];
    if (from.data != to.data)
      std::memmove(to.data, from.data, to.bytes());
  }
  // oneDNN's OpenMP primitives must run with the threads they were made
  // for; the count is the calling thread's setting.
  if (omp_get_max_threads() != threads)
    omp_set_num_threads(threads);
  for (Step &step : steps) {
    if (step.scratchpad >= 0)
      step.arguments[step.scratchpad].memory = state->scratchpad().get();
    dnnl_status_t status = dnnl_primitive_execute(
        step.primitive.get(), stream().get(),
        static_cast<int>(step.arguments.size()), step.arguments.data());
    if (status != dnnl_success)
      args.fail("oneDNN could not run it (status " +
                std::to_string(static_cast<int>(status)) + ")");
  }
  stream().wait();
}

} // namespace mlc::rt::onednn
