//===- FileIO.cpp - Writing outputs without leaving half a file -----------===//

#include "mlc/Support/FileIO.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace llvm;

Error mlc::writeFileAtomically(StringRef path,
                               function_ref<bool(raw_ostream &)> write) {
  if (path == "-") {
    if (!write(outs()))
      return make_error<StringError>("writing to stdout failed",
                                     inconvertibleErrorCode());
    outs().flush();
    return Error::success();
  }
  // Devices and pipes (/dev/null, /dev/stdout) are written in place.
  sys::fs::file_status status;
  if (!sys::fs::status(path, status) && sys::fs::exists(status) &&
      !sys::fs::is_regular_file(status)) {
    std::error_code ec;
    raw_fd_ostream os(path, ec);
    if (ec)
      return createFileError(path, ec);
    if (!write(os))
      return make_error<StringError>("nothing written", inconvertibleErrorCode());
    return Error::success();
  }
  Expected<sys::fs::TempFile> temp =
      sys::fs::TempFile::create(path + ".tmp-%%%%%%");
  if (!temp)
    return createFileError(path, temp.takeError());
  bool written;
  {
    raw_fd_ostream os(temp->FD, /*shouldClose=*/false);
    written = write(os);
    os.flush();
    if (os.has_error()) {
      std::error_code ec = os.error();
      os.clear_error();
      consumeError(temp->discard());
      return createFileError(path, ec);
    }
  }
  if (!written) {
    consumeError(temp->discard());
    return make_error<StringError>("nothing written", inconvertibleErrorCode());
  }
  if (Error e = temp->keep(path))
    return createFileError(path, std::move(e));
  return Error::success();
}
