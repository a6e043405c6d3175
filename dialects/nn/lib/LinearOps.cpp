//===- LinearOps.cpp - Shape functions of gemm, matmul and reduce ---------===//

#include "OpHelpers.h"
#include "mlc/Dialect/NN/NNOps.h"

using namespace mlir;
using namespace mlc::nn;

LogicalResult GemmOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getA());
  auto a = context.getDims(getA()), b = context.getDims(getB());
  if ((a && a->size() != 2) || (b && b->size() != 2))
    return emitOpError() << "needs 2-D operands, got " << getA().getType()
                         << " and " << getB().getType();
  Dims aDims = a ? *a : Dims(2), bDims = b ? *b : Dims(2);
  if (getTransA())
    std::swap(aDims[0], aDims[1]);
  if (getTransB())
    std::swap(bDims[0], bDims[1]);
  if (failed(context.requireEqual(aDims[1], bDims[0], [&] {
        return "needs K = " + context.format(aDims[1]) + " from a, but b has " +
               context.format(bDims[0]) + " rows";
      })))
    return failure();
  Dims dims = {aDims[0], bDims[1]};
  if (Value c = getC())
    if (auto cDims = context.getDims(c)) {
      // c broadcasts to M x N, never the other way.
      if (cDims->size() > 2)
        return emitOpError() << "c " << context.format(*cDims)
                             << " does not broadcast to "
                             << context.format(dims);
      for (auto [x, y] : llvm::zip(llvm::reverse(*cDims), llvm::reverse(dims)))
        if (!x.isConstant(1) && failed(context.requireEqual(x, y, [&] {
              return "c " + context.format(*cDims) + " does not broadcast to " +
                     context.format(dims);
            })))
          return failure();
    }
  return context.setResult(0, ArrayRef<Dim>(dims), elementType);
}

LogicalResult MatMulOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getLhs());
  auto lhs = context.getDims(getLhs()), rhs = context.getDims(getRhs());
  if (!lhs || !rhs)
    return context.setResult(0, std::nullopt, elementType);
  if (lhs->empty() || rhs->empty())
    return emitOpError() << "needs operands of rank 1 or more";
  // Vectors become matrices, and the added dim is removed afterwards.
  bool lhsVector = lhs->size() == 1, rhsVector = rhs->size() == 1;
  Dims l = *lhs, r = *rhs;
  if (lhsVector)
    l.insert(l.begin(), context.dim(1));
  if (rhsVector)
    r.push_back(context.dim(1));
  Dim k = l.back(), kr = r[r.size() - 2];
  if (failed(context.requireEqual(k, kr, [&] {
        return "cannot multiply " + context.format(*lhs) + " by " +
               context.format(*rhs) + ": inner dims " + context.format(k) +
               " and " + context.format(kr) + " differ";
      })))
    return failure();
  FailureOr<Dims> batch =
      broadcast(context, ArrayRef<Dim>(l).drop_back(2),
                ArrayRef<Dim>(r).drop_back(2), [&] {
                  return "cannot broadcast the batch dims of " +
                         context.format(*lhs) + " and " + context.format(*rhs);
                });
  if (failed(batch))
    return failure();
  Dims dims = *batch;
  if (!lhsVector)
    dims.push_back(l[l.size() - 2]);
  if (!rhsVector)
    dims.push_back(r.back());
  return context.setResult(0, ArrayRef<Dim>(dims), elementType);
}

LogicalResult ReduceOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getInput());
  auto in = context.getDims(getInput());
  std::optional<SmallVector<int64_t>> axes;
  if (Value axesValue = getAxes()) {
    axes = context.getInts(axesValue);
    if (!axes) {
      // Which axes is unknown; the rank may still be known.
      auto axesDims = getDims(axesValue.getType());
      bool countKnown = axesDims && axesDims->size() == 1 &&
                        (*axesDims)[0] != kDynamic;
      if (in && countKnown && (*axesDims)[0] > int64_t(in->size()))
        return emitOpError() << "has " << (*axesDims)[0]
                             << " axes for an input of rank " << in->size();
      if (in && getKeepdims())
        return context.setResult(0, Dims(in->size()), elementType);
      if (in && countKnown)
        return context.setResult(0, Dims(in->size() - (*axesDims)[0]),
                                 elementType);
      return context.setResult(0, std::nullopt, elementType);
    }
  }
  if (!in)
    return context.setResult(0, std::nullopt, elementType);
  int64_t rank = in->size();
  SmallVector<bool> reduced(rank, false);
  if (!axes || axes->empty()) {
    if (getNoopWithEmptyAxes())
      return context.setResult(0, in, elementType);
    reduced.assign(rank, true);
  }
  for (int64_t axis : axes ? *axes : SmallVector<int64_t>()) {
    FailureOr<int64_t> normalized = resolveAxis(context, axis, *in);
    if (failed(normalized))
      return failure();
    reduced[*normalized] = true;
  }
  Dims dims;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced[i])
      dims.push_back((*in)[i]);
    else if (getKeepdims())
      dims.push_back(context.dim(1));
  }
  if (failed(context.setResult(0, ArrayRef<Dim>(dims), elementType)))
    return failure();
  // The product or sum of shape entries (a flattened run of dims).
  if (auto values = context.getValues(getInput());
      values && rank == 1 && reduced[0] &&
      (getKind() == ReduceKind::prod || getKind() == ReduceKind::sum)) {
    Dim total = context.dim(getKind() == ReduceKind::prod ? 1 : 0);
    for (Dim v : *values)
      total = getKind() == ReduceKind::prod ? total * v : total + v;
    context.setResultValues(0, total);
  }
  return success();
}
