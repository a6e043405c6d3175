//===- QuantizeWeights.cpp - Float weights to nn.quantized_constant -------===//
//
// quantizeWeights (mlc quantize) and its pass, nn-quantize-weights. The
// numbers come from lib/Quantization (no MLIR); this file picks the weights,
// their channel axis and their options, and rewrites the constants.
//
//===----------------------------------------------------------------------===//

#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"
#include "mlc/ONNX/OpTypes.h"
#include "mlc/Quantization/Quantizers.h"
#include "mlc/Transforms/Passes.h"
#include "mlc/Transforms/Quantize.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>

namespace mlc {
#define GEN_PASS_DEF_QUANTIZEWEIGHTSPASS
#include "mlc/Transforms/Passes.h.inc"
} // namespace mlc

using namespace mlir;
using namespace mlc;
using namespace mlc::nn;

namespace {

// The axis of a weight's output channels for the op that uses it: what
// per-channel scales and palette groups follow.
int64_t getChannelAxis(Operation *user, Value weight) {
  int64_t rank = cast<ShapedType>(weight.getType()).getRank();
  if (isa<ConvTransposeOp>(user))
    return 1;
  if (auto gemm = dyn_cast<GemmOp>(user))
    if (gemm.getB() == weight)
      return gemm.getTransB() ? 0 : 1;
  if (auto matmul = dyn_cast<MatMulOp>(user))
    if (matmul.getRhs() == weight)
      return rank - 1;
  return 0;
}

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "x" : "") + std::to_string(shape[i]);
  return text;
}

// The float32 values of a constant (weights are float32 raw bytes).
std::vector<float> readFloats(ElementsAttr attr) {
  std::vector<float> values(attr.getNumElements());
  size_t at = 0;
  writeRawData(attr, [&](ArrayRef<char> piece) {
    std::memcpy(reinterpret_cast<char *>(values.data()) + at, piece.data(),
                std::min(piece.size(), values.size() * sizeof(float) - at));
    at += piece.size();
  });
  return values;
}

} // namespace

LogicalResult mlc::quantizeWeights(ModuleOp module,
                                   const QuantizeOptions &options,
                                   QuantizeReport *report) {
  MLIRContext *context = module.getContext();
  Location loc = module.getLoc();
  bool kmeans = options.mode == QuantizeMode::KMeans;
  if (options.mode == QuantizeMode::Linear &&
      (options.bits < 2 || options.bits > 8))
    return emitError(loc) << "--bits " << options.bits
                          << ": linear quantization takes 2 to 8 bits";
  if (kmeans && (options.bits < 1 || options.bits > 8))
    return emitError(loc) << "--bits " << options.bits
                          << ": k-means palettization takes 1 to 8 bits "
                             "(a lookup table of 2 to 256 values)";
  if (options.groupChannels < 0 || (options.groupChannels && !kmeans))
    return emitError(loc) << "--group-channels is for k-means palettization "
                             "and must be positive";
  if (options.minSize < 0)
    return emitError(loc) << "--min-size must not be negative";

  // The weights: float32 constants of rank 2 or more, as large as min-size,
  // each with the node that uses it.
  struct Candidate {
    ConstantOp constant;
    Operation *user;
    std::string node;
  };
  std::vector<Candidate> candidates;
  llvm::StringSet<> nodes;
  module.walk([&](Operation *op) {
    std::string name = onnx_types::getNodeName(op);
    if (!name.empty())
      nodes.insert(name);
    auto constant = dyn_cast<ConstantOp>(op);
    if (!constant || constant->use_empty())
      return;
    auto type = cast<ShapedType>(constant.getType());
    if (!type.getElementType().isF32() || type.getRank() < 2 ||
        type.getNumElements() * 4 < options.minSize)
      return;
    Operation *user = *constant->getUsers().begin();
    // Custom ops get their weights as they are (a plugin may want floats).
    if (llvm::any_of(constant->getUsers(),
                     [](Operation *u) { return isa<CustomOp>(u); }))
      return;
    candidates.push_back({constant, user, onnx_types::getNodeName(user)});
  });
  for (const std::string &name : options.skip)
    if (!nodes.contains(name))
      return emitError(loc) << "--skip " << name << ": no node of that name";

  // Check every weight's options before changing anything.
  for (Candidate &c : candidates) {
    if (!kmeans || !options.groupChannels)
      continue;
    int64_t axis = getChannelAxis(c.user, c.constant.getResult());
    int64_t channels = cast<ShapedType>(c.constant.getType()).getDimSize(axis);
    if (channels % options.groupChannels)
      return c.user->emitError()
             << "--group-channels " << options.groupChannels
             << " does not divide the " << channels
             << " output channels of its weight";
  }

  OpBuilder builder(context);
  size_t done = 0;
  bool showProgress = options.progress && llvm::sys::Process::StandardErrIsDisplayed();
  for (Candidate &c : candidates) {
    ++done;
    auto type = cast<RankedTensorType>(c.constant.getType());
    std::vector<int64_t> shape(type.getShape().begin(), type.getShape().end());
    QuantizedLayer layer;
    layer.node = c.node;
    layer.weight = onnx_types::getNodeName(c.constant);
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(c.constant.getValue()))
      layer.weight = resource.getRawHandle().getKey().str();
    if (layer.weight.empty())
      layer.weight = (c.node.empty() ? "weight" : c.node + ".weight");
    layer.shape = formatShape(type.getShape());
    layer.floatBytes = type.getNumElements() * 4;
    int bits = options.bits;
    if (auto it = options.bitsByNode.find(c.node); it != options.bitsByNode.end())
      bits = it->second;
    bool skipped = llvm::is_contained(options.skip, c.node) || bits == 0;
    if (skipped) {
      layer.encoding = "float";
      layer.storedBytes = layer.floatBytes;
      layer.snrDb = INFINITY;
      if (report)
        report->layers.push_back(layer);
      continue;
    }
    if (showProgress)
      llvm::errs() << "\rquantizing " << done << "/" << candidates.size()
                   << ": " << layer.node << " " << layer.shape << "\x1b[K";
    std::vector<float> values = readFloats(c.constant.getValue());
    // Scales and centroids are fitted to the values: a NaN or an infinity
    // (a corrupt or diverged weight) has no place among them. (The pass
    // fails as a whole: nothing of it is kept.)
    auto bad =
        options.mode == QuantizeMode::FP16
            ? values.end()
            : llvm::find_if(values, [](float v) { return !std::isfinite(v); });
    if (bad != values.end())
      return c.user->emitError()
             << "its weight holds "
             << (std::isnan(*bad) ? "a NaN" : "an infinity") << " (value "
             << (bad - values.begin())
             << "): quantization needs finite weights (--skip this node to "
                "keep it float)";
    int64_t axis = getChannelAxis(c.user, c.constant.getResult());
    quant::Quantized q;
    switch (options.mode) {
    case QuantizeMode::FP16:
      q = quant::toFP16(values.data(), shape);
      break;
    case QuantizeMode::Linear: {
      quant::LinearOptions linear;
      linear.bits = bits;
      linear.symmetric = options.symmetric;
      linear.perChannel = options.perChannel;
      linear.axis = axis;
      q = quant::quantizeLinear(values.data(), shape, linear);
      break;
    }
    case QuantizeMode::KMeans: {
      quant::PaletteOptions palette;
      palette.bits = bits;
      palette.groupChannels = options.groupChannels;
      palette.axis = axis;
      q = quant::palettize(values.data(), shape, palette);
      break;
    }
    }
    std::vector<float> decoded = q.decode(shape);
    layer.encoding = rt::weightEncodingName(q.encoding);
    layer.bits = options.mode == QuantizeMode::FP16 ? 16 : bits;
    layer.storedBytes = q.storedBytes();
    layer.snrDb = quant::snrDb(values.data(), decoded.data(), values.size());

    // The packed bytes become a resource blob of their own.
    auto bytesType = RankedTensorType::get({int64_t(q.bytes.size())},
                                           builder.getIntegerType(8, false));
    auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        ArrayRef<char>(reinterpret_cast<const char *>(q.bytes.data()),
                       q.bytes.size()),
        64);
    auto data = DenseResourceElementsAttr::get(bytesType, layer.weight + ".q",
                                               std::move(blob));
    builder.setInsertionPoint(c.constant);
    auto quantized = builder.create<QuantizedConstantOp>(
        c.constant.getLoc(), type,
        static_cast<WeightEncoding>(q.encoding), data, q.bits, q.axis,
        q.isSigned,
        q.scales.empty() ? DenseF32ArrayAttr()
                         : builder.getDenseF32ArrayAttr(q.scales),
        q.zeroPoints.empty() ? DenseI32ArrayAttr()
                             : builder.getDenseI32ArrayAttr(q.zeroPoints),
        q.lut.empty() ? DenseF32ArrayAttr() : builder.getDenseF32ArrayAttr(q.lut),
        q.groupChannels);
    c.constant.replaceAllUsesWith(quantized.getResult());
    c.constant.erase();
    if (report)
      report->layers.push_back(layer);
  }
  if (showProgress)
    llvm::errs() << "\r\x1b[K";
  if (report)
    for (const QuantizedLayer &layer : report->layers) {
      report->floatBytes += layer.floatBytes;
      report->storedBytes += layer.storedBytes;
    }
  return success();
}

namespace {

struct QuantizeWeightsPass
    : mlc::impl::QuantizeWeightsPassBase<QuantizeWeightsPass> {
  using QuantizeWeightsPassBase::QuantizeWeightsPassBase;

  void runOnOperation() override {
    QuantizeOptions options;
    if (mode == "fp16")
      options.mode = QuantizeMode::FP16;
    else if (mode == "linear")
      options.mode = QuantizeMode::Linear;
    else if (mode == "kmeans")
      options.mode = QuantizeMode::KMeans;
    else {
      emitError(getOperation().getLoc())
          << "mode '" << mode << "': use fp16, linear or kmeans";
      return signalPassFailure();
    }
    options.bits = options.mode == QuantizeMode::FP16 ? 16 : bits;
    options.perChannel = granularity != "per-tensor";
    if (granularity != "per-channel" && granularity != "per-tensor") {
      emitError(getOperation().getLoc())
          << "granularity '" << granularity
          << "': use per-channel or per-tensor";
      return signalPassFailure();
    }
    options.symmetric = symmetric;
    options.groupChannels = groupChannels;
    options.minSize = minSize;
    options.skip.assign(skip.begin(), skip.end());
    if (failed(quantizeWeights(getOperation(), options)))
      signalPassFailure();
  }
};

} // namespace
