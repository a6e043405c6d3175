//===- WrapCommand.h - mlc wrap ---------------------------------*- C++ -*-===//

#ifndef MLC_TOOLS_WRAPCOMMAND_H
#define MLC_TOOLS_WRAPCOMMAND_H

#include <string>
#include <vector>

namespace mlc::cli {

struct WrapOptions {
  /// The registered class that is the whole model.
  std::string className;
  std::string domain = "custom";
  /// NAME=SHAPES: each input and the shapes it takes (as mlc.shapes writes
  /// them: 1x3x224x224,1x3x448x448 or 1x3x(224..448:32)x(224..448:32)).
  std::vector<std::string> inputs;
  std::string outputName = "output";
  /// How the output's shape follows input 0 (same, scale_spatial:K,
  /// divide_spatial:K), or a fixed shape (--output-shape).
  std::string shapeRule = "same";
  std::string outputShape;
  /// .npy files: the layer's weights, in order.
  std::vector<std::string> weights;
  /// KEY=VALUE attributes (integers, floats, strings).
  std::vector<std::string> attributes;
  std::string output;
  bool quiet = false, json = false;
};

/// `mlc wrap --custom-model`: exit 0 written, 2 error.
int runWrap(const WrapOptions &options);

} // namespace mlc::cli

#endif // MLC_TOOLS_WRAPCOMMAND_H
