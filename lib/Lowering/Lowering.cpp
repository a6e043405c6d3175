//===- Lowering.cpp - From nn ops to the .mlc runtime file ----------------===//
//
// The steps: MLIR's folders and the BatchNorm fold (passes), a shape
// analysis of the graph with the varying input dims as symbols (and, when
// the graph allows, the batch dim too), then one walk that emits tensors and
// ops in the object form of the schema. Dims the symbolic analysis cannot
// express (a merged model's per-size table) come from a concrete analysis
// at each enumerated shape, as a table expression. Plans are computed by the
// runtime's own planner on the packed model, then stored in it.
//
//===----------------------------------------------------------------------===//

#include "mlc/Lowering/Lowering.h"

#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeInference.h"
#include "mlc/Dialect/NN/ShapeUtils.h"
#include "mlc/Format/Format.h"
#include "mlc/Format/Schema_generated.h"
#include "mlc/ONNX/OpTypes.h"
#include "mlc/Runtime/Planner.h"
#include "mlc/Runtime/Tensor.h"
#include "mlc/Transforms/Passes.h"
#include "mlc/Transforms/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlc;
using namespace mlc::nn;
namespace fmt = mlc::format;

namespace {

constexpr int64_t kMaxPlans = 64;
using fmt::kUnboundedDim;

std::optional<fmt::ElementType> getElementType(Type type) {
  if (type.isF32())
    return fmt::ElementType::f32;
  if (type.isF16())
    return fmt::ElementType::f16;
  if (type.isF64())
    return fmt::ElementType::f64;
  if (type.isBF16())
    return fmt::ElementType::bf16;
  auto integer = dyn_cast<IntegerType>(type);
  if (!integer)
    return std::nullopt;
  bool u = integer.isUnsigned();
  switch (integer.getWidth()) {
  case 1:
    return fmt::ElementType::bool_;
  case 8:
    return u ? fmt::ElementType::u8 : fmt::ElementType::i8;
  case 16:
    return u ? fmt::ElementType::u16 : fmt::ElementType::i16;
  case 32:
    return u ? fmt::ElementType::u32 : fmt::ElementType::i32;
  case 64:
    return u ? fmt::ElementType::u64 : fmt::ElementType::i64;
  default:
    return std::nullopt;
  }
}

int64_t normalizeAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

// What follows an op and is fused into it: a residual Add, then an
// activation.
struct Fusion {
  Value residual;
  /// A MatMul's bias: a constant [N] added to every row.
  Value bias;
  fmt::Activation activation{fmt::ActivationKind::none, 0, 0};
  /// The value the fused op computes (the last fused op's result).
  Value result;
};

class Lowering {
public:
  Lowering(func::FuncOp func) : func(func), context(func.getContext()) {}
  LogicalResult run(llvm::raw_ostream &os, LoweringReport *report);

private:
  // Analyses.
  LogicalResult analyze();
  bool tryBatchAnalysis();
  LogicalResult analyzeEnumerated();
  std::optional<int64_t> concreteValue(Value value, bool isDim, unsigned index,
                                       size_t plan);
  bool sameDim(Value a, unsigned aDim, Value b, unsigned bDim);

  // Expressions.
  uint32_t exprOf(AffineExpr expr);
  uint32_t exprOfConstant(int64_t value);
  FailureOr<uint32_t> exprOfDim(Operation *at, Value value, unsigned dim);
  FailureOr<uint32_t> exprOfValue(Operation *at, Value value, unsigned index);
  FailureOr<SmallVector<uint32_t>> exprsOfValues(Operation *at, Value value);
  std::optional<SmallVector<int64_t>> knownInts(Value value);
  void appendTerms(AffineExpr expr, std::vector<fmt::ExprTerm> &terms);

  // Tensors.
  FailureOr<int32_t> tensorFor(Operation *user, Value value);
  FailureOr<int32_t> newTensor(Operation *at, Value value, StringRef name);
  int32_t weightTensor(ElementsAttr attr, StringRef name);
  int32_t quantizedWeightTensor(QuantizedConstantOp op, StringRef name);
  std::string nameOf(Value value);

  // Ops.
  void planFusions();
  void planChannelGathers();
  LogicalResult emitOp(Operation *op);
  LogicalResult addOp(Operation *source, fmt::OpParamsUnion params,
                      ArrayRef<Value> operands, ArrayRef<Value> results);
  LogicalResult emitOutputs();
  bool isShapeComputation(Operation *op);
  LogicalResult lowerInputs();
  LogicalResult computePlans(std::string &graph, LoweringReport *report);
  void write(StringRef graph, llvm::raw_ostream &os);

  func::FuncOp func;
  MLIRContext *context;
  std::unique_ptr<ShapeAnalysis> shapes;
  /// Per enumerated symbol binding: its values and a concrete analysis of a
  /// copy of the function at those sizes (for what `shapes` cannot say).
  struct Enumerated {
    SmallVector<int64_t> symbolValues;
    func::FuncOp copy;
    std::unique_ptr<ShapeAnalysis> shapes;
    DenseMap<Value, Value> toCopy;
  };
  std::vector<Enumerated> enumerated;
  /// Symbol k: dim `second` of input `first`; names.
  SmallVector<std::pair<unsigned, unsigned>> symbolSources;
  SmallVector<std::string> symbolNames;
  int32_t batchSymbol = -1;

  fmt::ModelT model;
  DenseMap<AffineExpr, uint32_t> exprs;
  DenseMap<Value, int32_t> tensors;
  DenseMap<Attribute, int32_t> weightsByAttr;
  std::vector<ElementsAttr> weightData;
  DenseMap<Operation *, Fusion> fusions;
  DenseSet<Operation *> fused;
  std::vector<std::unique_ptr<fmt::ExprT>> tableExprs;
  unsigned foldedResiduals = 0, foldedActivations = 0;
  /// Ops the runtime computes as a Gather of `source`'s channels (axis 1) by
  /// constant indices: a channel shuffle, and Slices of its channels.
  struct ChannelGather {
    Value source;
    SmallVector<int64_t> channels;
  };
  DenseMap<Operation *, ChannelGather> channelGathers;
};

//===----------------------------------------------------------------------===//
// Analyses
//===----------------------------------------------------------------------===//

// Makes dim `dim` of `arg` a symbol of `analysis` named `name`; a symbol
// not seen before gets its source (input, dim) and name recorded.
static Dim addInputSymbol(ShapeAnalysis &analysis, BlockArgument arg,
                          unsigned dim, StringRef name,
                          SmallVectorImpl<std::pair<unsigned, unsigned>> &sources,
                          SmallVectorImpl<std::string> &names) {
  Dim symbol = analysis.addSymbol(arg, dim, name);
  if (cast<AffineSymbolExpr>(symbol.getExpr()).getPosition() >= sources.size()) {
    sources.push_back({arg.getArgNumber(), dim});
    names.push_back(name.str());
  }
  return symbol;
}

// Whether `op` combines the items of a batch: works along dim 0 of an
// operand that holds them.
static bool mixesItems(Operation *op, const DenseSet<Value> &batched) {
  auto isBatched = [&](Value v) { return v && batched.contains(v); };
  auto rank = [](Value v) { return cast<ShapedType>(v.getType()).getRank(); };
  auto isFirst = [](int64_t axis, int64_t r) { return axis == 0 || axis == -r; };
  return TypeSwitch<Operation *, bool>(op)
      .Case([&](SoftmaxOp o) {
        return isFirst(o.getAxis(), rank(o.getInput()));
      })
      .Case([&](ConcatOp o) { return isFirst(o.getAxis(), rank(o.getResult())); })
      .Case([&](SplitOp o) { return isFirst(o.getAxis(), rank(o.getInput())); })
      .Case([&](GatherOp o) {
        return isBatched(o.getIndices()) ||
               isFirst(o.getAxis(), rank(o.getInput()));
      })
      .Case([&](TransposeOp o) { return o.getPerm() && (*o.getPerm())[0] != 0; })
      .Case([&](ReduceOp o) {
        if (!o.getAxes())
          return !o.getNoopWithEmptyAxes();
        auto axes = getConstantInts(o.getAxes());
        return !axes || llvm::any_of(*axes, [&](int64_t a) {
          return isFirst(a, rank(o.getInput()));
        });
      })
      .Case([&](SliceOp o) {
        if (!o.getAxes())
          return true;
        auto axes = getConstantInts(o.getAxes());
        return !axes || llvm::any_of(*axes, [&](int64_t a) {
          return isFirst(a, rank(o.getInput()));
        });
      })
      .Case([&](GemmOp o) { return isBatched(o.getB()) || o.getTransA(); })
      // Its indices may name items of a batched tensor, or be per item.
      .Case([&](ScatterNDOp o) {
        return isBatched(o.getData()) || isBatched(o.getIndices()) ||
               isBatched(o.getUpdates());
      })
      // A declared shape rule works per item; without one nothing is known.
      .Case([&](CustomOp custom) {
        return !custom.getNodeAttributes().contains("mlc_shape_rule");
      })
      .Default([](Operation *) { return false; });
}

// With dim 0 of every input a symbol N: when every op still has a shape and
// every output's dim 0 is N (and nothing requires N to be anything), and no
// op mixes the items (see mixesItems), the graph runs a batch of N in one
// pass. The inputs must agree on their declared dim 0.
bool Lowering::tryBatchAnalysis() {
  std::optional<int64_t> declared;
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.getRank() == 0 ||
        (declared && *declared != type.getDimSize(0)))
      return false;
    declared = type.getDimSize(0);
  }
  auto analysis = std::make_unique<ShapeAnalysis>(context, false);
  ScopedDiagnosticHandler quiet(context, [](Diagnostic &) { return success(); });
  SmallVector<std::pair<unsigned, unsigned>> sources;
  SmallVector<std::string> names;
  Dim batch;
  // The batch dim keeps the name the model gives it, else N.
  std::string batchName = "N";
  if (func.getNumArguments() &&
      cast<ShapedType>(func.getArgument(0).getType()).hasRank() &&
      cast<ShapedType>(func.getArgument(0).getType()).getRank() > 0 &&
      cast<ShapedType>(func.getArgument(0).getType()).isDynamicDim(0))
    batchName = getInputDimName(func, 0, 0);
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.getRank() == 0)
      return false;
    batch = addInputSymbol(*analysis, arg, 0, batchName, sources, names);
    for (unsigned d = 1; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        addInputSymbol(*analysis, arg, d,
                       getInputDimName(func, arg.getArgNumber(), d), sources,
                       names);
  }
  if (!batch.getExpr())
    return false;
  // Values computed from the inputs' data hold the items along dim 0, and
  // only there.
  DenseSet<Value> batched(func.getArguments().begin(), func.getArguments().end());
  auto mentionsBatch = [&](Dim d) {
    return d.getExpr() && d.getExpr().isFunctionOfSymbol(0);
  };
  for (Operation &op : func.getBody().front()) {
    if (isa<func::ReturnOp>(op))
      continue;
    if (failed(analysis->infer(&op)))
      return false;
    for (Value result : op.getResults()) {
      std::optional<Dims> dims = analysis->get(result).dims;
      if (!dims)
        return false;
      for (Dim d : *dims)
        if (d.isUnknown())
          return false;
    }
    bool reads = llvm::any_of(op.getOperands(),
                              [&](Value v) { return batched.contains(v); });
    if (!reads || isa<ShapeOp>(op))
      continue;
    if (mixesItems(&op, batched))
      return false;
    for (Value result : op.getResults()) {
      Dims dims = *analysis->get(result).dims;
      if (dims.empty() || !dims[0].isSameAs(batch) ||
          llvm::any_of(ArrayRef<Dim>(dims).drop_front(), mentionsBatch))
        return false;
      batched.insert(result);
    }
  }
  for (const Requirement &r : analysis->getRequirements()) {
    if (mentionsBatch(r.lhs) || mentionsBatch(r.rhs))
      return false;
  }
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (Value out : ret.getOperands()) {
    std::optional<Dims> dims = analysis->get(out).dims;
    if (!dims || dims->empty() || !(*dims)[0].isSameAs(batch))
      return false;
  }
  shapes = std::move(analysis);
  symbolSources = sources;
  symbolNames = names;
  batchSymbol = 0;
  return true;
}

LogicalResult Lowering::analyze() {
  if (tryBatchAnalysis())
    return success();
  shapes = std::make_unique<ShapeAnalysis>(context);
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type)
      return func.emitError() << "input " << arg.getArgNumber()
                              << " has no rank; the runtime needs one";
    for (unsigned d = 0; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        addInputSymbol(*shapes, arg, d,
                       getInputDimName(func, arg.getArgNumber(), d),
                       symbolSources, symbolNames);
  }
  for (Operation &op : func.getBody().front())
    if (!isa<func::ReturnOp>(op) && failed(shapes->infer(&op)))
      return failure();
  return success();
}

// The shapes input `index` takes: its nn.shapes, else its type's sizes
// (each `?` any size). Not a ShapeSetAttr: a static type may have a dim of
// 0, which no shape set of the dialect holds. A dim of the set that takes
// any size (the batch) is 1 here: the runtime takes batches of the model's
// shapes (stacked along dim 0, when the graph allows it, else item by item).
struct InputShapes {
  bool ranged = false;
  /// Enumerated: the shapes; ranged: those planned ahead.
  SmallVector<SmallVector<int64_t>> shapes;
  SmallVector<int64_t> mins, maxs, steps;
};

InputShapes getInputShapes(func::FuncOp func, unsigned index) {
  InputShapes result;
  if (auto set = func.getArgAttrOfType<ShapeSetAttr>(index, NNDialect::kShapesAttr)) {
    result.ranged = set.getRange();
    for (DenseI64ArrayAttr shape : set.getShapes())
      result.shapes.push_back(
          llvm::to_vector(llvm::map_range(shape.asArrayRef(), [](int64_t d) {
            return ShapedType::isDynamic(d) ? 1 : d;
          })));
    for (auto [min, max, step] :
         llvm::zip(set.getMins(), set.getMaxs(), set.getSteps())) {
      result.mins.push_back(ShapedType::isDynamic(min) ? 1 : min);
      result.maxs.push_back(ShapedType::isDynamic(max) ? 1 : max);
      result.steps.push_back(step);
    }
    return result;
  }
  auto type = cast<RankedTensorType>(func.getArgument(index).getType());
  if (type.hasStaticShape()) {
    result.shapes.emplace_back(type.getShape());
    return result;
  }
  result.ranged = true;
  for (int64_t d : type.getShape()) {
    result.mins.push_back(ShapedType::isDynamic(d) ? 1 : d);
    result.maxs.push_back(ShapedType::isDynamic(d) ? kUnboundedDim : d);
    result.steps.push_back(1);
  }
  return result;
}

// The symbol bindings of the enumerated shapes (every combination of the
// inputs' shapes that agrees on shared symbols), each with a concrete
// analysis of a copy of the function at those sizes.
LogicalResult Lowering::analyzeEnumerated() {
  std::vector<SmallVector<int64_t>> bindings = {
      SmallVector<int64_t>(symbolSources.size(), -1)};
  std::vector<std::vector<SmallVector<int64_t>>> argShapes(1);
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    InputShapes set = getInputShapes(func, i);
    if (set.ranged && set.shapes.empty()) {
      // A range's planned shapes are planned as an enumeration's are. A
      // batch of any size of one shape (a dynamic-batch export) is
      // planned at its smallest batch, as a batch-1 export is: a session
      // makes it ready, and the batch sizes it is told of at it. Other
      // ranged inputs' plans are made at run time.
      auto type = cast<RankedTensorType>(func.getArgument(i).getType());
      if (batchSymbol < 0 || type.getRank() == 0)
        return success();
      for (int64_t d = 1; d < type.getRank(); ++d)
        if (type.isDynamicDim(d))
          return success();
      set.shapes = {set.mins};
    }
    std::vector<SmallVector<int64_t>> nextBindings;
    std::vector<std::vector<SmallVector<int64_t>>> nextShapes;
    for (size_t b = 0; b < bindings.size(); ++b)
      for (ArrayRef<int64_t> shape : set.shapes) {
        SmallVector<int64_t> binding = bindings[b];
        bool agrees = true;
        for (auto [s, source] : llvm::enumerate(symbolSources))
          if (source.first == i) {
            int64_t v = shape[source.second];
            agrees &= binding[s] < 0 || binding[s] == v;
            binding[s] = v;
          }
        if (!agrees)
          continue;
        nextBindings.push_back(binding);
        nextShapes.push_back(argShapes[b]);
        nextShapes.back().push_back(SmallVector<int64_t>(shape));
      }
    bindings = std::move(nextBindings);
    argShapes = std::move(nextShapes);
    if (int64_t(bindings.size()) > kMaxPlans)
      return func.emitError() << "the inputs' shape sets combine into more "
                              << "than " << kMaxPlans << " shapes";
  }
  for (size_t b = 0; b < bindings.size(); ++b) {
    Enumerated e;
    e.symbolValues = bindings[b];
    e.copy = func.clone();
    for (auto [arg, shape] : llvm::zip(e.copy.getArguments(), argShapes[b]))
      arg.setType(RankedTensorType::get(
          shape, cast<ShapedType>(arg.getType()).getElementType()));
    e.shapes = std::make_unique<ShapeAnalysis>(context, false);
    for (auto [a, c] : llvm::zip(func.getArguments(), e.copy.getArguments()))
      e.toCopy[a] = c;
    ScopedDiagnosticHandler quiet(context,
                                  [](Diagnostic &) { return success(); });
    for (auto [op, copy] : llvm::zip(func.getBody().front(),
                                     e.copy.getBody().front())) {
      for (auto [r, c] : llvm::zip(op.getResults(), copy.getResults()))
        e.toCopy[r] = c;
      if (!isa<func::ReturnOp>(copy))
        (void)e.shapes->infer(&copy);
    }
    enumerated.push_back(std::move(e));
  }
  return success();
}

// Dim `index` (or entry, when !isDim) of `value` at enumerated plan `plan`.
std::optional<int64_t> Lowering::concreteValue(Value value, bool isDim,
                                               unsigned index, size_t plan) {
  Enumerated &e = enumerated[plan];
  ShapeInfo info = e.shapes->get(e.toCopy.lookup(value));
  std::optional<Dims> dims = isDim ? info.dims : info.values;
  if (!dims || index >= dims->size())
    return std::nullopt;
  return (*dims)[index].getValue();
}

// Whether dim `aDim` of `a` is dim `bDim` of `b` at every size the model
// takes: the same expression, or, in a model of enumerated sizes, the same
// value at each (a merge of square exports cannot tell H's expressions from
// W's, which are then equal at every size it takes).
bool Lowering::sameDim(Value a, unsigned aDim, Value b, unsigned bDim) {
  std::optional<Dims> da = shapes->get(a).dims, db = shapes->get(b).dims;
  if (!da || !db || aDim >= da->size() || bDim >= db->size())
    return false;
  if ((*da)[aDim].isSameAs((*db)[bDim]))
    return true;
  if (enumerated.empty())
    return false;
  for (size_t p = 0; p < enumerated.size(); ++p) {
    std::optional<int64_t> va = concreteValue(a, true, aDim, p),
                           vb = concreteValue(b, true, bDim, p);
    if (!va || va != vb)
      return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

void Lowering::appendTerms(AffineExpr expr, std::vector<fmt::ExprTerm> &terms) {
  if (auto c = dyn_cast<AffineConstantExpr>(expr)) {
    terms.emplace_back(fmt::ExprOp::constant, c.getValue());
    return;
  }
  if (auto s = dyn_cast<AffineSymbolExpr>(expr)) {
    terms.emplace_back(fmt::ExprOp::symbol, s.getPosition());
    return;
  }
  auto binary = cast<AffineBinaryOpExpr>(expr);
  appendTerms(binary.getLHS(), terms);
  appendTerms(binary.getRHS(), terms);
  switch (expr.getKind()) {
  case AffineExprKind::Add:
    terms.emplace_back(fmt::ExprOp::add, 0);
    break;
  case AffineExprKind::Mul:
    terms.emplace_back(fmt::ExprOp::mul, 0);
    break;
  case AffineExprKind::FloorDiv:
    terms.emplace_back(fmt::ExprOp::floordiv, 0);
    break;
  case AffineExprKind::CeilDiv:
    terms.emplace_back(fmt::ExprOp::ceildiv, 0);
    break;
  case AffineExprKind::Mod:
    terms.emplace_back(fmt::ExprOp::mod, 0);
    break;
  default:
    llvm_unreachable("dims are expressions of symbols");
  }
}

uint32_t Lowering::exprOf(AffineExpr expr) {
  auto [it, inserted] = exprs.try_emplace(expr, model.exprs.size());
  if (inserted) {
    auto entry = std::make_unique<fmt::ExprT>();
    appendTerms(expr, entry->terms);
    model.exprs.push_back(std::move(entry));
  }
  return it->second;
}

uint32_t Lowering::exprOfConstant(int64_t value) {
  return exprOf(getAffineConstantExpr(value, context));
}

// A dim or entry known only per enumerated shape: the table
// sum over plans p of value_p * [symbols == plan p's], with [a == b] as
// 1 - min(1, |a - b|) spelled in the schema's operations: for sizes,
// (a - b) mod (big) tests are not needed; the runtime gets exact values at
// the enumerated shapes, which are all it accepts for such a model.
static void appendTable(ArrayRef<int64_t> values,
                        ArrayRef<SmallVector<int64_t>> bindings,
                        std::vector<fmt::ExprTerm> &terms) {
  // [s == v] for a positive size s and v >= 0: floordiv(s, v) * floordiv(v, s)
  // is 1 exactly when s == v (both quotients are >= 1 only then), for
  // v >= 1; v == 0 is never a size.
  bool first = true;
  for (size_t p = 0; p < values.size(); ++p) {
    terms.emplace_back(fmt::ExprOp::constant, values[p]);
    for (size_t s = 0; s < bindings[p].size(); ++s) {
      int64_t v = bindings[p][s];
      terms.emplace_back(fmt::ExprOp::symbol, s);
      terms.emplace_back(fmt::ExprOp::constant, v);
      terms.emplace_back(fmt::ExprOp::floordiv, 0);
      terms.emplace_back(fmt::ExprOp::constant, v);
      terms.emplace_back(fmt::ExprOp::symbol, s);
      terms.emplace_back(fmt::ExprOp::floordiv, 0);
      terms.emplace_back(fmt::ExprOp::mul, 0);
      terms.emplace_back(fmt::ExprOp::mul, 0);
    }
    if (!first)
      terms.emplace_back(fmt::ExprOp::add, 0);
    first = false;
  }
}

FailureOr<uint32_t> Lowering::exprOfDim(Operation *at, Value value,
                                        unsigned dim) {
  std::optional<Dims> dims = shapes->get(value).dims;
  if (dims && dim < dims->size() && !(*dims)[dim].isUnknown())
    return exprOf((*dims)[dim].getExpr());
  SmallVector<int64_t> values;
  for (size_t p = 0; p < enumerated.size(); ++p) {
    std::optional<int64_t> v = concreteValue(value, true, dim, p);
    if (!v)
      break;
    values.push_back(*v);
  }
  if (values.empty() || values.size() != enumerated.size())
    return at->emitError() << "dim " << dim
                           << " of a tensor it uses or computes is not known "
                              "as a function of the input sizes";
  SmallVector<SmallVector<int64_t>> bindings;
  for (const Enumerated &e : enumerated)
    bindings.push_back(e.symbolValues);
  if (llvm::all_equal(values))
    return exprOfConstant(values[0]);
  auto entry = std::make_unique<fmt::ExprT>();
  appendTable(values, bindings, entry->terms);
  model.exprs.push_back(std::move(entry));
  return uint32_t(model.exprs.size() - 1);
}

FailureOr<uint32_t> Lowering::exprOfValue(Operation *at, Value value,
                                          unsigned index) {
  std::optional<Dims> values = shapes->get(value).values;
  if (values && index < values->size() && !(*values)[index].isUnknown())
    return exprOf((*values)[index].getExpr());
  if (auto ints = getConstantInts(value); ints && index < ints->size())
    return exprOfConstant((*ints)[index]);
  SmallVector<int64_t> known;
  for (size_t p = 0; p < enumerated.size(); ++p)
    if (std::optional<int64_t> v = concreteValue(value, false, index, p))
      known.push_back(*v);
  if (known.empty() || known.size() != enumerated.size())
    return at->emitError() << "entry " << index
                           << " of a shape operand is not known as a function "
                              "of the input sizes";
  if (llvm::all_equal(known))
    return exprOfConstant(known[0]);
  SmallVector<SmallVector<int64_t>> bindings;
  for (const Enumerated &e : enumerated)
    bindings.push_back(e.symbolValues);
  auto entry = std::make_unique<fmt::ExprT>();
  appendTable(known, bindings, entry->terms);
  model.exprs.push_back(std::move(entry));
  return uint32_t(model.exprs.size() - 1);
}

FailureOr<SmallVector<uint32_t>> Lowering::exprsOfValues(Operation *at,
                                                          Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || type.getRank() > 1 || !type.hasStaticShape())
    return at->emitError() << "a shape operand must be a vector of known length";
  SmallVector<uint32_t> result;
  int64_t count = type.getRank() ? type.getDimSize(0) : 1;
  for (int64_t i = 0; i < count; ++i) {
    FailureOr<uint32_t> e = exprOfValue(at, value, i);
    if (failed(e))
      return failure();
    result.push_back(*e);
  }
  return result;
}

// The entries of an integer operand when they are the same at every size.
std::optional<SmallVector<int64_t>> Lowering::knownInts(Value value) {
  if (auto ints = getConstantInts(value))
    return ints;
  std::optional<Dims> values = shapes->get(value).values;
  if (!values)
    return std::nullopt;
  SmallVector<int64_t> result;
  for (Dim d : *values) {
    std::optional<int64_t> v = d.getValue();
    if (!v)
      return std::nullopt;
    result.push_back(*v);
  }
  return result;
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

std::string Lowering::nameOf(Value value) {
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    if (auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                      NNDialect::kNameAttr))
      return name.str();
    return "input" + std::to_string(arg.getArgNumber());
  }
  Operation *op = value.getDefiningOp();
  std::string name = onnx_types::getNodeName(op);
  if (name.empty())
    name = op->getName().getStringRef().str();
  if (op->getNumResults() > 1)
    name += ":" + std::to_string(cast<OpResult>(value).getResultNumber());
  return name;
}

FailureOr<int32_t> Lowering::newTensor(Operation *at, Value value,
                                       StringRef name) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  std::optional<Dims> dims = shapes->get(value).dims;
  int64_t rank = type ? type.getRank() : (dims ? int64_t(dims->size()) : -1);
  if (rank < 0)
    return at->emitError() << "a tensor of unknown rank cannot be lowered";
  std::optional<fmt::ElementType> elementType =
      getElementType(getElementTypeOrSelf(value.getType()));
  if (!elementType)
    return at->emitError() << "element type "
                           << getElementTypeOrSelf(value.getType())
                           << " is not supported by the runtime";
  auto tensor = std::make_unique<fmt::TensorT>();
  tensor->name = name.str();
  tensor->type = *elementType;
  for (int64_t d = 0; d < rank; ++d) {
    FailureOr<uint32_t> e = exprOfDim(at, value, d);
    if (failed(e))
      return failure();
    tensor->shape.push_back(*e);
  }
  model.tensors.push_back(std::move(tensor));
  int32_t index = model.tensors.size() - 1;
  tensors[value] = index;
  return index;
}

int32_t Lowering::weightTensor(ElementsAttr attr, StringRef name) {
  auto [it, inserted] = weightsByAttr.try_emplace(attr, model.tensors.size());
  if (!inserted)
    return it->second;
  auto type = cast<ShapedType>(attr.getType());
  auto tensor = std::make_unique<fmt::TensorT>();
  tensor->name = name.str();
  tensor->type = *getElementType(type.getElementType());
  for (int64_t d : type.getShape())
    tensor->shape.push_back(exprOfConstant(d));
  tensor->weight = std::make_unique<fmt::WeightT>();
  // Offsets are assigned when the weight section is laid out.
  tensor->weight->length = getRawSize(attr);
  weightData.push_back(attr);
  model.tensors.push_back(std::move(tensor));
  return it->second;
}

// A quantized weight: its packed bytes as they are, with the parameters of
// its encoding; the runtime decodes it at load.
int32_t Lowering::quantizedWeightTensor(QuantizedConstantOp op, StringRef name) {
  auto [it, inserted] =
      weightsByAttr.try_emplace(op.getData(), model.tensors.size());
  if (!inserted)
    return it->second;
  auto tensor = std::make_unique<fmt::TensorT>();
  tensor->name = name.str();
  tensor->type = fmt::ElementType::f32;
  for (int64_t d : cast<ShapedType>(op.getType()).getShape())
    tensor->shape.push_back(exprOfConstant(d));
  auto weight = std::make_unique<fmt::WeightT>();
  weight->length = getRawSize(op.getData());
  weight->encoding = static_cast<fmt::WeightEncoding>(op.getEncoding());
  weight->bits = op.getBits();
  weight->axis = op.getAxis();
  weight->signed_values = op.getSignedValues();
  if (auto scales = op.getScales())
    weight->scales.assign(scales->begin(), scales->end());
  if (auto zeroPoints = op.getZeroPoints())
    weight->zero_points.assign(zeroPoints->begin(), zeroPoints->end());
  if (auto lut = op.getLut())
    weight->lut.assign(lut->begin(), lut->end());
  weight->group_channels = op.getGroupChannels();
  tensor->weight = std::move(weight);
  weightData.push_back(op.getData());
  model.tensors.push_back(std::move(tensor));
  return it->second;
}

// The tensor holding `value` for `user`: emitted already, a weight, or a
// shape computation's entries written by a ShapeValues op.
FailureOr<int32_t> Lowering::tensorFor(Operation *user, Value value) {
  auto found = tensors.find(value);
  if (found != tensors.end())
    return found->second;
  Type elementType = getElementTypeOrSelf(value.getType());
  if (!getElementType(elementType))
    return user->emitError() << "element type " << elementType
                             << " is not supported by the runtime";
  if (auto constant = value.getDefiningOp<ConstantOp>()) {
    std::string name = nameOf(value);
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(constant.getValue()))
      name = resource.getRawHandle().getKey().str();
    int32_t index = weightTensor(constant.getValue(), name);
    tensors[value] = index;
    return index;
  }
  if (auto quantized = value.getDefiningOp<QuantizedConstantOp>()) {
    std::string name = nameOf(value);
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(quantized.getData()))
      name = resource.getRawHandle().getKey().str();
    int32_t index = quantizedWeightTensor(quantized, name);
    tensors[value] = index;
    return index;
  }
  if (auto ints = knownInts(value)) {
    auto type = cast<ShapedType>(value.getType());
    int32_t index =
        weightTensor(makeIntsAttr(type, *ints), nameOf(value));
    tensors[value] = index;
    return index;
  }
  std::optional<Dims> values = shapes->get(value).values;
  bool computed = values && isa<IntegerType>(elementType);
  if (!computed && !enumerated.empty())
    computed = isa<IntegerType>(elementType) &&
               concreteValue(value, false, 0, 0).has_value();
  if (computed) {
    FailureOr<SmallVector<uint32_t>> entries = exprsOfValues(user, value);
    if (failed(entries))
      return failure();
    auto params = std::make_unique<fmt::ShapeValuesParamsT>();
    params->values.assign(entries->begin(), entries->end());
    fmt::OpParamsUnion u;
    u.Set(std::move(*params));
    Operation *source = value.getDefiningOp() ? value.getDefiningOp() : user;
    if (failed(addOp(source, std::move(u), {}, {value})))
      return failure();
    return tensors.lookup(value);
  }
  return user->emitError() << "uses a value the runtime cannot compute ("
                           << nameOf(value) << ")";
}

//===----------------------------------------------------------------------===//
// Ops
//===----------------------------------------------------------------------===//

std::optional<fmt::Activation> getActivation(Operation *op) {
  using K = fmt::ActivationKind;
  if (auto unary = dyn_cast<UnaryOp>(op)) {
    float alpha = unary.getAlpha() ? unary.getAlpha()->convertToFloat() : 0;
    float beta = unary.getBeta() ? unary.getBeta()->convertToFloat() : 0;
    switch (unary.getKind()) {
    case UnaryKind::relu:
      return fmt::Activation(K::relu, 0, 0);
    case UnaryKind::leaky_relu:
      return fmt::Activation(K::leaky_relu, unary.getAlpha() ? alpha : 0.01f, 0);
    case UnaryKind::sigmoid:
      return fmt::Activation(K::sigmoid, 0, 0);
    case UnaryKind::tanh:
      return fmt::Activation(K::tanh, 0, 0);
    case UnaryKind::hard_sigmoid:
      return fmt::Activation(K::hard_sigmoid, unary.getAlpha() ? alpha : 0.2f,
                             unary.getBeta() ? beta : 0.5f);
    case UnaryKind::hard_swish:
      return fmt::Activation(K::hard_swish, 0, 0);
    case UnaryKind::elu:
      return fmt::Activation(K::elu, unary.getAlpha() ? alpha : 1.0f, 0);
    case UnaryKind::softplus:
      return fmt::Activation(K::softplus, 0, 0);
    default:
      return std::nullopt;
    }
  }
  if (auto clip = dyn_cast<ClipOp>(op)) {
    float lo = -std::numeric_limits<float>::infinity();
    float hi = std::numeric_limits<float>::infinity();
    if (clip.getMin()) {
      auto v = getConstantFloats(clip.getMin());
      if (!v || v->size() != 1)
        return std::nullopt;
      lo = (*v)[0];
    }
    if (clip.getMax()) {
      auto v = getConstantFloats(clip.getMax());
      if (!v || v->size() != 1)
        return std::nullopt;
      hi = (*v)[0];
    }
    return fmt::Activation(K::clip, lo, hi);
  }
  return std::nullopt;
}

// Activations that ONNX exports (before opsets 14 and 20) as several ops on
// x, computed as one: x * Sigmoid(x) (SiLU: efficientnet's blocks),
// x * HardSigmoid(x) with alpha 1/6 and beta 1/2 (hardswish: mobilenet_v3)
// and x * (Erf(x / sqrt 2) + 1) * 0.5 (GELU: ConvNeXt's MLPs).
struct CompositeActivation {
  fmt::Activation activation;
  /// The ops it replaces, the last computing its result.
  SmallVector<Operation *> ops;
};

/// The one user of `v`, if it has exactly one.
Operation *soleUser(Value v) {
  return v.hasOneUse() ? *v.getUsers().begin() : nullptr;
}

/// `op` as a Binary `kind` of `x` and another operand; that operand.
Value otherOperand(Operation *op, BinaryKind kind, Value x) {
  auto binary = dyn_cast_or_null<BinaryOp>(op);
  if (!binary || binary.getKind() != kind)
    return nullptr;
  if (binary.getLhs() == x)
    return binary.getRhs();
  // Only the commutative kinds take x on either side.
  if (binary.getRhs() == x &&
      (kind == BinaryKind::add || kind == BinaryKind::mul))
    return binary.getLhs();
  return nullptr;
}

/// Whether `v` is a constant scalar equal to `value` in f32.
bool isScalar(Value v, double value) {
  std::optional<SmallVector<double>> values = v ? getConstantFloats(v) : std::nullopt;
  return values && values->size() == 1 &&
         static_cast<float>((*values)[0]) == static_cast<float>(value);
}

std::optional<CompositeActivation> getCompositeActivation(Value x) {
  using K = fmt::ActivationKind;
  auto users = llvm::to_vector(x.getUsers());
  if (users.size() != 2 || users[0] == users[1])
    return std::nullopt;
  // The mul by x is the user that is not the gate (either order).
  for (int first = 0; first < 2; ++first) {
    Operation *gate = users[first], *mul = users[1 - first];
    Value gated = gate->getNumResults() == 1 ? gate->getResult(0) : nullptr;
    if (!gated || gated.getType() != x.getType())
      continue;
    // x * Sigmoid(x), x * HardSigmoid(x).
    if (auto unary = dyn_cast<UnaryOp>(gate)) {
      std::optional<fmt::Activation> act = getActivation(unary);
      if (!act || soleUser(gated) != mul ||
          otherOperand(mul, BinaryKind::mul, x) != gated ||
          mul->getResult(0).getType() != x.getType())
        continue;
      if (act->kind() == K::sigmoid)
        return CompositeActivation{fmt::Activation(K::swish, 0, 0), {gate, mul}};
      if (act->kind() == K::hard_sigmoid && act->alpha() == 1.0f / 6 &&
          act->beta() == 0.5f)
        return CompositeActivation{fmt::Activation(K::hard_swish, 0, 0),
                                   {gate, mul}};
      continue;
    }
    // x * (Erf(x / sqrt 2) + 1) * 0.5, as torch exports GELU.
    if (!isScalar(otherOperand(gate, BinaryKind::div, x), std::sqrt(2.0)))
      continue;
    auto erf = dyn_cast_or_null<UnaryOp>(soleUser(gated));
    if (!erf || erf.getKind() != UnaryKind::erf)
      continue;
    Operation *plusOne = soleUser(erf.getResult());
    if (!isScalar(otherOperand(plusOne, BinaryKind::add, erf.getResult()), 1) ||
        soleUser(plusOne->getResult(0)) != mul ||
        otherOperand(mul, BinaryKind::mul, x) != plusOne->getResult(0))
      continue;
    Operation *half = soleUser(mul->getResult(0));
    if (!isScalar(otherOperand(half, BinaryKind::mul, mul->getResult(0)), 0.5) ||
        half->getResult(0).getType() != x.getType())
      continue;
    return CompositeActivation{fmt::Activation(K::gelu, 0, 0),
                               {gate, erf, plusOne, mul, half}};
  }
  return std::nullopt;
}

/// torch's channel_shuffle as it exports: x [N, C, S...] -> Reshape [N, g,
/// C/g, S...] -> Transpose [0, 2, 1, ...] -> Reshape [N, C, S...]. Output
/// channel i*g + j is then input channel j*(C/g) + i.
struct ChannelShuffle {
  Value input;
  /// The input channel of each output channel.
  SmallVector<int64_t> channels;
  /// The first Reshape and the Transpose (`merge`, the last Reshape, gives
  /// the result).
  Operation *split, *transpose;
};

std::optional<ChannelShuffle> getChannelShuffle(
    ReshapeOp merge, ShapeAnalysis &shapes,
    llvm::function_ref<bool(Value, unsigned, Value, unsigned)> sameDim) {
  auto transpose = merge.getInput().getDefiningOp<TransposeOp>();
  if (!transpose || soleUser(transpose.getResult()) != merge)
    return std::nullopt;
  auto split = transpose.getInput().getDefiningOp<ReshapeOp>();
  if (!split || soleUser(split.getResult()) != transpose)
    return std::nullopt;
  Value x = split.getInput();
  std::optional<Dims> in = shapes.get(x).dims;
  std::optional<Dims> grouped = shapes.get(split.getResult()).dims;
  std::optional<Dims> out = shapes.get(merge.getResult()).dims;
  if (!in || !grouped || !out || in->size() < 3 ||
      grouped->size() != in->size() + 1 || out->size() != in->size() ||
      getElementTypeOrSelf(x.getType()) !=
          getElementTypeOrSelf(merge.getResult().getType()))
    return std::nullopt;
  size_t rank = in->size();
  SmallVector<int64_t> swap = {0, 2, 1};
  for (size_t d = 3; d <= rank; ++d)
    swap.push_back(d);
  std::optional<ArrayRef<int64_t>> perm = transpose.getPerm();
  if (!perm || SmallVector<int64_t>(*perm) != swap)
    return std::nullopt;
  std::optional<int64_t> channels = (*in)[1].getValue();
  std::optional<int64_t> groups = (*grouped)[1].getValue();
  std::optional<int64_t> perGroup = (*grouped)[2].getValue();
  if (!channels || !groups || !perGroup || *groups < 1 ||
      *groups * *perGroup != *channels ||
      !sameDim(split.getResult(), 0, x, 0))
    return std::nullopt;
  for (unsigned d = 0; d < rank; ++d)
    if (!sameDim(merge.getResult(), d, x, d) ||
        (d >= 2 && !sameDim(split.getResult(), d + 1, x, d)))
      return std::nullopt;
  ChannelShuffle shuffle{x, {}, split, transpose};
  for (int64_t i = 0; i < *perGroup; ++i)
    for (int64_t j = 0; j < *groups; ++j)
      shuffle.channels.push_back(j * *perGroup + i);
  return shuffle;
}

// A channel shuffle (shufflenet_v2's, between its units) runs as a Gather of
// channels by constant indices, which the runtime does in the channels-last
// layout the convolutions around it keep (as Reshapes and a Transpose it
// needs row-major data: two layout conversions and three copies). A Slice of
// its channels (the next unit's split) gathers its part straight from the
// shuffle's input; the shuffle itself is left out when nothing else reads it.
void Lowering::planChannelGathers() {
  for (Operation &op : func.getBody().front()) {
    auto merge = dyn_cast<ReshapeOp>(op);
    std::optional<ChannelShuffle> shuffle =
        merge ? getChannelShuffle(merge, *shapes,
                                  [&](Value a, unsigned ad, Value b,
                                      unsigned bd) {
                                    return sameDim(a, ad, b, bd);
                                  })
              : std::nullopt;
    if (!shuffle)
      continue;
    fused.insert(shuffle->split);
    fused.insert(shuffle->transpose);
    int64_t channels = shuffle->channels.size();
    bool allSliced = true;
    for (Operation *user : merge.getResult().getUsers()) {
      // Its Shape is a shape computation: it needs no values.
      if (isa<ShapeOp>(user))
        continue;
      auto slice = dyn_cast<SliceOp>(user);
      std::optional<SmallVector<int64_t>> axes, starts, ends, steps;
      if (slice && slice.getInput() == merge.getResult() && slice.getAxes()) {
        axes = knownInts(slice.getAxes());
        starts = knownInts(slice.getStarts());
        ends = knownInts(slice.getEnds());
        steps = slice.getSteps() ? knownInts(slice.getSteps())
                                 : SmallVector<int64_t>{1};
      }
      int64_t rank = shapes->get(merge.getResult()).dims->size();
      if (!axes || !starts || !ends || !steps || axes->size() != 1 ||
          starts->size() != 1 || ends->size() != 1 || steps->size() != 1 ||
          normalizeAxis((*axes)[0], rank) != 1 || (*steps)[0] != 1) {
        allSliced = false;
        continue;
      }
      // ONNX's bounds: negative from the end, clamped to the dim.
      auto clamp = [&](int64_t v) {
        return std::clamp<int64_t>(v < 0 ? v + channels : v, 0, channels);
      };
      int64_t begin = clamp((*starts)[0]), end = clamp((*ends)[0]);
      if (end <= begin) {
        allSliced = false;
        continue;
      }
      channelGathers[slice] = {
          shuffle->input,
          SmallVector<int64_t>(shuffle->channels.begin() + begin,
                               shuffle->channels.begin() + end)};
    }
    if (allSliced)
      fused.insert(merge);
    else
      channelGathers[merge] = {shuffle->input, shuffle->channels};
  }
}

// Conv [+ residual Add] [+ activation]; MatMul [+ bias Add] [+ activation];
// Gemm, Binary and BatchNorm [+ activation]. Each fused op's input must have no other user (but the
// ops of a composite activation, which all read it).
void Lowering::planFusions() {
  auto isF32 = [](Value v) { return getElementTypeOrSelf(v.getType()).isF32(); };
  for (Operation &op : func.getBody().front()) {
    if (fused.contains(&op) ||
        !isa<ConvOp, GemmOp, BinaryOp, BatchNormOp, MatMulOp>(op) ||
        op.getNumResults() != 1 || !isF32(op.getResult(0)))
      continue;
    Fusion fusion;
    fusion.result = op.getResult(0);
    if (auto conv = dyn_cast<ConvOp>(op)) {
      Operation *add = soleUser(fusion.result);
      if (Value other = otherOperand(add, BinaryKind::add, fusion.result)) {
        std::optional<Dims> a = shapes->get(other).dims;
        std::optional<Dims> b = shapes->get(fusion.result).dims;
        bool sameShape = a && b && a->size() == b->size() &&
                         llvm::all_of(llvm::zip(*a, *b), [](auto p) {
                           return std::get<0>(p).isSameAs(std::get<1>(p));
                         });
        bool before = isa<BlockArgument>(other) ||
                      other.getDefiningOp()->isBeforeInBlock(&op);
        if (sameShape && before && other != fusion.result &&
            !other.getDefiningOp<ConstantOp>()) {
          fusion.residual = other;
          fusion.result = add->getResult(0);
          fused.insert(add);
          ++foldedResiduals;
        }
      }
    }
    if (isa<MatMulOp>(op)) {
      // A Linear layer on [.., C]: MatMul, then Add of a constant [N].
      Operation *add = soleUser(fusion.result);
      Value other = otherOperand(add, BinaryKind::add, fusion.result);
      auto resultType = dyn_cast<RankedTensorType>(fusion.result.getType());
      auto rhsType = dyn_cast<RankedTensorType>(op.getOperand(1).getType());
      if (other && resultType && rhsType && rhsType.getRank() >= 2 &&
          add->getResult(0).getType() == fusion.result.getType()) {
        auto biasType = dyn_cast<RankedTensorType>(other.getType());
        if (other != fusion.result && other.getDefiningOp<ConstantOp>() &&
            biasType && biasType.getRank() == 1 &&
            biasType.getElementType().isF32() &&
            !ShapedType::isDynamic(resultType.getShape().back()) &&
            biasType.getShape()[0] == resultType.getShape().back()) {
          fusion.bias = other;
          fusion.result = add->getResult(0);
          fused.insert(add);
        }
      }
    }
    if (Operation *next = soleUser(fusion.result)) {
      if (std::optional<fmt::Activation> act = getActivation(next)) {
        fusion.activation = *act;
        fusion.result = next->getResult(0);
        fused.insert(next);
        ++foldedActivations;
      }
    } else if (std::optional<CompositeActivation> composite =
                   getCompositeActivation(fusion.result)) {
      fusion.activation = composite->activation;
      fusion.result = composite->ops.back()->getResult(0);
      fused.insert(composite->ops.begin(), composite->ops.end());
      ++foldedActivations;
    }
    if (fusion.result != op.getResult(0))
      fusions[&op] = fusion;
  }
}

LogicalResult Lowering::addOp(Operation *source, fmt::OpParamsUnion params,
                              ArrayRef<Value> operands,
                              ArrayRef<Value> results) {
  auto op = std::make_unique<fmt::OpT>();
  op->name = onnx_types::getNodeName(source);
  op->params = std::move(params);
  for (Value operand : operands) {
    if (!operand) {
      op->inputs.push_back(-1);
      continue;
    }
    FailureOr<int32_t> t = tensorFor(source, operand);
    if (failed(t))
      return failure();
    op->inputs.push_back(*t);
  }
  for (Value result : results) {
    FailureOr<int32_t> t = newTensor(source, result, nameOf(result));
    if (failed(t))
      return failure();
    op->outputs.push_back(*t);
  }
  model.ops.push_back(std::move(op));
  return success();
}

// An op whose results are all known entries of shape computations: the
// runtime never runs it; what needs its values gets them as expressions.
bool Lowering::isShapeComputation(Operation *op) {
  if (isa<CustomOp>(op) || op->getNumResults() == 0)
    return false;
  for (Value result : op->getResults()) {
    if (!isa<IntegerType>(getElementTypeOrSelf(result.getType())))
      return false;
    std::optional<Dims> values = shapes->get(result).values;
    bool known = values && llvm::none_of(*values, [](Dim d) {
      return d.isUnknown();
    });
    if (!known && !enumerated.empty()) {
      auto type = dyn_cast<RankedTensorType>(result.getType());
      known = type && type.hasStaticShape() && type.getRank() <= 1;
      for (size_t p = 0; known && p < enumerated.size(); ++p)
        known = concreteValue(result, false, 0, p).has_value();
    }
    if (!known)
      return false;
  }
  return true;
}

std::vector<int64_t> toVector(ArrayRef<int64_t> values) {
  return std::vector<int64_t>(values.begin(), values.end());
}

LogicalResult Lowering::emitOp(Operation *op) {
  if (isa<ConstantOp, QuantizedConstantOp, func::ReturnOp>(op) ||
      fused.contains(op) ||
      isShapeComputation(op))
    return success();
  Fusion fusion;
  if (auto it = fusions.find(op); it != fusions.end())
    fusion = it->second;
  else
    fusion.result = op->getNumResults() == 1 ? op->getResult(0) : Value();
  auto rankOf = [&](Value v) {
    return cast<RankedTensorType>(v.getType()).getRank();
  };
  if (auto it = channelGathers.find(op); it != channelGathers.end()) {
    const ChannelGather &gather = it->second;
    auto type = RankedTensorType::get(
        {int64_t(gather.channels.size())}, IntegerType::get(context, 64));
    int32_t indices = weightTensor(makeIntsAttr(type, gather.channels),
                                   nameOf(op->getResult(0)) + ".channels");
    fmt::GatherParamsT p;
    p.axis = 1;
    fmt::OpParamsUnion u;
    u.Set(std::move(p));
    if (failed(addOp(op, std::move(u), {gather.source}, {op->getResult(0)})))
      return failure();
    model.ops.back()->inputs.push_back(indices);
    return success();
  }
  auto emit = [&](auto params, ArrayRef<Value> operands,
                  std::optional<ArrayRef<Value>> results = std::nullopt) {
    fmt::OpParamsUnion u;
    u.Set(std::move(params));
    SmallVector<Value> outs;
    if (results)
      outs.assign(results->begin(), results->end());
    else
      outs.push_back(fusion.result);
    return addOp(op, std::move(u), operands, outs);
  };
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](ConvOp conv) {
        fmt::ConvParamsT p;
        p.strides = toVector(conv.getStrides());
        p.pads = toVector(conv.getPads());
        p.dilations = toVector(conv.getDilations());
        p.group = conv.getGroup();
        p.auto_pad = static_cast<fmt::AutoPad>(conv.getAutoPad());
        p.activation = std::make_unique<fmt::Activation>(fusion.activation);
        return emit(std::move(p), {conv.getInput(), conv.getWeight(),
                                   conv.getBias(), fusion.residual});
      })
      .Case([&](ConvTransposeOp conv) -> LogicalResult {
        fmt::ConvTransposeParamsT p;
        p.strides = toVector(conv.getStrides());
        p.dilations = toVector(conv.getDilations());
        p.output_padding = toVector(conv.getOutputPadding());
        p.group = conv.getGroup();
        p.auto_pad = static_cast<fmt::AutoPad>(conv.getAutoPad());
        p.activation = std::make_unique<fmt::Activation>();
        // Pads are resolved here from the output's size, which the
        // analysis knows (output_shape and auto_pad give them otherwise).
        int64_t spatial = rankOf(conv.getInput()) - 2;
        std::optional<Dims> in = shapes->get(conv.getInput()).dims;
        std::optional<Dims> out = shapes->get(conv.getOutput()).dims;
        auto weightType = cast<RankedTensorType>(conv.getWeight().getType());
        p.pads = toVector(conv.getPads());
        if (p.pads.empty())
          p.pads.assign(2 * spatial, 0);
        if (!conv.getOutputShape().empty() ||
            conv.getAutoPad() != AutoPad::notset) {
          std::vector<int64_t> outputPadding(spatial, 0);
          for (int64_t i = 0; i < spatial; ++i) {
            std::optional<int64_t> inSize = (*in)[i + 2].getValue();
            std::optional<int64_t> outSize = (*out)[i + 2].getValue();
            if (!inSize || !outSize)
              return op->emitError()
                     << "conv_transpose with output_shape or auto_pad needs "
                        "static sizes in the runtime";
            int64_t stride = p.strides.empty() ? 1 : p.strides[i];
            int64_t dilation = p.dilations.empty() ? 1 : p.dilations[i];
            int64_t outPad = p.output_padding.empty() ? 0 : p.output_padding[i];
            int64_t k = weightType.getDimSize(i + 2);
            // ONNX: the total padding, its larger half at the end under
            // SAME_UPPER, else at the beginning; an output larger than the
            // unpadded one gets the difference as output padding.
            int64_t total = stride * (*inSize - 1) + outPad +
                            (k - 1) * dilation + 1 - *outSize;
            outputPadding[i] = outPad;
            if (total < 0) {
              p.pads[i] = p.pads[spatial + i] = 0;
              outputPadding[i] = outPad - total;
              continue;
            }
            bool upper = conv.getAutoPad() == AutoPad::same_upper;
            p.pads[i] = upper ? total / 2 : total - total / 2;
            p.pads[spatial + i] = total - p.pads[i];
          }
          p.output_padding = outputPadding;
          p.auto_pad = fmt::AutoPad::notset;
        }
        return emit(std::move(p),
                    {conv.getInput(), conv.getWeight(), conv.getBias()});
      })
      .Case([&](PoolOp pool) {
        fmt::PoolParamsT p;
        p.kind = static_cast<fmt::PoolKind>(pool.getKind());
        p.kernel = toVector(pool.getKernelShape());
        p.strides = toVector(pool.getStrides());
        p.pads = toVector(pool.getPads());
        p.dilations = toVector(pool.getDilations());
        p.ceil_mode = pool.getCeilMode();
        p.count_include_pad = pool.getCountIncludePad();
        p.auto_pad = static_cast<fmt::AutoPad>(pool.getAutoPad());
        return emit(std::move(p), {pool.getInput()});
      })
      .Case([&](GlobalPoolOp pool) {
        fmt::GlobalPoolParamsT p;
        p.kind = static_cast<fmt::PoolKind>(pool.getKind());
        return emit(std::move(p), {pool.getInput()});
      })
      .Case([&](BatchNormOp norm) {
        fmt::BatchNormParamsT p;
        p.epsilon = norm.getEpsilon().convertToFloat();
        p.activation = std::make_unique<fmt::Activation>(fusion.activation);
        return emit(std::move(p), {norm.getInput(), norm.getScale(),
                                   norm.getBias(), norm.getMean(),
                                   norm.getVariance()});
      })
      .Case([&](InstanceNormOp norm) {
        fmt::InstanceNormParamsT p;
        p.epsilon = norm.getEpsilon().convertToFloat();
        return emit(std::move(p),
                    {norm.getInput(), norm.getScale(), norm.getBias()});
      })
      .Case([&](UnaryOp unary) {
        fmt::UnaryParamsT p;
        p.kind = static_cast<fmt::UnaryKind>(unary.getKind());
        std::optional<fmt::Activation> act = getActivation(unary);
        p.alpha = act ? act->alpha()
                      : (unary.getAlpha() ? unary.getAlpha()->convertToFloat() : 0);
        p.beta = act ? act->beta()
                     : (unary.getBeta() ? unary.getBeta()->convertToFloat() : 0);
        return emit(std::move(p), {unary.getInput()});
      })
      .Case([&](BinaryOp binary) {
        fmt::BinaryParamsT p;
        p.kind = static_cast<fmt::BinaryKind>(binary.getKind());
        p.activation = std::make_unique<fmt::Activation>(fusion.activation);
        return emit(std::move(p), {binary.getLhs(), binary.getRhs()});
      })
      .Case([&](CompareOp compare) {
        fmt::CompareParamsT p;
        p.kind = static_cast<fmt::CompareKind>(compare.getKind());
        return emit(std::move(p), {compare.getLhs(), compare.getRhs()});
      })
      .Case([&](NotOp logicalNot) {
        return emit(fmt::NotParamsT(), {logicalNot.getInput()});
      })
      .Case([&](WhereOp where) {
        return emit(fmt::WhereParamsT(),
                    {where.getCondition(), where.getX(), where.getOther()});
      })
      .Case([&](ClipOp clip) {
        return emit(fmt::ClipParamsT(), {clip.getInput(), clip.getMin(), clip.getMax()});
      })
      .Case([&](PReluOp prelu) {
        return emit(fmt::PReluParamsT(), {prelu.getInput(), prelu.getSlope()});
      })
      .Case([&](SoftmaxOp softmax) {
        fmt::SoftmaxParamsT p;
        p.axis = normalizeAxis(softmax.getAxis(), rankOf(softmax.getInput()));
        return emit(std::move(p), {softmax.getInput()});
      })
      .Case([&](GemmOp gemm) {
        fmt::GemmParamsT p;
        p.alpha = gemm.getAlpha().convertToFloat();
        p.beta = gemm.getBeta().convertToFloat();
        p.trans_a = gemm.getTransA();
        p.trans_b = gemm.getTransB();
        p.activation = std::make_unique<fmt::Activation>(fusion.activation);
        return emit(std::move(p), {gemm.getA(), gemm.getB(), gemm.getC()});
      })
      .Case([&](MatMulOp matmul) {
        fmt::MatMulParamsT p;
        p.activation = std::make_unique<fmt::Activation>(fusion.activation);
        return emit(std::move(p),
                    {matmul.getLhs(), matmul.getRhs(), fusion.bias});
      })
      .Case([&](ReduceOp reduce) -> LogicalResult {
        fmt::ReduceParamsT p;
        p.kind = static_cast<fmt::ReduceKind>(reduce.getKind());
        p.keepdims = reduce.getKeepdims();
        int64_t rank = rankOf(reduce.getInput());
        SmallVector<int64_t> axes;
        if (reduce.getAxes()) {
          auto given = knownInts(reduce.getAxes());
          if (!given)
            return op->emitError() << "reduction axes must be constant";
          axes = *given;
        }
        if (axes.empty() && !reduce.getNoopWithEmptyAxes())
          for (int64_t i = 0; i < rank; ++i)
            axes.push_back(i);
        for (int64_t &a : axes)
          a = normalizeAxis(a, rank);
        llvm::sort(axes);
        p.axes.assign(axes.begin(), axes.end());
        return emit(std::move(p), {reduce.getInput()});
      })
      .Case([&](ResizeOp resize) -> LogicalResult {
        if (resize.getAntialias())
          return op->emitError() << "resize with antialias is not supported "
                                    "by the runtime";
        fmt::ResizeParamsT p;
        p.mode = static_cast<fmt::ResizeMode>(resize.getMode());
        p.coordinate_transform = static_cast<fmt::CoordinateTransform>(
            resize.getCoordinateTransformationMode());
        p.nearest_mode = static_cast<fmt::NearestMode>(resize.getNearestMode());
        p.cubic_coeff_a = resize.getCubicCoeffA().convertToFloat();
        p.exclude_outside = resize.getExcludeOutside();
        p.extrapolation_value = resize.getExtrapolationValue().convertToFloat();
        int64_t rank = rankOf(resize.getInput());
        ArrayRef<int64_t> axes = resize.getAxes();
        auto expand = [&](ArrayRef<double> given, double fill,
                          std::vector<float> &out) -> LogicalResult {
          out.assign(rank, fill);
          if (axes.empty()) {
            if (int64_t(given.size()) != rank)
              return op->emitError() << "resize scales or roi do not match the rank";
            out.assign(given.begin(), given.end());
            return success();
          }
          for (auto [i, axis] : llvm::enumerate(axes))
            if (i < given.size())
              out[normalizeAxis(axis, rank)] = given[i];
          return success();
        };
        if (resize.getScales() && !resize.getSizes()) {
          auto scales = getConstantFloats(resize.getScales());
          if (scales && !scales->empty() &&
              failed(expand(*scales, 1.0, p.scales)))
            return failure();
        }
        if (resize.getRoi()) {
          if (auto roi = getConstantFloats(resize.getRoi()); roi && !roi->empty()) {
            std::vector<float> starts, ends;
            SmallVector<double> begin(roi->begin(), roi->begin() + roi->size() / 2);
            SmallVector<double> end(roi->begin() + roi->size() / 2, roi->end());
            if (failed(expand(begin, 0.0, starts)) ||
                failed(expand(end, 1.0, ends)))
              return failure();
            p.roi = starts;
            p.roi.insert(p.roi.end(), ends.begin(), ends.end());
          }
        }
        if (resize.getKeepAspectRatioPolicy() != AspectRatioPolicy::stretch &&
            p.scales.empty())
          return op->emitError() << "resize keep_aspect_ratio_policy is not "
                                    "supported by the runtime";
        return emit(std::move(p), {resize.getInput()});
      })
      .Case([&](DepthToSpaceOp d2s) {
        fmt::DepthToSpaceParamsT p;
        p.blocksize = d2s.getBlocksize();
        p.mode = static_cast<fmt::DepthToSpaceMode>(d2s.getMode());
        return emit(std::move(p), {d2s.getInput()});
      })
      .Case([&](SpaceToDepthOp s2d) {
        fmt::SpaceToDepthParamsT p;
        p.blocksize = s2d.getBlocksize();
        return emit(std::move(p), {s2d.getInput()});
      })
      .Case([&](PadOp pad) -> LogicalResult {
        fmt::PadParamsT p;
        p.mode = static_cast<fmt::PadMode>(pad.getMode());
        int64_t rank = rankOf(pad.getInput());
        FailureOr<SmallVector<uint32_t>> given = exprsOfValues(op, pad.getPads());
        if (failed(given))
          return failure();
        SmallVector<int64_t> axes;
        if (pad.getAxes()) {
          auto known = knownInts(pad.getAxes());
          if (!known)
            return op->emitError() << "pad axes must be constant";
          axes = *known;
        } else {
          for (int64_t i = 0; i < rank; ++i)
            axes.push_back(i);
        }
        if (given->size() != 2 * axes.size())
          return op->emitError() << "pads do not match the axes";
        p.pads.assign(2 * rank, exprOfConstant(0));
        for (auto [i, axis] : llvm::enumerate(axes)) {
          int64_t a = normalizeAxis(axis, rank);
          p.pads[a] = (*given)[i];
          p.pads[rank + a] = (*given)[axes.size() + i];
        }
        return emit(std::move(p), {pad.getInput(), pad.getConstantValue()});
      })
      .Case<ReshapeOp, FlattenOp, SqueezeOp, UnsqueezeOp>([&](Operation *) {
        return emit(fmt::ReshapeParamsT(), {op->getOperand(0)});
      })
      .Case([&](TransposeOp transpose) {
        fmt::TransposeParamsT p;
        int64_t rank = rankOf(transpose.getInput());
        if (auto perm = transpose.getPerm())
          p.perm.assign(perm->begin(), perm->end());
        else
          for (int64_t i = rank - 1; i >= 0; --i)
            p.perm.push_back(i);
        return emit(std::move(p), {transpose.getInput()});
      })
      .Case([&](ConcatOp concat) {
        fmt::ConcatParamsT p;
        p.axis = normalizeAxis(concat.getAxis(), rankOf(concat.getResult()));
        return emit(std::move(p), SmallVector<Value>(concat.getInputs()));
      })
      .Case([&](SplitOp split) {
        fmt::SplitParamsT p;
        p.axis = normalizeAxis(split.getAxis(), rankOf(split.getInput()));
        SmallVector<Value> results(split.getResults());
        return emit(std::move(p), {split.getInput()}, ArrayRef<Value>(results));
      })
      .Case([&](SliceOp slice) -> LogicalResult {
        fmt::SliceParamsT p;
        int64_t rank = rankOf(slice.getInput());
        FailureOr<SmallVector<uint32_t>> starts =
            exprsOfValues(op, slice.getStarts());
        if (failed(starts))
          return failure();
        SmallVector<int64_t> axes, steps;
        if (slice.getAxes()) {
          auto known = knownInts(slice.getAxes());
          if (!known)
            return op->emitError() << "slice axes must be constant";
          axes = *known;
        } else {
          for (size_t i = 0; i < starts->size(); ++i)
            axes.push_back(i);
        }
        if (slice.getSteps()) {
          auto known = knownInts(slice.getSteps());
          if (!known)
            return op->emitError() << "slice steps must be constant";
          steps = *known;
        } else {
          steps.assign(starts->size(), 1);
        }
        if (axes.size() != starts->size() || steps.size() != starts->size())
          return op->emitError() << "slice operands differ in length";
        p.starts.assign(rank, exprOfConstant(0));
        p.steps.assign(rank, 1);
        for (auto [i, axis] : llvm::enumerate(axes)) {
          int64_t a = normalizeAxis(axis, rank);
          if (a < 0 || a >= rank)
            return op->emitError() << "slice axis out of range";
          p.starts[a] = (*starts)[i];
          p.steps[a] = steps[i];
        }
        return emit(std::move(p), {slice.getInput()});
      })
      .Case([&](GatherOp gather) {
        fmt::GatherParamsT p;
        p.axis = normalizeAxis(gather.getAxis(), rankOf(gather.getInput()));
        return emit(std::move(p), {gather.getInput(), gather.getIndices()});
      })
      .Case([&](CastOp cast) { return emit(fmt::CastParamsT(), {cast.getInput()}); })
      .Case([&](RangeOp range) {
        return emit(fmt::RangeParamsT(),
                    {range.getStart(), range.getLimit(), range.getDelta()});
      })
      .Case([&](ScatterNDOp scatter) {
        return emit(fmt::ScatterNDParamsT(), {scatter.getData(),
                                              scatter.getIndices(),
                                              scatter.getUpdates()});
      })
      .Case([&](ExpandOp expand) {
        return emit(fmt::ExpandParamsT(), {expand.getInput()});
      })
      .Case([&](ConstantOfShapeOp fill) {
        fmt::FillParamsT p;
        if (auto value = fill.getValue()) {
          if (auto floats = getConstantFloats(*value); floats && !floats->empty())
            p.value = (*floats)[0];
          else if (auto ints = getConstantInts(*value); ints && !ints->empty())
            p.value = (*ints)[0];
        }
        return emit(std::move(p), {});
      })
      .Case([&](ShapeOp shape) -> LogicalResult {
        // Its entries are the dims of a tensor: expressions.
        FailureOr<int32_t> t = tensorFor(op, shape.getResult());
        return failure(failed(t));
      })
      .Case([&](QuantizeLinearOp q) {
        fmt::QuantizeLinearParamsT p;
        p.axis = normalizeAxis(q.getAxis(), rankOf(q.getInput()));
        p.block_size = q.getBlockSize();
        return emit(std::move(p), {q.getInput(), q.getScale(), q.getZeroPoint()});
      })
      .Case([&](DequantizeLinearOp q) {
        fmt::DequantizeLinearParamsT p;
        p.axis = normalizeAxis(q.getAxis(), rankOf(q.getInput()));
        p.block_size = q.getBlockSize();
        return emit(std::move(p), {q.getInput(), q.getScale(), q.getZeroPoint()});
      })
      .Case([&](CustomOp custom) {
        fmt::CustomParamsT p;
        p.class_name = custom.getOpType().str();
        p.domain = custom.getDomain().str();
        // Attributes of ints, floats and strings (and lists of them) go to
        // the layer; tensors are operands (weights) in the runtime.
        for (NamedAttribute named : custom.getNodeAttributes()) {
          auto attribute = std::make_unique<fmt::CustomAttributeT>();
          attribute->name = named.getName().str();
          auto add = [&](Attribute value) {
            if (auto i = dyn_cast<IntegerAttr>(value))
              attribute->ints.push_back(i.getInt());
            else if (auto f = dyn_cast<FloatAttr>(value))
              attribute->floats.push_back(f.getValueAsDouble());
            else if (auto str = dyn_cast<StringAttr>(value))
              attribute->strings.push_back(str.str());
          };
          if (auto array = dyn_cast<ArrayAttr>(named.getValue()))
            llvm::for_each(array, add);
          else if (auto ints = dyn_cast<DenseI64ArrayAttr>(named.getValue()))
            attribute->ints.assign(ints.asArrayRef().begin(),
                                   ints.asArrayRef().end());
          else if (auto floats = dyn_cast<DenseF32ArrayAttr>(named.getValue()))
            attribute->floats.assign(floats.asArrayRef().begin(),
                                     floats.asArrayRef().end());
          else
            add(named.getValue());
          p.attributes.push_back(std::move(attribute));
        }
        SmallVector<Value> results(custom.getResults());
        return emit(std::move(p), SmallVector<Value>(custom.getInputs()),
                    ArrayRef<Value>(results));
      })
      .Default([&](Operation *) {
        return op->emitError() << "is not supported by the runtime";
      });
}

LogicalResult Lowering::lowerInputs() {
  for (BlockArgument arg : func.getArguments()) {
    FailureOr<int32_t> t = newTensor(func, arg, nameOf(arg));
    if (failed(t))
      return failure();
    auto input = std::make_unique<fmt::InputT>();
    input->tensor = *t;
    input->shapes = std::make_unique<fmt::ShapeSetT>();
    InputShapes set = getInputShapes(func, arg.getArgNumber());
    if (set.ranged) {
      input->shapes->kind = fmt::ShapeSetKind::ranged;
      for (size_t d = 0; d < set.mins.size(); ++d)
        input->shapes->ranges.emplace_back(set.mins[d], set.maxs[d],
                                           set.steps[d]);
    } else {
      input->shapes->kind = fmt::ShapeSetKind::enumerated;
      for (ArrayRef<int64_t> shape : set.shapes) {
        auto dims = std::make_unique<fmt::DimsT>();
        dims->values = toVector(shape);
        input->shapes->shapes.push_back(std::move(dims));
      }
    }
    model.inputs.push_back(std::move(input));
  }
  for (auto [i, source] : llvm::enumerate(symbolSources)) {
    auto symbol = std::make_unique<fmt::SymbolT>();
    symbol->name = symbolNames[i];
    symbol->input = source.first;
    symbol->dim = source.second;
    model.symbols.push_back(std::move(symbol));
  }
  return success();
}

// The returned values become the outputs, named as the model names them. A
// value returned twice, or that is an input or a weight, is copied.
LogicalResult Lowering::emitOutputs() {
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  DenseSet<int32_t> taken;
  for (const auto &input : model.inputs)
    taken.insert(input->tensor);
  for (auto [i, value] : llvm::enumerate(ret.getOperands())) {
    FailureOr<int32_t> t = tensorFor(ret, value);
    if (failed(t))
      return failure();
    if (taken.contains(*t) || model.tensors[*t]->weight) {
      fmt::OpParamsUnion u;
      u.Set(fmt::ReshapeParamsT());
      auto copy = std::make_unique<fmt::OpT>();
      copy->name = "output copy";
      copy->params = std::move(u);
      copy->inputs.push_back(*t);
      auto tensor = std::make_unique<fmt::TensorT>(*model.tensors[*t]);
      tensor->weight.reset();
      model.tensors.push_back(std::move(tensor));
      t = int32_t(model.tensors.size() - 1);
      copy->outputs.push_back(*t);
      model.ops.push_back(std::move(copy));
    }
    taken.insert(*t);
    if (auto name = func.getResultAttrOfType<StringAttr>(i, NNDialect::kNameAttr))
      model.tensors[*t]->name = name.str();
    model.outputs.push_back(*t);
  }
  return success();
}

LogicalResult Lowering::computePlans(std::string &graph,
                                     LoweringReport *report) {
  // Lay out the weights, then pack once to plan on the packed model.
  uint64_t offset = 0;
  for (auto &tensor : model.tensors)
    if (tensor->weight) {
      tensor->weight->offset = offset;
      offset = (offset + tensor->weight->length + format::kWeightAlignment - 1) /
               format::kWeightAlignment * format::kWeightAlignment;
    }
  model.weights_length = offset;
  auto pack = [&](flatbuffers::FlatBufferBuilder &builder) {
    builder.ForceDefaults(false);
    builder.FinishSizePrefixed(fmt::Model::Pack(builder, &model),
                               fmt::ModelIdentifier());
  };
  {
    flatbuffers::FlatBufferBuilder builder;
    pack(builder);
    const fmt::Model *packed = fmt::GetSizePrefixedModel(builder.GetBufferPointer());
    for (const Enumerated &e : enumerated) {
      std::vector<int64_t> values(e.symbolValues.begin(), e.symbolValues.end());
      rt::PlanData data;
      try {
        data = rt::planModel(*packed, values);
      } catch (const rt::Error &error) {
        return func.emitError() << "planning the enumerated shape failed: "
                                << error.what();
      }
      auto plan = std::make_unique<fmt::PlanT>();
      plan->symbol_values = values;
      for (const auto &dims : data.dims)
        plan->dims.insert(plan->dims.end(), dims.begin(), dims.end());
      plan->offsets = data.offsets;
      plan->arena_size = data.arenaSize;
      if (report) {
        std::string label;
        for (size_t s = 0; s < values.size(); ++s)
          label += (s ? ", " : "") + symbolNames[s] + "=" +
                   std::to_string(values[s]);
        report->plans.push_back({label.empty() ? "static" : label,
                                 data.arenaSize});
      }
      model.plans.push_back(std::move(plan));
    }
  }
  // The graph's size decides where the weights start; it does not depend on
  // the offset's value (a fixed-size field, always written).
  flatbuffers::FlatBufferBuilder builder;
  model.weights_offset = 1;
  pack(builder);
  uint64_t graphSize = builder.GetSize();
  model.weights_offset = (graphSize + format::kWeightAlignment - 1) /
                         format::kWeightAlignment * format::kWeightAlignment;
  flatbuffers::FlatBufferBuilder final;
  pack(final);
  if (final.GetSize() != graphSize)
    return func.emitError() << "internal error: the graph's size changed";
  graph.assign(reinterpret_cast<const char *>(final.GetBufferPointer()),
               final.GetSize());
  if (report) {
    report->ops = model.ops.size();
    report->tensors = model.tensors.size();
    report->weights = weightData.size();
    report->weightBytes = 0;
    for (ElementsAttr weight : weightData)
      report->weightBytes += getRawSize(weight);
    report->fileBytes = model.weights_offset + model.weights_length;
    report->fusedActivations = foldedActivations;
    report->fusedResiduals = foldedResiduals;
    if (batchSymbol >= 0)
      report->batchDim = symbolNames[batchSymbol];
  }
  return success();
}

// The file: the graph, zeros to the weight section, then each weight
// streamed from its blob (never a second copy of the weights in memory),
// each padded to the alignment.
void Lowering::write(StringRef graph, llvm::raw_ostream &os) {
  uint64_t written = graph.size();
  os << graph;
  auto padTo = [&](uint64_t size) {
    os.write_zeros(size - written);
    written = size;
  };
  padTo(model.weights_offset);
  for (ElementsAttr weight : weightData) {
    writeRawData(weight, [&](ArrayRef<char> piece) {
      os.write(piece.data(), piece.size());
      written += piece.size();
    });
    padTo((written + format::kWeightAlignment - 1) / format::kWeightAlignment *
          format::kWeightAlignment);
  }
}

LogicalResult Lowering::run(llvm::raw_ostream &os, LoweringReport *report) {
  if (!func.getBody().hasOneBlock())
    return func.emitError() << "a graph of nn ops is one block";
  if (failed(analyze()) || failed(analyzeEnumerated()))
    return failure();
  model.format_version = format::kFormatVersion;
  model.producer = "mlc " MLC_VERSION;
  if (auto name = func->getParentOfType<ModuleOp>()->getAttrOfType<StringAttr>(
          NNDialect::kGraphNameAttr))
    model.graph_name = name.str();
  model.batch_symbol = batchSymbol;
  planChannelGathers();
  planFusions();
  std::string graph;
  LogicalResult result = lowerInputs();
  for (Operation &op : func.getBody().front())
    if (succeeded(result))
      result = emitOp(&op);
  if (succeeded(result))
    result = emitOutputs();
  if (succeeded(result))
    result = computePlans(graph, report);
  if (succeeded(result))
    write(graph, os);
  for (Enumerated &e : enumerated)
    e.copy.erase();
  return result;
}

func::FuncOp getMain(ModuleOp module) {
  func::FuncOp main;
  for (auto func : module.getOps<func::FuncOp>())
    if (!func.isExternal() && (!main || func.getName() == "main"))
      main = func;
  return main;
}

// A static export declares batch 1 in every type, and the shape computations
// that read it (a Resize's sizes from the input's shape, say) would fold to
// constants that fix it: the batch check (Lowering::tryBatchAnalysis) would
// then find the graph tied to one item. Types derived again with dim 0 of
// the inputs free keep those computations following the batch; the inputs
// keep their declared size, and a graph that is not batchable lowers as
// before, its shape computations evaluated at that size. Shapes that only
// folding makes known (Swin pads each stage by amounts computed from the
// shape the stage before gives, through [n, 2] matrices of pads) take rounds
// of inference and folding. Leaves `main` as it was, and returns false, when
// some op has no shape function or its shape function fails.
bool freeBatchDim(func::FuncOp main) {
  for (BlockArgument arg : main.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.getRank() == 0 || type.getDimSize(0) != 1)
      return false;
  }
  ScopedDiagnosticHandler quiet(main.getContext(),
                                [](Diagnostic &) { return success(); });
  Block &body = main.getBody().front();
  constexpr int kMaxRounds = 8;
  for (int round = 0; round < kMaxRounds; ++round) {
    ShapeAnalysis shapes(main.getContext(), /*useDeclaredTypes=*/false);
    for (BlockArgument arg : main.getArguments())
      shapes.addSymbol(arg, 0, "N");
    SmallVector<std::pair<Value, Type>> retyped;
    for (Operation &op : body.without_terminator()) {
      SmallVector<Type> types;
      if (!isa<ShapeInferenceOpInterface>(op) || failed(shapes.infer(&op, &types)))
        return round > 0;
      for (auto [result, type] : llvm::zip(op.getResults(), types))
        retyped.push_back({result, type});
    }
    for (auto [value, type] : retyped)
      value.setType(type);
    main.setFunctionType(FunctionType::get(
        main.getContext(), body.getArgumentTypes(),
        body.getTerminator()->getOperandTypes()));
    bool changed = false;
    if (failed(applyPatternsAndFoldGreedily(main, RewritePatternSet(main.getContext()),
                                            GreedyRewriteConfig(), &changed)) ||
        !changed)
      break;
  }
  return true;
}

} // namespace

LogicalResult mlc::lowerToMLC(ModuleOp module, llvm::raw_ostream &os,
                              LoweringReport *report) {
  func::FuncOp main = getMain(module);
  if (!main)
    return module.emitError() << "the model has no graph (no function)";
  bool batchFree = freeBatchDim(main);
  PassManager pm(module.getContext());
  buildCompilePipeline(pm);
  // A graph whose batch cannot be free runs one item at a time: its shapes
  // are inferred and folded at the declared size (freeBatchDim's rounds).
  if (!batchFree)
    pm.addPass(createInferShapesPass());
  unsigned normsBefore = 0, normsAfter = 0;
  module.walk([&](BatchNormOp) { ++normsBefore; });
  if (failed(pm.run(module)))
    return failure();
  module.walk([&](BatchNormOp) { ++normsAfter; });
  if (failed(Lowering(main).run(os, report)))
    return failure();
  if (report)
    report->foldedBatchNorms = normsBefore - normsAfter;
  return success();
}
