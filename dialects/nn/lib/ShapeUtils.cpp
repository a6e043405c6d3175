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

} // namespace mlc::nn

unsigned mlc::nn::getByteWidth(Type type) {
  return std::max<unsigned>(1, type.getIntOrFloatBitWidth() / 8);
}

uint64_t mlc::nn::getRawSize(ElementsAttr attr) {
  ArrayRef<char> raw = getRawData(attr);
  if (!raw.empty())
    return raw.size();
  return attr.getNumElements() * getByteWidth(attr.getElementType());
}

// Weights exist once in memory (architecture decision 1).
void mlc::nn::writeRawData(ElementsAttr attr,
                           llvm::function_ref<void(ArrayRef<char>)> write) {
  ArrayRef<char> raw = getRawData(attr);
  if (!raw.empty() || attr.getNumElements() == 0) {
    if (!raw.empty())
      write(raw);
    return;
  }
  auto dense = cast<DenseElementsAttr>(attr);
  Type elementType = dense.getElementType();
  unsigned width = getByteWidth(elementType);
  auto bitsOf = [&](auto value) {
    if constexpr (std::is_same_v<decltype(value), APFloat>)
      return value.bitcastToAPInt();
    else
      return value;
  };
  constexpr size_t kChunkBytes = 64 * 1024;
  SmallVector<char, 0> buffer;
  buffer.reserve(std::min<uint64_t>(getRawSize(attr), kChunkBytes));
  auto append = [&](const APInt &bits) {
    uint64_t word = bits.getZExtValue();
    const char *bytes = reinterpret_cast<const char *>(&word);
    buffer.append(bytes, bytes + width);
  };
  auto writeValues = [&](auto values) {
    if (dense.isSplat()) {
      // A chunk of copies of the value, written as often as it takes.
      uint64_t left = getRawSize(attr);
      uint64_t chunk = std::min<uint64_t>(left, kChunkBytes) / width * width;
      APInt bits = bitsOf(*values.begin());
      while (buffer.size() < chunk)
        append(bits);
      for (; left >= chunk; left -= chunk)
        write(buffer);
      if (left)
        write(ArrayRef<char>(buffer).take_front(left));
      return;
    }
    for (const auto &value : values) {
      append(bitsOf(value));
      if (buffer.size() + width > kChunkBytes) {
        write(buffer);
        buffer.clear();
      }
    }
    if (!buffer.empty())
      write(buffer);
  };
  if (isa<FloatType>(elementType))
    writeValues(dense.getValues<APFloat>());
  else
    writeValues(dense.getValues<APInt>());
}

