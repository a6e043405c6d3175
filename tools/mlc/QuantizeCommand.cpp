//===- QuantizeCommand.cpp - mlc quantize ---------------------------------===//
//
// Folds BatchNorm and a QDQ model's weights, quantizes the weights as asked,
// and, for --report, --min-snr or --auto, runs the float and the quantized
// model side by side in the runtime to show what it cost.
//
//===----------------------------------------------------------------------===//

#include "QuantizeCommand.h"
#include "CommandContext.h"
#include "CompareCommand.h"
#include "RuntimeCommands.h"

#include "mlc/Driver/ModelIO.h"
#include "mlc/Lowering/Lowering.h"
#include "mlc/Quantization/Compare.h"
#include "mlc/Runtime/Model.h"
#include "mlc/Transforms/Passes.h"
#include "mlc/Transforms/Quantize.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cstdio>
#include <cmath>

using namespace mlir;

namespace mlc::cli {
namespace {

constexpr int kMaxAutoRounds = 12;

// The .mlc bytes of a copy of `module` (the lowering changes what it
// lowers), loaded into the runtime.
std::shared_ptr<const rt::Model> compileInMemory(ModuleOp module,
                                                 const std::string &name) {
  OwningOpRef<ModuleOp> copy = module.clone();
  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  if (failed(lowerToMLC(*copy, os)))
    return nullptr;
  os.flush();
  return rt::Model::fromBytes(bytes.data(), bytes.size(), name);
}

// The next setting of a layer that costs too much: more bits, then float.
int raiseBits(QuantizeMode mode, int bits) {
  if (mode == QuantizeMode::FP16 || bits >= 8)
    return 0;
  return std::min(8, bits + 2);
}

} // namespace

int runQuantize(const QuantizeCommandOptions &o) {
  CommandContext command;
  MLIRContext &context = command.context;
  command.diagnostics.defaultFile = o.model;
  auto fail = [&](const std::string &message) {
    llvm::errs() << "mlc quantize: error: " << message << "\n";
    return 2;
  };

  QuantizeOptions options;
  if (o.mode == "fp16")
    options.mode = QuantizeMode::FP16;
  else if (o.mode == "linear")
    options.mode = QuantizeMode::Linear;
  else if (o.mode == "kmeans")
    options.mode = QuantizeMode::KMeans;
  else
    return fail("--mode '" + o.mode + "': use fp16, linear or kmeans");
  options.bits = options.mode == QuantizeMode::FP16
                     ? 16
                     : o.bits.value_or(options.mode == QuantizeMode::Linear ? 8 : 4);
  if (options.mode == QuantizeMode::FP16 && o.bits && *o.bits != 16)
    return fail("--bits " + std::to_string(*o.bits) + ": fp16 has 16 bits");
  if (o.granularity != "per-channel" && o.granularity != "per-tensor")
    return fail("--granularity '" + o.granularity +
                "': use per-channel or per-tensor");
  if (o.granularity == "per-tensor" && options.mode != QuantizeMode::Linear)
    return fail("--granularity is for linear quantization (k-means: "
                "--group-channels)");
  options.perChannel = o.granularity == "per-channel";
  options.symmetric = !o.asymmetric;
  options.groupChannels = o.groupChannels;
  options.minSize = o.minSize;
  options.skip = o.skip;
  options.progress = !o.quiet && !o.json;
  StringRef ext = llvm::sys::path::extension(o.output);
  if (ext != ".mlc" && ext != ".mlir" && ext != ".mlirbc")
    return fail(o.output + ": write a quantized model to .mlc, .mlir or .mlirbc");
  if (!o.shapes.empty() && !o.report && !o.minSnr)
    return fail("--shape sets the report's samples: give --report or "
                "--min-snr");
  if (o.autoRaise && !o.minSnr)
    return fail("--auto needs --min-snr: the bar it keeps layers above");

  OwningOpRef<ModuleOp> module = loadModel(o.model, &context);
  if (!module)
    return 2;
  // BatchNorm goes into the convolutions first, so that their quantized
  // weights include it; a QDQ model's weights become quantized weights.
  PassManager pm(&context);
  pm.addPass(createFoldBatchNormPass());
  if (failed(pm.run(*module)))
    return 2;
  FoldQDQReport qdq;
  if (failed(foldQDQ(*module, o.dropActivationQDQ, &qdq)))
    return 2;

  bool measure = o.report || o.minSnr;
  std::shared_ptr<const rt::Model> reference;
  quant::CompareOptions compareOptions;
  compareOptions.threads = o.threads;
  try {
    if (measure) {
      reference = compileInMemory(*module, o.model + " (float)");
      if (!reference)
        return 2;
      compareOptions.shapes = shapeSets(o.shapes, *reference);
    }
    QuantizeReport report;
    OwningOpRef<ModuleOp> quantized;
    std::optional<quant::ModelComparison> comparison;
    std::vector<std::string> kept;
    for (int round = 0;; ++round) {
      quantized = module->clone();
      report = QuantizeReport();
      if (failed(quantizeWeights(*quantized, options, &report)))
        return 2;
      if (!measure)
        break;
      auto test = compileInMemory(*quantized, o.output);
      if (!test)
        return 2;
      comparison = quant::compareModels(*reference, *test, compareOptions);
      if (!o.minSnr || comparison->worstSnrDb >= *o.minSnr)
        break;
      // The layers whose weights lost the most, worst first.
      std::vector<const QuantizedLayer *> worst;
      for (const QuantizedLayer &layer : report.layers)
        if (layer.encoding != "float")
          worst.push_back(&layer);
      std::sort(worst.begin(), worst.end(), [](auto *a, auto *b) {
        return a->snrDb < b->snrDb;
      });
      if (!o.autoRaise || worst.empty() || round == kMaxAutoRounds) {
        std::string names;
        for (size_t i = 0; i < std::min<size_t>(3, worst.size()); ++i)
          names += (i ? ", " : "") + worst[i]->node + " (weight SNR " +
                   quant::formatSnr(worst[i]->snrDb) + " dB)";
        char bar[32];
        std::snprintf(bar, sizeof(bar), "%g", *o.minSnr);
        llvm::errs() << "mlc quantize: an output's SNR is "
                     << quant::formatSnr(comparison->worstSnrDb)
                     << " dB, under --min-snr " << bar
                     << " dB; the layers that lost most: "
                     << (names.empty() ? "none left to raise" : names)
                     << (o.autoRaise ? "" : " (--auto keeps them at more bits)")
                     << "; nothing written\n";
        return 1;
      }
      // Raise the worst quarter of the quantized layers (at least one).
      size_t count = std::max<size_t>(1, worst.size() / 4);
      for (size_t i = 0; i < count; ++i) {
        int bits = raiseBits(options.mode, worst[i]->bits);
        options.bitsByNode[worst[i]->node] = bits;
      }
    }
    for (const auto &[node, bits] : options.bitsByNode)
      kept.push_back(node + (bits ? " at " + std::to_string(bits) + " bits"
                                  : " in float"));

    SaveOptions save;
    if (failed(saveModel(*quantized, o.output, save)))
      return 2;

    if (o.json) {
      llvm::json::Array layers;
      for (const QuantizedLayer &layer : report.layers)
        layers.push_back(llvm::json::Object{
            {"node", layer.node},
            {"weight", layer.weight},
            {"shape", layer.shape},
            {"encoding", layer.encoding},
            {"bits", layer.bits},
            {"float_bytes", layer.floatBytes},
            {"stored_bytes", layer.storedBytes},
            {"snr_db", std::isinf(layer.snrDb) ? llvm::json::Value(nullptr)
                                               : llvm::json::Value(layer.snrDb)}});
      llvm::json::Object result{
          {"model", o.model},
          {"output", o.output},
          {"mode", o.mode},
          {"bits", options.bits},
          {"float_bytes", report.floatBytes},
          {"stored_bytes", report.storedBytes},
          {"folded_qdq_weights", qdq.foldedWeights},
          {"activation_qdq_pairs", qdq.activationPairs},
          {"activation_qdq_dropped", qdq.dropped},
          {"layers", std::move(layers)}};
      llvm::json::Array keptList;
      for (const std::string &k : kept)
        keptList.push_back(k);
      result["kept"] = std::move(keptList);
      if (comparison)
        result["comparison"] = comparisonToJSON(*comparison);
      llvm::outs() << llvm::formatv("{0:2}", llvm::json::Value(std::move(result)))
                   << "\n";
      return 0;
    }
    if (o.quiet)
      return 0;
    llvm::outs() << "quantized " << o.model << " to " << o.output << " ("
                 << o.mode
                 << (options.mode == QuantizeMode::FP16
                         ? std::string()
                         : ", " + std::to_string(options.bits) + " bits")
                 << ")\n";
    if (qdq.foldedWeights || qdq.activationPairs)
      llvm::outs() << "  QDQ: " << qdq.foldedWeights
                   << " int8 weights folded; " << qdq.activationPairs
                   << " activation quantize-dequantize pairs "
                   << (qdq.dropped ? "dropped" : "kept") << "\n";
    size_t quantizedCount = llvm::count_if(report.layers, [](auto &l) {
      return l.encoding != "float";
    });
    llvm::outs() << llvm::formatv(
        "  weights: {0} quantized, {1} kept float; {2} bytes -> {3} bytes "
        "({4:f3}x)\n",
        quantizedCount, report.layers.size() - quantizedCount, report.floatBytes,
        report.storedBytes,
        report.floatBytes ? double(report.storedBytes) / report.floatBytes : 1.0);
    for (const std::string &k : kept)
      llvm::outs() << "  kept " << k << " (--auto)\n";
    if (o.report) {
      llvm::outs() << "  per layer (weight SNR):\n";
      std::vector<std::vector<std::string>> rows;
      for (const QuantizedLayer &layer : report.layers)
        rows.push_back({layer.node, layer.shape, layer.encoding,
                        std::to_string(layer.bits) + " bits",
                        quant::formatSnr(layer.snrDb) + " dB"});
      llvm::outs() << quant::formatTable(rows, 4);
    }
    if (comparison)
      llvm::outs() << quant::formatComparison(*comparison);
    return 0;
  } catch (const rt::Error &e) {
    // The report runs the model: a runtime error names its node or input.
    return reportError("quantize", o.model, e);
  }
}

} // namespace mlc::cli
