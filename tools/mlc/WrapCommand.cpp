//===- WrapCommand.cpp - mlc wrap: a custom model as a .mlc ---------------===//
//
// A custom model is a registered custom layer class that is the whole model:
// `mlc wrap` writes it as a graph of one nn.custom op (its inputs with their
// shape sets, its weights from .npy files, its attributes, its shape rule)
// and compiles that like any model, so the runtime loads and runs it through
// the same Session API, input shape checks, plans and batches.
//
//===----------------------------------------------------------------------===//

#include "WrapCommand.h"
#include "CommandContext.h"

#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Driver/ModelIO.h"
#include "mlc/Runtime/Npy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlc::nn;

namespace mlc::cli {
namespace {

// The MLIR element type of a runtime element type.
Type elementTypeOf(Builder &b, rt::ElementType type) {
  switch (type) {
  case rt::ElementType::f32: return b.getF32Type();
  case rt::ElementType::f16: return b.getF16Type();
  case rt::ElementType::f64: return b.getF64Type();
  case rt::ElementType::i8: return b.getIntegerType(8);
  case rt::ElementType::u8: return b.getIntegerType(8, false);
  case rt::ElementType::i16: return b.getIntegerType(16);
  case rt::ElementType::i32: return b.getIntegerType(32);
  case rt::ElementType::i64: return b.getIntegerType(64);
  default: return Type();
  }
}

// KEY=VALUE as an integer, a float or a string attribute.
Attribute parseAttribute(Builder &b, StringRef value) {
  int64_t i;
  if (!value.getAsInteger(10, i))
    return b.getI64IntegerAttr(i);
  double d;
  if (!value.getAsDouble(d))
    return b.getF32FloatAttr(d);
  return b.getStringAttr(value);
}

} // namespace

int runWrap(const WrapOptions &o) {
  CommandContext command;
  MLIRContext &context = command.context;
  auto fail = [&](const std::string &message) {
    llvm::errs() << "mlc wrap: error: " << message << "\n";
    return 2;
  };
  StringRef ext = llvm::sys::path::extension(o.output);
  if (ext != ".mlc" && ext != ".mlir" && ext != ".mlirbc")
    return fail(o.output + ": write a custom model to .mlc, .mlir or .mlirbc");
  if (o.inputs.empty())
    return fail("give the model's inputs: --input NAME=SHAPES");
  bool fixed = !o.outputShape.empty();
  std::string rule = fixed ? "fixed" : o.shapeRule;

  OpBuilder b(&context);
  Location loc = b.getUnknownLoc();
  // Inputs: NAME=1x3x224x224,1x3x448x448 or NAME=1x3x(224..448:32)x(224..448:32).
  SmallVector<Type> inputTypes;
  SmallVector<std::string> inputNames;
  SmallVector<ShapeSetAttr> shapeSets;
  for (const std::string &input : o.inputs) {
    auto [name, text] = StringRef(input).split('=');
    if (name.empty() || text.empty())
      return fail("--input '" + input + "': use NAME=SHAPES");
    std::string spaced;
    for (StringRef part : llvm::split(text, ','))
      spaced += (spaced.empty() ? "" : ", ") + part.trim().str();
    std::string error;
    ShapeSetAttr set = ShapeSetAttr::parseText(&context, spaced, error);
    if (!set)
      return fail("--input '" + input + "': " + error);
    inputNames.push_back(name.str());
    shapeSets.push_back(set);
    inputTypes.push_back(RankedTensorType::get(set.getTypeShape(), b.getF32Type()));
  }
  // The output: declared static with --output-shape, else of input 0's rank
  // with the dims the shape rule gives.
  Type outputType;
  if (fixed) {
    SmallVector<int64_t> dims;
    for (StringRef part : llvm::split(StringRef(o.outputShape), 'x')) {
      int64_t d;
      if (part.getAsInteger(10, d) || d < 0)
        return fail("--output-shape '" + o.outputShape +
                    "' is not a shape like 1x1000");
      dims.push_back(d);
    }
    outputType = RankedTensorType::get(dims, b.getF32Type());
  } else {
    int64_t rank = cast<RankedTensorType>(inputTypes[0]).getRank();
    outputType = RankedTensorType::get(
        SmallVector<int64_t>(rank, ShapedType::kDynamic), b.getF32Type());
  }

  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  auto func = b.create<func::FuncOp>(
      loc, "main", b.getFunctionType(inputTypes, {outputType}));
  for (size_t i = 0; i < inputNames.size(); ++i) {
    func.setArgAttr(i, NNDialect::kNameAttr, b.getStringAttr(inputNames[i]));
    func.setArgAttr(i, NNDialect::kShapesAttr, shapeSets[i]);
  }
  func.setResultAttr(0, NNDialect::kNameAttr, b.getStringAttr(o.outputName));
  Block *body = func.addEntryBlock();
  b.setInsertionPointToStart(body);
  SmallVector<Value> operands(body->getArguments());
  // Weights: each .npy a constant operand, in order.
  try {
    for (const std::string &path : o.weights) {
      rt::Tensor tensor = rt::readNpy(path);
      Type elementType = elementTypeOf(b, tensor.type());
      if (!elementType)
        return fail(path + ": weights of type " +
                    rt::elementTypeName(tensor.type()) + " are not supported");
      auto type = RankedTensorType::get(tensor.shape(), elementType);
      auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
          ArrayRef<char>(static_cast<const char *>(tensor.data()),
                         tensor.byteSize()),
          64);
      std::string name = llvm::sys::path::stem(path).str();
      operands.push_back(b.create<ConstantOp>(
          loc, type, DenseResourceElementsAttr::get(type, name, std::move(blob))));
    }
  } catch (const rt::Error &e) {
    return fail(e.what());
  }
  SmallVector<NamedAttribute> attributes;
  attributes.push_back(b.getNamedAttr("mlc_shape_rule", b.getStringAttr(rule)));
  for (const std::string &attribute : o.attributes) {
    auto [key, value] = StringRef(attribute).split('=');
    if (key.empty() || !StringRef(attribute).contains('='))
      return fail("--attribute '" + attribute + "': use KEY=VALUE");
    attributes.push_back(b.getNamedAttr(key, parseAttribute(b, value)));
  }
  auto custom = b.create<CustomOp>(
      NameLoc::get(b.getStringAttr(o.className)), TypeRange{outputType},
      operands, o.className, o.domain, b.getDictionaryAttr(attributes));
  b.create<func::ReturnOp>(loc, custom.getResults());
  if (failed(verify(*module)))
    return 2;
  if (failed(saveModel(*module, o.output)))
    return 2;
  if (o.json) {
    llvm::json::Object result{{"class", o.className},
                              {"domain", o.domain},
                              {"inputs", int64_t(inputNames.size())},
                              {"weights", int64_t(o.weights.size())},
                              {"shape_rule", rule},
                              {"output", o.output}};
    llvm::outs() << llvm::formatv("{0:2}", llvm::json::Value(std::move(result)))
                 << "\n";
  } else if (!o.quiet)
    llvm::outs() << "wrapped custom model class " << o.className << " ("
                 << inputNames.size() << " input" << (inputNames.size() == 1 ? "" : "s")
                 << ", " << o.weights.size() << " weight"
                 << (o.weights.size() == 1 ? "" : "s") << ", shape rule " << rule
                 << ") into " << o.output << "\n";
  return 0;
}

} // namespace mlc::cli
