//===- Registry.cpp - The reference kernel of every op --------------------===//

#include "Reference.h"

namespace mlc::rt {

namespace {
// What every op shares: its params are there, and every tensor it touches
// has non-negative dims and bytes to hold them.
void checkCommon(const KernelArgs &args) {
  if (args.op->params_type() != format::OpParams::NONE && !args.op->params())
    args.fail("missing parameters");
  auto check = [&](const TensorRef *t, const char *what, size_t i) {
    if (!t)
      return;
    for (int64_t d : t->dims)
      if (d < 0)
        args.fail(std::string(what) + " " + std::to_string(i) +
                  " has a negative dim");
    if (!t->data && t->count() != 0)
      args.fail(std::string(what) + " " + std::to_string(i) + " has no data");
  };
  for (size_t i = 0; i < args.inputs.size(); ++i)
    check(args.inputs[i], "input", i);
  for (size_t i = 0; i < args.outputs.size(); ++i)
    check(args.outputs[i], "output", i);
}
} // namespace

std::unique_ptr<Kernel> makeReferenceKernel(const KernelArgs &args) {
  using P = format::OpParams;
  checkCommon(args);
  switch (args.op->params_type()) {
  case P::CustomParams: {
    const auto *params = args.op->params_as_CustomParams();
    std::string name = params->class_name() ? params->class_name()->str() : "";
    args.fail("custom op class " + name + ": no custom layer registered");
  }
  default:
    break;
  }
  args.fail("no reference kernel for this op");
}

} // namespace mlc::rt
