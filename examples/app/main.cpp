// Runs one prediction at each input size a compiled model takes, for each
// model given (default: the ones this project's build compiles), and prints
// each output's shape and mean. Exit 2 on an error, with its message.

#include "mlc/Runtime/Session.h"

#include <cstdio>
#include <string>
#include <vector>

using namespace mlc::rt;

namespace {

// A deterministic input: a ramp over the tensor's elements.
Tensor makeInput(const TensorInfo &info, const std::vector<int64_t> &shape) {
  Tensor input(info.type, shape);
  if (info.type == ElementType::f32) {
    float *values = input.data<float>();
    for (int64_t i = 0, n = input.elementCount(); i < n; ++i)
      values[i] = float(i % 255) / 255.0f - 0.5f;
  }
  return input;
}

// The sizes to run: every enumerated shape, or a range's smallest and largest.
std::vector<std::vector<int64_t>> shapesToRun(const ShapeSet &set) {
  if (!set.ranged)
    return set.shapes;
  std::vector<int64_t> smallest, largest;
  for (const ShapeSet::Range &range : set.ranges) {
    smallest.push_back(range.min);
    largest.push_back(range.max);
  }
  return {smallest, largest};
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> paths(argv + 1, argv + argc);
  if (paths.empty())
    paths = {MLC_EXAMPLE_MODELS};
  try {
    for (const std::string &path : paths) {
      std::shared_ptr<const Model> model = Model::load(path);
      Session session(model);
      const TensorInfo &input = model->inputs().front();
      std::printf("%s: input %s takes %s\n", path.c_str(), input.name.c_str(),
                  input.shapes.describe().c_str());
      for (const std::vector<int64_t> &shape : shapesToRun(input.shapes)) {
        TensorMap outputs = session.predict({{input.name, makeInput(input, shape)}});
        for (const auto &[name, output] : outputs) {
          double sum = 0;
          const float *values = output.data<float>();
          for (int64_t i = 0, n = output.elementCount(); i < n; ++i)
            sum += values[i];
          std::printf("  %s -> %s %s, mean %.6g\n", formatShape(shape).c_str(),
                      name.c_str(), formatShape(output.shape()).c_str(),
                      sum / double(output.elementCount()));
        }
      }
    }
  } catch (const Error &error) {
    std::fprintf(stderr, "classify: error: %s\n", error.what());
    return 2;
  }
  return 0;
}
