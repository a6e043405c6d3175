//===- Cast.cpp - Cast, QuantizeLinear, DequantizeLinear, Fill, Range -----===//

#include "Reference.h"

#include "mlc/Runtime/WeightEncoding.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace mlc::rt::ref {

namespace {


// Storage types standing for f16, bf16 and bool so that each element type
// has its own C++ type.
struct Half { uint16_t bits; };
struct BFloat { uint16_t bits; };
struct Bool { uint8_t value; };

// Calls fn(T()) with the C++ type of `type`.
template <typename Fn> void withType(ElementType type, Fn fn) {
  switch (type) {
  case ElementType::f32: return fn(float());
  case ElementType::f16: return fn(Half());
  case ElementType::f64: return fn(double());
  case ElementType::bf16: return fn(BFloat());
  case ElementType::i8: return fn(int8_t());
  case ElementType::u8: return fn(uint8_t());
  case ElementType::i16: return fn(int16_t());
  case ElementType::u16: return fn(uint16_t());
  case ElementType::i32: return fn(int32_t());
  case ElementType::u32: return fn(uint32_t());
  case ElementType::i64: return fn(int64_t());
  case ElementType::u64: return fn(uint64_t());
  case ElementType::boolean: return fn(Bool());
  }
}

// A value on its way between types: floats travel as double, integers as
// themselves (so that i64 and u64 keep every bit).
template <typename T> auto widen(T v) {
  if constexpr (std::is_same_v<T, Half>)
    return static_cast<double>(rt::halfToFloat(v.bits));
  else if constexpr (std::is_same_v<T, BFloat>)
    return static_cast<double>(rt::bfloat16ToFloat(v.bits));
  else if constexpr (std::is_same_v<T, Bool>)
    return static_cast<uint64_t>(v.value != 0);
  else if constexpr (std::is_floating_point_v<T>)
    return static_cast<double>(v);
  else if constexpr (std::is_signed_v<T>)
    return static_cast<int64_t>(v);
  else
    return static_cast<uint64_t>(v);
}

// Float to integer truncates toward zero (ONNX); out-of-range values, which
// ONNX leaves undefined, saturate and NaN becomes 0 (no undefined behavior).
template <typename To> To floatToInt(double v) {
  if (std::isnan(v))
    return 0;
  v = std::trunc(v);
  if (v <= static_cast<double>(std::numeric_limits<To>::lowest()))
    return std::numeric_limits<To>::lowest();
  if (v >= static_cast<double>(std::numeric_limits<To>::max()))
    return std::numeric_limits<To>::max();
  return static_cast<To>(v);
}

template <typename To, typename W> To narrow(W v) {
  if constexpr (std::is_same_v<To, Bool>)
    return Bool{static_cast<uint8_t>(v != 0)};
  else if constexpr (std::is_same_v<To, Half>)
    return Half{rt::floatToHalf(static_cast<float>(v))};
  else if constexpr (std::is_same_v<To, BFloat>)
    return BFloat{rt::floatToBfloat16(static_cast<float>(v))};
  else if constexpr (std::is_floating_point_v<To>)
    return static_cast<To>(v);
  else if constexpr (std::is_floating_point_v<W>)
    return floatToInt<To>(v);
  else // Integer to integer wraps (two's complement), as ONNX and numpy.
    return static_cast<To>(v);
}

} // namespace

void storeScalar(ElementType type, void *dst, double value, int64_t count) {
  withType(type, [&](auto tag) {
    using T = decltype(tag);
    T v = narrow<T>(value);
    T *p = static_cast<T *>(dst);
    for (int64_t i = 0; i < count; ++i)
      p[i] = v;
  });
}

KernelPtr makeCast(const KernelArgs &args) {
  checkOperands(args, 1, 1, 1);
  const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
  checkDims(args, y, x.dims, "output");
  if (static_cast<int>(x.type) > static_cast<int>(ElementType::boolean) ||
      static_cast<int>(y.type) > static_cast<int>(ElementType::boolean))
    args.fail("unknown element type");
  return makeKernel([](const KernelArgs &args) {
    const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
    int64_t n = x.count();
    withType(x.type, [&](auto fromTag) {
      using From = decltype(fromTag);
      withType(y.type, [&](auto toTag) {
        using To = decltype(toTag);
        const From *px = x.as<From>();
        To *py = y.as<To>();
        for (int64_t i = 0; i < n; ++i)
          py[i] = narrow<To>(widen(px[i]));
      });
    });
  });
}

namespace {

// How scale and zero point map onto x: one value per tensor, one per index
// along `axis` (1-D parameters), or one per block of `block` indices along
// `axis` (parameters with x's dims but dims[axis] = ceil(dims[axis] / block)).
struct QuantLayout {
  enum Mode { PerTensor, PerAxis, PerBlock } mode = PerTensor;
  int64_t inner = 1, axisLen = 1, block = 1, paramAxisLen = 1;

  int64_t index(int64_t i) const {
    if (mode == PerTensor)
      return 0;
    int64_t a = (i / inner) % axisLen;
    if (mode == PerAxis)
      return a;
    int64_t outer = i / (inner * axisLen);
    return (outer * paramAxisLen + a / block) * inner + i % inner;
  }
};

// Checks scale (f32) and the optional zero point's dims against x.
QuantLayout quantLayout(const KernelArgs &args, const TensorRef &x,
                        int32_t axisParam, int64_t blockSize) {
  const TensorRef &scale = *args.inputs[1];
  checkType(args, scale, ElementType::f32, "scale");
  if (const TensorRef *zp = args.input(2))
    checkDims(args, *zp, scale.dims, "zero point");
  QuantLayout q;
  if (blockSize < 0)
    args.fail("negative block_size");
  if (blockSize == 0 && scale.count() == 1 && scale.rank() <= 1)
    return q;
  int64_t axis = normalizeAxis(args, axisParam, x.rank());
  q.axisLen = x.dim(axis);
  for (size_t i = axis + 1; i < x.rank(); ++i)
    q.inner *= x.dim(i);
  if (blockSize == 0) {
    q.mode = QuantLayout::PerAxis;
    checkDims(args, scale, {q.axisLen}, "per-axis scale");
    return q;
  }
  q.mode = QuantLayout::PerBlock;
  q.block = checkParam(args, blockSize, "block_size");
  std::vector<int64_t> dims = x.dims;
  dims[axis] = (x.dim(axis) + blockSize - 1) / blockSize;
  checkDims(args, scale, dims, "blocked scale");
  q.paramAxisLen = dims[axis];
  return q;
}

} // namespace

KernelPtr makeQuantizeLinear(const KernelArgs &args) {
  const auto *p = args.op->params_as_QuantizeLinearParams();
  checkOperands(args, 2, 3, 1);
  const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
  checkType(args, x, ElementType::f32, "input");
  if (y.type != ElementType::i8 && y.type != ElementType::u8)
    args.fail(std::string("unsupported output type ") + elementTypeName(y.type));
  if (const TensorRef *zp = args.input(2))
    checkType(args, *zp, y.type, "zero point");
  checkDims(args, y, x.dims, "output");
  QuantLayout q = quantLayout(args, x, p->axis(), p->block_size());
  return makeKernel([q](const KernelArgs &args) {
    const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
    const float *px = x.as<float>(), *scale = args.inputs[1]->as<float>();
    const TensorRef *zp = args.input(2);
    int64_t n = x.count();
    auto quantize = [&](auto *py, double lo, double hi) {
      using T = std::remove_pointer_t<decltype(py)>;
      const T *pz = zp ? zp->as<T>() : nullptr;
      for (int64_t i = 0; i < n; ++i) {
        int64_t k = q.index(i);
        // nearbyint rounds half to even in the default rounding mode.
        double v = std::nearbyint(static_cast<double>(px[i]) / scale[k]);
        if (std::isnan(v))
          v = 0;
        v += pz ? pz[k] : 0;
        py[i] = static_cast<T>(std::min(hi, std::max(lo, v)));
      }
    };
    if (y.type == ElementType::i8)
      quantize(y.as<int8_t>(), -128, 127);
    else
      quantize(y.as<uint8_t>(), 0, 255);
  });
}

KernelPtr makeDequantizeLinear(const KernelArgs &args) {
  const auto *p = args.op->params_as_DequantizeLinearParams();
  checkOperands(args, 2, 3, 1);
  const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
  if (x.type != ElementType::i8 && x.type != ElementType::u8 &&
      x.type != ElementType::i32)
    args.fail(std::string("unsupported input type ") + elementTypeName(x.type));
  if (const TensorRef *zp = args.input(2))
    checkType(args, *zp, x.type, "zero point");
  checkType(args, y, ElementType::f32, "output");
  checkDims(args, y, x.dims, "output");
  QuantLayout q = quantLayout(args, x, p->axis(), p->block_size());
  return makeKernel([q](const KernelArgs &args) {
    const TensorRef &x = *args.inputs[0];
    const float *scale = args.inputs[1]->as<float>();
    float *py = args.outputs[0]->as<float>();
    const TensorRef *zp = args.input(2);
    int64_t n = x.count();
    auto dequantize = [&](const auto *px) {
      using T = std::remove_const_t<std::remove_pointer_t<decltype(px)>>;
      const T *pz = zp ? zp->as<T>() : nullptr;
      for (int64_t i = 0; i < n; ++i) {
        int64_t k = q.index(i);
        int64_t v = int64_t(px[i]) - (pz ? int64_t(pz[k]) : 0);
        py[i] = static_cast<float>(v) * scale[k];
      }
    };
    if (x.type == ElementType::i8)
      dequantize(x.as<const int8_t>());
    else if (x.type == ElementType::u8)
      dequantize(x.as<const uint8_t>());
    else
      dequantize(x.as<const int32_t>());
  });
}

KernelPtr makeFill(const KernelArgs &args) {
  const auto *p = args.op->params_as_FillParams();
  // ConstantOfShape's shape operand, if kept, is not read.
  checkOperands(args, 0, 1, 1);
  if (static_cast<int>(args.outputs[0]->type) > static_cast<int>(ElementType::boolean))
    args.fail("unknown element type");
  double value = p->value();
  return makeKernel([value](const KernelArgs &args) {
    const TensorRef &y = *args.outputs[0];
    storeScalar(y.type, y.data, value, y.count());
  });
}

KernelPtr makeRange(const KernelArgs &args) {
  checkOperands(args, 3, 3, 1);
  const TensorRef &y = *args.outputs[0];
  for (size_t i = 0; i < 3; ++i) {
    checkType(args, *args.inputs[i], y.type, i == 0 ? "start" : i == 1 ? "limit" : "delta");
    checkScalar(args, *args.inputs[i], i == 0 ? "start" : i == 1 ? "limit" : "delta");
  }
  checkRank(args, y, 1, "output");
  if (y.type == ElementType::f16 || y.type == ElementType::bf16 ||
      y.type == ElementType::boolean ||
      static_cast<int>(y.type) > static_cast<int>(ElementType::boolean))
    args.fail(std::string("unsupported element type ") + elementTypeName(y.type));
  return makeKernel([](const KernelArgs &args) {
    const TensorRef &y = *args.outputs[0];
    withType(y.type, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_arithmetic_v<T>) {
        T start = *args.inputs[0]->as<T>(), limit = *args.inputs[1]->as<T>(),
          delta = *args.inputs[2]->as<T>();
        // The plan fixed the size when the model was compiled.
        double count = delta == 0 ? -1
                                  : std::max(0.0, std::ceil((double(limit) - double(start)) /
                                                            double(delta)));
        if (count != static_cast<double>(y.count()))
          args.fail("Range gives " + (count < 0 ? std::string("no size (delta 0)")
                                                : std::to_string(int64_t(count)) + " entries") +
                    " here; the model was compiled for " + std::to_string(y.count()));
        T *py = y.as<T>();
        for (int64_t i = 0; i < y.count(); ++i)
          py[i] = static_cast<T>(start + static_cast<T>(i) * delta);
      }
    });
  });
}

KernelPtr makeShapeValues(const KernelArgs &args) {
  const auto *p = args.op->params_as_ShapeValuesParams();
  checkOperands(args, 0, args.inputs.size(), 1);
  const TensorRef &y = *args.outputs[0];
  if (y.type != ElementType::i64 && y.type != ElementType::i32)
    args.fail(std::string("unsupported output type ") + elementTypeName(y.type));
  std::vector<int64_t> values;
  if (p->values())
    for (uint32_t index : *p->values())
      values.push_back(exprValue(args, index));
  if (y.count() != static_cast<int64_t>(values.size()))
    args.fail("output has " + std::to_string(y.count()) + " elements for " +
              std::to_string(values.size()) + " values");
  if (y.type == ElementType::i32)
    for (int64_t v : values)
      if (v < std::numeric_limits<int32_t>::min() ||
          v > std::numeric_limits<int32_t>::max())
        args.fail("value " + std::to_string(v) + " does not fit i32");
  // The expression values are fixed for this plan: capture them.
  return makeKernel([values](const KernelArgs &args) {
    const TensorRef &y = *args.outputs[0];
    for (size_t i = 0; i < values.size(); ++i) {
      if (y.type == ElementType::i32)
        y.as<int32_t>()[i] = static_cast<int32_t>(values[i]);
      else
        y.as<int64_t>()[i] = values[i];
    }
  });
}

} // namespace mlc::rt::ref
