//===- Registry.cpp - The oneDNN kernel of an op, if any ------------------===//

#include "OneDNN.h"

namespace mlc::rt {

std::unique_ptr<Kernel> makeOneDNNKernel(const KernelArgs &args) {
  using namespace onednn;
  if (!args.op)
    return nullptr;
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
    default:
      return nullptr;
    }
  } catch (const dnnl::error &) {
    // oneDNN cannot build this primitive: the reference kernel runs it.
    return nullptr;
  }
}

} // namespace mlc::rt
