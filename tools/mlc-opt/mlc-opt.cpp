//===- mlc-opt.cpp - mlir-opt with the nn dialect and mlc's passes --------===//

#include "mlc/Dialect/NN/NNDialect.h"
#include "mlc/Transforms/Passes.h"
#include "mlc/Transforms/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<mlc::nn::NNDialect, mlir::func::FuncDialect>();
  mlc::registerMLCPasses();
  mlc::registerMLCPipelines();
  // The generic passes a pipeline of nn graphs uses.
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerSymbolDCEPass();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "mlc optimizer driver\n", registry));
}
