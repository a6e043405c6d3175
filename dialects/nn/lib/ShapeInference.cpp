//===- ShapeInference.cpp - Shapes as expressions of the input's dims -----===//

#include "mlc/Dialect/NN/ShapeInference.h"
#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"

#include "mlir/IR/AffineExprVisitor.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlc::nn;

//===----------------------------------------------------------------------===//
// Dim
//===----------------------------------------------------------------------===//

Dim Dim::get(MLIRContext *context, int64_t size) {
  if (size == ShapedType::kDynamic)
    return Dim();
  return Dim(getAffineConstantExpr(size, context));
}

std::optional<int64_t> Dim::getValue() const {
  if (auto constant = dyn_cast_or_null<AffineConstantExpr>(expr))
    return constant.getValue();
  return std::nullopt;
}

int64_t Dim::getValueOrDynamic() const {
  return getValue().value_or(ShapedType::kDynamic);
}

bool Dim::isSymbolic() const { return expr && !isa<AffineConstantExpr>(expr); }

Dim Dim::operator+(Dim other) const {
  return expr && other.expr ? Dim(expr + other.expr) : Dim();
}
Dim Dim::operator-(Dim other) const {
  return expr && other.expr ? Dim(expr - other.expr) : Dim();
}
Dim Dim::operator*(Dim other) const {
  return expr && other.expr ? Dim(expr * other.expr) : Dim();
}
Dim Dim::operator+(int64_t c) const { return expr ? Dim(expr + c) : Dim(); }
Dim Dim::operator-(int64_t c) const { return expr ? Dim(expr - c) : Dim(); }
Dim Dim::operator*(int64_t c) const { return expr ? Dim(expr * c) : Dim(); }

// Divides by a positive constant in the form people write: the constant
// term comes out (floor((x + 2s)/s) = floor(x/s) + 2), an offset of s - 1
// turns floor into ceil (floor((x - 1)/s) + 1 = ceil(x/s), which is what a
// 3x3 window of stride s and padding 1 gives), and nested divisions merge
// (floor(floor(x/a)/b) = floor(x/(a*b))). MLIR leaves all three alone.
static AffineExpr divide(AffineExpr expr, int64_t divisor, AffineExprKind kind) {
  if (divisor == 1)
    return expr;
  // x + c, the constant c split off.
  AffineExpr x = expr;
  int64_t c = 0;
  if (auto constant = dyn_cast<AffineConstantExpr>(expr))
    x = getAffineConstantExpr(0, expr.getContext()), c = constant.getValue();
  else if (expr.getKind() == AffineExprKind::Add)
    if (auto rhs = dyn_cast<AffineConstantExpr>(
            cast<AffineBinaryOpExpr>(expr).getRHS()))
      x = cast<AffineBinaryOpExpr>(expr).getLHS(), c = rhs.getValue();
  int64_t q = c >= 0 ? c / divisor : -((-c + divisor - 1) / divisor);
  int64_t r = c - q * divisor; // in [0, divisor)
  bool floor = kind == AffineExprKind::FloorDiv;
  if (c != 0 || x != expr) {
    if (r == 0)
      return divide(x, divisor, kind) + q;
    if (floor && r == divisor - 1)
      return divide(x, divisor, AffineExprKind::CeilDiv) + q;
    if (!floor && r == 1)
      return divide(x, divisor, AffineExprKind::FloorDiv) + (q + 1);
  }
  if (expr.getKind() == AffineExprKind::FloorDiv ||
      expr.getKind() == AffineExprKind::CeilDiv) {
    auto inner = cast<AffineBinaryOpExpr>(expr);
    auto innerDivisor = dyn_cast<AffineConstantExpr>(inner.getRHS());
    if (innerDivisor && innerDivisor.getValue() > 0 && expr.getKind() == kind)
      return divide(inner.getLHS(), innerDivisor.getValue() * divisor, kind);
  }
  return floor ? expr.floorDiv(divisor) : expr.ceilDiv(divisor);
}

Dim Dim::floorDiv(int64_t divisor) const {
  return expr && divisor > 0
             ? Dim(divide(expr, divisor, AffineExprKind::FloorDiv))
             : Dim();
}

Dim Dim::ceilDiv(int64_t divisor) const {
  return expr && divisor > 0
             ? Dim(divide(expr, divisor, AffineExprKind::CeilDiv))
             : Dim();
}

// Splits a product into its constant coefficient and its other factors.
static void factorize(AffineExpr expr, int64_t &coefficient,
                      SmallVectorImpl<AffineExpr> &factors) {
  if (auto constant = dyn_cast<AffineConstantExpr>(expr)) {
    coefficient *= constant.getValue();
    return;
  }
  if (expr.getKind() == AffineExprKind::Mul) {
    auto binary = cast<AffineBinaryOpExpr>(expr);
    factorize(binary.getLHS(), coefficient, factors);
    factorize(binary.getRHS(), coefficient, factors);
    return;
  }
  factors.push_back(expr);
}

Dim Dim::divideExactly(Dim divisor) const {
  if (!expr || !divisor.expr)
    return Dim();
  int64_t numerator = 1, denominator = 1;
  SmallVector<AffineExpr> top, bottom;
  factorize(expr, numerator, top);
  factorize(divisor.expr, denominator, bottom);
  if (denominator == 0 || numerator % denominator != 0)
    return Dim();
  for (AffineExpr factor : bottom) {
    auto it = llvm::find(top, factor);
    if (it == top.end())
      return Dim();
    top.erase(it);
  }
  AffineExpr result = getAffineConstantExpr(numerator / denominator,
                                            expr.getContext());
  for (AffineExpr factor : top)
    result = result * factor;
  return Dim(result);
}

static int64_t floorDivide(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static std::optional<int64_t> evaluateExpr(AffineExpr expr,
                                           ArrayRef<int64_t> symbols) {
  switch (expr.getKind()) {
  case AffineExprKind::Constant:
    return cast<AffineConstantExpr>(expr).getValue();
  case AffineExprKind::SymbolId: {
    unsigned position = cast<AffineSymbolExpr>(expr).getPosition();
    if (position >= symbols.size())
      return std::nullopt;
    return symbols[position];
  }
  case AffineExprKind::DimId:
    return std::nullopt;
  default:
    break;
  }
  auto binary = cast<AffineBinaryOpExpr>(expr);
  auto lhs = evaluateExpr(binary.getLHS(), symbols);
  auto rhs = evaluateExpr(binary.getRHS(), symbols);
  if (!lhs || !rhs)
    return std::nullopt;
  switch (expr.getKind()) {
  case AffineExprKind::Add:
    return *lhs + *rhs;
  case AffineExprKind::Mul:
    return *lhs * *rhs;
  case AffineExprKind::FloorDiv:
    if (*rhs == 0)
      return std::nullopt;
    return floorDivide(*lhs, *rhs);
  case AffineExprKind::CeilDiv:
    if (*rhs == 0)
      return std::nullopt;
    return -floorDivide(-*lhs, *rhs);
  case AffineExprKind::Mod:
    if (*rhs == 0)
      return std::nullopt;
    return *lhs - *rhs * floorDivide(*lhs, *rhs);
  default:
    return std::nullopt;
  }
}

std::optional<int64_t> Dim::evaluate(ArrayRef<int64_t> symbolValues) const {
  if (!expr)
    return std::nullopt;
  return evaluateExpr(expr, symbolValues);
}

Dims mlc::nn::toDims(MLIRContext *context, ArrayRef<int64_t> sizes) {
  Dims dims;
  for (int64_t size : sizes)
    dims.push_back(Dim::get(context, size));
  return dims;
}

SmallVector<int64_t> mlc::nn::toSizes(ArrayRef<Dim> dims) {
  SmallVector<int64_t> sizes;
  for (Dim dim : dims)
    sizes.push_back(dim.getValueOrDynamic());
  return sizes;
}

Dim mlc::nn::product(MLIRContext *context, ArrayRef<Dim> dims) {
  Dim result = Dim::get(context, 1);
  for (Dim dim : dims)
    result = result * dim;
  return result;
}

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

namespace {
// Prints an expression the way people write sizes: "floor((H - 1)/2) + 1".
struct ExprPrinter {
  ArrayRef<std::string> names;

  std::string symbol(unsigned position) const {
    if (position < names.size())
      return names[position];
    return "s" + std::to_string(position);
  }

  // An operand of a product or division: in parentheses when it is a sum
  // or difference at its top level.
  std::string atom(AffineExpr expr) const {
    std::string s = print(expr);
    int depth = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      depth += s[i] == '(' ? 1 : s[i] == ')' ? -1 : 0;
      if (depth == 0 && i > 0 && s[i - 1] == ' ' &&
          (s[i] == '+' || s[i] == '-' || s.compare(i, 4, "mod ") == 0))
        return "(" + s + ")";
    }
    return s;
  }

  std::string print(AffineExpr expr) const {
    switch (expr.getKind()) {
    case AffineExprKind::Constant:
      return std::to_string(cast<AffineConstantExpr>(expr).getValue());
    case AffineExprKind::SymbolId:
      return symbol(cast<AffineSymbolExpr>(expr).getPosition());
    case AffineExprKind::DimId:
      return "d" + std::to_string(cast<AffineDimExpr>(expr).getPosition());
    default:
      break;
    }
    auto binary = cast<AffineBinaryOpExpr>(expr);
    AffineExpr lhs = binary.getLHS(), rhs = binary.getRHS();
    switch (expr.getKind()) {
    case AffineExprKind::Add: {
      // floor((x - 1)/c) + 1 is ceil(x/c), as people write it.
      if (auto one = dyn_cast<AffineConstantExpr>(rhs);
          one && one.getValue() == 1 &&
          lhs.getKind() == AffineExprKind::FloorDiv) {
        auto division = cast<AffineBinaryOpExpr>(lhs);
        if (division.getLHS().getKind() == AffineExprKind::Add) {
          auto sum = cast<AffineBinaryOpExpr>(division.getLHS());
          if (auto minusOne = dyn_cast<AffineConstantExpr>(sum.getRHS());
              minusOne && minusOne.getValue() == -1)
            return "ceil(" + atom(sum.getLHS()) + "/" +
                   atom(division.getRHS()) + ")";
        }
      }
      // "a - c" and "a - b" for negative constants and negated terms.
      if (auto c = dyn_cast<AffineConstantExpr>(rhs); c && c.getValue() < 0)
        return print(lhs) + " - " + std::to_string(-c.getValue());
      if (rhs.getKind() == AffineExprKind::Mul) {
        auto product = cast<AffineBinaryOpExpr>(rhs);
        if (auto c = dyn_cast<AffineConstantExpr>(product.getRHS());
            c && c.getValue() == -1)
          return print(lhs) + " - " + atom(product.getLHS());
      }
      return print(lhs) + " + " + print(rhs);
    }
    case AffineExprKind::Mul:
      // Constants first: "2*H".
      if (isa<AffineConstantExpr>(rhs))
        return atom(rhs) + "*" + atom(lhs);
      return atom(lhs) + "*" + atom(rhs);
    case AffineExprKind::FloorDiv:
      return "floor(" + atom(lhs) + "/" + atom(rhs) + ")";
    case AffineExprKind::CeilDiv:
      return "ceil(" + atom(lhs) + "/" + atom(rhs) + ")";
    case AffineExprKind::Mod:
      return atom(lhs) + " mod " + atom(rhs);
    default:
      return "?";
    }
  }
};
} // namespace

std::string mlc::nn::formatDim(Dim dim, ArrayRef<std::string> names) {
  if (dim.isUnknown())
    return "?";
  return ExprPrinter{names}.print(dim.getExpr());
}

std::string mlc::nn::formatDims(ArrayRef<Dim> dims,
                                ArrayRef<std::string> names) {
  std::string out;
  for (auto [i, dim] : llvm::enumerate(dims)) {
    if (i)
      out += "x";
    std::string s = formatDim(dim, names);
    // A lone name or size reads without parentheses; an expression needs them.
    bool simple = llvm::all_of(s, [](char c) { return llvm::isAlnum(c) || c == '?' || c == '_'; });
    out += simple ? s : "(" + s + ")";
  }
  return out;
}

//===----------------------------------------------------------------------===//
// ShapeInfo, Requirement
//===----------------------------------------------------------------------===//

TensorType ShapeInfo::getType() const {
  if (!dims)
    return makeTensorType(std::nullopt, elementType);
  SmallVector<int64_t> sizes = toSizes(*dims);
  return makeTensorType(ArrayRef<int64_t>(sizes), elementType);
}

std::optional<bool> Requirement::holds(ArrayRef<int64_t> symbolValues) const {
  auto a = lhs.evaluate(symbolValues), b = rhs.evaluate(symbolValues);
  if (!a || !b)
    return std::nullopt;
  switch (kind) {
  case Kind::AtLeast:
    return *a >= *b;
  case Kind::Equal:
    return *a == *b;
  case Kind::Divisible:
    return *b != 0 && *a % *b == 0;
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// ShapeContext
//===----------------------------------------------------------------------===//

ShapeContext::ShapeContext(ShapeAnalysis &analysis, Operation *op)
    : analysis(analysis), op(op), results(op->getNumResults()),
      resultSet(op->getNumResults(), false) {}

std::optional<Dims> ShapeContext::getDims(Value value) {
  return analysis.get(value).dims;
}

Type ShapeContext::getElementType(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}

std::optional<Dims> ShapeContext::getValues(Value value) {
  if (std::optional<Dims> values = analysis.get(value).values)
    return values;
  // Entries not known, but how many there are may be.
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || type.getRank() > 1 || !type.hasStaticShape() ||
      !isa<IntegerType>(type.getElementType()))
    return std::nullopt;
  return Dims(type.getNumElements());
}

std::optional<SmallVector<int64_t>> ShapeContext::getInts(Value value) {
  std::optional<Dims> values = getValues(value);
  if (!values)
    return getConstantInts(value);
  SmallVector<int64_t> ints;
  for (Dim dim : *values) {
    std::optional<int64_t> v = dim.getValue();
    if (!v)
      return std::nullopt;
    ints.push_back(*v);
  }
  return ints;
}

std::optional<SmallVector<double>> ShapeContext::getFloats(Value value) {
  return getConstantFloats(value);
}

LogicalResult ShapeContext::setResult(unsigned index,
                                      std::optional<ArrayRef<Dim>> dims,
                                      Type elementType) {
  results[index].dims =
      dims ? std::optional<Dims>(Dims(dims->begin(), dims->end())) : std::nullopt;
  results[index].elementType = elementType;
  resultSet[index] = true;
  return success();
}

void ShapeContext::setResultValues(unsigned index, ArrayRef<Dim> values) {
  results[index].values = Dims(values.begin(), values.end());
}

LogicalResult ShapeContext::requireAtLeast(Dim dim, int64_t minimum,
                                           Reason reason) {
  if (dim.isUnknown())
    return success();
  if (std::optional<int64_t> value = dim.getValue()) {
    if (*value >= minimum)
      return success();
    return op->emitOpError() << reason();
  }
  analysis.requirements.push_back({op, Requirement::Kind::AtLeast, dim,
                                   this->dim(minimum), reason()});
  return success();
}

LogicalResult ShapeContext::requireEqual(Dim a, Dim b, Reason reason) {
  if (a.isUnknown() || b.isUnknown() || a.isSameAs(b))
    return success();
  if (a.getValue() && b.getValue())
    return op->emitOpError() << reason();
  analysis.requirements.push_back(
      {op, Requirement::Kind::Equal, a, b, reason()});
  return success();
}

LogicalResult ShapeContext::requireDivisible(Dim dim, int64_t divisor,
                                             Reason reason) {
  if (dim.isUnknown() || divisor <= 1)
    return success();
  if (std::optional<int64_t> value = dim.getValue()) {
    if (*value % divisor == 0)
      return success();
    return op->emitOpError() << reason();
  }
  analysis.requirements.push_back({op, Requirement::Kind::Divisible, dim,
                                   this->dim(divisor), reason()});
  return success();
}

std::string ShapeContext::format(ArrayRef<Dim> dims) const {
  return analysis.format(dims);
}

std::string ShapeContext::format(Dim dim) const { return analysis.format(dim); }

//===----------------------------------------------------------------------===//
// ShapeAnalysis
//===----------------------------------------------------------------------===//

Dim ShapeAnalysis::addSymbol(BlockArgument arg, unsigned dim, StringRef name) {
  // Dims of one name are one symbol, as ONNX's dim_params are.
  unsigned position = llvm::find(symbolNames, name) - symbolNames.begin();
  if (position == symbolNames.size())
    symbolNames.push_back(name.str());
  symbols[{arg, dim}] = position;
  infos.erase(arg);
  return Dim(getAffineSymbolExpr(position, context));
}

ShapeInfo ShapeAnalysis::fromType(Value value) const {
  ShapeInfo info;
  auto type = cast<ShapedType>(value.getType());
  info.elementType = type.getElementType();
  if (!type.hasRank())
    return info;
  info.dims = toDims(context, type.getShape());
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    for (unsigned i = 0; i < info.dims->size(); ++i) {
      auto it = symbols.find({arg, i});
      if (it != symbols.end())
        (*info.dims)[i] = Dim(getAffineSymbolExpr(it->second, context));
    }
  } else if (!useDeclaredTypes &&
             !isa<ShapeInferenceOpInterface>(value.getDefiningOp())) {
    // An op without a shape function (nn.custom): its declared sizes are the
    // export's, not a function of the free dims.
    info.dims = Dims(info.dims->size(), Dim());
  }
  return info;
}

// Whether users of `type` may need its entries: a small integer tensor of
// rank 0 or 1, as shape computations make.
static bool mayHoldShapeValues(Type type) {
  auto ranked = dyn_cast<RankedTensorType>(type);
  return ranked && ranked.getRank() <= 1 && ranked.hasStaticShape() &&
         ranked.getNumElements() <= kMaxFoldedElements &&
         isa<IntegerType>(ranked.getElementType());
}

// The known of two descriptions of one value's dims, dim by dim.
static std::optional<Dims> refineDims(const std::optional<Dims> &inferred,
                                      const std::optional<Dims> &declared) {
  if (!inferred)
    return declared;
  if (!declared || declared->size() != inferred->size())
    return inferred;
  Dims dims = *inferred;
  for (auto [dim, other] : llvm::zip(dims, *declared))
    if (dim.isUnknown())
      dim = other;
  return dims;
}

void ShapeAnalysis::assumeValues(Value value, ArrayRef<Dim> values) {
  ShapeInfo info = fromType(value);
  info.values = Dims(values.begin(), values.end());
  infos[value] = info;
  if (Operation *def = value.getDefiningOp()) {
    inferred.insert(def);
    assumed.insert(def);
  }
}

ShapeInfo ShapeAnalysis::get(Value value) {
  Operation *def = value.getDefiningOp();
  bool wanted = !useDeclaredTypes || mayHoldShapeValues(value.getType());
  if (def && wanted && !inferred.count(def) && !failedOps.count(def) &&
      isa<ShapeInferenceOpInterface>(def))
    inferQuietly(def);
  auto it = infos.find(value);
  if (!useDeclaredTypes) {
    if (it != infos.end())
      return it->second;
    return infos[value] = fromType(value);
  }
  // The declared type is true too, and may know more.
  ShapeInfo declared = fromType(value);
  if (it == infos.end())
    return declared;
  ShapeInfo info = it->second;
  info.dims = refineDims(info.dims, declared.dims);
  return info;
}

LogicalResult ShapeAnalysis::infer(Operation *op,
                                   SmallVectorImpl<Type> *resultTypes) {
  auto shaped = dyn_cast<ShapeInferenceOpInterface>(op);
  if (!shaped)
    return success();
  if (assumed.count(op)) {
    if (resultTypes)
      for (Value result : op->getResults())
        resultTypes->push_back(get(result).getType());
    return success();
  }
  inferred.insert(op);
  ShapeContext context(*this, op);
  if (failed(shaped.inferShapes(context))) {
    failedOps.insert(op);
    return failure();
  }
  for (auto [i, result] : llvm::enumerate(op->getResults())) {
    if (!context.resultSet[i]) {
      failedOps.insert(op);
      return op->emitOpError() << "shape function left result #" << i
                               << " unset";
    }
    infos[result] = context.results[i];
    if (resultTypes)
      resultTypes->push_back(context.results[i].getType());
  }
  return success();
}

void ShapeAnalysis::inferQuietly(Operation *op) {
  ScopedDiagnosticHandler silence(context, [](Diagnostic &) { return success(); });
  (void)infer(op);
}

std::string mlc::nn::getInputDimName(FunctionOpInterface func, unsigned index,
                                     unsigned dim) {
  if (auto params = func.getArgAttrOfType<ArrayAttr>(index, NNDialect::kDimParamsAttr))
    if (dim < params.size())
      if (auto param = dyn_cast<StringAttr>(params[dim]); param && !param.empty())
        return param.str();
  auto name = func.getArgAttrOfType<StringAttr>(index, NNDialect::kNameAttr);
  return (name ? name.str() : "arg" + std::to_string(index)) + "_d" +
         std::to_string(dim);
}

void mlc::nn::addDynamicInputDims(ShapeAnalysis &analysis,
                                  FunctionOpInterface func) {
  for (BlockArgument arg : func.getArguments())
    if (auto type = dyn_cast<RankedTensorType>(arg.getType()))
      for (auto [dim, size] : llvm::enumerate(type.getShape()))
        if (size == ShapedType::kDynamic)
          analysis.addSymbol(arg, dim,
                             getInputDimName(func, arg.getArgNumber(), dim));
}

LogicalResult mlc::nn::inferResultTypes(Operation *op,
                                        SmallVectorImpl<Type> &types) {
  ShapeAnalysis analysis(op->getContext());
  return analysis.infer(op, &types);
}

LogicalResult mlc::nn::verifyInferredResultTypes(Operation *op) {
  SmallVector<Type> inferred;
  if (failed(inferResultTypes(op, inferred)))
    return failure();
  for (auto [i, declared, computed] :
       llvm::enumerate(op->getResultTypes(), inferred))
    if (!areCompatible(declared, computed))
      return op->emitOpError() << "result #" << i << " is declared "
                               << declared << " but its operands give "
                               << computed;
  return success();
}
