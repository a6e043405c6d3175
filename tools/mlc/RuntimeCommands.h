//===- RuntimeCommands.h - mlc run, bench and inspect of .mlc ---*- C++ -*-===//

#ifndef MLC_TOOLS_RUNTIMECOMMANDS_H
#define MLC_TOOLS_RUNTIMECOMMANDS_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mlc::rt {
class Error;
class Model;
} // namespace mlc::rt

namespace mlc::cli {

struct RunOptions {
  std::string model;
  /// NAME=FILE (.npy, or raw bytes of the --shape given for NAME).
  std::vector<std::string> inputs;
  /// NAME=1x3x224x224: the size of a pattern or raw input.
  std::vector<std::string> shapes;
  int batch = 1, threads = 0;
  bool reference = false, quiet = false, json = false;
  std::string outputDir;
  /// tuned, always or never (SessionOptions::convChains).
  std::string convChains = "tuned";
  /// Custom layer plugins to load.
  std::vector<std::string> plugins;
};

struct BenchOptions {
  std::string model;
  std::vector<std::string> shapes;
  int batch = 1, threads = 0, runs = 20;
  bool reference = false, json = false, profile = false;
  bool noTune = false, noWinograd = false, wholeBatch = false,
       noSplitBatch = false;
  /// tuned, always or never (SessionOptions::convChains).
  std::string convChains = "tuned";
  std::vector<std::string> plugins;
};

/// `mlc run`: predictions on given or pattern inputs; exit 0 or 2.
int runModel(const RunOptions &options);
/// `mlc bench`: first-run and median latency, throughput; exit 0 or 2.
int benchModel(const BenchOptions &options);
/// `mlc inspect` of a .mlc file; exit 0 or 2.
int inspectCompiled(const std::string &path, bool json);
/// Whether `path` holds a .mlc model (by content).
bool isCompiledModel(const std::string &path);

/// Prints an error of `mlc <command>` and returns exit code 2. An error of
/// a session on the model at `path` (empty when there is none) is named by
/// the file, as every error of mlc's is: the runtime's own messages name
/// the node or the input, not the file.
int reportError(const char *command, const std::string &path,
                const rt::Error &error);

/// Loads custom layer plugins (their classes, and their shape rules for the
/// compiler); prints "mlc COMMAND: error: ..." and fails on the first that
/// does not load.
bool loadPlugins(const std::vector<std::string> &plugins, const char *command);

/// An option NAME=VALUE about an input of `model` (a lone VALUE names its
/// only input): the name and the value; rt::Error "<what> '<option>': ..."
/// for an input the model does not have.
std::pair<std::string, std::string>
splitInputOption(const std::string &option, const rt::Model &model,
                 const char *what);

/// The input shapes `--shape` options give (NAME=1x3x224x224; an input
/// named again starts another set), in turn: each set one shape per input
/// of `model`, in order, its default shape where the set names none (which
/// throws rt::Error for an input with dims of any size). Empty when no
/// option is given.
std::vector<std::vector<std::vector<int64_t>>>
shapeSets(const std::vector<std::string> &options, const rt::Model &model);

} // namespace mlc::cli

#endif // MLC_TOOLS_RUNTIMECOMMANDS_H
