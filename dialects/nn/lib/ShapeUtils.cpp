//===- ShapeUtils.cpp - Shapes, constants and window geometry -------------===//

#include "mlc/Dialect/NN/ShapeUtils.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/APFloat.h"

#include <cstring>

using namespace mlir;

namespace mlc::nn {

std::optional<SmallVector<int64_t>> getDims(Type type) {
  auto ranked = dyn_cast<RankedTensorType>(type);
  if (!ranked)
    return std::nullopt;
  return SmallVector<int64_t>(ranked.getShape());
}

TensorType makeTensorType(std::optional<ArrayRef<int64_t>> dims,
                          Type elementType) {
  if (!dims)
    return UnrankedTensorType::get(elementType);
  return RankedTensorType::get(*dims, elementType);
}

Type getElementType(Type type) {
  return cast<ShapedType>(type).getElementType();
}

bool areCompatible(Type a, Type b) {
  auto ta = dyn_cast<TensorType>(a), tb = dyn_cast<TensorType>(b);
  if (!ta || !tb)
    return a == b;
  if (ta.getElementType() != tb.getElementType())
    return false;
  if (!ta.hasRank() || !tb.hasRank())
    return true;
  if (ta.getRank() != tb.getRank())
    return false;
  for (auto [x, y] : llvm::zip(ta.getShape(), tb.getShape()))
    if (x != kDynamic && y != kDynamic && x != y)
      return false;
  return true;
}

Type refineType(Type a, Type b) {
  auto ta = cast<TensorType>(a), tb = cast<TensorType>(b);
  if (!ta.hasRank())
    return tb;
  if (!tb.hasRank())
    return ta;
  SmallVector<int64_t> dims;
  for (auto [x, y] : llvm::zip(ta.getShape(), tb.getShape()))
    dims.push_back(x == kDynamic ? y : x);
  return RankedTensorType::get(dims, ta.getElementType());
}

ArrayRef<char> getRawData(ElementsAttr attr) {
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      return blob->getData();
    return {};
  }
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (dense.isSplat() || dense.getElementType().isInteger(1))
      return {};
    return dense.getRawData();
  }
  return {};
}

// Reads element `i` of little-endian raw data of an integer type.
static int64_t readInt(const char *data, int64_t i, IntegerType type) {
  unsigned bytes = type.getWidth() / 8;
  uint64_t raw = 0;
  std::memcpy(&raw, data + i * bytes, bytes);
  if (type.isUnsigned() || bytes == 8)
    return static_cast<int64_t>(raw);
  unsigned shift = 64 - type.getWidth();
  return static_cast<int64_t>(raw << shift) >> shift;
}

std::optional<SmallVector<int64_t>> getConstantInts(Attribute attr) {
  auto elements = dyn_cast_or_null<ElementsAttr>(attr);
  if (!elements)
    return std::nullopt;
  auto intType = dyn_cast<IntegerType>(elements.getElementType());
  if (!intType)
    return std::nullopt;
  SmallVector<int64_t> values;
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    for (const APInt &v : dense.getValues<APInt>())
      values.push_back(intType.isUnsigned() || intType.getWidth() == 1
                           ? int64_t(v.getZExtValue())
                           : v.getSExtValue());
    return values;
  }
  if (intType.getWidth() % 8 != 0)
    return std::nullopt;
  ArrayRef<char> raw = getRawData(elements);
  int64_t count = elements.getNumElements();
  if (raw.size() != size_t(count) * intType.getWidth() / 8)
    return std::nullopt;
  for (int64_t i = 0; i < count; ++i)
    values.push_back(readInt(raw.data(), i, intType));
  return values;
}

std::optional<SmallVector<int64_t>> getConstantInts(Value value) {
  Attribute attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  return getConstantInts(attr);
}

// The clamped [start, end) of ONNX's Shape and Slice on a dim of `size`.
static std::pair<int64_t, int64_t> clampRange(int64_t start, int64_t end,
                                              int64_t size) {
  auto clamp = [size](int64_t v) {
    if (v < 0)
      v += size;
    return std::max<int64_t>(0, std::min(v, size));
  };
  return {clamp(start), clamp(end)};
}

std::optional<SmallVector<int64_t>> getPartialInts(Value value) {
  if (!value)
    return std::nullopt;
  if (auto known = getConstantInts(value))
    return known;
  auto dims = getDims(value.getType());
  if (!dims || dims->size() > 1 || !isa<IntegerType>(getElementType(value.getType())))
    return std::nullopt;
  int64_t length = dims->empty() ? 1 : (*dims)[0];
  Operation *def = value.getDefiningOp();
  std::optional<SmallVector<int64_t>> result;
  if (auto shape = dyn_cast_or_null<ShapeOp>(def)) {
    if (auto in = getDims(shape.getInput().getType())) {
      int64_t rank = in->size();
      auto [start, end] =
          clampRange(shape.getStart(), shape.getEnd().value_or(rank), rank);
      result = SmallVector<int64_t>(in->begin() + start,
                                    in->begin() + std::max(start, end));
    }
  } else if (auto concat = dyn_cast_or_null<ConcatOp>(def)) {
    SmallVector<int64_t> all;
    for (Value part : concat.getInputs()) {
      auto values = getPartialInts(part);
      if (!values)
        return length == kDynamic ? std::nullopt
                                  : std::optional(SmallVector<int64_t>(length, kDynamic));
      all.append(values->begin(), values->end());
    }
    result = all;
  } else if (auto gather = dyn_cast_or_null<GatherOp>(def)) {
    auto data = getPartialInts(gather.getInput());
    auto indices = getConstantInts(gather.getIndices());
    if (data && indices) {
      SmallVector<int64_t> picked;
      int64_t size = data->size();
      for (int64_t i : *indices) {
        if (i < -size || i >= size)
          return std::nullopt;
        picked.push_back((*data)[i < 0 ? i + size : i]);
      }
      result = picked;
    }
  } else if (auto slice = dyn_cast_or_null<SliceOp>(def)) {
    auto data = getPartialInts(slice.getInput());
    auto starts = getConstantInts(slice.getStarts());
    auto ends = getConstantInts(slice.getEnds());
    auto steps = slice.getSteps() ? getConstantInts(slice.getSteps())
                                  : std::optional(SmallVector<int64_t>{1});
    if (data && starts && ends && steps && starts->size() == 1 &&
        ends->size() == 1 && steps->size() == 1 && (*steps)[0] > 0) {
      auto [start, end] = clampRange((*starts)[0], (*ends)[0], data->size());
      SmallVector<int64_t> picked;
      for (int64_t i = start; i < end; i += (*steps)[0])
        picked.push_back((*data)[i]);
      result = picked;
    }
  } else if (isa_and_nonnull<UnsqueezeOp, SqueezeOp, ReshapeOp, CastOp>(def)) {
    if (isa<IntegerType>(getElementType(def->getOperand(0).getType())))
      result = getPartialInts(def->getOperand(0));
  }
  if (result && (length == kDynamic || int64_t(result->size()) == length))
    return result;
  if (length == kDynamic)
    return std::nullopt;
  return SmallVector<int64_t>(length, kDynamic);
}

static double toDouble(APFloat v) {
  bool losesInfo;
  v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &losesInfo);
  return v.convertToDouble();
}

std::optional<SmallVector<double>> getConstantFloats(Attribute attr) {
  auto elements = dyn_cast_or_null<ElementsAttr>(attr);
  if (!elements)
    return std::nullopt;
  auto floatType = dyn_cast<FloatType>(elements.getElementType());
  if (!floatType)
    return std::nullopt;
  SmallVector<double> values;
  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr)) {
    for (const APFloat &v : dense.getValues<APFloat>())
      values.push_back(toDouble(v));
    return values;
  }
  ArrayRef<char> raw = getRawData(elements);
  unsigned bytes = floatType.getWidth() / 8;
  int64_t count = elements.getNumElements();
  if (raw.size() != size_t(count) * bytes)
    return std::nullopt;
  for (int64_t i = 0; i < count; ++i) {
    uint64_t bits = 0;
    std::memcpy(&bits, raw.data() + i * bytes, bytes);
    values.push_back(toDouble(
        APFloat(floatType.getFloatSemantics(), APInt(floatType.getWidth(), bits))));
  }
  return values;
}

std::optional<SmallVector<double>> getConstantFloats(Value value) {
  Attribute attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  return getConstantFloats(attr);
}

DenseElementsAttr makeIntsAttr(ShapedType type, ArrayRef<int64_t> values) {
  auto intType = cast<IntegerType>(type.getElementType());
  SmallVector<APInt> ints;
  ints.reserve(values.size());
  for (int64_t v : values)
    ints.push_back(APInt(intType.getWidth(), uint64_t(v),
                         /*isSigned=*/!intType.isUnsigned()));
  return DenseElementsAttr::get(type, ints);
}

DenseElementsAttr makeFloatsAttr(ShapedType type, ArrayRef<double> values) {
  auto floatType = cast<FloatType>(type.getElementType());
  SmallVector<APFloat> floats;
  floats.reserve(values.size());
  for (double v : values) {
    APFloat f(v);
    bool losesInfo;
    f.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
              &losesInfo);
    floats.push_back(f);
  }
  return DenseElementsAttr::get(type, floats);
}

std::optional<SmallVector<int64_t>> broadcastDims(ArrayRef<int64_t> a,
                                                  ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t x = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t y = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (x == 1)
      out[i] = y;
    else if (y == 1)
      out[i] = x;
    else if (x == kDynamic)
      out[i] = y;
    else if (y == kDynamic || x == y)
      out[i] = x;
    else
      return std::nullopt;
  }
  return out;
}

std::string formatDims(ArrayRef<int64_t> dims) {
  std::string out;
  for (auto [i, d] : llvm::enumerate(dims)) {
    if (i)
      out += 'x';
    out += d == kDynamic ? "?" : std::to_string(d);
  }
  return out;
}

std::string formatList(ArrayRef<int64_t> values) {
  std::string out;
  for (auto [i, v] : llvm::enumerate(values))
    out += (i ? ", " : "") + std::to_string(v);
  return out;
}

std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

FailureOr<Window> makeWindow(Operation *op, ArrayRef<int64_t> kernel,
                             ArrayRef<int64_t> strides,
                             ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads,
                             AutoPad autoPad, bool ceilMode) {
  size_t n = kernel.size();
  auto fill = [&](StringRef name, ArrayRef<int64_t> given, size_t size,
                  int64_t fallback, int64_t minimum,
                  SmallVector<int64_t> &out) -> LogicalResult {
    if (given.empty()) {
      out.assign(size, fallback);
      return success();
    }
    if (given.size() != size)
      return op->emitOpError() << name << " has " << given.size()
                               << " values for " << n << " spatial dims";
    for (int64_t v : given)
      if (v < minimum)
        return op->emitOpError() << name << " must be at least " << minimum
                                 << ", got " << v;
    out.assign(given.begin(), given.end());
    return success();
  };
  Window window;
  window.kernel.assign(kernel.begin(), kernel.end());
  window.autoPad = autoPad;
  window.ceilMode = ceilMode;
  if (failed(fill("strides", strides, n, 1, 1, window.strides)) ||
      failed(fill("dilations", dilations, n, 1, 1, window.dilations)) ||
      failed(fill("pads", pads, 2 * n, 0, 0, window.pads)))
    return failure();
  if (autoPad != AutoPad::notset &&
      llvm::any_of(window.pads, [](int64_t p) { return p != 0; }))
    return op->emitOpError() << "pads [" << formatList(window.pads)
                             << "] cannot be used with auto_pad "
                             << stringifyAutoPad(autoPad);
  for (int64_t k : kernel)
    if (k != kDynamic && k < 1)
      return op->emitOpError() << "kernel dims must be positive, got "
                               << formatDims(kernel);
  return window;
}

int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t dilation, int64_t padBegin, int64_t padEnd,
                         AutoPad autoPad, bool ceilMode) {
  int64_t span = dilation * (kernel - 1) + 1;
  switch (autoPad) {
  case AutoPad::same_upper:
  case AutoPad::same_lower:
    return (in + stride - 1) / stride;
  case AutoPad::valid:
    padBegin = padEnd = 0;
    break;
  case AutoPad::notset:
    break;
  }
  int64_t room = in + padBegin + padEnd - span;
  if (room < 0)
    return 0;
  if (!ceilMode)
    return room / stride + 1;
  int64_t out = (room + stride - 1) / stride + 1;
  // The last window must start inside the input or its begin padding.
  if ((out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

FailureOr<SmallVector<int64_t>> inferWindowOutput(Operation *op,
                                                  ArrayRef<int64_t> spatialDims,
                                                  const Window &window) {
  size_t n = window.kernel.size();
  SmallVector<int64_t> out;
  for (size_t i = 0; i < n; ++i) {
    int64_t in = spatialDims[i], k = window.kernel[i];
    if (in == kDynamic || k == kDynamic) {
      out.push_back(kDynamic);
      continue;
    }
    int64_t size = windowOutputSize(in, k, window.strides[i],
                                    window.dilations[i], window.pads[i],
                                    window.pads[i + n], window.autoPad,
                                    window.ceilMode);
    if (size < 1) {
      InFlightDiagnostic diag = op->emitOpError()
                                << "kernel " << formatDims(window.kernel)
                                << " does not fit the "
                                << formatDims(spatialDims) << " input";
      if (llvm::any_of(window.pads, [](int64_t p) { return p != 0; }))
        diag << " with pads [" << formatList(window.pads) << "]";
      if (llvm::any_of(window.dilations, [](int64_t d) { return d != 1; }))
        diag << " at dilations " << formatDims(window.dilations);
      return diag;
    }
    out.push_back(size);
  }
  return out;
}

} // namespace mlc::nn
