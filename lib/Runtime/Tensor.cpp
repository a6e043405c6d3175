//===- Tensor.cpp - Tensors passed to and from the runtime ----------------===//

#include "mlc/Runtime/Tensor.h"

#include "AlignedBuffer.h"

#include <cstdlib>
#include <cstring>

namespace mlc::rt {

size_t elementSize(ElementType type) {
  switch (type) {
  case ElementType::f64:
  case ElementType::i64:
  case ElementType::u64:
    return 8;
  case ElementType::f32:
  case ElementType::i32:
  case ElementType::u32:
    return 4;
  case ElementType::f16:
  case ElementType::bf16:
  case ElementType::i16:
  case ElementType::u16:
    return 2;
  case ElementType::i8:
  case ElementType::u8:
  case ElementType::boolean:
    return 1;
  }
  return 1;
}

const char *elementTypeName(ElementType type) {
  static const char *const names[] = {"f32", "f16", "f64", "bf16", "i8",
                                      "u8",  "i16", "u16", "i32",  "u32",
                                      "i64", "u64", "bool"};
  size_t index = static_cast<size_t>(type);
  return index < sizeof(names) / sizeof(names[0]) ? names[index] : "?";
}

std::string formatShape(const std::vector<int64_t> &shape) {
  if (shape.empty())
    return "scalar";
  std::string text;
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "x" : "") + std::to_string(shape[i]);
  return text;
}

void Tensor::FreeAligned::operator()(void *p) const { std::free(p); }

Tensor::Tensor(ElementType type, std::vector<int64_t> shape)
    : elementType(type), dims(std::move(shape)) {
  for (int64_t d : dims)
    if (d < 0)
      throw Error("tensor dims must not be negative: " + formatShape(dims));
  // A large output (a segmentation network's) on huge pages: its page
  // faults cost more than the network's computation on 4 KB pages.
  bytes.reset(
      allocateZeroed(byteSize(), ("a " + formatShape(dims) + " tensor").c_str())
          .release());
}

Tensor::Tensor(const Tensor &other) : Tensor(other.elementType, other.dims) {
  std::memcpy(data(), other.data(), byteSize());
}

Tensor &Tensor::operator=(const Tensor &other) {
  if (this != &other)
    *this = Tensor(other);
  return *this;
}

Tensor Tensor::fromFloats(std::vector<int64_t> shape,
                          const std::vector<float> &values) {
  Tensor tensor(ElementType::f32, std::move(shape));
  if (size_t(tensor.elementCount()) != values.size())
    throw Error("a " + formatShape(tensor.shape()) + " tensor takes " +
                std::to_string(tensor.elementCount()) + " values, not " +
                std::to_string(values.size()));
  std::memcpy(tensor.data(), values.data(), values.size() * sizeof(float));
  return tensor;
}

int64_t Tensor::elementCount() const {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

} // namespace mlc::rt
