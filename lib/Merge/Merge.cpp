//===- Merge.cpp - Per-size exports into one flexible model ---------------===//

#include "mlc/Merge/Merge.h"
#include "mlc/Analysis/Flexibility.h"
#include "mlc/Dialect/NN/ShapeInference.h"
#include "mlc/Dialect/NN/ShapeUtils.h"
#include "mlc/ONNX/OpTypes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"

#include <cstring>

using namespace mlir;
using namespace mlc;
using namespace mlc::nn;
using mlc::onnx_types::getNodeName;
using mlc::onnx_types::getONNXOpType;

namespace {

// The bytes of the weights `module` stores: each blob once, however many
// constants use it.
uint64_t getStoredWeightBytes(ModuleOp module) {
  uint64_t bytes = 0;
  llvm::DenseSet<const char *> seen;
  module.walk([&](ConstantOp op) {
    ArrayRef<char> data = getRawData(op.getValue());
    if (seen.insert(data.data()).second)
      bytes += data.size();
  });
  return bytes;
}

// An op named for people: "Conv '/layer1/conv'".
std::string describe(Operation *op) {
  std::string node = getNodeName(op);
  return getONNXOpType(op) + (node.empty() ? "" : " '" + node + "'");
}

// Exports of one network part ways inside one module (torch's node names
// are module paths) when its code branches on the input's size, as Swin's
// window shift does: saying so points the user at sizes that can merge.
std::string sizeBranchHint(Operation *a, Operation *b) {
  std::string x = getNodeName(a), y = getNodeName(b);
  size_t cut = x.rfind('/');
  if (cut == std::string::npos || cut == 0 ||
      x.compare(0, cut + 1, y, 0, cut + 1) != 0)
    return "";
  return " (both in '" + x.substr(0, cut) +
         "': if these are exports of one network, its code takes another path "
         "there at one of the sizes; merge sizes that take the same one)";
}

std::string inputName(func::FuncOp func, unsigned index) {
  auto name = func.getArgAttrOfType<StringAttr>(index, NNDialect::kNameAttr);
  return name ? name.str() : "input_" + std::to_string(index);
}

std::string joinInts(ArrayRef<int64_t> values, StringRef separator = ", ") {
  return llvm::join(llvm::map_range(values,
                                    [](int64_t v) { return std::to_string(v); }),
                    separator);
}

// "kernel_shape [8, 8] vs [12, 12], strides [8, 8] vs [12, 12]": the
// attributes two ops set differently.
std::string describeAttributeDifference(Operation *a, Operation *b) {
  auto dictionary = [](Operation *op) {
    SmallVector<NamedAttribute> all;
    if (auto properties =
            dyn_cast_or_null<DictionaryAttr>(op->getPropertiesAsAttribute()))
      all.append(properties.begin(), properties.end());
    all.append(op->getDiscardableAttrs().begin(),
               op->getDiscardableAttrs().end());
    return DictionaryAttr::get(op->getContext(), all);
  };
  DictionaryAttr x = dictionary(a), y = dictionary(b);
  auto text = [](Attribute attr) {
    if (!attr)
      return std::string("unset");
    std::string s;
    llvm::raw_string_ostream os(s);
    if (auto array = dyn_cast<DenseI64ArrayAttr>(attr))
      os << "[" << joinInts(array.asArrayRef()) << "]";
    else
      attr.print(os);
    return s;
  };
  std::vector<std::string> parts;
  llvm::StringSet<> names;
  for (NamedAttribute n : x)
    names.insert(n.getName());
  for (NamedAttribute n : y)
    names.insert(n.getName());
  SmallVector<StringRef> sorted;
  for (const auto &n : names)
    sorted.push_back(n.getKey());
  llvm::sort(sorted);
  for (StringRef name : sorted)
    if (x.get(name) != y.get(name))
      parts.push_back(name.str() + " " + text(x.get(name)) + " vs " +
                      text(y.get(name)));
  return "their attributes differ: " + llvm::join(parts, ", ");
}

// Whether two constants hold the same values (resource blobs by bytes).
bool sameValue(ElementsAttr a, ElementsAttr b) {
  if (a == b)
    return true;
  if (a.getType() != b.getType())
    return false;
  ArrayRef<char> x = getRawData(a), y = getRawData(b);
  if (!x.empty() || !y.empty())
    return x.size() == y.size() &&
           std::memcmp(x.data(), y.data(), x.size()) == 0;
  return false;
}

// A constant that differs between the exports, with its entries in each.
struct Difference {
  ConstantOp op; // in the first export
  std::vector<SmallVector<int64_t>> values; // per export
};

// Builds int64 vector arithmetic of one entry: the shape computations that
// replace differing constants.
struct ShapeMath {
  OpBuilder &builder;
  Location loc;
  RankedTensorType vector() const {
    return RankedTensorType::get({1}, builder.getI64Type());
  }
  Value constant(int64_t v) const {
    return builder.create<ConstantOp>(loc, vector(),
                                      DenseIntElementsAttr::get(vector(), v));
  }
  Value binary(BinaryKind kind, Value a, Value b) const {
    return builder.create<BinaryOp>(loc, vector(), kind, a, b);
  }
};

// Where a candidate formula comes from.
struct Source {
  Dim dim;
  Value value;            // a tensor whose dims give it, or null (a fit)
  int64_t first = 0, last = 0; // the run of dims [first, last] multiplied
  std::string text;
  // The run's product times `multiplier`, divided by `divisor` (rounding
  // down): a Resize to twice its input's size.
  int64_t multiplier = 1, divisor = 1;
};

class Merger {
public:
  Merger(ArrayRef<ModuleOp> exports, ArrayRef<std::string> names,
         const MergeOptions &options, MergeReport &report)
      : exports(exports.begin(), exports.end()), names(names),
        options(options), report(report),
        context(exports.front()->getContext()) {}

  MergeStatus run();

private:
  MergeStatus refuse(Location loc, const Twine &message) {
    emitError(loc) << message;
    return MergeStatus::Refused;
  }
  MergeStatus checkSignatures();
  MergeStatus matchGraphs();
  MergeStatus chooseShapes();
  MergeStatus generalize();
  MergeStatus findBakedInOne();
  MergeStatus retype();
  MergeStatus validate();
  MergeStatus freeBatch();
  void declareInput();
  void nameOutputDims(ShapeAnalysis &shapes);

  std::vector<Source> candidates(Difference &difference, size_t entry,
                                 Operation *user, ShapeAnalysis &shapes);
  std::optional<Source> fit(ArrayRef<int64_t> values, int64_t axis);
  Value emit(OpBuilder &builder, Location loc, const Source &source,
             Type elementType);
  Value emitExpr(OpBuilder &builder, Location loc, AffineExpr expr);
  Value emitDims(OpBuilder &builder, Location loc, Value value, int64_t first,
                 int64_t last);
  Value emitTable(OpBuilder &builder, Location loc, ArrayRef<int64_t> values);
  std::string formatDim(Dim dim) const { return nn::formatDim(dim, symbolNames); }
  SmallVector<int64_t> envOf(size_t exportIndex);

  SmallVector<ModuleOp> exports;
  ArrayRef<std::string> names;
  const MergeOptions &options;
  MergeReport &report;
  MLIRContext *context;
  SmallVector<func::FuncOp> funcs;

  // The input whose sizes vary and its free dims (symbol i is freeDims[i]).
  unsigned inputIndex = 0;
  SmallVector<int64_t> freeDims;
  SmallVector<std::string> symbolNames;
  // The name of the exports' dynamic batch dim (merged at 1 until
  // freeBatch); empty when they have none.
  std::string batchParam;
  std::vector<Difference> differences;
  // Each export's input shape (the first export's type changes on merging).
  SmallVector<SmallVector<int64_t>> exportedShapes;
  // With one export: check-flexible's report on it, the proof of the sizes
  // beyond it (what it baked in refuses them: one export does not say how to
  // compute a baked size at another).
  std::optional<FlexibilityReport> oneExport;
  // Op i of the first export is op i of every export.
  SmallVector<SmallVector<Operation *>> ops; // per export
};

} // namespace

SmallVector<int64_t> Merger::envOf(size_t e) {
  SmallVector<int64_t> env;
  for (int64_t d : freeDims)
    env.push_back(exportedShapes[e][d]);
  return env;
}

MergeStatus Merger::checkSignatures() {
  for (ModuleOp module : exports) {
    auto func = module.lookupSymbol<func::FuncOp>("main");
    if (!func || func.isExternal() || !func.getBody().hasOneBlock()) {
      emitError(module.getLoc()) << "has no graph (@main) to merge";
      return MergeStatus::Error;
    }
    funcs.push_back(func);
  }
  func::FuncOp first = funcs.front();
  for (size_t e = 1; e < funcs.size(); ++e) {
    func::FuncOp func = funcs[e];
    if (func.getNumArguments() != first.getNumArguments())
      return refuse(func.getLoc(),
                    "has " + Twine(func.getNumArguments()) + " inputs but '" +
                        names[0] + "' has " + Twine(first.getNumArguments()) +
                        ": not one network");
    if (func.getNumResults() != first.getNumResults())
      return refuse(func.getLoc(),
                    "has " + Twine(func.getNumResults()) + " outputs but '" +
                        names[0] + "' has " + Twine(first.getNumResults()) +
                        ": not one network");
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      auto a = dyn_cast<RankedTensorType>(first.getArgument(i).getType());
      auto b = dyn_cast<RankedTensorType>(func.getArgument(i).getType());
      if (inputName(first, i) != inputName(func, i))
        return refuse(func.getLoc(),
                      "names its input " + Twine(i) + " '" +
                          inputName(func, i) + "' but '" + names[0] +
                          "' names it '" + inputName(first, i) +
                          "': not one network");
      if (!a || !b || a.getRank() != b.getRank() ||
          a.getElementType() != b.getElementType())
        return refuse(func.getLoc(),
                      "input '" + inputName(func, i) + "' is " +
                          llvm::formatv("{0}", func.getArgument(i).getType()) +
                          " but '" + names[0] + "' has " +
                          llvm::formatv("{0}", first.getArgument(i).getType()));
    }
  }
  return MergeStatus::Merged;
}

MergeStatus Merger::matchGraphs() {
  // The ops that compute, in order; constants are compared where they are
  // used, so that their order (first use) does not matter.
  for (func::FuncOp func : funcs) {
    SmallVector<Operation *> list;
    for (Operation &op : func.getBody().front().without_terminator())
      if (!isa<ConstantOp>(op))
        list.push_back(&op);
    ops.push_back(list);
  }
  // Where the exports part ways: the first pair of ops that differ.
  auto differ = [&](size_t e, Operation *a, Operation *b,
                    const std::string &what) {
    return refuse(b->getLoc(),
                  "is not the same network as '" + names[0] + "': " +
                      describe(a) + " and " + describe(b) + " differ: " + what);
  };
  for (size_t e = 1; e < funcs.size(); ++e) {
    DenseMap<Value, Value> toFirst;
    for (auto [a, b] :
         llvm::zip(funcs[0].getArguments(), funcs[e].getArguments()))
      toFirst[b] = a;
    size_t count = std::min(ops[0].size(), ops[e].size());
    for (size_t i = 0; i < count; ++i) {
      Operation *a = ops[0][i], *b = ops[e][i];
      if (a->getName() != b->getName() ||
          getONNXOpType(a) != getONNXOpType(b))
        return differ(e, a, b,
                      "a " + getONNXOpType(a) + " faces a " + getONNXOpType(b) +
                          " at the same place" + sizeBranchHint(a, b));
      if (a->getNumOperands() != b->getNumOperands() ||
          a->getNumResults() != b->getNumResults())
        return differ(e, a, b,
                      "they take or give different numbers of tensors");
      // Attributes are the same in per-size exports of one network, even
      // the ones a size could change (an adaptive pooling's kernel).
      if (a->getPropertiesAsAttribute() != b->getPropertiesAsAttribute() ||
          a->getDiscardableAttrDictionary() != b->getDiscardableAttrDictionary())
        return differ(e, a, b,
                      describeAttributeDifference(a, b) +
                          " (a size-derived attribute, such as an adaptive "
                          "pooling's kernel, cannot be computed from the "
                          "input: export that op in a size-independent form)");
      for (auto [j, x, y] :
           llvm::enumerate(a->getOperands(), b->getOperands())) {
        auto constantX = x.getDefiningOp<ConstantOp>();
        auto constantY = y.getDefiningOp<ConstantOp>();
        if (!constantY) {
          if (toFirst.lookup(y) != x)
            return differ(e, a, b,
                          "input " + std::to_string(j) +
                              " comes from a different place");
          continue;
        }
        if (!constantX)
          return differ(e, a, b,
                        "input " + std::to_string(j) +
                            " is a constant in one and computed in the other");
        if (Value seen = toFirst.lookup(y)) {
          if (seen != x)
            return differ(e, a, b, "input " + std::to_string(j) +
                                       " is another constant");
          continue;
        }
        toFirst[y] = x;
        ElementsAttr vx = constantX.getValue(), vy = constantY.getValue();
        if (sameValue(vx, vy))
          continue;
        // A small integer vector may be derived from the input size; any
        // other difference is in the weights.
        auto xs = getConstantInts(vx), ys = getConstantInts(vy);
        if (!xs || !ys || vx.getType() != vy.getType() ||
            vx.getShapedType().getRank() > 1 ||
            vx.getNumElements() > kMaxFoldedElements) {
          std::string name = getNodeName(constantY);
          return differ(e, a, b,
                        "input " + std::to_string(j) +
                            (name.empty() ? "" : " ('" + name + "')") +
                            " holds different weights (not byte-identical)");
        }
        auto it = llvm::find_if(differences, [&](const Difference &d) {
          return d.op == constantX;
        });
        if (it == differences.end()) {
          differences.push_back({constantX, {}});
          it = std::prev(differences.end());
          it->values.resize(funcs.size());
          it->values[0] = *xs;
        }
        it->values[e] = *ys;
      }
      for (auto [x, y] : llvm::zip(a->getResults(), b->getResults()))
        toFirst[y] = x;
    }
    if (ops[0].size() != ops[e].size()) {
      Operation *extra = count < ops[0].size() ? ops[0][count] : ops[e][count];
      return refuse(funcs[e].getLoc(),
                    "is not the same network as '" + names[0] + "': one has " +
                        std::to_string(ops[0].size()) + " ops, the other " +
                        std::to_string(ops[e].size()) + "; the first extra is " +
                        describe(extra));
    }
    // The outputs are the same tensors.
    for (auto [k, x, y] : llvm::enumerate(
             funcs[0].getBody().front().getTerminator()->getOperands(),
             funcs[e].getBody().front().getTerminator()->getOperands()))
      if (toFirst.lookup(y) != x)
        return refuse(funcs[e].getLoc(),
                      "is not the same network as '" + names[0] +
                          "': output " + std::to_string(k) +
                          " comes from a different place");
  }
  // Entries equal in every export stay constants.
  for (Difference &d : differences)
    for (size_t e = 1; e < funcs.size(); ++e)
      if (d.values[e].empty())
        d.values[e] = d.values[0];
  return MergeStatus::Merged;
}

MergeStatus Merger::chooseShapes() {
  func::FuncOp first = funcs.front();
  // The input: named, else the first whose dims differ between exports.
  std::optional<unsigned> chosen;
  for (unsigned i = 0; i < first.getNumArguments(); ++i) {
    if (!options.input.empty()) {
      if (inputName(first, i) == options.input)
        chosen = i;
      continue;
    }
    for (func::FuncOp func : funcs)
      if (func.getArgument(i).getType() != first.getArgument(i).getType() &&
          !chosen)
        chosen = i;
  }
  if (!options.input.empty() && !chosen) {
    emitError(first.getLoc()) << "has no input '" << options.input << "'";
    return MergeStatus::Error;
  }
  if (!chosen) {
    if (!options.spec) {
      emitError(first.getLoc())
          << "the exports all take the same input shapes: there is nothing "
             "to merge (give exports of other sizes, or --shapes)";
      return MergeStatus::Error;
    }
    chosen = 0;
  }
  inputIndex = *chosen;
  report.input = inputName(first, inputIndex);
  // A batch dim the exports left dynamic (torch's dynamic_axes {0: 'batch'})
  // is merged at 1, as a fixed-size export has it: the .mlc still runs
  // batches of any size (its lowering frees dim 0 again). Other dynamic dims
  // are flexible already: there is nothing to merge there, but one export's
  // may be given sizes (--shapes names them): it is merged at the set's
  // first shape (a range's smallest), as an export of that size would be,
  // and the model takes the set, its plans made ahead.
  // The exports are one network: the first's spatial dims are every one's.
  SmallVector<int64_t> spatial = getSpatialDims(first.getArgument(inputIndex));
  SmallVector<int64_t> sizedDims;
  if (funcs.size() == 1 && options.spec) {
    std::string error;
    sizedDims = options.spec->namedDims(
        cast<RankedTensorType>(first.getArgument(inputIndex).getType())
            .getRank(),
        spatial, error);
  }
  bool sizedByShapes = false;
  for (func::FuncOp func : funcs) {
    BlockArgument arg = func.getArgument(inputIndex);
    auto argType = cast<RankedTensorType>(arg.getType());
    SmallVector<int64_t> shape(argType.getShape());
    SmallVector<int64_t> sized;
    auto params =
        func.getArgAttrOfType<ArrayAttr>(inputIndex, NNDialect::kDimParamsAttr);
    auto paramOf = [&](int64_t d) {
      return params && d < int64_t(params.size())
                 ? cast<StringAttr>(params[d]).getValue()
                 : StringRef();
    };
    auto dimName = [&](int64_t d) {
      return paramOf(d).empty()
                 ? "dim " + std::to_string(d)
                 : "dim " + std::to_string(d) + " ('" + paramOf(d).str() + "')";
    };
    for (int64_t d = 0; d < argType.getRank(); ++d) {
      if (shape[d] != ShapedType::kDynamic)
        continue;
      bool batch = d == 0 && argType.getRank() >= 3;
      if (!batch && llvm::is_contained(sizedDims, d)) {
        sized.push_back(d);
        continue;
      }
      if (!batch && !sizedDims.empty() && llvm::is_contained(spatial, d)) {
        // One export whose --shapes size some of its dynamic sizes only.
        std::string sizes;
        for (int64_t s : spatial)
          sizes += (sizes.empty() ? "" : " x ") + nameInputDim(s, spatial);
        emitError(func.getLoc())
            << "input '" << report.input << "' has dynamic " << dimName(d)
            << ", which --shapes does not size: give each size as " << sizes;
        return MergeStatus::Error;
      }
      if (!batch) {
        emitError(func.getLoc())
            << "input '" << report.input << "' already has dynamic "
            << dimName(d)
            << ": it takes other sizes there as it is (mlc check-flexible "
               "tells which); merge exports of fixed sizes, or this export "
               "alone with --shapes for its sizes";
        return MergeStatus::Error;
      }
      if (report.batchDim.empty()) {
        report.batchDim = dimName(d);
        batchParam = paramOf(d).empty() ? "batch" : paramOf(d).str();
      }
      shape[d] = 1;
    }
    if (!sized.empty()) {
      sizedByShapes = true;
      SmallVector<int64_t> placeholder(shape);
      for (int64_t d : sized)
        placeholder[d] = 1;
      std::string error;
      ShapeSetAttr set =
          options.spec->resolve(context, placeholder, spatial, error);
      if (!set) {
        emitError(first.getLoc()) << "--shapes: " << error;
        return MergeStatus::Error;
      }
      for (int64_t d : sized)
        shape[d] = set.getDefaultShape()[d];
    }
    arg.setType(RankedTensorType::get(shape, argType.getElementType()));
    func.setFunctionType(FunctionType::get(
        context, func.getBody().getArgumentTypes(), func.getResultTypes()));
  }
  auto type = cast<RankedTensorType>(first.getArgument(inputIndex).getType());

  // The shape set: --shapes, or the exports' sizes in order.
  SmallVector<SmallVector<int64_t>> &exported = exportedShapes;
  for (func::FuncOp func : funcs) {
    SmallVector<int64_t> shape(
        cast<RankedTensorType>(func.getArgument(inputIndex).getType()).getShape());
    if (llvm::is_contained(exported, shape)) {
      emitError(func.getLoc()) << "has the same input shape as another "
                                  "export: give each size once";
      return MergeStatus::Error;
    }
    exported.push_back(shape);
  }
  if (options.spec) {
    std::string error;
    report.shapes =
        options.spec->resolve(context, type.getShape(), spatial, error);
    if (!report.shapes) {
      emitError(first.getLoc()) << "--shapes: " << error;
      return MergeStatus::Error;
    }
  } else {
    report.shapes = ShapeSetAttr::get(context, exported);
  }
  // The free dims: those that vary in the exports or in the shape set.
  SmallVector<int64_t> typeShape = report.shapes.getTypeShape();
  auto params = first.getArgAttrOfType<ArrayAttr>(inputIndex,
                                                  NNDialect::kDimParamsAttr);
  for (int64_t d = 0; d < type.getRank(); ++d) {
    bool varies = typeShape[d] == ShapedType::kDynamic ||
                  llvm::any_of(exported, [&](ArrayRef<int64_t> s) {
                    return s[d] != exported[0][d];
                  });
    if (!varies)
      continue;
    freeDims.push_back(d);
    std::string name;
    if (params && d < int64_t(params.size()))
      name = cast<StringAttr>(params[d]).str();
    if (name.empty())
      name = nameInputDim(d, spatial);
    symbolNames.push_back(name);
  }
  report.freeDims.assign(symbolNames.begin(), symbolNames.end());
  // The exports' own sizes must be in the set (they are what is merged).
  for (auto [e, shape] : llvm::enumerate(exported))
    if (!report.shapes.contains(shape)) {
      emitError(funcs[e].getLoc())
          << "takes " << joinInts(shape, "x")
          << ", which --shapes leaves out: every export's size must be in "
             "the set";
      return MergeStatus::Error;
    }
  // A range is planned ahead at its exports' sizes, the sizes the network is
  // known to run at: a session makes them ready, and other sizes take their
  // choices. (One export given its sizes has none of its own.)
  if (report.shapes.getRange() && !sizedByShapes)
    report.shapes = ShapeSetAttr::get(context, report.shapes.getMins(),
                                      report.shapes.getMaxs(),
                                      report.shapes.getSteps(), exported);
  for (auto [e, shape] : llvm::enumerate(exported))
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (!llvm::is_contained(freeDims, d) && shape[d] != exported[0][d]) {
        emitError(funcs[e].getLoc()) << "differs in dim " << d;
        return MergeStatus::Error;
      }
  return MergeStatus::Merged;
}

std::optional<Source> Merger::fit(ArrayRef<int64_t> values, int64_t axis) {
  // Formulas in one free dim S, or a product of two, that give `values` in
  // every export: a*S + b, floor(S/k) + b, ceil(S/k) + b, a*S1*S2, and
  // a*f(S1)*f(S2) for f = floor or ceil of S/k. The first export that
  // differs in S fixes a and b; the others confirm.
  SmallVector<SmallVector<int64_t>> envs;
  for (size_t e = 0; e < funcs.size(); ++e)
    envs.push_back(envOf(e));
  auto fits = [&](Dim dim) {
    for (size_t e = 0; e < funcs.size(); ++e)
      if (dim.evaluate(envs[e]) != values[e])
        return false;
    return true;
  };
  std::vector<Dim> found;
  for (size_t s = 0; s < freeDims.size(); ++s) {
    Dim symbol(getAffineSymbolExpr(s, context));
    std::vector<Dim> shapes = {symbol};
    for (int64_t k : {2, 4, 8, 16, 32, 64}) {
      shapes.push_back(symbol.floorDiv(k));
      shapes.push_back(symbol.ceilDiv(k));
    }
    for (Dim shape : shapes) {
      // a*shape + b through the first two exports where shape differs.
      std::optional<std::pair<int64_t, int64_t>> points[2];
      size_t seen = 0;
      for (size_t e = 0; e < funcs.size() && seen < 2; ++e) {
        int64_t x = *shape.evaluate(envs[e]);
        if (seen == 1 && points[0]->first == x)
          continue;
        points[seen++] = {x, values[e]};
      }
      if (seen < 2)
        continue;
      int64_t dx = points[1]->first - points[0]->first,
              dy = points[1]->second - points[0]->second;
      if (dy % dx != 0)
        continue;
      int64_t a = dy / dx, b = points[0]->second - a * points[0]->first;
      if (a == 0)
        continue;
      Dim formula = shape * a + b;
      if (fits(formula))
        found.push_back(formula);
    }
  }
  if (freeDims.size() >= 2)
    for (int64_t k : {1, 2, 4, 8, 16, 32, 64})
      for (bool ceil : {false, true}) {
        Dim x(getAffineSymbolExpr(0, context)), y(getAffineSymbolExpr(1, context));
        Dim fx = ceil ? x.ceilDiv(k) : x.floorDiv(k);
        Dim fy = ceil ? y.ceilDiv(k) : y.floorDiv(k);
        std::optional<int64_t> base = (fx * fy).evaluate(envs[0]);
        if (!base || *base == 0 || values[0] % *base != 0)
          continue;
        Dim formula = fx * fy * (values[0] / *base);
        if (fits(formula))
          found.push_back(formula);
      }
  if (found.empty())
    return std::nullopt;
  // The simplest formula that fits, in the free dim of the entry's axis
  // when that one fits (H and W agree in square exports).
  auto cost = [&](Dim d) {
    int64_t n = 0;
    bool sameAxis = false;
    d.getExpr().walk([&](AffineExpr e) {
      ++n;
      if (auto symbol = dyn_cast<AffineSymbolExpr>(e))
        sameAxis |= freeDims[symbol.getPosition()] == axis;
    });
    return 2 * n - (sameAxis ? 1 : 0);
  };
  Dim best = *llvm::min_element(found, [&](Dim a, Dim b) { return cost(a) < cost(b); });
  Source source;
  source.dim = best;
  source.text = "a formula fit over " + std::to_string(funcs.size()) +
                " exports" +
                (funcs.size() < 3 ? " (a third export would confirm it)" : "");
  return source;
}

// The tensors' dims that equal the entry in every export: where it came from
// (provenance), exact at every size. The user's own input first.
std::vector<Source> Merger::candidates(Difference &difference, size_t entry,
                                       Operation *user, ShapeAnalysis &shapes) {
  SmallVector<int64_t> values;
  for (size_t e = 0; e < funcs.size(); ++e)
    values.push_back(difference.values[e][entry]);
  SmallVector<SmallVector<int64_t>> envs;
  for (size_t e = 0; e < funcs.size(); ++e)
    envs.push_back(envOf(e));
  auto fits = [&](Dim dim) {
    if (!dim.isSymbolic())
      return false;
    for (size_t e = 0; e < funcs.size(); ++e)
      if (dim.evaluate(envs[e]) != values[e])
        return false;
    return true;
  };
  std::vector<Source> found;
  auto consider = [&](Value value, int64_t first, int64_t last) {
    std::optional<Dims> dims = shapes.get(value).dims;
    if (!dims || last >= int64_t(dims->size()))
      return;
    Dim dim = product(context, ArrayRef<Dim>(*dims).slice(first, last - first + 1));
    if (!fits(dim))
      return;
    std::string what = first == last ? "dim " + std::to_string(first)
                                     : "dims " + std::to_string(first) + "-" +
                                           std::to_string(last);
    std::string of;
    if (auto arg = dyn_cast<BlockArgument>(value))
      of = "'" + inputName(funcs[0], arg.getArgNumber()) + "'";
    else
      of = "the output of " + describe(value.getDefiningOp());
    found.push_back({dim, value, first, last, what + " of " + of});
  };
  // The axis the entry sizes: its place in the vector the user builds (a
  // Concat of [N, C] from Shape and this constant's [h, w] gives sizes whose
  // entry 2 is H), so that H and W are told apart even when the exports are
  // square.
  int64_t axis = entry;
  if (auto concat = dyn_cast<ConcatOp>(user))
    for (Value part : concat.getInputs()) {
      if (part == difference.op.getResult())
        break;
      if (auto type = dyn_cast<RankedTensorType>(part.getType());
          type && type.getRank() == 1 && type.hasStaticShape())
        axis += type.getDimSize(0);
    }
  // The op that takes the entry: the user, or, through the Concat that
  // builds a shape, the Resize or Reshape that takes that.
  Operation *consumer = user;
  if (auto concat = dyn_cast<ConcatOp>(user))
    consumer = concat->hasOneUse() ? *concat->getUsers().begin() : nullptr;
  Value input;
  if (consumer && consumer->getNumOperands() &&
      consumer->getOperand(0) != difference.op.getResult() &&
      !(isa<ConcatOp>(user) && consumer->getOperand(0) == user->getResult(0)))
    input = consumer->getOperand(0);
  if (isa<ConcatOp>(user) && consumer && !isa<ResizeOp, ReshapeOp, ExpandOp>(consumer))
    input = Value();
  std::optional<Dims> inputDims =
      input ? shapes.get(input).dims : std::optional<Dims>();
  // The input's dim at that axis: a Reshape or Expand to another rank
  // lines its shape up with its input from the last dim, as broadcasting
  // does (a channel shuffle's [N, g, C/g, H, W] of [N, C, H, W] has H at
  // entry 3 and dim 2).
  int64_t inputAxis = axis;
  if (inputDims && consumer && isa<ReshapeOp, ExpandOp>(consumer))
    if (auto shapeType =
            dyn_cast<RankedTensorType>(consumer->getOperand(1).getType());
        shapeType && shapeType.hasStaticShape() && shapeType.getRank() == 1 &&
        axis >= shapeType.getDimSize(0) - int64_t(inputDims->size()))
      inputAxis -= shapeType.getDimSize(0) - int64_t(inputDims->size());
  auto describeValue = [&](Value value) {
    if (auto arg = dyn_cast<BlockArgument>(value))
      return "'" + inputName(funcs[0], arg.getArgNumber()) + "'";
    return "the output of " + describe(value.getDefiningOp());
  };
  // In order of likelihood: the input's own size at that axis; a graph
  // input's (an FCN resizes back to the image); the input's scaled (a
  // UNet upsamples by 2); runs of the input's dims (a Reshape flattens);
  // then the other tensors, nearest first, the same axis first.
  if (inputDims && inputAxis < int64_t(inputDims->size()))
    consider(input, inputAxis, inputAxis);
  for (BlockArgument arg : funcs[0].getArguments())
    if (std::optional<Dims> dims = shapes.get(arg).dims;
        dims && axis < int64_t(dims->size()) && arg != input)
      consider(arg, axis, axis);
  if (inputDims && inputAxis < int64_t(inputDims->size())) {
    Dim same = (*inputDims)[inputAxis];
    std::string where =
        "dim " + std::to_string(inputAxis) + " of " + describeValue(input);
    for (int64_t k : {2, 4, 8, 16, 32}) {
      if (fits(same * k))
        found.push_back({same * k, input, inputAxis, inputAxis,
                         std::to_string(k) + " x " + where, k, 1});
      if (fits(same.floorDiv(k)))
        found.push_back({same.floorDiv(k), input, inputAxis, inputAxis,
                         where + " / " + std::to_string(k), 1, k});
    }
  }
  if (inputDims) {
    int64_t rank = inputDims->size();
    for (int64_t length = 1; length <= rank; ++length)
      for (int64_t first = 0; first + length <= rank; ++first)
        if (!(length == 1 && first == inputAxis))
          consider(input, first, first + length - 1);
  }
  SmallVector<Value> computed;
  for (Operation *op : ops[0]) {
    if (op == user)
      break;
    for (Value result : op->getResults())
      computed.push_back(result);
  }
  for (bool sameAxis : {true, false})
    for (Value value : llvm::reverse(computed)) {
      if (value == input)
        continue;
      if (std::optional<Dims> dims = shapes.get(value).dims)
        for (int64_t d = 0; d < int64_t(dims->size()); ++d)
          if ((d == axis) == sameAxis)
            consider(value, d, d);
    }
  return found;
}

Value Merger::emitExpr(OpBuilder &builder, Location loc, AffineExpr expr) {
  ShapeMath math{builder, loc};
  auto binary = [&](BinaryKind kind, Value a, Value b) {
    return math.binary(kind, a, b);
  };
  switch (expr.getKind()) {
  case AffineExprKind::Constant:
    return math.constant(cast<AffineConstantExpr>(expr).getValue());
  case AffineExprKind::SymbolId: {
    int64_t d = freeDims[cast<AffineSymbolExpr>(expr).getPosition()];
    return emitDims(builder, loc, funcs[0].getArgument(inputIndex), d, d);
  }
  default:
    break;
  }
  auto node = cast<AffineBinaryOpExpr>(expr);
  Value lhs = emitExpr(builder, loc, node.getLHS());
  Value rhs = emitExpr(builder, loc, node.getRHS());
  switch (expr.getKind()) {
  case AffineExprKind::Add:
    return binary(BinaryKind::add, lhs, rhs);
  case AffineExprKind::Mul:
    return binary(BinaryKind::mul, lhs, rhs);
  case AffineExprKind::FloorDiv:
    // Sizes are positive: integer division rounds down.
    return binary(BinaryKind::div, lhs, rhs);
  case AffineExprKind::CeilDiv: {
    // ceil(a/b) = (a + b - 1)/b.
    Value bias = binary(BinaryKind::sub, rhs, math.constant(1));
    return binary(BinaryKind::div, binary(BinaryKind::add, lhs, bias), rhs);
  }
  case AffineExprKind::Mod:
    return binary(BinaryKind::sub, lhs,
                  binary(BinaryKind::mul, binary(BinaryKind::div, lhs, rhs), rhs));
  default:
    llvm_unreachable("not an expression of sizes");
  }
}

// Dims [first, last] of `value` as an int64 vector: Shape, then Gather of
// their indices (what every ONNX opset can say; Shape's start and end need
// opset 15).
Value Merger::emitDims(OpBuilder &builder, Location loc, Value value,
                       int64_t first, int64_t last) {
  auto i64 = builder.getI64Type();
  int64_t rank = cast<RankedTensorType>(value.getType()).getRank();
  Value shape = builder.create<ShapeOp>(loc, RankedTensorType::get({rank}, i64),
                                        value, 0, IntegerAttr());
  SmallVector<int64_t> indices;
  for (int64_t d = first; d <= last; ++d)
    indices.push_back(d);
  auto indexType = RankedTensorType::get({int64_t(indices.size())}, i64);
  Value picked = builder.create<ConstantOp>(
      loc, indexType, DenseIntElementsAttr::get(indexType, indices));
  return builder.create<GatherOp>(loc, indexType, shape, picked, 0);
}

// The value each export has, picked by the input's size at run time:
// sum over the exports of value * [input size == export's size], where for
// sizes a and b, [a == b] = 1 - min(1, |a - b|) (integer arithmetic every
// ONNX runtime has). Only defined at the exports' sizes, which is all an
// enumerated set of them takes.
Value Merger::emitTable(OpBuilder &builder, Location loc,
                        ArrayRef<int64_t> values) {
  ShapeMath math{builder, loc};
  auto vector = math.vector();
  auto constant = [&](int64_t v) { return math.constant(v); };
  auto binary = [&](BinaryKind kind, Value a, Value b) {
    return math.binary(kind, a, b);
  };
  SmallVector<Value> sizes;
  for (int64_t d : freeDims)
    sizes.push_back(emitDims(builder, loc, funcs[0].getArgument(inputIndex), d, d));
  Value one = constant(1), sum;
  for (size_t e = 0; e < funcs.size(); ++e) {
    Value term = constant(values[e]);
    for (auto [s, d] : llvm::enumerate(freeDims)) {
      Value distance = builder.create<UnaryOp>(
          loc, vector, UnaryKind::abs,
          binary(BinaryKind::sub, sizes[s], constant(exportedShapes[e][d])),
          FloatAttr(), FloatAttr());
      Value equal = binary(BinaryKind::sub, one,
                           binary(BinaryKind::min, one, distance));
      term = binary(BinaryKind::mul, term, equal);
    }
    sum = sum ? binary(BinaryKind::add, sum, term) : term;
  }
  return sum;
}

// A one-entry int64 vector that computes `source` at run time.
Value Merger::emit(OpBuilder &builder, Location loc, const Source &source,
                   Type elementType) {
  auto vector = [&](int64_t n) {
    return RankedTensorType::get({n}, builder.getI64Type());
  };
  if (!source.value)
    return emitExpr(builder, loc, source.dim.getExpr());
  Value dims = emitDims(builder, loc, source.value, source.first, source.last);
  if (source.first != source.last)
    dims = builder.create<ReduceOp>(loc, vector(1), ReduceKind::prod, dims,
                                    Value(), /*keepdims=*/true,
                                    /*noop_with_empty_axes=*/false);
  ShapeMath math{builder, loc};
  auto scale = [&](BinaryKind kind, int64_t by) {
    dims = math.binary(kind, dims, math.constant(by));
  };
  if (source.multiplier != 1)
    scale(BinaryKind::mul, source.multiplier);
  if (source.divisor != 1)
    scale(BinaryKind::div, source.divisor);
  return dims;
}

MergeStatus Merger::generalize() {
  if (differences.empty())
    return MergeStatus::Merged;
  // Shapes of the first export with the input's varying dims as symbols and
  // the differing entries unknown: what is left are the dims that follow
  // the input in every export.
  auto analyze = [&](ShapeAnalysis &shapes,
                     const DenseMap<Value, Dims> &assumed) {
    for (auto [s, d] : llvm::enumerate(freeDims))
      shapes.addSymbol(funcs[0].getArgument(inputIndex), d, symbolNames[s]);
    for (auto &[value, dims] : assumed)
      shapes.assumeValues(value, dims);
    for (Operation *op : ops[0])
      (void)shapes.infer(op);
  };
  DenseMap<Value, Dims> assumed;
  for (Difference &d : differences) {
    Dims dims = toDims(context, d.values[0]);
    for (size_t i = 0; i < dims.size(); ++i)
      for (size_t e = 1; e < funcs.size(); ++e)
        if (d.values[e][i] != d.values[0][i])
          dims[i] = Dim();
    assumed[d.op.getResult()] = dims;
  }
  // Analyzed again as each difference is generalized (in the order the
  // graph uses them): the tensors after it then have dims in the free dims
  // again, where they were unknown, and a later difference finds its
  // provenance in them (ShuffleNet's channel shuffles, one after another).
  std::unique_ptr<ShapeAnalysis> analysis;
  auto reanalyze = [&] {
    ScopedDiagnosticHandler silence(context, [](Diagnostic &) { return success(); });
    analysis =
        std::make_unique<ShapeAnalysis>(context, /*useDeclaredTypes=*/false);
    analyze(*analysis, assumed);
  };
  reanalyze();

  bool ranged = report.shapes.getRange();
  bool beyondExports = ranged;
  if (!ranged)
    for (DenseI64ArrayAttr shape : report.shapes.getShapes())
      beyondExports |= llvm::none_of(funcs, [&](func::FuncOp f) {
        return cast<RankedTensorType>(f.getArgument(inputIndex).getType())
                   .getShape() == shape.asArrayRef();
      });

  for (Difference &d : differences) {
    Operation *user = *llvm::min_element(
        d.op->getUsers(), [](Operation *a, Operation *b) {
          return a->isBeforeInBlock(b);
        });
    std::string node = getNodeName(user), type = getONNXOpType(user);
    unsigned operandIndex = 0;
    for (OpOperand &use : user->getOpOperands())
      if (use.get() == d.op.getResult())
        operandIndex = use.getOperandNumber();
    // The operand as ONNX calls it.
    std::string operand = "input " + std::to_string(operandIndex);
    if (isa<ResizeOp>(user))
      operand = operandIndex == 3 ? "sizes" : operandIndex == 2 ? "scales" : operand;
    else if (isa<ReshapeOp, ExpandOp, ConstantOfShapeOp>(user))
      operand = "shape";
    else if (isa<PadOp>(user))
      operand = "pads";
    else if (isa<SliceOp>(user))
      operand = operandIndex == 1 ? "starts" : operandIndex == 2 ? "ends" : operand;

    OpBuilder builder(user);
    Location loc = d.op.getLoc();
    SmallVector<Value> parts;
    llvm::StringMap<Value> emitted;
    Type elementType = getElementTypeOrSelf(d.op.getType());
    // The entries as computed now, for the analysis of what follows.
    Dims entries = assumed.lookup(d.op.getResult());
    for (size_t i = 0; i < d.values[0].size(); ++i) {
      bool same = llvm::all_of(d.values, [&](const SmallVector<int64_t> &v) {
        return v[i] == d.values[0][i];
      });
      auto vector = RankedTensorType::get({1}, builder.getI64Type());
      if (same) {
        parts.push_back(builder.create<ConstantOp>(
            loc, vector, DenseIntElementsAttr::get(vector, d.values[0][i])));
        continue;
      }
      std::vector<Source> found = candidates(d, i, user, *analysis);
      std::optional<Source> chosen;
      // The axis an entry sizes: a Pad's entries go begin, end over the
      // input's dims; others in order.
      int64_t axis = i;
      if (auto pad = dyn_cast<PadOp>(user))
        if (auto type = dyn_cast<RankedTensorType>(pad.getInput().getType()))
          axis = i % type.getRank();
      if (!found.empty())
        chosen = found.front();
      else
        chosen = fit(SmallVector<int64_t>(llvm::map_range(
                         d.values,
                         [&](const SmallVector<int64_t> &v) { return v[i]; })),
                     axis);
      std::vector<int64_t> values;
      for (const auto &v : d.values)
        values.push_back(v[i]);
      if (!chosen) {
        std::string listing;
        for (size_t e = 0; e < funcs.size(); ++e)
          listing += (e ? ", " : "") + std::to_string(values[e]) + " in '" +
                     names[e] + "'";
        // An enumerated set of the exports' sizes: the value each export
        // has, picked by the input's size.
        if (!beyondExports) {
          Value &table = emitted["table|" + joinInts(values)];
          if (!table)
            table = emitTable(builder, loc, values);
          parts.push_back(table);
          report.generalized.push_back(
              {node, type, operand, unsigned(i), values, "a table by size",
               "a per-size table over " + std::to_string(funcs.size()) +
                   " exports"});
          continue;
        }
        return refuse(user->getLoc(),
                      describe(user) + ": entry " + std::to_string(i) +
                          " of its " + operand + " differs (" + listing +
                          ") and no tensor's size or formula in " +
                          llvm::join(symbolNames, ", ") +
                          " gives it in every export, so it has no value at "
                          "the other sizes asked for");
      }
      // A fit found from two exports only is a guess beyond them.
      if (!chosen->value && funcs.size() < 3 && beyondExports)
        return refuse(user->getLoc(),
                      describe(user) + ": entry " + std::to_string(i) +
                          " of its " + operand + " fits " +
                          formatDim(chosen->dim) +
                          " over two exports only, which does not prove it "
                          "at the other sizes asked for: add an export at a "
                          "third size");
      // One computation per distinct source (a Pad's begin and end).
      std::string key = formatDim(chosen->dim) + "|" + chosen->text;
      Value &computed = emitted[key];
      if (!computed)
        computed = emit(builder, loc, *chosen, elementType);
      parts.push_back(computed);
      entries[i] = chosen->dim;
      report.generalized.push_back({node, type, operand, unsigned(i), values,
                                    formatDim(chosen->dim), chosen->text});
    }
    auto vector = RankedTensorType::get(
        {int64_t(d.values[0].size())}, builder.getI64Type());
    Value computed = parts.size() == 1
                         ? parts.front()
                         : builder.create<ConcatOp>(loc, vector, parts, 0)
                               .getResult();
    // A scalar (Swin's W / 4 before a Mod) keeps its rank.
    auto original = cast<RankedTensorType>(d.op.getType());
    if (original.getShape() != vector.getShape()) {
      auto shapeType =
          RankedTensorType::get({original.getRank()}, builder.getI64Type());
      Value shape = builder.create<ConstantOp>(
          loc, shapeType,
          DenseIntElementsAttr::get(shapeType, original.getShape()));
      computed = builder.create<ReshapeOp>(
          loc, RankedTensorType::get(original.getShape(), builder.getI64Type()),
          computed, shape, false);
    }
    if (elementType != builder.getI64Type())
      computed = builder.create<CastOp>(
          loc, RankedTensorType::get(vector.getShape(), elementType), computed);
    d.op.getResult().replaceAllUsesWith(computed);
    assumed.erase(d.op.getResult());
    assumed[computed] = entries;
    reanalyze();
  }
  for (Difference &d : differences)
    if (d.op->use_empty())
      d.op->erase();
  return MergeStatus::Merged;
}

// The merged input as report.shapes has it: its type, nn.shapes, and a
// dim_param on each free dim (and on the batch once it is free).
void Merger::declareInput() {
  func::FuncOp func = funcs[0];
  BlockArgument input = func.getArgument(inputIndex);
  input.setType(RankedTensorType::get(report.shapes.getTypeShape(),
                                      getElementTypeOrSelf(input.getType())));
  func.setArgAttr(inputIndex, NNDialect::kShapesAttr, report.shapes);
  SmallVector<StringRef> params;
  auto rank = cast<RankedTensorType>(input.getType()).getRank();
  for (int64_t d = 0; d < rank; ++d) {
    auto it = llvm::find(freeDims, d);
    params.push_back(it != freeDims.end()
                         ? StringRef(symbolNames[it - freeDims.begin()])
                     : d == 0 && report.batchFree ? StringRef(batchParam)
                                                  : StringRef());
  }
  func.setArgAttr(inputIndex, NNDialect::kDimParamsAttr,
                  Builder(context).getStrArrayAttr(params));
  Block &body = func.getBody().front();
  func.setFunctionType(
      FunctionType::get(context, body.getArgumentTypes(),
                        body.getTerminator()->getOperandTypes()));
}

MergeStatus Merger::retype() {
  func::FuncOp func = funcs[0];
  BlockArgument input = func.getArgument(inputIndex);
  declareInput();
  // Every result again, from the input's free dims: a `?` where a dim
  // follows them. Ops without a shape function (custom) keep the dims that
  // are the same in every export.
  ShapeAnalysis shapes(context, /*useDeclaredTypes=*/false);
  for (auto [s, d] : llvm::enumerate(freeDims))
    shapes.addSymbol(input, d, symbolNames[s]);
  Block &body = func.getBody().front();
  DenseMap<Operation *, size_t> position;
  for (auto [i, op] : llvm::enumerate(ops[0]))
    position[op] = i;
  for (Operation &op : body.without_terminator()) {
    if (isa<ShapeInferenceOpInterface>(op)) {
      SmallVector<Type> types;
      if (failed(shapes.infer(&op, &types)))
        return MergeStatus::Refused;
      for (auto [result, type] : llvm::zip(op.getResults(), types))
        result.setType(type);
      continue;
    }
    auto it = position.find(&op);
    if (it == position.end())
      continue;
    for (auto [k, result] : llvm::enumerate(op.getResults())) {
      auto type = dyn_cast<RankedTensorType>(result.getType());
      if (!type)
        continue;
      SmallVector<int64_t> dims(type.getShape());
      for (size_t e = 1; e < funcs.size(); ++e)
        if (auto other = dyn_cast<RankedTensorType>(
                ops[e][it->second]->getResult(k).getType()))
          for (auto [d, size] : llvm::enumerate(other.getShape()))
            if (d < dims.size() && dims[d] != size)
              dims[d] = ShapedType::kDynamic;
      if (report.shapes.getRange() || funcs.size() == 1)
        dims.assign(dims.size(), ShapedType::kDynamic);
      result.setType(RankedTensorType::get(dims, type.getElementType()));
    }
  }
  auto returnOp = body.getTerminator();
  func.setFunctionType(FunctionType::get(context, body.getArgumentTypes(),
                                         returnOp->getOperandTypes()));
  nameOutputDims(shapes);
  if (failed(verify(func)))
    return MergeStatus::Error;
  return MergeStatus::Merged;
}

// An output dim that is an input's free dim takes its name (an ONNX
// consumer then sees that the segmentation map is HxW like the image).
void Merger::nameOutputDims(ShapeAnalysis &shapes) {
  func::FuncOp func = funcs[0];
  for (auto [i, output] :
       llvm::enumerate(func.getBody().front().getTerminator()->getOperands())) {
    std::optional<Dims> dims = shapes.get(output).dims;
    if (!dims)
      continue;
    auto old =
        func.getResultAttrOfType<ArrayAttr>(i, NNDialect::kDimParamsAttr);
    SmallVector<Attribute> params;
    for (auto [d, dim] : llvm::enumerate(*dims)) {
      Attribute param = StringAttr::get(context, "");
      if (auto symbol = dyn_cast_if_present<AffineSymbolExpr>(dim.getExpr()))
        param = StringAttr::get(context,
                                shapes.getSymbolNames()[symbol.getPosition()]);
      else if (old && d < old.size())
        param = old[d];
      params.push_back(param);
    }
    func.setResultAttr(i, NNDialect::kDimParamsAttr,
                       ArrayAttr::get(context, params));
  }
}

// One export at one size: the sizes it baked in (a Resize to its own 64x64)
// would stay constants at the set's other sizes, a graph that runs there and
// gives the wrong shapes. check-flexible finds them; validate refuses the
// other sizes then. With several exports, those constants differ between them
// and are generalized.
MergeStatus Merger::findBakedInOne() {
  if (funcs.size() != 1 || freeDims.empty())
    return MergeStatus::Merged;
  FlexibilityOptions flexibility;
  flexibility.input = report.input;
  flexibility.dims.assign(freeDims.begin(), freeDims.end());
  FailureOr<FlexibilityReport> found =
      analyzeFlexibility(funcs[0], flexibility);
  if (failed(found))
    return MergeStatus::Error;
  oneExport = std::move(*found);
  return MergeStatus::Merged;
}

// The merged graph must give every export's shapes at its size, and take the
// other sizes in the set.
MergeStatus Merger::validate() {
  func::FuncOp merged = funcs[0];
  BlockArgument input = merged.getArgument(inputIndex);
  ShapeAnalysis shapes(context, /*useDeclaredTypes=*/false);
  for (auto [s, d] : llvm::enumerate(freeDims))
    shapes.addSymbol(input, d, symbolNames[s]);
  for (Operation &op : merged.getBody().front())
    (void)shapes.infer(&op);
  Operation *mergedReturn = merged.getBody().front().getTerminator();
  for (size_t e = 1; e < funcs.size(); ++e) {
    SmallVector<int64_t> env = envOf(e);
    Operation *exportReturn = funcs[e].getBody().front().getTerminator();
    for (auto [k, value, expected] :
         llvm::enumerate(mergedReturn->getOperands(), exportReturn->getOperands())) {
      std::optional<Dims> dims = shapes.get(value).dims;
      auto type = dyn_cast<RankedTensorType>(expected.getType());
      if (!dims || !type)
        continue;
      for (auto [d, dim] : llvm::enumerate(*dims)) {
        std::optional<int64_t> at = dim.evaluate(env);
        if (at && type.getDimSize(d) != ShapedType::kDynamic &&
            *at != type.getDimSize(d))
          return refuse(merged.getLoc(),
                        "the merged graph gives output " + Twine(k) + " dim " +
                            Twine(d) + " = " + formatDim(dim) + " = " +
                            Twine(*at) + " at the size of '" + names[e] +
                            "', which gives " + Twine(type.getDimSize(d)) +
                            ": its constants are not derived from the input "
                            "size the way mlc found");
      }
    }
  }
  // Sizes beyond the exports: only where the network is proven valid (one
  // export's proof is findBakedInOne's, and a size it baked in refuses them).
  if (freeDims.empty())
    return MergeStatus::Merged; // the set is the exports' one shape
  FailureOr<FlexibilityReport> proof = FlexibilityReport();
  if (oneExport) {
    proof = *oneExport;
  } else {
    FlexibilityOptions flexibility;
    flexibility.input = report.input;
    flexibility.dims.assign(freeDims.begin(), freeDims.end());
    proof = analyzeFlexibility(merged, flexibility);
    if (failed(proof))
      return MergeStatus::Error;
  }
  auto allowed = [&](ArrayRef<int64_t> shape) -> std::optional<std::string> {
    if (!proof->baked.empty()) {
      const FlexibilityReport::Baked &first = proof->baked.front();
      return first.opType + " '" + first.node + "' " + first.text +
             " (exports of two sizes show how it follows the input)";
    }
    for (const auto &c : proof->constraints) {
      auto it = llvm::find(symbolNames, c.dim);
      if (it == symbolNames.end())
        continue;
      int64_t v = shape[freeDims[it - symbolNames.begin()]];
      if (v < c.min ||
          !llvm::is_contained(c.residues, v % std::max<int64_t>(1, c.period)))
        return c.text + (c.nodes.empty() ? "" : " (" + llvm::join(c.nodes, ", ") + ")");
    }
    if (proof->verdict != FlexibilityVerdict::Flexible) {
      std::string why = proof->blockers.empty()
                            ? "the network is not flexible"
                            : proof->blockers.front().opType + " '" +
                                  proof->blockers.front().node +
                                  "': " + proof->blockers.front().reason;
      return why;
    }
    return std::nullopt;
  };
  auto check = [&](ArrayRef<int64_t> shape) -> MergeStatus {
    if (llvm::is_contained(exportedShapes, SmallVector<int64_t>(shape)))
      return MergeStatus::Merged;
    if (std::optional<std::string> why = allowed(shape))
      return refuse(merged.getLoc(),
                    "cannot take " + joinInts(shape, "x") +
                        ", which the shape set asks for: " + *why);
    return MergeStatus::Merged;
  };
  ShapeSetAttr set = report.shapes;
  if (!set.getRange()) {
    for (DenseI64ArrayAttr shape : set.getShapes())
      if (MergeStatus status = check(shape.asArrayRef());
          status != MergeStatus::Merged)
        return status;
    return MergeStatus::Merged;
  }
  // Each free dim over its range (the others at their defaults).
  SmallVector<int64_t> shape = set.getDefaultShape();
  for (int64_t d : freeDims)
    for (int64_t v = set.getMins()[d]; v <= set.getMaxs()[d];
         v += set.getSteps()[d]) {
      SmallVector<int64_t> probe = shape;
      probe[d] = v;
      if (MergeStatus status = check(probe); status != MergeStatus::Merged)
        return status;
    }
  return MergeStatus::Merged;
}

// The exports' dynamic batch, merged at 1, is dynamic again when the merged
// graph takes a batch of any size as they did: types inferred with a batch
// symbol require nothing of it (as the lowering's batch check has it), and
// every output's dim 0 is it. An ONNX consumer then runs batches of the
// merged model as it ran the exports'. Else it stays 1 (a compiled model
// still runs batches).
MergeStatus Merger::freeBatch() {
  if (batchParam.empty())
    return MergeStatus::Merged;
  func::FuncOp func = funcs[0];
  BlockArgument input = func.getArgument(inputIndex);
  ShapeAnalysis shapes(context, /*useDeclaredTypes=*/false);
  for (auto [s, d] : llvm::enumerate(freeDims))
    shapes.addSymbol(input, d, symbolNames[s]);
  Dim batch = shapes.addSymbol(input, 0, batchParam);
  auto mentionsBatch = [&](Dim d) {
    return !d.getExpr() || d.getExpr().isFunctionOfSymbol(freeDims.size());
  };
  Block &body = func.getBody().front();
  SmallVector<std::pair<Value, Type>> retyped;
  {
    ScopedDiagnosticHandler quiet(context,
                                  [](Diagnostic &) { return success(); });
    for (Operation &op : body.without_terminator()) {
      SmallVector<Type> types;
      if (!isa<ShapeInferenceOpInterface>(op) ||
          failed(shapes.infer(&op, &types)))
        return MergeStatus::Merged;
      for (auto [result, type] : llvm::zip(op.getResults(), types))
        retyped.push_back({result, type});
    }
  }
  for (const Requirement &r : shapes.getRequirements())
    if (mentionsBatch(r.lhs) || mentionsBatch(r.rhs))
      return MergeStatus::Merged;
  for (Value output : body.getTerminator()->getOperands()) {
    std::optional<Dims> dims = shapes.get(output).dims;
    if (!dims || dims->empty() || !(*dims)[0].isSameAs(batch))
      return MergeStatus::Merged;
  }
  for (auto [value, type] : retyped)
    value.setType(type);
  nameOutputDims(shapes);
  auto anyBatch = [](ArrayRef<int64_t> shape) {
    SmallVector<int64_t> dims(shape);
    dims[0] = ShapedType::kDynamic;
    return dims;
  };
  ShapeSetAttr set = report.shapes;
  SmallVector<SmallVector<int64_t>> batchShapes = llvm::to_vector(
      llvm::map_range(set.getShapes(), [&](DenseI64ArrayAttr shape) {
        return anyBatch(shape.asArrayRef());
      }));
  report.shapes = set.getRange()
                      ? ShapeSetAttr::get(context, anyBatch(set.getMins()),
                                          anyBatch(set.getMaxs()),
                                          set.getSteps(), batchShapes)
                      : ShapeSetAttr::get(context, batchShapes);
  report.batchFree = true;
  declareInput();
  return succeeded(verify(func)) ? MergeStatus::Merged : MergeStatus::Error;
}

MergeStatus Merger::run() {
  for (const std::string &name : names)
    report.exports.push_back(name);
  for (auto step :
       {&Merger::checkSignatures, &Merger::matchGraphs, &Merger::chooseShapes,
        &Merger::generalize, &Merger::findBakedInOne, &Merger::retype,
        &Merger::validate, &Merger::freeBatch})
    if (MergeStatus status = (this->*step)(); status != MergeStatus::Merged)
      return status;
  report.weightBytes = getStoredWeightBytes(exports.front());
  return MergeStatus::Merged;
}

MergeStatus mlc::mergeExports(ArrayRef<ModuleOp> exports,
                              ArrayRef<std::string> names,
                              const MergeOptions &options,
                              MergeReport &report) {
  return Merger(exports, names, options, report).run();
}

MergeStatus mlc::mergeFunctions(ArrayRef<ModuleOp> models,
                                ArrayRef<std::string> names,
                                MergeReport &report) {
  ModuleOp target = models.front();
  llvm::StringSet<> taken;
  SmallVector<func::FuncOp> graphs;
  for (auto [i, model] : llvm::enumerate(models)) {
    ModuleOp module = model;
    auto func = module.lookupSymbol<func::FuncOp>("main");
    if (!func || func.isExternal()) {
      emitError(module.getLoc()) << "has no graph (@main) to merge";
      return MergeStatus::Error;
    }
    graphs.push_back(func);
  }
  for (auto [i, func] : llvm::enumerate(graphs)) {
    // A function per file, named after it: "classifier_224.onnx" gives
    // @classifier_224.
    std::string name = llvm::sys::path::stem(names[i]).str();
    for (char &c : name)
      if (!llvm::isAlnum(c) && c != '_')
        c = '_';
    if (name.empty() || llvm::isDigit(name[0]))
      name = "net_" + name;
    std::string unique = name;
    for (int n = 2; !taken.insert(unique).second; ++n)
      unique = name + "_" + std::to_string(n);
    report.exports.push_back(names[i]);
    report.functions.push_back({unique, names[i]});
    if (i == 0) {
      func.setSymName(unique);
      continue;
    }
    func->remove();
    func.setSymName(unique);
    target.push_back(func);
  }
  report.weightBytes = getStoredWeightBytes(target);
  if (failed(verify(target)))
    return MergeStatus::Error;
  return MergeStatus::Merged;
}

//===----------------------------------------------------------------------===//
// Reports
//===----------------------------------------------------------------------===//

std::string mlc::formatMergeReport(const MergeReport &report, bool verbose) {
  std::string out;
  llvm::raw_string_ostream os(out);
  if (!report.functions.empty()) {
    os << "merged " << report.functions.size() << " networks as functions:";
    for (const auto &[name, file] : report.functions)
      os << " @" << name << " (" << file << ")";
    os << "\n  weights: " << report.weightBytes << " bytes ("
       << report.sharedBytes << " bytes the networks hold in common, stored "
       << "once)\n";
    return out;
  }
  os << "merged " << report.exports.size() << " export"
     << (report.exports.size() == 1 ? "" : "s") << ": "
     << llvm::join(report.exports, ", ") << "\n";
  os << "  input " << report.input << " takes: " << report.shapes.toText()
     << "\n";
  os << "  free dims: " << llvm::join(report.freeDims, ", ") << "\n";
  if (!report.batchDim.empty())
    os << "  batch: " << report.batchDim << " is dynamic in the exports"
       << (report.batchFree
               ? " and in the merged model\n"
               : "; merged as 1, as the merged graph fixes it (a compiled "
                 "model still runs batches of any size)\n");
  os << "  generalized: " << report.generalized.size() << " constant entr"
     << (report.generalized.size() == 1 ? "y" : "ies") << "\n";
  if (verbose)
    for (const auto &g : report.generalized)
      os << "    " << g.opType << (g.node.empty() ? "" : " '" + g.node + "'")
         << " " << g.operand << "[" << g.index << "]: "
         << joinInts(g.values) << " -> " << g.formula << " (" << g.source
         << ")\n";
  os << "  weights: " << report.weightBytes << " bytes, stored once ("
     << report.sharedBytes << " bytes the other exports held again)\n";
  return out;
}

llvm::json::Value mlc::toJSON(const MergeReport &report) {
  if (!report.functions.empty()) {
    llvm::json::Array functions;
    for (const auto &[name, file] : report.functions)
      functions.push_back(llvm::json::Object{{"name", name}, {"file", file}});
    return llvm::json::Object{{"functions", std::move(functions)},
                              {"weights_bytes", int64_t(report.weightBytes)},
                              {"shared_bytes", int64_t(report.sharedBytes)}};
  }
  llvm::json::Array generalized;
  for (const auto &g : report.generalized)
    generalized.push_back(llvm::json::Object{
        {"node", g.node},
        {"op", g.opType},
        {"operand", g.operand},
        {"index", int64_t(g.index)},
        {"values", llvm::json::Array(g.values)},
        {"formula", g.formula},
        {"source", g.source}});
  llvm::json::Object input{{"name", report.input}};
  if (!report.batchDim.empty()) {
    input["batch_dim"] = report.batchDim;
    input["batch_free"] = report.batchFree;
  }
  // A dim that takes any size (the batch) is null.
  auto size = [](int64_t d) -> llvm::json::Value {
    if (ShapedType::isDynamic(d))
      return nullptr;
    return d;
  };
  ShapeSetAttr set = report.shapes;
  llvm::json::Array shapes;
  for (DenseI64ArrayAttr shape : set.getShapes())
    shapes.push_back(
        llvm::json::Array(llvm::map_range(shape.asArrayRef(), size)));
  if (set.getRange()) {
    llvm::json::Array dims;
    for (auto [min, max, step] :
         llvm::zip(set.getMins(), set.getMaxs(), set.getSteps()))
      dims.push_back(llvm::json::Object{
          {"min", size(min)}, {"max", size(max)}, {"step", step}});
    input["range"] = std::move(dims);
    input["planned"] = std::move(shapes);
  } else {
    input["shapes"] = std::move(shapes);
  }
  input["text"] = set.toText();
  return llvm::json::Object{
      {"exports", llvm::json::Array(report.exports)},
      {"inputs", llvm::json::Array{std::move(input)}},
      {"default_shape", llvm::json::Array(set.getDefaultShape())},
      {"free_dims", llvm::json::Array(report.freeDims)},
      {"generalized", std::move(generalized)},
      {"weights_bytes", int64_t(report.weightBytes)},
      {"shared_bytes", int64_t(report.sharedBytes)}};
}
