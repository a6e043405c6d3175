//===- SplitConvOverConcat.cpp - Convolve a concatenation's parts ---------===//
//
// conv(concat(a, b), w) along the channels is conv(a, w_a) + conv(b, w_b):
// where convs are a channel concatenation's only users, each convolves the
// parts, summing as it goes, and the concatenation (a copy of every part)
// goes. A pool of a concatenation pools the parts first.
//
//===----------------------------------------------------------------------===//

#include "Weights.h"

#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"
#include "mlc/ONNX/OpTypes.h"
#include "mlc/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlc {
#define GEN_PASS_DEF_SPLITCONVOVERCONCATPASS
#include "mlc/Transforms/Passes.h.inc"
} // namespace mlc

using namespace mlir;
using namespace mlc;
using namespace mlc::nn;

namespace {

/// Each part's channels, when `concat` joins tensors of known channel
/// counts along dim 1.
std::optional<SmallVector<int64_t>> partChannels(ConcatOp concat) {
  auto type = dyn_cast<RankedTensorType>(concat.getType());
  if (!type || type.getRank() < 3 ||
      normalizeAxis(static_cast<int64_t>(concat.getAxis()), type.getRank()) != 1)
    return std::nullopt;
  SmallVector<int64_t> channels;
  for (Value part : concat.getInputs()) {
    auto partType = dyn_cast<RankedTensorType>(part.getType());
    if (!partType || partType.isDynamicDim(1))
      return std::nullopt;
    channels.push_back(partType.getDimSize(1));
  }
  return channels;
}

struct SplitOverConcat : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConcatOp concat,
                                PatternRewriter &rewriter) const override {
    std::optional<SmallVector<int64_t>> channels = partChannels(concat);
    if (!channels || channels->size() < 2 || concat->use_empty())
      return rewriter.notifyMatchFailure(concat, "not parts of known channels");
    int64_t total = 0;
    for (int64_t c : *channels)
      total += c;
    // Every user a group-1 conv of it with constant float32 weights.
    SmallVector<std::pair<ConvOp, SmallVector<float>>> convs;
    for (OpOperand &use : concat->getUses()) {
      auto conv = dyn_cast<ConvOp>(use.getOwner());
      if (!conv || use.getOperandNumber() != 0 || conv.getGroup() != 1)
        return rewriter.notifyMatchFailure(concat, "a user is not a conv");
      auto type = dyn_cast<RankedTensorType>(conv.getWeight().getType());
      std::optional<SmallVector<float>> weight = getFloat32s(conv.getWeight());
      if (!type || !type.hasStaticShape() || type.getRank() < 3 ||
          type.getDimSize(1) != total || !weight)
        return rewriter.notifyMatchFailure(concat, "a conv's weight is not f32");
      convs.push_back({conv, std::move(*weight)});
    }
    for (auto &[conv, weight] : convs) {
      auto type = cast<RankedTensorType>(conv.getWeight().getType());
      int64_t outputs = type.getDimSize(0);
      int64_t window = type.getNumElements() / (outputs * total);
      std::string name = onnx_types::getNodeName(conv);
      if (name.empty())
        name = "conv";
      rewriter.setInsertionPoint(conv);
      Value sum;
      int64_t first = 0;
      for (auto [i, part] : llvm::enumerate(concat.getInputs())) {
        int64_t c = (*channels)[i];
        // w's input channels [first, first + c), for every output channel.
        SmallVector<float> slice;
        slice.reserve(outputs * c * window);
        for (int64_t m = 0; m < outputs; ++m) {
          const float *from = weight.data() + (m * total + first) * window;
          slice.append(from, from + c * window);
        }
        SmallVector<int64_t> dims(type.getShape());
        dims[1] = c;
        std::string partName = name + "/part" + std::to_string(i);
        Location loc = NameLoc::get(rewriter.getStringAttr(partName));
        Value w = makeWeight(rewriter, loc,
                             RankedTensorType::get(dims, rewriter.getF32Type()),
                             slice, partName + ".weight");
        Value partial = rewriter.create<ConvOp>(
            loc, conv.getType(), part, w, i == 0 ? conv.getBias() : Value(),
            conv.getStridesAttr(), conv.getPadsAttr(), conv.getDilationsAttr(),
            conv.getKernelShapeAttr(), conv.getGroupAttr(),
            conv.getAutoPadAttr());
        sum = i == 0 ? partial
                     : rewriter.create<BinaryOp>(
                           NameLoc::get(rewriter.getStringAttr(partName + "/sum")),
                           conv.getType(), BinaryKind::add, partial, sum);
        first += c;
      }
      rewriter.replaceOp(conv, sum);
    }
    rewriter.eraseOp(concat);
    return success();
  }
};

/// A pool of a channel concatenation that nothing else reads pools each part
/// instead (pooling is per channel): the concatenation then copies the
/// pooled, smaller parts, or goes if convs read it (SqueezeNet's fire
/// modules before a max pool).
struct PoolBeforeConcat : OpRewritePattern<PoolOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(PoolOp pool,
                                PatternRewriter &rewriter) const override {
    auto concat = pool.getInput().getDefiningOp<ConcatOp>();
    auto pooled = dyn_cast<RankedTensorType>(pool.getType());
    std::optional<SmallVector<int64_t>> channels =
        concat ? partChannels(concat) : std::nullopt;
    if (!channels || !concat->hasOneUse() || !pooled)
      return rewriter.notifyMatchFailure(pool, "not of a channel concat");
    rewriter.setInsertionPoint(pool);
    SmallVector<Value> parts;
    for (auto [i, part] : llvm::enumerate(concat.getInputs())) {
      SmallVector<int64_t> dims(pooled.getShape());
      dims[1] = (*channels)[i];
      auto partPool = cast<PoolOp>(rewriter.clone(*pool));
      partPool.getInputMutable().assign(part);
      partPool.getResult().setType(
          RankedTensorType::get(dims, pooled.getElementType()));
      parts.push_back(partPool.getResult());
    }
    rewriter.replaceOpWithNewOp<ConcatOp>(pool, pooled, parts,
                                          concat.getAxisAttr());
    rewriter.eraseOp(concat);
    return success();
  }
};

struct SplitConvOverConcatPass
    : mlc::impl::SplitConvOverConcatPassBase<SplitConvOverConcatPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<PoolBeforeConcat, SplitOverConcat>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
