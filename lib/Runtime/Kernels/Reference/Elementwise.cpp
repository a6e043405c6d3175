//===- Elementwise.cpp - Unary, Binary, Clip, PRelu, Softmax --------------===//
//
// Unary, Binary and Clip may write their result over an operand of the
// same dims (the planner shares the buffer): every loop reads element i
// before it writes element i.
//
//===----------------------------------------------------------------------===//

#include "Reference.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mlc::rt::ref {

namespace {

template <typename T, typename Fn> void mapInPlace(const T *x, T *y, int64_t n, Fn fn) {
  for (int64_t i = 0; i < n; ++i)
    y[i] = fn(x[i]);
}

// The activation of the same name, for the unary kinds that have one.
format::ActivationKind activationOf(format::UnaryKind kind) {
  using K = format::UnaryKind;
  using A = format::ActivationKind;
  switch (kind) {
  case K::relu: return A::relu;
  case K::leaky_relu: return A::leaky_relu;
  case K::sigmoid: return A::sigmoid;
  case K::tanh: return A::tanh;
  case K::hard_sigmoid: return A::hard_sigmoid;
  case K::hard_swish: return A::hard_swish;
  case K::elu: return A::elu;
  case K::softplus: return A::softplus;
  default: return A::none;
  }
}

void unaryF32(format::UnaryKind kind, float alpha, float beta, const float *x,
              float *y, int64_t n) {
  using K = format::UnaryKind;
  switch (kind) {
  case K::relu:
  case K::leaky_relu:
  case K::sigmoid:
  case K::tanh:
  case K::hard_sigmoid:
  case K::hard_swish:
  case K::elu:
  case K::softplus: {
    // The kinds that can be fused into an op are computed as fused.
    format::Activation act(activationOf(kind), alpha, beta);
    return mapInPlace(x, y, n, [&](float v) { return applyActivation(act, v); });
  }
  case K::exp:
    return mapInPlace(x, y, n, [](float v) { return std::exp(v); });
  case K::log:
    return mapInPlace(x, y, n, [](float v) { return std::log(v); });
  case K::sqrt:
    return mapInPlace(x, y, n, [](float v) { return std::sqrt(v); });
  case K::erf:
    return mapInPlace(x, y, n, [](float v) { return std::erf(v); });
  case K::abs:
    return mapInPlace(x, y, n, [](float v) { return std::fabs(v); });
  case K::neg:
    return mapInPlace(x, y, n, [](float v) { return -v; });
  case K::floor:
    return mapInPlace(x, y, n, [](float v) { return std::floor(v); });
  case K::ceil:
    return mapInPlace(x, y, n, [](float v) { return std::ceil(v); });
  case K::reciprocal:
    return mapInPlace(x, y, n, [](float v) { return 1 / v; });
  }
}

// Integer abs and neg wrap like two's complement (no undefined overflow).
template <typename T> void unaryInt(format::UnaryKind kind, const T *x, T *y, int64_t n) {
  using U = std::make_unsigned_t<T>;
  if (kind == format::UnaryKind::neg)
    mapInPlace(x, y, n, [](T v) { return static_cast<T>(U(0) - U(v)); });
  else
    mapInPlace(x, y, n, [](T v) { return v < 0 ? static_cast<T>(U(0) - U(v)) : v; });
}

} // namespace

KernelPtr makeUnary(const KernelArgs &args) {
  const auto *p = args.op->params_as_UnaryParams();
  checkOperands(args, 1, 1, 1);
  const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
  format::UnaryKind kind = p->kind();
  if (kind > format::UnaryKind::MAX)
    args.fail("unknown unary kind");
  bool intKind = kind == format::UnaryKind::abs || kind == format::UnaryKind::neg;
  if (x.type != ElementType::f32 &&
      !(intKind && (x.type == ElementType::i32 || x.type == ElementType::i64)))
    args.fail(std::string("unsupported element type ") +
              elementTypeName(x.type) + " for " +
              format::EnumNameUnaryKind(kind));
  checkType(args, y, x.type, "output");
  checkDims(args, y, x.dims, "output");
  float alpha = p->alpha(), beta = p->beta();
  return makeKernel([kind, alpha, beta](const KernelArgs &a) {
    const TensorRef &x = *a.inputs[0], &y = *a.outputs[0];
    if (x.type == ElementType::i32)
      unaryInt(kind, x.as<int32_t>(), y.as<int32_t>(), x.count());
    else if (x.type == ElementType::i64)
      unaryInt(kind, x.as<int64_t>(), y.as<int64_t>(), x.count());
    else
      unaryF32(kind, alpha, beta, x.as<float>(), y.as<float>(), x.count());
  });
}

namespace {

// y[i] = op(a[..], b[..]) over the broadcast; R is y's element type (bool,
// stored as uint8_t, for the comparisons).
template <typename T, typename R = T, typename Op>
void broadcastBinary(const TensorRef &a, const TensorRef &b, const TensorRef &y, Op op) {
  const T *pa = a.as<T>(), *pb = b.as<T>();
  R *py = y.as<R>();
  const std::vector<int64_t> strides[2] = {broadcastStrides(a.dims, y.dims),
                                           broadcastStrides(b.dims, y.dims)};
  forEachIndex(y.dims, strides, [&](int64_t i, const int64_t *o) {
    py[i] = op(pa[o[0]], pb[o[1]]);
  });
}

void binaryF32(format::BinaryKind kind, const format::Activation &act,
               const TensorRef &a, const TensorRef &b, const TensorRef &y) {
  using K = format::BinaryKind;
  auto run = [&](auto op) {
    if (act.kind() == format::ActivationKind::none)
      broadcastBinary<float>(a, b, y, op);
    else
      broadcastBinary<float>(a, b, y, [&](float u, float v) {
        return applyActivation(act, op(u, v));
      });
  };
  switch (kind) {
  case K::add: return run([](float u, float v) { return u + v; });
  case K::sub: return run([](float u, float v) { return u - v; });
  case K::mul: return run([](float u, float v) { return u * v; });
  case K::div: return run([](float u, float v) { return u / v; });
  case K::pow: return run([](float u, float v) { return std::pow(u, v); });
  // NaN propagates as in ONNX's Max and Min.
  case K::max:
    return run([](float u, float v) { return std::isnan(u) || u >= v ? u : v; });
  case K::min:
    return run([](float u, float v) { return std::isnan(u) || u <= v ? u : v; });
  case K::fmod:
    return run([](float u, float v) { return std::fmod(u, v); });
  case K::mod:
    return run([](float u, float v) {
      float r = std::fmod(u, v);
      return r != 0 && (r < 0) != (v < 0) ? r + v : r;
    });
  }
}

// Integer arithmetic wraps (computed unsigned); division truncates toward
// zero as in ONNX, and a zero divisor is an error rather than a trap.
template <typename T>
void binaryInt(const KernelArgs &args, format::BinaryKind kind,
               const TensorRef &a, const TensorRef &b, const TensorRef &y) {
  using K = format::BinaryKind;
  using U = std::make_unsigned_t<T>;
  switch (kind) {
  case K::add:
    return broadcastBinary<T>(a, b, y, [](T u, T v) { return T(U(u) + U(v)); });
  case K::sub:
    return broadcastBinary<T>(a, b, y, [](T u, T v) { return T(U(u) - U(v)); });
  case K::mul:
    return broadcastBinary<T>(a, b, y, [](T u, T v) { return T(U(u) * U(v)); });
  case K::div: {
    bool zero = false;
    broadcastBinary<T>(a, b, y, [&](T u, T v) {
      if (v == 0) {
        zero = true;
        return T(0);
      }
      if (v == -1) // min / -1 overflows: wrap instead.
        return T(U(0) - U(u));
      return T(u / v);
    });
    if (zero)
      args.fail("integer division by zero");
    return;
  }
  case K::max:
    return broadcastBinary<T>(a, b, y, [](T u, T v) { return std::max(u, v); });
  case K::min:
    return broadcastBinary<T>(a, b, y, [](T u, T v) { return std::min(u, v); });
  case K::mod:
  case K::fmod: {
    bool zero = false, floor = kind == K::mod;
    broadcastBinary<T>(a, b, y, [&](T u, T v) {
      if (v == 0) {
        zero = true;
        return T(0);
      }
      if (v == -1) // min % -1 overflows; every remainder by -1 is 0.
        return T(0);
      T r = u % v;
      // mod takes the divisor's sign; % (and fmod) the dividend's.
      return floor && r != 0 && (r < 0) != (v < 0) ? T(r + v) : r;
    });
    if (zero)
      args.fail("integer modulo by zero");
    return;
  }
  case K::pow:
    break;
  }
}

} // namespace

KernelPtr makeBinary(const KernelArgs &args) {
  const auto *p = args.op->params_as_BinaryParams();
  checkOperands(args, 2, 2, 1);
  const TensorRef &a = *args.inputs[0], &b = *args.inputs[1], &y = *args.outputs[0];
  format::BinaryKind kind = p->kind();
  if (kind > format::BinaryKind::MAX)
    args.fail("unknown binary kind");
  checkType(args, b, a.type, "rhs");
  checkType(args, y, a.type, "output");
  bool isInt = a.type == ElementType::i32 || a.type == ElementType::i64;
  if (a.type != ElementType::f32 && !(isInt && kind != format::BinaryKind::pow))
    args.fail(std::string("unsupported element type ") + elementTypeName(a.type) +
              " for " + format::EnumNameBinaryKind(kind));
  format::Activation act = p->activation() ? *p->activation() : format::Activation();
  if (act.kind() > format::ActivationKind::MAX)
    args.fail("unknown activation");
  if (isInt && act.kind() != format::ActivationKind::none)
    args.fail("fused activation on an integer type");
  checkDims(args, y, broadcastShapes(args, a.dims, b.dims), "output");
  return makeKernel([kind, act](const KernelArgs &args) {
    const TensorRef &a = *args.inputs[0], &b = *args.inputs[1], &y = *args.outputs[0];
    if (a.type == ElementType::i32)
      binaryInt<int32_t>(args, kind, a, b, y);
    else if (a.type == ElementType::i64)
      binaryInt<int64_t>(args, kind, a, b, y);
    else
      binaryF32(kind, act, a, b, y);
  });
}

namespace {

// Calls fn(T()) with the C++ type of a numeric or bool element type (bool
// as uint8_t, its storage); false for the 16-bit floats.
template <typename Fn> bool withNumericType(ElementType type, Fn fn) {
  switch (type) {
  case ElementType::f32: fn(float()); return true;
  case ElementType::f64: fn(double()); return true;
  case ElementType::i8: fn(int8_t()); return true;
  case ElementType::u8: case ElementType::boolean: fn(uint8_t()); return true;
  case ElementType::i16: fn(int16_t()); return true;
  case ElementType::u16: fn(uint16_t()); return true;
  case ElementType::i32: fn(int32_t()); return true;
  case ElementType::u32: fn(uint32_t()); return true;
  case ElementType::i64: fn(int64_t()); return true;
  case ElementType::u64: fn(uint64_t()); return true;
  default: return false;
  }
}

template <typename T>
void compareTensors(format::CompareKind kind, const TensorRef &a,
                    const TensorRef &b, const TensorRef &y) {
  using K = format::CompareKind;
  auto run = [&](auto op) { broadcastBinary<T, uint8_t>(a, b, y, op); };
  switch (kind) {
  case K::equal: return run([](T u, T v) { return u == v; });
  case K::less: return run([](T u, T v) { return u < v; });
  case K::less_or_equal: return run([](T u, T v) { return u <= v; });
  case K::greater: return run([](T u, T v) { return u > v; });
  case K::greater_or_equal: return run([](T u, T v) { return u >= v; });
  }
}

} // namespace

KernelPtr makeCompare(const KernelArgs &args) {
  const auto *p = args.op->params_as_CompareParams();
  checkOperands(args, 2, 2, 1);
  const TensorRef &a = *args.inputs[0], &b = *args.inputs[1], &y = *args.outputs[0];
  format::CompareKind kind = p->kind();
  if (kind > format::CompareKind::MAX)
    args.fail("unknown compare kind");
  checkType(args, b, a.type, "rhs");
  checkType(args, y, ElementType::boolean, "output");
  if (!withNumericType(a.type, [](auto) {}))
    args.fail(std::string("unsupported element type ") + elementTypeName(a.type));
  checkDims(args, y, broadcastShapes(args, a.dims, b.dims), "output");
  return makeKernel([kind](const KernelArgs &args) {
    const TensorRef &a = *args.inputs[0], &b = *args.inputs[1], &y = *args.outputs[0];
    withNumericType(a.type, [&](auto tag) {
      compareTensors<decltype(tag)>(kind, a, b, y);
    });
  });
}

KernelPtr makeNot(const KernelArgs &args) {
  checkOperands(args, 1, 1, 1);
  const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
  checkType(args, x, ElementType::boolean, "input");
  checkType(args, y, ElementType::boolean, "output");
  checkDims(args, y, x.dims, "output");
  return makeKernel([](const KernelArgs &args) {
    const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
    mapInPlace(x.as<uint8_t>(), y.as<uint8_t>(), x.count(),
               [](uint8_t v) { return uint8_t(v == 0); });
  });
}

KernelPtr makeWhere(const KernelArgs &args) {
  checkOperands(args, 3, 3, 1);
  const TensorRef &c = *args.inputs[0], &x = *args.inputs[1],
                  &other = *args.inputs[2], &y = *args.outputs[0];
  checkType(args, c, ElementType::boolean, "condition");
  checkType(args, other, x.type, "other");
  checkType(args, y, x.type, "output");
  checkDims(args, y,
            broadcastShapes(args, c.dims, broadcastShapes(args, x.dims, other.dims)),
            "output");
  return makeKernel([](const KernelArgs &args) {
    const TensorRef &c = *args.inputs[0], &x = *args.inputs[1],
                    &other = *args.inputs[2], &y = *args.outputs[0];
    const uint8_t *pc = c.as<uint8_t>();
    const std::vector<int64_t> strides[3] = {broadcastStrides(c.dims, y.dims),
                                             broadcastStrides(x.dims, y.dims),
                                             broadcastStrides(other.dims, y.dims)};
    withElementSize(elementSize(x.type), [&](auto tag) {
      using T = decltype(tag);
      const T *px = x.as<T>(), *po = other.as<T>();
      T *py = y.as<T>();
      forEachIndex(y.dims, strides, [&](int64_t i, const int64_t *o) {
        py[i] = pc[o[0]] ? px[o[1]] : po[o[2]];
      });
    });
  });
}

KernelPtr makeClip(const KernelArgs &args) {
  checkOperands(args, 1, 3, 1);
  const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
  checkType(args, x, ElementType::f32, "input");
  checkType(args, y, ElementType::f32, "output");
  checkDims(args, y, x.dims, "output");
  for (size_t i = 1; i < 3; ++i)
    if (const TensorRef *bound = args.input(i)) {
      checkType(args, *bound, ElementType::f32, i == 1 ? "min" : "max");
      checkScalar(args, *bound, i == 1 ? "min" : "max");
    }
  return makeKernel([](const KernelArgs &args) {
    const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
    float lo = -std::numeric_limits<float>::infinity(), hi = -lo;
    if (const TensorRef *t = args.input(1))
      lo = *t->as<float>();
    if (const TensorRef *t = args.input(2))
      hi = *t->as<float>();
    // ONNX: min(max(x, lo), hi), so hi wins when lo > hi.
    mapInPlace(x.as<float>(), y.as<float>(), x.count(),
               [=](float v) { return std::min(std::max(v, lo), hi); });
  });
}

KernelPtr makePRelu(const KernelArgs &args) {
  checkOperands(args, 2, 2, 1);
  const TensorRef &x = *args.inputs[0], &s = *args.inputs[1], &y = *args.outputs[0];
  checkType(args, x, ElementType::f32, "input");
  checkType(args, s, ElementType::f32, "slope");
  checkType(args, y, ElementType::f32, "output");
  if (!broadcastsTo(s.dims, x.dims))
    args.fail("slope dims " + formatShape(s.dims) + " do not broadcast to " +
              formatShape(x.dims));
  checkDims(args, y, x.dims, "output");
  return makeKernel([](const KernelArgs &args) {
    const TensorRef &x = *args.inputs[0], &s = *args.inputs[1], &y = *args.outputs[0];
    broadcastBinary<float>(x, s, y, [](float v, float k) { return v >= 0 ? v : k * v; });
  });
}

KernelPtr makeSoftmax(const KernelArgs &args) {
  const auto *p = args.op->params_as_SoftmaxParams();
  checkOperands(args, 1, 1, 1);
  const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
  checkType(args, x, ElementType::f32, "input");
  checkType(args, y, ElementType::f32, "output");
  checkDims(args, y, x.dims, "output");
  int64_t axis = normalizeAxis(args, p->axis(), x.rank());
  int64_t outer = 1, len = x.dim(axis), inner = 1;
  for (int64_t i = 0; i < axis; ++i)
    outer *= x.dim(i);
  for (size_t i = axis + 1; i < x.rank(); ++i)
    inner *= x.dim(i);
  bool log = p->log();
  return makeKernel([=](const KernelArgs &args) {
    const float *px = args.inputs[0]->as<float>();
    float *py = args.outputs[0]->as<float>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t in = 0; in < inner; ++in) {
        int64_t base = o * len * inner + in;
        // Subtract the max so that exp cannot overflow.
        float mx = -std::numeric_limits<float>::infinity();
        for (int64_t k = 0; k < len; ++k)
          mx = std::max(mx, px[base + k * inner]);
        double sum = 0;
        for (int64_t k = 0; k < len; ++k)
          sum += std::exp(px[base + k * inner] - mx);
        float logSum = static_cast<float>(std::log(sum));
        float invSum = static_cast<float>(1 / sum);
        for (int64_t k = 0; k < len; ++k) {
          float v = px[base + k * inner] - mx;
          py[base + k * inner] = log ? v - logSum : std::exp(v) * invSum;
        }
      }
  });
}

} // namespace mlc::rt::ref
