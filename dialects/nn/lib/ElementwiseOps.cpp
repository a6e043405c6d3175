//===- ElementwiseOps.cpp - unary, binary, clip, prelu, softmax -----------===//

#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"

#include <cmath>

using namespace mlir;
using namespace mlc::nn;

//===----------------------------------------------------------------------===//
// unary
//===----------------------------------------------------------------------===//

bool UnaryOp::takesAlpha(UnaryKind kind) {
  return kind == UnaryKind::leaky_relu || kind == UnaryKind::elu ||
         kind == UnaryKind::hard_sigmoid;
}

bool UnaryOp::takesBeta(UnaryKind kind) {
  return kind == UnaryKind::hard_sigmoid;
}

LogicalResult UnaryOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  UnaryKind kind = getKind();
  if (takesAlpha(kind) != bool(getAlpha()))
    return emitOpError() << stringifyUnaryKind(kind)
                         << (takesAlpha(kind) ? " needs" : " takes no")
                         << " alpha";
  if (takesBeta(kind) != bool(getBeta()))
    return emitOpError() << stringifyUnaryKind(kind)
                         << (takesBeta(kind) ? " needs" : " takes no")
                         << " beta";
  bool integerKind = kind == UnaryKind::relu || kind == UnaryKind::abs ||
                     kind == UnaryKind::neg;
  Type elementType = getElementType(getInput().getType());
  if (!integerKind && !isa<FloatType>(elementType))
    return emitOpError() << stringifyUnaryKind(kind)
                         << " needs a floating-point tensor, got "
                         << getInput().getType();
  types.push_back(getInput().getType());
  return success();
}

// The function of one element, in double precision.
static double applyUnary(UnaryKind kind, double x, double alpha, double beta) {
  switch (kind) {
  case UnaryKind::relu:
    return x > 0 ? x : 0;
  case UnaryKind::leaky_relu:
    return x >= 0 ? x : alpha * x;
  case UnaryKind::sigmoid:
    return 1 / (1 + std::exp(-x));
  case UnaryKind::tanh:
    return std::tanh(x);
  case UnaryKind::hard_sigmoid:
    return std::max(0.0, std::min(1.0, alpha * x + beta));
  case UnaryKind::hard_swish:
    return x * std::max(0.0, std::min(1.0, x / 6 + 0.5));
  case UnaryKind::elu:
    return x >= 0 ? x : alpha * (std::exp(x) - 1);
  case UnaryKind::softplus:
    return std::log1p(std::exp(x));
  case UnaryKind::exp:
    return std::exp(x);
  case UnaryKind::log:
    return std::log(x);
  case UnaryKind::sqrt:
    return std::sqrt(x);
  case UnaryKind::erf:
    return std::erf(x);
  case UnaryKind::abs:
    return std::fabs(x);
  case UnaryKind::neg:
    return -x;
  case UnaryKind::floor:
    return std::floor(x);
  case UnaryKind::ceil:
    return std::ceil(x);
  case UnaryKind::reciprocal:
    return 1 / x;
  }
  llvm_unreachable("unknown unary kind");
}

OpFoldResult UnaryOp::fold(FoldAdaptor adaptor) {
  auto type = dyn_cast<RankedTensorType>(getType());
  if (!type || !type.hasStaticShape() ||
      type.getNumElements() > kMaxFoldedElements)
    return {};
  UnaryKind kind = getKind();
  double alpha = getAlpha() ? getAlpha()->convertToDouble() : 0;
  double beta = getBeta() ? getBeta()->convertToDouble() : 0;
  if (isa<FloatType>(type.getElementType())) {
    auto values = getConstantFloats(adaptor.getInput());
    if (!values)
      return {};
    for (double &v : *values)
      v = applyUnary(kind, v, alpha, beta);
    return makeFloatsAttr(type, *values);
  }
  auto values = getConstantInts(adaptor.getInput());
  if (!values)
    return {};
  for (int64_t &v : *values) {
    if (kind == UnaryKind::relu)
      v = std::max<int64_t>(v, 0);
    else if (kind == UnaryKind::abs)
      v = std::abs(v);
    else if (kind == UnaryKind::neg)
      v = -v;
    else
      return {};
  }
  return makeIntsAttr(type, *values);
}

//===----------------------------------------------------------------------===//
// binary
//===----------------------------------------------------------------------===//

LogicalResult BinaryOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type lhsType = getLhs().getType(), rhsType = getRhs().getType();
  Type elementType = getElementType(lhsType);
  if (elementType != getElementType(rhsType))
    return emitOpError() << "operands have different element types: "
                         << lhsType << " and " << rhsType;
  auto lhs = getDims(lhsType), rhs = getDims(rhsType);
  if (!lhs || !rhs) {
    types.push_back(makeTensorType(std::nullopt, elementType));
    return success();
  }
  auto dims = broadcastDims(*lhs, *rhs);
  if (!dims)
    return emitOpError() << "cannot broadcast " << formatDims(*lhs) << " and "
                         << formatDims(*rhs);
  types.push_back(makeTensorType(ArrayRef<int64_t>(*dims), elementType));
  return success();
}

// Applies `f` to every element of the broadcast of `a` (shape `aDims`) and
// `b` (shape `bDims`), whose shape is `out`.
template <typename T, typename F>
static SmallVector<T> broadcastApply(ArrayRef<T> a, ArrayRef<int64_t> aDims,
                                     ArrayRef<T> b, ArrayRef<int64_t> bDims,
                                     ArrayRef<int64_t> out, F f) {
  size_t rank = out.size();
  // The stride of each output dim in a and in b (0 where broadcast).
  SmallVector<int64_t> aStride(rank, 0), bStride(rank, 0);
  for (int64_t i = rank - 1, as = 1, bs = 1; i >= 0; --i) {
    int64_t ai = i - int64_t(rank - aDims.size());
    int64_t bi = i - int64_t(rank - bDims.size());
    if (ai >= 0) {
      aStride[i] = aDims[ai] == 1 ? 0 : as;
      as *= aDims[ai];
    }
    if (bi >= 0) {
      bStride[i] = bDims[bi] == 1 ? 0 : bs;
      bs *= bDims[bi];
    }
  }
  int64_t count = 1;
  for (int64_t d : out)
    count *= d;
  SmallVector<T> result;
  result.reserve(count);
  SmallVector<int64_t> index(rank, 0);
  for (int64_t n = 0; n < count; ++n) {
    int64_t ao = 0, bo = 0;
    for (size_t i = 0; i < rank; ++i) {
      ao += index[i] * aStride[i];
      bo += index[i] * bStride[i];
    }
    result.push_back(f(a[ao], b[bo]));
    for (int64_t i = rank - 1; i >= 0 && ++index[i] == out[i]; --i)
      index[i] = 0;
  }
  return result;
}

OpFoldResult BinaryOp::fold(FoldAdaptor adaptor) {
  auto type = dyn_cast<RankedTensorType>(getType());
  auto lhsAttr = dyn_cast_or_null<ElementsAttr>(adaptor.getLhs());
  auto rhsAttr = dyn_cast_or_null<ElementsAttr>(adaptor.getRhs());
  if (!type || !type.hasStaticShape() || !lhsAttr || !rhsAttr ||
      type.getNumElements() > kMaxFoldedElements)
    return {};
  ArrayRef<int64_t> lhsDims = lhsAttr.getShapedType().getShape();
  ArrayRef<int64_t> rhsDims = rhsAttr.getShapedType().getShape();
  BinaryKind kind = getKind();
  if (isa<FloatType>(type.getElementType())) {
    auto lhs = getConstantFloats(lhsAttr), rhs = getConstantFloats(rhsAttr);
    if (!lhs || !rhs)
      return {};
    auto values = broadcastApply<double>(
        *lhs, lhsDims, *rhs, rhsDims, type.getShape(),
        [kind](double x, double y) -> double {
          switch (kind) {
          case BinaryKind::add: return x + y;
          case BinaryKind::sub: return x - y;
          case BinaryKind::mul: return x * y;
          case BinaryKind::div: return x / y;
          case BinaryKind::pow: return std::pow(x, y);
          case BinaryKind::max: return std::max(x, y);
          case BinaryKind::min: return std::min(x, y);
          }
          llvm_unreachable("unknown binary kind");
        });
    return makeFloatsAttr(type, values);
  }
  auto lhs = getConstantInts(lhsAttr), rhs = getConstantInts(rhsAttr);
  if (!lhs || !rhs)
    return {};
  if ((kind == BinaryKind::div && llvm::is_contained(*rhs, 0)) ||
      kind == BinaryKind::pow)
    return {};
  auto values = broadcastApply<int64_t>(
      *lhs, lhsDims, *rhs, rhsDims, type.getShape(),
      [kind](int64_t x, int64_t y) -> int64_t {
        switch (kind) {
        case BinaryKind::add: return x + y;
        case BinaryKind::sub: return x - y;
        case BinaryKind::mul: return x * y;
        case BinaryKind::div: return x / y; // truncates, as ONNX does
        case BinaryKind::max: return std::max(x, y);
        case BinaryKind::min: return std::min(x, y);
        case BinaryKind::pow: break;
        }
        llvm_unreachable("not folded");
      });
  return makeIntsAttr(type, values);
}

//===----------------------------------------------------------------------===//
// clip, prelu, softmax
//===----------------------------------------------------------------------===//

LogicalResult ClipOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type elementType = getElementType(getInput().getType());
  for (Value bound : {getMin(), getMax()}) {
    if (!bound)
      continue;
    if (getElementType(bound.getType()) != elementType)
      return emitOpError() << "bound " << bound.getType()
                           << " does not match the input's element type "
                           << elementType;
    auto dims = getDims(bound.getType());
    if (dims && llvm::any_of(*dims, [](int64_t d) { return d != 1; }))
      return emitOpError() << "bounds must be scalars, got "
                           << bound.getType();
  }
  types.push_back(getInput().getType());
  return success();
}

LogicalResult PReluOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  auto in = getDims(getInput().getType()), slope = getDims(getSlope().getType());
  if (in && slope) {
    auto dims = broadcastDims(*in, *slope);
    if (!dims || dims->size() != in->size() || !areCompatible(
            makeTensorType(ArrayRef<int64_t>(*dims), getElementType(getType())),
            getInput().getType()))
      return emitOpError() << "slope " << formatDims(*slope)
                           << " does not broadcast to the input "
                           << formatDims(*in);
  }
  types.push_back(getInput().getType());
  return success();
}

LogicalResult SoftmaxOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (auto in = getDims(getInput().getType()))
    if (!normalizeAxis(getAxis(), in->size()))
      return emitOpError() << "axis " << int64_t(getAxis())
                           << " is out of range for " << formatDims(*in);
  types.push_back(getInput().getType());
  return success();
}
