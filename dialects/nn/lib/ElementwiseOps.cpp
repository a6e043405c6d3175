//===- ElementwiseOps.cpp - unary, binary, clip, prelu, softmax -----------===//

#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"
#include "OpHelpers.h"

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

LogicalResult UnaryOp::inferShapes(ShapeContext &context) {
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
  Type elementType = context.getElementType(getInput());
  if (!integerKind && !isa<FloatType>(elementType))
    return emitOpError() << stringifyUnaryKind(kind)
                         << " needs a floating-point tensor, got "
                         << getInput().getType();
  if (failed(context.setResult(0, context.getDims(getInput()), elementType)))
    return failure();
  // neg and abs of shape entries stay shape entries.
  if (auto values = context.getValues(getInput())) {
    Dims out;
    for (Dim v : *values) {
      std::optional<int64_t> known = v.getValue();
      if (kind == UnaryKind::neg)
        out.push_back(v * -1);
      else if (known && (kind == UnaryKind::abs || kind == UnaryKind::relu))
        out.push_back(context.dim(kind == UnaryKind::abs ? std::abs(*known)
                                                         : std::max<int64_t>(*known, 0)));
      else
        out.push_back(Dim());
    }
    context.setResultValues(0, out);
  }
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

// The entry of an integer binary op on shape entries, where it is known or
// an expression (sums, differences, products, division by a constant).
static Dim applyToEntries(BinaryKind kind, Dim x, Dim y) {
  std::optional<int64_t> a = x.getValue(), b = y.getValue();
  switch (kind) {
  case BinaryKind::add:
    return x + y;
  case BinaryKind::sub:
    return x - y;
  case BinaryKind::mul:
    return x * y;
  case BinaryKind::div:
    // ONNX truncates; for the non-negative sizes of shape math that is floor.
    if (a && b && *b != 0)
      return Dim::get(x.getExpr().getContext(), *a / *b);
    if (b && *b > 0)
      return x.floorDiv(*b);
    return Dim();
  case BinaryKind::max:
  case BinaryKind::min:
    if (a && b)
      return Dim::get(x.getExpr().getContext(),
                      kind == BinaryKind::max ? std::max(*a, *b)
                                              : std::min(*a, *b));
    return x.isSameAs(y) ? x : Dim();
  case BinaryKind::pow:
    return Dim();
  }
  return Dim();
}

LogicalResult BinaryOp::inferShapes(ShapeContext &context) {
  Type lhsType = getLhs().getType(), rhsType = getRhs().getType();
  Type elementType = context.getElementType(getLhs());
  if (elementType != context.getElementType(getRhs()))
    return emitOpError() << "operands have different element types: "
                         << lhsType << " and " << rhsType;
  auto lhs = context.getDims(getLhs()), rhs = context.getDims(getRhs());
  if (!lhs || !rhs)
    return context.setResult(0, std::nullopt, elementType);
  FailureOr<Dims> dims = broadcast(context, *lhs, *rhs);
  if (failed(dims))
    return failure();
  if (failed(context.setResult(0, *dims, elementType)))
    return failure();
  // Integer arithmetic on shape entries (a scalar broadcasts).
  auto x = context.getValues(getLhs()), y = context.getValues(getRhs());
  if (x && y && isa<IntegerType>(elementType) &&
      (x->size() == y->size() || x->size() == 1 || y->size() == 1)) {
    size_t count = std::max(x->size(), y->size());
    Dims out;
    for (size_t i = 0; i < count; ++i)
      out.push_back(applyToEntries(getKind(), (*x)[x->size() == 1 ? 0 : i],
                                   (*y)[y->size() == 1 ? 0 : i]));
    context.setResultValues(0, out);
  }
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

LogicalResult ClipOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getInput());
  for (Value bound : {getMin(), getMax()}) {
    if (!bound)
      continue;
    if (context.getElementType(bound) != elementType)
      return emitOpError() << "bound " << bound.getType()
                           << " does not match the input's element type "
                           << elementType;
    auto dims = getDims(bound.getType());
    if (dims && llvm::any_of(*dims, [](int64_t d) { return d != 1; }))
      return emitOpError() << "bounds must be scalars, got "
                           << bound.getType();
  }
  return context.setResult(0, context.getDims(getInput()), elementType);
}

LogicalResult PReluOp::inferShapes(ShapeContext &context) {
  auto in = context.getDims(getInput()), slope = context.getDims(getSlope());
  if (in && slope) {
    // The slope broadcasts to the input, never the other way.
    if (slope->size() > in->size())
      return emitOpError() << "slope " << context.format(*slope)
                           << " does not broadcast to the input "
                           << context.format(*in);
    for (auto [s, x] : llvm::zip(llvm::reverse(*slope), llvm::reverse(*in)))
      if (!s.isConstant(1) &&
          failed(context.requireEqual(s, x, [&] {
            return "slope " + context.format(*slope) +
                   " does not broadcast to the input " + context.format(*in);
          })))
        return failure();
  }
  return context.setResult(0, in, context.getElementType(getInput()));
}

LogicalResult SoftmaxOp::inferShapes(ShapeContext &context) {
  auto in = context.getDims(getInput());
  if (in && failed(resolveAxis(context, int64_t(getAxis()), *in)))
    return failure();
  return context.setResult(0, in, context.getElementType(getInput()));
}
