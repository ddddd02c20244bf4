package dev.xatm.tm.internal;

import dev.xatm.tm.log.HeuristicOutcome;

/**
 * The classification of one XA result.
 *
 * @param fate what the coordinator does with the branch next
 * @param heuristic the heuristic outcome to log durably, or {@code null} for none
 * @param forget whether to call {@code forget} after logging the heuristic (only when the resource
 *     itself reported XA_HEUR*: then it remembers the branch until told to forget)
 * @param app what this result contributes to the application's exception
 * @param meaning a short explanation for log messages
 */
public record XaVerdict(
    BranchFate fate, HeuristicOutcome heuristic, boolean forget, AppOutcome app, String meaning) {

  static XaVerdict of(BranchFate fate, AppOutcome app, String meaning) {
    return new XaVerdict(fate, null, false, app, meaning);
  }

  static XaVerdict heuristic(
      BranchFate fate, HeuristicOutcome h, boolean forget, AppOutcome app, String meaning) {
    return new XaVerdict(fate, h, forget, app, meaning);
  }
}
