package dev.xatm.tm.internal;

/** The verdict of one XA call on one branch, with the failure behind it (null on success). */
record BranchResult(TxBranch branch, XaVerdict verdict, Throwable failure) {
  BranchFate fate() {
    return verdict.fate();
  }
}
