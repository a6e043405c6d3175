//===- Layouts.cpp - Which layout each op of a plan runs in ---------------===//
//
// oneDNN's fastest f32 convolutions read and write channels-last (NHWC)
// activations, and its elementwise, pooling, batch norm, concat and resize
// primitives run in any layout. So a plan runs channels-last from each
// convolution on, through the ops that run in any layout, and converts only
// where an op needs plain row-major data (a Reshape, a Gemm, a reference
// kernel): one forward pass over the ops decides it. Channels-last has no
// padding, so a tensor takes the same bytes in either layout and the plan's
// memory stays valid; only the copies a conversion makes need room of their
// own (the session places them, see PreparedPlan).
//
// The choice is a forecast of what the factories accept; when a factory
// refuses an op forecast to run channels-last, makePlainFallback runs its
// reference kernel on plain copies, so a wrong forecast costs time, never
// correctness.
//
//===----------------------------------------------------------------------===//

#include "OneDNN.h"

#include <cstdlib>
#include <immintrin.h>
#include <omp.h>

namespace mlc::rt {
namespace {

bool isActivation(const TensorRef &t) {
  return t.type == ElementType::f32 && t.rank() >= 3 && t.rank() <= 5;
}

enum class Role {
  /// Runs plain.
  plain,
  /// Runs channels-last whatever its inputs' layouts (convolutions).
  anchor,
  /// Runs channels-last when an input it follows is channels-last.
  follower,
  /// Reads the input it follows in whichever layout that comes in and
  /// writes plain (a Transpose, a reorder through the input's own strides:
  /// ConvNeXt's permute of a convolution's channels-last output to [N, H,
  /// W, C] rows is then one copy in memory order, not a conversion to NCHW
  /// and a transpose back).
  reader,
};

// The op's role, and which of its operands take its layout (`follows`);
// the others (weights, parameters, broadcast operands) are read plain.
Role roleOf(const format::Op &op, const std::vector<TensorRef> &tensors,
            std::vector<bool> &follows) {
  const auto &inputs = *op.inputs();
  const auto &outputs = *op.outputs();
  follows.assign(inputs.size(), false);
  auto operand = [&](size_t i) -> const TensorRef * {
    return i < inputs.size() && inputs[i] >= 0 ? &tensors[inputs[i]] : nullptr;
  };
  const TensorRef *x = operand(0);
  if (!x || !isActivation(*x) || outputs.size() != 1 ||
      !isActivation(tensors[outputs[0]]))
    return Role::plain;
  const TensorRef &y = tensors[outputs[0]];
  switch (op.params_type()) {
  case format::OpParams::ConvParams:
  case format::OpParams::ConvTransposeParams: {
    const TensorRef *w = operand(1);
    if (!w || !w->constant || w->rank() != x->rank())
      return Role::plain;
    follows[0] = true;
    // A Conv's residual is summed into its destination.
    if (operand(3))
      follows[3] = true;
    return Role::anchor;
  }
  case format::OpParams::PoolParams:
  case format::OpParams::GlobalPoolParams:
    follows[0] = true;
    return Role::follower;
  case format::OpParams::BatchNormParams: {
    const format::Activation *act = op.params_as_BatchNormParams()->activation();
    if (act && act->kind() != format::ActivationKind::none &&
        act->kind() != format::ActivationKind::relu)
      return Role::plain;
    follows[0] = true;
    return Role::follower;
  }
  case format::OpParams::UnaryParams:
    switch (op.params_as_UnaryParams()->kind()) {
    case format::UnaryKind::erf:
    case format::UnaryKind::floor:
    case format::UnaryKind::ceil:
    case format::UnaryKind::reciprocal:
      return Role::plain;
    default:
      follows[0] = true;
      return Role::follower;
    }
  case format::OpParams::BinaryParams: {
    // The kinds only the reference kernel runs.
    if (auto kind = op.params_as_BinaryParams()->kind();
        kind == format::BinaryKind::pow || kind == format::BinaryKind::mod ||
        kind == format::BinaryKind::fmod)
      return Role::plain;
    for (size_t i = 0; i < 2; ++i) {
      const TensorRef *t = operand(i);
      if (!t)
        return Role::plain;
      if (t->dims == y.dims) {
        follows[i] = true;
        continue;
      }
      // A broadcast operand is read in the output's layout: its bytes must
      // be the same in both.
      TensorRef padded = *t;
      padded.dims.insert(padded.dims.begin(), y.rank() - std::min(y.rank(), t->rank()), 1);
      if (t->rank() > y.rank() || !padded.layoutNeutral())
        return Role::plain;
    }
    return Role::follower;
  }
  case format::OpParams::ConcatParams:
    for (size_t i = 0; i < inputs.size(); ++i) {
      const TensorRef *t = operand(i);
      if (!t || t->rank() != y.rank() || !isActivation(*t))
        return Role::plain;
      follows[i] = true;
    }
    return Role::follower;
  case format::OpParams::ResizeParams:
    if (op.params_as_ResizeParams()->mode() == format::ResizeMode::cubic)
      return Role::plain;
    follows[0] = true;
    return Role::follower;
  case format::OpParams::TransposeParams:
    follows[0] = true;
    return Role::reader;
  case format::OpParams::GatherParams: {
    // Of channels by constant indices (makeGather).
    const TensorRef *indices = operand(1);
    int32_t axis = op.params_as_GatherParams()->axis();
    if (!indices || !indices->constant || indices->rank() != 1 ||
        y.rank() != x->rank() ||
        (axis < 0 ? axis + int32_t(x->rank()) : axis) != 1)
      return Role::plain;
    follows[0] = true;
    return Role::follower;
  }
  default:
    return Role::plain;
  }
}

} // namespace

LayoutChoice chooseOneDNNLayouts(const format::Model &graph,
                                 const std::vector<TensorRef> &tensors) {
  LayoutChoice choice;
  choice.tensors.assign(tensors.size(), Layout::plain);
  const auto &ops = *graph.ops();
  std::vector<Role> roles;
  std::vector<std::vector<bool>> follows(ops.size());
  for (size_t i = 0; i < ops.size(); ++i)
    roles.push_back(roleOf(*ops[i], tensors, follows[i]));

  // A model input is copied in channels-last when a convolution reads it.
  for (const format::Input *input : *graph.inputs()) {
    uint32_t t = input->tensor();
    if (!isActivation(tensors[t]) || tensors[t].layoutNeutral())
      continue;
    for (size_t i = 0; i < ops.size(); ++i)
      if (roles[i] == Role::anchor && ops[i]->inputs()->Get(0) == int32_t(t))
        choice.tensors[t] = Layout::channelsLast;
  }

  std::vector<bool> isOutput(tensors.size(), false);
  for (uint32_t t : *graph.outputs())
    isOutput[t] = true;
  choice.operands.resize(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    const auto &inputs = *ops[i]->inputs();
    bool channelsLast = roles[i] == Role::anchor;
    if (roles[i] == Role::follower) {
      // It follows its channels-last inputs, unless its result is a model
      // output (copied out plain) larger than they are: an upsampling at
      // the end of a network converts its input, not its output.
      uint64_t channelsLastBytes = 0;
      for (size_t k = 0; k < inputs.size(); ++k)
        if (follows[i][k] && !tensors[inputs[k]].layoutNeutral() &&
            choice.tensors[inputs[k]] == Layout::channelsLast)
          channelsLastBytes += tensors[inputs[k]].bytes();
      const TensorRef &result = tensors[ops[i]->outputs()->Get(0)];
      channelsLast = channelsLastBytes > 0 &&
                     (!isOutput[ops[i]->outputs()->Get(0)] ||
                      result.bytes() <= channelsLastBytes);
    }
    for (size_t k = 0; k < inputs.size(); ++k) {
      bool read = roles[i] == Role::reader && follows[i][k] &&
                  choice.tensors[inputs[k]] == Layout::channelsLast;
      choice.operands[i].push_back((channelsLast && follows[i][k]) || read
                                       ? Layout::channelsLast
                                       : Layout::plain);
    }
    for (int32_t out : *ops[i]->outputs())
      if (channelsLast && isActivation(tensors[out]))
        choice.tensors[out] = Layout::channelsLast;
  }
  return choice;
}

namespace {

// See makeLayoutConversion.
class LayoutConversion : public Kernel {
public:
  explicit LayoutConversion(const KernelArgs &args)
      : from(onednn::userMemory(*args.inputs[0])),
        to(onednn::userMemory(*args.outputs[0])), reorder(from, to),
        threads(omp_get_max_threads()) {
    arguments[0] = {DNNL_ARG_FROM, from.get()};
    arguments[1] = {DNNL_ARG_TO, to.get()};
  }

  bool rebinds() const override { return true; }

  void run(const KernelArgs &args) override {
    from.set_data_handle(args.inputs[0]->data);
    to.set_data_handle(args.outputs[0]->data);
    if (omp_get_max_threads() != threads)
      omp_set_num_threads(threads);
    if (dnnl_primitive_execute(reorder.get(), onednn::stream().get(), 2,
                               arguments) != dnnl_success)
      args.fail("oneDNN could not convert a layout");
    onednn::stream().wait();
  }

private:
  dnnl::memory from, to;
  dnnl::reorder reorder;
  int threads;
  dnnl_exec_arg_t arguments[2];
};

// For output vector v of 16 floats (of 48 per 16 pixels): the lanes of the
// first two planes' permute, and of the third's over its result.
struct InterleaveTables {
  alignas(64) int32_t firstTwo[3][16], third[3][16];
  InterleaveTables() {
    for (int v = 0; v < 3; ++v)
      for (int p = 0; p < 16; ++p) {
        int e = 16 * v + p, pixel = e / 3, channel = e % 3;
        firstTwo[v][p] = channel == 0 ? pixel : channel == 1 ? 16 + pixel : 0;
        third[v][p] = channel == 2 ? 16 + pixel : p;
      }
  }
};

// Three planes of `pixels` floats (an RGB image, NCHW) interleaved into
// pixels x 3 (NHWC): 16 pixels at a time, each output vector of 16 floats
// picked from two planes and then the third (two permutes each).
__attribute__((target("avx512f"))) void
interleaveThree(const float *planes, int64_t pixels, float *out) {
  static const InterleaveTables tables; // made once, not per prediction
  const float *r = planes, *g = planes + pixels, *b = planes + 2 * pixels;
  __m512i pickTwo[3], pickThird[3];
  for (int v = 0; v < 3; ++v) {
    pickTwo[v] = _mm512_load_si512(tables.firstTwo[v]);
    pickThird[v] = _mm512_load_si512(tables.third[v]);
  }
  int64_t p = 0;
  for (; p + 16 <= pixels; p += 16) {
    __m512 x = _mm512_loadu_ps(r + p), y = _mm512_loadu_ps(g + p),
           z = _mm512_loadu_ps(b + p);
    for (int v = 0; v < 3; ++v) {
      __m512 two = _mm512_permutex2var_ps(x, pickTwo[v], y);
      _mm512_storeu_ps(out + 3 * p + 16 * v,
                       _mm512_permutex2var_ps(two, pickThird[v], z));
    }
  }
  for (; p < pixels; ++p) {
    out[3 * p] = r[p];
    out[3 * p + 1] = g[p];
    out[3 * p + 2] = b[p];
  }
}

// An image's planes into channels-last, every prediction's first step,
// where oneDNN's reorder runs at a third of the speed (3x224x224 with the
// output's copy: 41 us against 15 in mobilenet_v2's profile).
class RGBToChannelsLast : public Kernel {
public:
  bool rebinds() const override { return true; }
  void run(const KernelArgs &args) override {
    const TensorRef &from = *args.inputs[0];
    int64_t pixels = 1;
    for (size_t d = 2; d < from.rank(); ++d)
      pixels *= from.dim(d);
    for (int64_t n = 0; n < from.dim(0); ++n)
      interleaveThree(
          static_cast<const float *>(from.data) + n * 3 * pixels, pixels,
          static_cast<float *>(args.outputs[0]->data) + n * 3 * pixels);
  }
};

} // namespace

std::unique_ptr<Kernel> makeLayoutConversion(const KernelArgs &args) {
  const TensorRef &from = *args.inputs.at(0), &to = *args.outputs.at(0);
  if (from.type != ElementType::f32 || to.type != ElementType::f32 ||
      from.dims != to.dims)
    args.fail("a layout conversion between different tensors");
  if (from.layout == Layout::plain && to.layout == Layout::channelsLast &&
      from.rank() >= 3 && from.dim(1) == 3 && oneDNNHasAVX512())
    return std::make_unique<RGBToChannelsLast>();
  return std::make_unique<LayoutConversion>(args);
}

namespace {

// See makePlainFallback.
class PlainFallback : public Kernel {
public:
  explicit PlainFallback(const KernelArgs &args) : plainArgs(args) {
    auto plainCopy = [&](TensorRef *&ref) -> TensorRef * {
      if (!ref || ref->layout == Layout::plain || ref->layoutNeutral())
        return nullptr;
      auto copy = std::make_unique<TensorRef>(*ref);
      copy->layout = Layout::plain;
      buffers.push_back(allocateZeroed(
          copy->bytes(), ("the operands of " + args.describe()).c_str()));
      copy->data = buffers.back().get();
      ref = copy.get();
      copies.push_back(std::move(copy));
      return ref;
    };
    for (size_t i = 0; i < plainArgs.inputs.size(); ++i) {
      TensorRef *original = plainArgs.inputs[i];
      if (TensorRef *copy = plainCopy(plainArgs.inputs[i]))
        before.push_back(conversion(args, original, copy));
    }
    for (size_t i = 0; i < plainArgs.outputs.size(); ++i) {
      TensorRef *original = plainArgs.outputs[i];
      if (TensorRef *copy = plainCopy(plainArgs.outputs[i]))
        after.push_back(conversion(args, copy, original));
    }
    reference = makeReferenceKernel(plainArgs);
  }

  void run(const KernelArgs &args) override {
    for (auto &[kernel, kernelArgs] : before)
      kernel->run(kernelArgs);
    reference->run(plainArgs);
    for (auto &[kernel, kernelArgs] : after)
      kernel->run(kernelArgs);
  }

private:
  using Step = std::pair<std::unique_ptr<Kernel>, KernelArgs>;
  static Step conversion(const KernelArgs &op, TensorRef *from, TensorRef *to) {
    KernelArgs args;
    args.op = op.op;
    args.inputs = {from};
    args.outputs = {to};
    args.backend = op.backend;
    std::unique_ptr<Kernel> kernel = makeLayoutConversion(args);
    return {std::move(kernel), std::move(args)};
  }

  KernelArgs plainArgs;
  std::vector<std::unique_ptr<TensorRef>> copies;
  std::vector<AlignedBuffer> buffers;
  std::vector<Step> before, after;
  std::unique_ptr<Kernel> reference;
};

} // namespace

std::unique_ptr<Kernel> makePlainFallback(const KernelArgs &args) {
  return std::make_unique<PlainFallback>(args);
}

} // namespace mlc::rt
