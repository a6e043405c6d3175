//===- Planner.h - Shapes and memory for one input size ---------*- C++ -*-===//
//
// A plan binds the model's size symbols to values: every tensor's dims (its
// shape expressions evaluated) and every activation's offset in one arena,
// where tensors whose lifetimes do not overlap share bytes and elementwise
// ops write over an input that dies with them. The compiler precomputes the
// plans of enumerated shapes with this same code; the runtime plans other
// sizes on first sight.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_PLANNER_H
#define MLC_RUNTIME_PLANNER_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlc::format {
struct Model;
} // namespace mlc::format

namespace mlc::rt {

/// The most bytes a tensor or an arena may take: a larger size is a
/// malformed file or an absurd input, not a plan.
constexpr uint64_t kMaxPlanBytes = uint64_t(1) << 40;

struct PlanData {
  std::vector<int64_t> symbolValues;
  /// Every expression's value.
  std::vector<int64_t> exprValues;
  /// Every tensor's dims.
  std::vector<std::vector<int64_t>> dims;
  /// Every tensor's byte offset in the arena; -1 for weights.
  std::vector<int64_t> offsets;
  uint64_t arenaSize = 0;
};

/// The values of all of `model`'s expressions at `symbolValues`; throws
/// rt::Error when one is not a valid size (negative, division by zero,
/// overflow).
std::vector<int64_t> evaluateExprs(const format::Model &model,
                                   const std::vector<int64_t> &symbolValues);

/// Plans `model` at `symbolValues`; throws rt::Error on sizes that make no
/// sense (a negative dim, a tensor or arena too large to address).
PlanData planModel(const format::Model &model,
                   const std::vector<int64_t> &symbolValues);

/// When a tensor is live, in op positions: from the op that computes it
/// (-1 for a model input) to the last op that reads it (the op count for a
/// model output), both included.
struct Lifetime {
  int64_t first, last;
};
std::vector<Lifetime> tensorLifetimes(const format::Model &model);

/// A buffer of an arena: live from position `first` to `last` (op
/// positions, or any order of them), both included, `bytes` long, at
/// `offset`.
struct Buffer {
  int64_t first, last;
  uint64_t bytes;
  int64_t offset = -1;
};

/// Places `buffers` (their offsets, 64-byte aligned) around those already
/// `placed`: the largest first, each at the lowest offset where it overlaps
/// no buffer live at the same time. Returns the arena's size; throws
/// rt::Error past kMaxPlanBytes.
uint64_t placeBuffers(std::vector<Buffer> &buffers,
                      const std::vector<Buffer> &placed = {});

/// Places `extras` (memory a backend adds to a plan: a tensor's copy in
/// another layout, live between two ops) in `plan`'s arena where they
/// overlap no tensor, and no other extra, live at the same time, and grows
/// the arena to fit them; the plan's own offsets stay.
void placeExtraBuffers(const format::Model &model, PlanData &plan,
                       std::vector<Buffer> &extras);

} // namespace mlc::rt

#endif // MLC_RUNTIME_PLANNER_H
