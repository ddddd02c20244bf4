package dev.xatm.tm.log;

/** What a resource reported it did on its own (XA_HEURCOM, XA_HEURRB, XA_HEURMIX, XA_HEURHAZ). */
public enum HeuristicOutcome {
  /** XA_HEURCOM: the branch was committed heuristically. */
  COMMITTED,
  /** XA_HEURRB, or a rolled-back branch after the commit decision: the branch was rolled back. */
  ROLLED_BACK,
  /** XA_HEURMIX: part of the branch committed, part rolled back. */
  MIXED,
  /** XA_HEURHAZ, or an outcome that cannot be known: the branch may have done either. */
  HAZARD
}
