// mlc's dialect, passes and pipelines in another project's tool.
#include "mlc/Dialect/NN/NNDialect.h"
#include "mlc/Transforms/Passes.h"
#include "mlc/Transforms/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<mlc::nn::NNDialect, mlir::func::FuncDialect>();
  mlc::registerMLCPasses();
  mlc::registerMLCPipelines();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "nn-tool\n", registry));
}
