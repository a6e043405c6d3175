//===- Model.h - A loaded .mlc file -----------------------------*- C++ -*-===//
//
// Model::load maps a .mlc file and verifies it before anything reads it: the
// FlatBuffers Verifier, then bounds checks of every index, offset, length and
// expression. Weights are used in place, from the mapping. A model is
// immutable and shared by any number of sessions.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_MODEL_H
#define MLC_RUNTIME_MODEL_H

#include "mlc/Runtime/Tensor.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mlc::format {
struct Model;
} // namespace mlc::format

namespace mlc::rt {

/// The shapes an input takes: a list of shapes, or a range per dim.
struct ShapeSet {
  struct Range {
    int64_t min, max, step;
  };
  bool ranged = false;
  std::vector<std::vector<int64_t>> shapes;
  std::vector<Range> ranges;

  /// Whether `shape` is one of the set, or with `batch` > 0, a batch of
  /// that many items of one stacked along dim 0.
  bool contains(const std::vector<int64_t> &shape, int64_t batch = 0) const;
  /// "1x3x224x224, 1x3x448x448", "1x3x[224..448 step 32]x[224..448 step 32]"
  /// or "?x3x?x?" (dims of any size).
  std::string describe() const;
  /// Whether a dim other than the first (a batch) takes any size, as a
  /// dynamic H and W does: the set has no smallest shape worth running.
  bool anySize() const;
};

/// A model input or output.
struct TensorInfo {
  std::string name;
  ElementType type;
  /// The dims, -1 where they vary.
  std::vector<int64_t> shape;
  /// For inputs: the shapes it takes.
  ShapeSet shapes;
};

class Model {
public:
  /// Maps and verifies `path`; throws rt::Error "<path>: <what is wrong>".
  static std::shared_ptr<const Model> load(const std::string &path);
  /// Verifies a model held in memory (a copy is kept); `name` names it in
  /// errors.
  static std::shared_ptr<const Model> fromBytes(const void *data, size_t size,
                                                const std::string &name);
  ~Model();

  const std::string &path() const { return name; }
  const std::vector<TensorInfo> &inputs() const { return inputInfos; }
  const std::vector<TensorInfo> &outputs() const { return outputInfos; }
  /// Whether a batch of N predictions runs as one pass with batch dim N.
  bool batchable() const;
  /// The producer ("mlc 0.1.0").
  std::string producer() const;

  // What the runtime itself reads.
  const format::Model &graph() const { return *root; }
  /// The weight section.
  const uint8_t *weights() const { return weightBytes; }
  /// The float bytes of weight tensor `tensor`: in the mapped file for a raw
  /// weight, decoded at load for an encoded (quantized) one.
  const uint8_t *weightData(size_t tensor) const {
    return weightPointers[tensor];
  }
  size_t fileSize() const { return size; }

  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;

private:
  Model() = default;
  void verify();
  void decodeWeights();

  std::string name;
  const uint8_t *bytes = nullptr;
  size_t size = 0;
  // Either a mapping (unmapped on destruction) or an owned copy.
  bool mapped = false;
  std::vector<uint8_t> owned;
  const format::Model *root = nullptr;
  const uint8_t *weightBytes = nullptr;
  std::vector<TensorInfo> inputInfos, outputInfos;
  /// Per tensor, its weight's float bytes (null for activations).
  std::vector<const uint8_t *> weightPointers;
  /// The decoded encoded weights.
  std::vector<Tensor> decoded;
};

} // namespace mlc::rt

#endif // MLC_RUNTIME_MODEL_H
