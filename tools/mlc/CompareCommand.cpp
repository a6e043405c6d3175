//===- CompareCommand.cpp - mlc compare ------------------------------------===//
//
// Two models run on the same inputs by the runtime, each output compared
// (mlc::quant::compareModels). A model that is not a .mlc file is read and
// lowered in memory first, as `mlc compile` would.
//
//===----------------------------------------------------------------------===//

#include "CompareCommand.h"
#include "CommandContext.h"
#include "mlc/Runtime/CustomLayer.h"
#include "RuntimeCommands.h"

#include "mlc/Driver/ModelIO.h"
#include "mlc/Lowering/Lowering.h"
#include "mlc/Quantization/Compare.h"
#include "mlc/Runtime/Model.h"
#include "mlc/Runtime/Npy.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>
#include <map>

namespace mlc::cli {
namespace {

using namespace mlc::rt;

// An error already printed (by the MLIR diagnostics handler).
struct Reported {};

bool endsWith(const std::string &text, const std::string &suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::shared_ptr<const Model> loadAny(const std::string &path) {
  if (endsWith(path, ".mlc") || isCompiledModel(path))
    return Model::load(path);
  CommandContext command;
  command.diagnostics.defaultFile = path;
  mlir::OwningOpRef<mlir::ModuleOp> module = loadModel(path, &command.context);
  if (!module)
    throw Reported{};
  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  if (mlir::failed(lowerToMLC(*module, os)))
    throw Reported{};
  os.flush();
  return Model::fromBytes(bytes.data(), bytes.size(), path);
}

// The samples of --inputs: the k-th file given for each input makes sample k.
std::vector<TensorMap> readSamples(const std::vector<std::string> &options,
                                   const Model &model) {
  std::map<std::string, std::vector<std::string>> files;
  for (const std::string &option : options) {
    auto [name, path] = splitInputOption(option, model, "--inputs");
    files[name].push_back(path);
  }
  size_t count = 0;
  for (const auto &[name, paths] : files)
    count = std::max(count, paths.size());
  for (const TensorInfo &info : model.inputs()) {
    size_t given = files.count(info.name) ? files[info.name].size() : 0;
    if (given != count)
      throw Error("--inputs: input '" + info.name + "' is given " +
                  std::to_string(given) + " times, another " +
                  std::to_string(count) +
                  ": give every input once per sample");
  }
  std::vector<TensorMap> samples(count);
  for (const auto &[name, paths] : files)
    for (size_t k = 0; k < paths.size(); ++k)
      samples[k].emplace(name, readNpy(paths[k]));
  return samples;
}

} // namespace

// JSON has no infinities: those are given as the strings "inf", "-inf",
// "nan" (Python's float() reads them).
static llvm::json::Value number(double value) {
  if (std::isfinite(value))
    return value;
  return std::isnan(value) ? "nan" : value > 0 ? "inf" : "-inf";
}

int runCompare(const CompareCommandOptions &options) {
  try {
    if (options.samples < 1)
      throw Error("--samples must be 1 or more");
    for (const std::string &plugin : options.plugins)
      loadPlugin(plugin);
    auto reference = loadAny(options.a);
    auto test = loadAny(options.b);
    quant::CompareOptions compare;
    if (!options.inputs.empty() && !options.shapes.empty())
      throw Error("--inputs and --shape: give samples or their shapes, not "
                  "both");
    compare.inputs = readSamples(options.inputs, *reference);
    compare.shapes = shapeSets(options.shapes, *reference);
    compare.samples = options.samples;
    compare.threads = options.threads;
    quant::ModelComparison result =
        quant::compareModels(reference, test, compare);

    std::vector<const quant::OutputComparison *> below;
    if (options.minSnr)
      for (const quant::OutputComparison &c : result.outputs)
        if (!(c.snrDb >= *options.minSnr))
          below.push_back(&c);

    if (options.json) {
      llvm::json::Object report{{"reference", options.a},
                                {"test", options.b},
                                {"inputs", options.inputs.empty() ? "synthetic"
                                                                  : "given"}};
      llvm::json::Value comparison = comparisonToJSON(result);
      for (auto &[key, value] : *comparison.getAsObject())
        report[key] = std::move(value);
      if (options.minSnr) {
        report["min_snr_db"] = *options.minSnr;
        report["passed"] = below.empty();
      }
      llvm::outs() << llvm::formatv("{0:2}", llvm::json::Value(std::move(report)))
                   << "\n";
    } else {
      llvm::outs() << "reference: " << options.a << "\ntest:      " << options.b
                   << "\n";
      if (options.inputs.empty())
        llvm::outs() << result.samples << " synthetic sample"
                     << (result.samples == 1 ? "" : "s") << " at each of "
                     << result.shapes.size() << " shape"
                     << (result.shapes.size() == 1 ? "" : "s") << "\n";
      else
        llvm::outs() << result.samples << " given sample"
                     << (result.samples == 1 ? "" : "s") << "\n";
      llvm::outs() << quant::formatComparison(result);
      if (options.minSnr) {
        char bar[32];
        std::snprintf(bar, sizeof(bar), "%g", *options.minSnr);
        if (below.empty())
          llvm::outs() << llvm::formatv("every output at or above --min-snr "
                                        "{0} dB\n",
                                        bar);
        for (const quant::OutputComparison *c : below)
          llvm::outs() << llvm::formatv(
              "below --min-snr {0} dB: {1} at {2} ({3} dB)\n", bar,
              c->output, c->shape, quant::formatSnr(c->snrDb));
      }
    }
    return below.empty() ? 0 : 1;
  } catch (const Reported &) {
    return 2;
  } catch (const Error &e) {
    llvm::errs() << "mlc compare: error: " << e.what() << "\n";
    return 2;
  }
}

} // namespace mlc::cli

llvm::json::Value mlc::cli::comparisonToJSON(
    const quant::ModelComparison &comparison) {
  using namespace mlc::quant;
  llvm::json::Array outputs;
  for (const OutputComparison &c : comparison.outputs) {
    llvm::json::Object entry{{"output", c.output},
                             {"shape", c.shape},
                             {"snr_db", number(c.snrDb)},
                             {"max_abs_error", number(c.maxAbsError)},
                             {"max_abs_reference", number(c.maxAbsReference)},
                             {"cosine", number(c.cosine)},
                             {"nan_reference", uint64_t(c.nanReference)},
                             {"nan_test", uint64_t(c.nanTest)}};
    if (c.isClassifier()) {
      entry["top1_agree"] = c.top1Agree;
      entry["top1_count"] = c.top1Count;
      entry["top1_rate"] = number(c.top1Rate());
    }
    outputs.push_back(std::move(entry));
  }
  llvm::json::Array shapes;
  for (const std::string &shape : comparison.shapes)
    shapes.push_back(shape);
  llvm::json::Object result{{"samples", uint64_t(comparison.samples)},
                            {"shapes", std::move(shapes)},
                            {"outputs", std::move(outputs)},
                            {"worst_snr_db", number(comparison.worstSnrDb)}};
  if (!comparison.outputs.empty()) {
    const OutputComparison &worst = comparison.outputs[comparison.worstIndex];
    result["worst"] =
        llvm::json::Object{{"output", worst.output}, {"shape", worst.shape}};
  }
  return result;
}
