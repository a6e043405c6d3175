//===- mlc.cpp - The mlc command line ---------------------------------------===//
//
// Thin over the libraries: each subcommand reads a model, runs a library
// function and writes or prints the result. Exit codes: 0 done (or the answer
// is yes), 1 the answer is no, 2 error.
//
//===----------------------------------------------------------------------===//

#include "mlc/Analysis/Flexibility.h"
#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"
#include "mlc/Driver/ModelIO.h"
#include "mlc/Import/ONNX.h"
#include "mlc/Merge/Merge.h"
#include "mlc/ONNX/DataTypes.h"
#include "CommandContext.h"
#include "CompareCommand.h"
#include "QuantizeCommand.h"
#include "RuntimeCommands.h"
#include "WrapCommand.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <CLI/CLI.hpp>

using namespace mlir;

namespace {

constexpr int kExitDone = 0;
constexpr int kExitNo = 1;
constexpr int kExitError = 2;

using mlc::cli::CommandContext;

/// Reads models (ONNX through one importer, so that their identical weights
/// are stored once as they are read; or MLIR) into `modules`.
bool loadModels(const std::vector<std::string> &models, MLIRContext &context,
                mlc::ONNXImporter &importer,
                std::vector<OwningOpRef<ModuleOp>> &modules,
                SmallVectorImpl<ModuleOp> &loaded) {
  for (const std::string &model : models) {
    modules.push_back(mlc::isMLIRFile(model) ? mlc::loadModel(model, &context)
                                             : importer.importFile(model));
    if (!modules.back())
      return false;
    loaded.push_back(*modules.back());
  }
  return true;
}

int runMerge(const std::vector<std::string> &models, const std::string &output,
             const std::string &shapes, const std::string &input,
             bool functions, bool verbose, bool json, bool quiet);

/// One model as it is; several as one function each (mlc merge --functions;
/// what nn-merge-exports takes).
int runImport(const std::vector<std::string> &models, const std::string &output) {
  if (models.size() == 1) {
    CommandContext session;
    session.diagnostics.defaultFile = models.front();
    OwningOpRef<ModuleOp> module = mlc::loadModel(models.front(), &session.context);
    if (!module || failed(mlc::saveModel(*module, output)))
      return kExitError;
    return kExitDone;
  }
  StringRef ext = llvm::sys::path::extension(output);
  if (ext != ".mlir" && ext != ".mlirbc" && output != "-") {
    llvm::errs() << "mlc import: error: " << output
                 << ": several models go into .mlir or .mlirbc, one function each\n";
    return kExitError;
  }
  return runMerge(models, output, /*shapes=*/"", /*input=*/"", /*functions=*/true,
                  /*verbose=*/false, /*json=*/false, /*quiet=*/true);
}

int runExport(const std::string &model, const std::string &output,
              std::optional<int64_t> opset, bool externalData) {
  CommandContext session;
  session.diagnostics.defaultFile = model;
  OwningOpRef<ModuleOp> module = mlc::loadModel(model, &session.context);
  if (!module)
    return kExitError;
  mlc::SaveOptions options;
  options.opset = opset;
  if (externalData)
    options.externalData = true;
  if (failed(mlc::saveModel(*module, output, options)))
    return kExitError;
  return kExitDone;
}

// "1x3x?x?" with dims named by their dim_params where they have one.
std::string describeShape(Type type, ArrayAttr dimParams) {
  auto dims = mlc::nn::getDims(type);
  if (!dims)
    return "*";
  std::string out;
  for (auto [i, d] : llvm::enumerate(*dims)) {
    if (i)
      out += "x";
    StringRef param;
    if (dimParams && i < dimParams.size())
      param = cast<StringAttr>(dimParams[i]).getValue();
    out += d != mlc::nn::kDynamic ? std::to_string(d)
                                  : param.empty() ? "?" : param.str();
  }
  return out;
}

std::string describeElementType(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << cast<ShapedType>(type).getElementType();
  return s;
}

// The model's graph (@main), or null after an error.
func::FuncOp loadGraph(const std::string &model, CommandContext &session,
                       OwningOpRef<ModuleOp> &module) {
  module = mlc::loadModel(model, &session.context);
  if (!module)
    return nullptr;
  auto func = module->lookupSymbol<func::FuncOp>("main");
  if (!func)
    emitError(module->getLoc()) << "has no function @main";
  return func;
}

int runInspect(const std::string &model, bool json) {
  CommandContext session;
  session.diagnostics.defaultFile = model;
  OwningOpRef<ModuleOp> module;
  func::FuncOp func = loadGraph(model, session, module);
  if (!func)
    return kExitError;
  using mlc::nn::NNDialect;
  // An input or output: its name, element type, shape (dims named by their
  // dim_params) and, for a merged model's input, the shapes it takes.
  auto describeValues = [&](TypeRange types, auto attrsOf, StringRef prefix) {
    llvm::json::Array values;
    for (auto [i, type] : llvm::enumerate(types)) {
      DictionaryAttr attrs = attrsOf(i);
      auto name = attrs ? attrs.getAs<StringAttr>(NNDialect::kNameAttr) : nullptr;
      llvm::json::Object value{
          {"name", name ? name.str() : (prefix + Twine(i)).str()},
          {"type", describeElementType(type)},
          {"shape", describeShape(type, attrs ? attrs.getAs<ArrayAttr>(
                                                    NNDialect::kDimParamsAttr)
                                              : nullptr)}};
      if (auto shapes = attrs ? attrs.getAs<mlc::nn::ShapeSetAttr>(
                                    NNDialect::kShapesAttr)
                              : nullptr)
        value["shapes"] = shapes.toText();
      values.push_back(std::move(value));
    }
    return values;
  };
  llvm::json::Array inputs = describeValues(
      func.getArgumentTypes(), [&](unsigned i) { return func.getArgAttrDict(i); },
      "input_");
  llvm::json::Array outputs = describeValues(
      func.getResultTypes(),
      [&](unsigned i) { return func.getResultAttrDict(i); }, "output_");

  // Ops by name (custom ops by their ONNX type), weights by bytes.
  llvm::StringMap<int64_t> opCounts;
  int64_t opCount = 0, constants = 0;
  uint64_t constantBytes = 0;
  llvm::DenseSet<void *> blobs;
  uint64_t uniqueBytes = 0;
  func.walk([&](Operation *op) {
    if (isa<func::ReturnOp, func::FuncOp>(op))
      return;
    if (auto constant = dyn_cast<mlc::nn::ConstantOp>(op)) {
      ElementsAttr value = constant.getValue();
      uint64_t bytes = value.getNumElements() *
                       mlc::nn::getByteWidth(value.getElementType());
      ++constants;
      constantBytes += bytes;
      auto resource = dyn_cast<DenseResourceElementsAttr>(value);
      if (!resource || blobs.insert(resource.getRawHandle().getResource()).second)
        uniqueBytes += bytes;
      return;
    }
    ++opCount;
    std::string name = op->getName().getStringRef().str();
    if (auto custom = dyn_cast<mlc::nn::CustomOp>(op))
      name += " " + custom.getOpType().str();
    ++opCounts[name];
  });
  // Most frequent first, then by name: the same model prints the same.
  std::vector<std::pair<std::string, int64_t>> sortedOps;
  for (const auto &entry : opCounts)
    sortedOps.emplace_back(entry.getKey().str(), entry.getValue());
  llvm::sort(sortedOps, [](const auto &a, const auto &b) {
    return std::tie(b.second, a.first) < std::tie(a.second, b.first);
  });

  llvm::json::Object opsets;
  if (auto dict = (*module)->getAttrOfType<DictionaryAttr>(NNDialect::kOpsetImportsAttr))
    for (NamedAttribute entry : dict)
      if (auto v = dyn_cast<IntegerAttr>(entry.getValue()))
        opsets[entry.getName().str()] = v.getInt();
  auto producer = [&]() -> std::string {
    auto name = (*module)->getAttrOfType<StringAttr>(NNDialect::kProducerNameAttr);
    auto version = (*module)->getAttrOfType<StringAttr>(NNDialect::kProducerVersionAttr);
    std::string out = name ? name.str() : "";
    if (version)
      out += (out.empty() ? "" : " ") + version.str();
    return out;
  }();

  if (json) {
    llvm::json::Object opsJson;
    for (auto &[name, count] : sortedOps)
      opsJson[name] = count;
    llvm::json::Object root{
        {"model", model},
        {"producer", producer},
        {"opsets", std::move(opsets)},
        {"inputs", std::move(inputs)},
        {"outputs", std::move(outputs)},
        {"op_count", opCount},
        {"ops", std::move(opsJson)},
        {"weights", llvm::json::Object{{"constants", constants},
                                       {"bytes", int64_t(constantBytes)},
                                       {"stored_bytes", int64_t(uniqueBytes)}}}};
    llvm::outs() << llvm::formatv("{0:2}", llvm::json::Value(std::move(root)))
                 << "\n";
    return kExitDone;
  }
  llvm::raw_ostream &os = llvm::outs();
  os << model << "\n";
  if (!producer.empty())
    os << "  producer: " << producer << "\n";
  os << "  opsets:";
  for (auto &[domain, version] : opsets)
    os << " " << domain.str() << " " << version;
  os << "\n";
  auto printValues = [&](StringRef title, const llvm::json::Array &values) {
    os << "  " << title << ":\n";
    for (const llvm::json::Value &v : values) {
      const llvm::json::Object &o = *v.getAsObject();
      os << "    " << *o.getString("name") << ": " << *o.getString("type")
         << " " << *o.getString("shape");
      if (auto shapes = o.getString("shapes"))
        os << ", takes " << *shapes;
      os << "\n";
    }
  };
  printValues("inputs", inputs);
  printValues("outputs", outputs);
  os << "  ops: " << opCount << " (";
  for (auto [i, entry] : llvm::enumerate(sortedOps))
    os << (i ? ", " : "") << entry.first << " " << entry.second;
  os << ")\n";
  os << "  weights: " << constants << " constants, " << constantBytes
     << " bytes";
  if (uniqueBytes != constantBytes)
    os << " (" << uniqueBytes << " stored: identical ones are kept once)";
  os << "\n";
  return kExitDone;
}

int runCheckFlexible(const std::string &model, const std::string &input,
                     const std::vector<int64_t> &dims, bool json, bool quiet) {
  CommandContext session;
  OwningOpRef<ModuleOp> module;
  func::FuncOp func = loadGraph(model, session, module);
  if (!func)
    return kExitError;
  mlc::FlexibilityOptions options;
  options.input = input;
  if (!dims.empty())
    options.dims = dims;
  FailureOr<mlc::FlexibilityReport> report =
      mlc::analyzeFlexibility(func, options);
  if (failed(report))
    return kExitError;
  report->model = model;
  if (json)
    llvm::outs() << llvm::formatv("{0:2}", mlc::toJSON(*report)) << "\n";
  else if (!quiet)
    llvm::outs() << mlc::formatFlexibilityReport(*report);
  return report->verdict == mlc::FlexibilityVerdict::Flexible ? kExitDone
                                                              : kExitNo;
}

int runMerge(const std::vector<std::string> &models, const std::string &output,
             const std::string &shapes, const std::string &input,
             bool functions, bool verbose, bool json, bool quiet) {
  CommandContext session;
  mlc::MergeOptions options;
  options.input = input;
  if (!shapes.empty()) {
    std::string error;
    options.spec = mlc::ShapeSpec::parse(shapes, error);
    if (!options.spec) {
      llvm::errs() << "mlc merge: error: --shapes '" << shapes
                   << "': " << error << "\n";
      return kExitError;
    }
  }
  if (functions && (options.spec || !input.empty())) {
    llvm::errs() << "mlc merge: error: --functions puts different networks "
                    "side by side; --shapes and --input are for sizes of one\n";
    return kExitError;
  }
  if (functions && llvm::sys::path::extension(output) == ".onnx") {
    llvm::errs() << "mlc merge: error: an ONNX model holds one graph: write "
                    "several functions to .mlir or .mlirbc\n";
    return kExitError;
  }
  if (models.size() == 1 && !options.spec) {
    llvm::errs() << "mlc merge: error: one export and no --shapes: nothing to "
                    "merge (give exports at other sizes, or --shapes)\n";
    return kExitError;
  }
  mlc::ONNXImporter importer(&session.context);
  std::vector<OwningOpRef<ModuleOp>> modules;
  SmallVector<ModuleOp> exports;
  if (!loadModels(models, session.context, importer, modules, exports))
    return kExitError;
  mlc::MergeReport report;
  report.sharedBytes = importer.getSharedBytes();
  switch (functions ? mlc::mergeFunctions(exports, models, report)
                    : mlc::mergeExports(exports, models, options, report)) {
  case mlc::MergeStatus::Merged:
    break;
  case mlc::MergeStatus::Refused:
    return kExitNo;
  case mlc::MergeStatus::Error:
    return kExitError;
  }
  if (failed(mlc::saveModel(exports.front(), output)))
    return kExitError;
  if (json)
    llvm::outs() << llvm::formatv("{0:2}", mlc::toJSON(report)) << "\n";
  else if (!quiet)
    llvm::outs() << mlc::formatMergeReport(report, verbose);
  return kExitDone;
}

int runCompile(const std::string &model, const std::string &output,
               bool json, bool quiet) {
  CommandContext session;
  session.diagnostics.defaultFile = model;
  if (llvm::sys::path::extension(output) != ".mlc") {
    llvm::errs() << "mlc compile: error: " << output
                 << ": the compiled model's file name ends in .mlc\n";
    return kExitError;
  }
  OwningOpRef<ModuleOp> module = mlc::loadModel(model, &session.context);
  if (!module)
    return kExitError;
  mlc::LoweringReport report;
  mlc::SaveOptions options;
  options.loweringReport = &report;
  if (failed(mlc::saveModel(*module, output, options)))
    return kExitError;
  if (json) {
    llvm::json::Array plans;
    for (const auto &[sizes, bytes] : report.plans)
      plans.push_back(llvm::json::Object{{"sizes", sizes}, {"arena_bytes", bytes}});
    llvm::json::Object result{
        {"model", model},
        {"output", output},
        {"file_bytes", report.fileBytes},
        {"ops", uint64_t(report.ops)},
        {"tensors", uint64_t(report.tensors)},
        {"weights", uint64_t(report.weights)},
        {"weight_bytes", report.weightBytes},
        {"folded_batch_norms", report.foldedBatchNorms},
        {"fused_activations", report.fusedActivations},
        {"fused_residuals", report.fusedResiduals},
        {"batch_dim", report.batchDim},
        {"plans", std::move(plans)}};
    llvm::outs() << llvm::formatv("{0:2}", llvm::json::Value(std::move(result)))
                 << "\n";
    return kExitDone;
  }
  if (quiet)
    return kExitDone;
  llvm::outs() << "compiled " << model << " to " << output << " ("
               << report.fileBytes << " bytes)\n"
               << "  ops: " << report.ops << "; weights: " << report.weights
               << " tensors, " << report.weightBytes << " bytes\n"
               << "  folded " << report.foldedBatchNorms
               << " BatchNorm into Conv; fused " << report.fusedActivations
               << " activations and " << report.fusedResiduals
               << " residual adds\n"
               << "  batches: "
               << (report.batchDim.empty()
                       ? std::string("one prediction at a time")
                       : "any size in one pass (dim " + report.batchDim + ")")
               << "\n";
  for (const auto &[sizes, bytes] : report.plans)
    llvm::outs() << "  plan " << sizes << ": arena " << bytes << " bytes\n";
  return kExitDone;
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"mlc: one neural network, many input sizes.\n"
               "Exit codes: 0 done (or the answer is yes), 1 the answer is "
               "no, 2 error.",
               "mlc"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "mlc 0.1.0");

  std::string model, output;
  std::vector<std::string> models;
  auto *importCmd = app.add_subcommand(
      "import", "Import an ONNX model (binary, text or JSON protobuf) into the "
                "nn dialect; verify it. Several models: one function each "
                "(for mlc-opt --mlc-merge-pipeline), weights stored once");
  importCmd->add_option("models", models, "The model (any extension), or several")
      ->required();
  importCmd->add_option("-o,--output", output,
                        "Where to write: .mlir (text) or .mlirbc (bytecode)")
      ->required();

  std::optional<int64_t> opset;
  bool externalData = false;
  auto *exportCmd = app.add_subcommand(
      "export", "Write a model (ONNX or nn MLIR) as ONNX, with `?` dims as "
                "dim_params");
  exportCmd->add_option("model", model, "The model: .onnx/.pb, .mlir, .mlirbc")
      ->required();
  exportCmd->add_option("-o,--output", output, "The ONNX file to write")
      ->required();
  exportCmd->add_option("--opset", opset,
                        "The ONNX opset to write (13 to 21; default: the "
                        "model's own, at least 13)");
  exportCmd->add_flag("--external-data", externalData,
                      "Write weights to OUTPUT.data beside the model (done "
                      "anyway past protobuf's 2 GB limit)");

  bool json = false;
  auto *inspectCmd = app.add_subcommand(
      "inspect", "Print a model's inputs, outputs, ops and weights");
  inspectCmd->add_option("model", model, "The model")->required();
  inspectCmd->add_flag("--json", json, "Print JSON");

  std::string input;
  std::vector<int64_t> dims;
  // Custom layer plugins: their classes for the runtime, their shape rules
  // for the compiler.
  std::vector<std::string> plugins;
  auto addPluginOption = [](CLI::App *command, std::vector<std::string> &into,
                            const char *help) {
    command->add_option("--plugin", into, help)->allow_extra_args(false);
  };
  // How the runtime runs chains of Convs (SessionOptions::convChains).
  auto addConvChainsOption = [](CLI::App *command, std::string &into,
                                const char *tunedHelp) {
    command
        ->add_option("--conv-chains", into,
                     std::string("Chains of Convs that each read only the one "
                                 "before (inverted residual blocks): ") +
                         tunedHelp +
                         ", on bands of rows wherever possible (always), or "
                         "op by op (never)")
        ->check(CLI::IsMember({"tuned", "always", "never"}));
  };
  const char *compilerPluginHelp =
      "A custom layer plugin whose classes' shape rules to follow (repeatable)";
  const char *runtimePluginHelp =
      "A shared library of custom layers to load (repeatable)";
  auto *checkCmd = app.add_subcommand(
      "check-flexible",
      "Prove that a network takes other input sizes, or name the nodes that "
      "stop it (exit 0 flexible, 1 not)");
  checkCmd->add_option("model", model, "The model")->required();
  checkCmd->add_option("--input", input,
                       "The input whose dims are free (default: every input "
                       "of high enough rank)");
  checkCmd
      ->add_option("--dims", dims,
                   "The dims to free, e.g. 2,3 (default: the spatial ones: "
                   "H and W of NCHW or NHWC, D, H and W of NCDHW)")
      ->delimiter(',');
  checkCmd->add_flag("--json", json, "Print JSON (schema in docs/check-flexible.md)");
  // Quiet: errors only; the answer is the exit code (and the output file).
  bool quiet = false;
  const char *quietHelp = "Print nothing but errors";
  checkCmd->add_flag("--quiet", quiet, quietHelp);
  addPluginOption(checkCmd, plugins, compilerPluginHelp);

  std::string shapes;
  bool verbose = false;
  auto *mergeCmd = app.add_subcommand(
      "merge", "Merge exports of one network at several input sizes into one "
               "model that takes them all, weights stored once (exit 1: not "
               "one network, or a size it cannot take)");
  mergeCmd->add_option("models", models, "The exports (two or more)")
      ->required();
  mergeCmd->add_option("-o,--output", output,
                       "The merged model: .onnx, .mlir or .mlirbc")
      ->required();
  mergeCmd->add_option("--shapes", shapes,
                       "The sizes to take: 224,448 (H = W), 224x320,448x640 "
                       "(H x W), 1x3x224x224,... (whole shapes), or a range "
                       "224..448:32 (per dim: 224..448:32x320..640:32); "
                       "default: the exports' own sizes; the first is the "
                       "default size");
  mergeCmd->add_option("--input", input,
                       "The input the sizes are for (default: the one whose "
                       "size varies)");
  bool functions = false;
  mergeCmd->add_flag("--functions", functions,
                     "Different networks side by side, one function each, "
                     "their common weights stored once (.mlir or .mlirbc)");
  mergeCmd->add_flag("--verbose", verbose,
                     "List each constant generalized, node by node");
  mergeCmd->add_flag("--json", json, "Print the report as JSON");
  mergeCmd->add_flag("--quiet", quiet, quietHelp);
  addPluginOption(mergeCmd, plugins, compilerPluginHelp);

  bool compileJson = false;
  auto *compileCmd = app.add_subcommand(
      "compile", "Lower a model (ONNX or nn MLIR, merged or not) to a .mlc "
                 "file for the runtime");
  compileCmd->add_option("model", model, "The model")->required();
  compileCmd->add_option("-o,--output", output, "The .mlc file to write")
      ->required();
  compileCmd->add_flag("--json", compileJson, "Print the report as JSON");
  compileCmd->add_flag("--quiet", quiet, quietHelp);
  addPluginOption(compileCmd, plugins, compilerPluginHelp);

  mlc::cli::RunOptions run;
  auto *runCmd = app.add_subcommand(
      "run", "Run predictions of a .mlc model with the runtime");
  runCmd->add_option("model", run.model, "The .mlc model")->required();
  runCmd->add_option("--input", run.inputs,
                     "NAME=FILE: an input from a .npy file, or raw bytes "
                     "(give its --shape); default: a deterministic pattern")
      ->allow_extra_args(false);
  runCmd->add_option("--shape", run.shapes,
                     "NAME=1x3x224x224: the size of a pattern or raw input "
                     "(default: the first the model takes)")
      ->allow_extra_args(false);
  runCmd->add_option("--batch", run.batch,
                     "Run N predictions as a batch (inputs differ per item)");
  runCmd->add_option("--threads", run.threads, "Threads (default: one per core)");
  runCmd->add_option("--output-dir", run.outputDir,
                     "Write each output to DIR/NAME.npy");
  runCmd->add_flag("--reference", run.reference,
                   "Use the plain C++ reference kernels only");
  runCmd->add_flag("--quiet", run.quiet, quietHelp);
  runCmd->add_flag("--json", run.json, "Print each output's summary as JSON");
  addConvChainsOption(runCmd, run.convChains,
                      "op by op, as run does not tune (tuned, the default)");
  addPluginOption(runCmd, run.plugins, runtimePluginHelp);

  mlc::cli::BenchOptions bench;
  auto *benchCmd = app.add_subcommand(
      "bench", "Time predictions of a .mlc model: first run, median, "
               "throughput");
  benchCmd->add_option("model", bench.model, "The .mlc model")->required();
  benchCmd
      ->add_option("--shape", bench.shapes,
                   "NAME=1x3x224x224 (default: the first the model "
                   "takes); an input named again starts another shape, "
                   "timed after the last in the same session")
      ->allow_extra_args(false);
  benchCmd->add_option("--batch", bench.batch, "Items per prediction");
  benchCmd->add_option("--threads", bench.threads,
                       "Threads (default: one per core)");
  benchCmd->add_option("--runs", bench.runs, "Timed runs after the first");
  benchCmd->add_flag("--reference", bench.reference,
                     "Use the plain C++ reference kernels only");
  benchCmd->add_flag("--json", bench.json, "Print JSON");
  benchCmd->add_flag("--profile", bench.profile,
                     "Also time every op: the slowest ops and each op "
                     "type's share");
  benchCmd->add_flag("--no-tune", bench.noTune,
                     "Take oneDNN's default kernels: no warm-up run, no "
                     "timing of alternatives when a shape is made ready");
  benchCmd->add_flag("--no-winograd", bench.noWinograd,
                     "Keep every convolution on the direct algorithm");
  addConvChainsOption(benchCmd, bench.convChains,
                      "on bands of rows where tuning finds it faster (tuned, "
                      "the default)");
  benchCmd->add_flag("--whole-batch", bench.wholeBatch,
                     "Run every op of a batch on the whole batch at once "
                     "(no item-by-item first layers)");
  benchCmd->add_flag("--no-split-batch", bench.noSplitBatch,
                     "Run each op of a batch on all the threads, one op "
                     "after another (by default each thread takes a part "
                     "of the batch)");
  addPluginOption(benchCmd, bench.plugins, runtimePluginHelp);

  mlc::cli::QuantizeCommandOptions quantize;
  auto *quantizeCmd = app.add_subcommand(
      "quantize", "Store a model's weights in fewer bits (fp16, linear, "
                  "k-means palette) and show what it cost (exit 1: under "
                  "--min-snr)");
  quantizeCmd->add_option("model", quantize.model, "The model")->required();
  quantizeCmd->add_option("-o,--output", quantize.output,
                          "The quantized model: .mlc, .mlir or .mlirbc")
      ->required();
  quantizeCmd->add_option("--mode", quantize.mode, "fp16, linear or kmeans")
      ->required();
  quantizeCmd->add_option("--bits", quantize.bits,
                          "Bits per value: linear 2-8 (default 8), kmeans "
                          "1-8 (default 4)");
  quantizeCmd->add_option("--granularity", quantize.granularity,
                          "Linear: per-channel (default) or per-tensor");
  quantizeCmd->add_flag("--asymmetric", quantize.asymmetric,
                        "Linear: zero points, unsigned values (default: "
                        "symmetric)");
  quantizeCmd->add_option("--group-channels", quantize.groupChannels,
                          "kmeans: output channels per lookup table "
                          "(default: one table per tensor)");
  quantizeCmd->add_option("--min-size", quantize.minSize,
                          "Weights under this many bytes stay float "
                          "(default 4096; vectors always do)");
  quantizeCmd->add_option("--skip", quantize.skip,
                          "A node whose weights stay float (repeatable)")
      ->allow_extra_args(false);
  quantizeCmd->add_flag("--drop-activation-qdq", quantize.dropActivationQDQ,
                        "QDQ models: remove the activations' "
                        "quantize-dequantize pairs");
  quantizeCmd->add_flag("--report", quantize.report,
                        "Run the float and quantized models on sample inputs: "
                        "per output SNR, max error, cosine, top-1; per layer "
                        "weight SNR");
  quantizeCmd
      ->add_option("--shape", quantize.shapes,
                   "NAME=1x3x224x224: a shape the report's synthetic "
                   "samples take (an input named again starts another; "
                   "default: the model's shapes)")
      ->allow_extra_args(false);
  quantizeCmd->add_option("--min-snr", quantize.minSnr,
                          "Refuse (exit 1, nothing written) when an output's "
                          "SNR is under DB");
  quantizeCmd->add_flag("--auto", quantize.autoRaise,
                        "With --min-snr: keep the layers that cost most at "
                        "more bits or float until the bar holds");
  quantizeCmd->add_option("--threads", quantize.threads, "Threads");
  quantizeCmd->add_flag("--json", quantize.json, "Print the report as JSON");
  quantizeCmd->add_flag("--quiet", quantize.quiet, quietHelp);
  addPluginOption(quantizeCmd, plugins, compilerPluginHelp);

  mlc::cli::CompareCommandOptions compare;
  auto *compareCmd = app.add_subcommand(
      "compare", "Run two models on the same inputs and compare their outputs: "
                 "SNR, max error, cosine, top-1 (exit 1: under --min-snr)");
  compareCmd->add_option("reference", compare.a,
                         "The reference model (.mlc or any model)")
      ->required();
  compareCmd->add_option("test", compare.b, "The model to compare")->required();
  compareCmd->add_option("--inputs", compare.inputs,
                         "NAME=FILE.npy (or FILE.npy): one sample each "
                         "(default: a deterministic synthetic set at every "
                         "shape the reference takes)")
      ->allow_extra_args(false);
  compareCmd
      ->add_option("--shape", compare.shapes,
                   "NAME=1x3x224x224: a shape of the synthetic set (an "
                   "input named again starts another)")
      ->allow_extra_args(false);
  compareCmd->add_option("--samples", compare.samples,
                         "Synthetic samples per shape (default 4)");
  compareCmd->add_option("--threads", compare.threads, "Threads");
  compareCmd->add_option("--min-snr", compare.minSnr,
                         "Exit 1 when an output's SNR is under DB");
  compareCmd->add_flag("--json", compare.json, "Print JSON");
  addPluginOption(compareCmd, compare.plugins, runtimePluginHelp);

  mlc::cli::WrapOptions wrap;
  auto *wrapCmd = app.add_subcommand(
      "wrap", "Make a .mlc whose whole model is a custom layer class (a custom "
              "model), run through the same Session API");
  wrapCmd->add_option("--custom-model", wrap.className,
                      "The registered class that is the model")
      ->required();
  wrapCmd->add_option("--input", wrap.inputs,
                      "NAME=SHAPES, e.g. image=1x3x224x224,1x3x448x448 "
                      "(repeatable, in order)")
      ->allow_extra_args(false)
      ->required();
  wrapCmd->add_option("--weights", wrap.weights,
                      "A .npy file of the layer's weights (repeatable, in order)")
      ->allow_extra_args(false);
  wrapCmd->add_option("--attribute", wrap.attributes,
                      "KEY=VALUE for the layer (repeatable)")
      ->allow_extra_args(false);
  wrapCmd->add_option("--domain", wrap.domain, "The class's domain");
  wrapCmd->add_option("--output-name", wrap.outputName,
                      "The output's name (default: output)");
  wrapCmd->add_option("--shape-rule", wrap.shapeRule,
                      "How the output's shape follows input 0: same "
                      "(default), scale_spatial:K or divide_spatial:K");
  wrapCmd->add_option("--output-shape", wrap.outputShape,
                      "The output's fixed shape, e.g. 1x1000 (instead of a "
                      "rule)");
  wrapCmd->add_option("-o,--output", wrap.output, "The .mlc (or .mlir) to write")
      ->required();
  wrapCmd->add_flag("--quiet", wrap.quiet, quietHelp);
  wrapCmd->add_flag("--json", wrap.json, "Print what was wrapped as JSON");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    // --help and --version.
    if (e.get_exit_code() == 0)
      return app.exit(e) == 0 ? kExitDone : kExitError;
    // A usage error is one line, like every other error of mlc's.
    std::string command = "mlc";
    for (CLI::App *sub : app.get_subcommands())
      if (sub->parsed())
        command += " " + sub->get_name();
    std::string message = e.what();
    if (command == "mlc" && argc == 1)
      message = "no command: use import, export, inspect, check-flexible, merge, "
                "compile, run, bench, quantize, compare or wrap";
    else if (command == "mlc")
      message = std::string(argv[1][0] == '-' ? "unknown option '"
                                              : "unknown command '") +
                argv[1] + "': use import, export, inspect, check-flexible, merge, "
                          "compile, run, bench, quantize, compare or wrap";
    llvm::errs() << command << ": error: " << message << " (see " << command
                 << " --help)\n";
    return kExitError;
  }
  for (CLI::App *command : {checkCmd, mergeCmd, compileCmd, quantizeCmd})
    if (command->parsed() &&
        !mlc::cli::loadPlugins(plugins, command->get_name().c_str()))
      return kExitError;
  if (importCmd->parsed())
    return runImport(models, output);
  if (exportCmd->parsed())
    return runExport(model, output, opset, externalData);
  if (inspectCmd->parsed())
    return mlc::cli::isCompiledModel(model)
               ? mlc::cli::inspectCompiled(model, json)
               : runInspect(model, json);
  if (compileCmd->parsed())
    return runCompile(model, output, compileJson, quiet);
  if (runCmd->parsed())
    return mlc::cli::runModel(run);
  if (benchCmd->parsed())
    return mlc::cli::benchModel(bench);
  if (quantizeCmd->parsed())
    return mlc::cli::runQuantize(quantize);
  if (compareCmd->parsed())
    return mlc::cli::runCompare(compare);
  if (wrapCmd->parsed())
    return mlc::cli::runWrap(wrap);
  if (checkCmd->parsed())
    return runCheckFlexible(model, input, dims, json, quiet);
  if (mergeCmd->parsed())
    return runMerge(models, output, shapes, input, functions, verbose, json,
                    quiet);
  return kExitError;
}
