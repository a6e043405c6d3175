//===- Registry.cpp - The reference kernel of every op --------------------===//

#include "Reference.h"

#include "CustomKernel.h"

namespace mlc::rt {

namespace {
// What every op shares: its params are there, and every tensor it touches
// has non-negative dims and bytes to hold them.
void checkCommon(const KernelArgs &args) {
  if (args.op->params_type() != format::OpParams::NONE && !args.op->params())
    args.fail("missing parameters");
  auto check = [&](const TensorRef *t, const char *what, size_t i) {
    if (!t)
      return;
    for (int64_t d : t->dims)
      if (d < 0)
        args.fail(std::string(what) + " " + std::to_string(i) +
                  " has a negative dim");
    if (!t->data && t->count() != 0)
      args.fail(std::string(what) + " " + std::to_string(i) + " has no data");
  };
  for (size_t i = 0; i < args.inputs.size(); ++i)
    check(args.inputs[i], "input", i);
  for (size_t i = 0; i < args.outputs.size(); ++i)
    check(args.outputs[i], "output", i);
}
} // namespace

std::unique_ptr<Kernel> makeReferenceKernel(const KernelArgs &args) {
  using P = format::OpParams;
  checkCommon(args);
  switch (args.op->params_type()) {
  case P::ConvParams:
    return ref::makeConv(args);
  case P::ConvTransposeParams:
    return ref::makeConvTranspose(args);
  case P::PoolParams:
    return ref::makePool(args);
  case P::GlobalPoolParams:
    return ref::makeGlobalPool(args);
  case P::BatchNormParams:
    return ref::makeBatchNorm(args);
  case P::InstanceNormParams:
    return ref::makeInstanceNorm(args);
  case P::UnaryParams:
    return ref::makeUnary(args);
  case P::BinaryParams:
    return ref::makeBinary(args);
  case P::ClipParams:
    return ref::makeClip(args);
  case P::PReluParams:
    return ref::makePRelu(args);
  case P::SoftmaxParams:
    return ref::makeSoftmax(args);
  case P::GemmParams:
    return ref::makeGemm(args);
  case P::MatMulParams:
    return ref::makeMatMul(args);
  case P::ReduceParams:
    return ref::makeReduce(args);
  case P::ResizeParams:
    return ref::makeResize(args);
  case P::DepthToSpaceParams:
    return ref::makeDepthToSpace(args);
  case P::SpaceToDepthParams:
    return ref::makeSpaceToDepth(args);
  case P::PadParams:
    return ref::makePad(args);
  case P::ReshapeParams:
    return ref::makeReshape(args);
  case P::TransposeParams:
    return ref::makeTranspose(args);
  case P::ConcatParams:
    return ref::makeConcat(args);
  case P::SplitParams:
    return ref::makeSplit(args);
  case P::SliceParams:
    return ref::makeSlice(args);
  case P::GatherParams:
    return ref::makeGather(args);
  case P::CastParams:
    return ref::makeCast(args);
  case P::ExpandParams:
    return ref::makeExpand(args);
  case P::FillParams:
    return ref::makeFill(args);
  case P::ShapeValuesParams:
    return ref::makeShapeValues(args);
  case P::QuantizeLinearParams:
    return ref::makeQuantizeLinear(args);
  case P::DequantizeLinearParams:
    return ref::makeDequantizeLinear(args);
  case P::CompareParams:
    return ref::makeCompare(args);
  case P::NotParams:
    return ref::makeNot(args);
  case P::WhereParams:
    return ref::makeWhere(args);
  case P::RangeParams:
    return ref::makeRange(args);
  case P::ScatterNDParams:
    return ref::makeScatterND(args);
  case P::CustomParams:
    return makeCustomKernel(args);
  default:
    break;
  }
  args.fail("unknown op type");
}

} // namespace mlc::rt
