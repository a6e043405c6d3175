//===- Npy.h - Tensors in NumPy's .npy files --------------------*- C++ -*-===//
//
// Reading and writing the .npy format (version 1 and 2 headers, little
// endian, C order), for inputs and outputs of `mlc run` and for apps'
// tests.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_NPY_H
#define MLC_RUNTIME_NPY_H

#include "mlc/Runtime/Tensor.h"

#include <string>

namespace mlc::rt {

/// Reads a .npy file; throws rt::Error naming the file.
Tensor readNpy(const std::string &path);

/// Writes `tensor` as a .npy file (through a temporary file, renamed when
/// complete); throws rt::Error naming the file.
void writeNpy(const std::string &path, const Tensor &tensor);

} // namespace mlc::rt

#endif // MLC_RUNTIME_NPY_H
