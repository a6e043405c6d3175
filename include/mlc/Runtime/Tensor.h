//===- Tensor.h - Tensors passed to and from the runtime --------*- C++ -*-===//
//
// The runtime's public types: element types, an owning tensor, and the error
// every runtime call throws. Nothing here needs MLIR, LLVM or FlatBuffers.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_TENSOR_H
#define MLC_RUNTIME_TENSOR_H

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace mlc::rt {

/// What the runtime throws: a one-line message that names the file, the
/// input or the op concerned.
class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Element types, numbered as in the .mlc file (format::ElementType).
enum class ElementType : uint8_t {
  f32 = 0, f16, f64, bf16, i8, u8, i16, u16, i32, u32, i64, u64, boolean
};

/// Bytes per element.
size_t elementSize(ElementType type);
/// "f32", "i64", ...
const char *elementTypeName(ElementType type);

/// "1x3x224x224".
std::string formatShape(const std::vector<int64_t> &shape);

/// A dense row-major tensor that owns its (64-byte aligned) bytes.
class Tensor {
public:
  Tensor() = default;
  /// Zero-filled.
  Tensor(ElementType type, std::vector<int64_t> shape);
  Tensor(const Tensor &other);
  Tensor &operator=(const Tensor &other);
  Tensor(Tensor &&) noexcept = default;
  Tensor &operator=(Tensor &&) noexcept = default;

  /// A float32 tensor holding a copy of `values` (as many as the shape has).
  static Tensor fromFloats(std::vector<int64_t> shape,
                           const std::vector<float> &values);

  ElementType type() const { return elementType; }
  const std::vector<int64_t> &shape() const { return dims; }
  int64_t elementCount() const;
  size_t byteSize() const { return elementCount() * elementSize(elementType); }

  void *data() { return bytes.get(); }
  const void *data() const { return bytes.get(); }
  template <typename T> T *data() { return static_cast<T *>(data()); }
  template <typename T> const T *data() const {
    return static_cast<const T *>(data());
  }

private:
  struct FreeAligned {
    void operator()(void *p) const;
  };
  ElementType elementType = ElementType::f32;
  std::vector<int64_t> dims;
  std::unique_ptr<void, FreeAligned> bytes;
};

/// Tensors by input or output name.
using TensorMap = std::map<std::string, Tensor>;

} // namespace mlc::rt

#endif // MLC_RUNTIME_TENSOR_H
