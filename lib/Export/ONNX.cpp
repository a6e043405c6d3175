//===- ONNX.cpp - Export the nn dialect as an ONNX model ------------------===//

#include "mlc/Export/ONNX.h"
#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"
#include "mlc/ONNX/DataTypes.h"
#include "mlc/ONNX/OpTypes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>
#include <onnx/onnx_pb.h>

#include <limits>

using namespace mlir;
using namespace mlc;
using namespace mlc::nn;

namespace {

// Lets protobuf serialize straight into an LLVM stream.
struct RawOstreamOutput : google::protobuf::io::CopyingOutputStream {
  explicit RawOstreamOutput(llvm::raw_ostream &os) : os(os) {}
  bool Write(const void *buffer, int size) override {
    os.write(static_cast<const char *>(buffer), size);
    return true; // the caller checks the stream when it closes it
  }
  llvm::raw_ostream &os;
};

// The IR version that an opset needs (ONNX's versioning table).
int64_t irVersionFor(int64_t opset) {
  if (opset >= 21)
    return 10;
  if (opset >= 19)
    return 9;
  return 8;
}

// The bytes of a constant in ONNX's raw_data layout, for the few tensors that
// stay in the protobuf messages (node attributes).
std::string getRawBytes(ElementsAttr attr) {
  std::string bytes;
  bytes.reserve(getRawSize(attr));
  writeRawData(attr, [&](ArrayRef<char> piece) {
    bytes.append(piece.data(), piece.size());
  });
  return bytes;
}

// A resource blob must be there and hold the bytes its type needs: a
// hand-written .mlir may name a blob it does not define, or a short one.
LogicalResult checkBlob(Operation *op, DenseResourceElementsAttr attr) {
  StringRef key = attr.getRawHandle().getKey();
  AsmResourceBlob *blob = attr.getRawHandle().getBlob();
  if (!blob)
    return op->emitOpError() << "uses the resource blob '" << key
                             << "', which the file does not define";
  uint64_t needed =
      attr.getNumElements() * nn::getByteWidth(attr.getElementType());
  if (blob->getData().size() != needed)
    return op->emitOpError() << "uses the resource blob '" << key << "' of "
                             << blob->getData().size() << " bytes, but "
                             << attr.getType() << " needs " << needed;
  return success();
}

class GraphExporter {
public:
  GraphExporter(func::FuncOp func, const ONNXExportOptions &options,
                int64_t opset, std::optional<int64_t> sourceOpset)
      : func(func), options(options), opset(opset), sourceOpset(sourceOpset) {}

  LogicalResult run(::onnx::GraphProto &graph);

  /// Per initializer of the graph, the constant whose bytes its raw_data
  /// holds, or null when they went to the external data. The initializers'
  /// TensorProtos leave raw_data out: writeModel writes it from here.
  ArrayRef<ElementsAttr> getInitializerData() const { return initializerData; }

private:
  std::string uniqueName(StringRef base);
  std::string nameOf(Value value);
  std::string baseName(Operation *op);
  void fillType(::onnx::TypeProto &proto, Type type, StringRef valueName,
                ArrayAttr dimParams);
  LogicalResult exportOp(Operation *op);
  LogicalResult exportCustom(CustomOp op);
  /// Fills a tensor of a node attribute, its bytes included.
  void fillTensor(::onnx::TensorProto &tensor, ElementsAttr attr,
                  StringRef name);
  /// Fills all of a tensor but its raw_data; writes the bytes to the external
  /// data when they belong there, and returns whether it did.
  bool fillTensorHeader(::onnx::TensorProto &tensor, ElementsAttr attr,
                        StringRef name);
  /// Adds the node of `op` (its ONNX op type, its name) with `inputs`.
  ::onnx::NodeProto &addNode(Operation *op, ArrayRef<Value> inputs);

  // Attribute setters; the ints and floats ones skip empty lists.
  static void setInt(::onnx::NodeProto &node, StringRef name, int64_t value);
  static void setFloat(::onnx::NodeProto &node, StringRef name, float value);
  static void setString(::onnx::NodeProto &node, StringRef name,
                        StringRef value);
  static void setInts(::onnx::NodeProto &node, StringRef name,
                      ArrayRef<int64_t> values);

  func::FuncOp func;
  const ONNXExportOptions &options;
  int64_t opset;
  std::optional<int64_t> sourceOpset; // of the imported model, if known
  ::onnx::GraphProto *graph = nullptr;
  DenseMap<Value, std::string> names;
  DenseMap<Attribute, std::string> initializerNames; // one per constant
  llvm::StringSet<> usedNames;
  uint64_t externalOffset = 0;
  SmallVector<ElementsAttr> initializerData;
};

} // namespace

std::string GraphExporter::uniqueName(StringRef base) {
  std::string name = base.empty() ? "t" : base.str();
  for (int i = 1; !usedNames.insert(name).second; ++i)
    name = (base + "_" + Twine(i)).str();
  return name;
}

std::string GraphExporter::baseName(Operation *op) {
  if (auto nameLoc = dyn_cast<NameLoc>(op->getLoc()))
    return nameLoc.getName().str();
  return op->getName().stripDialect().str();
}

std::string GraphExporter::nameOf(Value value) {
  auto it = names.find(value);
  if (it != names.end())
    return it->second;
  std::string base = baseName(value.getDefiningOp());
  if (value.getDefiningOp()->getNumResults() > 1)
    base += ":" + std::to_string(cast<OpResult>(value).getResultNumber());
  return names[value] = uniqueName(base);
}

void GraphExporter::fillType(::onnx::TypeProto &proto, Type type,
                             StringRef valueName, ArrayAttr dimParams) {
  auto tensorType = cast<TensorType>(type);
  auto *tensor = proto.mutable_tensor_type();
  tensor->set_elem_type(onnx_types::getDataType(tensorType.getElementType()));
  if (!tensorType.hasRank())
    return;
  auto *shape = tensor->mutable_shape();
  for (auto [i, d] : llvm::enumerate(tensorType.getShape())) {
    auto *dim = shape->add_dim();
    if (d != kDynamic) {
      dim->set_dim_value(d);
      continue;
    }
    // A `?` dim keeps its name, or gets one of its own.
    StringRef param;
    if (dimParams && i < dimParams.size())
      param = cast<StringAttr>(dimParams[i]).getValue();
    dim->set_dim_param(param.empty() ? (valueName + "_d" + Twine(i)).str()
                                     : param.str());
  }
}

bool GraphExporter::fillTensorHeader(::onnx::TensorProto &tensor,
                                     ElementsAttr attr, StringRef name) {
  tensor.set_name(name.str());
  tensor.set_data_type(onnx_types::getDataType(attr.getElementType()));
  for (int64_t d : attr.getShapedType().getShape())
    tensor.add_dims(d);
  uint64_t size = getRawSize(attr);
  if (!options.externalData || size < options.externalDataThreshold)
    return false;
  tensor.set_data_location(::onnx::TensorProto::EXTERNAL);
  auto addEntry = [&](StringRef key, std::string value) {
    auto *entry = tensor.add_external_data();
    entry->set_key(key.str());
    entry->set_value(std::move(value));
  };
  addEntry("location", options.externalDataName);
  addEntry("offset", std::to_string(externalOffset));
  addEntry("length", std::to_string(size));
  writeRawData(attr, [&](ArrayRef<char> piece) {
    options.externalData->write(piece.data(), piece.size());
  });
  // Keep each tensor aligned in the file, so it can be mapped.
  uint64_t end = externalOffset + size;
  uint64_t padded = (end + 63) / 64 * 64;
  options.externalData->write_zeros(padded - end);
  externalOffset = padded;
  return true;
}

void GraphExporter::fillTensor(::onnx::TensorProto &tensor, ElementsAttr attr,
                               StringRef name) {
  if (!fillTensorHeader(tensor, attr, name))
    tensor.set_raw_data(getRawBytes(attr));
}

::onnx::NodeProto &GraphExporter::addNode(Operation *op,
                                          ArrayRef<Value> inputs) {
  ::onnx::NodeProto &node = *graph->add_node();
  node.set_op_type(onnx_types::getONNXOpType(op));
  node.set_name(uniqueName(baseName(op)));
  for (Value input : inputs)
    node.add_input(input ? nameOf(input) : "");
  // Trailing absent inputs are left out, as ONNX prefers.
  while (node.input_size() > 0 && node.input(node.input_size() - 1).empty())
    node.mutable_input()->RemoveLast();
  for (Value result : op->getResults())
    node.add_output(nameOf(result));
  return node;
}

// Adds an attribute of `type` named `name` to `node`.
static ::onnx::AttributeProto &
addAttribute(::onnx::NodeProto &node, StringRef name,
             ::onnx::AttributeProto::AttributeType type) {
  auto &attr = *node.add_attribute();
  attr.set_name(name.str());
  attr.set_type(type);
  return attr;
}

void GraphExporter::setInt(::onnx::NodeProto &node, StringRef name,
                           int64_t value) {
  addAttribute(node, name, ::onnx::AttributeProto::INT).set_i(value);
}

void GraphExporter::setFloat(::onnx::NodeProto &node, StringRef name,
                             float value) {
  addAttribute(node, name, ::onnx::AttributeProto::FLOAT).set_f(value);
}

void GraphExporter::setString(::onnx::NodeProto &node, StringRef name,
                              StringRef value) {
  addAttribute(node, name, ::onnx::AttributeProto::STRING).set_s(value.str());
}

void GraphExporter::setInts(::onnx::NodeProto &node, StringRef name,
                            ArrayRef<int64_t> values) {
  if (values.empty())
    return;
  auto &attr = addAttribute(node, name, ::onnx::AttributeProto::INTS);
  for (int64_t v : values)
    attr.add_ints(v);
}

static std::string autoPadName(AutoPad pad) {
  return StringRef(stringifyAutoPad(pad)).upper();
}

LogicalResult GraphExporter::exportCustom(CustomOp op) {
  // An ONNX operator mlc does not know keeps the meaning of the opset it was
  // read at; written at another, it could mean something else (or nothing).
  if (op.getDomain().empty() && sourceOpset && *sourceOpset != opset)
    return op.emitOpError()
           << "is ONNX's " << op.getOpType() << " of opset " << *sourceOpset
           << ", which mlc cannot convert to opset " << opset;
  ::onnx::NodeProto &node =
      addNode(op, SmallVector<Value>(op.getInputs()));
  if (!op.getDomain().empty())
    node.set_domain(op.getDomain().str());
  for (NamedAttribute named : op.getNodeAttributes()) {
    auto *attr = node.add_attribute();
    attr->set_name(named.getName().str());
    Attribute value = named.getValue();
    if (auto f = dyn_cast<FloatAttr>(value)) {
      attr->set_type(::onnx::AttributeProto::FLOAT);
      attr->set_f(f.getValueAsDouble());
    } else if (auto i = dyn_cast<IntegerAttr>(value)) {
      attr->set_type(::onnx::AttributeProto::INT);
      attr->set_i(i.getInt());
    } else if (auto s = dyn_cast<StringAttr>(value)) {
      attr->set_type(::onnx::AttributeProto::STRING);
      attr->set_s(s.getValue().str());
    } else if (auto floats = dyn_cast<DenseF32ArrayAttr>(value)) {
      attr->set_type(::onnx::AttributeProto::FLOATS);
      for (float v : floats.asArrayRef())
        attr->add_floats(v);
    } else if (auto ints = dyn_cast<DenseI64ArrayAttr>(value)) {
      attr->set_type(::onnx::AttributeProto::INTS);
      for (int64_t v : ints.asArrayRef())
        attr->add_ints(v);
    } else if (auto tensor = dyn_cast<ElementsAttr>(value)) {
      attr->set_type(::onnx::AttributeProto::TENSOR);
      fillTensor(*attr->mutable_t(), tensor, named.getName());
    } else if (auto array = dyn_cast<ArrayAttr>(value)) {
      bool tensors = !array.empty() && isa<ElementsAttr>(array[0]);
      attr->set_type(tensors ? ::onnx::AttributeProto::TENSORS
                             : ::onnx::AttributeProto::STRINGS);
      for (Attribute element : array) {
        if (auto t = dyn_cast<ElementsAttr>(element))
          fillTensor(*attr->add_tensors(), t, named.getName());
        else if (auto s = dyn_cast<StringAttr>(element))
          attr->add_strings(s.getValue().str());
        else
          return op.emitOpError() << "attribute '" << named.getName()
                                  << "' mixes kinds ONNX cannot hold";
      }
    } else {
      return op.emitOpError() << "attribute '" << named.getName()
                              << "' has no ONNX counterpart";
    }
  }
  return success();
}

LogicalResult GraphExporter::exportOp(Operation *op) {
  auto requireOpset = [&](int64_t needed, StringRef what) -> LogicalResult {
    if (opset >= needed)
      return success();
    return op->emitOpError() << what << " needs ONNX opset " << needed
                             << " or newer; exporting at " << opset;
  };
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](ConstantOp c) {
        // Constants are initializers, one per distinct value.
        auto it = initializerNames.find(c.getValue());
        if (it != initializerNames.end()) {
          names[c] = it->second;
          return success();
        }
        std::string name = nameOf(c);
        initializerNames[c.getValue()] = name;
        bool external =
            fillTensorHeader(*graph->add_initializer(), c.getValue(), name);
        initializerData.push_back(external ? nullptr : c.getValue());
        return success();
      })
      .Case<ConvOp, ConvTransposeOp>([&](auto c) {
        auto &node = addNode(c, {c.getInput(), c.getWeight(), c.getBias()});
        setInts(node, "strides", c.getStrides());
        setInts(node, "pads", c.getPads());
        setInts(node, "dilations", c.getDilations());
        setInts(node, "kernel_shape", c.getKernelShape());
        if constexpr (std::is_same_v<decltype(c), ConvTransposeOp>) {
          setInts(node, "output_padding", c.getOutputPadding());
          setInts(node, "output_shape", c.getOutputShape());
        }
        if (c.getGroup() != 1)
          setInt(node, "group", c.getGroup());
        if (c.getAutoPad() != AutoPad::notset)
          setString(node, "auto_pad", autoPadName(c.getAutoPad()));
        return success();
      })
      .Case([&](PoolOp p) {
        bool isMax = p.getKind() == PoolKind::max;
        if (!isMax && !p.getDilations().empty() &&
            failed(requireOpset(19, "average pooling with dilations")))
          return failure();
        auto &node = addNode(p, {p.getInput()});
        setInts(node, "kernel_shape", p.getKernelShape());
        setInts(node, "strides", p.getStrides());
        setInts(node, "pads", p.getPads());
        setInts(node, "dilations", p.getDilations());
        if (p.getCeilMode())
          setInt(node, "ceil_mode", 1);
        if (!isMax && p.getCountIncludePad())
          setInt(node, "count_include_pad", 1);
        if (p.getAutoPad() != AutoPad::notset)
          setString(node, "auto_pad", autoPadName(p.getAutoPad()));
        return success();
      })
      // Ops whose ONNX node has no attributes and takes their operands
      // (none optional) as its inputs, in order.
      .Case<GlobalPoolOp, PReluOp, RangeOp, ScatterNDOp, CompareOp, NotOp,
            WhereOp, ExpandOp>([&](Operation *op) {
        addNode(op, SmallVector<Value>(op->getOperands()));
        return success();
      })
      .Case([&](BatchNormOp b) {
        auto &node = addNode(b, {b.getInput(), b.getScale(), b.getBias(),
                              b.getMean(), b.getVariance()});
        setFloat(node, "epsilon", b.getEpsilon().convertToFloat());
        return success();
      })
      .Case([&](InstanceNormOp n) {
        auto &node = addNode(n, {n.getInput(), n.getScale(), n.getBias()});
        setFloat(node, "epsilon", n.getEpsilon().convertToFloat());
        return success();
      })
      .Case([&](UnaryOp u) {
        auto &node = addNode(u, {u.getInput()});
        if (auto alpha = u.getAlpha())
          setFloat(node, "alpha", alpha->convertToFloat());
        if (auto beta = u.getBeta())
          setFloat(node, "beta", beta->convertToFloat());
        return success();
      })
      .Case([&](BinaryOp b) {
        auto &node = addNode(b, {b.getLhs(), b.getRhs()});
        if (b.getKind() == BinaryKind::fmod)
          setInt(node, "fmod", 1);
        return success();
      })
      .Case([&](ClipOp c) {
        addNode(c, {c.getInput(), c.getMin(), c.getMax()});
        return success();
      })
      .Case([&](SoftmaxOp s) {
        setInt(addNode(s, {s.getInput()}), "axis", s.getAxis());
        return success();
      })
      .Case([&](GemmOp g) {
        auto &node = addNode(g, {g.getA(), g.getB(), g.getC()});
        if (g.getAlpha().convertToFloat() != 1.0f)
          setFloat(node, "alpha", g.getAlpha().convertToFloat());
        if (g.getBeta().convertToFloat() != 1.0f)
          setFloat(node, "beta", g.getBeta().convertToFloat());
        if (g.getTransA())
          setInt(node, "transA", 1);
        if (g.getTransB())
          setInt(node, "transB", 1);
        return success();
      })
      .Case([&](MatMulOp m) {
        addNode(m, {m.getLhs(), m.getRhs()});
        return success();
      })
      .Case([&](ReduceOp r) {
        bool axesInput = opset >= (r.getKind() == ReduceKind::sum ? 13 : 18);
        SmallVector<int64_t> axes;
        if (!axesInput && r.getAxes()) {
          auto known = getConstantInts(r.getAxes());
          if (!known)
            return failure(requireOpset(18, "reduction over computed axes")
                               .failed());
          axes = *known;
        }
        auto &node = addNode(r,
                             {r.getInput(), axesInput ? r.getAxes() : Value()});
        setInts(node, "axes", axes);
        if (!r.getKeepdims())
          setInt(node, "keepdims", 0);
        if (r.getNoopWithEmptyAxes()) {
          if (!axesInput)
            return requireOpset(18, "noop_with_empty_axes");
          setInt(node, "noop_with_empty_axes", 1);
        }
        return success();
      })
      .Case([&](ResizeOp r) {
        bool newer = r.getAntialias() || !r.getAxes().empty() ||
                     r.getKeepAspectRatioPolicy() != AspectRatioPolicy::stretch;
        if (newer && failed(requireOpset(18, "antialias, axes or "
                                             "keep_aspect_ratio_policy")))
          return failure();
        if (r.getCoordinateTransformationMode() ==
                CoordinateTransform::half_pixel_symmetric &&
            failed(requireOpset(19, "half_pixel_symmetric")))
          return failure();
        auto &node = addNode(r, {r.getInput(), r.getRoi(),
                                           r.getScales(), r.getSizes()});
        setString(node, "mode", stringifyResizeMode(r.getMode()));
        setString(node, "coordinate_transformation_mode",
                  stringifyCoordinateTransform(r.getCoordinateTransformationMode()));
        setString(node, "nearest_mode", stringifyNearestMode(r.getNearestMode()));
        setFloat(node, "cubic_coeff_a", r.getCubicCoeffA().convertToFloat());
        if (r.getExcludeOutside())
          setInt(node, "exclude_outside", 1);
        if (r.getExtrapolationValue().convertToFloat() != 0.0f)
          setFloat(node, "extrapolation_value",
                   r.getExtrapolationValue().convertToFloat());
        if (r.getAntialias())
          setInt(node, "antialias", 1);
        setInts(node, "axes", r.getAxes());
        if (r.getKeepAspectRatioPolicy() != AspectRatioPolicy::stretch)
          setString(node, "keep_aspect_ratio_policy",
                    stringifyAspectRatioPolicy(r.getKeepAspectRatioPolicy()));
        return success();
      })
      .Case([&](DepthToSpaceOp d) {
        auto &node = addNode(d, {d.getInput()});
        setInt(node, "blocksize", d.getBlocksize());
        setString(node, "mode", d.getMode() == DepthToSpaceMode::dcr ? "DCR" : "CRD");
        return success();
      })
      .Case([&](SpaceToDepthOp s) {
        setInt(addNode(s, {s.getInput()}), "blocksize",
               s.getBlocksize());
        return success();
      })
      .Case([&](PadOp p) {
        if (p.getAxes() && failed(requireOpset(18, "padding chosen axes")))
          return failure();
        if (p.getMode() == PadMode::wrap && failed(requireOpset(19, "wrap padding")))
          return failure();
        auto &node = addNode(p, {p.getInput(), p.getPads(),
                                        p.getConstantValue(), p.getAxes()});
        if (p.getMode() != PadMode::constant)
          setString(node, "mode", stringifyPadMode(p.getMode()));
        return success();
      })
      .Case([&](ReshapeOp r) {
        auto &node = addNode(r, {r.getInput(), r.getShape()});
        if (r.getAllowzero()) {
          if (failed(requireOpset(14, "allowzero")))
            return failure();
          setInt(node, "allowzero", 1);
        }
        return success();
      })
      .Case([&](FlattenOp f) {
        setInt(addNode(f, {f.getInput()}), "axis", f.getAxis());
        return success();
      })
      .Case([&](TransposeOp t) {
        auto &node = addNode(t, {t.getInput()});
        if (auto perm = t.getPerm())
          setInts(node, "perm", *perm);
        return success();
      })
      .Case([&](SqueezeOp s) {
        addNode(s, {s.getInput(), s.getAxes()});
        return success();
      })
      .Case([&](UnsqueezeOp u) {
        addNode(u, {u.getInput(), u.getAxes()});
        return success();
      })
      .Case([&](ConcatOp c) {
        setInt(addNode(c, SmallVector<Value>(c.getInputs())), "axis",
               c.getAxis());
        return success();
      })
      .Case([&](SplitOp s) {
        auto &node = addNode(s, {s.getInput(), s.getSplit()});
        setInt(node, "axis", s.getAxis());
        if (!s.getSplit() && opset >= 18)
          setInt(node, "num_outputs", s.getNumResults());
        return success();
      })
      .Case([&](ShapeOp s) {
        if ((s.getStart() != 0 || s.getEnd()) &&
            failed(requireOpset(15, "start and end")))
          return failure();
        auto &node = addNode(s, {s.getInput()});
        if (s.getStart() != 0)
          setInt(node, "start", s.getStart());
        if (auto end = s.getEnd())
          setInt(node, "end", *end);
        return success();
      })
      .Case([&](GatherOp g) {
        setInt(addNode(g, {g.getInput(), g.getIndices()}), "axis",
               g.getAxis());
        return success();
      })
      .Case([&](SliceOp s) {
        addNode(s, {s.getInput(), s.getStarts(), s.getEnds(),
                             s.getAxes(), s.getSteps()});
        return success();
      })
      .Case([&](CastOp c) {
        setInt(addNode(c, {c.getInput()}), "to",
               onnx_types::getDataType(getElementType(c.getType())));
        return success();
      })
      .Case([&](ConstantOfShapeOp c) {
        auto &node = addNode(c, {c.getShape()});
        if (auto value = c.getValueAttr())
          fillTensor(*addAttribute(node, "value", ::onnx::AttributeProto::TENSOR)
                          .mutable_t(),
                     value, "value");
        return success();
      })
      .Case<QuantizeLinearOp, DequantizeLinearOp>([&](auto q) {
        auto &node = addNode(q, {q.getInput(), q.getScale(), q.getZeroPoint()});
        if (q.getAxis() != 1)
          setInt(node, "axis", q.getAxis());
        if (q.getBlockSize() != 0) {
          if (failed(requireOpset(21, "block quantization")))
            return failure();
          setInt(node, "block_size", q.getBlockSize());
        }
        return success();
      })
      .Case([&](CustomOp c) { return exportCustom(c); })
      .Default([&](Operation *other) {
        return other->emitOpError() << "has no ONNX counterpart";
      });
}

LogicalResult GraphExporter::run(::onnx::GraphProto &graphProto) {
  graph = &graphProto;
  Block &body = func.getBody().front();
  auto returnOp = cast<func::ReturnOp>(body.getTerminator());
  // Names first: the graph's inputs and outputs keep theirs.
  for (BlockArgument arg : func.getArguments()) {
    auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                  NNDialect::kNameAttr);
    std::string unique = uniqueName(
        name ? name.getValue() : ("input_" + Twine(arg.getArgNumber())).str());
    names[arg] = unique;
    auto &input = *graph->add_input();
    input.set_name(unique);
    fillType(*input.mutable_type(), arg.getType(), unique,
             func.getArgAttrOfType<ArrayAttr>(arg.getArgNumber(),
                                              NNDialect::kDimParamsAttr));
  }
  SmallVector<std::string> outputNames;
  SmallVector<Value> aliased; // outputs that need an Identity
  for (auto [i, value] : llvm::enumerate(returnOp.getOperands())) {
    auto name = func.getResultAttrOfType<StringAttr>(i, NNDialect::kNameAttr);
    std::string wanted =
        name ? name.getValue().str() : "output_" + std::to_string(i);
    if (!names.count(value) && !usedNames.contains(wanted) &&
        !isa<ConstantOp>(value.getDefiningOp())) {
      usedNames.insert(wanted);
      names[value] = wanted;
      outputNames.push_back(wanted);
    } else {
      outputNames.push_back(uniqueName(wanted));
    }
  }
  for (Operation &op : body.without_terminator()) {
    LogicalResult blobs = success();
    op.getAttrDictionary().walk([&](DenseResourceElementsAttr attr) {
      if (succeeded(blobs))
        blobs = checkBlob(&op, attr);
    });
    if (failed(blobs) || failed(exportOp(&op)))
      return failure();
  }
  // Nothing can infer a custom op's result types: declare them, as the
  // graph outputs are.
  for (Operation &op : body.without_terminator()) {
    if (!isa<CustomOp>(op))
      continue;
    for (Value result : op.getResults()) {
      if (llvm::is_contained(returnOp.getOperands(), result))
        continue;
      auto &info = *graph->add_value_info();
      info.set_name(nameOf(result));
      fillType(*info.mutable_type(), result.getType(), info.name(), nullptr);
    }
  }
  for (auto [i, value] : llvm::enumerate(returnOp.getOperands())) {
    if (nameOf(value) != outputNames[i]) {
      auto &node = *graph->add_node();
      node.set_op_type("Identity");
      node.set_name(uniqueName(outputNames[i] + "_identity"));
      node.add_input(nameOf(value));
      node.add_output(outputNames[i]);
    }
    auto &output = *graph->add_output();
    output.set_name(outputNames[i]);
    fillType(*output.mutable_type(), value.getType(), outputNames[i],
             func.getResultAttrOfType<ArrayAttr>(i, NNDialect::kDimParamsAttr));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Writing the ModelProto
//===----------------------------------------------------------------------===//
//
// Weights are nearly all of a model's bytes, and a TensorProto holds its
// raw_data in a std::string: set it and the weights exist twice in memory,
// the resource blobs and the protobuf copy (architecture decision 1). So the
// initializers' raw_data never enters the messages. writeModel writes the
// ModelProto's wire format itself: the messages around the raw_data fields
// from protobuf, each raw_data straight from the blob's bytes. Each message
// is cut where the next level goes (the model at its graph, the graph at its
// initializers, a tensor at its raw_data) so that every field comes in
// field-number order, as protobuf writes them: the bytes are those protobuf
// would write, had raw_data been set.

namespace {

using google::protobuf::io::CodedOutputStream;

constexpr uint32_t lengthDelimitedTag(int field) {
  return uint32_t(field) << 3 | 2; // wire type 2: length-delimited
}

// The bytes of a length-delimited field holding `size` bytes.
uint64_t getFieldSize(int field, uint64_t size) {
  return CodedOutputStream::VarintSize32(lengthDelimitedTag(field)) +
         CodedOutputStream::VarintSize64(size) + size;
}

void writeFieldHeader(CodedOutputStream &out, int field, uint64_t size) {
  out.WriteTag(lengthDelimitedTag(field));
  out.WriteVarint64(size);
}

// Moves the fields of `from` numbered below `number` to `to`, an empty
// message of the same type. Protobuf swaps them: nothing is copied.
void moveFieldsBelow(google::protobuf::Message &from, int number,
                     google::protobuf::Message &to) {
  const google::protobuf::Reflection *reflection = from.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor *> fields;
  reflection->ListFields(from, &fields);
  llvm::erase_if(fields, [&](const google::protobuf::FieldDescriptor *field) {
    return field->number() >= number;
  });
  reflection->SwapFields(&from, &to, fields);
}

// Writes `model`, whose graph's initializers lack their raw_data, with the
// bytes of `initializerData` (one per initializer, null for none) as their
// raw_data. Takes `model` apart on the way.
LogicalResult writeModel(ModuleOp module, ::onnx::ModelProto &model,
                         ArrayRef<ElementsAttr> initializerData,
                         llvm::raw_ostream &os) {
  constexpr int kGraph = ::onnx::ModelProto::kGraphFieldNumber;
  constexpr int kInitializer = ::onnx::GraphProto::kInitializerFieldNumber;
  constexpr int kRawData = ::onnx::TensorProto::kRawDataFieldNumber;

  // The pieces, in the order they are written: the model's fields before
  // its graph; the graph's before its initializers; per initializer, its
  // fields before raw_data, raw_data, the rest; the rest of the graph; the
  // rest of the model.
  ::onnx::ModelProto modelHead;
  moveFieldsBelow(model, kGraph, modelHead);
  std::unique_ptr<::onnx::GraphProto> graph(model.release_graph());
  ::onnx::GraphProto graphHead;
  moveFieldsBelow(*graph, kInitializer, graphHead);
  google::protobuf::RepeatedPtrField<::onnx::TensorProto> tensors;
  tensors.Swap(graph->mutable_initializer());
  assert(tensors.size() == static_cast<int>(initializerData.size()) &&
         "one data entry per initializer");
  std::vector<::onnx::TensorProto> tensorHeads(tensors.size());

  // Sizes first, since each length-delimited field leads with its length.
  // ByteSizeLong also caches what SerializeWithCachedSizes needs.
  SmallVector<uint64_t> tensorSizes;
  uint64_t graphSize = graphHead.ByteSizeLong() + graph->ByteSizeLong();
  for (auto [i, data] : llvm::enumerate(initializerData)) {
    ::onnx::TensorProto &tensor = tensors[i];
    if (data)
      moveFieldsBelow(tensor, kRawData, tensorHeads[i]);
    uint64_t size = tensorHeads[i].ByteSizeLong() + tensor.ByteSizeLong();
    if (data)
      size += getFieldSize(kRawData, getRawSize(data));
    tensorSizes.push_back(size);
    graphSize += getFieldSize(kInitializer, size);
  }
  uint64_t modelSize = modelHead.ByteSizeLong() +
                       getFieldSize(kGraph, graphSize) + model.ByteSizeLong();
  if (modelSize > static_cast<uint64_t>(std::numeric_limits<int>::max()))
    return module.emitError()
           << "the ONNX model would be " << modelSize
           << " bytes, over protobuf's 2 GB limit: write its weights as "
              "external data";

  RawOstreamOutput output(os);
  // Large blocks: the weights pass through them.
  google::protobuf::io::CopyingOutputStreamAdaptor stream(&output,
                                                          256 * 1024);
  {
    CodedOutputStream out(&stream);
    modelHead.SerializeWithCachedSizes(&out);
    writeFieldHeader(out, kGraph, graphSize);
    graphHead.SerializeWithCachedSizes(&out);
    for (auto [i, data] : llvm::enumerate(initializerData)) {
      writeFieldHeader(out, kInitializer, tensorSizes[i]);
      tensorHeads[i].SerializeWithCachedSizes(&out);
      if (data) {
        writeFieldHeader(out, kRawData, getRawSize(data));
        // Pieces are under 2 GB: the whole model is.
        writeRawData(data, [&](ArrayRef<char> piece) {
          out.WriteRaw(piece.data(), static_cast<int>(piece.size()));
        });
      }
      tensors[i].SerializeWithCachedSizes(&out);
    }
    graph->SerializeWithCachedSizes(&out);
    model.SerializeWithCachedSizes(&out);
    // Going out of scope, `out` hands back the part of the block it did
    // not fill, which the flush below would otherwise write.
  }
  stream.Flush();
  return success();
}

} // namespace

uint64_t mlc::getConstantBytes(ModuleOp module) {
  uint64_t bytes = 0;
  module.walk([&](ConstantOp op) {
    ElementsAttr value = op.getValue();
    bytes += value.getNumElements() *
             nn::getByteWidth(value.getElementType());
  });
  return bytes;
}

// Quantized weights become the float constants they stand for: ONNX has no
// palettes, and the values are what a runtime must compute with.
static LogicalResult decodeQuantizedWeights(ModuleOp module) {
  SmallVector<QuantizedConstantOp> quantized;
  module.walk([&](QuantizedConstantOp op) { quantized.push_back(op); });
  for (QuantizedConstantOp op : quantized) {
    std::optional<std::vector<float>> values = op.decode();
    if (!values)
      return op.emitOpError() << "has bytes that do not decode";
    auto type = cast<RankedTensorType>(op.getType());
    std::string name = onnx_types::getNodeName(op);
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(op.getData()))
      name = resource.getRawHandle().getKey().str();
    auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        ArrayRef<char>(reinterpret_cast<const char *>(values->data()),
                       values->size() * sizeof(float)),
        64);
    OpBuilder builder(op);
    auto constant = builder.create<ConstantOp>(
        op.getLoc(), type,
        DenseResourceElementsAttr::get(type, name + ".decoded", std::move(blob)));
    op.replaceAllUsesWith(constant.getResult());
    op.erase();
  }
  return success();
}

LogicalResult mlc::exportONNX(ModuleOp module, llvm::raw_ostream &os,
                              const ONNXExportOptions &options) {
  auto func = module.lookupSymbol<func::FuncOp>("main");
  if (!func || func.isExternal())
    return module.emitError() << "has no function @main to export";
  if (failed(decodeQuantizedWeights(module)))
    return failure();
  auto opsets = module->getAttrOfType<DictionaryAttr>(NNDialect::kOpsetImportsAttr);
  int64_t modelOpset = 13;
  std::optional<int64_t> sourceOpset;
  if (opsets)
    if (auto v = opsets.getAs<IntegerAttr>("ai.onnx")) {
      sourceOpset = v.getInt();
      modelOpset = std::max<int64_t>(modelOpset, v.getInt());
    }
  int64_t opset = options.opset.value_or(modelOpset);
  if (opset < 13 || opset > 21)
    return module.emitError() << "cannot export at ONNX opset " << opset
                              << ": mlc writes opsets 13 to 21";

  ::onnx::ModelProto model;
  model.set_ir_version(irVersionFor(opset));
  model.set_producer_name("mlc");
  model.set_producer_version("0.1.0");
  auto *defaultOpset = model.add_opset_import();
  defaultOpset->set_domain("");
  defaultOpset->set_version(opset);
  // The custom domains the graph uses, at the versions the model declared.
  llvm::StringSet<> domains;
  module.walk([&](CustomOp op) {
    if (!op.getDomain().empty())
      domains.insert(op.getDomain());
  });
  SmallVector<StringRef> sortedDomains;
  for (const auto &d : domains)
    sortedDomains.push_back(d.getKey());
  llvm::sort(sortedDomains);
  for (StringRef domain : sortedDomains) {
    auto *entry = model.add_opset_import();
    entry->set_domain(domain.str());
    IntegerAttr version = opsets ? opsets.getAs<IntegerAttr>(domain) : nullptr;
    entry->set_version(version ? version.getInt() : 1);
  }
  if (auto metadata =
          module->getAttrOfType<DictionaryAttr>(NNDialect::kModelMetadataAttr))
    for (NamedAttribute entry : metadata) {
      auto *prop = model.add_metadata_props();
      prop->set_key(entry.getName().str());
      if (auto s = dyn_cast<StringAttr>(entry.getValue()))
        prop->set_value(s.getValue().str());
    }
  // The inputs' shape sets, as one metadata entry (the importer reads it
  // back): "image: 1x3x224x224, 1x3x448x448".
  std::vector<std::string> shapeSets;
  for (BlockArgument arg : func.getArguments())
    if (auto shapes = func.getArgAttrOfType<ShapeSetAttr>(arg.getArgNumber(),
                                                          NNDialect::kShapesAttr)) {
      auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                    NNDialect::kNameAttr);
      shapeSets.push_back(
          (name ? name.str() : "input_" + std::to_string(arg.getArgNumber())) +
          ": " + shapes.toText());
    }
  if (!shapeSets.empty()) {
    auto *prop = model.add_metadata_props();
    prop->set_key(NNDialect::kShapesMetadataKey.str());
    prop->set_value(llvm::join(shapeSets, "; "));
  }
  auto *graph = model.mutable_graph();
  auto graphName = module->getAttrOfType<StringAttr>(NNDialect::kGraphNameAttr);
  graph->set_name(graphName ? graphName.getValue().str() : "main");
  GraphExporter exporter(func, options, opset, sourceOpset);
  if (failed(exporter.run(*graph)))
    return failure();
  return writeModel(module, model, exporter.getInitializerData(), os);
}
