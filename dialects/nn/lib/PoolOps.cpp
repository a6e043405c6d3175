//===- PoolOps.cpp - Shape functions of pool and global_pool --------------===//

#include "OpHelpers.h"
#include "mlc/Dialect/NN/NNOps.h"

using namespace mlir;
using namespace mlc::nn;

LogicalResult PoolOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getInput());
  ArrayRef<int64_t> kernel = getKernelShape();
  int64_t n = kernel.size();
  if (n == 0)
    return emitOpError() << "needs a kernel_shape";
  FailureOr<Window> window =
      makeWindow(*this, kernel, getStrides(), getDilations(), getPads(),
                 getAutoPad(), getCeilMode());
  if (failed(window))
    return failure();
  auto in = context.getDims(getInput());
  if (!in)
    return context.setResult(0, Dims(n + 2), elementType);
  if (int64_t(in->size()) != n + 2)
    return emitOpError() << "kernel_shape has " << n << " dims but the input "
                         << context.format(*in) << " has "
                         << int64_t(in->size()) - 2 << " spatial dims";
  FailureOr<Dims> spatial =
      inferWindowOutput(context, ArrayRef<Dim>(*in).drop_front(2), *window);
  if (failed(spatial))
    return failure();
  Dims dims = {(*in)[0], (*in)[1]};
  dims.append(spatial->begin(), spatial->end());
  return context.setResult(0, ArrayRef<Dim>(dims), elementType);
}

LogicalResult GlobalPoolOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getInput());
  auto in = context.getDims(getInput());
  if (!in)
    return context.setResult(0, std::nullopt, elementType);
  if (in->size() < 3)
    return emitOpError() << "needs an input of rank 3 or more (N x C x "
                            "spatial dims), got "
                         << context.format(*in);
  Dims dims(in->size(), context.dim(1));
  dims[0] = (*in)[0];
  dims[1] = (*in)[1];
  return context.setResult(0, ArrayRef<Dim>(dims), elementType);
}
