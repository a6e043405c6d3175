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

} // namespace mlc::rt

#endif // MLC_RUNTIME_PLANNER_H
