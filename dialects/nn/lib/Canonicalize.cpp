//===- Canonicalize.cpp - Rewrites that simplify nn graphs ----------------===//
//
// A Pad by zeros on the spatial dims only, before a convolution or an
// average pool that counts its padding, is that op's own padding: the
// exporters write explicit Pads for padding the op could not express (torch
// exports avg_pool2d(padding=1, count_include_pad=True) as Pad then
// AveragePool; inception_v3 has nine). As one op, the runtime pads in its
// kernel instead of copying the tensor into a larger one first.
//
// An average pool after a 1x1 convolution runs before it (DenseNet's
// transitions): the convolution then does a quarter of the work. A mean or
// max over the spatial dims is a global pool.
//
// Entries of a vector moved about as a matrix (torch's F.pad reverses its
// pads as an [n, 2] Reshape, Slice by -1 and Transpose, then flattens them
// back) are one Gather of the vector: shape computations follow a vector's
// entries, not a matrix's, so a pad that depends on the input's size stays
// known as an expression of it (Swin's, in a merge of its sizes).
//
//===----------------------------------------------------------------------===//

#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlc::nn;

namespace {

/// The spatial pads (begin..., end...) of `value` when it is a Pad of a
/// rank-`rank` tensor by the constant 0 on the spatial dims only, by
/// non-negative constant amounts.
std::optional<SmallVector<int64_t>> zeroSpatialPads(Value value, size_t rank) {
  auto pad = value.getDefiningOp<PadOp>();
  if (!pad || pad.getMode() != PadMode::constant || pad.getAxes() || rank < 3)
    return std::nullopt;
  if (Value constant = pad.getConstantValue()) {
    std::optional<SmallVector<double>> v = getConstantFloats(constant);
    if (!v || v->size() != 1 || (*v)[0] != 0)
      return std::nullopt;
  }
  std::optional<SmallVector<int64_t>> amounts = getConstantInts(pad.getPads());
  if (!amounts || amounts->size() != 2 * rank)
    return std::nullopt;
  size_t spatial = rank - 2;
  SmallVector<int64_t> pads;
  for (size_t d = 0; d < rank; ++d) {
    int64_t begin = (*amounts)[d], end = (*amounts)[rank + d];
    if (begin < 0 || end < 0 || (d < 2 && (begin || end)))
      return std::nullopt;
  }
  for (size_t d = 0; d < spatial; ++d)
    pads.push_back((*amounts)[2 + d]);
  for (size_t d = 0; d < spatial; ++d)
    pads.push_back((*amounts)[rank + 2 + d]);
  return pads;
}

size_t rankOf(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type ? type.getRank() : 0;
}

/// Whether `pads` (empty: none) pad nothing.
bool unpadded(ArrayRef<int64_t> pads) {
  return llvm::all_of(pads, [](int64_t p) { return p == 0; });
}

/// `own` (empty: none) plus `more`, element by element.
SmallVector<int64_t> addPads(ArrayRef<int64_t> own, ArrayRef<int64_t> more) {
  SmallVector<int64_t> sum(more);
  for (size_t i = 0; i < own.size() && i < sum.size(); ++i)
    sum[i] += own[i];
  return sum;
}

struct FoldPadIntoConv : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp conv,
                                PatternRewriter &rewriter) const override {
    if (conv.getAutoPad() != AutoPad::notset)
      return failure();
    size_t rank = rankOf(conv.getInput());
    std::optional<SmallVector<int64_t>> pads =
        zeroSpatialPads(conv.getInput(), rank);
    if (!pads || (!conv.getPads().empty() &&
                  conv.getPads().size() != pads->size()))
      return failure();
    Value input = conv.getInput().getDefiningOp<PadOp>().getInput();
    rewriter.modifyOpInPlace(conv, [&] {
      conv.getInputMutable().assign(input);
      conv.setPads(addPads(conv.getPads(), *pads));
    });
    return success();
  }
};

struct FoldPadIntoAveragePool : OpRewritePattern<PoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PoolOp pool,
                                PatternRewriter &rewriter) const override {
    // Zeros the window meets count, as the pool's padding does with
    // count_include_pad; with its own padding not counted, or ceil_mode
    // windows past the end, they would not be the same.
    if (pool.getKind() != PoolKind::average || pool.getAutoPad() != AutoPad::notset ||
        pool.getCeilMode() || !unpadded(pool.getPads()))
      return failure();
    size_t rank = rankOf(pool.getInput());
    std::optional<SmallVector<int64_t>> pads =
        zeroSpatialPads(pool.getInput(), rank);
    if (!pads)
      return failure();
    Value input = pool.getInput().getDefiningOp<PadOp>().getInput();
    rewriter.modifyOpInPlace(pool, [&] {
      pool.getInputMutable().assign(input);
      pool.setPads(*pads);
      pool.setCountIncludePad(true);
    });
    return success();
  }
};

/// Whether `conv` maps each position alone: 1x1 kernels, stride 1, no
/// padding.
bool isPointwise(ConvOp conv) {
  auto weight = dyn_cast<RankedTensorType>(conv.getWeight().getType());
  if (!weight || weight.getRank() < 3 ||
      (conv.getAutoPad() != AutoPad::notset &&
       conv.getAutoPad() != AutoPad::valid))
    return false;
  auto ones = [](ArrayRef<int64_t> values) {
    return llvm::all_of(values, [](int64_t v) { return v == 1; });
  };
  return ones(weight.getShape().drop_front(2)) && ones(conv.getStrides()) &&
         unpadded(conv.getPads());
}

/// An average pool after a pointwise convolution (DenseNet's transitions: a
/// 1x1 conv, then a 2x2 average pool) pools first: both are linear, and a
/// window's mean of W x + b is W (its mean of x) + b, so the convolution
/// then runs on a quarter of the positions. Only windows of the whole
/// kernel: no padding, no ceil_mode.
struct PoolBeforePointwiseConv : OpRewritePattern<PoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PoolOp pool,
                                PatternRewriter &rewriter) const override {
    auto conv = pool.getInput().getDefiningOp<ConvOp>();
    if (pool.getKind() != PoolKind::average || !conv || !conv->hasOneUse() ||
        !isPointwise(conv) || pool.getCeilMode() ||
        (pool.getAutoPad() != AutoPad::notset &&
         pool.getAutoPad() != AutoPad::valid) ||
        !unpadded(pool.getPads()))
      return failure();
    auto input = dyn_cast<RankedTensorType>(conv.getInput().getType());
    auto pooled = dyn_cast<RankedTensorType>(pool.getType());
    if (!input || !pooled || input.getRank() != pooled.getRank())
      return failure();
    // The pool keeps the conv's input channels.
    SmallVector<int64_t> dims(pooled.getShape());
    dims[1] = input.getDimSize(1);
    rewriter.setInsertionPoint(pool);
    auto first = cast<PoolOp>(rewriter.clone(*pool));
    first.getInputMutable().assign(conv.getInput());
    first.getResult().setType(
        RankedTensorType::get(dims, pooled.getElementType()));
    auto then = cast<ConvOp>(rewriter.clone(*conv));
    then.getInputMutable().assign(first.getResult());
    then.getResult().setType(pooled);
    rewriter.replaceOp(pool, then.getResult());
    rewriter.eraseOp(conv);
    return success();
  }
};

/// A mean or max over every spatial dim of an [N, C, ...] tensor is a global
/// pool (then a flatten to [N, C] without keepdims): torch's x.mean([2, 3])
/// (mnasnet's head) exports as a ReduceMean, which runs as a reduction on
/// plain data where a global pool runs on the convolution's channels-last
/// output as it is.
struct ReduceToGlobalPool : OpRewritePattern<ReduceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceOp reduce,
                                PatternRewriter &rewriter) const override {
    auto input = dyn_cast<RankedTensorType>(reduce.getInput().getType());
    if (!input || input.getRank() < 3 || !reduce.getAxes() ||
        (reduce.getKind() != ReduceKind::mean &&
         reduce.getKind() != ReduceKind::max))
      return failure();
    std::optional<SmallVector<int64_t>> axes =
        getConstantInts(reduce.getAxes());
    if (!axes)
      return failure();
    int64_t rank = input.getRank();
    SmallVector<int64_t> reduced;
    for (int64_t axis : *axes) {
      std::optional<int64_t> d = normalizeAxis(axis, rank);
      if (!d)
        return failure();
      reduced.push_back(*d);
    }
    llvm::sort(reduced);
    if (reduced != llvm::to_vector(llvm::seq<int64_t>(2, rank)))
      return failure();
    SmallVector<int64_t> dims(input.getShape().take_front(2));
    dims.append(rank - 2, 1);
    PoolKind kind =
        reduce.getKind() == ReduceKind::mean ? PoolKind::average : PoolKind::max;
    Value pooled = rewriter.create<GlobalPoolOp>(
        reduce.getLoc(), RankedTensorType::get(dims, input.getElementType()),
        kind, reduce.getInput());
    if (!reduce.getKeepdims())
      pooled = rewriter.create<FlattenOp>(reduce.getLoc(), reduce.getType(),
                                          pooled, rewriter.getI64IntegerAttr(1));
    rewriter.replaceOp(reduce, pooled);
    return success();
  }
};

/// A Reshape to a short int64 vector of a chain of Reshape, Slice and
/// Transpose ops (one use each, their other operands constant, at least one
/// of them not a Reshape) from another int64 vector: which entry goes where
/// is the chain's folding of the vector of indices 0..n-1.
struct VectorShuffleAsGather : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto i64Vector = [](Type type) {
      auto ranked = dyn_cast<RankedTensorType>(type);
      return ranked && ranked.getRank() == 1 && ranked.hasStaticShape() &&
             ranked.getElementType().isInteger(64) &&
             ranked.getNumElements() <= kMaxFoldedElements;
    };
    if (!i64Vector(op.getType()))
      return failure();
    SmallVector<Operation *> chain{op};
    bool moves = false;
    Value source = op.getInput();
    while (!i64Vector(source.getType())) {
      Operation *def = source.getDefiningOp();
      if (!def || !isa<ReshapeOp, SliceOp, TransposeOp>(def) || !def->hasOneUse())
        return failure();
      moves |= !isa<ReshapeOp>(def);
      chain.push_back(def);
      source = def->getOperand(0);
    }
    if (!moves)
      return failure();
    auto sourceType = cast<RankedTensorType>(source.getType());
    SmallVector<int64_t> iota(sourceType.getNumElements());
    for (size_t i = 0; i < iota.size(); ++i)
      iota[i] = i;
    Attribute indices = makeIntsAttr(sourceType, iota);
    for (Operation *step : llvm::reverse(chain)) {
      SmallVector<Attribute> operands{indices};
      for (Value operand : llvm::drop_begin(step->getOperands())) {
        Attribute constant;
        if (!matchPattern(operand, m_Constant(&constant)))
          return failure();
        operands.push_back(constant);
      }
      SmallVector<OpFoldResult> results;
      if (failed(step->fold(operands, results)) || results.size() != 1)
        return failure();
      if (auto attr = dyn_cast<Attribute>(results.front()))
        indices = attr;
      else if (cast<Value>(results.front()) != step->getOperand(0))
        return failure();
    }
    auto picked = dyn_cast<DenseIntElementsAttr>(indices);
    if (!picked || picked.getType() != op.getType())
      return failure();
    Value constant = rewriter.create<ConstantOp>(op.getLoc(), picked.getType(),
                                                 picked);
    rewriter.replaceOpWithNewOp<GatherOp>(op, op.getType(), source, constant,
                                          0);
    return success();
  }
};

} // namespace

void ReduceOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                           MLIRContext *context) {
  patterns.add<ReduceToGlobalPool>(context);
}

void ConvOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                         MLIRContext *context) {
  patterns.add<FoldPadIntoConv>(context);
}

void PoolOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                         MLIRContext *context) {
  patterns.add<FoldPadIntoAveragePool, PoolBeforePointwiseConv>(context);
}

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<VectorShuffleAsGather>(context);
}
