//===- FoldBatchNorm.cpp - BatchNorm into the convolution before it -------===//

#include "Weights.h"

#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"
#include "mlc/ONNX/OpTypes.h"
#include "mlc/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlc {
#define GEN_PASS_DEF_FOLDBATCHNORMPASS
#include "mlc/Transforms/Passes.h.inc"
} // namespace mlc

using namespace mlir;
using namespace mlc;
using namespace mlc::nn;

namespace {

struct FoldIntoConv : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp norm,
                                PatternRewriter &rewriter) const override {
    auto conv = norm.getInput().getDefiningOp<ConvOp>();
    if (!conv || !conv->hasOneUse())
      return rewriter.notifyMatchFailure(norm, "not after a conv of one use");
    auto weightType = dyn_cast<RankedTensorType>(conv.getWeight().getType());
    auto weight = getFloat32s(conv.getWeight());
    auto scale = getFloat32s(norm.getScale());
    auto bias = getFloat32s(norm.getBias());
    auto mean = getFloat32s(norm.getMean());
    auto variance = getFloat32s(norm.getVariance());
    if (!weightType || !weight || !scale || !bias || !mean || !variance)
      return rewriter.notifyMatchFailure(norm, "not float32 constants");
    int64_t channels = weightType.getDimSize(0);
    if (channels <= 0 || int64_t(weight->size()) % channels ||
        int64_t(scale->size()) != channels ||
        int64_t(bias->size()) != channels ||
        int64_t(mean->size()) != channels ||
        int64_t(variance->size()) != channels)
      return rewriter.notifyMatchFailure(norm, "per-channel sizes differ");
    SmallVector<float> convBias(channels, 0.0f);
    if (conv.getBias()) {
      auto given = getFloat32s(conv.getBias());
      if (!given || int64_t(given->size()) != channels)
        return rewriter.notifyMatchFailure(norm, "conv bias not a constant");
      convBias = *given;
    }
    float epsilon = norm.getEpsilon().convertToFloat();
    int64_t perChannel = weight->size() / channels;
    for (int64_t m = 0; m < channels; ++m) {
      float s = (*scale)[m] / std::sqrt((*variance)[m] + epsilon);
      for (int64_t i = 0; i < perChannel; ++i)
        (*weight)[m * perChannel + i] *= s;
      convBias[m] = (convBias[m] - (*mean)[m]) * s + (*bias)[m];
    }
    std::string name = onnx_types::getNodeName(conv);
    if (name.empty())
      name = "folded";
    Location loc = conv.getLoc();
    rewriter.setInsertionPoint(conv);
    Value newWeight =
        makeWeight(rewriter, loc, weightType, *weight, name + ".weight");
    Value newBias = makeWeight(
        rewriter, loc, RankedTensorType::get({channels}, rewriter.getF32Type()),
        convBias, name + ".bias");
    auto folded = rewriter.create<ConvOp>(
        norm.getLoc(), norm.getType(), conv.getInput(), newWeight, newBias,
        conv.getStridesAttr(), conv.getPadsAttr(), conv.getDilationsAttr(),
        conv.getKernelShapeAttr(), conv.getGroupAttr(), conv.getAutoPadAttr());
    rewriter.replaceOp(norm, folded.getResult());
    rewriter.eraseOp(conv);
    return success();
  }
};

struct FoldBatchNormPass
    : mlc::impl::FoldBatchNormPassBase<FoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldIntoConv>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
