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

// The remainder with the divisor's sign (ONNX Mod with fmod = 0, Python's %).
template <typename T> static T floorMod(T x, T y) {
  if (y == -1) // x % -1 overflows for the lowest x
    return 0;
  T r = x % y;
  return r != 0 && (r < 0) != (y < 0) ? r + y : r;
}

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
  case BinaryKind::mod:
  case BinaryKind::fmod:
    // Both agree on the non-negative sizes of shape math.
    if (a && b && *b != 0)
      return Dim::get(x.getExpr().getContext(),
                      kind == BinaryKind::mod ? floorMod(*a, *b) : *a % *b);
    if (b && *b > 0 && !x.isUnknown())
      return Dim(x.getExpr() % *b);
    return Dim();
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

// For each element of a tensor of shape `out`, in order, the index of the
// element of a tensor of shape `dims` broadcast to it.
static SmallVector<int64_t> broadcastIndices(ArrayRef<int64_t> dims,
                                             ArrayRef<int64_t> out) {
  size_t rank = out.size();
  // The stride of each output dim in the operand (0 where broadcast).
  SmallVector<int64_t> stride(rank, 0);
  for (int64_t i = rank - 1, s = 1; i >= 0; --i) {
    int64_t d = i - int64_t(rank - dims.size());
    if (d >= 0) {
      stride[i] = dims[d] == 1 ? 0 : s;
      s *= dims[d];
    }
  }
  int64_t count = 1;
  for (int64_t d : out)
    count *= d;
  SmallVector<int64_t> indices;
  indices.reserve(count);
  SmallVector<int64_t> index(rank, 0);
  for (int64_t n = 0; n < count; ++n) {
    int64_t offset = 0;
    for (size_t i = 0; i < rank; ++i)
      offset += index[i] * stride[i];
    indices.push_back(offset);
    for (int64_t i = rank - 1; i >= 0 && ++index[i] == out[i]; --i)
      index[i] = 0;
  }
  return indices;
}

// Applies `f` to every element of the broadcast of `a` (shape `aDims`) and
// `b` (shape `bDims`), whose shape is `out`.
template <typename R, typename T, typename F>
static SmallVector<R> broadcastApply(ArrayRef<T> a, ArrayRef<int64_t> aDims,
                                     ArrayRef<T> b, ArrayRef<int64_t> bDims,
                                     ArrayRef<int64_t> out, F f) {
  SmallVector<int64_t> ai = broadcastIndices(aDims, out),
                       bi = broadcastIndices(bDims, out);
  SmallVector<R> result;
  result.reserve(ai.size());
  for (size_t n = 0; n < ai.size(); ++n)
    result.push_back(f(a[ai[n]], b[bi[n]]));
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
    auto values = broadcastApply<double, double>(
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
          case BinaryKind::fmod: return std::fmod(x, y);
          case BinaryKind::mod: {
            double r = std::fmod(x, y);
            return r != 0 && (r < 0) != (y < 0) ? r + y : r;
          }
          }
          llvm_unreachable("unknown binary kind");
        });
    return makeFloatsAttr(type, values);
  }
  auto lhs = getConstantInts(lhsAttr), rhs = getConstantInts(rhsAttr);
  if (!lhs || !rhs)
    return {};
  bool divides = kind == BinaryKind::div || kind == BinaryKind::mod ||
                 kind == BinaryKind::fmod;
  if ((divides && llvm::is_contained(*rhs, 0)) || kind == BinaryKind::pow)
    return {};
  auto values = broadcastApply<int64_t, int64_t>(
      *lhs, lhsDims, *rhs, rhsDims, type.getShape(),
      [kind](int64_t x, int64_t y) -> int64_t {
        switch (kind) {
        case BinaryKind::add: return x + y;
        case BinaryKind::sub: return x - y;
        case BinaryKind::mul: return x * y;
        case BinaryKind::div: return x / y; // truncates, as ONNX does
        case BinaryKind::max: return std::max(x, y);
        case BinaryKind::min: return std::min(x, y);
        case BinaryKind::mod: return floorMod(x, y);
        case BinaryKind::fmod: return y == -1 ? 0 : x % y; // the dividend's sign
        case BinaryKind::pow: break;
        }
        llvm_unreachable("not folded");
      });
  return makeIntsAttr(type, values);
}

//===----------------------------------------------------------------------===//
// compare, not, where
//===----------------------------------------------------------------------===//

template <typename T> static bool compare(CompareKind kind, T x, T y) {
  switch (kind) {
  case CompareKind::equal: return x == y;
  case CompareKind::less: return x < y;
  case CompareKind::less_or_equal: return x <= y;
  case CompareKind::greater: return x > y;
  case CompareKind::greater_or_equal: return x >= y;
  }
  llvm_unreachable("unknown compare kind");
}

// A comparison of two shape entries, as far as it is known: a symbolic
// entry is a size, never negative (torch's expand(n, -1) asks whether n is
// -1).
static Dim compareEntries(MLIRContext *context, CompareKind kind, Dim x, Dim y) {
  std::optional<int64_t> a = x.getValue(), b = y.getValue();
  if (a && b)
    return Dim::get(context, compare(kind, *a, *b));
  if (kind == CompareKind::equal &&
      ((x.isSymbolic() && b && *b < 0) || (y.isSymbolic() && a && *a < 0)))
    return Dim::get(context, 0);
  return Dim();
}

LogicalResult CompareOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getLhs());
  if (elementType != context.getElementType(getRhs()))
    return emitOpError() << "operands have different element types: "
                         << getLhs().getType() << " and " << getRhs().getType();
  Type i1 = IntegerType::get(getContext(), 1);
  auto lhs = context.getDims(getLhs()), rhs = context.getDims(getRhs());
  if (!lhs || !rhs)
    return context.setResult(0, std::nullopt, i1);
  FailureOr<Dims> dims = broadcast(context, *lhs, *rhs);
  if (failed(dims) || failed(context.setResult(0, *dims, i1)))
    return failure();
  auto x = context.getValues(getLhs()), y = context.getValues(getRhs());
  if (x && y && isa<IntegerType>(elementType) &&
      (x->size() == y->size() || x->size() == 1 || y->size() == 1)) {
    size_t count = std::max(x->size(), y->size());
    Dims out;
    for (size_t i = 0; i < count; ++i)
      out.push_back(compareEntries(getContext(), getKind(),
                                   (*x)[x->size() == 1 ? 0 : i],
                                   (*y)[y->size() == 1 ? 0 : i]));
    context.setResultValues(0, out);
  }
  return success();
}

OpFoldResult CompareOp::fold(FoldAdaptor adaptor) {
  auto type = dyn_cast<RankedTensorType>(getType());
  auto lhsAttr = dyn_cast_or_null<ElementsAttr>(adaptor.getLhs());
  auto rhsAttr = dyn_cast_or_null<ElementsAttr>(adaptor.getRhs());
  if (!type || !isFoldable(type) || !lhsAttr || !rhsAttr)
    return {};
  ArrayRef<int64_t> lhsDims = lhsAttr.getShapedType().getShape();
  ArrayRef<int64_t> rhsDims = rhsAttr.getShapedType().getShape();
  CompareKind kind = getKind();
  auto apply = [&](auto lhs, auto rhs) {
    using T = typename decltype(lhs)::value_type;
    return broadcastApply<int64_t, T>(
        lhs, lhsDims, rhs, rhsDims, type.getShape(),
        [kind](T x, T y) -> int64_t { return compare(kind, x, y); });
  };
  if (isa<FloatType>(lhsAttr.getElementType())) {
    auto lhs = getConstantFloats(lhsAttr), rhs = getConstantFloats(rhsAttr);
    if (!lhs || !rhs)
      return {};
    return makeIntsAttr(type, apply(*lhs, *rhs));
  }
  auto lhs = getConstantInts(lhsAttr), rhs = getConstantInts(rhsAttr);
  if (!lhs || !rhs)
    return {};
  return makeIntsAttr(type, apply(*lhs, *rhs));
}

static bool isBoolean(Type type) { return type.isInteger(1); }

LogicalResult NotOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getInput());
  if (elementType && !isBoolean(elementType))
    return emitOpError() << "needs an i1 input, got " << getInput().getType();
  if (failed(context.setResult(0, context.getDims(getInput()), elementType)))
    return failure();
  if (auto values = context.getValues(getInput())) {
    Dims out;
    for (Dim v : *values)
      out.push_back(v.getValue() ? context.dim(*v.getValue() == 0) : Dim());
    context.setResultValues(0, out);
  }
  return success();
}

OpFoldResult NotOp::fold(FoldAdaptor adaptor) {
  auto type = dyn_cast<RankedTensorType>(getType());
  if (!type || !isFoldable(type))
    return {};
  auto values = getConstantInts(adaptor.getInput());
  if (!values)
    return {};
  for (int64_t &v : *values)
    v = v == 0;
  return makeIntsAttr(type, *values);
}

LogicalResult WhereOp::inferShapes(ShapeContext &context) {
  Type conditionType = context.getElementType(getCondition());
  if (conditionType && !isBoolean(conditionType))
    return emitOpError() << "needs an i1 condition, got "
                         << getCondition().getType();
  Type elementType = context.getElementType(getX());
  if (elementType != context.getElementType(getOther()))
    return emitOpError() << "choices have different element types: "
                         << getX().getType() << " and " << getOther().getType();
  auto condition = context.getDims(getCondition()), x = context.getDims(getX()),
       other = context.getDims(getOther());
  if (!condition || !x || !other)
    return context.setResult(0, std::nullopt, elementType);
  FailureOr<Dims> choices = broadcast(context, *x, *other);
  if (failed(choices))
    return failure();
  FailureOr<Dims> dims = broadcast(context, *condition, *choices);
  if (failed(dims) || failed(context.setResult(0, *dims, elementType)))
    return failure();
  // Shape entries chosen by known conditions (the -1s of expand(n, -1)
  // replaced by 1s), kept as expressions where they are.
  auto c = context.getValues(getCondition()), a = context.getValues(getX()),
       b = context.getValues(getOther());
  if (c && a && b && dims->size() <= 1) {
    size_t count = dims->empty() ? 1 : std::max({c->size(), a->size(), b->size()});
    auto at = [](const Dims &v, size_t i) { return v[v.size() == 1 ? 0 : i]; };
    Dims out;
    for (size_t i = 0; i < count; ++i) {
      if ((c->size() != 1 && c->size() != count) ||
          (a->size() != 1 && a->size() != count) ||
          (b->size() != 1 && b->size() != count))
        return success();
      std::optional<int64_t> choice = at(*c, i).getValue();
      out.push_back(!choice ? Dim() : *choice ? at(*a, i) : at(*b, i));
    }
    context.setResultValues(0, out);
  }
  return success();
}

OpFoldResult WhereOp::fold(FoldAdaptor adaptor) {
  auto type = dyn_cast<RankedTensorType>(getType());
  auto conditionAttr = dyn_cast_or_null<ElementsAttr>(adaptor.getCondition());
  auto xAttr = dyn_cast_or_null<ElementsAttr>(adaptor.getX());
  auto otherAttr = dyn_cast_or_null<ElementsAttr>(adaptor.getOther());
  if (!type || !isFoldable(type) || !conditionAttr || !xAttr || !otherAttr)
    return {};
  auto condition = getConstantInts(conditionAttr);
  if (!condition)
    return {};
  ArrayRef<int64_t> out = type.getShape();
  SmallVector<int64_t> ci = broadcastIndices(conditionAttr.getShapedType().getShape(), out),
                       xi = broadcastIndices(xAttr.getShapedType().getShape(), out),
                       oi = broadcastIndices(otherAttr.getShapedType().getShape(), out);
  auto choose = [&](const auto &x, const auto &other) {
    SmallVector<typename std::decay_t<decltype(x)>::value_type> result;
    for (size_t n = 0; n < ci.size(); ++n)
      result.push_back((*condition)[ci[n]] ? x[xi[n]] : other[oi[n]]);
    return result;
  };
  if (isa<FloatType>(type.getElementType())) {
    auto x = getConstantFloats(xAttr), other = getConstantFloats(otherAttr);
    if (!x || !other)
      return {};
    return makeFloatsAttr(type, choose(*x, *other));
  }
  auto x = getConstantInts(xAttr), other = getConstantInts(otherAttr);
  if (!x || !other)
    return {};
  return makeIntsAttr(type, choose(*x, *other));
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
