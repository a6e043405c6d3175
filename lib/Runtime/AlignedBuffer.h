//===- AlignedBuffer.h - The runtime's own large allocations ----*- C++ -*-===//
//
// Every block of memory the runtime allocates for tensors, weights and
// kernels' buffers comes from allocateZeroed: aligned for vector loads,
// zeroed when allocated, and on huge pages when large. Zeroing takes the
// page faults then, not in a prediction: a fault costs about 10 us on a
// virtual machine (fresh 4 KB pages took 2.6 ms per MB on the test machine,
// more than a segmentation network's 4 MB output's whole computation), a
// 2 MB page's 512 times fewer.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_LIB_RUNTIME_ALIGNEDBUFFER_H
#define MLC_LIB_RUNTIME_ALIGNEDBUFFER_H

#include <cstddef>
#include <cstdlib>
#include <memory>

namespace mlc::rt {

/// Frees what std::aligned_alloc gave.
struct FreeAligned {
  void operator()(void *p) const { std::free(p); }
};
using AlignedBuffer = std::unique_ptr<void, FreeAligned>;

/// At least `bytes` of zeroed memory, 64-byte aligned; 2 MB or more on
/// whole transparent huge pages (rounded up to them). Throws rt::Error
/// naming `what` when there is not as much.
AlignedBuffer allocateZeroed(size_t bytes, const char *what);

/// The same, neither zeroed nor touched: a page takes memory when first
/// written. For oneDNN's scratchpads, parts of which some kernels book and
/// never use (a Winograd kernel's room for transforming its weights, which
/// come transformed: 151 MB for fcn_resnet50's head); the runs a session
/// makes before its first prediction touch what is used.
AlignedBuffer allocateUntouched(size_t bytes, const char *what);

} // namespace mlc::rt

#endif // MLC_LIB_RUNTIME_ALIGNEDBUFFER_H
