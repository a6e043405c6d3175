//===- LinearOps.cpp - Shape functions of gemm, matmul and reduce ---------===//

#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"

using namespace mlir;
using namespace mlc::nn;

// Whether two dims may be equal (either unknown, or the same).
static bool mayEqual(int64_t a, int64_t b) {
  return a == kDynamic || b == kDynamic || a == b;
}

LogicalResult GemmOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type elementType = getElementType(getA().getType());
  auto a = getDims(getA().getType()), b = getDims(getB().getType());
  if ((a && a->size() != 2) || (b && b->size() != 2))
    return emitOpError() << "needs 2-D operands, got " << getA().getType()
                         << " and " << getB().getType();
  SmallVector<int64_t> aDims = a ? *a : SmallVector<int64_t>(2, kDynamic);
  SmallVector<int64_t> bDims = b ? *b : SmallVector<int64_t>(2, kDynamic);
  if (getTransA())
    std::swap(aDims[0], aDims[1]);
  if (getTransB())
    std::swap(bDims[0], bDims[1]);
  if (!mayEqual(aDims[1], bDims[0]))
    return emitOpError() << "needs K = " << aDims[1] << " from a, but b has "
                         << bDims[0] << " rows";
  SmallVector<int64_t> dims = {aDims[0], bDims[1]};
  if (Value c = getC())
    if (auto cDims = getDims(c.getType())) {
      auto broadcast = broadcastDims(dims, *cDims);
      if (!broadcast || broadcast->size() != 2 ||
          !mayEqual((*broadcast)[0], dims[0]) ||
          !mayEqual((*broadcast)[1], dims[1]))
        return emitOpError() << "c " << formatDims(*cDims)
                             << " does not broadcast to " << formatDims(dims);
    }
  types.push_back(makeTensorType(ArrayRef<int64_t>(dims), elementType));
  return success();
}

LogicalResult MatMulOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type elementType = getElementType(getLhs().getType());
  auto lhs = getDims(getLhs().getType()), rhs = getDims(getRhs().getType());
  if (!lhs || !rhs) {
    types.push_back(makeTensorType(std::nullopt, elementType));
    return success();
  }
  if (lhs->empty() || rhs->empty())
    return emitOpError() << "needs operands of rank 1 or more";
  // Vectors become matrices, and the added dim is removed afterwards.
  bool lhsVector = lhs->size() == 1, rhsVector = rhs->size() == 1;
  SmallVector<int64_t> l = *lhs, r = *rhs;
  if (lhsVector)
    l.insert(l.begin(), 1);
  if (rhsVector)
    r.push_back(1);
  int64_t k = l.back(), kr = r[r.size() - 2];
  if (!mayEqual(k, kr))
    return emitOpError() << "cannot multiply " << formatDims(*lhs) << " by "
                         << formatDims(*rhs) << ": inner dims " << k
                         << " and " << kr << " differ";
  auto batch = broadcastDims(ArrayRef<int64_t>(l).drop_back(2),
                             ArrayRef<int64_t>(r).drop_back(2));
  if (!batch)
    return emitOpError() << "cannot broadcast the batch dims of "
                         << formatDims(*lhs) << " and " << formatDims(*rhs);
  SmallVector<int64_t> dims = *batch;
  if (!lhsVector)
    dims.push_back(l[l.size() - 2]);
  if (!rhsVector)
    dims.push_back(r.back());
  types.push_back(makeTensorType(ArrayRef<int64_t>(dims), elementType));
  return success();
}

LogicalResult ReduceOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type elementType = getElementType(getInput().getType());
  auto in = getDims(getInput().getType());
  std::optional<SmallVector<int64_t>> axes;
  if (Value axesValue = getAxes()) {
    axes = getConstantInts(axesValue);
    if (!axes) {
      // Which axes is unknown; with keepdims the rank still is known.
      auto axesDims = getDims(axesValue.getType());
      if (in && axesDims && axesDims->size() == 1 &&
          (*axesDims)[0] != kDynamic && (*axesDims)[0] > int64_t(in->size()))
        return emitOpError() << "has " << (*axesDims)[0]
                             << " axes for an input of rank " << in->size();
      if (in && getKeepdims()) {
        SmallVector<int64_t> dims(in->size(), kDynamic);
        types.push_back(makeTensorType(ArrayRef<int64_t>(dims), elementType));
      } else if (in && axesDims && axesDims->size() == 1 &&
                 (*axesDims)[0] != kDynamic) {
        SmallVector<int64_t> dims(in->size() - (*axesDims)[0], kDynamic);
        types.push_back(makeTensorType(ArrayRef<int64_t>(dims), elementType));
      } else {
        types.push_back(makeTensorType(std::nullopt, elementType));
      }
      return success();
    }
  }
  if (!in) {
    types.push_back(makeTensorType(std::nullopt, elementType));
    return success();
  }
  int64_t rank = in->size();
  SmallVector<bool> reduced(rank, false);
  if (!axes || axes->empty()) {
    if (getNoopWithEmptyAxes()) {
      types.push_back(getInput().getType());
      return success();
    }
    reduced.assign(rank, true);
  }
  for (int64_t axis : axes ? *axes : SmallVector<int64_t>()) {
    auto normalized = normalizeAxis(axis, rank);
    if (!normalized)
      return emitOpError() << "axis " << axis << " is out of range for "
                           << formatDims(*in);
    reduced[*normalized] = true;
  }
  SmallVector<int64_t> dims;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced[i])
      dims.push_back((*in)[i]);
    else if (getKeepdims())
      dims.push_back(1);
  }
  types.push_back(makeTensorType(ArrayRef<int64_t>(dims), elementType));
  return success();
}
