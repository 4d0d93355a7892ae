// sbf-cold-errors: an LLVM pass (plugin for `opt`) that marks the functions
// which build and log errors as cold, before the program is linked.
//
// Why: an Anchor program builds an error at every check that can fail: the
// error's name and message as Strings, the failing account's name, the
// compared keys. The link-time optimiser cannot tell these paths from the
// paths that succeed, so it inlines the allocator, the string copies and the
// conversions into each of them (docs/build.md, "Where the bytes go").
//
// What: every function defined in this module whose demangled name starts
// with one of the prefixes given by -sbf-cold-prefix (repeatable) becomes
// `cold`, `noinline`, `minsize` and `optsize`. A call to a cold function makes
// its block cold, so the link-time inliner keeps the code around such a call
// small too, while the paths that succeed are optimised as before.
//
// The paths that succeed do not call these functions. They are still
// optimised together with the cold code around them, so their compute units
// move a little; `npm run bench` measures that none costs more.
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Plugins/PassPlugin.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

static cl::list<std::string> ColdPrefixes("sbf-cold-prefix",
                                          cl::desc("demangled name prefix of a function to mark cold"));

namespace {

// Rust's demangled trait impls read `<anchor_lang_error::Error as From<…>>::from`;
// the prefix is matched after the opening `<`, so both forms of a name match.
bool matches(StringRef Demangled) {
  StringRef Name = Demangled.ltrim('<');
  for (const std::string &Prefix : ColdPrefixes)
    if (Name.starts_with(Prefix))
      return true;
  return false;
}

struct SbfColdErrorsPass : PassInfoMixin<SbfColdErrorsPass> {
  PreservedAnalyses run(Module &M, ModuleAnalysisManager &) {
    unsigned Marked = 0;
    for (Function &F : M) {
      if (F.isDeclaration() || !matches(demangle(F.getName())))
        continue;
      F.removeFnAttr(Attribute::AlwaysInline);
      F.removeFnAttr(Attribute::InlineHint);
      F.addFnAttr(Attribute::Cold);
      F.addFnAttr(Attribute::NoInline);
      F.addFnAttr(Attribute::MinSize);
      F.addFnAttr(Attribute::OptimizeForSize);
      ++Marked;
    }
    if (Marked && getenv("SBF_COLD_ERRORS_VERBOSE"))
      errs() << "sbf-cold-errors: " << M.getName() << ": " << Marked << " functions marked cold\n";
    return Marked ? PreservedAnalyses::none() : PreservedAnalyses::all();
  }
};

} // namespace

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "sbf-cold-errors", "1",
          [](PassBuilder &PB) {
            PB.registerPipelineParsingCallback(
                [](StringRef Name, ModulePassManager &MPM, ArrayRef<PassBuilder::PipelineElement>) {
                  if (Name != "sbf-cold-errors")
                    return false;
                  MPM.addPass(SbfColdErrorsPass());
                  return true;
                });
          }};
}
