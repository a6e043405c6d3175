//===- OpImporters.cpp - One importer per ONNX operator -------------------===//
//
// Each function turns one node into nn ops, mapping every opset's form of
// the operator onto the op's one form: attributes that later opsets made
// inputs become constant operands, Upsample becomes Resize, the 2-D Softmax
// of opsets before 13 becomes flatten + softmax + reshape.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "mlc/ONNX/DataTypes.h"

#include "llvm/ADT/Sequence.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlc;
using namespace mlc::nn;
using namespace mlc::onnx_import;

using Outputs = FailureOr<SmallVector<Value>>;

//===----------------------------------------------------------------------===//
// NodeImport
//===----------------------------------------------------------------------===//

const ::onnx::AttributeProto *NodeImport::findAttr(StringRef name) const {
  for (const auto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t NodeImport::getInt(StringRef name, int64_t fallback) const {
  const auto *attr = findAttr(name);
  return attr ? attr->i() : fallback;
}

float NodeImport::getFloat(StringRef name, float fallback) const {
  const auto *attr = findAttr(name);
  return attr ? attr->f() : fallback;
}

std::string NodeImport::getString(StringRef name, StringRef fallback) const {
  const auto *attr = findAttr(name);
  return attr ? attr->s() : fallback.str();
}

SmallVector<int64_t> NodeImport::getInts(StringRef name) const {
  const auto *attr = findAttr(name);
  if (!attr)
    return {};
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

SmallVector<float> NodeImport::getFloats(StringRef name) const {
  const auto *attr = findAttr(name);
  if (!attr)
    return {};
  return SmallVector<float>(attr->floats().begin(), attr->floats().end());
}

Value NodeImport::constantInts(ArrayRef<int64_t> values, bool scalar) {
  auto type = RankedTensorType::get(
      scalar ? ArrayRef<int64_t>{} : ArrayRef<int64_t>{int64_t(values.size())},
      b.getI64Type());
  return b.create<ConstantOp>(loc, type, DenseIntElementsAttr::get(type, values));
}

Value NodeImport::constantFloats(ArrayRef<float> values, Type elementType,
                                 bool scalar) {
  auto type = RankedTensorType::get(
      scalar ? ArrayRef<int64_t>{} : ArrayRef<int64_t>{int64_t(values.size())},
      elementType);
  SmallVector<double> doubles(values.begin(), values.end());
  return b.create<ConstantOp>(loc, type, makeFloatsAttr(type, doubles));
}

Type NodeImport::unknown(Type elementType) const {
  return UnrankedTensorType::get(elementType ? elementType : b.getF32Type());
}

void NodeImport::inferTypes(Operation *op) {
  SmallVector<Type> types;
  if (::mlir::failed(shapes.infer(op, &types))) {
    failed = true;
    return;
  }
  for (auto [result, type] : llvm::zip(op->getResults(), types))
    result.setType(type);
}

InFlightDiagnostic NodeImport::emitError() const {
  return mlir::emitError(loc) << node.op_type() << " ";
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static SmallVector<Value> resultsOf(Operation *op) {
  return SmallVector<Value>(op->getResults());
}

// Maps an ONNX string attribute onto an enum, or fails naming the choices.
template <typename Enum>
static FailureOr<Enum>
parseChoice(NodeImport &n, StringRef attr, StringRef fallback,
            ArrayRef<std::pair<StringRef, Enum>> choices) {
  std::string value = n.getString(attr, fallback);
  for (const auto &[name, e] : choices)
    if (StringRef(value).equals_insensitive(name))
      return e;
  InFlightDiagnostic diag = n.emitError() << attr << " '" << value
                                          << "' is not one of";
  for (const auto &choice : choices)
    diag << " " << choice.first;
  return diag;
}

static FailureOr<AutoPad> parseAutoPad(NodeImport &n) {
  return parseChoice<AutoPad>(n, "auto_pad", "NOTSET",
                              {{"NOTSET", AutoPad::notset},
                               {"SAME_UPPER", AutoPad::same_upper},
                               {"SAME_LOWER", AutoPad::same_lower},
                               {"VALID", AutoPad::valid}});
}

// The constant operand that replaces an attribute of older opsets (null
// when the node does not have the attribute).
static Value intsFromAttr(NodeImport &n, StringRef name) {
  if (!n.findAttr(name))
    return Value();
  return n.constantInts(n.getInts(name));
}

// An optional input given as an empty tensor (as some exporters write an
// unused Resize roi or scales) counts as absent.
static Value presentInput(NodeImport &n, size_t i) {
  Value value = n.input(i);
  if (!value)
    return value;
  auto dims = getDims(value.getType());
  if (dims && dims->size() == 1 && (*dims)[0] == 0)
    return Value();
  return value;
}

//===----------------------------------------------------------------------===//
// Convolution, pooling, normalization
//===----------------------------------------------------------------------===//

static Outputs importConv(NodeImport &n) {
  FailureOr<AutoPad> pad = parseAutoPad(n);
  if (failed(pad))
    return failure();
  return resultsOf(n.create<ConvOp>(
      n.unknown(), n.input(0), n.input(1), n.input(2), n.getInts("strides"),
      n.getInts("pads"), n.getInts("dilations"), n.getInts("kernel_shape"),
      n.getInt("group", 1), *pad));
}

static Outputs importConvTranspose(NodeImport &n) {
  FailureOr<AutoPad> pad = parseAutoPad(n);
  if (failed(pad))
    return failure();
  return resultsOf(n.create<ConvTransposeOp>(
      n.unknown(), n.input(0), n.input(1), n.input(2), n.getInts("strides"),
      n.getInts("pads"), n.getInts("dilations"), n.getInts("kernel_shape"),
      n.getInts("output_padding"), n.getInts("output_shape"),
      n.getInt("group", 1), *pad));
}

static Outputs importPool(NodeImport &n, PoolKind kind) {
  // MaxPool's Indices output is not an nn.pool result.
  if (n.node.output_size() > 1 && !n.node.output(1).empty())
    return SmallVector<Value>();
  FailureOr<AutoPad> pad = parseAutoPad(n);
  if (failed(pad))
    return failure();
  return resultsOf(n.create<PoolOp>(
      n.unknown(), kind, n.input(0), n.getInts("kernel_shape"),
      n.getInts("strides"), n.getInts("pads"), n.getInts("dilations"),
      n.getInt("ceil_mode", 0) != 0, n.getInt("count_include_pad", 0) != 0,
      *pad));
}

static Outputs importBatchNorm(NodeImport &n) {
  // Only the inference form: training outputs, training_mode and the
  // non-spatial form of old opsets stay custom.
  bool training = n.getInt("training_mode", 0) != 0 ||
                  llvm::any_of(llvm::drop_begin(n.node.output()),
                               [](const std::string &o) { return !o.empty(); });
  if (training || (n.opset < 9 && n.getInt("spatial", 1) == 0))
    return SmallVector<Value>();
  return resultsOf(n.create<BatchNormOp>(
      n.unknown(), n.input(0), n.input(1), n.input(2), n.input(3), n.input(4),
      APFloat(n.getFloat("epsilon", 1e-5f))));
}

static Outputs importInstanceNorm(NodeImport &n) {
  return resultsOf(n.create<InstanceNormOp>(n.unknown(), n.input(0), n.input(1),
                                            n.input(2),
                                            APFloat(n.getFloat("epsilon", 1e-5f))));
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

static Outputs importUnary(NodeImport &n, UnaryKind kind) {
  std::optional<float> alpha, beta;
  switch (kind) {
  case UnaryKind::leaky_relu:
    alpha = n.getFloat("alpha", 0.01f);
    break;
  case UnaryKind::elu:
    alpha = n.getFloat("alpha", 1.0f);
    break;
  case UnaryKind::hard_sigmoid:
    alpha = n.getFloat("alpha", 0.2f);
    beta = n.getFloat("beta", 0.5f);
    break;
  default:
    break;
  }
  return resultsOf(n.create<UnaryOp>(
      n.unknown(), kind, n.input(0),
      alpha ? n.b.getF32FloatAttr(*alpha) : FloatAttr(),
      beta ? n.b.getF32FloatAttr(*beta) : FloatAttr()));
}

// Binary operators; the variadic Max, Min and Sum become a chain.
static Outputs importBinary(NodeImport &n, BinaryKind kind) {
  if (n.inputs.empty() || llvm::is_contained(n.inputs, Value()))
    return n.emitError() << "needs all of its inputs";
  Value result = n.inputs.front();
  for (Value rhs : llvm::drop_begin(n.inputs)) {
    // Pow may raise to another element type; nn.binary wants one.
    Type elementType = getElementType(result.getType());
    if (getElementType(rhs.getType()) != elementType)
      rhs = n.create<CastOp>(n.unknown(elementType), rhs);
    result = n.create<BinaryOp>(n.unknown(), kind, result, rhs);
  }
  return SmallVector<Value>{result};
}

// Whether the node has exactly `count` inputs, all given; an error at the
// node otherwise.
static LogicalResult requireInputs(NodeImport &n, size_t count) {
  if (n.inputs.size() == count && !llvm::is_contained(n.inputs, Value()))
    return success();
  return n.emitError() << "needs " << count << " input" << (count > 1 ? "s" : "");
}

// Mod: the divisor's sign by default, the dividend's (C's fmod) with
// fmod = 1, which ONNX requires for floating point.
static Outputs importMod(NodeImport &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  bool fmod = n.getInt("fmod", 0) != 0;
  if (!fmod && isa<FloatType>(getElementType(n.inputs[0].getType())))
    return n.emitError() << "fmod = 0 is for integers; floating-point Mod needs fmod = 1";
  return resultsOf(n.create<BinaryOp>(n.unknown(),
                                      fmod ? BinaryKind::fmod : BinaryKind::mod,
                                      n.inputs[0], n.inputs[1]));
}

static Outputs importRange(NodeImport &n) {
  if (failed(requireInputs(n, 3)))
    return failure();
  return resultsOf(n.create<RangeOp>(n.unknown(getElementType(n.inputs[0].getType())),
                                     n.inputs[0], n.inputs[1], n.inputs[2]));
}

static Outputs importScatterND(NodeImport &n) {
  if (failed(requireInputs(n, 3)))
    return failure();
  std::string reduction = n.getString("reduction", "none");
  if (reduction != "none")
    return n.emitError() << "reduction '" << reduction
                         << "' is not supported (only 'none')";
  return resultsOf(n.create<ScatterNDOp>(n.unknown(), n.inputs[0], n.inputs[1],
                                         n.inputs[2]));
}

static Outputs importCompare(NodeImport &n, CompareKind kind) {
  if (failed(requireInputs(n, 2)))
    return failure();
  return resultsOf(n.create<CompareOp>(n.unknown(n.b.getI1Type()), kind,
                                       n.inputs[0], n.inputs[1]));
}

static Outputs importNot(NodeImport &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  return resultsOf(n.create<NotOp>(n.unknown(n.b.getI1Type()), n.input(0)));
}

static Outputs importWhere(NodeImport &n) {
  if (failed(requireInputs(n, 3)))
    return failure();
  return resultsOf(n.create<WhereOp>(n.unknown(), n.inputs[0], n.inputs[1],
                                     n.inputs[2]));
}

static Outputs importClip(NodeImport &n) {
  Value min = n.input(1), max = n.input(2);
  if (n.opset < 11) {
    Type elementType = getElementType(n.input(0).getType());
    if (n.findAttr("min"))
      min = n.constantFloats({n.getFloat("min", 0)}, elementType, true);
    if (n.findAttr("max"))
      max = n.constantFloats({n.getFloat("max", 0)}, elementType, true);
  }
  return resultsOf(n.create<ClipOp>(n.unknown(), n.input(0), min, max));
}

static Outputs importPRelu(NodeImport &n) {
  return resultsOf(n.create<PReluOp>(n.unknown(), n.input(0), n.input(1)));
}

static Outputs importSoftmax(NodeImport &n) {
  if (n.opset >= 13)
    return resultsOf(
        n.create<SoftmaxOp>(n.unknown(), n.input(0), n.getInt("axis", -1)));
  // Before opset 13, Softmax flattened the input to 2-D at `axis`.
  int64_t axis = n.getInt("axis", 1);
  Value input = n.input(0);
  auto dims = getDims(input.getType());
  if (dims && normalizeAxis(axis, dims->size()) == int64_t(dims->size()) - 1)
    return resultsOf(n.create<SoftmaxOp>(n.unknown(), input, axis));
  Value flat = n.create<FlattenOp>(n.unknown(), input, axis);
  Value softmax = n.create<SoftmaxOp>(n.unknown(), flat, 1);
  Value shape = n.create<ShapeOp>(n.unknown(n.b.getI64Type()), input, 0,
                                  IntegerAttr());
  return resultsOf(n.create<ReshapeOp>(n.unknown(), softmax, shape, false));
}

//===----------------------------------------------------------------------===//
// Linear algebra and reductions
//===----------------------------------------------------------------------===//

static Outputs importGemm(NodeImport &n) {
  return resultsOf(n.create<GemmOp>(
      n.unknown(), n.input(0), n.input(1), n.input(2),
      APFloat(n.getFloat("alpha", 1.0f)), APFloat(n.getFloat("beta", 1.0f)),
      n.getInt("transA", 0) != 0, n.getInt("transB", 0) != 0));
}

static Outputs importMatMul(NodeImport &n) {
  return resultsOf(n.create<MatMulOp>(n.unknown(), n.input(0), n.input(1)));
}

// Einsum of the two forms networks use: one operand transposed and summed
// over the letters the output drops, or a batched matrix product of two
// (attention's "BGHID,BGHJD->BGHIJ" in torchvision's MaxViT): each operand
// transposed to [batch.., rows, k] and [batch.., k, columns], one nn.matmul,
// the product transposed to the output's order. Other forms (diagonals,
// products with several contracted letters or none, ellipses) are refused.
static Outputs importEinsum(NodeImport &n) {
  std::string written = n.getString("equation", ""), equation;
  for (char c : written)
    if (c != ' ')
      equation.push_back(c);
  auto refuse = [&] {
    return n.emitError()
           << "'" << written
           << "': this form is not supported (mlc imports a transpose and sum "
              "of one operand, or a batched matrix product of two with one "
              "contracted letter and one free letter each)";
  };
  // Letters, none repeated (a repeat is a diagonal).
  auto letters = [](StringRef term) {
    llvm::SmallSet<char, 8> seen;
    return llvm::all_of(term, [&](char c) {
      return llvm::isAlpha(c) && seen.insert(c).second;
    });
  };
  if (!StringRef(equation).contains("->")) {
    // Implicit output: the letters that occur once, in alphabetical order.
    std::string implicit;
    for (char c = 'A'; c <= 'z'; ++c)
      if (llvm::isAlpha(c) && llvm::count(equation, c) == 1)
        implicit.push_back(c);
    equation += "->" + implicit;
  }
  auto [operands, output] = StringRef(equation).split("->");
  SmallVector<StringRef> terms;
  operands.split(terms, ',');
  if (terms.size() != n.inputs.size() || terms.size() > 2 ||
      llvm::is_contained(n.inputs, Value()) || !letters(output) ||
      !llvm::all_of(terms, letters))
    return refuse();
  for (auto [value, term] : llvm::zip(n.inputs, terms))
    if (auto type = dyn_cast<RankedTensorType>(value.getType());
        type && type.getRank() != int64_t(term.size()))
      return n.emitError() << "'" << written << "': operand of rank "
                           << type.getRank() << " for the term " << term;
  // Transposes `value`, whose dims are named by `from`, to the order `to`.
  auto reorder = [&](Value value, StringRef from, StringRef to) -> Value {
    SmallVector<int64_t> perm;
    for (char c : to)
      perm.push_back(from.find(c));
    if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
      return value;
    return n.create<TransposeOp>(n.unknown(), value,
                                 n.b.getDenseI64ArrayAttr(perm));
  };
  if (terms.size() == 1) {
    StringRef in = terms[0];
    SmallVector<int64_t> summed;
    std::string kept;
    for (auto [i, c] : llvm::enumerate(in)) {
      if (output.contains(c))
        kept.push_back(c);
      else
        summed.push_back(i);
    }
    if (kept.size() != output.size())
      return refuse();
    Value value = n.inputs[0];
    if (!summed.empty())
      value = n.create<ReduceOp>(n.unknown(), ReduceKind::sum, value,
                                 n.constantInts(summed), false, false);
    return SmallVector<Value>{reorder(value, kept, output)};
  }
  StringRef lhs = terms[0], rhs = terms[1];
  std::string batch, rows, columns, contracted;
  for (char c : output) {
    bool inL = lhs.contains(c), inR = rhs.contains(c);
    if (inL && inR)
      batch.push_back(c);
    else if (inL)
      rows.push_back(c);
    else if (inR)
      columns.push_back(c);
    else
      return refuse();
  }
  for (char c : lhs)
    if (!output.contains(c)) {
      if (!rhs.contains(c))
        return refuse();
      contracted.push_back(c);
    }
  for (char c : rhs)
    if (!output.contains(c) && !lhs.contains(c))
      return refuse();
  if (rows.size() != 1 || columns.size() != 1 || contracted.size() != 1)
    return refuse();
  Value a = reorder(n.inputs[0], lhs, batch + rows + contracted);
  Value b = reorder(n.inputs[1], rhs, batch + contracted + columns);
  Value product = n.create<MatMulOp>(n.unknown(), a, b);
  return SmallVector<Value>{reorder(product, batch + rows + columns, output)};
}

// Ops of the decompositions below (Gelu, LayerNormalization), their types
// inferred.
static Value binaryOf(NodeImport &n, BinaryKind kind, Value a, Value b) {
  return n.create<BinaryOp>(n.unknown(), kind, a, b);
}

static Value unaryOf(NodeImport &n, UnaryKind kind, Value x) {
  return n.create<UnaryOp>(n.unknown(), kind, x, FloatAttr(), FloatAttr());
}

// Gelu (opset 20): x * (Erf(x / sqrt 2) + 1) * 0.5, as torch exported GELU
// before, which the compiler fuses as an activation; approximate = "tanh"
// as its formula, x * (Tanh(sqrt(2 / pi) * (x + 0.044715 x^3)) + 1) * 0.5.
static Outputs importGelu(NodeImport &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  Value x = n.inputs[0];
  Type elementType = getElementType(x.getType());
  auto scalar = [&](double v) {
    return n.constantFloats({float(v)}, elementType, true);
  };
  auto binary = [&](BinaryKind kind, Value a, Value b) {
    return binaryOf(n, kind, a, b);
  };
  auto unary = [&](UnaryKind kind, Value v) { return unaryOf(n, kind, v); };
  std::string approximate = n.getString("approximate", "none");
  Value gate;
  if (approximate == "none") {
    gate = unary(UnaryKind::erf, binary(BinaryKind::div, x, scalar(std::sqrt(2.0))));
  } else if (approximate == "tanh") {
    Value cube = binary(BinaryKind::mul, binary(BinaryKind::mul, x, x), x);
    Value inner = binary(BinaryKind::add, x,
                         binary(BinaryKind::mul, cube, scalar(0.044715)));
    gate = unary(UnaryKind::tanh,
                 binary(BinaryKind::mul, inner, scalar(std::sqrt(2.0 / M_PI))));
  } else {
    return n.emitError() << "approximate '" << approximate
                         << "' is not supported (none or tanh)";
  }
  Value plusOne = binary(BinaryKind::add, gate, scalar(1.0));
  return SmallVector<Value>{binary(BinaryKind::mul,
                                   binary(BinaryKind::mul, x, plusOne),
                                   scalar(0.5))};
}

// LayerNormalization (opset 17, torch's nn.LayerNorm from then on) over the
// dims from `axis` on, written as the ops torch exported it as before
// (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add), which mlc
// runs fast; Mean and InvStdDev, where named, from the same pieces.
static Outputs importLayerNorm(NodeImport &n) {
  Value x = n.input(0), scale = n.input(1), bias = n.input(2);
  if (!x || !scale)
    return n.emitError() << "needs its input and scale";
  auto type = dyn_cast<RankedTensorType>(x.getType());
  if (!type)
    return n.emitError() << "needs an input of known rank";
  int64_t rank = type.getRank(), axis = n.getInt("axis", -1);
  if (axis < -rank || axis >= rank)
    return n.emitError() << "axis " << axis << " is out of range for rank "
                         << rank;
  if (axis < 0)
    axis += rank;
  Type elementType = type.getElementType();
  SmallVector<int64_t> axes;
  for (int64_t d = axis; d < rank; ++d)
    axes.push_back(d);
  auto mean = [&](Value v) -> Value {
    return n.create<ReduceOp>(n.unknown(), ReduceKind::mean, v,
                              n.constantInts(axes), true, false);
  };
  auto binary = [&](BinaryKind kind, Value a, Value b) {
    return binaryOf(n, kind, a, b);
  };
  Value average = mean(x);
  Value centered = binary(BinaryKind::sub, x, average);
  Value variance = mean(binary(BinaryKind::pow, centered,
                               n.constantFloats({2.0f}, elementType, true)));
  Value epsilon =
      n.constantFloats({n.getFloat("epsilon", 1e-5f)}, elementType, true);
  Value deviation =
      unaryOf(n, UnaryKind::sqrt, binary(BinaryKind::add, variance, epsilon));
  Value y = binary(BinaryKind::mul, binary(BinaryKind::div, centered, deviation),
                   scale);
  if (bias)
    y = binary(BinaryKind::add, y, bias);
  SmallVector<Value> results{y};
  if (n.node.output_size() > 1)
    results.push_back(average);
  if (n.node.output_size() > 2)
    results.push_back(unaryOf(n, UnaryKind::reciprocal, deviation));
  return results;
}

static Outputs importReduce(NodeImport &n, ReduceKind kind) {
  // Axes became an input in opset 13 for ReduceSum, 18 for the others.
  int64_t axesInputSince = kind == ReduceKind::sum ? 13 : 18;
  Value axes = n.opset >= axesInputSince ? presentInput(n, 1)
                                         : intsFromAttr(n, "axes");
  return resultsOf(n.create<ReduceOp>(
      n.unknown(), kind, n.input(0), axes, n.getInt("keepdims", 1) != 0,
      n.getInt("noop_with_empty_axes", 0) != 0));
}

//===----------------------------------------------------------------------===//
// Resampling and layout
//===----------------------------------------------------------------------===//

static FailureOr<ResizeMode> parseResizeMode(NodeImport &n) {
  return parseChoice<ResizeMode>(n, "mode", "nearest",
                                 {{"nearest", ResizeMode::nearest},
                                  {"linear", ResizeMode::linear},
                                  {"bilinear", ResizeMode::linear},
                                  {"cubic", ResizeMode::cubic}});
}

// Upsample (opsets 7-9) and Resize of opset 10: scales only, asymmetric
// coordinates, nearest rounding down.
static Outputs importLegacyResize(NodeImport &n, Value scales) {
  FailureOr<ResizeMode> mode = parseResizeMode(n);
  if (failed(mode))
    return failure();
  return resultsOf(n.create<ResizeOp>(
      n.unknown(), n.input(0), Value(), scales, Value(), *mode,
      CoordinateTransform::asymmetric, NearestMode::floor, APFloat(-0.75f),
      false, APFloat(0.0f), false, ArrayRef<int64_t>{},
      AspectRatioPolicy::stretch));
}

static Outputs importUpsample(NodeImport &n) {
  Value scales = n.opset >= 9 ? n.input(1)
                              : n.constantFloats(n.getFloats("scales"),
                                                 n.b.getF32Type());
  return importLegacyResize(n, scales);
}

static Outputs importResize(NodeImport &n) {
  if (n.opset < 11)
    return importLegacyResize(n, n.input(1));
  FailureOr<ResizeMode> mode = parseResizeMode(n);
  FailureOr<CoordinateTransform> transform = parseChoice<CoordinateTransform>(
      n, "coordinate_transformation_mode", "half_pixel",
      {{"half_pixel", CoordinateTransform::half_pixel},
       {"pytorch_half_pixel", CoordinateTransform::pytorch_half_pixel},
       {"align_corners", CoordinateTransform::align_corners},
       {"asymmetric", CoordinateTransform::asymmetric},
       {"tf_crop_and_resize", CoordinateTransform::tf_crop_and_resize},
       {"half_pixel_symmetric", CoordinateTransform::half_pixel_symmetric}});
  FailureOr<NearestMode> nearest = parseChoice<NearestMode>(
      n, "nearest_mode", "round_prefer_floor",
      {{"round_prefer_floor", NearestMode::round_prefer_floor},
       {"round_prefer_ceil", NearestMode::round_prefer_ceil},
       {"floor", NearestMode::floor},
       {"ceil", NearestMode::ceil}});
  FailureOr<AspectRatioPolicy> policy = parseChoice<AspectRatioPolicy>(
      n, "keep_aspect_ratio_policy", "stretch",
      {{"stretch", AspectRatioPolicy::stretch},
       {"not_larger", AspectRatioPolicy::not_larger},
       {"not_smaller", AspectRatioPolicy::not_smaller}});
  if (failed(mode) || failed(transform) || failed(nearest) || failed(policy))
    return failure();
  Value roi = *transform == CoordinateTransform::tf_crop_and_resize
                  ? presentInput(n, 1)
                  : Value();
  return resultsOf(n.create<ResizeOp>(
      n.unknown(), n.input(0), roi, presentInput(n, 2), presentInput(n, 3),
      *mode, *transform, *nearest, APFloat(n.getFloat("cubic_coeff_a", -0.75f)),
      n.getInt("exclude_outside", 0) != 0,
      APFloat(n.getFloat("extrapolation_value", 0.0f)),
      n.getInt("antialias", 0) != 0, n.getInts("axes"), *policy));
}

static Outputs importDepthToSpace(NodeImport &n) {
  FailureOr<DepthToSpaceMode> mode = parseChoice<DepthToSpaceMode>(
      n, "mode", "DCR",
      {{"DCR", DepthToSpaceMode::dcr}, {"CRD", DepthToSpaceMode::crd}});
  if (failed(mode))
    return failure();
  return resultsOf(n.create<DepthToSpaceOp>(
      n.unknown(), n.input(0), n.getInt("blocksize", 0), *mode));
}

static Outputs importSpaceToDepth(NodeImport &n) {
  return resultsOf(n.create<SpaceToDepthOp>(n.unknown(), n.input(0),
                                            n.getInt("blocksize", 0)));
}

static Outputs importPad(NodeImport &n) {
  FailureOr<PadMode> mode = parseChoice<PadMode>(
      n, "mode", "constant",
      {{"constant", PadMode::constant}, {"reflect", PadMode::reflect},
       {"edge", PadMode::edge}, {"wrap", PadMode::wrap}});
  if (failed(mode))
    return failure();
  Value pads = n.input(1), value = presentInput(n, 2), axes = presentInput(n, 3);
  if (n.opset < 11) {
    pads = n.constantInts(n.getInts("pads"));
    value = n.constantFloats({n.getFloat("value", 0.0f)},
                             getElementType(n.input(0).getType()), true);
  }
  return resultsOf(
      n.create<PadOp>(n.unknown(), n.input(0), pads, value, axes, *mode));
}

static Outputs importReshape(NodeImport &n) {
  return resultsOf(n.create<ReshapeOp>(n.unknown(), n.input(0), n.input(1),
                                       n.getInt("allowzero", 0) != 0));
}

static Outputs importFlatten(NodeImport &n) {
  return resultsOf(
      n.create<FlattenOp>(n.unknown(), n.input(0), n.getInt("axis", 1)));
}

static Outputs importTranspose(NodeImport &n) {
  DenseI64ArrayAttr perm;
  if (n.findAttr("perm"))
    perm = n.b.getDenseI64ArrayAttr(n.getInts("perm"));
  return resultsOf(n.create<TransposeOp>(n.unknown(), n.input(0), perm));
}

static Outputs importSqueeze(NodeImport &n) {
  Value axes = n.opset >= 13 ? presentInput(n, 1) : intsFromAttr(n, "axes");
  return resultsOf(n.create<SqueezeOp>(n.unknown(), n.input(0), axes));
}

static Outputs importUnsqueeze(NodeImport &n) {
  Value axes = n.opset >= 13 ? n.input(1) : intsFromAttr(n, "axes");
  if (!axes)
    return n.emitError() << "needs axes";
  return resultsOf(n.create<UnsqueezeOp>(n.unknown(), n.input(0), axes));
}

static Outputs importConcat(NodeImport &n) {
  if (!n.findAttr("axis"))
    return n.emitError() << "needs an axis";
  return resultsOf(
      n.create<ConcatOp>(n.unknown(), n.inputs, n.getInt("axis", 0)));
}

static Outputs importSplit(NodeImport &n) {
  Value split = n.opset >= 13 ? presentInput(n, 1) : intsFromAttr(n, "split");
  SmallVector<Type> types(n.node.output_size(), n.unknown());
  return resultsOf(n.create<SplitOp>(types, n.input(0), split,
                                     n.getInt("axis", 0)));
}

static Outputs importExpand(NodeImport &n) {
  return resultsOf(n.create<ExpandOp>(n.unknown(), n.input(0), n.input(1)));
}

//===----------------------------------------------------------------------===//
// Shape computations and constants
//===----------------------------------------------------------------------===//

static Outputs importShape(NodeImport &n) {
  IntegerAttr end;
  if (n.findAttr("end"))
    end = n.b.getI64IntegerAttr(n.getInt("end", 0));
  return resultsOf(n.create<ShapeOp>(n.unknown(n.b.getI64Type()), n.input(0),
                                     n.getInt("start", 0), end));
}

static Outputs importGather(NodeImport &n) {
  return resultsOf(n.create<GatherOp>(n.unknown(), n.input(0), n.input(1),
                                      n.getInt("axis", 0)));
}

static Outputs importSlice(NodeImport &n) {
  if (n.opset < 10)
    return resultsOf(n.create<SliceOp>(
        n.unknown(), n.input(0), n.constantInts(n.getInts("starts")),
        n.constantInts(n.getInts("ends")), intsFromAttr(n, "axes"), Value()));
  return resultsOf(n.create<SliceOp>(n.unknown(), n.input(0), n.input(1),
                                     n.input(2), presentInput(n, 3),
                                     presentInput(n, 4)));
}

static Outputs importCast(NodeImport &n) {
  int64_t to = n.getInt("to", 0);
  Type elementType = onnx_types::getElementType(n.b.getContext(), to);
  if (!elementType)
    return n.emitError() << "casts to the data type "
                         << onnx_types::getDataTypeName(to)
                         << (to > 22 || to < 0
                                 ? ", which ONNX does not define"
                                 : ", which mlc does not support");
  return resultsOf(n.create<CastOp>(n.unknown(elementType), n.input(0)));
}

// The tensor an attribute holds. The importer owns the model and reads it
// once, so the tensor gives up its bytes to the attribute.
static FailureOr<ElementsAttr> importTensorAttr(NodeImport &n,
                                                const ::onnx::AttributeProto &attr,
                                                const ::onnx::TensorProto &tensor) {
  auto &owned = const_cast<::onnx::TensorProto &>(tensor);
  if (owned.name().empty())
    owned.set_name(n.node.output_size() ? n.node.output(0) : attr.name());
  // The location names the node already.
  return n.tensors.import(owned, n.loc, ("attribute '" + attr.name() + "'"));
}

static Outputs importConstant(NodeImport &n) {
  if (n.node.attribute_size() != 1)
    return n.emitError() << "needs exactly one value attribute";
  const auto &attr = n.node.attribute(0);
  ElementsAttr value;
  Builder &b = n.b;
  StringRef name = attr.name();
  if (name == "value") {
    FailureOr<ElementsAttr> tensor = importTensorAttr(n, attr, attr.t());
    if (failed(tensor))
      return failure();
    value = *tensor;
  } else if (name == "value_float" || name == "value_floats") {
    bool scalar = name == "value_float";
    auto floats = scalar ? SmallVector<float>{attr.f()} : n.getFloats(name);
    auto type = RankedTensorType::get(
        scalar ? ArrayRef<int64_t>{} : ArrayRef<int64_t>{int64_t(floats.size())},
        b.getF32Type());
    value = DenseElementsAttr::get(type, ArrayRef<float>(floats));
  } else if (name == "value_int" || name == "value_ints") {
    bool scalar = name == "value_int";
    auto ints = scalar ? SmallVector<int64_t>{attr.i()} : n.getInts(name);
    auto type = RankedTensorType::get(
        scalar ? ArrayRef<int64_t>{} : ArrayRef<int64_t>{int64_t(ints.size())},
        b.getI64Type());
    value = DenseElementsAttr::get(type, ArrayRef<int64_t>(ints));
  } else {
    return n.emitError() << "holds a " << name
                         << ", which mlc does not support";
  }
  return resultsOf(n.create<ConstantOp>(value.getType(), value));
}

static Outputs importConstantOfShape(NodeImport &n) {
  ElementsAttr value;
  if (const auto *attr = n.findAttr("value")) {
    FailureOr<ElementsAttr> tensor = importTensorAttr(n, *attr, attr->t());
    if (failed(tensor))
      return failure();
    value = *tensor;
  }
  return resultsOf(
      n.create<ConstantOfShapeOp>(n.unknown(), n.input(0), value));
}

//===----------------------------------------------------------------------===//
// Quantization, and operators that import as their input
//===----------------------------------------------------------------------===//

static Outputs importQuantize(NodeImport &n) {
  return resultsOf(n.create<QuantizeLinearOp>(
      n.unknown(), n.input(0), n.input(1), presentInput(n, 2),
      n.getInt("axis", 1), n.getInt("block_size", 0)));
}

static Outputs importDequantize(NodeImport &n) {
  return resultsOf(n.create<DequantizeLinearOp>(
      n.unknown(), n.input(0), n.input(1), presentInput(n, 2),
      n.getInt("axis", 1), n.getInt("block_size", 0)));
}

// Identity, and Dropout at inference or of ratio 0 (torchvision's Swin
// calls dropout(p=0, training=True)); in training mode otherwise it is random,
// kept as nn.custom. Dropout's mask, where an exporter names it (torch does,
// used or not), then keeps everything: all true.
static Outputs importIdentity(NodeImport &n) {
  if (Value training = presentInput(n, 2)) {
    std::optional<SmallVector<int64_t>> mode = getConstantInts(training);
    std::optional<SmallVector<double>> ratio;
    if (Value given = presentInput(n, 1))
      ratio = getConstantFloats(given);
    bool keepsAll = ratio && ratio->size() == 1 && (*ratio)[0] == 0;
    if (!keepsAll && (!mode || mode->size() != 1 || (*mode)[0] != 0))
      return SmallVector<Value>();
  }
  SmallVector<Value> results{n.input(0)};
  if (n.node.output_size() > 1 && !n.node.output(1).empty()) {
    Type i1 = n.b.getI1Type();
    Value shape = n.create<ShapeOp>(n.unknown(n.b.getI64Type()), n.input(0),
                                    0, IntegerAttr());
    auto all = DenseElementsAttr::get(RankedTensorType::get({1}, i1), true);
    results.push_back(n.create<ConstantOfShapeOp>(n.unknown(i1), shape, all));
  }
  return results;
}

//===----------------------------------------------------------------------===//
// The table
//===----------------------------------------------------------------------===//

const llvm::StringMap<OpImporter> &mlc::onnx_import::getOpImporters() {
#define UNARY(name, kind)                                                      \
  {name, [](NodeImport &n) { return importUnary(n, UnaryKind::kind); }}
#define BINARY(name, kind)                                                     \
  {name, [](NodeImport &n) { return importBinary(n, BinaryKind::kind); }}
#define COMPARE(name, kind)                                                    \
  {name, [](NodeImport &n) { return importCompare(n, CompareKind::kind); }}
#define REDUCE(name, kind)                                                     \
  {name, [](NodeImport &n) { return importReduce(n, ReduceKind::kind); }}
  static const llvm::StringMap<OpImporter> importers = {
      {"Conv", importConv},
      {"ConvTranspose", importConvTranspose},
      {"MaxPool", [](NodeImport &n) { return importPool(n, PoolKind::max); }},
      {"AveragePool",
       [](NodeImport &n) { return importPool(n, PoolKind::average); }},
      {"GlobalMaxPool",
       [](NodeImport &n) -> Outputs {
         return resultsOf(n.create<GlobalPoolOp>(n.unknown(), PoolKind::max,
                                                 n.input(0)));
       }},
      {"GlobalAveragePool",
       [](NodeImport &n) -> Outputs {
         return resultsOf(n.create<GlobalPoolOp>(
             n.unknown(), PoolKind::average, n.input(0)));
       }},
      {"BatchNormalization", importBatchNorm},
      {"InstanceNormalization", importInstanceNorm},
      UNARY("Relu", relu),
      UNARY("LeakyRelu", leaky_relu),
      UNARY("Sigmoid", sigmoid),
      UNARY("Tanh", tanh),
      UNARY("HardSigmoid", hard_sigmoid),
      UNARY("HardSwish", hard_swish),
      UNARY("Elu", elu),
      UNARY("Softplus", softplus),
      UNARY("Exp", exp),
      UNARY("Log", log),
      UNARY("Sqrt", sqrt),
      UNARY("Erf", erf),
      UNARY("Abs", abs),
      UNARY("Neg", neg),
      UNARY("Floor", floor),
      UNARY("Ceil", ceil),
      UNARY("Reciprocal", reciprocal),
      BINARY("Add", add),
      BINARY("Sub", sub),
      BINARY("Mul", mul),
      BINARY("Div", div),
      BINARY("Pow", pow),
      BINARY("Max", max),
      BINARY("Min", min),
      BINARY("Sum", add),
      COMPARE("Equal", equal),
      COMPARE("Less", less),
      COMPARE("LessOrEqual", less_or_equal),
      COMPARE("Greater", greater),
      COMPARE("GreaterOrEqual", greater_or_equal),
      {"Not", importNot},
      {"Mod", importMod},
      {"Range", importRange},
      {"ScatterND", importScatterND},
      {"Where", importWhere},
      {"Clip", importClip},
      {"PRelu", importPRelu},
      {"Softmax", importSoftmax},
      {"Gemm", importGemm},
      {"MatMul", importMatMul},
      {"Einsum", importEinsum},
      {"LayerNormalization", importLayerNorm},
      {"Gelu", importGelu},
      REDUCE("ReduceMean", mean),
      REDUCE("ReduceSum", sum),
      REDUCE("ReduceMax", max),
      REDUCE("ReduceMin", min),
      REDUCE("ReduceProd", prod),
      {"Resize", importResize},
      {"Upsample", importUpsample},
      {"DepthToSpace", importDepthToSpace},
      {"SpaceToDepth", importSpaceToDepth},
      {"Pad", importPad},
      {"Reshape", importReshape},
      {"Flatten", importFlatten},
      {"Transpose", importTranspose},
      {"Squeeze", importSqueeze},
      {"Unsqueeze", importUnsqueeze},
      {"Concat", importConcat},
      {"Split", importSplit},
      {"Expand", importExpand},
      {"Shape", importShape},
      {"Gather", importGather},
      {"Slice", importSlice},
      {"Cast", importCast},
      {"Constant", importConstant},
      {"ConstantOfShape", importConstantOfShape},
      {"QuantizeLinear", importQuantize},
      {"DequantizeLinear", importDequantize},
      {"Identity", importIdentity},
      {"Dropout", importIdentity},
  };
#undef UNARY
#undef BINARY
#undef COMPARE
#undef REDUCE
  return importers;
}

//===----------------------------------------------------------------------===//
// Attributes of custom ops
//===----------------------------------------------------------------------===//

FailureOr<DictionaryAttr>
mlc::onnx_import::importCustomAttributes(NodeImport &n) {
  Builder &b = n.b;
  SmallVector<NamedAttribute> attrs;
  for (const auto &attr : n.node.attribute()) {
    Attribute value;
    auto type = attr.type();
    // Old exporters leave the type out; the filled field tells it.
    if (type == ::onnx::AttributeProto::UNDEFINED) {
      if (attr.has_f()) type = ::onnx::AttributeProto::FLOAT;
      else if (attr.has_i()) type = ::onnx::AttributeProto::INT;
      else if (attr.has_s()) type = ::onnx::AttributeProto::STRING;
      else if (attr.has_t()) type = ::onnx::AttributeProto::TENSOR;
      else if (attr.floats_size()) type = ::onnx::AttributeProto::FLOATS;
      else if (attr.ints_size()) type = ::onnx::AttributeProto::INTS;
      else if (attr.strings_size()) type = ::onnx::AttributeProto::STRINGS;
      else if (attr.tensors_size()) type = ::onnx::AttributeProto::TENSORS;
    }
    switch (type) {
    case ::onnx::AttributeProto::FLOAT:
      value = b.getF32FloatAttr(attr.f());
      break;
    case ::onnx::AttributeProto::INT:
      value = b.getI64IntegerAttr(attr.i());
      break;
    case ::onnx::AttributeProto::STRING:
      value = b.getStringAttr(attr.s());
      break;
    case ::onnx::AttributeProto::FLOATS:
      value = b.getDenseF32ArrayAttr(n.getFloats(attr.name()));
      break;
    case ::onnx::AttributeProto::INTS:
      value = b.getDenseI64ArrayAttr(n.getInts(attr.name()));
      break;
    case ::onnx::AttributeProto::STRINGS: {
      SmallVector<StringRef> strings(attr.strings().begin(),
                                     attr.strings().end());
      value = b.getStrArrayAttr(strings);
      break;
    }
    case ::onnx::AttributeProto::TENSOR: {
      FailureOr<ElementsAttr> tensor = importTensorAttr(n, attr, attr.t());
      if (failed(tensor))
        return failure();
      value = *tensor;
      break;
    }
    case ::onnx::AttributeProto::TENSORS: {
      SmallVector<Attribute> tensors;
      for (const auto &t : attr.tensors()) {
        FailureOr<ElementsAttr> tensor = importTensorAttr(n, attr, t);
        if (failed(tensor))
          return failure();
        tensors.push_back(*tensor);
      }
      value = b.getArrayAttr(tensors);
      break;
    }
    default:
      return n.emitError() << "attribute '" << attr.name()
                           << "' holds a graph, sparse tensor or type, which "
                              "mlc does not import";
    }
    attrs.push_back(b.getNamedAttr(attr.name(), value));
  }
  return b.getDictionaryAttr(attrs);
}
