//===- PoolOps.cpp - Shape functions of pool and global_pool --------------===//

#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"

using namespace mlir;
using namespace mlc::nn;

LogicalResult PoolOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type elementType = getElementType(getInput().getType());
  ArrayRef<int64_t> kernel = getKernelShape();
  int64_t n = kernel.size();
  if (n == 0)
    return emitOpError() << "needs a kernel_shape";
  FailureOr<Window> window =
      makeWindow(*this, kernel, getStrides(), getDilations(), getPads(),
                 getAutoPad(), getCeilMode());
  if (failed(window))
    return failure();
  auto in = getDims(getInput().getType());
  if (!in) {
    SmallVector<int64_t> dims(n + 2, kDynamic);
    types.push_back(makeTensorType(ArrayRef<int64_t>(dims), elementType));
    return success();
  }
  if (int64_t(in->size()) != n + 2)
    return emitOpError() << "kernel_shape has " << n << " dims but the input "
                         << formatDims(*in) << " has " << int64_t(in->size()) - 2
                         << " spatial dims";
  FailureOr<SmallVector<int64_t>> spatial =
      inferWindowOutput(*this, ArrayRef<int64_t>(*in).drop_front(2), *window);
  if (failed(spatial))
    return failure();
  SmallVector<int64_t> dims = {(*in)[0], (*in)[1]};
  dims.append(spatial->begin(), spatial->end());
  types.push_back(makeTensorType(ArrayRef<int64_t>(dims), elementType));
  return success();
}

LogicalResult GlobalPoolOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type elementType = getElementType(getInput().getType());
  auto in = getDims(getInput().getType());
  if (!in) {
    types.push_back(makeTensorType(std::nullopt, elementType));
    return success();
  }
  if (in->size() < 3)
    return emitOpError() << "needs an input of rank 3 or more (N x C x "
                            "spatial dims), got "
                         << formatDims(*in);
  SmallVector<int64_t> dims(in->size(), 1);
  dims[0] = (*in)[0];
  dims[1] = (*in)[1];
  types.push_back(makeTensorType(ArrayRef<int64_t>(dims), elementType));
  return success();
}
