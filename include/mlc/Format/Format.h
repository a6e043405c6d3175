//===- Format.h - Constants of the .mlc file --------------------*- C++ -*-===//

#ifndef MLC_FORMAT_FORMAT_H
#define MLC_FORMAT_FORMAT_H

#include <cstdint>

namespace mlc::format {

/// The schema version a file is written with. A runtime reads the versions
/// from kOldestFormatVersion to its own: each version only adds to the one
/// before (2: the swish and gelu activations, MatMul's bias and activation), and an older runtime refuses a newer
/// file rather than misread what was added.
constexpr uint32_t kFormatVersion = 2;
constexpr uint32_t kOldestFormatVersion = 1;
/// The weight section and every weight in it start at multiples of this.
constexpr uint64_t kWeightAlignment = 64;
/// Limits that keep a malformed file from asking for absurd work.
constexpr uint32_t kMaxRank = 16;
constexpr uint32_t kMaxExprTerms = 1024;
/// A ranged dim's max when the dim takes any size (a `?` without a shape
/// set): the largest size a dim may have.
constexpr int64_t kUnboundedDim = INT32_MAX;

} // namespace mlc::format

#endif // MLC_FORMAT_FORMAT_H
