//===- GraphImporter.cpp - An ONNX graph to a func.func of nn ops ---------===//

#include "Importer.h"
#include "mlc/Import/ONNX.h"
#include "mlc/ONNX/DataTypes.h"
#include "mlc/ONNX/Schemas.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"

#include <queue>

using namespace mlir;
using namespace mlc;
using namespace mlc::nn;
using namespace mlc::onnx_import;

namespace {

class GraphImporter {
public:
  GraphImporter(MLIRContext *context, StringRef path, ::onnx::ModelProto &model,
                TensorImporter &tensors)
      : context(context), model(model), graph(*model.mutable_graph()),
        fileLoc(FileLineColLoc::get(context, path, 0, 0)), builder(context),
        tensors(tensors), shapes(context) {
    tensors.setModelDir(llvm::sys::path::parent_path(path));
  }

  OwningOpRef<ModuleOp> run();

private:
  LogicalResult readOpsets();
  Location nodeLoc(const ::onnx::NodeProto &node);
  FailureOr<Type> importType(const ::onnx::TypeProto &type, StringRef what,
                             SmallVectorImpl<std::string> *dimParams);
  FailureOr<Value> lookup(StringRef name, const ::onnx::NodeProto &user);
  FailureOr<SmallVector<const ::onnx::NodeProto *>> sortNodes();
  LogicalResult importNode(const ::onnx::NodeProto &node);
  FailureOr<SmallVector<Value>> importCustom(NodeImport &node);
  LogicalResult bindOutput(StringRef name, Value value, Location loc);
  void setModuleAttributes(ModuleOp module);
  LogicalResult importShapeSets(func::FuncOp func);
  DictionaryAttr getValueAttributes(StringRef name,
                                    ArrayRef<std::string> dimParams);

  MLIRContext *context;
  ::onnx::ModelProto &model;
  ::onnx::GraphProto &graph;
  Location fileLoc;
  OpBuilder builder;
  TensorImporter &tensors;
  ShapeAnalysis shapes;

  llvm::StringMap<int64_t> opsets;                     // by domain
  llvm::StringMap<Value> values;                       // by tensor name
  llvm::StringMap<::onnx::TensorProto *> initializers; // not yet imported
  llvm::StringMap<Type> declaredTypes;                 // value_info, outputs
  Block *body = nullptr;
  Operation *lastConstant = nullptr; // constants stay at the top, in order
};

} // namespace

static bool isDefaultDomain(StringRef domain) {
  return domain.empty() || domain == "ai.onnx";
}

LogicalResult GraphImporter::readOpsets() {
  for (const auto &opset : model.opset_import())
    opsets[isDefaultDomain(opset.domain()) ? "ai.onnx" : opset.domain()] =
        opset.version();
  auto it = opsets.find("ai.onnx");
  bool usesDefault = llvm::any_of(graph.node(), [](const auto &node) {
    return isDefaultDomain(node.domain());
  });
  if (it == opsets.end()) {
    if (usesDefault)
      return emitError(fileLoc)
             << "the model imports no opset of the default ONNX domain";
    return success();
  }
  if (it->second > kMaxONNXOpset)
    return emitError(fileLoc) << "the model uses ONNX opset " << it->second
                              << ", newer than the newest mlc supports ("
                              << kMaxONNXOpset << ")";
  if (it->second < kMinONNXOpset)
    return emitError(fileLoc) << "the model uses ONNX opset " << it->second
                              << ", older than the oldest mlc supports ("
                              << kMinONNXOpset << ")";
  return success();
}

Location GraphImporter::nodeLoc(const ::onnx::NodeProto &node) {
  // Unnamed nodes go by their first output, which is unique in the graph.
  StringRef name = !node.name().empty()       ? StringRef(node.name())
                   : node.output_size() > 0 ? StringRef(node.output(0))
                                            : StringRef(node.op_type());
  return NameLoc::get(StringAttr::get(context, name), fileLoc);
}

FailureOr<Type>
GraphImporter::importType(const ::onnx::TypeProto &type, StringRef what,
                          SmallVectorImpl<std::string> *dimParams) {
  if (!type.has_tensor_type())
    return emitError(fileLoc) << what
                              << " is not a tensor; mlc imports tensors only";
  const auto &tensorType = type.tensor_type();
  Type elementType = onnx_types::getElementType(context, tensorType.elem_type());
  if (!elementType)
    return emitError(fileLoc)
           << what << " has the data type "
           << onnx_types::getDataTypeName(tensorType.elem_type())
           << (tensorType.elem_type() > 22 ? ", which ONNX does not define"
                                           : ", which mlc does not support");
  if (!tensorType.has_shape())
    return Type(UnrankedTensorType::get(elementType));
  SmallVector<int64_t> dims;
  for (const auto &dim : tensorType.shape().dim()) {
    if (dim.has_dim_value()) {
      if (dim.dim_value() < 0)
        return emitError(fileLoc) << what << " has the negative dim "
                                  << dim.dim_value();
      dims.push_back(dim.dim_value());
    } else {
      dims.push_back(kDynamic);
    }
    if (dimParams)
      dimParams->push_back(dim.has_dim_param() ? dim.dim_param() : "");
  }
  return Type(RankedTensorType::get(dims, elementType));
}

FailureOr<Value> GraphImporter::lookup(StringRef name,
                                       const ::onnx::NodeProto &user) {
  if (Value value = values.lookup(name))
    return value;
  auto it = initializers.find(name);
  if (it == initializers.end())
    return emitError(nodeLoc(user))
           << user.op_type() << " input '" << name
           << "' is produced by no node, initializer or graph input";
  // Initializers become constants at their first use, at the top. Their
  // errors name the file and the initializer (not a node: they have none).
  Location loc = NameLoc::get(StringAttr::get(context, name), fileLoc);
  FailureOr<ElementsAttr> attr = tensors.import(
      *it->second, fileLoc, ("initializer '" + name + "'").str());
  if (failed(attr))
    return failure();
  OpBuilder::InsertionGuard guard(builder);
  if (lastConstant)
    builder.setInsertionPointAfter(lastConstant);
  else
    builder.setInsertionPointToStart(body);
  auto constant = builder.create<ConstantOp>(loc, attr->getType(), *attr);
  lastConstant = constant;
  values[name] = constant;
  initializers.erase(it);
  return Value(constant);
}

FailureOr<SmallVector<const ::onnx::NodeProto *>> GraphImporter::sortNodes() {
  // Kahn's algorithm, taking ready nodes in file order so that an already
  // sorted graph keeps its order.
  int n = graph.node_size();
  llvm::StringMap<int> producer;
  for (int i = 0; i < n; ++i)
    for (const std::string &output : graph.node(i).output()) {
      if (output.empty())
        continue;
      auto [it, inserted] = producer.try_emplace(output, i);
      if (!inserted) {
        auto first = cast<NameLoc>(nodeLoc(graph.node(it->second)));
        return emitError(nodeLoc(graph.node(i)))
               << "tensor '" << output << "' is produced twice: node '"
               << first.getName().getValue() << "' gives it too";
      }
      if (values.count(output) || initializers.count(output))
        return emitError(nodeLoc(graph.node(i)))
               << "tensor '" << output << "' is produced twice: it is also a "
               << (values.count(output) ? "graph input" : "initializer");
    }
  std::vector<int> pending(n, 0);
  std::vector<SmallVector<int>> users(n);
  for (int i = 0; i < n; ++i)
    for (const std::string &input : graph.node(i).input()) {
      if (input.empty() || values.count(input) || initializers.count(input))
        continue;
      auto it = producer.find(input);
      if (it == producer.end())
        return emitError(nodeLoc(graph.node(i)))
               << graph.node(i).op_type() << " input '" << input
               << "' is produced by no node, initializer or graph input";
      ++pending[i];
      users[it->second].push_back(i);
    }
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < n; ++i)
    if (pending[i] == 0)
      ready.push(i);
  SmallVector<const ::onnx::NodeProto *> order;
  while (!ready.empty()) {
    int i = ready.top();
    ready.pop();
    order.push_back(&graph.node(i));
    for (int user : users[i])
      if (--pending[user] == 0)
        ready.push(user);
  }
  if (int64_t(order.size()) == n)
    return order;
  int first = std::find_if(pending.begin(), pending.end(),
                           [](int p) { return p > 0; }) -
              pending.begin();
  InFlightDiagnostic diag = emitError(nodeLoc(graph.node(first)))
                            << graph.node(first).op_type()
                            << " is part of a cycle: the graph's nodes "
                               "depend on each other in a loop";
  return diag;
}

LogicalResult GraphImporter::bindOutput(StringRef name, Value value,
                                        Location loc) {
  if (name.empty())
    return success();
  auto declared = declaredTypes.find(name);
  if (declared != declaredTypes.end() && value.getDefiningOp()) {
    if (!areCompatible(declared->second, value.getType()))
      return emitError(loc) << "the model declares '" << name << "' as "
                            << declared->second << " but its node gives "
                            << value.getType();
    value.setType(refineType(value.getType(), declared->second));
  }
  values[name] = value;
  return success();
}

FailureOr<SmallVector<Value>> GraphImporter::importCustom(NodeImport &node) {
  FailureOr<DictionaryAttr> attrs = importCustomAttributes(node);
  if (failed(attrs))
    return failure();
  SmallVector<Value> operands;
  for (Value input : node.inputs)
    if (input)
      operands.push_back(input);
  if (operands.size() != node.inputs.size())
    return node.emitError() << "(custom op)"
                            << " leaves out an optional input, which "
                               "nn.custom cannot keep";
  // What the model declares of the outputs, else unranked: the op's shape
  // behaviour is not known to nn. The element type is the one the op's ONNX
  // schema gives (TopK's indices are int64 whatever its input), else the
  // first input's.
  SmallVector<Type> inputTypes;
  for (Value input : node.inputs)
    inputTypes.push_back(input ? getElementType(input.getType()) : Type());
  SmallVector<Type> resultTypes;
  for (auto [i, output] : llvm::enumerate(node.node.output())) {
    if (Type declared = declaredTypes.lookup(output)) {
      resultTypes.push_back(declared);
      continue;
    }
    Type element = onnx_types::getSchemaOutputElementType(
        context, node.node.op_type(),
        isDefaultDomain(node.node.domain()) ? "" : node.node.domain(),
        node.opset, i, inputTypes);
    if (!element)
      element = operands.empty() ? builder.getF32Type()
                                 : getElementType(operands.front().getType());
    resultTypes.push_back(UnrankedTensorType::get(element));
  }
  auto op = builder.create<CustomOp>(
      node.loc, resultTypes, operands, node.node.op_type(),
      isDefaultDomain(node.node.domain()) ? "" : node.node.domain(), *attrs);
  return SmallVector<Value>(op.getResults());
}

LogicalResult GraphImporter::importNode(const ::onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  SmallVector<Value> inputs;
  for (const std::string &name : node.input()) {
    if (name.empty()) {
      inputs.push_back(Value());
      continue;
    }
    FailureOr<Value> value = lookup(name, node);
    if (failed(value))
      return failure();
    inputs.push_back(*value);
  }
  StringRef domain = isDefaultDomain(node.domain()) ? StringRef("ai.onnx")
                                                   : StringRef(node.domain());
  // Importers and nn's ops count on the operator's inputs being there.
  SmallVector<bool> given;
  for (const std::string &name : node.input())
    given.push_back(!name.empty());
  std::string misfit = onnx_types::checkSchemaArity(
      node.op_type(), domain == "ai.onnx" ? "" : domain, opsets.lookup(domain),
      given, node.output_size());
  if (!misfit.empty())
    return emitError(loc) << misfit;
  NodeImport import(node, loc, opsets.lookup(domain), inputs, builder, tensors,
                    shapes);
  // Operators nn does not know, and forms of known ones it does not cover
  // (an importer returns no outputs for those: BatchNormalization in
  // training mode, say), are kept whole as nn.custom.
  FailureOr<SmallVector<Value>> outputs = SmallVector<Value>();
  const auto &importers = getOpImporters();
  auto it = importers.find(node.op_type());
  if (domain == "ai.onnx" && it != importers.end())
    outputs = it->second(import);
  if (failed(outputs) || import.failed)
    return failure();
  if (outputs->empty()) {
    outputs = importCustom(import);
    if (failed(outputs))
      return failure();
  }
  for (auto [i, name] : llvm::enumerate(node.output())) {
    if (i >= outputs->size()) {
      if (!name.empty())
        return emitError(loc) << node.op_type() << " output '" << name
                              << "' has no counterpart in mlc's import";
      continue;
    }
    if (failed(bindOutput(name, (*outputs)[i], loc)))
      return failure();
  }
  return success();
}

// The attributes of a graph input or output: its name, and the names of its
// symbolic dims when it has any.
DictionaryAttr
GraphImporter::getValueAttributes(StringRef name,
                                  ArrayRef<std::string> dimParams) {
  SmallVector<NamedAttribute> attrs = {
      builder.getNamedAttr(NNDialect::kNameAttr, builder.getStringAttr(name))};
  if (llvm::any_of(dimParams, [](const std::string &p) { return !p.empty(); }))
    attrs.push_back(builder.getNamedAttr(
        NNDialect::kDimParamsAttr,
        builder.getStrArrayAttr(
            SmallVector<StringRef>(dimParams.begin(), dimParams.end()))));
  return builder.getDictionaryAttr(attrs);
}

void GraphImporter::setModuleAttributes(ModuleOp module) {
  SmallVector<NamedAttribute> opsetAttrs;
  for (const auto &entry : opsets)
    opsetAttrs.push_back(builder.getNamedAttr(
        entry.getKey(), builder.getI64IntegerAttr(entry.getValue())));
  llvm::sort(opsetAttrs, [](const NamedAttribute &a, const NamedAttribute &b) {
    return a.getName().strref() < b.getName().strref();
  });
  module->setAttr(NNDialect::kOpsetImportsAttr,
                  builder.getDictionaryAttr(opsetAttrs));
  if (!model.producer_name().empty())
    module->setAttr(NNDialect::kProducerNameAttr,
                    builder.getStringAttr(model.producer_name()));
  if (!model.producer_version().empty())
    module->setAttr(NNDialect::kProducerVersionAttr,
                    builder.getStringAttr(model.producer_version()));
  if (!graph.name().empty())
    module->setAttr(NNDialect::kGraphNameAttr,
                    builder.getStringAttr(graph.name()));
  if (model.metadata_props_size() > 0) {
    SmallVector<NamedAttribute> metadata;
    for (const auto &prop : model.metadata_props())
      if (!prop.key().empty() && prop.key() != NNDialect::kShapesMetadataKey)
        metadata.push_back(builder.getNamedAttr(
            prop.key(), builder.getStringAttr(prop.value())));
    if (!metadata.empty())
      module->setAttr(NNDialect::kModelMetadataAttr,
                      builder.getDictionaryAttr(metadata));
  }
}

// The shape sets of mlc's merged models, "image: 1x3x224x224, 1x3x448x448;
// mask: ...", onto the inputs they name.
LogicalResult GraphImporter::importShapeSets(func::FuncOp func) {
  for (const auto &prop : model.metadata_props()) {
    if (prop.key() != NNDialect::kShapesMetadataKey)
      continue;
    for (StringRef entry : llvm::split(StringRef(prop.value()), ';')) {
      auto [name, text] = entry.split(':');
      name = name.trim();
      if (name.empty())
        continue;
      auto arg = llvm::find_if(func.getArguments(), [&](BlockArgument a) {
        auto n = func.getArgAttrOfType<StringAttr>(a.getArgNumber(),
                                                   NNDialect::kNameAttr);
        return n && n.getValue() == name;
      });
      std::string error;
      ShapeSetAttr shapes = ShapeSetAttr::parseText(context, text, error);
      if (arg == func.getArguments().end() || !shapes)
        return emitError(fileLoc)
               << "metadata " << NNDialect::kShapesMetadataKey << " entry '"
               << entry.trim() << "' is invalid: "
               << (shapes ? "the model has no input '" + name.str() + "'"
                          : error);
      func.setArgAttr(arg->getArgNumber(), NNDialect::kShapesAttr, shapes);
    }
  }
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  if (failed(readOpsets()))
    return nullptr;
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  setModuleAttributes(*module);

  for (auto &tensor : *graph.mutable_initializer()) {
    if (tensor.name().empty()) {
      emitError(fileLoc) << "an initializer has no name";
      return nullptr;
    }
    if (!initializers.try_emplace(tensor.name(), &tensor).second) {
      emitError(fileLoc) << "initializer '" << tensor.name()
                         << "' is defined twice";
      return nullptr;
    }
  }
  for (const auto &info : graph.value_info()) {
    FailureOr<Type> type = importType(
        info.type(), ("value '" + info.name() + "'"), nullptr);
    if (failed(type))
      return nullptr;
    declaredTypes[info.name()] = *type;
  }

  // The graph's inputs (older models list initializers among them too).
  SmallVector<Type> argTypes;
  SmallVector<const ::onnx::ValueInfoProto *> args;
  SmallVector<DictionaryAttr> argAttrs;
  for (const auto &input : graph.input()) {
    if (initializers.count(input.name()))
      continue;
    SmallVector<std::string> dimParams;
    FailureOr<Type> type =
        importType(input.type(), ("input '" + input.name() + "'"), &dimParams);
    if (failed(type))
      return nullptr;
    argTypes.push_back(*type);
    args.push_back(&input);
    argAttrs.push_back(getValueAttributes(input.name(), dimParams));
  }
  SmallVector<DictionaryAttr> resultAttrs;
  for (const auto &output : graph.output()) {
    SmallVector<std::string> dimParams;
    if (output.has_type()) {
      FailureOr<Type> type = importType(
          output.type(), ("output '" + output.name() + "'"), &dimParams);
      if (failed(type))
        return nullptr;
      declaredTypes[output.name()] = *type;
    }
    resultAttrs.push_back(getValueAttributes(output.name(), dimParams));
  }

  builder.setInsertionPointToEnd(module->getBody());
  auto func = builder.create<func::FuncOp>(
      fileLoc, "main", builder.getFunctionType(argTypes, {}));
  body = &func.getBody().emplaceBlock();
  for (auto [i, input] : llvm::enumerate(args)) {
    // Each argument is located at its input's name, as ops are at nodes.
    values[input->name()] = body->addArgument(
        argTypes[i], NameLoc::get(builder.getStringAttr(input->name()), fileLoc));
    func.setArgAttrs(i, argAttrs[i]);
  }
  if (failed(importShapeSets(func)))
    return nullptr;
  addDynamicInputDims(shapes, func);
  builder.setInsertionPointToEnd(body);

  FailureOr<SmallVector<const ::onnx::NodeProto *>> order = sortNodes();
  if (failed(order))
    return nullptr;
  for (const ::onnx::NodeProto *node : *order)
    if (failed(importNode(*node)))
      return nullptr;

  SmallVector<Value> results;
  for (const auto &output : graph.output()) {
    Value value = values.lookup(output.name());
    if (!value) {
      FailureOr<Value> fromInitializer =
          initializers.count(output.name())
              ? lookup(output.name(), ::onnx::NodeProto())
              : FailureOr<Value>(emitError(fileLoc)
                                 << "output '" << output.name()
                                 << "' is produced by no node, initializer "
                                    "or graph input");
      if (failed(fromInitializer))
        return nullptr;
      value = *fromInitializer;
    }
    results.push_back(value);
  }
  builder.create<func::ReturnOp>(fileLoc, results);
  func.setFunctionType(
      builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [i, attrs] : llvm::enumerate(resultAttrs))
    func.setResultAttrs(i, attrs);

  if (failed(verify(*module)))
    return nullptr;
  return module;
}

struct ONNXImporter::Impl {
  explicit Impl(MLIRContext *context) : context(context), tensors(context) {}
  MLIRContext *context;
  TensorImporter tensors;
};

ONNXImporter::ONNXImporter(MLIRContext *context)
    : impl(std::make_unique<Impl>(context)) {
  context->loadDialect<NNDialect, func::FuncDialect>();
}

ONNXImporter::~ONNXImporter() = default;

OwningOpRef<ModuleOp> ONNXImporter::importFile(StringRef path) {
  ::onnx::ModelProto model;
  impl->tensors.reused.clear();
  if (failed(readModel(path, model,
                       FileLineColLoc::get(impl->context, path, 0, 0),
                       &impl->tensors.known, &impl->tensors.reused)))
    return nullptr;
  return GraphImporter(impl->context, path, model, impl->tensors).run();
}

uint64_t ONNXImporter::getSharedBytes() const {
  return impl->tensors.sharedBytes;
}

OwningOpRef<ModuleOp> mlc::importONNXFile(StringRef path, MLIRContext *context) {
  return ONNXImporter(context).importFile(path);
}
