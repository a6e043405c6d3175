//===- Registry.cpp - The oneDNN kernel of an op, if any ------------------===//

#include "OneDNN.h"

namespace mlc::rt {

namespace {
// The factories of these ops read every operand and result plain.
bool readsPlainOnly(format::OpParams type) {
  return type == format::OpParams::GemmParams ||
         type == format::OpParams::MatMulParams;
}

// A kernel oneDNN cannot build (a dnnl::error while making its primitives)
// is no kernel: the caller runs the ops another way.
template <typename Make> std::unique_ptr<Kernel> nullIfRefused(Make make) {
  try {
    return make();
  } catch (const dnnl::error &) {
    return nullptr;
  }
}
} // namespace

std::unique_ptr<BackendState>
makeOneDNNState(bool winograd, const BackendState *sharingWeightsWith) {
  auto state = std::make_unique<onednn::State>();
  state->winograd = winograd;
  if (sharingWeightsWith)
    state->shareWeights(*static_cast<const onednn::State *>(sharingWeightsWith));
  return state;
}

std::unique_ptr<Kernel> makeOneDNNKernel(const KernelArgs &args) {
  using namespace onednn;
  if (!args.op)
    return nullptr;
  // Only a Conv has other ways to run (ConvVariant).
  if (args.variant != kConvDefault &&
      args.op->params_type() != format::OpParams::ConvParams)
    return nullptr;
  if (readsPlainOnly(args.op->params_type())) {
    auto plain = [](const TensorRef *t) {
      return !t || t->layout == Layout::plain || t->layoutNeutral();
    };
    if (!std::all_of(args.inputs.begin(), args.inputs.end(), plain) ||
        !std::all_of(args.outputs.begin(), args.outputs.end(), plain))
      return nullptr;
  }
  try {
    switch (args.op->params_type()) {
    case format::OpParams::ConvParams:
      return makeConv(args);
    case format::OpParams::ConvTransposeParams:
      return makeConvTranspose(args);
    case format::OpParams::PoolParams:
      return makePool(args);
    case format::OpParams::GlobalPoolParams:
      return makeGlobalPool(args);
    case format::OpParams::BatchNormParams:
      return makeBatchNorm(args);
    case format::OpParams::UnaryParams:
      return makeUnary(args);
    case format::OpParams::BinaryParams:
      return makeBinary(args);
    case format::OpParams::SoftmaxParams:
      return makeSoftmax(args);
    case format::OpParams::GemmParams:
      return makeGemm(args);
    case format::OpParams::MatMulParams:
      return makeMatMul(args);
    case format::OpParams::ConcatParams:
      return makeConcat(args);
    case format::OpParams::ResizeParams:
      return makeResize(args);
    case format::OpParams::TransposeParams:
      return makeTranspose(args);
    case format::OpParams::ReduceParams:
      return makeReduce(args);
    case format::OpParams::GatherParams:
      return makeGather(args);
    default:
      return nullptr;
    }
  } catch (const dnnl::error &) {
    // oneDNN cannot build this primitive: the reference kernel runs it.
    return nullptr;
  }
}

std::unique_ptr<Kernel>
makeOneDNNConvChain(const std::vector<KernelArgs> &stages, size_t bandBytes) {
  return nullIfRefused([&] { return onednn::makeConvChain(stages, bandBytes); });
}

std::unique_ptr<Kernel> makeOneDNNScaledConv(const KernelArgs &mul,
                                             const KernelArgs &conv) {
  return nullIfRefused([&] { return onednn::makeScaledConv(mul, conv); });
}

std::unique_ptr<Kernel> makeOneDNNConvPool(const KernelArgs &conv,
                                           const KernelArgs &pool) {
  return nullIfRefused([&] { return onednn::makeConvPool(conv, pool); });
}

bool oneDNNHasAVX512() {
  // oneDNN's ISAs are sets of bits: avx2_vnni's value is above avx512_core's.
  static const bool avx512 =
      (static_cast<unsigned>(dnnl::get_effective_cpu_isa()) &
       static_cast<unsigned>(dnnl::cpu_isa::avx512_core)) ==
          static_cast<unsigned>(dnnl::cpu_isa::avx512_core) &&
      __builtin_cpu_supports("avx512f");
  return avx512;
}

std::unique_ptr<Kernel> makeOneDNNConcatNorm(const KernelArgs &concat,
                                             const KernelArgs &norm) {
  return nullIfRefused([&] { return onednn::makeConcatNorm(concat, norm); });
}

} // namespace mlc::rt
