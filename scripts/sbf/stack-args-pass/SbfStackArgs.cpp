// sbf-stack-args: an LLVM pass (plugin for `opt`) that removes stack-passed
// arguments from a whole BPF program before code generation.
//
// Why: LLVM's BPF backend passes arguments beyond the fifth register on the
// stack, addressed relative to the *callee's* frame. Where the callee's frame
// starts depends on the SVM's configuration: SBPF v0 leaves a 4 KB unmapped gap
// between frames unless account-data direct mapping is active (LiteSVM runs
// with gaps, bankrun without). No fixed offset is right for both, so a program
// built that way works on one runtime and silently reads garbage on the other.
//
// What: every function whose parameters need more than five registers keeps
// its leading parameters (at most four registers) and receives the rest through
// one pointer to a struct the caller fills in its own frame. A pointer into the
// caller's frame is valid however frames are laid out. Every call site whose
// function type needs more than five registers (direct or indirect) is rewritten
// the same way, so function pointers stay consistent: the whole program is one
// module and all such functions are internal.
//
// Refuses (with a message) what it cannot rewrite safely: an external or
// exported function with more than five registers of parameters, an invoke,
// a vararg call, or a moved parameter carrying byval/inalloca/preallocated.
#include "llvm/IR/Constants.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Plugins/PassPlugin.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace {

constexpr unsigned MaxArgRegisters = 5; // r1..r5

unsigned registersFor(Type *T, const DataLayout &DL) {
  if (!T->isSized())
    return 1;
  uint64_t Bytes = DL.getTypeAllocSize(T).getFixedValue();
  return std::max<uint64_t>(1, (Bytes + 7) / 8);
}

unsigned registersFor(FunctionType *FT, const DataLayout &DL) {
  unsigned Total = 0;
  for (Type *T : FT->params())
    Total += registersFor(T, DL);
  return Total;
}

bool needsRewrite(FunctionType *FT, const DataLayout &DL) {
  return !FT->isVarArg() && registersFor(FT, DL) > MaxArgRegisters;
}

// How many leading parameters stay in registers: as many as fit in four, so
// the fifth register is free for the pointer to the rest.
unsigned keptParams(FunctionType *FT, const DataLayout &DL) {
  unsigned Registers = 0, Kept = 0;
  for (Type *T : FT->params()) {
    unsigned R = registersFor(T, DL);
    if (Registers + R > MaxArgRegisters - 1)
      break;
    Registers += R;
    ++Kept;
  }
  return Kept;
}

FunctionType *rewrittenType(FunctionType *FT, unsigned Kept) {
  SmallVector<Type *, 8> Params(FT->param_begin(), FT->param_begin() + Kept);
  Params.push_back(PointerType::getUnqual(FT->getContext()));
  return FunctionType::get(FT->getReturnType(), Params, false);
}

StructType *spilledType(FunctionType *FT, unsigned Kept) {
  SmallVector<Type *, 8> Fields(FT->param_begin() + Kept, FT->param_end());
  return StructType::get(FT->getContext(), Fields);
}

AttributeList keptAttributes(LLVMContext &C, AttributeList Attrs, unsigned Kept) {
  SmallVector<AttributeSet, 8> Params;
  for (unsigned I = 0; I < Kept; ++I)
    Params.push_back(Attrs.getParamAttrs(I));
  Params.push_back(AttributeSet()); // the pointer to the spilled arguments
  return AttributeList::get(C, Attrs.getFnAttrs(), Attrs.getRetAttrs(), Params);
}

[[noreturn]] void refuse(const Twine &What) {
  report_fatal_error("sbf-stack-args: " + What + "; see scripts/sbf/stack-args-pass", false);
}

// Moves F's body into a function of the rewritten type, reading the spilled
// parameters from the struct at entry. Returns the new function; F is left
// bodiless for the caller to replace and erase.
Function *rewriteDefinition(Function &F, const DataLayout &DL) {
  FunctionType *FT = F.getFunctionType();
  unsigned Kept = keptParams(FT, DL);
  for (unsigned I = Kept; I < FT->getNumParams(); ++I)
    for (Attribute::AttrKind K : {Attribute::ByVal, Attribute::InAlloca, Attribute::Preallocated})
      if (F.hasParamAttribute(I, K))
        refuse("parameter " + Twine(I) + " of " + F.getName() + " is passed by value in memory");

  Function *NF = Function::Create(rewrittenType(FT, Kept), F.getLinkage(), F.getAddressSpace(), "", F.getParent());
  NF->copyAttributesFrom(&F);
  NF->setAttributes(keptAttributes(F.getContext(), F.getAttributes(), Kept));
  NF->copyMetadata(&F, 0);
  NF->takeName(&F);
  NF->splice(NF->begin(), &F);

  for (unsigned I = 0; I < Kept; ++I) {
    NF->getArg(I)->takeName(F.getArg(I));
    F.getArg(I)->replaceAllUsesWith(NF->getArg(I));
  }
  Argument *Spilled = NF->getArg(Kept);
  Spilled->setName("spilled.args");
  StructType *ST = spilledType(FT, Kept);
  IRBuilder<> B(&*NF->getEntryBlock().getFirstInsertionPt());
  for (unsigned I = Kept; I < FT->getNumParams(); ++I) {
    Value *Field = B.CreateStructGEP(ST, Spilled, I - Kept);
    Value *Loaded = B.CreateLoad(FT->getParamType(I), Field, F.getArg(I)->getName());
    F.getArg(I)->replaceAllUsesWith(Loaded);
  }
  return NF;
}

// Replaces a call of a >5-register function type by a call that passes the
// trailing arguments through a struct in the caller's frame.
void rewriteCall(CallInst *CI, const DataLayout &DL) {
  FunctionType *FT = CI->getFunctionType();
  unsigned Kept = keptParams(FT, DL);
  StructType *ST = spilledType(FT, Kept);
  Function *Caller = CI->getFunction();

  IRBuilder<> Entry(&*Caller->getEntryBlock().getFirstInsertionPt());
  AllocaInst *Slot = Entry.CreateAlloca(ST, nullptr, "spilled.args");

  IRBuilder<> B(CI);
  for (unsigned I = Kept; I < FT->getNumParams(); ++I)
    B.CreateStore(CI->getArgOperand(I), B.CreateStructGEP(ST, Slot, I - Kept));
  SmallVector<Value *, 8> Args(CI->arg_begin(), CI->arg_begin() + Kept);
  Args.push_back(Slot);

  CallInst *NC = B.CreateCall(rewrittenType(FT, Kept), CI->getCalledOperand(), Args);
  NC->setCallingConv(CI->getCallingConv());
  NC->setAttributes(keptAttributes(CI->getContext(), CI->getAttributes(), Kept));
  NC->setTailCallKind(CallInst::TCK_None); // the callee reads the caller's frame
  NC->copyMetadata(*CI);
  NC->takeName(CI);
  CI->replaceAllUsesWith(NC);
  CI->eraseFromParent();
}

struct SbfStackArgsPass : PassInfoMixin<SbfStackArgsPass> {
  PreservedAnalyses run(Module &M, ModuleAnalysisManager &) {
    const DataLayout &DL = M.getDataLayout();

    SmallVector<Function *, 32> Definitions;
    for (Function &F : M) {
      if (F.isIntrinsic() || !needsRewrite(F.getFunctionType(), DL))
        continue;
      if (F.isDeclaration())
        continue; // only an error if something calls it (below)
      if (!F.hasLocalLinkage())
        refuse("exported function " + F.getName() + " takes more than five registers of arguments");
      Definitions.push_back(&F);
    }

    unsigned Calls = 0;
    SmallVector<CallInst *, 64> Sites;
    for (Function &F : M)
      for (Instruction &I : instructions(F)) {
        auto *CB = dyn_cast<CallBase>(&I);
        if (!CB || CB->isInlineAsm())
          continue;
        Function *Callee = CB->getCalledFunction();
        if ((Callee && Callee->isIntrinsic()) || !needsRewrite(CB->getFunctionType(), DL))
          continue;
        if (Callee) {
          if (Callee->isDeclaration())
            refuse("call to external " + Callee->getName() + " with more than five registers of arguments");
        }
        auto *CI = dyn_cast<CallInst>(CB);
        if (!CI)
          refuse("an invoke or callbr with more than five registers of arguments in " + F.getName());
        Sites.push_back(CI);
      }

    for (Function *F : Definitions) {
      Function *NF = rewriteDefinition(*F, DL);
      F->replaceAllUsesWith(NF); // opaque pointers: same type, so constants follow too
      F->eraseFromParent();
    }
    for (CallInst *CI : Sites) {
      rewriteCall(CI, DL);
      ++Calls;
    }

    if (verifyModule(M, &errs()))
      refuse("the rewritten module does not verify");
    errs() << "sbf-stack-args: " << Definitions.size() << " functions, " << Calls
           << " call sites now pass extra arguments through the caller's frame\n";
    return Definitions.empty() && Calls == 0 ? PreservedAnalyses::all() : PreservedAnalyses::none();
  }
};

} // namespace

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "sbf-stack-args", "1",
          [](PassBuilder &PB) {
            PB.registerPipelineParsingCallback(
                [](StringRef Name, ModulePassManager &MPM, ArrayRef<PassBuilder::PipelineElement>) {
                  if (Name != "sbf-stack-args")
                    return false;
                  MPM.addPass(SbfStackArgsPass());
                  return true;
                });
          }};
}
