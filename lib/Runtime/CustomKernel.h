//===- CustomKernel.h - Ops run by custom layers ----------------*- C++ -*-===//

#ifndef MLC_LIB_RUNTIME_CUSTOMKERNEL_H
#define MLC_LIB_RUNTIME_CUSTOMKERNEL_H

#include "Kernel.h"

#include <string>

namespace mlc::rt {

/// The kernel of a CustomParams op: a layer of its class from the global
/// CustomLayerRegistry, given the op's weights (its constant operands) once;
/// its output shapes are checked against the plan's. Throws rt::Error when
/// the class is not registered or the layer refuses or fails.
std::unique_ptr<Kernel> makeCustomKernel(const KernelArgs &args);

/// Throws the "not registered" rt::Error unless the class of every custom
/// op of `graph` is registered.
void checkCustomClasses(const format::Model &graph);

} // namespace mlc::rt

#endif // MLC_LIB_RUNTIME_CUSTOMKERNEL_H
