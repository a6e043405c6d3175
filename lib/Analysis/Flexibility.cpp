//===- Flexibility.cpp - Does a network take any input size? --------------===//

#include "mlc/Analysis/Flexibility.h"
#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeInference.h"
#include "mlc/Dialect/NN/ShapeUtils.h"
#include "mlc/ONNX/OpTypes.h"

#include "mlir/IR/AffineExprVisitor.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <numeric>

using namespace mlir;
using namespace mlc;
using namespace mlc::nn;
using mlc::onnx_types::getNodeName;
using mlc::onnx_types::getONNXOpType;

using Report = FlexibilityReport;

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

// The period after which an expression repeats up to a constant (a floor
// division by c repeats every c, nested ones every product), capped.
static int64_t periodOf(AffineExpr expr, int64_t cap) {
  switch (expr.getKind()) {
  case AffineExprKind::Constant:
  case AffineExprKind::SymbolId:
  case AffineExprKind::DimId:
    return 1;
  default:
    break;
  }
  auto binary = cast<AffineBinaryOpExpr>(expr);
  int64_t lhs = periodOf(binary.getLHS(), cap);
  int64_t rhs = periodOf(binary.getRHS(), cap);
  if (expr.getKind() == AffineExprKind::FloorDiv ||
      expr.getKind() == AffineExprKind::CeilDiv ||
      expr.getKind() == AffineExprKind::Mod)
    if (auto divisor = dyn_cast<AffineConstantExpr>(binary.getRHS()))
      if (divisor.getValue() > 0)
        return std::min(cap, lhs * divisor.getValue());
  return std::min(cap, std::lcm(lhs, rhs));
}

// The symbols a dim uses, and (into `period`) when it repeats.
static void collectSymbols(Dim dim, llvm::SmallSetVector<unsigned, 4> &symbols,
                           int64_t &period, int64_t cap) {
  if (dim.isUnknown())
    return;
  dim.getExpr().walk([&](AffineExpr expr) {
    if (auto symbol = dyn_cast<AffineSymbolExpr>(expr))
      symbols.insert(symbol.getPosition());
  });
  period = std::min(cap, std::lcm(period, periodOf(dim.getExpr(), cap)));
}

// "a..b" ranges of the sizes in `sizes` (sorted), at most `limit` of them.
static std::string formatRanges(ArrayRef<int64_t> sizes, size_t limit = 4) {
  std::vector<std::string> ranges;
  for (size_t i = 0; i < sizes.size();) {
    size_t j = i;
    while (j + 1 < sizes.size() && sizes[j + 1] == sizes[j] + 1)
      ++j;
    ranges.push_back(i == j ? std::to_string(sizes[i])
                            : std::to_string(sizes[i]) + ".." +
                                  std::to_string(sizes[j]));
    i = j + 1;
  }
  if (ranges.size() > limit) {
    ranges.resize(limit);
    ranges.push_back("...");
  }
  return llvm::join(ranges, ", ");
}

//===----------------------------------------------------------------------===//
// The analysis
//===----------------------------------------------------------------------===//

namespace {

// One run of shape inference over the graph with the free dims as symbols,
// and what it found.
struct Phase {
  std::unique_ptr<ShapeAnalysis> shapes;
  std::vector<Requirement> requirements; // without repeats
  /// For each free dim (by symbol), the sizes 0..maxSize that meet every
  /// unbounded requirement.
  std::map<int64_t, std::vector<bool>> validSizes;
};

// A requirement that only a bounded set of sizes meets.
struct Pin {
  const Requirement *requirement;
  std::vector<int64_t> sizes; // the sizes that meet it, for one free dim
  int64_t symbol = -1;        // that free dim, or -1 when it ties several
};

class FlexibilityAnalysis {
public:
  FlexibilityAnalysis(func::FuncOp func, const FlexibilityOptions &options)
      : func(func), options(options), context(func.getContext()) {}

  FailureOr<Report> run();

private:
  LogicalResult findFreeDims();
  /// Infers the graph's shapes op by op; `beforeOp` sees each op first.
  LogicalResult runPhase(Phase &phase,
                         llvm::function_ref<void(Operation &)> beforeOp);
  void solve(Phase &phase, Report &report, std::vector<Pin> &pins);
  void findUnknownDims(Phase &phase, Report &report);
  void explainPins(Phase &phase, ArrayRef<Pin> pins, Report &report);
  /// What generalizeBaked has seen so far in a phase.
  struct BakedSearch {
    SmallVector<int64_t> env; // the export's sizes
    /// The free dims' expressions in the graph so far, each with the axis
    /// it was first seen at, and the op whose results are not in yet.
    std::vector<std::pair<Dim, size_t>> pool;
    llvm::DenseSet<AffineExpr> inPool;
    Operation *previous = nullptr;
    /// Each generalized constant's entries.
    DenseMap<Value, Dims> assumed;
  };
  void generalizeBaked(Phase &phase, Operation &op, BakedSearch &search,
                       Report &report);
  void describeOutputs(Phase &phase, Report &report);
  Dim simplify(const Phase &phase, Dim dim) const;

  // The free dims at the export's sizes; other symbols (a batch dim) at 1.
  SmallVector<int64_t> exportEnv(const Phase &phase) const;
  /// Whether the free dims have sizes in the export (not `?`).
  bool exportedAtOneSize() const {
    return llvm::none_of(freeDims, [](const Report::FreeDim &f) {
      return f.exportSize == ShapedType::kDynamic;
    });
  }
  std::string atExport() const;
  std::string format(const Phase &phase, Dim dim) const {
    return phase.shapes->format(dim);
  }
  int64_t symbolOf(const Phase &phase, StringRef name) const {
    ArrayRef<std::string> names = phase.shapes->getSymbolNames();
    auto it = llvm::find(names, name);
    return it == names.end() ? -1 : it - names.begin();
  }

  func::FuncOp func;
  const FlexibilityOptions &options;
  MLIRContext *context;
  std::vector<Report::FreeDim> freeDims;
  std::vector<BlockArgument> freeArgs;
};

} // namespace

LogicalResult FlexibilityAnalysis::findFreeDims() {
  // By default the spatial dims of the inputs of the largest rank: the
  // image's H and W, a video's D, H and W, a signal's length.
  auto inputName = [&](BlockArgument arg) {
    auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                  NNDialect::kNameAttr);
    return name ? name.str() : "input_" + std::to_string(arg.getArgNumber());
  };
  auto chosen = [&](BlockArgument arg) {
    return options.input.empty() || inputName(arg) == options.input;
  };
  int64_t largestRank = 0;
  for (BlockArgument arg : func.getArguments())
    if (auto type = dyn_cast<RankedTensorType>(arg.getType());
        type && chosen(arg))
      largestRank = std::max(largestRank, type.getRank());
  bool spatial = options.dims.empty();
  int64_t needed =
      spatial ? std::max<int64_t>(largestRank, 3) - 1
              : *std::max_element(options.dims.begin(), options.dims.end());
  bool first = true;
  for (BlockArgument arg : func.getArguments()) {
    if (!chosen(arg))
      continue;
    std::string input = inputName(arg);
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.getRank() <= needed)
      continue;
    auto params = func.getArgAttrOfType<ArrayAttr>(arg.getArgNumber(),
                                                   NNDialect::kDimParamsAttr);
    SmallVector<int64_t> spatialDims = getSpatialDims(arg);
    SmallVector<int64_t> dims(options.dims.begin(), options.dims.end());
    if (spatial)
      dims = spatialDims;
    for (int64_t dim : dims) {
      std::string name;
      if (params && dim < int64_t(params.size()))
        name = cast<StringAttr>(params[dim]).str();
      if (name.empty()) {
        name = nameInputDim(dim, spatialDims);
        if (!first)
          name += "_" + input;
      }
      freeDims.push_back({name, input, unsigned(dim), type.getDimSize(dim)});
      freeArgs.push_back(arg);
    }
    first = false;
  }
  if (!freeDims.empty())
    return success();
  if (!options.input.empty()) {
    if (!llvm::any_of(func.getArguments(), chosen)) {
      std::string inputs =
          llvm::join(llvm::map_range(func.getArguments(), inputName), ", ");
      return func.emitError() << "has no input '" << options.input
                              << "' (its inputs: " << inputs << ")";
    }
    return func.emitError() << "has no input '" << options.input
                            << "' of rank " << needed + 1 << " or more";
  }
  if (spatial)
    return func.emitError() << "has no input of rank 3 or more, whose dims "
                               "after the channels could be free";
  std::string dims =
      llvm::join(llvm::map_range(options.dims,
                                 [](int64_t d) { return std::to_string(d); }),
                 ",");
  return func.emitError() << "has no input of rank " << needed + 1
                          << " or more whose dims " << dims << " could be free";
}

SmallVector<int64_t> mlc::getSpatialDims(BlockArgument arg) {
  auto type = cast<ShapedType>(arg.getType());
  int64_t rank = type.getRank();
  if (rank < 3)
    return {};
  SmallVector<int64_t> toChannelsFirst = {0, rank - 1};
  llvm::append_range(toChannelsFirst, llvm::seq<int64_t>(1, rank - 1));
  bool channelsLast = llvm::any_of(arg.getUsers(), [&](Operation *user) {
    auto transpose = dyn_cast<TransposeOp>(user);
    return transpose && transpose.getPerm() &&
           ArrayRef<int64_t>(*transpose.getPerm()) ==
               ArrayRef<int64_t>(toChannelsFirst);
  });
  if (channelsLast)
    return llvm::to_vector(llvm::seq<int64_t>(1, rank - 1));
  return llvm::to_vector(llvm::seq<int64_t>(2, rank));
}

std::string mlc::nameInputDim(int64_t dim, ArrayRef<int64_t> spatial) {
  const auto *it = llvm::find(spatial, dim);
  size_t fromLast = spatial.end() - it; // 1 for the last, 0 for none
  if (fromLast == 1)
    return "W";
  if (fromLast == 2)
    return "H";
  if (fromLast == 3 && spatial.size() == 3)
    return "D";
  return "D" + std::to_string(dim);
}

LogicalResult
FlexibilityAnalysis::runPhase(Phase &phase,
                              llvm::function_ref<void(Operation &)> beforeOp) {
  phase.shapes = std::make_unique<ShapeAnalysis>(context,
                                                 /*useDeclaredTypes=*/false);
  ShapeAnalysis &shapes = *phase.shapes;
  for (auto [free, arg] : llvm::zip(freeDims, freeArgs))
    shapes.addSymbol(arg, free.dim, free.name);
  // Other `?` dims (a batch) are symbols too, so they are carried along.
  for (BlockArgument arg : func.getArguments())
    if (auto type = dyn_cast<RankedTensorType>(arg.getType()))
      for (auto [dim, size] : llvm::enumerate(type.getShape())) {
        bool isFree = llvm::any_of(llvm::zip(freeDims, freeArgs), [&](auto p) {
          return std::get<1>(p) == arg && std::get<0>(p).dim == dim;
        });
        if (size == ShapedType::kDynamic && !isFree)
          shapes.addSymbol(arg, dim,
                           getInputDimName(func, arg.getArgNumber(), dim));
      }
  for (Operation &op : func.getBody().front()) {
    if (beforeOp)
      beforeOp(op);
    if (failed(shapes.infer(&op)))
      return failure();
  }
  // One requirement of each kind on each pair of expressions.
  llvm::DenseSet<std::tuple<int, AffineExpr, AffineExpr>> seen;
  for (const Requirement &r : shapes.getRequirements())
    if (seen.insert({int(r.kind), r.lhs.getExpr(), r.rhs.getExpr()}).second)
      phase.requirements.push_back(r);
  return success();
}

SmallVector<int64_t> FlexibilityAnalysis::exportEnv(const Phase &phase) const {
  SmallVector<int64_t> env(phase.shapes->getSymbolNames().size(), 1);
  for (const auto &free : freeDims)
    if (int64_t s = symbolOf(phase, free.name); s >= 0)
      env[s] = free.exportSize == ShapedType::kDynamic ? 224 : free.exportSize;
  return env;
}

std::string FlexibilityAnalysis::atExport() const {
  // "H=W=224", or "H=224, W=320".
  bool same = llvm::all_of(freeDims, [&](const Report::FreeDim &f) {
    return f.exportSize == freeDims.front().exportSize;
  });
  std::vector<std::string> parts;
  for (const auto &free : freeDims)
    parts.push_back(free.name + (same ? "" : "=" + std::to_string(free.exportSize)));
  if (same)
    return llvm::join(parts, "=") + "=" +
           std::to_string(freeDims.front().exportSize);
  return llvm::join(parts, ", ");
}

// Solves the requirements over the sizes 1..maxSize of each free dim: the
// ones that hold for unboundedly many sizes become constraints, the others
// pin the sizes (reported by explainPins).
void FlexibilityAnalysis::solve(Phase &phase, Report &report,
                                std::vector<Pin> &pins) {
  int64_t limit = options.maxSize;
  int64_t periodCap = limit / 8;
  SmallVector<int64_t> env = exportEnv(phase);
  struct Valid {
    std::vector<bool> sizes; // index = size
    int64_t period = 1;
    std::vector<std::string> nodes;
  };
  std::map<int64_t, Valid> valid; // by symbol
  for (const auto &free : freeDims)
    if (int64_t s = symbolOf(phase, free.name); s >= 0)
      valid[s].sizes.assign(limit + 1, true), valid[s].sizes[0] = false;
  auto isFree = [&](unsigned s) { return valid.count(s) != 0; };

  for (const Requirement &r : phase.requirements) {
    llvm::SmallSetVector<unsigned, 4> symbols;
    int64_t period = 1;
    collectSymbols(r.lhs, symbols, period, periodCap);
    collectSymbols(r.rhs, symbols, period, periodCap);
    SmallVector<unsigned> free;
    for (unsigned s : symbols)
      if (isFree(s))
        free.push_back(s);
    if (free.empty())
      continue; // on a batch dim only: not ours to solve
    // The tail where a requirement that holds unboundedly must hold again.
    int64_t tail = std::min(limit / 2, std::max<int64_t>(4 * period, 64));
    if (free.size() == 1) {
      unsigned s = free.front();
      std::vector<int64_t> holds;
      bool always = true;
      SmallVector<int64_t> at = env;
      std::vector<bool> sizes(limit + 1, false);
      for (int64_t v = 1; v <= limit; ++v) {
        at[s] = v;
        sizes[v] = r.holds(at).value_or(true);
        always &= sizes[v];
        if (sizes[v])
          holds.push_back(v);
      }
      if (always)
        continue;
      bool unbounded = !holds.empty() && holds.back() > limit - tail;
      if (!unbounded) {
        pins.push_back({&r, holds, int64_t(s)});
        continue;
      }
      Valid &entry = valid[s];
      for (int64_t v = 1; v <= limit; ++v)
        entry.sizes[v] = entry.sizes[v] && sizes[v];
      entry.period = std::min(periodCap, std::lcm(entry.period, period));
      std::string node = getNodeName(r.op);
      if (!node.empty() && !llvm::is_contained(entry.nodes, node))
        entry.nodes.push_back(node);
      continue;
    }
    // Several free dims: nothing to say if it holds at every small size and
    // at the largest; it holds unboundedly if it holds at some large sizes.
    SmallVector<int64_t> at = env;
    bool everywhere = true;
    for (int64_t i = 1; i <= 16 && everywhere; ++i)
      for (int64_t j = 1; j <= 16 && everywhere; ++j) {
        at[free[0]] = i;
        for (size_t k = 1; k < free.size(); ++k)
          at[free[k]] = j;
        everywhere = r.holds(at).value_or(true);
      }
    for (size_t k = 0; k < free.size(); ++k)
      at[free[k]] = limit;
    if (everywhere && r.holds(at).value_or(true))
      continue;
    bool somewhere = false;
    int64_t step = std::max<int64_t>(1, period);
    for (int64_t i = 0; i < 2 * step && !somewhere; ++i)
      for (int64_t j = 0; j < 2 * step && !somewhere; ++j) {
        at[free[0]] = limit - i;
        for (size_t k = 1; k < free.size(); ++k)
          at[free[k]] = limit - j;
        somewhere = r.holds(at).value_or(true);
      }
    if (somewhere) {
      std::string text = format(phase, r.lhs) +
                         (r.kind == Requirement::Kind::Equal ? " == "
                          : r.kind == Requirement::Kind::AtLeast ? " >= "
                                                                 : " divisible by ") +
                         format(phase, r.rhs);
      if (!llvm::is_contained(report.jointConstraints, text))
        report.jointConstraints.push_back(text);
    } else {
      pins.push_back({&r, {}, -1});
    }
  }

  for (auto &[s, entry] : valid)
    phase.validSizes[s] = entry.sizes;
  // Each free dim's sizes, as "H >= 32 and H % 32 == 0".
  for (const auto &free : freeDims) {
    int64_t s = symbolOf(phase, free.name);
    if (s < 0 || !valid.count(s))
      continue;
    Valid &entry = valid[s];
    Report::Constraint c;
    c.dim = free.name;
    c.nodes = entry.nodes;
    // The residues the tail allows, and where that pattern starts to hold;
    // a longer period when the pattern does not hold far enough down.
    int64_t period = entry.period, start = limit;
    std::vector<bool> allowed;
    for (int64_t p = period; p <= periodCap; p *= 2) {
      allowed.assign(p, false);
      for (int64_t v = limit - p + 1; v <= limit; ++v)
        allowed[v % p] = entry.sizes[v];
      start = limit;
      while (start > 1 && entry.sizes[start - 1] == allowed[(start - 1) % p])
        --start;
      period = p;
      if (start <= limit / 2)
        break;
    }
    c.min = limit + 1;
    for (int64_t v = start; v <= limit; ++v)
      if (entry.sizes[v]) {
        c.min = v;
        break;
      }
    c.period = period;
    c.residues.clear();
    for (int64_t r = 0; r < period; ++r)
      if (allowed[r])
        c.residues.push_back(r);
    if (c.residues.empty()) {
      report.blockers.push_back(
          {func, "", "", "no size of " + free.name + " up to " +
                             std::to_string(limit) +
                             " meets every op's requirements at once",
           "check the requirements of " + llvm::join(c.nodes, ", ")});
      continue;
    }
    if (int64_t(c.residues.size()) == period) {
      c.period = 1;
      c.residues = {0};
    }
    c.text = free.name + " >= " + std::to_string(c.min);
    if (c.period > 1) {
      if (c.residues.size() == 1)
        c.text += " and " + free.name + " % " + std::to_string(c.period) +
                  " == " + std::to_string(c.residues[0]);
      else
        c.text += " and " + free.name + " % " + std::to_string(c.period) +
                  " in {" +
                  llvm::join(llvm::map_range(c.residues,
                                             [](int64_t r) {
                                               return std::to_string(r);
                                             }),
                             ", ") +
                  "}";
    }
    std::vector<int64_t> below;
    for (int64_t v = 1; v < c.min && v < start; ++v)
      if (entry.sizes[v])
        below.push_back(v);
    if (!below.empty())
      c.text += ", or " + free.name + " in {" + formatRanges(below) + "}";
    report.constraints.push_back(c);
  }
}

// "Pad '/block/Pad'", or the op type alone for an unnamed node.
static std::string describeNode(StringRef opType, StringRef node) {
  return (opType + (node.empty() ? "" : " '" + node + "'")).str();
}

static std::string describeNode(Operation *op) {
  return describeNode(getONNXOpType(op), getNodeName(op));
}

// Where the entries of `op`'s integer operands (the shapes, pads or sizes
// it takes) stop being known: back through operands whose entries are
// unknown to the first op that takes known ones, in words; empty when that
// is `op` itself.
static std::string findLostEntries(ShapeAnalysis &shapes, Operation *op) {
  auto unknown = [&](Value v) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    if (!type || !isa<IntegerType>(type.getElementType()))
      return false;
    std::optional<Dims> entries = shapes.get(v).values;
    return !entries ||
           llvm::any_of(*entries, [](Dim d) { return d.isUnknown(); });
  };
  // The first operand with unknown entries that an op computes.
  auto lost = [&](Operation *user) -> OpOperand * {
    for (OpOperand &operand : user->getOpOperands())
      if (unknown(operand.get()) && operand.get().getDefiningOp())
        return &operand;
    return nullptr;
  };
  OpOperand *first = lost(op);
  if (!first)
    return "";
  Operation *at = first->get().getDefiningOp();
  while (OpOperand *next = lost(at))
    at = next->get().getDefiningOp();
  unsigned operand = first->getOperandNumber();
  auto type = dyn_cast<RankedTensorType>(at->getResult(0).getType());
  if (isa<ShapeOp>(at))
    return "the entries of its input " + std::to_string(operand) +
           " come from " + describeNode(at) +
           ", the shape of a tensor whose sizes are unknown already (an "
           "earlier blocker's)";
  return "the entries of its input " + std::to_string(operand) +
         " are lost at " + describeNode(at) +
         (type && type.getRank() > 1
              ? ", which lays them out as a " +
                    formatDims(toDims(at->getContext(), type.getShape()), {}) +
                    " tensor (mlc follows shape entries in vectors only)"
              : ", whose entries mlc does not compute");
}

// Output dims that no expression of the free dims describes: the ops where
// they first appear.
void FlexibilityAnalysis::findUnknownDims(Phase &phase, Report &report) {
  ShapeAnalysis &shapes = *phase.shapes;
  auto hasUnknown = [&](Value v) {
    if (!isa<TensorType>(v.getType()))
      return false;
    ShapeInfo info = shapes.get(v);
    return !info.dims ||
           llvm::any_of(*info.dims, [](Dim d) { return d.isUnknown(); });
  };
  // What the outputs depend on.
  llvm::DenseSet<Operation *> needed;
  SmallVector<Value> work(func.getBody().front().getTerminator()->getOperands());
  while (!work.empty()) {
    Operation *def = work.pop_back_val().getDefiningOp();
    if (!def || !needed.insert(def).second)
      continue;
    work.append(def->operand_begin(), def->operand_end());
  }
  for (Operation &op : func.getBody().front()) {
    if (!needed.count(&op) || op.getNumResults() == 0 ||
        llvm::none_of(op.getResults(), hasUnknown) ||
        llvm::any_of(op.getOperands(), hasUnknown))
      continue;
    std::string type = getONNXOpType(&op), node = getNodeName(&op);
    std::string reason, fix;
    if (auto custom = dyn_cast<CustomOp>(&op)) {
      reason = "custom op " + custom.getOpType().str() +
               ": shape behaviour unknown";
      fix = "declare its shape rule: the node attribute mlc_shape_rule = "
            "same, fixed, scale_spatial:K or divide_spatial:K";
    } else if (auto resize = dyn_cast<ResizeOp>(&op)) {
      reason = resize.getScales() ? "computes its scales at run time, so its "
                                    "output size is not an expression of the "
                                    "input's"
                                  : "takes sizes computed in a way mlc cannot "
                                    "follow";
      fix = "resize by constant scales, or to sizes taken from a tensor's "
            "shape";
    } else if (isa<ReshapeOp>(op)) {
      reason = "targets a shape that is not an expression of the input's size";
      fix = "compute the target from the input's shape (Shape, Gather, "
            "Concat), or use Flatten";
    } else {
      reason = "gives dims that are not an expression of the input's size";
      fix = "make its size follow the input's, or keep this input size fixed";
    }
    report.blockers.push_back(
        {&op, node, type, reason, fix, findLostEntries(shapes, &op)});
  }
}

// Traces `value` back through ops that keep dims (activations, elementwise
// with a scalar) to the op that produced its dims.
static Operation *producerOfDims(Value value) {
  Operation *def = value.getDefiningOp();
  while (def && isa<UnaryOp, ClipOp, BatchNormOp, InstanceNormOp, SoftmaxOp,
                    CastOp, QuantizeLinearOp, DequantizeLinearOp>(def))
    def = def->getOperand(0).getDefiningOp();
  return def;
}

// The factors of a product evaluated at the export, the constant first:
// "512*7*7".
static std::string factorsAt(Dim dim, ArrayRef<int64_t> env) {
  int64_t coefficient = 1;
  std::vector<std::string> factors;
  std::function<void(AffineExpr)> visit = [&](AffineExpr e) {
    if (e.getKind() == AffineExprKind::Mul) {
      auto binary = cast<AffineBinaryOpExpr>(e);
      visit(binary.getLHS());
      visit(binary.getRHS());
    } else if (auto constant = dyn_cast<AffineConstantExpr>(e)) {
      coefficient *= constant.getValue();
    } else if (auto v = Dim(e).evaluate(env)) {
      factors.push_back(std::to_string(*v));
    }
  };
  if (dim.isUnknown())
    return "";
  visit(dim.getExpr());
  if (coefficient != 1 || factors.empty())
    factors.insert(factors.begin(), std::to_string(coefficient));
  return llvm::join(factors, "*");
}

void FlexibilityAnalysis::explainPins(Phase &phase, ArrayRef<Pin> pins,
                                      Report &report) {
  SmallVector<int64_t> env = exportEnv(phase);
  for (const Pin &pin : pins) {
    const Requirement &r = *pin.requirement;
    Operation *op = r.op;
    // The symbolic side and the fixed side.
    Dim symbolic = r.lhs.isSymbolic() ? r.lhs : r.rhs;
    Dim fixed = r.lhs.isSymbolic() ? r.rhs : r.lhs;
    std::string fits;
    if (pin.symbol >= 0) {
      std::string name = phase.shapes->getSymbolNames()[pin.symbol];
      fits = pin.sizes.empty()
                 ? "so no " + name + " fits"
                 : "so only " + name + " in {" + formatRanges(pin.sizes) +
                       "} fits";
    } else {
      fits = "so only sizes with " + format(phase, symbolic) + " = " +
             format(phase, fixed) + " fit";
      if (exportedAtOneSize())
        fits += ", such as the export's " + atExport();
    }
    std::string reason, fix;
    if (isa<GemmOp, MatMulOp>(op) && r.kind == Requirement::Kind::Equal) {
      Operation *source = producerOfDims(op->getOperand(0));
      reason = "needs K = " + format(phase, fixed);
      std::string factors = factorsAt(symbolic, env);
      if (!factors.empty() && factors != format(phase, fixed))
        reason += " = " + factors;
      reason += "; ";
      reason += source ? "the " + describeNode(source) + " before it makes K "
                       : "its input makes K ";
      reason += "equal " + format(phase, symbolic) + ", " + fits;
      fix = "global average pooling before Flatten (or pooling to a fixed "
            "size)";
    } else if (isa<BinaryOp, CompareOp, WhereOp, ConcatOp, PReluOp>(op) &&
               r.kind == Requirement::Kind::Equal) {
      // Which operand is of a fixed size, and where that size comes from.
      std::string origin;
      for (Value operand : op->getOperands()) {
        std::optional<Dims> dims = phase.shapes->get(operand).dims;
        if (!dims || !llvm::any_of(*dims, [&](Dim d) { return d.isSameAs(fixed); }))
          continue;
        Operation *source = producerOfDims(operand);
        if (!source)
          continue;
        origin = isa<ConstantOp>(source)
                     ? " (a constant of fixed size)"
                     : " (from the " + describeNode(source) +
                           ", whose output size does not follow the input's)";
        break;
      }
      reason = "needs its operands' dims to agree: " + format(phase, symbolic) +
               " and " + format(phase, fixed) + origin + ", " + fits;
      fix = "make both sizes follow the input: resize by scales or to the "
            "other tensor's shape";
    } else {
      reason = r.reason + ", " + fits;
      fix = "make the size it needs follow the input's";
    }
    report.blockers.push_back(
        {op, getNodeName(op), getONNXOpType(op), reason, fix});
  }
}

// How a Reshape target regroups the input's dims, at the export's sizes:
// for each target entry, the product of the input dims it takes (a run that
// merges into it, or the one dim it stays), a constant where the entries
// split a constant dim ([2, 24] of 48 channels: a channel shuffle's groups),
// or unknown where they stop lining up. Entries that split a dim of the
// input's size are marked in `splitsSize`: which of them follows the size is
// not known from one export (a window partition's 8 x 7 of 56 keeps the 7, a
// grid's 7 x 8 the 7 too). A -1 takes the elements the other entries leave;
// a 1 stands alone.
static Dims alignReshape(ArrayRef<Dim> in, ArrayRef<int64_t> target,
                         ArrayRef<int64_t> env,
                         SmallVectorImpl<bool> &splitsSize) {
  splitsSize.assign(target.size(), false);
  MLIRContext *context = nullptr;
  SmallVector<int64_t> inSizes;
  for (Dim d : in) {
    std::optional<int64_t> at = d.evaluate(env);
    if (!at || *at <= 0)
      return {};
    inSizes.push_back(*at);
    if (d.getExpr())
      context = d.getExpr().getContext();
  }
  if (!context)
    return {};
  // Products of a model's sizes may overflow: then nothing lines up.
  auto times = [](int64_t &product, int64_t factor) {
    std::optional<int64_t> result = llvm::checkedMul(product, factor);
    product = result.value_or(0);
    return result.has_value();
  };
  SmallVector<int64_t> sizes(target.begin(), target.end());
  int64_t total = 1, known = 1;
  for (int64_t size : inSizes)
    if (!times(total, size))
      return {};
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == 0 && i < inSizes.size())
      sizes[i] = inSizes[i]; // 0 copies the input's dim
    if (sizes[i] > 0 && !times(known, sizes[i]))
      return {};
  }
  if (llvm::count(sizes, -1) == 1 && total % known == 0)
    *llvm::find(sizes, -1) = total / known;
  Dims groups(sizes.size());
  size_t i = 0, j = 0;
  while (i < sizes.size()) {
    if (sizes[i] <= 0)
      return groups;
    if (sizes[i] == 1 && (j == inSizes.size() || inSizes[j] != 1)) {
      groups[i++] = Dim::get(context, 1);
      continue;
    }
    while (j < inSizes.size() && inSizes[j] == 1 && sizes[i] != 1)
      ++j;
    if (j == inSizes.size())
      return groups;
    // The shortest runs of entries [i, iEnd) and dims [j, jEnd) whose sizes
    // multiply to the same number.
    size_t iEnd = i + 1, jEnd = j + 1;
    int64_t left = sizes[i], right = inSizes[j];
    while (left != right) {
      bool grown = false;
      if (left < right && iEnd < sizes.size() && sizes[iEnd] > 0)
        grown = times(left, sizes[iEnd++]);
      else if (right < left && jEnd < inSizes.size())
        grown = times(right, inSizes[jEnd++]);
      if (!grown)
        return groups;
    }
    if (iEnd == i + 1) {
      Dim product = Dim::get(context, 1);
      for (size_t k = j; k < jEnd; ++k)
        product = product * in[k];
      groups[i] = product;
    } else if (jEnd == j + 1) {
      for (size_t k = i; k < iEnd; ++k) {
        if (in[j].getValue())
          groups[k] = Dim::get(context, sizes[k]);
        else
          splitsSize[k] = true;
      }
    }
    i = iEnd, j = jEnd;
  }
  return groups;
}

// For each entry of a shape operand, the constant it comes from and the
// entry there (null where it is computed), through concats and the ops that
// only relabel a vector; `path` receives those ops, each after the ones it
// reads.
static std::vector<std::pair<Value, size_t>>
traceEntries(Value value, SmallVectorImpl<Operation *> &path) {
  Operation *def = value.getDefiningOp();
  if (auto constant = dyn_cast_or_null<ConstantOp>(def)) {
    std::vector<std::pair<Value, size_t>> entries;
    int64_t count = constant.getValue().getNumElements();
    for (int64_t i = 0; i < count; ++i)
      entries.push_back({value, i});
    return entries;
  }
  if (auto concat = dyn_cast_or_null<ConcatOp>(def)) {
    std::vector<std::pair<Value, size_t>> entries;
    for (Value part : concat.getInputs()) {
      auto type = dyn_cast<RankedTensorType>(part.getType());
      if (!type || type.getRank() > 1 || !type.hasStaticShape())
        return {};
      std::vector<std::pair<Value, size_t>> sub = traceEntries(part, path);
      if (sub.empty())
        sub.assign(type.getNumElements(), {Value(), 0});
      entries.insert(entries.end(), sub.begin(), sub.end());
    }
    path.push_back(def);
    return entries;
  }
  if (isa_and_nonnull<UnsqueezeOp, SqueezeOp, CastOp, ReshapeOp>(def)) {
    std::vector<std::pair<Value, size_t>> entries =
        traceEntries(def->getOperand(0), path);
    path.push_back(def);
    return entries;
  }
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (type && type.getRank() <= 1 && type.hasStaticShape())
    return std::vector<std::pair<Value, size_t>>(type.getNumElements(),
                                                 {Value(), 0});
  return {};
}

// The constants in shape operands that equal an expression of the free dims
// at the export's size: an export artifact. Called for each op before its
// shapes are inferred, so an op's input dims are those of the graph with the
// baked constants before it already generalized (a channel shuffle's
// Reshape reads what the one before wrote); each such constant takes its
// expressions from then on.
void FlexibilityAnalysis::generalizeBaked(Phase &phase, Operation &op,
                                          BakedSearch &search, Report &report) {
  ShapeAnalysis &shapes = *phase.shapes;
  // Every expression of the free dims before `op`: where a constant may
  // have come from. Each with the axis it was first seen at.
  auto addToPool = [&](Value value) {
    if (std::optional<Dims> dims = shapes.get(value).dims)
      for (auto [axis, d] : llvm::enumerate(*dims))
        if (d.isSymbolic() && search.inPool.insert(d.getExpr()).second)
          search.pool.push_back({d, axis});
  };
  if (search.env.empty()) {
    search.env = exportEnv(phase);
    for (BlockArgument arg : func.getArguments())
      addToPool(arg);
  }
  if (search.previous)
    llvm::for_each(search.previous->getResults(), addToPool);
  search.previous = &op;
  ArrayRef<int64_t> env = search.env;

  auto symbolsOf = [](Dim d) {
    llvm::SmallSetVector<unsigned, 4> symbols;
    int64_t period = 1;
    collectSymbols(d, symbols, period, 1);
    return symbols;
  };
  // The simplest expression that equals `value` at the export (the
  // likeliest provenance: the image's H beats 8 times a feature map's
  // size), among `preferred` (relations to the op's own input, which win a
  // tie) and every tensor's dims; using the free dims of `like` if given.
  auto complexity = [](Dim d) {
    int64_t nodes = 0;
    d.getExpr().walk([&](AffineExpr) { ++nodes; });
    return nodes;
  };
  auto match = [&](int64_t value, size_t axis, ArrayRef<Dim> preferred,
                   std::optional<Dim> like) -> Dim {
    auto ok = [&](Dim d) {
      if (!d.isSymbolic() || d.evaluate(env) != value)
        return false;
      return !like || symbolsOf(d) == symbolsOf(*like);
    };
    Dim best;
    int64_t bestCost = 0;
    auto consider = [&](Dim d, int64_t bonus) {
      if (!ok(d))
        return;
      int64_t cost = 2 * complexity(d) - bonus;
      if (best.isUnknown() || cost < bestCost)
        best = d, bestCost = cost;
    };
    for (Dim d : preferred)
      consider(d, 1);
    // A tensor's dim at the same axis (H for H) wins a tie too.
    for (auto [d, seenAt] : search.pool)
      consider(d, seenAt == axis ? 1 : 0);
    return best;
  };

  // The shape operand, and the candidates for each of its entries.
  Value operand;
  StringRef role;
  std::optional<Dims> in;
  if (auto resize = dyn_cast<ResizeOp>(op)) {
    operand = resize.getSizes(), role = "sizes";
    in = shapes.get(resize.getInput()).dims;
  } else if (auto reshape = dyn_cast<ReshapeOp>(op)) {
    operand = reshape.getShape(), role = "shape";
    in = shapes.get(reshape.getInput()).dims;
    // Where the input's sizes are unknown (after a blocker), which of its
    // dims an entry takes is too: a window's 16 tokens would pass for H/4.
    if (!in || llvm::any_of(*in, [](Dim d) { return d.isUnknown(); }))
      return;
  } else if (auto expand = dyn_cast<ExpandOp>(op)) {
    operand = expand.getShape(), role = "shape";
    in = shapes.get(expand.getInput()).dims;
  } else if (auto fill = dyn_cast<ConstantOfShapeOp>(op)) {
    operand = fill.getShape(), role = "shape";
  } else {
    return;
  }
  if (!operand)
    return;
  // Where each entry comes from: a constant's entry, through the concats
  // of shape computations (torch writes [N, C] from Shape and [64, 64] as
  // a constant).
  SmallVector<Operation *> path;
  std::vector<std::pair<Value, size_t>> sources = traceEntries(operand, path);
  std::optional<Dims> entries = shapes.get(operand).values;
  if (!entries || sources.size() != entries->size())
    return;
  // Each entry's value at the export; `constant` where it is one still (an
  // entry generalized for an op before this one is an expression now).
  std::vector<int64_t> values;
  std::vector<bool> constant;
  for (Dim entry : *entries) {
    values.push_back(entry.evaluate(env).value_or(-1));
    constant.push_back(entry.getValue().has_value());
  }
  Dims substituted = *entries;
  std::vector<size_t> matched;
  Dims groups;
  SmallVector<bool> splitsSize;
  if (isa<ReshapeOp>(op))
    groups = alignReshape(*in, values, env, splitsSize);
  for (auto [i, value] : llvm::enumerate(values)) {
    if (value <= 1 || !constant[i] || !sources[i].first)
      continue; // 0, 1 and -1 mean "copy", "one" and "the rest"
    if (i < splitsSize.size() && splitsSize[i])
      continue;
    Dim group = i < groups.size() ? groups[i] : Dim();
    if (group.getValue())
      continue; // a regrouping of kept dims (batch, channels), not a size
    SmallVector<Dim> preferred;
    std::optional<Dim> like;
    if (in && i < in->size() && group.isUnknown()) {
      Dim same = (*in)[i];
      if (same.isConstant(value))
        continue; // the dim is kept (batch, channels), not a size
      if (same.isSymbolic()) {
        like = same;
        for (int64_t k : {1, 2, 4, 8, 16, 32}) {
          preferred.push_back(same * k);
          preferred.push_back(same.floorDiv(k));
        }
      }
    }
    Dim formula;
    if (in && isa<ReshapeOp>(op)) {
      // The run of the input's dims this entry regroups, when the target
      // lines up with the input: [1, 8, 64] of 1x8x8x8 takes 64 from
      // dims 2 and 3 (3136 = floor(H/4)*floor(W/4)).
      if (group.isSymbolic())
        formula = group;
      like.reset();
    }
    if (formula.isUnknown())
      formula = match(value, i, preferred, like);
    if (formula.isUnknown())
      continue;
    substituted[i] = formula;
    matched.push_back(i);
    // The constant's entry becomes the formula.
    auto [source, at] = sources[i];
    auto [it, inserted] = search.assumed.try_emplace(
        source, toDims(context, *getConstantInts(source)));
    it->second[at] = formula;
  }
  if (matched.empty())
    return;
  for (auto &[source, _] : sources)
    if (source)
      shapes.assumeValues(source, search.assumed.lookup(source));
  for (Operation *step : path)
    (void)shapes.infer(step);

  // Words for the op: what it targets, and what was baked.
  std::string node = getNodeName(&op), type = getONNXOpType(&op);
  std::vector<std::string> equalities;
  for (size_t i : matched)
    equalities.push_back(std::to_string(values[i]) + " = " +
                         format(phase, substituted[i]));
  std::string text;
  if (isa<ResizeOp>(op)) {
    std::vector<int64_t> spatial;
    for (size_t i = 2; i < values.size(); ++i)
      spatial.push_back(values[i]);
    text = "outputs a constant " + formatDims(spatial) + "; " +
           llvm::join(equalities, ", ") + " at " + atExport() +
           " was baked in at export";
  } else {
    text = "targets [" + formatList(values) + "]; " +
           llvm::join(equalities, ", ") + " at " + atExport() +
           " was baked in at export";
  }
  for (size_t i : matched)
    report.baked.push_back({&op, node, type, role.str(), unsigned(i), values[i],
                            format(phase, substituted[i]), text});
}

// The simplest of H*k and floor(H/k) that equals `dim` at every size that
// works, for a dim of one free dim H; else `dim` itself. A UNet's output
// 4*floor(H/4) is H where H % 4 == 0.
Dim FlexibilityAnalysis::simplify(const Phase &phase, Dim dim) const {
  llvm::SmallSetVector<unsigned, 4> symbols;
  int64_t period = 1;
  collectSymbols(dim, symbols, period, options.maxSize);
  if (symbols.size() != 1 || !phase.validSizes.count(symbols[0]))
    return dim;
  unsigned s = symbols[0];
  const std::vector<bool> &valid = phase.validSizes.at(s);
  SmallVector<int64_t> env = exportEnv(phase);
  Dim symbol(getAffineSymbolExpr(s, context));
  for (int64_t k : {1, 2, 3, 4, 8, 16, 32})
    for (Dim candidate : {symbol * k, symbol.floorDiv(k), symbol.ceilDiv(k),
                          symbol.ceilDiv(k) * k, symbol.floorDiv(k) * k}) {
      if (candidate.isSameAs(dim))
        return dim;
      bool agrees = true;
      SmallVector<int64_t> at = env;
      for (int64_t v = 1; v < int64_t(valid.size()) && agrees; ++v) {
        if (!valid[v])
          continue;
        at[s] = v;
        agrees = candidate.evaluate(at) == dim.evaluate(at);
      }
      if (agrees)
        return candidate;
    }
  return dim;
}

void FlexibilityAnalysis::describeOutputs(Phase &phase, Report &report) {
  auto returnOp = func.getBody().front().getTerminator();
  for (auto [i, value] : llvm::enumerate(returnOp->getOperands())) {
    auto name = func.getResultAttrOfType<StringAttr>(i, NNDialect::kNameAttr);
    Report::Output output;
    output.name = name ? name.str() : "output_" + std::to_string(i);
    ShapeInfo info = phase.shapes->get(value);
    if (info.dims) {
      Dims dims;
      for (Dim d : *info.dims)
        dims.push_back(simplify(phase, d));
      for (Dim d : dims)
        output.dims.push_back(format(phase, d));
      output.text = phase.shapes->format(dims);
    } else {
      output.text = "*";
    }
    report.outputs.push_back(output);
  }
}

FailureOr<Report> FlexibilityAnalysis::run() {
  if (!func.getBody().hasOneBlock())
    return func.emitOpError() << "has several blocks; a graph is one block";
  if (failed(findFreeDims()))
    return failure();
  Report report;
  report.freeDims = freeDims;

  // With the baked constants computed from the input size as they are met:
  // the network as its author wrote it, which merging exports of several
  // sizes recovers. Where nothing was baked, the network as exported.
  Phase phase;
  BakedSearch search;
  if (failed(runPhase(phase, [&](Operation &op) {
        if (exportedAtOneSize()) // a dynamic export bakes nothing in
          generalizeBaked(phase, op, search, report);
      })))
    return failure();
  std::vector<Pin> pins;
  solve(phase, report, pins);
  findUnknownDims(phase, report);
  explainPins(phase, pins, report);
  describeOutputs(phase, report);
  report.verdict = !report.blockers.empty() ? FlexibilityVerdict::Blocked
                   : report.baked.empty()   ? FlexibilityVerdict::Flexible
                                            : FlexibilityVerdict::Baked;
  return report;
}

//===----------------------------------------------------------------------===//
// Reports
//===----------------------------------------------------------------------===//

FailureOr<Report> mlc::analyzeFlexibility(func::FuncOp func,
                                          const FlexibilityOptions &options) {
  return FlexibilityAnalysis(func, options).run();
}

StringRef mlc::stringifyVerdict(FlexibilityVerdict verdict) {
  switch (verdict) {
  case FlexibilityVerdict::Flexible:
    return "flexible";
  case FlexibilityVerdict::Baked:
    return "baked";
  case FlexibilityVerdict::Blocked:
    return "blocked";
  }
  return "";
}

// "and ...: " the ops in `names` on a line, a few of them and how many more
// (--json lists them all).
static void listOthers(llvm::raw_ostream &os, StringRef lead,
                       ArrayRef<std::string> names) {
  constexpr size_t kNamesShown = 4;
  if (names.empty())
    return;
  size_t listed = names.size() <= kNamesShown + 1 ? names.size() : kNamesShown;
  os << "    " << lead << llvm::join(names.take_front(listed), ", ");
  if (listed < names.size())
    os << " and " << names.size() - listed << " more (--json lists them all)";
  os << "\n";
}

std::string mlc::formatFlexibilityReport(const Report &report) {
  std::string out;
  llvm::raw_string_ostream os(out);
  switch (report.verdict) {
  case FlexibilityVerdict::Flexible:
    os << report.model << ": flexible\n";
    break;
  case FlexibilityVerdict::Baked:
    os << report.model
       << ": not flexible as exported; flexible in structure (sizes were "
          "baked in at export)\n";
    break;
  case FlexibilityVerdict::Blocked:
    os << report.model << ": not flexible\n";
    break;
  }
  os << "  free dims:";
  for (auto [i, free] : llvm::enumerate(report.freeDims)) {
    os << (i ? "," : "") << " " << free.name << " = " << free.input << " dim "
       << free.dim;
    if (free.exportSize != ShapedType::kDynamic)
      os << " (" << free.exportSize << " in the export)";
  }
  os << "\n";
  if (!report.blockers.empty()) {
    // Blockers for one reason (Swin's dozens of ops downstream of one
    // shape computation) in one entry: the first in full, then the others
    // by name, a few of them (--json lists every one).
    os << "  blockers:\n";
    std::vector<bool> shown(report.blockers.size());
    for (auto [i, b] : llvm::enumerate(report.blockers)) {
      if (shown[i])
        continue;
      os << "    " << describeNode(b.opType, b.node)
         << (b.opType.empty() ? "" : ": ") << b.reason << ".\n";
      if (!b.cause.empty())
        os << "      cause: " << b.cause << "\n";
      os << "      fix: " << b.fix << "\n";
      std::vector<std::string> same;
      for (size_t j = i + 1; j < report.blockers.size(); ++j) {
        const auto &other = report.blockers[j];
        if (other.reason != b.reason || other.fix != b.fix)
          continue;
        shown[j] = true;
        same.push_back(describeNode(other.opType, other.node));
      }
      listOthers(os, "and for the same reason: ", same);
    }
  }
  if (!report.baked.empty()) {
    // Likewise, ops whose constants were baked alike (ViT's attention
    // Reshapes of its 197 tokens) in one entry. An op has an entry per
    // constant it holds, with one text.
    os << "  baked in at export (merging exports of several sizes generalizes "
          "these nodes):\n";
    llvm::DenseSet<Operation *> shown;
    for (auto [i, b] : llvm::enumerate(report.baked)) {
      if (!shown.insert(b.op).second)
        continue;
      os << "    " << b.opType << (b.node.empty() ? "" : " '" + b.node + "'")
         << " " << b.text << ".\n";
      std::vector<std::string> same;
      for (const auto &other : ArrayRef(report.baked).drop_front(i + 1))
        if (other.text == b.text && shown.insert(other.op).second)
          same.push_back(describeNode(other.opType, other.node));
      listOthers(os, "and the same in: ", same);
    }
  }
  StringRef qualifier =
      report.verdict == FlexibilityVerdict::Baked ? " (once generalized)" : "";
  os << "  outputs" << qualifier << ":";
  for (auto [i, output] : llvm::enumerate(report.outputs))
    os << (i ? "," : "") << " " << output.name << " " << output.text;
  os << "\n";
  // Blocked: the sizes that work are the blockers' few.
  if (report.verdict != FlexibilityVerdict::Blocked) {
    os << "  sizes that work" << qualifier << ":";
    if (report.constraints.empty())
      os << " any";
    for (auto [i, c] : llvm::enumerate(report.constraints)) {
      os << (i ? ";" : "") << " " << c.text;
    }
    for (const auto &joint : report.jointConstraints)
      os << "; " << joint;
    os << "\n";
  }
  return out;
}

llvm::json::Value mlc::toJSON(const Report &report) {
  llvm::json::Array freeDims, constraints, outputs, blockers, baked, joint;
  for (const auto &f : report.freeDims)
    freeDims.push_back(llvm::json::Object{
        {"name", f.name},
        {"input", f.input},
        {"dim", int64_t(f.dim)},
        {"export_size", f.exportSize == ShapedType::kDynamic
                            ? llvm::json::Value(nullptr)
                            : llvm::json::Value(f.exportSize)}});
  for (const auto &c : report.constraints)
    constraints.push_back(llvm::json::Object{
        {"dim", c.dim},
        {"min", c.min},
        {"multiple_of", c.residues.size() == 1 && c.residues[0] == 0
                            ? llvm::json::Value(c.period)
                            : llvm::json::Value(nullptr)},
        {"period", c.period},
        {"residues", llvm::json::Array(c.residues)},
        {"text", c.text},
        {"nodes", llvm::json::Array(c.nodes)}});
  for (const auto &o : report.outputs)
    outputs.push_back(llvm::json::Object{
        {"name", o.name}, {"dims", llvm::json::Array(o.dims)}, {"text", o.text}});
  for (const auto &b : report.blockers) {
    llvm::json::Object blocker{{"node", b.node},
                               {"op", b.opType},
                               {"reason", b.reason},
                               {"fix", b.fix}};
    if (!b.cause.empty())
      blocker["cause"] = b.cause;
    blockers.push_back(std::move(blocker));
  }
  for (const auto &b : report.baked)
    baked.push_back(llvm::json::Object{{"node", b.node},
                                       {"op", b.opType},
                                       {"operand", b.operand},
                                       {"index", int64_t(b.index)},
                                       {"value", b.value},
                                       {"formula", b.formula},
                                       {"text", b.text}});
  for (const auto &j : report.jointConstraints)
    joint.push_back(j);
  return llvm::json::Object{
      {"model", report.model},
      {"verdict", stringifyVerdict(report.verdict)},
      {"flexible", report.verdict == FlexibilityVerdict::Flexible},
      {"free_dims", std::move(freeDims)},
      {"constraints", std::move(constraints)},
      {"joint_constraints", std::move(joint)},
      {"outputs", std::move(outputs)},
      {"blockers", std::move(blockers)},
      {"baked", std::move(baked)}};
}
