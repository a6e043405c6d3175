//===- AlignedBuffer.cpp - The runtime's own large allocations ------------===//

#include "AlignedBuffer.h"

#include "mlc/Runtime/Tensor.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <sys/mman.h>

namespace mlc::rt {

AlignedBuffer allocateUntouched(size_t bytes, const char *what) {
  constexpr size_t kHugePage = size_t(2) << 20;
  size_t alignment = bytes >= kHugePage ? kHugePage : 64;
  // aligned_alloc wants a multiple of the alignment, and non-zero.
  size_t rounded =
      (std::max<size_t>(bytes, 1) + alignment - 1) / alignment * alignment;
  AlignedBuffer result(std::aligned_alloc(alignment, rounded));
  if (!result)
    throw Error("out of memory for " + std::to_string(rounded) +
                " bytes of " + what);
  if (alignment == kHugePage)
    madvise(result.get(), rounded, MADV_HUGEPAGE);
  return result;
}

AlignedBuffer allocateZeroed(size_t bytes, const char *what) {
  AlignedBuffer result = allocateUntouched(bytes, what);
  std::memset(result.get(), 0, bytes);
  return result;
}

} // namespace mlc::rt
