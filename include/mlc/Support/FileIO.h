//===- FileIO.h - Writing outputs without leaving half a file ---*- C++ -*-===//

#ifndef MLC_SUPPORT_FILEIO_H
#define MLC_SUPPORT_FILEIO_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace mlc {

/// Writes `path` through `write`: into a temporary file beside it, renamed
/// over `path` only when `write` succeeds, so a failed or interrupted write
/// leaves no partial file and an existing file intact. "-" writes to stdout.
/// Returns an error naming the file when it cannot be created or written;
/// `write` returns false after reporting its own error.
llvm::Error writeFileAtomically(llvm::StringRef path,
                                llvm::function_ref<bool(llvm::raw_ostream &)> write);

} // namespace mlc

#endif // MLC_SUPPORT_FILEIO_H
